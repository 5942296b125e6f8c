"""The file as a tree.Source: groups and datasets by object header address."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from nir.store.h5parse import data, groups
from nir.store.h5parse import messages as msgs
from nir.store.h5parse.base import Buffer, CorruptError
from nir.store.h5parse.globalheap import GlobalHeap
from nir.store.h5parse.objects import (
    DATASPACE,
    DATATYPE,
    EXTERNAL_FILES,
    FILL,
    FILTERS,
    LAYOUT,
    LINK,
    LINK_INFO,
    SYMBOL_TABLE,
    Message,
    messages,
    root_address,
)
from nir.store.tree import texts

T = TypeVar("T")
_DECODED = (DATASPACE, DATATYPE, FILTERS, FILL)
"""The messages decoded once per distinct content (FILL_OLD never defines a value that matters here)."""


@dataclass(frozen=True, slots=True)
class Dataset:
    """What a dataset's header says: enough to check its size before reading it."""

    shape: tuple[int, ...] | None
    datatype: msgs.Datatype
    layout: msgs.Layout
    pipeline: tuple[int, ...]
    fill: bool


class ParsedFile:
    """A NIR file read by this package's parser (see tree.Source)."""

    errors: tuple[type[Exception], ...] = (struct.error,)
    """Reads past a block's end surface from struct: they are corruption too."""

    def __init__(self, data: Any, filename: str) -> None:
        self.filename = filename
        try:
            base, self._root = root_address(Buffer(data))
        except struct.error as err:
            raise CorruptError(f"truncated superblock ({err})") from None
        self.buf = Buffer(memoryview(data)[base:] if base else data)
        self.heap = GlobalHeap(self.buf)
        self._decoded: dict[tuple[bytes | None, ...], tuple[Any, ...]] = {}

    def root(self) -> int:
        """The root group's object header address."""
        return self._root

    def identity(self, group: int) -> int:
        """A group is identified by its object header address."""
        return group

    def links(self, group: int) -> list[tuple[bytes, str, int]]:
        """(name, kind, object header address) of each link."""
        return [(link.name, link.kind, link.address) for link in groups.links(self.buf, messages(self.buf, group))]

    def open(self, group: int, name: bytes, target: int) -> tuple[str, Any]:
        """The object at `target`: a group (its address) or a dataset (its header decoded)."""
        kinds = {kind: (kind, offset, size) for kind, offset, size in messages(self.buf, target)}
        if LAYOUT in kinds:
            return "dataset", self._dataset(kinds)
        if SYMBOL_TABLE in kinds or LINK_INFO in kinds or LINK in kinds:
            return "group", target
        return "other", target

    def _dataset(self, kinds: dict[int, Message]) -> Dataset:
        if EXTERNAL_FILES in kinds:
            raise CorruptError("dataset stored in external files refused (a .nir file must hold its own data)")
        if DATASPACE not in kinds or DATATYPE not in kinds:
            raise CorruptError("dataset without a dataspace or datatype")
        # Thousands of datasets share a handful of distinct type, space and filter messages:
        # decode each distinct one once.
        data = self.buf.data
        key = tuple(bytes(data[m[1] : m[1] + m[2]]) if m else None for m in map(kinds.get, _DECODED))
        decoded = self._decoded.get(key)
        if decoded is None:
            space, kind, pipeline, fill = map(kinds.get, _DECODED)
            decoded = self._decoded[key] = (
                msgs.dataspace(self.buf, space),
                msgs.datatype(self.buf, kind[1], kind[2]),
                msgs.filters(self.buf, pipeline) if pipeline else (),
                fill is not None and msgs.fill_defined(self.buf, fill),
            )
        shape, datatype, pipeline, defined = decoded
        return Dataset(shape, datatype, msgs.layout(self.buf, kinds[LAYOUT]), pipeline, defined)

    def describe(self, dataset: Dataset) -> tuple[tuple[int, ...] | None, np.dtype, bool]:
        """(shape, dtype, holds strings)."""
        return dataset.shape, dataset.datatype.dtype, dataset.datatype.strings

    def read(self, dataset: Dataset) -> Any:
        """The values, strings decoded."""
        shape = dataset.shape or ()  # the walk never reads a null dataspace
        try:
            values = data.read(
                self.buf, self.heap, shape, dataset.datatype, dataset.layout, dataset.pipeline, dataset.fill
            )
        except CorruptError as err:
            raise CorruptError(f"cannot read dataset ({err})") from None
        return texts(values) if dataset.datatype.dtype.kind == "S" else values
