"""Bundle the schema files of one spec version into a single self-contained schema.

Stdlib only: the code generator loads this file directly, before the package (whose
generated models it is about to rewrite) can be imported.
"""

from __future__ import annotations

import json
import posixpath
from pathlib import Path
from typing import Any

ROOT_FILE = "document.schema.json"


def load_files(schema_dir: Path) -> dict[str, dict[str, Any]]:
    """Load every `*.schema.json` under `schema_dir`, keyed by POSIX relative path."""
    files = sorted(schema_dir.rglob("*.schema.json"))
    return {p.relative_to(schema_dir).as_posix(): json.loads(p.read_text("utf-8")) for p in files}


def bundle(schema_dir: Path) -> dict[str, Any]:
    """Return one schema whose `$defs` hold every unit, the graph and the shared types.

    The document schema is the root. Each file becomes `$defs/<title>`, each file's own
    `$defs` are lifted to the top level, and every `$ref` is rewritten to a local pointer,
    so the result needs no other file to be resolved.
    """
    files = load_files(schema_dir)
    titles = {path: doc["title"] for path, doc in files.items()}
    defs: dict[str, Any] = {}

    def add(name: str, value: Any, origin: str) -> None:
        if name in defs:
            raise ValueError(f"bundle: definition {name!r} from {origin} is defined twice")
        defs[name] = value

    for path, doc in files.items():
        body = {k: _rewrite(v, path, titles) for k, v in doc.items() if k not in ("$schema", "$id", "$defs")}
        for name, sub in doc.get("$defs", {}).items():
            add(name, _rewrite(sub, path, titles), path)
        if path != ROOT_FILE and set(body) - {"title", "description"}:
            add(doc["title"], body, path)

    root = files[ROOT_FILE]
    out: dict[str, Any] = {"$schema": root["$schema"], "$id": root["$id"].replace(ROOT_FILE, "bundle.schema.json")}
    out.update({k: _rewrite(v, ROOT_FILE, titles) for k, v in root.items() if k not in ("$schema", "$id", "$defs")})
    out["$defs"] = dict(sorted(defs.items()))
    return out


def _rewrite(node: Any, path: str, titles: dict[str, str]) -> Any:
    if isinstance(node, list):
        return [_rewrite(v, path, titles) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _rewrite(v, path, titles) for k, v in node.items()}
    if isinstance(node.get("$ref"), str):
        out["$ref"] = _local_ref(node["$ref"], path, titles)
    return out


def _local_ref(ref: str, path: str, titles: dict[str, str]) -> str:
    target, _, pointer = ref.partition("#")
    target_path = posixpath.normpath(posixpath.join(posixpath.dirname(path), target)) if target else path
    if target_path not in titles:
        raise ValueError(f"bundle: {path} refers to {ref!r}, which is not a schema file")
    if pointer.startswith("/$defs/"):
        return "#" + pointer
    if pointer:
        raise ValueError(f"bundle: {path} refers to {ref!r}; only whole files and $defs can be referenced")
    return f"#/$defs/{titles[target_path]}"
