"""Resolve a (possibly nested) graph into one flat network of leaf nodes and edges.

Edge endpoints are names in the graph that lists the edge. An exact name wins; otherwise
a dotted name `sub.node` reaches into the nested graph `sub`. An endpoint that is itself a
nested graph stands for its single Input (as destination) or single Output (as source).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any, Protocol

from nir.findings import Report
from nir.names import name_problem
from nir.spec import UnitSpec


class Graph(Protocol):
    """What this layer needs of a graph (the class is defined a layer above): its nodes and edges, and its report."""

    nodes: dict[str, Any]
    edges: list[tuple[str, str]]
    report: Report | None

    def add_io_nodes(self, found: Any) -> bool:
        """Add the Input and Output nodes a type check adds (see `analysis.settle`)."""

    def apply_inferred(self, found: Any) -> None:
        """Give the nodes the shapes their graph determines."""


Key = tuple[str, ...]
"""A leaf node's names from the root graph down, e.g. ("lif1", "lif")."""


def unit_of(node: object) -> UnitSpec | None:
    """A node's unit (its class holds it); None for an object that is no NIR node."""
    return getattr(type(node), "_unit", None)


def is_graph(node: object) -> bool:
    """Whether a node is a graph: its unit's kind says so (this layer knows no node class)."""
    unit = unit_of(node)
    return unit is not None and unit.kind == "graph"


def role_of(node: object) -> str | None:
    """A node's role in its graph (`graph-input`, `graph-output`), as its unit declares it."""
    unit = unit_of(node)
    return None if unit is None else unit.role


def ports_of(graph: Graph, role: str) -> dict[str, Any]:
    """A graph's nodes of one role by name: its Input nodes (`graph-input`) or its Output nodes (`graph-output`)."""
    return {name: node for name, node in graph.nodes.items() if role_of(node) == role}


def pointer(key: Key, *tail: str) -> str:
    """JSON-pointer-like path of a node (and optionally a field): `/nodes/sub/nodes/lif/tau`."""
    nodes = "/nodes/" + "/nodes/".join(key) if key else ""
    return nodes + "/" + "/".join(tail) if tail else nodes


@dataclass
class Network:
    """Leaf nodes by key, and edges between leaf keys with where each edge was listed."""

    nodes: dict[Key, Any] = field(default_factory=dict)
    graphs: dict[Key, Graph] = field(default_factory=dict)
    edges: list[tuple[Key, Key, str]] = field(default_factory=list)
    dangling: set[Key] = field(default_factory=set)
    """Destinations of edges whose source could not be resolved (already reported)."""

    def incoming(self) -> dict[Key, list[Key]]:
        """Sources feeding each leaf."""
        out: dict[Key, list[Key]] = {k: [] for k in self.nodes}
        for src, dst, _ in self.edges:
            out[dst].append(src)
        return out

    def outgoing(self) -> dict[Key, list[Key]]:
        """Destinations fed by each leaf."""
        out: dict[Key, list[Key]] = {k: [] for k in self.nodes}
        for src, dst, _ in self.edges:
            out[src].append(dst)
        return out


def flatten(graph: Graph, report: Report) -> Network:
    """Build the flat network of `graph`, reporting edges that cannot be resolved and names that break the schema."""
    net = Network()

    def visit(g: Graph, prefix: Key) -> None:
        net.graphs[prefix] = g
        if not g.nodes:
            report.add("empty-graph", pointer(prefix), "graph has no nodes")
        for name, node in g.nodes.items():
            problem = name_problem(name)
            if problem:
                report.add("invalid-node", pointer(prefix, "nodes"), f"node name {name!r} {problem}")
            if is_graph(node):
                visit(node, (*prefix, name))
            elif unit_of(node) is not None:
                net.nodes[(*prefix, name)] = node
            else:
                report.add("invalid-node", pointer((*prefix, name)), f"{type(node).__name__} is not a NIR node")
        seen: set[tuple[str, str]] = set()
        for index, (src, dst) in enumerate(g.edges):
            where = pointer(prefix, "edges", str(index))
            if (src, dst) in seen:
                report.add("duplicate-edge", where, f"Duplicate edge: ({src!r}, {dst!r}) is listed more than once")
                continue
            seen.add((src, dst))
            a = _endpoint(g, prefix, src, "source", where, report)
            b = _endpoint(g, prefix, dst, "destination", where, report)
            if a is not None and b is not None:
                net.edges.append((a, b, where))
            elif b is not None:
                net.dangling.add(b)

    visit(graph, ())
    return net


def _endpoint(g: Graph, prefix: Key, name: str, role: str, where: str, report: Report) -> Key | None:
    found = _lookup(g, name)
    dropped = report.dropped.get(prefix, {})
    if found is None and (name in dropped or name.split(".")[0] in dropped):
        return None  # the node could not be built; that finding names the cause already
    if found is None:
        candidates = sorted(_names(g))
        close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.5)
        hint = f"did you mean {close[0]!r}?" if close else f"known nodes: {', '.join(candidates[:12])}"
        report.add("unknown-node", where, f"edge {role} {name!r} does not exist in this graph", hint)
        return None
    path, node = found
    if unit_of(node) is None:
        return None  # not a NIR node: reported where the node is listed
    key = (*prefix, *path)
    while is_graph(node):
        ports = ports_of(node, "graph-output" if role == "source" else "graph-input")
        if len(ports) != 1:
            kind = "Output" if role == "source" else "Input"
            report.add(
                "ambiguous-port",
                where,
                f"edge {role} {name!r} is a nested graph with {len(ports)} {kind} nodes",
                f"name the port explicitly, e.g. {name}.{next(iter(ports), kind.lower())}",
            )
            return None
        (port_name,) = ports
        key, node = (*key, port_name), ports[port_name]
    return key


def _lookup(g: Graph, name: str) -> tuple[Key, Any] | None:
    """Find `name` in `g`: exact match first, then a dotted path into nested graphs."""
    if name in g.nodes:
        return (name,), g.nodes[name]
    parts = name.split(".")
    for i in range(len(parts) - 1, 0, -1):
        head = ".".join(parts[:i])
        sub = g.nodes.get(head)
        if is_graph(sub):
            found = _lookup(sub, ".".join(parts[i:]))
            if found is not None:
                return (head, *found[0]), found[1]
    return None


def _names(g: Graph, prefix: str = "") -> list[str]:
    out = []
    for name, node in g.nodes.items():
        out.append(prefix + name)
        if is_graph(node):
            out.extend(_names(node, f"{prefix}{name}."))
    return out
