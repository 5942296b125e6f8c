"""document.json: the document object, nodes and edges that break their schema, unknown entries, metadata."""

from __future__ import annotations

from .builders import case, chain, doc, full, graph, group, inp, neuron, out, through, vec
from .spec import Json, document_schema, examples


def _ok() -> Json:
    """A valid root graph: Input(3) -> Output(3)."""
    return chain({"input": inp(3), "output": out(3)})


def document() -> list[Json]:
    """The document object, node objects, unknown entries, and nodes that cannot be built."""
    return [
        _examples(),
        _not_a_graph(),
        _nodes_breaking_their_schema(),
        _invalid_nodes_still_count(),
        _edges_breaking_their_schema(),
        _unknown_entries(),
        _metadata(),
    ]


def _examples() -> Json:
    return group(
        "valid documents (the document schema's examples)",
        *(case(note["description"], example, schema_valid=True) for example, note in examples(document_schema())),
    )


def _not_a_graph() -> Json:
    # JSON only where the HDF5 layout has no such file: its root is always a group, and a file
    # without a version is one of the oldest layout, not an unreadable one.
    return group(
        "documents that cannot be read as a graph",
        case("a JSON array", [_ok()], schema_valid=False, error="unreadable", json_only=True),
        case("a JSON string", "NIRGraph", schema_valid=False, error="unreadable", json_only=True),
        case("no graph", {"version": "1.0"}, schema_valid=False, error="unreadable"),
        case(
            "graph is not an object",
            {"version": "1.0", "graph": [_ok()]},
            schema_valid=False,
            error="unreadable",
            json_only=True,
        ),
        case("no version", {"graph": _ok()}, schema_valid=False, error="unreadable", json_only=True),
        case("version is a number", {"version": 1.0, "graph": _ok()}, schema_valid=False, error="unreadable"),
        case("a future major version", doc(_ok(), version="2.0"), schema_valid=False, error="unsupported-version"),
    )


def _nodes_breaking_their_schema() -> Json:
    # A node name is an HDF5 link name: it can be neither empty nor hold '/' (JSON only).
    return group(
        "nodes that break their schema",
        case(
            "unknown node type",
            doc(
                graph(
                    {"input": inp(3), "x": {"type": "LIFF", "tau": full(3, 0.5)}, "output": out(3)},
                    [("input", "output")],
                )
            ),
            schema_valid=False,
            findings=["invalid-node"],
        ),
        case(
            "a node without type",
            doc(graph({"input": inp(3), "x": {"tau": full(3, 0.5)}, "output": out(3)}, [("input", "output")])),
            schema_valid=False,
            findings=["invalid-node"],
        ),
        case(
            "a node that is not an object",
            doc(graph({"input": inp(3), "x": 5, "output": out(3)}, [("input", "output")])),
            schema_valid=False,
            findings=["invalid-node"],
        ),
        case(
            "a missing required field",
            doc(graph({"input": inp(3), "x": {"type": "Scale"}, "output": out(3)}, [("input", "output")])),
            schema_valid=False,
            findings=["invalid-node"],
        ),
        case(
            "type names are case-sensitive",
            doc(graph({"input": inp(3), "x": {"type": "lif"}, "output": out(3)}, [("input", "output")])),
            schema_valid=False,
            findings=["invalid-node"],
        ),
        case(
            "an empty node name",
            doc(graph({"input": inp(3), "": neuron("Scale", 3), "output": out(3)}, [("input", "output")])),
            schema_valid=False,
            findings=["invalid-node"],
            json_only=True,
        ),
        case(
            "a node name with '/' (HDF5 reads it as a path)",
            doc(graph({"input": inp(3), "a/b": neuron("Scale", 3), "output": out(3)}, [("input", "output")])),
            schema_valid=False,
            findings=["invalid-node"],
            json_only=True,
        ),
        case(
            "Input with the Python-API name input_type instead of shape",
            doc(chain({"input": {"type": "Input", "input_type": [3]}, "output": out(3)})),
            schema_valid=False,
            findings=["invalid-node", "unknown-field"],
        ),
    )


