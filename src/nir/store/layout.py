"""From graphs to document trees: the reference package's layout, as `nir.write` and `nir.to_json` store it."""

from __future__ import annotations

from typing import Any

import numpy as np

from nir.errors import NIRArgumentError, NIRFormatError
from nir.fields import fields_of
from nir.graph import GraphBase
from nir.inference import Shape, Shapes
from nir.lazy import is_lazy
from nir.names import name_problem
from nir.node import NIRNode, declared_values
from nir.shapes import match, resolve
from nir.shapes.rules import view
from nir.store.document import check_level, group_level, is_shape_field
from nir.store.tree import Tree
from nir.topology import Key, pointer
from nir.types import to_numpy


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
        elif field is not None and (field.shape is not None or is_shape_field(field)):
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
