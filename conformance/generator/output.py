"""The stable text of the case files: readable, deterministic JSON."""

from __future__ import annotations

import json
from typing import Any

from .migrations import is_tensor


def dumps(value: Any, indent: int = 0) -> str:
    """Stable, readable JSON: objects one key a line, lists of scalars (and of short lists) on one line."""
    pad, inner = "  " * indent, "  " * (indent + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        if is_tensor(value) or (all(_flat(v) for v in value.values()) and len(json.dumps(value)) <= 60):
            return json.dumps(value, ensure_ascii=False, allow_nan=False)
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {dumps(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list):
        if all(_flat(v) for v in value):
            return json.dumps(value, ensure_ascii=False, allow_nan=False)
        items = [inner + dumps(v, indent + 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def _flat(value: Any) -> bool:
    if isinstance(value, list):
        return all(not isinstance(v, dict | list) for v in value)
    return not isinstance(value, dict)
