"""Reading and writing NIR files: HDF5 (the reference layout) and JSON documents.

The names below load their modules on first use (PEP 562): validating a file needs the reader
only, not the writer (libhdf5) or the node models.
"""

# The TYPE_CHECKING imports name what the store exposes: re-exported lazily, not used here.
# ruff: noqa: F401

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nir.lazy import LazyTensor, is_lazy
    from nir.store.reading import from_json, load, read, read_json, validate_path
    from nir.store.source import read_version
    from nir.store.writing import to_json, write, write_json

_HOMES = {
    "LazyTensor": "nir.lazy",
    "is_lazy": "nir.lazy",
    "from_json": "nir.store.reading",
    "load": "nir.store.reading",
    "read": "nir.store.reading",
    "read_json": "nir.store.reading",
    "validate_path": "nir.store.reading",
    "read_version": "nir.store.source",
    "to_json": "nir.store.writing",
    "write": "nir.store.writing",
    "write_json": "nir.store.writing",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    """Import a name of the store on first use."""
    if name not in _HOMES:
        raise AttributeError(f"module 'nir.store' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value
    return value
