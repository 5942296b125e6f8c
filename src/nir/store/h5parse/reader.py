"""The file as a tree.Source: groups and datasets by object header address."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

import numpy as np

from nir.store.h5parse import data, groups
from nir.store.h5parse import messages as msgs
from nir.store.h5parse.base import U64, Buffer, CorruptError
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

_DECODED = (DATASPACE, DATATYPE, FILTERS, FILL)
"""The messages decoded once per distinct content (FILL_OLD never defines a value that matters here)."""
_GROUP_MESSAGES = {SYMBOL_TABLE, LINK_INFO, LINK}


@dataclass(slots=True)
class Dataset:
    """What a dataset's header says: enough to check its size before reading it."""

    shape: tuple[int, ...] | None
    datatype: msgs.Datatype
    pipeline: tuple[int, ...]
    fill: bool
    layout: msgs.Layout
    whole: data.WholeChunk | None = None
    """The reader shared by the datasets of a template kept whole in one chunk."""


@dataclass(frozen=True, slots=True)
class _Template:
    """A decoded version-1 dataset header, good for every header with the same bytes but its data address.

    Headers that differ only there decode the same but for that address, so thousands of
    datasets written alike (every weight of a chain) cost two byte comparisons each.
    """

    cut: int
    """Offset of the 8-byte data address in the header."""
    before: bytes
    after: bytes
    dataset: Dataset

    def match(self, data: Any, address: int, end: int) -> Dataset | None:
        """The dataset of the header at `address` (ending at `end`), if it is one of these."""
        split = address + self.cut
        if data[address:split] != self.before or data[split + 8 : end] != self.after:
            return None
        found = self.dataset
        layout = found.layout
        moved = msgs.Layout(layout.kind, U64.unpack_from(data, split)[0], layout.size, layout.chunks, layout.mask)
        return Dataset(found.shape, found.datatype, found.pipeline, found.fill, moved, found.whole)


_ADDRESS_IN_LAYOUT = {"contiguous": 2, "chunked": 3}
"""Where the data address sits in a version-3 layout message's body, by layout class."""
_V1_HEADER = struct.Struct("<B3xII")
MAX_TEMPLATES = 256
"""Templates kept per file: far more than the kinds of dataset one writer makes."""
_TEMPLATE_KEY = 64
"""Templates are found by header size and the header's first bytes (its first messages, the
dataspace among them), so that one comparison decides."""


class ParsedFile:
    """A NIR file read by this package's parser (see tree.Source)."""

    errors: tuple[type[Exception], ...] = (struct.error, OverflowError)
    """Reads past a block's end, or at offsets beyond any file, surface from struct: corruption too."""

    def __init__(self, data: Any, filename: str) -> None:
        self.filename = filename
        try:
            base, self._root = root_address(Buffer(data))
        except (struct.error, OverflowError) as err:
            raise CorruptError(f"truncated superblock ({err})") from None
        self.buf = Buffer(memoryview(data)[base:] if base else data)
        self.heap = GlobalHeap(self.buf)
        self._decoded: dict[tuple[bytes | None, ...], tuple[Any, ...]] = {}
        self._templates: dict[tuple[int, Any], _Template] = {}

    def root(self) -> int:
        """The root group's object header address."""
        return self._root

    def identity(self, group: int) -> int:
        """A group is identified by its object header address."""
        return group

    def links(self, group: int) -> list[tuple[bytes, str, int]]:
        """(name, kind, object header address) of each link."""
        return groups.links(self.buf, messages(self.buf, group))

    def open(self, group: int, name: bytes, target: int) -> tuple[str, Any]:
        """The object at `target`: a group (its address) or a dataset (its header decoded)."""
        data = self.buf.data
        version, _, size = _V1_HEADER.unpack_from(data, target)
        end = target + 16 + size
        if version == 1:
            template = self._templates.get((size, data[target + 16 : target + _TEMPLATE_KEY]))
            found = template.match(data, target, end) if template is not None else None
            if found is not None:
                return "dataset", found
        found_messages = messages(self.buf, target)
        kinds = {m[0] for m in found_messages}
        if LAYOUT in kinds:
            dataset = self._dataset(found_messages, kinds)
            if version == 1:
                self._remember(target, end, found_messages, dataset)
            return "dataset", dataset
        if kinds & _GROUP_MESSAGES:
            return "group", target
        return "other", target

    def _remember(self, address: int, end: int, found: list[Message], dataset: Dataset) -> None:
        """Keep a template of a version-1 header held in one block whose data address is its only variable."""
        cut = _ADDRESS_IN_LAYOUT.get(dataset.layout.kind)
        if cut is None or len(self._templates) >= MAX_TEMPLATES or any(not address < m[1] < end for m in found):
            return
        split = next(m for m in found if m[0] == LAYOUT)[1] + cut
        if split < address + _TEMPLATE_KEY:
            return
        raw = self.buf.data
        key = (end - address - 16, bytes(raw[address + 16 : address + _TEMPLATE_KEY]))
        before, after = bytes(raw[address:split]), bytes(raw[split + 8 : end])
        if not dataset.datatype.strings:  # text is decoded after reading, by `read`
            shape, dtype = dataset.shape or (), dataset.datatype.dtype
            dataset.whole = data.whole_chunk(self.buf, shape, dtype, dataset.layout, dataset.pipeline)
        self._templates.setdefault(key, _Template(split - address, before, after, dataset))

    def _dataset(self, found: list[Message], kinds: set[int]) -> Dataset:
        if EXTERNAL_FILES in kinds:
            raise CorruptError("dataset stored in external files refused (a .nir file must hold its own data)")
        if DATASPACE not in kinds or DATATYPE not in kinds:
            raise CorruptError("dataset without a dataspace or datatype")
        # Thousands of datasets share a handful of distinct type, space and filter messages:
        # decode each distinct header (all but its layout) once.
        data = self.buf.data
        key = tuple((kind, data[offset : offset + size]) for kind, offset, size in found if kind in _DECODED)
        decoded = self._decoded.get(key)
        if decoded is None:
            decoded = self._decoded[key] = self._decode({m[0]: m for m in found})
        layout = next(m for m in found if m[0] == LAYOUT)
        return Dataset(*decoded, msgs.layout(self.buf, layout))

    def _decode(self, by_kind: dict[int, Message]) -> tuple[Any, ...]:
        space, kind, pipeline, fill = map(by_kind.get, _DECODED)
        return (
            msgs.dataspace(self.buf, space),
            msgs.datatype(self.buf, kind[1], kind[2]),
            msgs.filters(self.buf, pipeline) if pipeline else (),
            fill is not None and msgs.fill_defined(self.buf, fill),
        )

    def describe(self, dataset: Dataset) -> tuple[tuple[int, ...] | None, np.dtype, bool]:
        """(shape, dtype, holds strings)."""
        return dataset.shape, dataset.datatype.dtype, dataset.datatype.strings

    def read(self, dataset: Dataset) -> Any:
        """The values, strings decoded."""
        shape = dataset.shape or ()  # the walk never reads a null dataspace
        try:
            if dataset.whole is not None:
                values = dataset.whole(dataset.layout.address)
                if values is not None:
                    return values
            values = data.read(
                self.buf, self.heap, shape, dataset.datatype, dataset.layout, dataset.pipeline, dataset.fill
            )
        except CorruptError as err:
            raise CorruptError(f"cannot read dataset ({err})") from None
        return texts(values) if dataset.datatype.dtype.kind == "S" else values
