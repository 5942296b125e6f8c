"""Graph checks beyond shapes: connectivity, cycles without entry, parameter values."""

from __future__ import annotations

import math
from collections import deque
from typing import Any

import numpy as np

from nir import limits
from nir.errors import NIRFormatError
from nir.findings import Report
from nir.lazy import LazyTensor, is_lazy
from nir.shapes.rules import view
from nir.spec import FieldSpec, units
from nir.topology import Key, Network, pointer

ENTRY, EXIT = "graph-input", "graph-output"


def check_connectivity(net: Network, report: Report) -> set[Key]:
    """Report dangling, unreachable and unentered nodes; return the keys reachable from an Input."""
    incoming, outgoing = net.incoming(), net.outgoing()
    for prefix, graph in net.graphs.items():
        roles = [n.unit_spec.role for n in graph.nodes.values() if hasattr(n, "unit_spec")]
        dropped = report.dropped.get(prefix, {})
        roles += [units()[t].role for t in dropped.values() if t in units()]
        if (graph.nodes or dropped) and ENTRY not in roles:
            report.add("no-input-node", pointer(prefix), "graph has no Input node")
        if (graph.nodes or dropped) and EXIT not in roles:
            report.add("no-output-node", pointer(prefix), "graph has no Output node")
    # Destinations of unresolved edges count as entered: the unknown-node finding already
    # names the cause, and everything downstream would otherwise be reported again.
    entries = [k for k, n in net.nodes.items() if (n.unit_spec.role == ENTRY and not incoming[k]) or k in net.dangling]
    reached = _reach(entries, outgoing)
    dangling = set()
    for key, node in net.nodes.items():
        if incoming[key] or key in net.dangling or (node.unit_spec.role == ENTRY and len(key) == 1):
            continue
        dangling.add(key)
        if node.unit_spec.role == EXIT:
            report.add("output-unconnected", pointer(key), f"Output {'.'.join(key)} receives no edge")
        else:
            what = "nested Input" if node.unit_spec.role == ENTRY else type(node).__name__
            report.add(
                "no-incoming-edge", pointer(key), f"{what} {'.'.join(key)} receives no edge, so its input is undefined"
            )
    unreached = [k for k in net.nodes if k not in reached and k not in dangling]
    cyclic = _cycles(unreached, outgoing)
    for component in cyclic:
        names = ", ".join(".".join(k) for k in component)
        report.add(
            "cycle-without-entry",
            pointer(component[0]),
            f"nodes {names} form a cycle that no path from an Input enters",
        )
    in_cycles = {k for c in cyclic for k in c}
    for key in unreached:
        if key not in in_cycles:
            report.add("unreachable-node", pointer(key), f"no path leads from an Input to {'.'.join(key)}")
    return reached


def check_parameters(net: Network, report: Report) -> None:
    """Check every tensor field against its element constraints from the schema.

    The tensors of one field of one unit (and one dtype) are decided together, from the
    extremes of all of them at once: a chain of thousands of small tensors costs a few
    reductions instead of thousands. Only a batch that fails is looked at tensor by tensor,
    in graph order, for the messages.
    """
    tensors: list[tuple[Key, FieldSpec, np.ndarray]] = []
    batches: dict[tuple[str, str, np.dtype], list[int]] = {}
    with np.errstate(invalid="ignore"):
        for key, node in net.nodes.items():
            spec = node.unit_spec
            values = view(node).values
            for field in spec.tensor_fields:
                value = values.get(field.name)
                if value is not None and value.dtype.kind in "biuf":
                    if type(value) is not LazyTensor:
                        batches.setdefault((spec.name, field.name, value.dtype), []).append(len(tensors))
                    tensors.append((key, field, value))
        suspects = set()
        for indices in batches.values():
            whole = np.concatenate([_distinct(tensors[i][2]) for i in indices], axis=None)
            if whole.size and not _within(tensors[indices[0]][1], *_extremes(whole)):
                suspects.update(indices)
        for index, (key, field, value) in enumerate(tensors):
            if index in suspects or is_lazy(value):
                _check_values(key, field, value, report)


