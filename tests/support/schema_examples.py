"""The examples of the spec's node types (`examples` and `x-nir-examples` in the schema), read as plain data.

Needs numpy only and reads the schema files by path, so that scripts run with the reference
package's interpreter (store_ref_write.py) can use it as well as this package's tests.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import math
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]


def _spec_version() -> str:
    """SPEC_VERSION of this tree, from its stdlib-only module loaded by path (under any package named nir)."""
    spec = importlib.util.spec_from_file_location("_nir_version", ROOT / "src" / "nir" / "spec" / "version.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SPEC_VERSION


SCHEMA = ROOT / "schema" / _spec_version()
SPELLED = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


@cache
def _files() -> dict[str, dict[str, Any]]:
    """Every node type's schema file (the units and the graph), keyed by type name."""
    paths = [*sorted((SCHEMA / "units").glob("*.schema.json")), SCHEMA / "graph.schema.json"]
    schemas = [json.loads(path.read_text("utf-8")) for path in paths]
    return {schema["title"]: schema for schema in schemas}


def node_types() -> list[str]:
    """Every node type, in the order of the node union (node.schema.json)."""
    union = json.loads((SCHEMA / "node.schema.json").read_text("utf-8"))["oneOf"]
    titles = {f"units/{name}.schema.json": name for name in _files()} | {"graph.schema.json": "NIRGraph"}
    return [titles[option["$ref"]] for option in union]


def schema(type_name: str) -> dict[str, Any]:
    """The schema file of one node type, as JSON."""
    return copy.deepcopy(_files()[type_name])


def examples(type_name: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(instance, note) pairs of one node type: each entry of `examples` with its `x-nir-examples` entry."""
    found = schema(type_name)
    return list(zip(found["examples"], found["x-nir-examples"], strict=True))


def ports(note: dict[str, Any]) -> tuple[list[int] | None, list[int] | None]:
    """The port shapes the node of an example has on its own: None where only a graph determines them."""
    return (None, None) if note.get("inferred") else (note["input"], note["output"])


def decode(value: Any) -> Any:
    """A JSON value with every tensor object `{dtype, shape, data}` turned into a numpy array."""
    if isinstance(value, dict):
        if set(value) == {"dtype", "shape", "data"}:
            data = [SPELLED.get(x, x) if isinstance(x, str) else x for x in value["data"]]
            return np.array(data, dtype=value["dtype"]).reshape(value["shape"])
        return {key: decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decode(item) for item in value]
    return value
