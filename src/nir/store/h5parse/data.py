"""A dataset's values: compact, contiguous or chunked (deflate, shuffle), strings from the global heap."""

from __future__ import annotations

import functools
import math
import os
import struct
import zlib
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from nir.store.h5parse.base import UNDEFINED, Buffer, CorruptError, Unsupported
from nir.store.h5parse.btree import v1_children
from nir.store.h5parse.globalheap import GlobalHeap
from nir.store.h5parse.messages import DEFLATE, SHUFFLE, VLEN_STRING, Datatype, Layout

_HEAP_ID = struct.Struct("<IQI")
"""A variable-length string element as stored: its length and where the global heap holds it."""
_HEAP_ID_ITEM = np.dtype((np.void, _HEAP_ID.size))
"""The same element as opaque bytes, for reading the dataset's storage before unpacking it."""
PARALLEL_CHUNK_BYTES = 16 * 1024
"""Chunks at least this large are inflated in threads (smaller ones cost less than a thread hand-off)."""
MAX_CHUNK_RATIO = 4
"""Chunks may be larger than the dataset (extendible datasets), but not by more than this
(or 1 MiB): inflating one allocates its full size, which the eager-read budget does not count."""


def read(
    buf: Buffer,
    heap: GlobalHeap,
    shape: tuple[int, ...],
    dtype: Datatype,
    layout: Layout,
    pipeline: tuple[int, ...],
    fill: bool,
) -> Any:
    """The dataset's values: an array of numbers or bytes strings, or str / an object array of str."""
    strings = dtype.dtype is VLEN_STRING
    raw_dtype = _HEAP_ID_ITEM if strings else dtype.dtype
    count = math.prod(shape)
    if count == 0:
        stored: Any = np.empty(shape, dtype=raw_dtype)
    elif layout.kind in ("chunked", "single"):
        stored = _chunked(buf, shape, raw_dtype, layout, pipeline, fill)
    else:
        nbytes = count * raw_dtype.itemsize
        if layout.kind == "contiguous" and layout.address == UNDEFINED:
            raise Unsupported("dataset without storage (fill value only)")
        if layout.size != nbytes:
            raise CorruptError(f"{layout.kind} storage of {layout.size} bytes for {nbytes} bytes of data")
        stored = buf.view(layout.address, nbytes, "dataset storage")
        if not strings:
            return np.frombuffer(stored, dtype=raw_dtype).reshape(shape).copy()
    if not strings:
        return stored
    texts = [_string(heap, *item) for item in _HEAP_ID.iter_unpack(stored)]
    if not shape:
        return texts[0]
    out = np.empty(count, dtype=object)
    out[:] = texts
    return out.reshape(shape)


def _string(heap: GlobalHeap, length: int, address: int, index: int) -> str:
    if length == 0:
        return ""
    raw = heap.get(address, index, length)
    # libhdf5 hands out C strings: a NUL inside ends the text.
    return raw.split(b"\0", 1)[0].decode("utf-8", "replace")


_NODE_HEAD = struct.Struct("<4sBBH")
_NODE_SIZE = 24
"""A version-1 B-tree node's header: signature, type, level, entries used, two sibling addresses."""


@functools.cache
def _entry(rank: int) -> struct.Struct:
    """A leaf entry of a chunk B-tree: chunk size, filter mask, origin (rank + 1 values), address."""
    return struct.Struct(f"<II{rank + 1}QQ")


@functools.lru_cache(maxsize=1024)
def _plan(shape: tuple[int, ...], chunks: tuple[int, ...], itemsize: int) -> tuple[tuple[int, ...], int]:
    """(chunk shape, chunk bytes) of a chunked dataset, checked once per distinct layout."""
    *chunk, element = chunks
    if len(chunk) != len(shape) or element != itemsize or 0 in chunk:
        raise CorruptError(
            f"chunks {tuple(chunk)} of {element} bytes do not fit a dataset {shape} of {itemsize}-byte items"
        )
    chunk_bytes = math.prod(chunk) * itemsize
    nbytes = math.prod(shape) * itemsize
    if chunk_bytes > max(MAX_CHUNK_RATIO * nbytes, 1 << 20):
        raise CorruptError(f"chunks of {chunk_bytes} bytes for a dataset of {nbytes} bytes refused")
    return tuple(chunk), chunk_bytes


