"""Whole-graph shape inference: propagate shapes along edges until nothing changes.

Every leaf node's input and output shape goes from unknown to known at most once, and each
edge is examined when its source's output becomes known, so the propagation ends after
O(nodes + edges) steps on any graph, cycles included.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from nir.errors import ShapeError
from nir.findings import ERROR, Report
from nir.shapes.rules import ports, view
from nir.shapes.symbols import fmt
from nir.topology import Key, Network, pointer

Shape = tuple[int, ...]
BATCH_HINT = (
    "the shapes differ only by leading dimensions of size 1, which looks like a batch dimension; "
    "NIR shapes carry no batch dimension"
)


@dataclass
class Shapes:
    """Inferred input and output shape of every leaf node (None where unknown)."""

    inputs: dict[Key, Shape | None] = field(default_factory=dict)
    outputs: dict[Key, Shape | None] = field(default_factory=dict)
    broken: set[Key] = field(default_factory=set)
    faulty: set[Key] = field(default_factory=set)
    """Nodes with an error of their own (see `rules.view`): that finding explains what is not inferred."""
    network: Network | None = None
    open: set[Key] = field(default_factory=set)
    """Nodes whose own parameters leave a port shape undetermined."""
    bindings: dict[Key, dict] = field(default_factory=dict)


def infer(net: Network, report: Report) -> Shapes:
    """Infer the shapes of `net`, reporting every contradiction found on the way.

    Each node's own problems (see `rules.view`) are reported first; its shapes are what the
    rest of its fields fix (an Affine whose bias disagrees with its weight still has the
    weight's ports), so inference goes on past it.
    """
    result = Shapes(network=net)
    for key, node in net.nodes.items():
        found = view(node)
        for problem in found.problems:
            finding = report.add(
                problem.code, pointer(key, problem.field) if problem.field else pointer(key), problem.message
            )
            if finding.severity == ERROR:
                result.faulty.add(key)
        result.bindings[key] = found.env
        if any(p.field is None for p in found.problems):
            # its own parameters contradict each other (groups that do not divide the channels):
            # no output can be computed from any input, and that is reported once, here
            result.inputs[key] = result.outputs[key] = None
            result.broken.add(key)
            continue
        result.inputs[key], result.outputs[key] = found.input, found.output
        if found.input is None or found.output is None:
            result.open.add(key)
    outgoing: dict[Key, list[tuple[Key, str]]] = {k: [] for k in net.nodes}
    for src, dst, where in net.edges:
        outgoing[src].append((dst, where))
    queue = deque(k for k, v in result.outputs.items() if v is not None)
    while queue:
        src = queue.popleft()
        for dst, where in outgoing[src]:
            if _arrive(net, result, src, dst, where, report):
                queue.append(dst)
    return result


def _arrive(net: Network, result: Shapes, src: Key, dst: Key, where: str, report: Report) -> bool:
    """Bring src's output shape to dst; True when dst's output shape just became known."""
    if dst in result.broken:
        return False
    arriving = result.outputs[src]
    node = net.nodes[dst]
    expected = result.inputs[dst]
    if expected is not None:
        if expected != arriving:
            _mismatch(net, src, dst, arriving, expected, where, report)
        return False
    try:
        shape_in, shape_out = ports(node.unit_spec, view(node).values, result.bindings[dst], arriving)
    except ShapeError as err:
        label = _label(src, dst)
        if err.code != "shape-mismatch" or not _io(net, src, dst):
            report.add(err.code, where, f"{label}: {err}")
            result.broken.add(dst)
            return False
        # An Input or Output is involved: a leading batch dimension is a warning, and the
        # shape without it carries on; any other disagreement is the declaration's fault.
        try:
            shape_in, shape_out = ports(node.unit_spec, view(node).values, result.bindings[dst], _strip_ones(arriving))
        except ShapeError:
            report.add("io-shape-mismatch", where, f"{label}: {err}")
            result.broken.add(dst)
            return False
        report.add("batch-dimension", where, f"{label}: {err}", BATCH_HINT)
    result.inputs[dst] = shape_in
    if result.outputs[dst] is None and shape_out is not None:
        result.outputs[dst] = shape_out
        return True
    return False


def _label(src: Key, dst: Key) -> str:
    return f"edge {'.'.join(src)} -> {'.'.join(dst)}"


def _mismatch(net: Network, src: Key, dst: Key, arriving: Shape, expected: Shape, where: str, report: Report) -> None:
    produces = f"{'.'.join(src)} produces shape {fmt(arriving)}"
    message = f"{_label(src, dst)}: {produces} but {'.'.join(dst)} takes shape {fmt(expected)}"
    if not _io(net, src, dst):
        report.add("shape-mismatch", where, message)
    elif _strip_ones(arriving) == _strip_ones(expected):
        report.add(
            "batch-dimension",
            where,
            message,
            BATCH_HINT,
        )
    else:
        report.add("io-shape-mismatch", where, message)


def _io(net: Network, src: Key, dst: Key) -> bool:
    """Whether an Input or an Output is at either end of the edge."""
    return any(net.nodes[k].unit_spec.role is not None for k in (src, dst))


def _strip_ones(shape: Shape) -> Shape:
    i = 0
    while i < len(shape) - 1 and shape[i] == 1:
        i += 1
    return shape[i:]