def _invalid_nodes_still_count() -> Json:
    return group(
        "an invalid node is still a node of its graph",
        case(
            "edges to and from an invalid LIF do not name unknown nodes",
            through(neuron("LIF", 3, r=full(4, 2.0)), [3], [3]),
            schema_valid=True,
            findings=["invalid-node"],
        ),
        case(
            "an invalid Input is still the graph's Input",
            doc(chain({"input": {"type": "Input"}, "output": out(3)})),
            schema_valid=False,
            findings=["invalid-node"],
        ),
        case(
            "a node after an invalid node is not dangling",
            doc(
                chain(
                    {
                        "input": inp(3),
                        "bad": {"type": "Scale"},
                        "lif": neuron("LIF", 3),
                        "output": out(3),
                    }
                )
            ),
            schema_valid=False,
            findings=["invalid-node"],
        ),
    )


def _edges_breaking_their_schema() -> Json:
    # The edges dataset is an (E, 2) array of strings: a number or a third name has no place in it (JSON only).
    return group(
        "edges that break their schema",
        case(
            "edges missing",
            doc({"type": "NIRGraph", "nodes": {"input": inp(3), "output": out(3)}}),
            schema_valid=False,
            findings=["invalid-node", "output-unconnected"],
        ),
        case(
            "edges not a list",
            doc({"type": "NIRGraph", "nodes": {"input": inp(3), "output": out(3)}, "edges": {"input": "output"}}),
            schema_valid=False,
            findings=["invalid-node", "output-unconnected"],
        ),
        case(
            "an edge naming a node by a number",
            doc(graph({"input": inp(3), "output": out(3)}, [["input", "output"], ["input", 1]])),
            schema_valid=False,
            findings=["invalid-node"],
            json_only=True,
        ),
        case(
            "an edge of three names does not spoil the others",
            doc(graph({"input": inp(3), "output": out(3)}, [["input", "output"], ["input", "output", "x"]])),
            schema_valid=False,
            findings=["invalid-node"],
            json_only=True,
        ),
        case(
            "an edge to an empty name",
            doc(graph({"input": inp(3), "output": out(3)}, [["input", "output"], ["input", ""]])),
            schema_valid=False,
            findings=["invalid-node"],
        ),
        case(
            "an empty edge list is allowed",
            doc(graph({"input": inp(3)}, [])),
            schema_valid=True,
            findings=["no-output-node"],
        ),
    )


def _unknown_entries() -> Json:
    return group(
        "unknown entries",
        case(
            "a node field its type does not define",
            doc(chain({"input": inp(3), "x": {**neuron("Scale", 3), "bias": full(3, 0.0)}, "output": out(3)})),
            schema_valid=False,
            findings=["unknown-field"],
        ),
        case(
            "an entry of the root graph it does not define",
            doc({**_ok(), "name": "net"}),
            schema_valid=False,
            findings=["unknown-field"],
        ),
        case(
            "an entry of a nested graph",
            doc(
                chain(
                    {
                        "input": inp(3),
                        "sub": {**chain({"input": inp(3), "output": out(3)}), "inputs": ["input"]},
                        "output": out(3),
                    }
                )
            ),
            schema_valid=False,
            findings=["unknown-field"],
        ),
        case(
            "Flatten's Python attribute name input_shape is not its field input_type",
            doc(chain({"input": inp(2, 3), "flat": {"type": "Flatten", "input_shape": [2, 3]}, "output": out(2, 3)})),
            schema_valid=False,
            findings=["unknown-field"],
        ),
    )


def _metadata() -> Json:
    return group(
        "metadata",
        case(
            "graph metadata that is not an object",
            doc({**_ok(), "metadata": 5}),
            schema_valid=False,
            findings=["invalid-node"],
        ),
        case(
            "node metadata of every JSON kind",
            doc(
                chain(
                    {
                        "input": inp(
                            3, metadata={"s": "x", "i": 1, "f": 0.5, "b": False, "l": [1, 2], "n": {"t": vec(1.0)}}
                        ),
                        "output": out(3),
                    }
                )
            ),
            schema_valid=True,
        ),
        case(
            "empty metadata",
            doc({**chain({"input": inp(3, metadata={}), "output": out(3)}), "metadata": {}}),
            schema_valid=True,
        ),
    )
