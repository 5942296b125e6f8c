"""The links of a group, whichever of HDF5's three ways stores them."""

from __future__ import annotations

import struct

from nir.store.h5parse import messages as msgs
from nir.store.h5parse.base import UNDEFINED, Buffer, CorruptError
from nir.store.h5parse.btree import v1_children, v2_records
from nir.store.h5parse.fractal import FractalHeap
from nir.store.h5parse.objects import LINK, LINK_INFO, SYMBOL_TABLE, Message

_ENTRY = struct.Struct("<QQI4x16x")
_NAME_INDEX = 5
"""Version-2 B-tree type of a dense group's name index (records: name hash, heap id)."""


def links(buf: Buffer, found: list[Message]) -> list[msgs.Link]:
    """The group's links: by creation order where the group tracks it, else by name (as libhdf5 lists them)."""
    table = next((m for m in found if m[0] == SYMBOL_TABLE), None)
    if table is not None:
        return sorted(_symbol_table(buf, table), key=lambda link: link.name)
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
    return result


def _symbol_table(buf: Buffer, table: Message) -> list[msgs.Link]:
    """Links of an old-style group: B-tree of symbol nodes, names in a local heap."""
    tree, heap = msgs.symbol_table(buf, table)
    buf.signature(heap, b"HEAP", "local heap")
    heap_size, heap_data = buf.uint(heap + 8, 8), buf.uint(heap + 24, 8)
    names = bytes(buf.view(heap_data, heap_size, "local heap data"))
    result = []
    for _, node in v1_children(buf, tree, 0, 8):
        buf.signature(node, b"SNOD", "symbol table node")
        count = buf.uint(node + 6, 2)
        buf.check(node + 8, count * _ENTRY.size, "symbol table node")
        for i in range(count):
            name_offset, address, cache = _ENTRY.unpack_from(buf.data, node + 8 + i * _ENTRY.size)
            end = names.find(b"\0", name_offset)
            if name_offset >= heap_size or end <= name_offset:
                raise CorruptError(f"symbol table node at byte {node}: name outside its local heap")
            kind = "soft" if cache == 2 else "hard"
            if kind == "hard" and address == UNDEFINED:
                raise CorruptError(f"symbol table node at byte {node}: entry without an object")
            result.append(msgs.Link(names[name_offset:end], kind, address, 0))
    return result
