"""A bit-exact summary of a NIR graph, importable by this package's tests AND by scripts run
with the reference package's interpreter (it needs numpy only and touches graphs by duck
typing: `.nodes`, `.edges`, `.metadata`, `.to_dict()`).

Both sides summarise their in-memory graph with the same code, so comparing the two
summaries compares node types, field names, dtypes, shapes and the raw bytes of every value.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def value_summary(value: Any) -> Any:
    """A JSON-ready, bit-exact description of one field or metadata value."""
    if isinstance(value, (str, bytes)):
        return {"str": value.decode() if isinstance(value, bytes) else value}
    if isinstance(value, dict):
        return {"dict": {str(k): value_summary(v) for k, v in sorted(value.items())}}
    if value is None:
        return None
    array = np.asarray(value)
    if array.dtype.kind in "SUO":
        items = [x.decode() if isinstance(x, bytes) else str(x) for x in array.reshape(-1).tolist()]
        return {"strs": items, "shape": list(array.shape)}
    return {
        "dtype": array.dtype.str,
        "shape": list(array.shape),
        "hex": np.ascontiguousarray(array).tobytes().hex(),
    }


def summarise(graph: Any) -> dict[str, Any]:
    """Types, fields (dtype, shape, bytes), edges and metadata of a graph, recursively."""
    nodes = {}
    for name, node in graph.nodes.items():
        if hasattr(node, "nodes") and hasattr(node, "edges"):
            nodes[name] = summarise(node)
            continue
        fields = node.to_dict()
        nodes[name] = {
            "type": type(node).__name__,
            "fields": {k: value_summary(v) for k, v in sorted(fields.items()) if k not in ("type", "metadata")},
            "metadata": value_summary(dict(fields.get("metadata") or {})),
        }
    return {
        "type": "NIRGraph",
        "nodes": nodes,
        "edges": [[str(a), str(b)] for a, b in graph.edges],
        "metadata": value_summary(dict(graph.metadata or {})),
    }


def differences(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Where two summaries differ (empty when they are equal)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = []
        for key in sorted(set(expected) | set(actual)):
            where = f"{path}/{key}"
            if key not in actual:
                out.append(f"{where}: missing on our side")
            elif key not in expected:
                out.append(f"{where}: only on our side")
            else:
                out += differences(expected[key], actual[key], where)
        return out
    if expected != actual:
        return [f"{path}: {str(expected)[:120]} != {str(actual)[:120]}"]
    return []
