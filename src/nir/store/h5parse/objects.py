"""Superblock and object headers: where the root is, and which messages an object holds."""

from __future__ import annotations

import struct

from nir.store.h5parse.base import U8, U16, U64, UNDEFINED, Buffer, CorruptError, NotHDF5Error, Unsupported

SIGNATURE = b"\x89HDF\r\n\x1a\n"
MAX_MESSAGES = 1 << 16
"""More continuation blocks than one object header can have: a header that claims more loops."""

# Header message types (HDF5 file format specification, section IV.A.2).
DATASPACE = 0x01
LINK_INFO = 0x02
DATATYPE = 0x03
FILL_OLD = 0x04
FILL = 0x05
LINK = 0x06
EXTERNAL_FILES = 0x07
LAYOUT = 0x08
FILTERS = 0x0B
CONTINUATION = 0x10
SYMBOL_TABLE = 0x11
_SHARED_FLAG, _FAIL_IF_UNKNOWN = 0x02, 0x80
_KNOWN = set(range(0x19))
"""Every message type the specification defines (0x00 to 0x18), whether the reader uses it or not."""
_V1_PREFIX = struct.Struct("<BBHII")
_V1_MESSAGE = struct.Struct("<HHB3x")


Message = tuple[int, int, int]
"""One header message: (type, offset of its body in the file, size of its body)."""
_KEPT = {DATASPACE, LINK_INFO, DATATYPE, FILL_OLD, FILL, LINK, EXTERNAL_FILES, LAYOUT, FILTERS, SYMBOL_TABLE}
"""The message types the reader looks at; others are skipped (after the checks in _admit)."""


def root_address(buf: Buffer) -> tuple[int, int]:
    """(base address, root object header address) from the superblock."""
    base = 0
    while base + 8 <= buf.size and buf.data[base : base + 8] != SIGNATURE:
        base = 512 if base == 0 else base * 2
    if base + 8 > buf.size:
        raise NotHDF5Error("no HDF5 signature")
    version = buf.uint(base + 8, 1)
    if version in (0, 1):
        if buf.uint(base + 13, 1) != 8 or buf.uint(base + 14, 1) != 8:
            raise Unsupported("offsets or lengths other than 8 bytes")
        fields = base + 24 + (4 if version == 1 else 0)
        base_address, _, eof, driver = (buf.uint(fields + 8 * i, 8) for i in range(4))
        root = buf.uint(fields + 32 + 8, 8)
        if driver != UNDEFINED:
            raise Unsupported("file driver information block")
    elif version in (2, 3):
        if buf.uint(base + 9, 1) != 8 or buf.uint(base + 10, 1) != 8:
            raise Unsupported("offsets or lengths other than 8 bytes")
        buf.verify(base, base + 44, "superblock")
        base_address, extension, eof, root = (buf.uint(base + 12 + 8 * i, 8) for i in range(4))
        if extension != UNDEFINED:
            raise Unsupported("superblock extension")
    else:
        raise Unsupported(f"superblock version {version}")
    if base_address != base:
        raise Unsupported("base address other than the superblock's own")
    if eof > buf.size:  # libhdf5 records the end of file counting the user block
        raise CorruptError(f"truncated file: {buf.size} bytes, but the superblock says {eof}")
    return base, root


def messages(buf: Buffer, address: int) -> list[Message]:
    """The messages of the object header at `address` that the reader uses, continuation blocks followed."""
    data = buf.data
    if data[address : address + 4] == b"OHDR":
        return _messages_v2(buf, address)
    version, _, count, _, size = _V1_PREFIX.unpack_from(data, address)
    if version != 1:
        raise CorruptError(f"object header at byte {address}: unknown version {version}")
    found: list[Message] = []
    blocks = [(address + 16, size)]
    seen = {address + 16}
    seen_count = 0
    unpack = _V1_MESSAGE.unpack_from
    while blocks:
        start, length = blocks.pop(0)
        buf.check(start, length, "object header block")
        pos, end = start, start + length
        while pos + 8 <= end and seen_count < count:
            kind, size_, flags = unpack(data, pos)
            pos += 8
            seen_count += 1
            if pos + size_ > end:
                raise CorruptError(f"object header at byte {address}: message runs past its block")
            if kind in _KEPT and not flags & _SHARED_FLAG:
                found.append((kind, pos, size_))
            elif kind:
                _admit(found, kind, flags, pos, size_, buf, blocks, seen)
            pos += size_
    return found


def _messages_v2(buf: Buffer, address: int) -> list[Message]:
    version, flags = buf.uint(address + 4, 1), buf.uint(address + 5, 1)
    if version != 2:
        raise CorruptError(f"object header at byte {address}: unknown version {version}")
    pos = address + 6 + (16 if flags & 0x20 else 0) + (4 if flags & 0x10 else 0)
    width = 1 << (flags & 3)
    size = buf.uint(pos, width)
    start = pos + width
    buf.verify(address, start + size, "object header")
    ordered = bool(flags & 0x04)
    found: list[Message] = []
    blocks = [(start, start + size)]
    seen = {address}
    while blocks:
        pos, end = blocks.pop(0)
        header = 6 if ordered else 4
        while pos + header <= end:
            kind = U8.unpack_from(buf.data, pos)[0]
            size_ = U16.unpack_from(buf.data, pos + 1)[0]
            mflags = U8.unpack_from(buf.data, pos + 3)[0]
            pos += header
            if pos + size_ > end:
                raise CorruptError(f"object header at byte {address}: message runs past its block")
            before = len(blocks)
            if kind in _KEPT and not mflags & _SHARED_FLAG:
                found.append((kind, pos, size_))
            elif kind:
                _admit(found, kind, mflags, pos, size_, buf, blocks, seen)
            if len(blocks) > before:  # a continuation: its block is signed and checksummed
                block, length = blocks.pop()
                buf.signature(block, b"OCHK", "object header continuation")
                buf.verify(block, block + length - 4, "object header continuation")
                blocks.append((block + 4, block + length - 4))
            pos += size_
    return found


def _admit(
    found: list[Message],
    kind: int,
    flags: int,
    offset: int,
    size: int,
    buf: Buffer,
    blocks: list[tuple[int, int]],
    seen: set[int],
) -> None:
    if len(seen) >= MAX_MESSAGES:
        raise CorruptError("object header has too many continuation blocks")
    if kind not in _KNOWN and flags & _FAIL_IF_UNKNOWN:
        raise Unsupported(f"header message type {kind}")
    if flags & _SHARED_FLAG and kind in (DATASPACE, DATATYPE, FILL, FILTERS):
        raise Unsupported("shared header messages")
    if kind == CONTINUATION:
        if size < 16:
            raise CorruptError("continuation message too short")
        block, length = U64.unpack_from(buf.data, offset)[0], U64.unpack_from(buf.data, offset + 8)[0]
        if block in seen:
            raise CorruptError(f"object header continuation at byte {block} is visited twice (a loop)")
        seen.add(block)
        buf.check(block, length, "object header continuation")
        blocks.append((block, length))
        return
    if kind in _KEPT:
        found.append((kind, offset, size))
