"""A catalogue of small, valid NIR nodes and graphs shared by the test modules, built from the schema's examples.

Each unit's first example (schema/1.0/units/<Unit>.schema.json, `examples`; the first one sets
every field) is the catalogue's instance of that unit, and its `x-nir-examples` note gives the
expected port shapes. The graph schema's first three examples are `small_graph`, `nested_graph`
and `recurrent_graph`. Every call builds fresh objects, so two calls give equal (but not
identical) nodes.
"""

from __future__ import annotations

from typing import Any

import nir
from support.schema_examples import decode, examples, node_types, ports

#: Expected port shapes of the catalogue nodes (None = unknown without a graph).
EXPECTED_PORTS: dict[str, tuple[list[int] | None, list[int] | None]] = {
    name: ports(examples(name)[0][1]) for name in node_types() if name != "NIRGraph"
}


def build(instance: dict[str, Any]) -> nir.NIRNode:
    """The node (or graph) an example instance describes, its tensors as numpy arrays."""
    if instance["type"] == "NIRGraph":
        return nir.NIRGraph(
            nodes={name: build(node) for name, node in instance["nodes"].items()},
            edges=[tuple(edge) for edge in instance["edges"]],
            metadata=decode(instance.get("metadata", {})),
        )
    fields = {key: decode(value) for key, value in instance.items() if key != "type"}
    return nir.str2NIRNode(instance["type"])(**fields)


def _graph(index: int) -> nir.NIRGraph:
    graph = build(examples("NIRGraph")[index][0])
    assert isinstance(graph, nir.NIRGraph)
    return graph


def small_graph() -> nir.NIRGraph:
    """Input(3) -> Affine(4x3) -> LIF(4) -> Output(4), with graph metadata."""
    return _graph(0)


def nested_graph() -> nir.NIRGraph:
    """Input(3) -> Affine(4x3) -> sub[Input(4) -> LIF(4) -> Output(4)] -> Linear(2x4) -> Output(2).

    The edges reach into the subgraph with dotted names (`sub.input`, `sub.output`). Both
    graphs carry metadata of several types: str, int, float, numpy array, nested dict.
    """
    return _graph(1)


def recurrent_graph() -> nir.NIRGraph:
    """Input(3) -> Affine(5x3) -> CubaLIF(5) -> Output(5), with Linear(5x5) from the CubaLIF back to it."""
    return _graph(2)


SEED: int = nested_graph().metadata["origin"]["params"]["seed"]
"""The seed that the nested graph's metadata records."""


def valid_nodes() -> dict[str, nir.NIRNode]:
    """One small valid instance of every node type of the spec, keyed by type name."""
    nodes = {name: build(examples(name)[0][0]) for name in node_types() if name != "NIRGraph"}
    nodes["LIF"].metadata["note"] = "catalogue LIF"  # node metadata, exercised by the store tests
    nodes["NIRGraph"] = small_graph()
    return nodes
