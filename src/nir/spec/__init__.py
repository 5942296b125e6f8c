"""The spec as data: schema files shipped in the package, and the unit rules read from them."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from nir.errors import NIRArgumentError
from nir.spec import bundle as _bundle
from nir.spec.units import FieldSpec, UnitSpec, parse_units
from nir.spec.version import SPEC_VERSION

# The package ships as files (an editable or a wheel install): paths beside this module,
# without importlib.resources, whose import costs more than the rest of nir.spec.
_HERE = Path(__file__).resolve().parent
_SCHEMAS = _HERE.parent / "schema"

__all__ = [
    "SPEC_VERSION",
    "FieldSpec",
    "UnitSpec",
    "bundled",
    "finding_codes",
    "schema_dir",
    "schema_id",
    "spec_versions",
    "unit",
    "units",
]


def finding_codes() -> dict[str, tuple[str, str]]:
    """Every finding code with its default severity and meaning, in the order of `findings.json` beside this module."""
    # Codes are the validator's vocabulary, not the format's: they may grow without a new spec
    # version, so they live with the package rather than in a frozen schema folder.
    codes = json.loads((_HERE / "findings.json").read_text("utf-8"))["codes"]
    return {code: (entry["severity"], entry["meaning"]) for code, entry in codes.items()}


def schema_dir(version: str = SPEC_VERSION) -> Path:
    """Folder holding the schema files of one spec version."""
    path = _SCHEMAS / version
    if not path.is_dir():
        raise NIRArgumentError(f"unknown spec version {version!r}; known: {', '.join(spec_versions())}")
    return path


def spec_versions() -> list[str]:
    """Spec versions whose schema ships with this package."""
    root = _SCHEMAS
    return sorted(p.name for p in root.iterdir() if p.is_dir())


def bundled(version: str = SPEC_VERSION) -> dict[str, Any]:
    """The spec of one version as one self-contained schema (every `$ref` local)."""
    return _bundled(version)


@cache
def _bundled(version: str) -> dict[str, Any]:
    return _bundle.bundle(schema_dir(version))


def schema_files(version: str = SPEC_VERSION) -> dict[str, dict[str, Any]]:
    """Every schema file of one version, keyed by relative path."""
    return _bundle.load_files(schema_dir(version))


def schema_id(version: str = SPEC_VERSION) -> str:
    """The `$id` of the document schema of one version."""
    return json.loads((schema_dir(version) / _bundle.ROOT_FILE).read_text("utf-8"))["$id"]


def units(version: str = SPEC_VERSION) -> dict[str, UnitSpec]:
    """Rules of every node type (units and the graph), keyed by type name."""
    return _units(version)


@cache
def _units(version: str) -> dict[str, UnitSpec]:
    return parse_units(bundled(version))


def unit(type_name: str, version: str = SPEC_VERSION) -> UnitSpec:
    """Rules of one node type (NIRArgumentError for a name the spec does not define)."""
    try:
        return units(version)[type_name]
    except (KeyError, TypeError):
        raise NIRArgumentError(f"spec {version} defines no node type {type_name!r}") from None
