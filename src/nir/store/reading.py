"""Reading graphs: `.nir` files and JSON documents, each read finished the same way (checked, reported)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nir.analysis import settle, warn
from nir.errors import NIRArgumentError, NIRFormatError, NIRValidationError, UnsupportedVersionError
from nir.findings import Report
from nir.store import versions
from nir.store.document import Builders, build_graph, model_builders, plain_builders
from nir.store.source import Source, read_file_tree, source_name

if TYPE_CHECKING:
    from nir.graph import GraphBase


def validate_path(path: str | os.PathLike[str]) -> Report:
    """The report of a `.nir` (read lazily) or `.json` file; a file that cannot be read is one finding, not an error."""
    name = os.fspath(path)
    try:
        if name.lower().endswith(".json"):
            return _json_graph(_text_of(path), name, plain_builders())[1]
        return load(path, lazy=True, build=plain_builders())[1]
    except UnsupportedVersionError as err:
        report = Report(source=name)
        report.add("unsupported-version", "", str(err))
        return report
    except NIRFormatError as err:
        report = Report(source=name)
        report.add("unreadable", "", str(err))
        return report


def load(
    source: Source, lazy: bool = False, check: bool = True, build: Builders | None = None
) -> tuple[GraphBase, Report]:
    """Read a file leniently: the graph (bad nodes left out) and a report of every problem.

    The graph is made of node models, unless `build` says otherwise (see `document.plain_builders`).

    Raises NIRFormatError only when there is no graph to return (not HDF5, no `node` group,
    a refused link, a size over the limits, an unsupported version).
    """
    report = Report(source=source_name(source))
    lazy = lazy and isinstance(source, str | os.PathLike)  # a stream cannot be reopened later
    content = read_file_tree(source, lazy)
    version = content.get("version")
    if version is not None and not isinstance(version, str):
        raise NIRFormatError(f"{source_name(source)}: the 'version' dataset is not a string")
    graph_tree = content.get("node")
    if not isinstance(graph_tree, dict):
        raise NIRFormatError(f"{source_name(source)}: no 'node' group, so this is not a NIR file")
    try:
        layout = versions.layout_of(version)
    except UnsupportedVersionError as err:
        raise UnsupportedVersionError(f"{source_name(source)}: {err}") from None
    if layout != versions.CURRENT:
        notes = versions.upgrade(graph_tree, layout)
        report.add(
            "migrated", "", f"file version {version or 'none'} uses the {layout} layout; upgraded: {'; '.join(notes)}"
        )
    graph = build_graph(graph_tree, report, build or model_builders())
    return graph, _settled(graph, report, check)


def _settled(graph: Any, report: Report, check: bool) -> Report:
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
    return _finish(graph, report, strict, warn_findings, source_name(source))


def from_json(
    text: str | bytes | dict[str, Any], strict: bool = False, source: str = "<json>", warn_findings: bool = True
) -> GraphBase:
    """A graph from a JSON document (text or parsed); see `read` for `strict` and `warn_findings`."""
    graph, report = _json_graph(text, source, model_builders())
    return _finish(graph, report, strict, warn_findings, source)


def _json_graph(text: str | bytes | dict[str, Any], source: str, build: Builders) -> tuple[Any, Report]:
    """The graph of a JSON document, checked, and its report."""
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
        graph = build_graph(doc["graph"], report, build, json=True)
    except RecursionError:
        raise NIRFormatError(f"{source}: graphs nested too deeply to read") from None
    return graph, _settled(graph, report, True)


def read_json(path: str | os.PathLike[str], strict: bool = False, warn_findings: bool = True) -> GraphBase:
    """Read a JSON document from a file."""
    return from_json(_text_of(path), strict=strict, source=str(path), warn_findings=warn_findings)


def _text_of(path: str | os.PathLike[str]) -> str:
    """The text of a JSON document's file; NIRFormatError if it cannot be read."""
    if not isinstance(path, str | os.PathLike):
        raise NIRArgumentError(f"nir.read_json expects a path, not {type(path).__name__}")
    if os.path.exists(path) and not os.path.isdir(path) and not stat.S_ISREG(os.stat(path).st_mode):
        raise NIRFormatError(f"{path}: not a regular file")
    try:
        return Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise NIRFormatError(f"{path}: cannot read ({err})") from None
