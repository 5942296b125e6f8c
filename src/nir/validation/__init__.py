"""Validation: findings with severity, code, path, message and hint."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nir import inference, topology
from nir.validation.checks import check_connectivity, check_parameters
from nir.validation.report import CODES, ERROR, INFO, WARNING, Finding, Report

if TYPE_CHECKING:
    from nir.graph import GraphBase

__all__ = ["CODES", "ERROR", "INFO", "WARNING", "Finding", "Report", "analyse", "validate"]


def analyse(graph: GraphBase, report: Report | None = None, fresh: bool = False) -> tuple[Report, inference.Shapes]:
    """Check a graph in memory: edges, connectivity, parameters and inferred shapes.

    A new report starts with the graph's `read_findings`: what reading its file found (a node
    left out, a migration) stays true of the graph, and its edges to left-out nodes are not
    reported a second time. `fresh` marks a graph a reader has just built (see inference.infer).
    """
    report = report if report is not None else Report(findings=list(graph.read_findings))
    net = topology.flatten(graph, report)
    reached = check_connectivity(net, report)
    check_parameters(net, report)
    found = inference.infer(net, report, fresh)
    for key in reached:
        if key not in found.broken and (found.inputs[key] is None or found.outputs[key] is None):
            report.add("uninferred-shape", topology.pointer(key), f"the shapes of {'.'.join(key)} cannot be inferred")
    return report, found


def validate(target: Any) -> Report:
    """Check a graph, or a `.nir`/`.json` file, and return its Report; never raises on bad input.

    A graph in memory also gets the shapes inference found (as `read` gives them).

    Files are opened lazily: large tensors are checked from their headers (shape, dtype).
    """
    from nir.graph import GraphBase

    if isinstance(target, GraphBase):
        report, found = analyse(target)
        target.apply_inferred(found)
        target.report = report
        return report
    from nir.errors import NIRFormatError, UnsupportedVersionError
    from nir.store import load, read_json

    name = str(target)
    try:
        if name.lower().endswith(".json"):
            return read_json(target, strict=False).report
        return load(target, lazy=True)[1]
    except UnsupportedVersionError as err:
        report = Report(source=name)
        report.add("unsupported-version", "", str(err))
        return report
    except NIRFormatError as err:
        report = Report(source=name)
        report.add("unreadable", "", str(err))
        return report
