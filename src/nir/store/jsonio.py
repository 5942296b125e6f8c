"""JSON documents: a whole graph as JSON that validates against schema/<version>/document."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from nir.analysis import analyse
from nir.errors import NIRArgumentError
from nir.graph import GraphBase
from nir.inference import Shapes
from nir.spec import SPEC_VERSION, schema_id
from nir.store.layout import graph_tree
from nir.types import tensor_to_json


def shapes_of(graph: GraphBase) -> Shapes:
    """The shapes the graph gives its nodes (what a file records of them); NIRArgumentError for no graph."""
    if not isinstance(graph, GraphBase):
        raise NIRArgumentError(f"a JSON document holds a NIRGraph, not {type(graph).__name__}")
    return analyse(graph)[1]


def to_document(graph: GraphBase, found: Shapes) -> dict[str, Any]:
    """The graph as a JSON-ready document: `{"$schema", "version", "graph"}`, its values as an HDF5 file has them."""
    return {"$schema": schema_id(), "version": SPEC_VERSION, "graph": _jsonable(graph_tree(graph, found), graph)}


def _jsonable(tree: dict[str, Any], node: Any) -> dict[str, Any]:
    """Turn an HDF5 tree into JSON values: tensor fields as tensor objects, the rest as lists."""
    tensor_fields = {f.name for f in node.unit_spec.tensor_fields} if not isinstance(node, GraphBase) else set()
    out: dict[str, Any] = {}
    for key, value in tree.items():
        if key == "nodes":
            out[key] = {name: _jsonable(sub, node.nodes[name]) for name, sub in value.items()}
        elif key == "edges":
            out[key] = [list(edge) for edge in value.tolist()]
        elif key == "metadata":
            out[key] = _metadata_json(value)
        elif key in tensor_fields:
            out[key] = tensor_to_json(np.asarray(value))
        else:
            out[key] = value.tolist() if isinstance(value, np.ndarray | np.generic) else value
    return out


def _metadata_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _metadata_json(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return tensor_to_json(value) if value.dtype.kind in "biuf" else value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def dumps(graph: GraphBase, found: Shapes, indent: int | None = None) -> str:
    """The graph as JSON text (strict JSON: non-finite floats are spelled as strings)."""
    try:
        return json.dumps(to_document(graph, found), indent=indent, allow_nan=False)
    except ValueError as err:
        raise NIRArgumentError(f"graph cannot be written as JSON: {err} (NaN or infinity in metadata?)") from None
