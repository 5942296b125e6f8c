"""What every part of the parser shares: its two exceptions, bounds-checked reads, checksums."""

from __future__ import annotations

import struct
from typing import Any

from nir.errors import NIRFormatError

UNDEFINED = 0xFFFF_FFFF_FFFF_FFFF
"""HDF5's 'undefined address' (all bits set) with 8-byte offsets."""

U8 = struct.Struct("<B")
U16 = struct.Struct("<H")
U32 = struct.Struct("<I")
U64 = struct.Struct("<Q")


class CorruptError(NIRFormatError):
    """The file breaks a rule of the HDF5 format: reported as unreadable, never guessed around."""


class NotHDF5Error(CorruptError):
    """The file does not start with HDF5's signature (at any of the offsets a user block allows)."""


class Unsupported(Exception):  # noqa: N818 - a signal to fall back, not an error shown to users
    """Valid HDF5 outside the subset this parser reads: the caller falls back to libhdf5."""


class Buffer:
    """The file's bytes (a bytes object or a read-only mmap) with bounds-checked access."""

    __slots__ = ("data", "size")

    def __init__(self, data: Any) -> None:
        self.data = data
        self.size = len(data)

    def check(self, offset: int, length: int, what: str) -> None:
        """Raise CorruptError unless [offset, offset+length) lies inside the file."""
        if offset < 0 or length < 0 or offset + length > self.size:
            raise CorruptError(
                f"{what} at byte {offset} (+{length}) lies beyond the end of the file ({self.size} bytes)"
            )

    def view(self, offset: int, length: int, what: str) -> memoryview:
        """length bytes at offset, without copying."""
        self.check(offset, length, what)
        return memoryview(self.data)[offset : offset + length]

    def signature(self, offset: int, expected: bytes, what: str) -> None:
        """Raise CorruptError unless the block at offset starts with its 4-byte signature."""
        self.check(offset, 4, what)
        if self.data[offset : offset + 4] != expected:
            raise CorruptError(f"{what} at byte {offset}: expected signature {expected.decode()}")

    def uint(self, offset: int, width: int) -> int:
        """An unsigned little-endian integer of `width` bytes."""
        self.check(offset, width, "integer")
        return int.from_bytes(self.data[offset : offset + width], "little")

    def verify(self, start: int, end: int, what: str) -> None:
        """Check the lookup3 checksum stored in the 4 bytes at `end` over [start, end)."""
        self.check(start, end - start + 4, what)
        stored = U32.unpack_from(self.data, end)[0]
        if lookup3(bytes(self.data[start:end])) != stored:
            raise CorruptError(f"{what} at byte {start}: checksum mismatch")


def _rot(x: int, k: int) -> int:
    return ((x << k) | (x >> (32 - k))) & 0xFFFFFFFF


def lookup3(key: bytes, initval: int = 0) -> int:
    """Bob Jenkins' lookup3 hashlittle, the checksum of HDF5's version-2 metadata blocks."""
    length = len(key)
    a = b = c = (0xDEADBEEF + length + initval) & 0xFFFFFFFF
    if length == 0:
        return c
    padded = key + bytes(-length % 12)
    words = struct.unpack(f"<{len(padded) // 4}I", padded)
    blocks = (length + 11) // 12
    m = 0xFFFFFFFF
    for i in range(blocks - 1):
        a = (a + words[3 * i]) & m
        b = (b + words[3 * i + 1]) & m
        c = (c + words[3 * i + 2]) & m
        a = (a - c) & m
        a ^= _rot(c, 4)
        c = (c + b) & m
        b = (b - a) & m
        b ^= _rot(a, 6)
        a = (a + c) & m
        c = (c - b) & m
        c ^= _rot(b, 8)
        b = (b + a) & m
        a = (a - c) & m
        a ^= _rot(c, 16)
        c = (c + b) & m
        b = (b - a) & m
        b ^= _rot(a, 19)
        a = (a + c) & m
        c = (c - b) & m
        c ^= _rot(b, 4)
        b = (b + a) & m
    i = blocks - 1
    a = (a + words[3 * i]) & m
    b = (b + words[3 * i + 1]) & m
    c = (c + words[3 * i + 2]) & m
    c ^= b
    c = (c - _rot(b, 14)) & m
    a ^= c
    a = (a - _rot(c, 11)) & m
    b ^= a
    b = (b - _rot(a, 25)) & m
    c ^= b
    c = (c - _rot(b, 16)) & m
    a ^= c
    a = (a - _rot(c, 4)) & m
    b ^= a
    b = (b - _rot(a, 14)) & m
    c ^= b
    c = (c - _rot(b, 24)) & m
    return c
