"""Reading and writing NIR files: HDF5 (the reference layout) and JSON documents."""

from __future__ import annotations

import contextlib
import json
import mmap
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import h5py
import numpy as np

from nir.analysis import analyse, settle, warn
from nir.errors import (
    NIRArgumentError,
    NIRError,
    NIRFormatError,
    NIRValidationError,
    NIRWriteError,
    UnsupportedVersionError,
)
from nir.findings import Report
from nir.graph import GraphBase
from nir.inference import Shapes
from nir.lazy import LazyTensor, is_lazy
from nir.spec import SPEC_VERSION, schema_id
from nir.store import document, hdf5, jsonio, tree, versions
from nir.store.atomic import atomic_path
from nir.store.h5parse.base import CorruptError, NotHDF5Error, Unsupported
from nir.store.h5parse.reader import ParsedFile

Source = str | os.PathLike[str] | IO[bytes]

__all__ = [
    "LazyTensor",
    "from_json",
    "is_lazy",
    "load",
    "read",
    "read_json",
    "read_version",
    "to_json",
    "validate_path",
    "write",
    "write_json",
]


def _name(source: Source) -> str:
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    if not (hasattr(source, "read") or hasattr(source, "write")):
        raise NIRArgumentError(f"expected a path or a binary file object, not {type(source).__name__}")
    name = getattr(source, "name", None)  # a temporary file's name is its descriptor number
    return name if isinstance(name, str) else "<stream>"


@contextlib.contextmanager
def _opening(source: Source, failure: str) -> Iterator[None]:
    """Refuse what is not a regular file; turn the OS's complaints into NIRFormatError (`failure` for the rest)."""
    if isinstance(source, str | os.PathLike) and os.path.exists(source) and not os.path.isdir(source):
        if not stat.S_ISREG(os.stat(source).st_mode):
            # Opening a FIFO or a device would block or read forever.
            raise NIRFormatError(f"{_name(source)}: not a regular file")
    try:
        yield
    except FileNotFoundError:
        raise NIRFormatError(f"{_name(source)}: no such file") from None
    except IsADirectoryError:
        raise NIRFormatError(f"{_name(source)}: is a folder, not a file") from None
    except (OSError, ValueError) as err:
        raise NIRFormatError(f"{_name(source)}: {failure} ({err})") from None


def _open(source: Source) -> h5py.File:
    with _opening(source, "not an HDF5 file"):
        return h5py.File(source, "r")


MMAP_MIN_BYTES = 64 * 1024**2
"""Files of at least this size are mapped page by page as they are read (lazy reads touch little)."""
_PREFAULT = getattr(mmap, "MAP_POPULATE", 0)


