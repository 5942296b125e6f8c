"""Between graphs and document trees (nested dicts in the spec's field names).

The same tree form serves HDF5 (datasets as numpy arrays) and JSON (tensors as objects).
Building a graph from a tree is lenient: a node that cannot be built is reported and left
out, so the rest of the graph can still be inspected and repaired.
"""

from __future__ import annotations

import difflib
from typing import Any

import numpy as np

from nir import limits
from nir.errors import NIRArgumentError, NIRFormatError
from nir.fields import fields_of
from nir.findings import Report
from nir.graph import GraphBase
from nir.inference import Shape, Shapes
from nir.lazy import is_lazy
from nir.names import name_problem
from nir.node import NIRNode, declared_values, node_types
from nir.shapes import match, resolve
from nir.shapes.rules import view
from nir.spec import unit as unit_spec
from nir.store.tree import Tree
from nir.topology import Key, pointer
from nir.types import tensor_from_json, to_numpy

GRAPH_KEYS = ("type", "nodes", "edges", "metadata")


def build_graph(tree: Tree, report: Report, key: Key = (), json: bool = False) -> GraphBase:
    """A graph from its tree; problems go into `report` and bad nodes are left out.

    Left-out nodes are remembered in the report (`Report.dropped`), so that edges naming them
    are not reported a second time. With `json`, tensors must be spelled as tensor objects.
    """
    if not key and tree.get("type") != "NIRGraph":
        report.add("invalid-node", "/type", f"the root node must be a NIRGraph, not {tree.get('type')!r}")
    check_level(group_level(key) + 1, pointer(key, "nodes"))
    graph_class = node_types()["NIRGraph"]
    nodes_tree = tree.get("nodes", {})
    if not isinstance(nodes_tree, dict):
        report.add("invalid-node", pointer(key, "nodes"), "'nodes' must be a group of nodes")
        nodes_tree = {}
    for extra in sorted(set(tree) - set(GRAPH_KEYS)):
        report.add("unknown-field", pointer(key, extra), f"graph has an unknown entry {extra!r}; it was ignored")
    nodes: dict[str, NIRNode] = {}
    dropped: dict[str, str | None] = {}
    for name, sub in nodes_tree.items():
        problem = name_problem(name)
        if problem:
            report.add("invalid-node", pointer(key, "nodes"), f"node name {name!r} {problem}; the node was left out")
            continue
        node = build_node(sub, report, (*key, name), json)
        if node is None:
            dropped[name] = sub.get("type") if isinstance(sub, dict) and isinstance(sub.get("type"), str) else None
        else:
            nodes[name] = node
    edges = _edges(tree.get("edges"), report, key)
    metadata = _metadata(tree.get("metadata"), report, key, json)
    graph = graph_class(nodes=nodes, edges=edges, metadata=metadata, type_check=False)
    if dropped:
        report.dropped[key] = dropped
    return graph