def _distinct(value: np.ndarray) -> np.ndarray:
    """The values that stand for a tensor: one of a broadcast scalar's, all of any other's."""
    return value.reshape(-1)[:1] if value.size > 1 and not any(value.strides) else value


def _check_values(key: Key, field: FieldSpec, value: np.ndarray, report: Report) -> None:
    if is_lazy(value):
        if value.nbytes_on_disk > limits.CHECK_VALUES_MAX_BYTES:
            message = f"{field.name} ({value.nbytes_on_disk} bytes) was not read"
            report.add("values-unchecked", pointer(key, field.name), message)
            return
        try:
            value = value.load()
        except NIRFormatError as err:
            report.add("unreadable", pointer(key, field.name), str(err))
            return
    value = _distinct(value)
    if value.size == 0 or _within(field, *_extremes(value)):
        return
    finite = np.isfinite(value) if value.dtype.kind == "f" else np.ones(value.shape, bool)
    if field.finite and not finite.all():
        bad = ~finite
        message = f"{field.name} has {int(bad.sum())} non-finite value(s){_first(bad)}"
        report.add("non-finite", pointer(key, field.name), message)
    for keyword, test, words in _RANGE:
        if keyword in field.elements:
            limit = field.elements[keyword]
            bad = ~test(value, limit) & finite
            if bad.any():
                message = f"{field.name} must be {words} {limit}, but {int(bad.sum())} value(s) are not{_first(bad)}"
                report.add("out-of-range", pointer(key, field.name), message)


SMALL_TENSOR = 64
"""Up to this many elements, Python finds the extremes faster than two numpy reductions."""


def _extremes(value: np.ndarray) -> tuple[Any, Any]:
    """(min, max) of a tensor; NaN (or an infinity) in either when the tensor has one."""
    if value.size > SMALL_TENSOR:
        return value.min(), value.max()
    items = value.ravel().tolist()
    total = sum(items)  # NaN and infinities survive a sum; Python's min and max would skip NaN
    if not math.isfinite(total):
        return total, total
    return min(items), max(items)


def _within(field: FieldSpec, low: Any, high: Any) -> bool:
    """Whether the extremes show every value finite and in range: two reductions decide the common case.

    NaN propagates into both extremes and an infinity is one of them, so finite extremes mean
    finite values; only a failing tensor is looked at element by element for the message.
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        return False
    return all(
        test(low if keyword.endswith("inimum") else high, field.elements[keyword])
        for keyword, test, _ in _RANGE
        if keyword in field.elements
    )


_RANGE = (
    ("exclusiveMinimum", lambda v, x: v > x, "greater than"),
    ("minimum", lambda v, x: v >= x, "at least"),
    ("exclusiveMaximum", lambda v, x: v < x, "less than"),
    ("maximum", lambda v, x: v <= x, "at most"),
)


def _first(mask: np.ndarray) -> str:
    if mask.ndim == 0:
        return ""
    index = tuple(int(i) for i in np.argwhere(mask)[0])
    return f" (first at index {index})"


def _reach(starts: list[Key], outgoing: dict[Key, list[Key]]) -> set[Key]:
    seen = set(starts)
    queue = deque(starts)
    while queue:
        for nxt in outgoing[queue.popleft()]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _cycles(keys: list[Key], outgoing: dict[Key, list[Key]]) -> list[list[Key]]:
    """Strongly connected components among `keys` that contain a cycle (iterative Tarjan)."""
    allowed = set(keys)
    index: dict[Key, int] = {}
    low: dict[Key, int] = {}
    stack: list[Key] = []
    on_stack: set[Key] = set()
    found = []
    counter = 0
    for root in keys:
        if root in index:
            continue
        work = [(root, iter(outgoing[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in allowed:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(outgoing[child])))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in outgoing[node]:
                    found.append(sorted(component))
    return found
