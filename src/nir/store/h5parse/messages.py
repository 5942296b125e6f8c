"""Decoding the header messages a NIR file uses: dataspace, datatype, layout, filters, links."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from nir.store.h5parse.base import U16, U32, U64, UNDEFINED, Buffer, CorruptError, Unsupported
from nir.store.h5parse.objects import Message

MAX_RANK = 32
VLEN_STRING = np.dtype(object)
"""Stands for HDF5 variable-length strings (16-byte global heap references in the file)."""

_FLOATS = {2: (10, 5, 0, 10, 15), 4: (23, 8, 0, 23, 127), 8: (52, 11, 0, 52, 1023)}
"""IEEE 754 layouts (exponent location and size, mantissa location and size, bias) by size."""

DEFLATE, SHUFFLE = 1, 2


def dataspace(buf: Buffer, msg: Message) -> tuple[int, ...] | None:
    """The dataset's shape: () for a scalar, None for a null dataspace."""
    _, offset, size = msg
    version, rank, flags = buf.uint(offset, 1), buf.uint(offset + 1, 1), buf.uint(offset + 2, 1)
    if rank > MAX_RANK:
        raise CorruptError(f"dataspace of rank {rank} (HDF5 allows at most {MAX_RANK})")
    if version == 1:
        start, kind = offset + 8, 1 if rank else 0
    elif version == 2:
        start, kind = offset + 4, buf.uint(offset + 3, 1)
    else:
        raise CorruptError(f"dataspace message version {version}")
    if 8 * rank * (2 if flags & 1 else 1) > size - (start - offset):
        raise CorruptError("dataspace message shorter than its dimensions")
    if kind == 2:
        return None
    if kind == 0:
        return ()
    if kind != 1:
        raise CorruptError(f"dataspace type {kind}")
    return tuple(U64.unpack_from(buf.data, start + 8 * i)[0] for i in range(rank))


@dataclass(frozen=True, slots=True)
class Datatype:
    """A datatype as numpy sees it; `strings` marks text (fixed-length or variable-length)."""

    dtype: np.dtype
    strings: bool
    size: int


def datatype(buf: Buffer, offset: int, limit: int) -> Datatype:
    """Decode the datatype message at offset (at most `limit` bytes long)."""
    if limit < 8:
        raise CorruptError("datatype message too short")
    head, b1, _, _ = (buf.uint(offset + i, 1) for i in range(4))
    kind, size = head & 0x0F, U32.unpack_from(buf.data, offset + 4)[0]
    if kind == 0:  # fixed-point
        _standard_bits(buf, offset, limit, size)
        order = ">" if b1 & 1 else "<"
        return Datatype(np.dtype(f"{order}{'i' if b1 & 8 else 'u'}{size}"), False, size)
    if kind == 1:  # floating-point
        if b1 & 0x40 or size not in _FLOATS or limit < 20:
            raise Unsupported("non-IEEE floating-point type")
        _standard_bits(buf, offset, limit, size)
        layout = (buf.uint(offset + 12, 1), buf.uint(offset + 13, 1), buf.uint(offset + 14, 1))
        layout += (buf.uint(offset + 15, 1), U32.unpack_from(buf.data, offset + 16)[0])
        if layout != _FLOATS[size]:
            raise Unsupported("non-IEEE floating-point type")
        return Datatype(np.dtype(f"{'>' if b1 & 1 else '<'}f{size}"), False, size)
    if kind == 3:  # fixed-length string
        if size == 0:
            raise CorruptError("string type of size 0")
        return Datatype(np.dtype(f"S{size}"), True, size)
    if kind == 9 and b1 & 0x0F == 1:  # variable-length string
        if size != 16:
            raise CorruptError(f"variable-length string type of size {size}")
        return Datatype(VLEN_STRING, True, size)
    if kind == 8:
        return _boolean(buf, offset, limit, size)
    raise Unsupported(f"datatype class {kind}")