def build_node(tree: Any, report: Report, key: Key, json: bool = False) -> NIRNode | None:
    """One node from its tree, or None (with a finding) if it cannot be built."""
    where = pointer(key)
    if not isinstance(tree, dict):
        report.add("invalid-node", where, "expected a node (a group with a 'type'), found a value")
        return None
    kind = tree.get("type")
    if not isinstance(kind, str):
        report.add("invalid-node", where, "node has no 'type' string")
        return None
    classes = node_types()
    cls = classes.get(kind)
    if cls is None:
        close = difflib.get_close_matches(kind, list(classes), n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"known types: {', '.join(sorted(classes))}"
        report.add("invalid-node", where, f"unknown node type {kind!r}", hint)
        return None
    if issubclass(cls, GraphBase):
        return build_graph(tree, report, key, json)
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
    if field.shape is None and not _is_shape(field) and isinstance(value, np.ndarray) and value.ndim == 0:
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


def graph_tree(graph: GraphBase, found: Shapes | None = None, key: Key = ()) -> Tree:
    """The HDF5 tree of a graph: the reference package's layout, arrays as numpy.

    `found`, the graph's analysis, gives each node the port shapes the graph determines (see
    `node_tree`). A graph nested beyond limits.MAX_DEPTH, or a node name HDF5 cannot hold,
    raises NIRFormatError: no file is written that the reader would refuse.
    """
    check_level(group_level(key) + 1, pointer(key, "nodes"))
    out: Tree = {"type": type(graph).__name__}
    nodes = {}
    for name, n in graph.nodes.items():
        problem = name_problem(name)
        if problem:
            raise NIRFormatError(f"{pointer(key, 'nodes')}: node name {name!r} {problem}, so it cannot be written")
        if not isinstance(n, NIRNode):
            raise NIRFormatError(
                f"{pointer((*key, name))}: a {type(n).__name__} is not a NIR node and cannot be written"
            )
        sub = (*key, name)
        shapes = (found.inputs.get(sub), found.outputs.get(sub)) if found is not None else (None, None)
        nodes[name] = graph_tree(n, found, sub) if isinstance(n, GraphBase) else node_tree(n, sub, shapes)
    out["nodes"] = nodes
    edges = np.empty((len(graph.edges), 2), dtype=object)
    for i, (src, dst) in enumerate(graph.edges):
        edges[i] = (src, dst)
    out["edges"] = edges
    if graph.metadata:
        out["metadata"] = _metadata_tree(graph.metadata, pointer(key, "metadata"), group_level(key) + 1)
    return out


def node_tree(node: NIRNode, key: Key = (), shapes: tuple[Shape | None, Shape | None] = (None, None)) -> Tree:
    """The HDF5 tree of one node: its type and one value per set field, as the reference package reads them.

    `shapes` are the node's input and output shape as its graph determines them. A field that
    declares a port's shape and was left open (Conv `input_shape`, Flatten `input_type`,
    Output `shape`) is written from them: the reference package cannot read a Conv without it.
    A parameter that broadcasts (a 0-d `tau`, `w_in` of shape (1,)) is written at the shape
    the graph gives it, as the reference's type check asks for equal shapes. Tensors are
    written as numpy arrays, valid shapes as int64 arrays, other values as given (a stride of
    1 stays one integer: the schema allows it, and both packages read it back as given).
    """
    check_level(group_level(key), pointer(key))
    spec = node.unit_spec
    found = view(node)
    env = _port_env(spec, found.env, *shapes)
    declared = declared_values(spec, *shapes)
    fields = {f.name: f for f in spec.fields}
    out: Tree = {"type": type(node).__name__}
    for name, attr in fields_of(type(node)).attribute.items():
        if name in ("type", "metadata"):
            continue
        value = getattr(node, attr)
        field = fields.get(name)
        if value is None:
            value = declared.get(name)
        elif field is not None and (field.shape is not None or _is_shape(field)):
            value = found.values.get(name, value) if found.values.get(name) is not None else value
        if value is None:
            continue
        if field is not None and field.shape is not None:
            value = _tensor_value(value, field, env)
        elif isinstance(value, tuple | list):
            value = np.asarray(value, dtype=np.int64) if value else np.zeros(0, np.int64)
        elif isinstance(value, bool | int) and not isinstance(value, np.ndarray):
            value = np.int64(value)
        out[name] = value
    if node.metadata:
        out["metadata"] = _metadata_tree(node.metadata, pointer(key, "metadata"), group_level(key) + 1)
    return out


def _is_shape(field: Any) -> bool:
    """Whether a field's value is a whole shape (`x-nir-value` like `["...S"]`), stored as an int64 array."""
    return field.value is not None and any(str(d).startswith("...") for d in field.value)


def _port_env(spec: Any, env: dict, shape_in: Shape | None, shape_out: Shape | None) -> dict:
    """The node's own symbol bindings, with those its port shapes fix."""
    env = dict(env)
    for pattern, shape in ((spec.input, shape_in), (spec.output, shape_out)):
        if shape is not None and pattern is not None:
            try:
                match(spec.name, "port", pattern, shape, env)
            except ValueError:
                pass  # a contradiction is a finding of the checks; the value is written as it is
    return env


def _tensor_value(value: Any, field: Any, env: dict) -> np.ndarray:
    array = value.load() if is_lazy(value) else to_numpy(value)
    if field.broadcast:
        target = resolve(field.shape, env)
        if target is not None and array.shape != target:
            try:
                array = np.ascontiguousarray(np.broadcast_to(array, target))
            except ValueError:
                pass  # does not broadcast: a finding of the checks; written as it is
    return array


def _metadata_tree(value: dict[str, Any], where: str, level: int) -> Tree:
    check_level(level, where)
    out: Tree = {}
    for key, item in value.items():
        if not isinstance(key, str) or not key:
            raise NIRArgumentError(f"{where}: metadata keys must be non-empty strings, not {key!r}")
        problem = name_problem(key)  # metadata keys become HDF5 names, like node names
        if problem:
            raise NIRArgumentError(f"{where}: metadata key {key!r} {problem}")
        if isinstance(item, dict):
            out[key] = _metadata_tree(item, f"{where}/{key}", level + 1)
        elif isinstance(item, int) and not isinstance(item, bool) and not -(2**63) <= item < 2**63:
            raise NIRArgumentError(f"{where}/{key}: integer {item} does not fit in 64 bits")
        elif isinstance(item, str | bytes | bool | int | float | np.generic | np.ndarray):
            out[key] = item
        elif isinstance(item, list | tuple):
            array = np.asarray(item)
            if array.dtype == object:
                raise NIRArgumentError(f"{where}/{key}: a metadata list must hold values of one kind")
            out[key] = array
        elif hasattr(item, "__array__") or hasattr(item, "detach"):  # a torch tensor or JAX array: its numbers
            out[key] = to_numpy(item)
        else:
            raise NIRArgumentError(f"{where}/{key}: metadata of type {type(item).__name__} cannot be stored")
    return out
