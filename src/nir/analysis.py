"""Checking a graph in memory: every check in order, then what the graph is given (shapes, its report)."""

from __future__ import annotations

import os
import sys
import warnings
from typing import Any

import numpy as np

from nir import inference, topology
from nir.checks import check_connectivity, check_parameters
from nir.errors import NIRValidationError, NIRWarning
from nir.findings import Finding, Report
from nir.topology import Graph

__all__ = ["REFERENCE_RAISES", "analyse", "check_node", "raise_structure", "settle", "warn"]

REFERENCE_RAISES = ("unknown-node", "duplicate-edge", "shape-mismatch", "io-shape-mismatch")
"""Codes of the findings for which the reference package raises ValueError when it builds a graph."""
STRUCTURE = ("unknown-node", "duplicate-edge")


def analyse(graph: Graph, report: Report | None = None) -> tuple[Report, inference.Shapes]:
    """Check a graph in memory: edges, connectivity, parameters and inferred shapes.

    A new report starts from what the read that built the graph found (see Report.carried): a
    node left out, a migration, stays true of the graph, and its edges to left-out nodes are not
    reported a second time.
    """
    if report is None:
        report = graph.report.carried() if graph.report is not None else Report()
    net = topology.flatten(graph, report)
    reached = check_connectivity(net, report)
    check_parameters(net, report)
    found = inference.infer(net, report)
    explained = found.broken | found.faulty
    for key in net.nodes:  # in graph order
        if key in reached and key not in explained and (found.inputs[key] is None or found.outputs[key] is None):
            report.add("uninferred-shape", topology.pointer(key), f"the shapes of {'.'.join(key)} cannot be inferred")
    return report, found


def settle(
    graph: Graph,
    report: Report | None = None,
    *,
    reference: bool = False,
    add_io: bool = False,
    strict: bool = False,
    context: str = "graph",
    warn_findings: bool = True,
) -> Report:
    """Check a graph and give it what the check found: every path that checks a graph ends here.

    The nodes whose shapes the graph determines get them (`apply_inferred`), the graph gets
    the report. With `reference`, the findings the reference package raises for (see
    REFERENCE_RAISES) raise NIRValidationError; with `add_io`, Input and Output nodes are added
    as the reference adds them; with `strict`, any error raises. Otherwise the findings are
    shown once as a NIRWarning (unless `warn_findings` is off) and kept in `graph.report`.
    """
    report, found = analyse(graph, report)
    if reference:
        _raise_for(report, REFERENCE_RAISES, context, found)
    if add_io and graph.add_io_nodes(found):
        report, found = analyse(graph, report.carried())
    graph.apply_inferred(found)
    graph.report = report
    if strict and not report.ok:
        raise NIRValidationError(report, f"{context} is invalid")
    if warn_findings:
        warn(report, context)
    return report


def raise_structure(graph: Graph) -> None:
    """Raise NIRValidationError for edges naming nodes that do not exist and for duplicate edges."""
    report = Report()
    topology.flatten(graph, report)
    _raise_for(report, STRUCTURE, "graph")


def _raise_for(report: Report, codes: tuple[str, ...], context: str, found: Any = None) -> None:
    first = next((f for f in report.errors if f.code in codes), None)
    if first is not None:
        raise NIRValidationError(report, f"{context} is invalid", headline=_reference_words(first, found))


def _reference_words(finding: Finding, found: Any) -> str:
    """The problem as the reference package words it (converter code matches on it), then our finding.

    A type mismatch along an edge reads `type mismatch: c.output: [16] -> b.input: [1 5 5]`;
    the other codes' messages hold the reference's words already (`does not exist`, `Duplicate edge`).
    """
    if found is None or finding.code not in ("shape-mismatch", "io-shape-mismatch"):
        return finding.message
    edge = next(((s, d) for s, d, where in found.network.edges if where == finding.path), None)
    if edge is None:
        return finding.message
    src, dst = edge
    shapes = (found.outputs.get(src), found.inputs.get(dst))
    ports = [
        f"{'.'.join(key)}.{side}: {np.array(shape) if shape is not None else '?'}"
        for key, side, shape in ((src, "output", shapes[0]), (dst, "input", shapes[1]))
    ]
    return f"type mismatch: {ports[0]} -> {ports[1]}: {finding.message}"


def warn(report: Report, context: str) -> None:
    """Show the report's errors and warnings as one NIRWarning naming the first error (nothing if it has none)."""
    shown = report.errors or report.warnings
    if not shown:
        return
    errors, warnings_ = len(report.errors), len(report.warnings)
    counts = f"{errors} error{'s' * (errors != 1)} and {warnings_} warning{'s' * (warnings_ != 1)}"
    message = f"{context} has {counts} (see its .report, or nir.validate); the first: {shown[0]}"
    warnings.warn(NIRWarning(message, report), stacklevel=_caller_level())


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _caller_level() -> int:
    """The stack level of the first frame outside this package, so that a warning names the user's line."""
    frame = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back
        level += 1
    return level


def check_node(node: Any) -> Report:
    """The findings of one node on its own: the rules its fields break and their values' ranges (paths like `/tau`)."""
    report = Report()
    net = topology.Network(nodes={(): node})
    inference.infer(net, report)
    check_parameters(net, report)
    return report
