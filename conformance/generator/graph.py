"""graph.json: edges, connectivity, cycles, ports of nested graphs, and names."""

from __future__ import annotations

from .builders import case, chain, doc, graph, group, inp, neuron, out, seq
from .spec import Json


def _scale() -> Json:
    """The plain node of most graph cases: a Scale of 3."""
    return neuron("Scale", 3)


def _sub_two_outputs() -> Json:
    return graph(
        {"input": inp(3), "lif": neuron("LIF", 3), "o1": out(3), "o2": out(3)},
        [("input", "lif"), ("lif", "o1"), ("lif", "o2")],
    )


def _sub_two_inputs() -> Json:
    return graph(
        {"a": inp(3), "b": inp(3), "lif": neuron("LIF", 3), "output": out(3)},
        [("a", "lif"), ("b", "lif"), ("lif", "output")],
    )


def graph_checks() -> list[Json]:
    """Every graph check: edges, connectivity, cycles, ports, nesting."""
    return [
        _unknown_node(),
        _ambiguous_port(),
        _duplicate_edge(),
        _dangling_and_unreachable(),
        _cycles(),
        _uninferred_shape(),
        _missing_io_or_nodes(),
        _names(),
    ]


def _unknown_node() -> Json:
    return group(
        "unknown-node",
        case(
            "an edge to a node that does not exist",
            doc(
                graph(
                    {"input": inp(3), "x": _scale(), "output": out(3)},
                    [("input", "x"), ("x", "output"), ("x", "ghost")],
                )
            ),
            schema_valid=True,
            findings=["unknown-node"],
        ),
        case(
            "a misspelled Output name leaves the Output unconnected too",
            doc(graph({"input": inp(3), "x": _scale(), "output": out(3)}, [("input", "x"), ("x", "outptu")])),
            schema_valid=True,
            findings=["unknown-node", "output-unconnected"],
        ),
        case(
            "an edge from a node that does not exist still counts as an edge into its destination",
            doc(
                graph(
                    {"input": inp(3), "x": _scale(), "y": _scale(), "output": out(3)},
                    [("input", "x"), ("x", "output"), ("ghost", "y"), ("y", "output")],
                )
            ),
            schema_valid=True,
            findings=["unknown-node"],
        ),
        case(
            "edges of a nested graph name nodes of that graph only",
            doc(
                chain(
                    {
                        "input": inp(3),
                        "sub": graph(
                            {"input": inp(3), "lif": neuron("LIF", 3), "output": out(3)},
                            [("input", "lif"), ("lif", "output"), ("lif", "x")],
                        ),
                        "x": _scale(),
                        "output": out(3),
                    }
                )
            ),
            schema_valid=True,
            findings=["unknown-node"],
        ),
        case(
            "a dotted name through a node that is not a graph",
            doc(graph({"input": inp(3), "x": _scale(), "output": out(3)}, [("input", "x"), ("x.y", "output")])),
            schema_valid=True,
            findings=["unknown-node"],
        ),
    )


def _ambiguous_port() -> Json:
    return group(
        "ambiguous-port",
        case(
            "edge from a nested graph with two Outputs",
            doc(chain({"input": inp(3), "sub": _sub_two_outputs(), "output": out(3)})),
            schema_valid=True,
            findings=["ambiguous-port"],
        ),
        case(
            "naming the Output resolves it",
            doc(
                graph(
                    {"input": inp(3), "sub": _sub_two_outputs(), "output": out(3)},
                    [("input", "sub"), ("sub.o1", "output")],
                )
            ),
            schema_valid=True,
        ),
        case(
            "edge into a nested graph with two Inputs: the nested Inputs then receive no edge",
            doc(chain({"input": inp(3), "sub": _sub_two_inputs(), "output": out(3)})),
            schema_valid=True,
            findings=["ambiguous-port", "no-incoming-edge"],
        ),
        case(
            "naming both Inputs resolves it",
            doc(
                graph(
                    {"input": inp(3), "sub": _sub_two_inputs(), "output": out(3)},
                    [("input", "sub.a"), ("input", "sub.b"), ("sub", "output")],
                )
            ),
            schema_valid=True,
        ),
    )