def _contents(source: Source) -> Any:
    """A read-only map of the file's bytes (the bytes of a stream); None for a stream that cannot be re-read.

    Files are mapped rather than read: a read copies the file into fresh memory, page by page
    (a 17 MB file costs 4,000 page faults, 14 ms here), while a smaller file's map is filled from
    the page cache in one call (MAP_POPULATE, Linux) and a larger one's only where it is read.
    """
    if not isinstance(source, str | os.PathLike):
        try:
            source.seek(0)
            return source.read()
        except (AttributeError, OSError, ValueError):
            return None
    with _opening(source, "cannot read"), open(source, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size == 0:
            return b""  # an empty file cannot be mapped
        flags = mmap.MAP_PRIVATE | (_PREFAULT if size < MMAP_MIN_BYTES else 0)
        try:
            return mmap.mmap(handle.fileno(), 0, flags=flags, prot=mmap.PROT_READ)
        except OSError:  # a file system that cannot map files: read it instead
            return handle.read()


def _read_tree(source: Source, lazy: bool) -> tree.Tree:
    """The file as a tree: parsed by this package, or by libhdf5 where the file goes beyond NIR's subset of HDF5."""
    contents = _contents(source)
    if contents is not None:
        try:
            return tree.read_tree(ParsedFile(contents, _name(source)), load_dataset if lazy else None)
        except NotHDF5Error:
            raise NIRFormatError(f"{_name(source)}: not an HDF5 file (no HDF5 signature)") from None
        except CorruptError as err:
            raise NIRFormatError(f"{_name(source)}: {err}") from None
        except Unsupported:
            pass
        finally:
            if isinstance(contents, mmap.mmap):
                with contextlib.suppress(BufferError):  # a view still held by a traceback
                    contents.close()
    with _open(source) as f:
        try:
            return tree.read_tree(hdf5.H5pySource(f), load_dataset if lazy else None)
        except NIRFormatError:
            raise
        except (OSError, RuntimeError, KeyError, ValueError) as err:  # ValueError: undecodable HDF5 messages
            raise NIRFormatError(f"{_name(source)}: cannot read ({err})") from None


def validate_path(path: str | os.PathLike[str]) -> Report:
    """The report of a `.nir` (read lazily) or `.json` file; a file that cannot be read is one finding, not an error."""
    name = os.fspath(path)
    try:
        if name.lower().endswith(".json"):
            return read_json(path, warn_findings=False).report
        return load(path, lazy=True)[1]
    except UnsupportedVersionError as err:
        report = Report(source=name)
        report.add("unsupported-version", "", str(err))
        return report
    except NIRFormatError as err:
        report = Report(source=name)
        report.add("unreadable", "", str(err))
        return report


def load_dataset(file: str, dataset: bytes) -> np.ndarray:
    """The values of one dataset of a file (what a LazyTensor reads); NIRFormatError if it cannot be read."""
    try:
        with h5py.File(file, "r") as f:
            return f[dataset][()]
    except (OSError, KeyError, ValueError, RuntimeError) as err:
        raise NIRFormatError(f"{file}: {dataset.decode('utf-8', 'replace')}: cannot read ({err})") from None


def read_version(source: Source) -> str | None:
    """The version string stored in a file (None for files written before versions existed)."""
    with _open(source) as f:
        if "version" not in f:
            return None
        value = f["version"][()]
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def load(source: Source, lazy: bool = False, check: bool = True) -> tuple[GraphBase, Report]:
    """Read a file leniently: the graph (bad nodes left out) and a report of every problem.

    Raises NIRFormatError only when there is no graph to return (not HDF5, no `node` group,
    a refused link, a size over the limits, an unsupported version).
    """
    report = Report(source=_name(source))
    lazy = lazy and isinstance(source, str | os.PathLike)  # a stream cannot be reopened later
    content = _read_tree(source, lazy)
    version = content.get("version")
    if version is not None and not isinstance(version, str):
        raise NIRFormatError(f"{_name(source)}: the 'version' dataset is not a string")
    graph_tree = content.get("node")
    if not isinstance(graph_tree, dict):
        raise NIRFormatError(f"{_name(source)}: no 'node' group, so this is not a NIR file")
    try:
        layout = versions.layout_of(version)
    except UnsupportedVersionError as err:
        raise UnsupportedVersionError(f"{_name(source)}: {err}") from None
    if layout != versions.CURRENT:
        notes = versions.upgrade(graph_tree, layout)
        report.add(
            "migrated", "", f"file version {version or 'none'} uses the {layout} layout; upgraded: {'; '.join(notes)}"
        )
    graph = document.build_graph(graph_tree, report)
    return graph, _settled(graph, report, check)


def _settled(graph: GraphBase, report: Report, check: bool) -> Report:
    """Keep what reading found on the graph, then check it (without showing a warning: the caller decides)."""
    report.read = tuple(report.findings)
    if check:
        return settle(graph, report, warn_findings=False)
    graph.report = report
    return report


def _finish(graph: GraphBase, report: Report, strict: bool, warn_findings: bool, context: str) -> GraphBase:
    """What every read does last: raise under `strict`, otherwise show the findings as one NIRWarning."""
    if strict and not report.ok:
        raise NIRValidationError(report, f"{context}: invalid NIR file")
    if warn_findings:
        warn(report, context)
    return graph


def read(
    source: Source, type_check: bool = True, strict: bool = False, lazy: bool = False, warn_findings: bool = True
) -> GraphBase:
    """Read a NIR file written by this package or by the reference package since 0.1.

    `type_check` infers and checks every shape (as in the reference package). Findings never
    stop the read: they are kept in `graph.report` and shown once as a NIRWarning (unless
    `warn_findings` is off); with `strict`, an error finding raises NIRValidationError. With
    `lazy`, large tensors of a file given by path stay on disk (see LazyTensor); streams are read eagerly.
    """
    graph, report = load(source, lazy=lazy, check=type_check)
    return _finish(graph, report, strict, warn_findings, _name(source))


def write(
    target: Source,
    graph: GraphBase,
    compression: Any = "gzip",
    compression_opts: Any = None,
    *,
    strict: bool = False,
    warn_findings: bool = True,
) -> None:
    """Write a graph in the reference HDF5 layout; a path is replaced atomically.

    The graph is checked first: its findings are shown once as a NIRWarning (unless
    `warn_findings` is off), or, with `strict`, an error among them raises
    NIRValidationError and nothing is written. `compression` and `compression_opts` are the
    reference's (see `hdf5.compression_plan`).
    """
    if not isinstance(graph, GraphBase):
        raise NIRArgumentError(f"nir.write expects a NIRGraph, not {type(graph).__name__}")
    plan = hdf5.compression_plan(compression, compression_opts)
    found = _checked(graph, strict, warn_findings)
    content = {"version": SPEC_VERSION, "node": document.graph_tree(graph, found)}
    attrs = {"schema": schema_id()}
    with _writing(target):
        if isinstance(target, str | os.PathLike):
            with atomic_path(target) as tmp, h5py.File(tmp, "w", libver="earliest") as f:
                hdf5.write_file(f, content, attrs, plan)
            return
        with h5py.File(target, "w", libver="earliest") as f:
            hdf5.write_file(f, content, attrs, plan)


@contextlib.contextmanager
def _writing(target: Source) -> Iterator[None]:
    """Turn the OS's (and libhdf5's) complaints about writing `target` into NIRWriteError."""
    name = _name(target)
    try:
        yield
    except OSError as err:
        if isinstance(err, NIRError):
            raise
        raise NIRWriteError(f"{name}: cannot write ({err})") from None


def _checked(graph: GraphBase, strict: bool, warn_findings: bool) -> Shapes:
    """Check a graph about to be written: raise under `strict`, or warn; the shapes it found."""
    report, found = analyse(graph)
    if strict and not report.ok:
        raise NIRValidationError(report, "graph to write is invalid; nothing was written")
    if warn_findings:
        warn(report, "graph to write")
    return found


def to_json(graph: GraphBase, indent: int | None = None) -> str:
    """The graph as a JSON document (validates against schema/<version>/document); not checked, nothing shown."""
    return jsonio.dumps(graph, jsonio.shapes_of(graph), indent=indent)


def from_json(
    text: str | bytes | dict[str, Any], strict: bool = False, source: str = "<json>", warn_findings: bool = True
) -> GraphBase:
    """A graph from a JSON document (text or parsed); see `read` for `strict` and `warn_findings`."""
    report = Report(source=source)
    try:
        doc = json.loads(text) if isinstance(text, str | bytes) else text
    except ValueError as err:  # JSONDecodeError, and integers beyond Python's digit limit
        raise NIRFormatError(f"{source}: not JSON: {err}") from None
    except RecursionError:
        raise NIRFormatError(f"{source}: JSON nested too deeply to read") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("graph"), dict):
        raise NIRFormatError("a NIR JSON document is an object with a 'graph' object")
    version = doc.get("version")
    if not isinstance(version, str):
        raise NIRFormatError("a NIR JSON document needs a 'version' string")
    versions.layout_of(version)
    try:
        graph = document.build_graph(doc["graph"], report, json=True)
    except RecursionError:
        raise NIRFormatError(f"{source}: graphs nested too deeply to read") from None
    return _finish(graph, _settled(graph, report, True), strict, warn_findings, source)


def read_json(path: str | os.PathLike[str], strict: bool = False, warn_findings: bool = True) -> GraphBase:
    """Read a JSON document from a file."""
    if not isinstance(path, str | os.PathLike):
        raise NIRArgumentError(f"nir.read_json expects a path, not {type(path).__name__}")
    if os.path.exists(path) and not os.path.isdir(path) and not stat.S_ISREG(os.stat(path).st_mode):
        raise NIRFormatError(f"{path}: not a regular file")
    try:
        text = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise NIRFormatError(f"{path}: cannot read ({err})") from None
    return from_json(text, strict=strict, source=str(path), warn_findings=warn_findings)


def write_json(
    path: str | os.PathLike[str],
    graph: GraphBase,
    indent: int | None = 1,
    *,
    strict: bool = False,
    warn_findings: bool = True,
) -> None:
    """Write a graph as a JSON document, atomically; checked first, as `write` does."""
    if not isinstance(graph, GraphBase):
        raise NIRArgumentError(f"nir.write_json expects a NIRGraph, not {type(graph).__name__}")
    text = jsonio.dumps(graph, _checked(graph, strict, warn_findings), indent=indent)
    with _writing(path), atomic_path(path) as tmp:
        tmp.write_text(text, "utf-8")
