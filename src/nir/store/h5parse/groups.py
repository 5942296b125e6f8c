"""The links of a group, whichever of HDF5's three ways stores them."""

from __future__ import annotations

import struct

from nir.store.h5parse import messages as msgs
from nir.store.h5parse.base import UNDEFINED, Buffer, CorruptError
from nir.store.h5parse.btree import v1_children, v2_records
from nir.store.h5parse.fractal import FractalHeap
from nir.store.h5parse.objects import LINK, LINK_INFO, SYMBOL_TABLE, Message

_ENTRY = struct.Struct("<QQI4x16x")
_LOCAL_HEAP = struct.Struct("<4s4xQ8xQ")
"""Local heap header: signature, (version, reserved), data segment size, (free list), data address."""
_SYMBOL_NODE = struct.Struct("<4s2xH")
_NAME_INDEX = 5
"""Version-2 B-tree type of a dense group's name index (records: name hash, heap id)."""


def links(buf: Buffer, found: list[Message]) -> list[tuple[bytes, str, int]]:
    """(name, kind, address) of the group's links: by creation order where the group tracks it,
    else by name (as libhdf5 lists them)."""
    table = next((m for m in found if m[0] == SYMBOL_TABLE), None)
    if table is not None:
        return sorted(_symbol_table(buf, table))  # by name: names are unique in a group
    info = next((m for m in found if m[0] == LINK_INFO), None)
    ordered, heap, names = msgs.link_info(buf, info) if info is not None else (False, UNDEFINED, UNDEFINED)
    if heap == UNDEFINED:
        result = [msgs.link(buf, offset, size) for kind, offset, size in found if kind == LINK]
    else:
        fractal = FractalHeap(buf, heap)
        result = []
        for record in v2_records(buf, names, _NAME_INDEX):
            offset, length = fractal.object(bytes(buf.view(record + 4, fractal.id_length, "heap id")))
            result.append(msgs.link(buf, offset, length))
    result.sort(key=(lambda link: link.order) if ordered else (lambda link: link.name))
    return [link[:3] for link in result]


def _symbol_table(buf: Buffer, table: Message) -> list[tuple[bytes, str, int]]:
    """(name, kind, address) of an old-style group's links: B-tree of symbol nodes, names in a local heap."""
    tree, heap = msgs.symbol_table(buf, table)
    data = buf.data
    signature, heap_size, heap_data = _LOCAL_HEAP.unpack_from(data, heap)
    if signature != b"HEAP":
        raise CorruptError(f"local heap at byte {heap}: expected signature HEAP")
    buf.check(heap_data, heap_size, "local heap data")
    names = bytes(data[heap_data : heap_data + heap_size])
    result = []
    for _, node in v1_children(buf, tree, 0, 8):
        signature, count = _SYMBOL_NODE.unpack_from(data, node)
        if signature != b"SNOD":
            raise CorruptError(f"symbol table node at byte {node}: expected signature SNOD")
        buf.check(node + 8, count * _ENTRY.size, "symbol table node")
        for name_offset, address, cache in _ENTRY.iter_unpack(data[node + 8 : node + 8 + count * _ENTRY.size]):
            end = names.find(b"\0", name_offset)
            if name_offset >= heap_size or end <= name_offset:
                raise CorruptError(f"symbol table node at byte {node}: name outside its local heap")
            if cache == 2:  # the scratch pad holds a soft link's target: refused by the walk
                result.append((names[name_offset:end], "soft", address))
            elif address == UNDEFINED:
                raise CorruptError(f"symbol table node at byte {node}: entry without an object")
            else:
                result.append((names[name_offset:end], "hard", address))
    return result