def _chunked(
    buf: Buffer, shape: tuple[int, ...], dtype: np.dtype, layout: Layout, pipeline: tuple[int, ...], fill: bool
) -> np.ndarray:
    chunk, chunk_bytes = _plan(shape, layout.chunks, dtype.itemsize)
    if layout.address == UNDEFINED:
        raise Unsupported("chunked dataset without chunks (fill value only)")
    if chunk == shape and layout.kind == "chunked":  # how h5py stores small arrays: one chunk holds it all
        whole = WholeChunk(buf, shape, dtype, pipeline, chunk_bytes)(layout.address)
        if whole is not None:
            return whole
    entries = _chunk_index(buf, layout, len(shape), chunk_bytes)
    for _, _, origin, _ in entries:
        if any(o % c or o >= s for o, c, s in zip(origin, chunk, shape, strict=True)):
            raise CorruptError(f"chunk at {origin} does not lie on the chunk grid of a dataset {shape}")

    def inflate(entry: tuple[int, int, Any, int]) -> bytes:
        size, mask, _, address = entry
        buf.check(address, size, "chunk")
        return _unfilter(buf.data[address : address + size], pipeline, mask, chunk_bytes, dtype.itemsize)

    out = np.zeros(shape, dtype=dtype)
    placed = set()
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        # zlib releases the GIL: large chunks inflate on every core, as the writer deflates them.
        raws = pool.map(inflate, entries) if chunk_bytes >= PARALLEL_CHUNK_BYTES else map(inflate, entries)
        for (_, _, origin, _), raw in zip(entries, raws, strict=True):
            block = np.frombuffer(raw, dtype=dtype).reshape(chunk)
            window = tuple(slice(o, min(o + c, s)) for o, c, s in zip(origin, chunk, shape, strict=True))
            out[window] = block[tuple(slice(0, w.stop - w.start) for w in window)]
            placed.add(origin)
    expected = math.prod(-(-s // c) for s, c in zip(shape, chunk, strict=True))
    if len(placed) < expected and fill:
        raise Unsupported("unwritten chunks with a fill value")
    return out


_ONE_LEAF = (b"TREE", 1, 0, 1)
"""A chunk B-tree node's signature, type, level and entries used when it is the only leaf, with one chunk."""


@functools.cache
def _leaf_root(rank: int) -> struct.Struct:
    """A chunk B-tree root that is also its only leaf, up to its first entry (siblings skipped)."""
    return struct.Struct(f"<4sBBH16xII{rank + 1}QQ")


class WholeChunk:
    """Reads the datasets of one kind of header whose one chunk, at the origin, holds them whole.

    Made once per kind of header (the parser keeps one with each dataset template), so that each
    of thousands of small arrays costs one unpack of its chunk index's root and one inflate.
    """

    __slots__ = ("buf", "chunk_bytes", "dtype", "pipeline", "root", "shape")

    def __init__(
        self, buf: Buffer, shape: tuple[int, ...], dtype: np.dtype, pipeline: tuple[int, ...], chunk_bytes: int
    ) -> None:
        self.buf, self.shape, self.dtype, self.pipeline, self.chunk_bytes = buf, shape, dtype, pipeline, chunk_bytes
        self.root = _leaf_root(len(shape))

    def __call__(self, index: int) -> np.ndarray | None:
        """The values, given the chunk index's address; None if the index is not one leaf with one chunk
        at the origin inside the file (the general reading then decides, or names the damage)."""
        buf, root = self.buf, self.root
        if index + root.size > buf.size:
            return None
        node = root.unpack_from(buf.data, index)  # signature, type, level, used, size, mask, origin, address
        size, address = node[4], node[-1]
        if node[:4] != _ONE_LEAF or any(node[6:-1]) or address + size > buf.size:
            return None
        raw = _unfilter(
            buf.data[address : address + size], self.pipeline, node[5], self.chunk_bytes, self.dtype.itemsize
        )
        return np.frombuffer(bytearray(raw), dtype=self.dtype).reshape(self.shape)


def whole_chunk(
    buf: Buffer, shape: tuple[int, ...], dtype: np.dtype, layout: Layout, pipeline: tuple[int, ...]
) -> WholeChunk | None:
    """A WholeChunk reader for datasets of this header, if its layout keeps each in one chunk."""
    if layout.kind != "chunked" or not math.prod(shape):
        return None
    try:
        chunk, chunk_bytes = _plan(shape, layout.chunks, dtype.itemsize)
    except CorruptError:
        return None  # reported when a dataset of this header is read
    return WholeChunk(buf, shape, dtype, pipeline, chunk_bytes) if chunk == shape else None


def _chunk_index(
    buf: Buffer, layout: Layout, rank: int, chunk_bytes: int
) -> list[tuple[int, int, tuple[int, ...], int]]:
    """(stored size, filter mask, origin, address) of each chunk written."""
    if layout.kind == "single":
        return [((chunk_bytes if layout.size < 0 else layout.size), layout.mask, (0,) * rank, layout.address)]
    entry = _entry(rank)
    data = buf.data
    signature, kind, level, used = _NODE_HEAD.unpack_from(data, layout.address)
    if signature == b"TREE" and kind == 1 and level == 0:  # the root is the only node: no walk needed
        start = layout.address + _NODE_SIZE
        buf.check(start, used * entry.size, "B-tree node")
        rows = entry.iter_unpack(data[start : start + used * entry.size])
        return [(row[0], row[1], row[2:-2], row[-1]) for row in rows]
    found = []
    for key, _ in v1_children(buf, layout.address, 1, entry.size - 8):
        size, mask, *origin, address = entry.unpack_from(buf.data, key)
        found.append((size, mask, tuple(origin[:-1]), address))
    return found


def _unfilter(data: Any, pipeline: tuple[int, ...], mask: int, size: int, itemsize: int) -> bytes:
    for position in reversed(range(len(pipeline))):
        if mask & (1 << position):
            continue
        if pipeline[position] == DEFLATE:
            inflater = zlib.decompressobj()
            try:
                data = inflater.decompress(data, size + 1)
            except zlib.error as err:
                raise CorruptError(f"chunk does not inflate ({err})") from None
            if len(data) != size or not inflater.eof:
                raise CorruptError(f"chunk inflates to other than its {size} bytes")
        elif pipeline[position] == SHUFFLE and itemsize > 1:
            whole = len(data) // itemsize * itemsize
            planes = np.frombuffer(data, dtype=np.uint8, count=whole).reshape(itemsize, -1)
            data = planes.T.tobytes() + data[whole:]
    if len(data) != size:
        raise CorruptError(f"chunk holds {len(data)} bytes, not {size}")
    return data
