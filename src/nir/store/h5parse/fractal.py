"""Fractal heaps: where a dense group keeps its link messages."""

from __future__ import annotations

import bisect
import struct

from nir.store.h5parse.base import UNDEFINED, Buffer, CorruptError, Unsupported, lookup3

_HEADER = struct.Struct("<4sBHHBI" + "Q" * 12 + "HQQHHQH")
MAX_BLOCKS = 1 << 20
"""More direct blocks than a heap of MAX_OBJECTS links needs: a heap that claims more is corrupt."""


class FractalHeap:
    """The managed objects of one fractal heap, found by heap id."""

    def __init__(self, buf: Buffer, address: int) -> None:
        buf.check(address, _HEADER.size + 4, "fractal heap header")
        fields = _HEADER.unpack_from(buf.data, address)
        signature, version, self.id_length, filter_length, flags, max_managed = fields[:6]
        width, start, max_direct, max_heap_bits, _, root, root_rows = fields[18:]
        if signature != b"FRHP" or version != 0:
            raise CorruptError(f"fractal heap at byte {address}: bad signature or version")
        if filter_length:
            raise Unsupported("filtered fractal heap")
        buf.verify(address, address + _HEADER.size, "fractal heap header")
        if not _power_of_two(width) or not _power_of_two(start) or not _power_of_two(max_direct):
            raise CorruptError(f"fractal heap at byte {address}: table sizes are not powers of two")
        if max_direct < start or not 0 < max_heap_bits <= 64 or max_managed == 0:
            raise CorruptError(f"fractal heap at byte {address}: implausible sizes")
        self.buf, self.checksummed = buf, bool(flags & 2)
        self.offset_bytes = (max_heap_bits + 7) // 8
        self.length_bytes = min((max_direct.bit_length() - 1 + 7) // 8, (max_managed.bit_length() - 1) // 8 + 1)
        self.width, self.start, self.address = width, start, address
        self.direct_rows = (max_direct.bit_length() - start.bit_length()) + 2
        self.starts: list[int] = []
        self.blocks: list[tuple[int, int]] = []
        if root == UNDEFINED:
            return
        if root_rows == 0:
            self._direct(root, 0, start)
        else:
            self._indirect(root, 0, root_rows, set())
        order = sorted(range(len(self.starts)), key=self.starts.__getitem__)
        self.starts = [self.starts[i] for i in order]
        self.blocks = [self.blocks[i] for i in order]

    def _row_size(self, row: int) -> int:
        return self.start if row == 0 else self.start << (row - 1)

    def _direct(self, address: int, offset: int, size: int) -> None:
        if len(self.starts) >= MAX_BLOCKS:
            raise CorruptError("fractal heap holds too many blocks")
        header = 5 + 8 + self.offset_bytes
        self.buf.signature(address, b"FHDB", "fractal heap block")
        self.buf.check(address, size, "fractal heap block")
        if self.buf.uint(address + 13, self.offset_bytes) != offset:
            raise CorruptError(f"fractal heap block at byte {address}: wrong heap offset")
        if self.checksummed:
            block = bytearray(self.buf.view(address, size, "fractal heap block"))
            stored = bytes(block[header : header + 4])
            block[header : header + 4] = bytes(4)
            if lookup3(bytes(block)).to_bytes(4, "little") != stored:
                raise CorruptError(f"fractal heap block at byte {address}: checksum mismatch")
        self.starts.append(offset)
        self.blocks.append((address, size))

    def _indirect(self, address: int, offset: int, rows: int, seen: set[int]) -> None:
        if address in seen or rows > 64:
            raise CorruptError(f"fractal heap indirect block at byte {address}: a loop or too many rows")
        seen.add(address)
        self.buf.signature(address, b"FHIB", "fractal heap indirect block")
        if self.buf.uint(address + 13, self.offset_bytes) != offset:
            raise CorruptError(f"fractal heap indirect block at byte {address}: wrong heap offset")
        entries = address + 13 + self.offset_bytes
        count = rows * self.width
        self.buf.verify(address, entries + 8 * count, "fractal heap indirect block")
        position = offset
        for i in range(count):
            row = i // self.width
            size = self._row_size(row)
            child = self.buf.uint(entries + 8 * i, 8)
            if child != UNDEFINED:
                if row < self.direct_rows:
                    self._direct(child, position, size)
                else:
                    child_rows = (size.bit_length() - 1) - (self.start * self.width).bit_length() + 2
                    self._indirect(child, position, child_rows, seen)
            position += size

    def object(self, heap_id: bytes) -> tuple[int, int]:
        """(file offset, length) of the managed object a heap id names."""
        if len(heap_id) < 1 + self.offset_bytes + self.length_bytes:
            raise CorruptError("fractal heap id too short")
        kind = (heap_id[0] >> 4) & 3
        if heap_id[0] >> 6 or kind != 0:
            raise Unsupported("huge or tiny fractal heap objects")
        offset = int.from_bytes(heap_id[1 : 1 + self.offset_bytes], "little")
        length = int.from_bytes(heap_id[1 + self.offset_bytes : 1 + self.offset_bytes + self.length_bytes], "little")
        i = bisect.bisect_right(self.starts, offset) - 1
        if i < 0:
            raise CorruptError(f"fractal heap offset {offset} lies in no block")
        address, size = self.blocks[i]
        inside = offset - self.starts[i]
        if inside < 13 + self.offset_bytes or inside + length > size:
            raise CorruptError(f"fractal heap object at heap offset {offset} (+{length}) lies outside its block")
        return address + inside, length


def _power_of_two(value: int) -> bool:
    return value > 0 and value & (value - 1) == 0