def _duplicate_edge() -> Json:
    return group(
        "duplicate-edge",
        case(
            "the same edge twice",
            doc(
                graph(
                    {"input": inp(3), "x": _scale(), "output": out(3)},
                    [("input", "x"), ("x", "output"), ("input", "x")],
                )
            ),
            schema_valid=True,
            findings=["duplicate-edge"],
        ),
        case(
            "opposite directions are two different edges",
            doc(
                graph(
                    {"input": inp(3), "x": _scale(), "y": _scale(), "output": out(3)},
                    [("input", "x"), ("x", "y"), ("y", "x"), ("y", "output")],
                )
            ),
            schema_valid=True,
        ),
    )


def _dangling_and_unreachable() -> Json:
    return group(
        "dangling and unreachable nodes",
        case(
            "a node without incoming edge",
            doc(
                graph(
                    {"input": inp(3), "x": _scale(), "y": _scale(), "output": out(3)},
                    [("input", "x"), ("x", "output"), ("y", "output")],
                )
            ),
            schema_valid=True,
            findings=["no-incoming-edge"],
        ),
        case(
            "a node fed only by a dangling node is unreachable",
            doc(
                graph(
                    {"input": inp(3), "x": _scale(), "y": _scale(), "z": _scale(), "output": out(3)},
                    [("input", "x"), ("x", "output"), ("y", "z"), ("z", "output")],
                )
            ),
            schema_valid=True,
            findings=["no-incoming-edge", "unreachable-node"],
        ),
        case(
            "an Output without edge",
            doc(
                graph(
                    {"input": inp(3), "x": _scale(), "output": out(3), "extra": out(3)},
                    [("input", "x"), ("x", "output")],
                )
            ),
            schema_valid=True,
            findings=["output-unconnected"],
        ),
        case(
            "an Input with no outgoing edge is fine",
            doc(
                graph(
                    {"input": inp(3), "spare": inp(2), "x": _scale(), "output": out(3)},
                    [("input", "x"), ("x", "output")],
                )
            ),
            schema_valid=True,
        ),
        case(
            "a nested Input that no edge of the enclosing graph feeds",
            doc(
                graph(
                    {
                        "input": inp(3),
                        "sub": chain({"input": inp(3), "lif": neuron("LIF", 3), "output": out(3)}),
                        "output": out(3),
                    },
                    [("input", "sub.lif"), ("sub", "output")],
                )
            ),
            schema_valid=True,
            findings=["no-incoming-edge"],
        ),
    )


def _cycles() -> Json:
    return group(
        "cycles",
        case(
            "a recurrent loop entered from the Input",
            doc(
                graph(
                    {
                        "input": inp(3),
                        "fc": {"type": "Linear", "weight": seq([3, 3])},
                        "lif": neuron("LIF", 3),
                        "rec": {"type": "Linear", "weight": seq([3, 3])},
                        "output": out(3),
                    },
                    [("input", "fc"), ("fc", "lif"), ("lif", "rec"), ("rec", "lif"), ("lif", "output")],
                )
            ),
            schema_valid=True,
        ),
        case(
            "a self-loop entered from the Input",
            doc(
                graph(
                    {"input": inp(3), "lif": neuron("LIF", 3), "output": out(3)},
                    [("input", "lif"), ("lif", "lif"), ("lif", "output")],
                )
            ),
            schema_valid=True,
        ),
        case(
            "a cycle no Input enters",
            doc(
                graph(
                    {"input": inp(3), "x": _scale(), "a": _scale(), "b": _scale(), "output": out(3)},
                    [("input", "x"), ("x", "output"), ("a", "b"), ("b", "a"), ("b", "output")],
                )
            ),
            schema_valid=True,
            findings=["cycle-without-entry"],
        ),
        case(
            "a self-loop no Input enters",
            doc(
                graph(
                    {"input": inp(3), "x": _scale(), "a": _scale(), "output": out(3)},
                    [("input", "x"), ("x", "output"), ("a", "a")],
                )
            ),
            schema_valid=True,
            findings=["cycle-without-entry"],
        ),
        case(
            "a recurrent nested graph",
            doc(
                chain(
                    {
                        "input": inp(3),
                        "rnn": graph(
                            {
                                "input": inp(3),
                                "lif": neuron("CubaLIF", 3),
                                "rec": {"type": "Linear", "weight": seq([3, 3])},
                                "output": out(3),
                            },
                            [("input", "lif"), ("lif", "rec"), ("rec", "lif"), ("lif", "output")],
                        ),
                        "output": out(3),
                    }
                )
            ),
            schema_valid=True,
        ),
    )


