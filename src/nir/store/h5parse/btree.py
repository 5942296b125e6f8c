"""B-trees: version 1 (old-style group entries, data chunks) and version 2 (dense link names)."""

from __future__ import annotations

import struct
from collections.abc import Iterator

from nir.store.h5parse.base import U64, UNDEFINED, Buffer, CorruptError, Unsupported

MAX_LEVELS = 32
"""Deeper than any tree a file of MAX_OBJECTS objects needs: a taller one is corrupt."""

_V1_NODE = struct.Struct("<4sBBHQQ")
_V2_HEADER = struct.Struct("<4sBBIHHBBQHQ")


def v1_children(buf: Buffer, address: int, node_type: int, key_size: int) -> Iterator[tuple[int, int]]:
    """(key offset, child address) of every leaf entry of a version-1 B-tree, in key order."""
    stack, seen = [(address, None)], set()
    while stack:
        node, level_expected = stack.pop()
        if node in seen:
            raise CorruptError(f"B-tree node at byte {node} is reached twice (a loop)")
        seen.add(node)
        buf.check(node, _V1_NODE.size, "B-tree node")
        signature, kind, level, used, _, _ = _V1_NODE.unpack_from(buf.data, node)
        if signature != b"TREE" or kind != node_type:
            raise CorruptError(f"B-tree node at byte {node}: bad signature or node type")
        if level > MAX_LEVELS or (level_expected is not None and level != level_expected):
            raise CorruptError(f"B-tree node at byte {node}: level {level} out of place")
        entry = key_size + 8
        start = node + _V1_NODE.size
        buf.check(start, used * entry + key_size, "B-tree node")
        children = [
            (start + i * entry, U64.unpack_from(buf.data, start + i * entry + key_size)[0]) for i in range(used)
        ]
        if level:
            stack.extend((child, level - 1) for _, child in reversed(children))
        else:
            yield from children


def v2_records(buf: Buffer, address: int, node_type: int) -> Iterator[int]:
    """The offset of every record of a version-2 B-tree (internal nodes hold records too)."""
    buf.check(address, _V2_HEADER.size + 4, "B-tree header")
    signature, version, kind, node_size, record_size, depth, _, _, root, root_count, total = _V2_HEADER.unpack_from(
        buf.data, address
    )
    if signature != b"BTHD" or version != 0 or kind != node_type:
        raise CorruptError(f"B-tree header at byte {address}: bad signature, version or type")
    buf.verify(address, address + _V2_HEADER.size, "B-tree header")
    if depth > MAX_LEVELS or record_size == 0 or node_size < 16:
        raise CorruptError(f"B-tree header at byte {address}: implausible depth or sizes")
    if root == UNDEFINED:
        return
    pointers = _pointer_sizes(node_size, record_size, depth)
    stack, seen, found = [(root, root_count, depth)], set(), 0
    while stack:
        node, count, level = stack.pop()
        if node in seen:
            raise CorruptError(f"B-tree node at byte {node} is reached twice (a loop)")
        seen.add(node)
        signature = b"BTIN" if level else b"BTLF"
        buf.signature(node, signature, "B-tree node")
        if buf.uint(node + 5, 1) != kind:
            raise CorruptError(f"B-tree node at byte {node}: wrong type")
        records = node + 6
        end = records + count * record_size
        if level:
            count_size, total_size = pointers[level]
            step = 8 + count_size + total_size
            end_pointers = end + (count + 1) * step
            buf.verify(node, end_pointers, "B-tree node")
            for i in range(count + 1):
                pos = end + i * step
                child = U64.unpack_from(buf.data, pos)[0]
                stack.append((child, buf.uint(pos + 8, count_size), level - 1))
        else:
            buf.verify(node, end, "B-tree node")
        found += count
        if found > total:
            raise CorruptError(f"B-tree at byte {address} holds more records than its header says")
        yield from range(records, end, record_size)


def _pointer_sizes(node_size: int, record_size: int, depth: int) -> list[tuple[int, int]]:
    """Bytes of (records in child, records in child's subtree) of a child pointer, by node level.

    As libhdf5 computes them (H5B2__hdr_init): the count field is sized for a full leaf, the
    subtree total for a full subtree of the level below.
    """
    leaf_max = (node_size - 10) // record_size
    count_size = _bytes_for(leaf_max)
    sizes, cumulative = [(0, 0)], leaf_max
    for level in range(1, depth + 1):
        total_size = _bytes_for(cumulative) if level > 1 else 0
        pointer = 8 + count_size + total_size
        most = (node_size - 10 - pointer) // (record_size + pointer)
        if most <= 0:
            raise Unsupported("B-tree nodes too small for their records")
        sizes.append((count_size, total_size))
        cumulative = (most + 1) * cumulative + most
    return sizes


def _bytes_for(value: int) -> int:
    return max(value.bit_length(), 1) // 8 + 1 if value else 1
