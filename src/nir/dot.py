"""Graphviz DOT text of a graph: nodes labelled with name, type and shape, nested graphs as clusters."""

from __future__ import annotations

from nir.findings import Report
from nir.graph import GraphBase
from nir.topology import Key, flatten

RECURRENT = 'color="#c0392b", fontcolor="#c0392b", style=dashed, constraint=false, label="recurrent"'


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _shape(port: dict) -> str:
    values = list(port.values())
    if len(values) != 1 or values[0] is None:
        return "?"
    return "[" + ", ".join(str(int(x)) for x in values[0]) + "]"


def to_dot(graph: GraphBase, title: str = "nir") -> str:
    """DOT source for `graph`; edges that close a cycle are drawn dashed red and labelled."""
    net = flatten(graph, Report())
    ids = {key: f"n{i}" for i, key in enumerate(net.nodes)}
    lines = [
        f"digraph {_quote(title)} {{",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled", fillcolor="#f4f6f7", fontname="Helvetica"];',
    ]

    def emit(g: GraphBase, prefix: Key, indent: str) -> None:
        for name, node in g.nodes.items():
            key = (*prefix, name)
            if isinstance(node, GraphBase):
                lines.append(f"{indent}subgraph {_quote('cluster_' + '.'.join(key))} {{")
                lines.append(f'{indent}  label={_quote(name + " (NIRGraph)")}; style=rounded; color="#7f8c8d";')
                emit(node, key, indent + "  ")
                lines.append(f"{indent}}}")
                continue
            kind = type(node).__name__
            shape = _shape(node.output_type)
            label = _quote(f"{name}\n{kind} {shape}")
            fill = "#d6eaf8" if node.unit_spec.role else "#f4f6f7"
            lines.append(f'{indent}{ids[key]} [label={label}, fillcolor="{fill}"];')

    emit(graph, (), "  ")
    back = _back_edges(net, ids)
    for src, dst, _ in net.edges:
        attrs = f" [{RECURRENT}]" if (src, dst) in back else ""
        lines.append(f"  {ids[src]} -> {ids[dst]}{attrs};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _back_edges(net, ids) -> set[tuple[Key, Key]]:
    """Edges that point back to a node on the current depth-first path (from the Inputs first)."""
    outgoing = net.outgoing()
    starts = [k for k, n in net.nodes.items() if n.unit_spec.role == "graph-input"] + list(net.nodes)
    state: dict[Key, int] = {}
    back = set()
    for start in starts:
        if start in state:
            continue
        stack = [(start, iter(outgoing[start]))]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            for child in children:
                if state.get(child) == 1:
                    back.add((node, child))
                elif child not in state:
                    state[child] = 1
                    stack.append((child, iter(outgoing[child])))
                    break
            else:
                state[node] = 2
                stack.pop()
    return back
