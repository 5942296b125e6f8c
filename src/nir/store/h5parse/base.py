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
    return ((x << k) | (x >> (32 - k))) & _MASK


_MASK = 0xFFFFFFFF
_MIX = (4, 6, 8, 16, 19, 4)
_FINAL = (14, 11, 25, 16, 4, 14, 24)


def _mix(a: int, b: int, c: int) -> tuple[int, int, int]:
    """lookup3's mix(): each step is x -= z; x ^= rot(z, k); z += y over the rotating triple."""
    x, y, z = a, b, c
    for k in _MIX:
        x = ((x - z) & _MASK) ^ _rot(z, k)
        z = (z + y) & _MASK
        x, y, z = y, z, x
    return x, y, z


def _final(a: int, b: int, c: int) -> int:
    """lookup3's final(): each step is z ^= y; z -= rot(y, k), rotating through c, a, b."""
    values = [a, b, c]
    target = 2  # c first, then a, b, c, a, b, c
    for k in _FINAL:
        source = (target + 2) % 3
        values[target] = ((values[target] ^ values[source]) - _rot(values[source], k)) & _MASK
        target = (target + 1) % 3
    return values[2]


def lookup3(key: bytes, initval: int = 0) -> int:
    """Bob Jenkins' lookup3 hashlittle, the checksum of HDF5's version-2 metadata blocks."""
    length = len(key)
    a = b = c = (0xDEADBEEF + length + initval) & _MASK
    if length == 0:
        return c
    words = struct.unpack(f"<{(length + 11) // 12 * 3}I", key + bytes(-length % 12))
    for i in range(0, len(words) - 3, 3):
        a, b, c = _mix((a + words[i]) & _MASK, (b + words[i + 1]) & _MASK, (c + words[i + 2]) & _MASK)
    return _final((a + words[-3]) & _MASK, (b + words[-2]) & _MASK, (c + words[-1]) & _MASK)
