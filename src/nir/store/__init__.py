"""Reading and writing NIR files: HDF5 (the reference layout) and JSON documents."""

from __future__ import annotations

from nir.lazy import LazyTensor, is_lazy
from nir.store.reading import from_json, load, read, read_json, validate_path
from nir.store.source import read_version
from nir.store.writing import to_json, write, write_json

__all__ = [
    "LazyTensor",
    "from_json",
    "is_lazy",
    "load",
    "read",
    "read_json",
    "read_version",
    "to_json",
    "validate_path",
    "write",
    "write_json",
]