def _standard_bits(buf: Buffer, offset: int, limit: int, size: int) -> None:
    if limit < 12 or size not in (1, 2, 4, 8):
        raise Unsupported(f"number of {size} bytes")
    if U16.unpack_from(buf.data, offset + 8)[0] != 0 or U16.unpack_from(buf.data, offset + 10)[0] != 8 * size:
        raise Unsupported("bit offset or precision other than the full width")


def _boolean(buf: Buffer, offset: int, limit: int, size: int) -> Datatype:
    """h5py stores numpy booleans as the enum {FALSE: 0, TRUE: 1} over int8; other enums fall back."""
    version, members = buf.uint(offset, 1) >> 4, U16.unpack_from(buf.data, offset + 1)[0]
    if members != 2 or size != 1 or limit < 20:
        raise Unsupported("enumeration type")
    base = datatype(buf, offset + 8, limit - 8)
    if base.dtype != np.dtype("i1"):
        raise Unsupported("enumeration type")
    pos, names = offset + 20, []
    for _ in range(2):
        end = bytes(buf.view(pos, min(16, offset + limit - pos), "enumeration")).find(b"\0")
        if end < 0:
            raise Unsupported("enumeration type")
        names.append(bytes(buf.view(pos, end, "enumeration")))
        pos += end + 1 if version >= 3 else (end + 8) // 8 * 8
    values = bytes(buf.view(pos, 2, "enumeration"))
    if names != [b"FALSE", b"TRUE"] or values != b"\x00\x01":
        raise Unsupported("enumeration type")
    return Datatype(np.dtype(bool), False, 1)


@dataclass(slots=True)
class Layout:
    """Where a dataset's elements are: inline (compact), in one block, or in chunks."""

    kind: str
    """compact, contiguous, chunked (a B-tree of chunks) or single (one chunk, no index)."""
    address: int = UNDEFINED
    size: int = 0
    chunks: tuple[int, ...] = ()
    mask: int = 0
    """Filters skipped for a single chunk (bit i: the i-th filter of the pipeline)."""


_LAYOUT_HEAD = struct.Struct("<BB")
_CONTIGUOUS = struct.Struct("<QQ")
_CHUNKED = struct.Struct("<BQ")


def layout(buf: Buffer, msg: Message) -> Layout:
    """Decode a data layout message: version 3 (libhdf5's default) or 4 (a chunk index of one chunk)."""
    _, offset, size = msg
    version, kind = _LAYOUT_HEAD.unpack_from(buf.data, offset)
    if version not in (3, 4):
        raise Unsupported(f"data layout message version {version}")
    if kind == 2 and version == 4:
        return _single_chunk(buf, offset + 2)
    if kind == 1:
        return Layout("contiguous", *_CONTIGUOUS.unpack_from(buf.data, offset + 2))
    if kind == 2:
        dims, address = _CHUNKED.unpack_from(buf.data, offset + 2)
        if not 1 <= dims <= MAX_RANK + 1 or 11 + 4 * dims > size:
            raise CorruptError(f"chunked layout of {dims} dimensions")
        return Layout("chunked", address, 0, struct.unpack_from(f"<{dims}I", buf.data, offset + 11))
    if kind == 0:
        compact = U16.unpack_from(buf.data, offset + 2)[0]
        if compact > size - 4:
            raise CorruptError("compact data larger than its message")
        return Layout("compact", offset + 4, compact)
    if kind == 3:
        raise CorruptError("virtual dataset refused (its data would be read from other files)")
    raise CorruptError(f"data layout class {kind}")


def _single_chunk(buf: Buffer, offset: int) -> Layout:
    flags, dims, width = buf.uint(offset, 1), buf.uint(offset + 1, 1), buf.uint(offset + 2, 1)
    if not 1 <= dims <= MAX_RANK + 1 or not 1 <= width <= 8:
        raise CorruptError(f"chunked layout of {dims} dimensions of {width} bytes")
    chunks = tuple(buf.uint(offset + 3 + width * i, width) for i in range(dims))
    pos = offset + 3 + width * dims
    if buf.uint(pos, 1) != 1:
        raise Unsupported("chunk index other than a single chunk")
    if flags & 2:  # a filtered single chunk records its size and filter mask
        size, mask = buf.uint(pos + 1, 8), buf.uint(pos + 9, 4)
        return Layout("single", buf.uint(pos + 13, 8), size, chunks, mask)
    return Layout("single", buf.uint(pos + 1, 8), -1, chunks)


