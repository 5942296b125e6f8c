"""The fallback reader: files beyond the own parser's subset of HDF5 are read through libhdf5 (h5py).

Uses h5py's low-level API (see tree.Source for what a reading source provides).
"""

from __future__ import annotations

from typing import Any

import h5py
import numpy as np
from h5py import h5, h5d, h5g, h5l, h5o, h5s, h5t

from nir.errors import NIRFormatError
from nir.store.tree import texts


class H5pySource:
    """A file opened with h5py, walked with its low-level API (see tree.Source)."""

    errors: tuple[type[Exception], ...] = ()

    def __init__(self, f: h5py.File) -> None:
        self.filename = f.filename
        self.file = f
        self.ordered = True
        """Whether groups track link creation order (ours do; the reference's do not)."""

    def root(self) -> h5g.GroupID:
        """The root group."""
        return self.file.id

    def identity(self, group: h5g.GroupID) -> tuple[int, int]:
        """(file number, address) of the group's object header."""
        info = h5o.get_info(group)
        return (info.fileno, info.addr)

    def links(self, group: h5g.GroupID) -> list[tuple[bytes, str, None]]:
        """(name, kind, None) of each link, in creation order where the group tracks it, else by name."""
        found: list[tuple[bytes, str, None]] = []

        def collect(name: bytes, info: Any) -> None:
            found.append((name, _LINK_KINDS.get(info.type, "user-defined"), None))

        if self.ordered:
            try:
                group.links.iterate(collect, idx_type=h5.INDEX_CRT_ORDER, info=True)
                return found
            except (KeyError, ValueError, RuntimeError):
                # A file written without the index has it in no group (the root group never has
                # it): stop asking, since a failed attempt costs more than the iteration itself.
                self.ordered = group == self.file.id
                found.clear()
        group.links.iterate(collect, info=True)
        return found

    def open(self, group: h5g.GroupID, name: bytes, target: None) -> tuple[str, Any]:
        """The linked object, opened."""
        obj = h5o.open(group, name)
        if isinstance(obj, h5g.GroupID):
            return "group", obj
        if isinstance(obj, h5d.DatasetID):
            return "dataset", obj
        return "other", obj

    def describe(self, dataset: h5d.DatasetID) -> tuple[tuple[int, ...] | None, np.dtype, bool]:
        """(shape, dtype, holds strings) of a dataset."""
        try:
            dtype = _dtype(dataset.get_type())
        except (TypeError, ValueError) as err:
            raise NIRFormatError(f"unsupported data type ({err})") from None
        strings = dtype.kind in "SU" or (dtype.kind == "O" and h5py.check_string_dtype(dtype) is not None)
        if dtype.kind == "V" or (dtype.kind == "O" and not strings):
            raise NIRFormatError(f"unsupported data type {dtype}")
        return dataset.shape, dtype, strings

    def read(self, dataset: h5d.DatasetID) -> Any:
        """The dataset's values (strings decoded)."""
        tid = dataset.get_type()
        shape, dtype, strings = self.describe(dataset)
        array = np.empty(shape, dtype=dtype)
        if array.size:
            try:
                # Numbers are read with the file's own type as memory type (the array matches it
                # exactly), which skips h5py's conversion lookup; strings need h5py's vlen type.
                dataset.read(h5s.ALL, h5s.ALL, array, None if strings else tid)
            except (OSError, RuntimeError, ValueError, TypeError) as err:
                raise NIRFormatError(f"cannot read dataset ({err})") from None
        return texts(array) if strings else array


_LINK_KINDS = {h5l.TYPE_HARD: "hard", h5l.TYPE_SOFT: "soft", h5l.TYPE_EXTERNAL: "external"}
_NUMERIC: dict[tuple[int, int, int, int], np.dtype] = {}


def _dtype(tid: h5t.TypeID) -> np.dtype:
    """numpy dtype of an HDF5 type; plain numbers take a cached fast path (tid.dtype is slow)."""
    kind = tid.get_class()
    if kind in (h5t.FLOAT, h5t.INTEGER):
        key = (kind, tid.get_size(), tid.get_order(), tid.get_sign() if kind == h5t.INTEGER else tid.get_precision())
        dtype = _NUMERIC.get(key)
        if dtype is None:
            dtype = _NUMERIC[key] = tid.dtype
        return dtype
    return tid.dtype