def _uninferred_shape() -> Json:
    return group(
        "uninferred-shape",
        case(
            "a pooling node fed only by an edge from a node that does not exist",
            doc(
                graph(
                    {
                        "input": inp(2, 4, 4),
                        "pool": {"type": "SumPool2d", "kernel_size": 2, "stride": 2, "padding": 0},
                        "lost": {"type": "SumPool2d", "kernel_size": 2, "stride": 2, "padding": 0},
                        "output": out(2, 2, 2),
                    },
                    [("input", "pool"), ("pool", "output"), ("ghost", "lost")],
                )
            ),
            schema_valid=True,
            findings=["unknown-node", "uninferred-shape"],
        ),
    )


def _missing_io_or_nodes() -> Json:
    return group(
        "graph without Input, Output or nodes",
        case(
            "no Input node",
            doc(chain({"x": _scale(), "output": out(3)})),
            schema_valid=True,
            findings=["no-input-node", "no-incoming-edge", "unreachable-node"],
        ),
        case(
            "no Output node",
            doc(chain({"input": inp(3), "x": _scale()})),
            schema_valid=True,
            findings=["no-output-node"],
        ),
        case(
            "an empty graph",
            doc(graph({}, [])),
            schema_valid=True,
            findings=["empty-graph"],
        ),
        case(
            "an empty nested graph",
            doc(graph({"input": inp(3), "empty": graph({}, []), "output": out(3)}, [("input", "output")])),
            schema_valid=True,
            findings=["empty-graph"],
        ),
        case(
            "a nested graph without Input, entered by a dotted name",
            doc(
                graph(
                    {
                        "input": inp(3),
                        "sub": chain({"lif": neuron("LIF", 3), "output": out(3)}),
                        "output": out(3),
                    },
                    [("input", "sub.lif"), ("sub", "output")],
                )
            ),
            schema_valid=True,
            findings=["no-input-node"],
        ),
        case(
            "a nested graph without Output, left by a dotted name",
            doc(
                graph(
                    {
                        "input": inp(3),
                        "sub": chain({"input": inp(3), "lif": neuron("LIF", 3)}),
                        "output": out(3),
                    },
                    [("input", "sub"), ("sub.lif", "output")],
                )
            ),
            schema_valid=True,
            findings=["no-output-node"],
        ),
    )


def _names() -> Json:
    return group(
        "names",
        case(
            "dotted names reach into a nested graph",
            doc(
                graph(
                    {
                        "input": inp(3),
                        "sub": chain({"input": inp(3), "lif": neuron("LIF", 3), "output": out(3)}),
                        "output": out(3),
                    },
                    [("input", "sub.input"), ("sub.output", "output")],
                )
            ),
            schema_valid=True,
        ),
        case(
            "a node named 'a.b' is matched before node 'b' of the nested graph 'a'",
            doc(
                graph(
                    {
                        "input": inp(3),
                        "a.b": neuron("Scale", 3),
                        "a": chain({"input": inp(4), "b": neuron("Scale", 4), "output": out(4)}),
                        "in4": inp(4),
                        "output": out(3),
                    },
                    [("input", "a.b"), ("a.b", "output"), ("in4", "a")],
                )
            ),
            schema_valid=True,
        ),
        case(
            "names are case-sensitive",
            doc(graph({"input": inp(3), "x": _scale(), "output": out(3)}, [("input", "X"), ("x", "output")])),
            schema_valid=True,
            findings=["unknown-node", "no-incoming-edge", "unreachable-node"],
        ),
        case(
            "non-ASCII names",
            doc(chain({"entrée": inp(3), "λ": _scale(), "sortie": out(3)})),
            schema_valid=True,
        ),
    )
