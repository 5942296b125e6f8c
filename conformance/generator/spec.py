"""The spec as the generator reads it: the schema files of spec 1.0 and the finding codes, as plain JSON.

The generator never imports the `nir` package: the cases' verdicts come from the spec, not
from the implementation under test.
"""

from __future__ import annotations

import importlib.util
import json
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
FINDINGS = ROOT / "src" / "nir" / "spec" / "findings.json"


def _spec_version() -> str:
    """SPEC_VERSION, from the package's stdlib-only version module loaded by path (nir is never imported)."""
    spec = importlib.util.spec_from_file_location("_nir_version", ROOT / "src" / "nir" / "spec" / "version.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SPEC_VERSION


SCHEMA_DIR = ROOT / "schema" / _spec_version()

Json = dict[str, Any]


@cache
def _files() -> dict[str, Json]:
    """Every schema file, keyed by its path relative to the spec folder."""
    return {p.relative_to(SCHEMA_DIR).as_posix(): json.loads(p.read_text("utf-8")) for p in SCHEMA_DIR.rglob("*.json")}


def node_types() -> list[str]:
    """The units and the graph, in the order of the node union (node.schema.json)."""
    return [_files()[option["$ref"]]["title"] for option in _files()["node.schema.json"]["oneOf"]]


def node_schema(type_name: str) -> Json:
    """The schema file of one node type."""
    return next(doc for path, doc in _files().items() if doc["title"] == type_name and path != "node.schema.json")


def document_schema() -> Json:
    """The document schema (the root of every case document)."""
    return _files()["document.schema.json"]


def examples(schema: Json) -> list[tuple[Json, Json]]:
    """(instance, note) pairs: each entry of a schema's `examples` with its `x-nir-examples` note."""
    return list(zip(schema["examples"], schema["x-nir-examples"], strict=True))


def tensor_fields() -> dict[str, set[str]]:
    """Tensor fields (those with x-nir-shape) of each unit."""
    units = (node_schema(name) for name in node_types() if name != "NIRGraph")
    return {s["title"]: {k for k, v in s["properties"].items() if "x-nir-shape" in v} for s in units}


@cache
def severities() -> dict[str, str]:
    """Every finding code and its severity (src/nir/spec/findings.json)."""
    codes = json.loads(FINDINGS.read_text("utf-8"))["codes"]
    return {code: entry["severity"] for code, entry in codes.items()}
