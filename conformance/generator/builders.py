"""The shared builders of case documents: tensors, nodes, graphs, documents, and the case and group records."""

from __future__ import annotations

import itertools
import math
from typing import Any

from .spec import Json, examples, node_schema, severities

ERROR, WARNING, INFO = "error", "warning", "info"
ORDER = {ERROR: 0, WARNING: 1, INFO: 2}
FATAL = ("unreadable", "unsupported-version")


def tensor(dtype: str, shape: list[int], data: list[Any]) -> Json:
    """A JSON tensor; `data` is row-major (a case may give it the wrong length on purpose)."""
    return {"dtype": dtype, "shape": list(shape), "data": list(data)}


def full(shape: list[int] | int, value: Any, dtype: str = "float32") -> Json:
    """A tensor of one value."""
    shape = [shape] if isinstance(shape, int) else list(shape)
    return tensor(dtype, shape, [value] * math.prod(shape))


def vec(*values: Any, dtype: str = "float32") -> Json:
    """A 1-d tensor."""
    return tensor(dtype, [len(values)], list(values))


def scalar(value: Any, dtype: str = "float32") -> Json:
    """A 0-d tensor (one element)."""
    return tensor(dtype, [], [value])


def seq(shape: list[int], dtype: str = "float32", start: float = 0.0, step: float = 0.25) -> Json:
    """A tensor holding start, start+step, ... (values exact in float32)."""
    n = math.prod(shape)
    return tensor(dtype, shape, [start + step * i for i in range(n)])


def inp(*shape: int, **extra: Any) -> Json:
    """An Input node."""
    return {"type": "Input", "shape": list(shape), **extra}


def out(*shape: int, **extra: Any) -> Json:
    """An Output node."""
    return {"type": "Output", "shape": list(shape), **extra}


def neuron(kind: str, shape: list[int] | int, dtype: str = "float32", **override: Any) -> Json:
    """A node of an elementwise unit whose required parameters all have `shape`; `override` replaces fields.

    Each parameter is filled with the first element of that field in the unit's first schema example.
    """
    schema = node_schema(kind)
    first, _ = examples(schema)[0]
    node: Json = {"type": kind}
    for name in schema["required"]:
        if name != "type":
            node[name] = full(shape, first[name]["data"][0], dtype)
    node.update(override)
    return node


def graph(nodes: Json, edges: list[tuple[str, str]] | list[list[str]], **extra: Any) -> Json:
    """A NIRGraph object."""
    return {"type": "NIRGraph", "nodes": nodes, "edges": [list(e) for e in edges], **extra}


def chain(nodes: Json, **extra: Any) -> Json:
    """A graph whose nodes are joined in the order given."""
    names = list(nodes)
    return graph(nodes, list(itertools.pairwise(names)), **extra)


def doc(root: Json, version: str = "1.0", **extra: Any) -> Json:
    """A NIR JSON document."""
    return {"version": version, "graph": root, **extra}


def through(node: Json, shape_in: list[int], shape_out: list[int], name: str = "x") -> Json:
    """The document Input(shape_in) -> node -> Output(shape_out)."""
    return doc(chain({"input": inp(*shape_in), name: node, "output": out(*shape_out)}))


def pairs(codes: tuple[str, ...] | list[str]) -> list[list[str]]:
    """The sorted, distinct [severity, code] pairs of some finding codes (errors, then warnings, then info)."""
    found = {(severities()[c], c) for c in codes}
    return [list(p) for p in sorted(found, key=lambda p: (ORDER[p[0]], p[1]))]


def case(
    description: str,
    document: Any,
    *,
    schema_valid: bool,
    findings: tuple[str, ...] | list[str] = (),
    error: str | None = None,
    json_only: bool = False,
) -> Json:
    """One case; `valid` follows from the findings (no error finding, no fatal error).

    `json_only` marks a document that has no HDF5 form (its `hdf5` file is then null).
    """
    codes = list(findings)
    if error is not None:
        assert error in FATAL and not codes, description
        codes = [error]
    found = pairs(codes)
    record: Json = {"description": description, "document": document, "schema_valid": schema_valid}
    record["valid"] = error is None and not any(severity == ERROR for severity, _ in found)
    record["findings"] = found
    if error is not None:
        record["error"] = error
    if json_only:
        record["hdf5"] = None
    return record


def group(description: str, *cases: Json) -> Json:
    """A group of cases."""
    return {"description": description, "cases": list(cases)}
