"""Global heap collections: where variable-length strings live.

Read with explicit bounds: a corrupt collection makes libhdf5 loop or allocate gigabytes
inside one call (HDFGroup/hdf5#1707), so this parser never hands such a file to it.
"""

from __future__ import annotations

import struct

from nir.store.h5parse.base import Buffer, CorruptError

_OBJECT = struct.Struct("<HH4xQ")


class GlobalHeap:
    """Objects of every collection the file's strings refer to, each collection parsed once."""

    def __init__(self, buf: Buffer) -> None:
        self.buf = buf
        self.collections: dict[int, dict[int, tuple[int, int]]] = {}

    def get(self, address: int, index: int, length: int) -> bytes:
        """The first `length` bytes of object `index` in the collection at `address`."""
        objects = self.collections.get(address)
        if objects is None:
            objects = self.collections[address] = self._parse(address)
        found = objects.get(index)
        if found is None:
            raise CorruptError(f"global heap collection at byte {address} has no object {index}")
        start, size = found
        if length > size:
            raise CorruptError(f"string of {length} bytes in a global heap object of {size}")
        return bytes(self.buf.data[start : start + length])  # inside its collection, inside the file

    def _parse(self, address: int) -> dict[int, tuple[int, int]]:
        buf = self.buf
        buf.signature(address, b"GCOL", "global heap collection")
        if buf.uint(address + 4, 1) != 1:
            raise CorruptError(f"global heap collection at byte {address}: unknown version")
        size = buf.uint(address + 8, 8)
        buf.check(address, size, "global heap collection")
        objects: dict[int, tuple[int, int]] = {}
        pos, end = address + 16, address + size
        while pos + _OBJECT.size <= end:
            index, _, length = _OBJECT.unpack_from(buf.data, pos)
            if index == 0:  # the free space: last, and its size (header included) reaches the end
                if pos + length != end:
                    raise CorruptError(f"global heap collection at byte {address}: its size disagrees with its objects")
                return objects
            data = pos + _OBJECT.size
            if length > end - data:
                raise CorruptError(f"global heap object {index} at byte {pos} runs past its collection")
            objects[index] = (data, length)
            pos = data + length + (-length % 8)
        if not 0 <= end - pos < _OBJECT.size:  # a full collection ends with a gap too small for an object
            raise CorruptError(f"global heap collection at byte {address}: its size disagrees with its objects")
        return objects
