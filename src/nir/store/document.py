"""From document trees (nested dicts in the spec's field names) to graphs.

The same tree form serves HDF5 (datasets as numpy arrays) and JSON (tensors as objects).
Building a graph from a tree is lenient: a node that cannot be built is reported and left
out, so the rest of the graph can still be inspected and repaired. The graph is built of
models (`nir.read`) or of plain nodes (validating a file: see `nir.plain`), by the same code.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from nir import limits
from nir.errors import NIRArgumentError, NIRFormatError
from nir.findings import Report
from nir.names import name_problem
from nir.plain import plain_classes
from nir.spec import unit as unit_spec
from nir.store.tree import Tree
from nir.topology import Key, pointer
from nir.types import tensor_from_json

GRAPH_KEYS = ("type", "nodes", "edges", "metadata")


class Builders(NamedTuple):
    """What a graph is built of: node classes by type name, and how a graph is made of built nodes."""

    classes: dict[str, type]
    graph: Callable[[dict[str, Any], list[tuple[str, str]], dict[str, Any]], Any]


def model_builders() -> Builders:
    """Build graphs of the node models (what `nir.read` returns)."""
    # Imported here, not above: validating a file builds plain nodes and needs no models.
    from nir._generated.models import NIRGraph
    from nir.node import node_types

    def graph(nodes: dict[str, Any], edges: list[tuple[str, str]], metadata: dict[str, Any]) -> Any:
        return NIRGraph(nodes=nodes, edges=edges, metadata=metadata, type_check=False)

    return Builders(node_types(), graph)


def plain_builders() -> Builders:
    """Build graphs of plain nodes (what validating a file checks)."""
    classes = plain_classes()
    return Builders(classes, classes["NIRGraph"])


def build_graph(tree: Tree, report: Report, build: Builders, key: Key = (), json: bool = False) -> Any:
    """A graph from its tree; problems go into `report` and bad nodes are left out.

    Left-out nodes are remembered in the report (`Report.dropped`), so that edges naming them
    are not reported a second time. With `json`, tensors must be spelled as tensor objects.
    """
    if not key and tree.get("type") != "NIRGraph":
        report.add("invalid-node", "/type", f"the root node must be a NIRGraph, not {tree.get('type')!r}")
    check_level(group_level(key) + 1, pointer(key, "nodes"))
    nodes_tree = tree.get("nodes", {})
    if not isinstance(nodes_tree, dict):
        report.add("invalid-node", pointer(key, "nodes"), "'nodes' must be a group of nodes")
        nodes_tree = {}
    for extra in sorted(set(tree) - set(GRAPH_KEYS)):
        report.add("unknown-field", pointer(key, extra), f"graph has an unknown entry {extra!r}; it was ignored")
    nodes: dict[str, Any] = {}
    dropped: dict[str, str | None] = {}
    for name, sub in nodes_tree.items():
        problem = name_problem(name)
        if problem:
            report.add("invalid-node", pointer(key, "nodes"), f"node name {name!r} {problem}; the node was left out")
            continue
        node = build_node(sub, report, build, (*key, name), json)
        if node is None:
            dropped[name] = sub.get("type") if isinstance(sub, dict) and isinstance(sub.get("type"), str) else None
        else:
            nodes[name] = node
    edges = _edges(tree.get("edges"), report, key)
    metadata = _metadata(tree.get("metadata"), report, key, json)
    graph = build.graph(nodes, edges, metadata)
    if dropped:
        report.dropped[key] = dropped
    return graph


def build_node(tree: Any, report: Report, build: Builders, key: Key, json: bool = False) -> Any:
    """One node from its tree, or None (with a finding) if it cannot be built."""
    where = pointer(key)
    if not isinstance(tree, dict):
        report.add("invalid-node", where, "expected a node (a group with a 'type'), found a value")
        return None
    kind = tree.get("type")
    if not isinstance(kind, str):
        report.add("invalid-node", where, "node has no 'type' string")
        return None
    classes = build.classes
    cls = classes.get(kind)
    if cls is None:
        close = difflib.get_close_matches(kind, list(classes), n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"known types: {', '.join(sorted(classes))}"
        report.add("invalid-node", where, f"unknown node type {kind!r}", hint)
        return None
    if unit_spec(kind).kind == "graph":
        return build_graph(tree, report, build, key, json)
    check_level(group_level(key), where)
    known = {f.name: f for f in unit_spec(kind).fields}
    if json:
        loose = [f.name for f in unit_spec(kind).tensor_fields if f.name in tree and not isinstance(tree[f.name], dict)]
        for name in loose:
            report.add(
                "invalid-node",
                pointer(key, name),
                f"{kind}: in JSON, {name} must be a tensor object {{dtype, shape, data}}",
            )
        sizes = _miscounted_sizes(kind, tree)
        for name, count in sizes:
            report.add("invalid-node", pointer(key, name), f"{kind}: in JSON, {name} must list {count} sizes")
        if loose or sizes:
            return None
    kwargs: dict[str, Any] = {}
    for name, value in tree.items():
        if name == "type":
            continue
        if name == "metadata":
            kwargs["metadata"] = _metadata(value, report, key, json)
        elif name in known:
            kwargs[name] = _plain(_unwrap_port(value), known[name])
        else:
            report.add("unknown-field", pointer(key, name), f"{kind} has no field {name!r}; it was ignored")
    try:
        return cls(**kwargs)
    except NIRArgumentError as err:
        report.add("invalid-node", pointer(key, err.field) if err.field else where, str(err))
        return None


def _miscounted_sizes(kind: str, tree: Tree) -> list[tuple[str, int]]:
    """Shape-valued fields of several fixed sizes (x-nir-value like [H, W]) not given as that many.

    The Python API takes one integer for both sizes of a pair, as the reference package
    does; a JSON document is held to its schema, which asks for the full list. (A field of
    one size, like Conv1d's [L], is a plain integer in the schema.)
    """
    found = []
    for field in unit_spec(kind).fields:
        value = tree.get(field.name)
        if field.value is None or value is None or len(field.value) < 2:
            continue
        if any(str(d).startswith("...") for d in field.value):
            continue
        if not isinstance(value, list) or len(value) != len(field.value):
            found.append((field.name, len(field.value)))
    return found


def _plain(value: Any, field: Any) -> Any:
    """A one-element dataset of a field that is no tensor and no shape (a stride, groups) as a number.

    The reference package gives numpy scalars here; a 0-d array would not do (PyTorch's
    layers take a stride of `np.int64(1)` but not of `np.array(1)`).
    """
    if field.shape is None and not is_shape_field(field) and isinstance(value, np.ndarray) and value.ndim == 0:
        return value.item() if value.dtype.kind in "biuf" else value
    return value


def _unwrap_port(value: Any) -> Any:
    """Some old writers stored a shape as a port group `{"input": shape}`."""
    if isinstance(value, dict) and len(value) == 1:
        (inner,) = value.values()
        if not isinstance(inner, dict):
            return inner
    return value


def _edges(value: Any, report: Report, key: Key) -> list[tuple[str, str]]:
    where = pointer(key, "edges")
    if value is None:
        report.add("invalid-node", where, "graph has no 'edges'")
        return []
    if isinstance(value, np.ndarray):
        if value.size == 0:
            return []
        if value.ndim != 2 or value.shape[1] != 2:
            report.add(
                "invalid-node", where, f"edges must be a list of [source, destination] pairs, found shape {value.shape}"
            )
            return []
        value = value.tolist()
    if not isinstance(value, list):
        report.add("invalid-node", where, "edges must be a list of [source, destination] pairs")
        return []
    edges = []
    for index, edge in enumerate(value):
        pair = (
            [x.decode("utf-8", "replace") if isinstance(x, bytes) else x for x in edge]
            if isinstance(edge, list | tuple)
            else None
        )
        if pair is None or len(pair) != 2 or not all(isinstance(x, str) and x for x in pair):
            report.add("invalid-node", f"{where}/{index}", f"edge {index} is not a pair of node names: {edge!r}")
            continue
        edges.append((pair[0], pair[1]))
    return edges


def group_level(key: Key) -> int:
    """How far below the file's root the group of the node at `key` lies (the root graph, /node, is 1).

    The one measure of nesting for HDF5 files and JSON documents alike: each graph puts its
    nodes two levels further down (nodes/<name>), each metadata mapping one.
    """
    return 1 + 2 * len(key)


def check_level(level: int, where: str) -> None:
    """Refuse a group deeper than limits.MAX_DEPTH, as the HDF5 reader does."""
    if level > limits.MAX_DEPTH:
        raise NIRFormatError(f"{where}: groups are nested deeper than {limits.MAX_DEPTH} levels")


def _metadata(value: Any, report: Report, key: Key, json: bool = False) -> dict[str, Any]:
    where = pointer(key, "metadata")
    if value is None:
        return {}
    if not isinstance(value, dict):
        report.add("invalid-node", where, "metadata must be a group of named values")
        return {}
    level = group_level(key) + 1
    check_level(level, where)
    try:
        return {k: _metadata_value(v, json, level + 1, f"{where}/{k}") for k, v in value.items()}
    except NIRFormatError:
        raise
    except ValueError as err:
        report.add("invalid-node", where, f"metadata: {err}")
        return {}


def _metadata_value(value: Any, json: bool, level: int, where: str) -> Any:
    if isinstance(value, dict):
        if json and set(value) == {"dtype", "shape", "data"}:  # a tensor object in a JSON document
            return tensor_from_json(value)
        check_level(level, where)
        return {k: _metadata_value(v, json, level + 1, f"{where}/{k}") for k, v in value.items()}
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return value.item()
        if value.dtype == object:
            return value.tolist()
    return value


def is_shape_field(field: Any) -> bool:
    """Whether a field's value is a whole shape (`x-nir-value` like `["...S"]`), stored as an int64 array."""
    return field.value is not None and any(str(d).startswith("...") for d in field.value)
