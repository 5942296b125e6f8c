"""Writing graphs: `.nir` files (HDF5) and JSON documents, each checked first."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

import h5py

from nir.analysis import analyse, warn
from nir.errors import NIRArgumentError, NIRError, NIRValidationError, NIRWriteError
from nir.graph import GraphBase
from nir.inference import Shapes
from nir.spec import SPEC_VERSION, schema_id
from nir.store import h5write, jsonio, layout
from nir.store.atomic import atomic_path
from nir.store.source import Source, source_name


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
    reference's (see `h5write.compression_plan`).
    """
    if not isinstance(graph, GraphBase):
        raise NIRArgumentError(f"nir.write expects a NIRGraph, not {type(graph).__name__}")
    plan = h5write.compression_plan(compression, compression_opts)
    found = _checked(graph, strict, warn_findings)
    content = {"version": SPEC_VERSION, "node": layout.graph_tree(graph, found)}
    attrs = {"schema": schema_id()}
    with _writing(target):
        if isinstance(target, str | os.PathLike):
            with atomic_path(target) as tmp, h5py.File(tmp, "w", libver="earliest") as f:
                h5write.write_file(f, content, attrs, plan)
            return
        with h5py.File(target, "w", libver="earliest") as f:
            h5write.write_file(f, content, attrs, plan)


@contextlib.contextmanager
def _writing(target: Source) -> Iterator[None]:
    """Turn the OS's (and libhdf5's) complaints about writing `target` into NIRWriteError."""
    name = source_name(target)
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