def filters(buf: Buffer, msg: Message) -> tuple[int, ...]:
    """The filter ids of a pipeline, in the order they were applied on writing."""
    _, offset, size = msg
    version, count = buf.uint(offset, 1), buf.uint(offset + 1, 1)
    pos, end, found = offset + (8 if version == 1 else 2), offset + size, []
    if version not in (1, 2):
        raise CorruptError(f"filter pipeline message version {version}")
    for _ in range(count):
        ident = U16.unpack_from(buf.data, pos)[0]
        pos += 2
        name_length = 0
        if version == 1 or ident >= 256:
            name_length = U16.unpack_from(buf.data, pos)[0]
            pos += 2
        values = U16.unpack_from(buf.data, pos + 2)[0]
        pos += 4 + name_length + 4 * values
        if version == 1:
            pos += (-name_length % 8) + (4 if values % 2 else 0)
        if pos > end:
            raise CorruptError("filter pipeline message runs past its end")
        if ident not in (DEFLATE, SHUFFLE):
            raise Unsupported(f"filter {ident}")
        found.append(ident)
    return tuple(found)


def fill_defined(buf: Buffer, msg: Message) -> bool:
    """Whether a fill value message defines a value other than zero (unwritten chunks then read as it)."""
    _, offset, _ = msg
    version = buf.uint(offset, 1)
    if version in (1, 2):
        defined, value = buf.uint(offset + 3, 1), offset + 4
    else:
        defined, value = buf.uint(offset + 1, 1) & 0x20, offset + 2
    if not defined:
        return False
    length = buf.uint(value, 4)
    return any(bytes(buf.view(value + 4, length, "fill value")))


class Link(NamedTuple):
    """A link in a group: its name, kind (hard, soft, external, user-defined) and target address."""

    name: bytes
    kind: str
    address: int
    order: int


_LINK_KINDS = {0: "hard", 1: "soft", 64: "external"}


def link(buf: Buffer, offset: int, size: int) -> Link:
    """Decode a link message (in an object header or in a group's fractal heap)."""
    end = offset + size
    version, flags = buf.uint(offset, 1), buf.uint(offset + 1, 1)
    if version != 1:
        raise CorruptError(f"link message version {version}")
    pos, kind, order = offset + 2, 0, 0
    if flags & 0x08:
        kind = buf.uint(pos, 1)
        pos += 1
    if flags & 0x04:
        order = buf.uint(pos, 8)
        pos += 8
    if flags & 0x10:
        pos += 1
    width = 1 << (flags & 3)
    length = buf.uint(pos, width)
    pos += width
    if length == 0 or pos + length > end:
        raise CorruptError("link name empty or longer than its message")
    name = bytes(buf.view(pos, length, "link name"))
    pos += length
    address = buf.uint(pos, 8) if kind == 0 and pos + 8 <= end else UNDEFINED
    if kind == 0 and address == UNDEFINED:
        raise CorruptError(f"hard link {name!r} without a target")
    return Link(name, _LINK_KINDS.get(kind, "user-defined"), address, order)


def link_info(buf: Buffer, msg: Message) -> tuple[bool, int, int]:
    """(creation order tracked, fractal heap address, name index address) of a new-style group."""
    _, offset, _ = msg
    flags = buf.uint(offset + 1, 1)
    pos = offset + 2 + (8 if flags & 1 else 0)
    return bool(flags & 1), buf.uint(pos, 8), buf.uint(pos + 8, 8)


def symbol_table(buf: Buffer, msg: Message) -> tuple[int, int]:
    """(v1 B-tree address, local heap address) of an old-style group."""
    _, offset, _ = msg
    return U64.unpack_from(buf.data, offset)[0], U64.unpack_from(buf.data, offset + 8)[0]
