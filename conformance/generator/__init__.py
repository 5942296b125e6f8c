"""The generator of the NIR conformance suite: one module per kind of case, all writing JSON.

builders    tensors, nodes, graphs, documents, and the case and group records
spec        the schema files and finding codes, read as plain JSON (never through `nir`)
units       units.json, from every node type's schema examples
shapes, parameters, graph, document
            the other case files, each case written by hand from the spec
migrations  migrations/layouts.json
output      the stable JSON text
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .document import document
from .graph import graph_checks
from .migrations import migrations
from .output import dumps
from .parameters import parameters
from .shapes import shapes
from .spec import Json
from .units import units

CASE_FILES: dict[str, Callable[[], list[Json]]] = {
    "cases/units.json": units,
    "cases/shapes.json": shapes,
    "cases/parameters.json": parameters,
    "cases/graph.json": graph_checks,
    "cases/document.json": document,
    "migrations/layouts.json": migrations,
}


def render() -> dict[str, str]:
    """Every case file's path (relative to conformance/) and text."""
    files = {}
    for path, make in CASE_FILES.items():
        groups = make()
        descriptions = [c["description"] for g in groups for c in g["cases"]]
        duplicates = {d for d in descriptions if descriptions.count(d) > 1}
        assert not duplicates, f"{path}: case descriptions must be unique: {duplicates}"
        for number, case in enumerate((c for g in groups for c in g["cases"]), 1):
            case.setdefault("hdf5", f"hdf5/{Path(path).stem}/{number:03d}.nir")
        files[path] = dumps(groups) + "\n"
    return files
