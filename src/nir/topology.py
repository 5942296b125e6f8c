"""Resolve a (possibly nested) graph into one flat network of leaf nodes and edges.

Edge endpoints are names in the graph that lists the edge. An exact name wins; otherwise
a dotted name `sub.node` reaches into the nested graph `sub`. An endpoint that is itself a
nested graph stands for its single Input (as destination) or single Output (as source).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from nir.node import NIRNode

if TYPE_CHECKING:
    from nir.graph import GraphBase
    from nir.validation.report import Report

Key = tuple[str, ...]
"""A leaf node's names from the root graph down, e.g. ("lif1", "lif")."""


def is_graph(node: object) -> bool:
    """Whether a node is a graph (its unit's kind says so: no class of a layer above is needed)."""
    return isinstance(node, NIRNode) and node._unit is not None and node._unit.kind == "graph"


def pointer(key: Key, *tail: str) -> str:
    """JSON-pointer-like path of a node (and optionally a field): `/nodes/sub/nodes/lif/tau`."""
    nodes = "/nodes/" + "/nodes/".join(key) if key else ""
    return nodes + "/" + "/".join(tail) if tail else nodes


@dataclass
class Network:
    """Leaf nodes by key, and edges between leaf keys with where each edge was listed."""

    nodes: dict[Key, NIRNode] = field(default_factory=dict)
    graphs: dict[Key, GraphBase] = field(default_factory=dict)
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


def flatten(graph: GraphBase, report: Report) -> Network:
    """Build the flat network of `graph`, reporting edges that cannot be resolved and names that break the schema."""
    from nir.graph import name_problem

    net = Network()

    def visit(g: GraphBase, prefix: Key) -> None:
        net.graphs[prefix] = g
        if not g.nodes:
            report.add("empty-graph", pointer(prefix), "graph has no nodes")
        for name, node in g.nodes.items():
            problem = name_problem(name)
            if problem:
                report.add("invalid-node", pointer(prefix, "nodes"), f"node name {name!r} {problem}")
            if is_graph(node):
                visit(node, (*prefix, name))
            elif isinstance(node, NIRNode):
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


def _endpoint(g: GraphBase, prefix: Key, name: str, role: str, where: str, report: Report) -> Key | None:
    found = _lookup(g, name)
    if found is None and (name in g.dropped or name.split(".")[0] in g.dropped):
        return None  # the node could not be built; that finding names the cause already
    if found is None:
        candidates = sorted(_names(g))
        close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.5)
        hint = f"did you mean {close[0]!r}?" if close else f"known nodes: {', '.join(candidates[:12])}"
        report.add("unknown-node", where, f"edge {role} {name!r} does not exist in this graph", hint)
        return None
    path, node = found
    if not isinstance(node, NIRNode):
        return None  # not a NIR node: reported where the node is listed
    key = (*prefix, *path)
    while is_graph(node):
        ports = node.outputs if role == "source" else node.inputs
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


def _lookup(g: GraphBase, name: str) -> tuple[Key, NIRNode] | None:
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


def _names(g: GraphBase, prefix: str = "") -> list[str]:
    out = []
    for name, node in g.nodes.items():
        out.append(prefix + name)
        if is_graph(node):
            out.extend(_names(node, f"{prefix}{name}."))
    return out
