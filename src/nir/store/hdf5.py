"""HDF5 trees: read a file into nested dicts of arrays, write nested dicts back.

Uses h5py's low-level API: per-object overhead of the high-level API dominates on
graphs with thousands of small datasets. Only hard links are followed (soft and external
links are refused, so reading a file never opens another one), every group address is
tracked against cycles, and declared dataset sizes are checked before any allocation.
"""

from __future__ import annotations

import itertools
import math
import os
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

import h5py
import numpy as np
from h5py import h5, h5d, h5g, h5l, h5o, h5p, h5s, h5t

from nir.errors import NIRFormatError
from nir.lazy import LazyTensor
from nir.store import limits

Tree = dict[str, Any]
STRING = h5py.string_dtype()
COMPRESS_MIN_BYTES = 4096
"""Arrays at least this large are written with gzip (after byte shuffling); smaller ones are not."""
GZIP_LEVEL = 1


@dataclass
class ReadContext:
    """State of one read: the file's name (for lazy tensors), limits and counters."""

    filename: str
    lazy: bool = False
    eager_bytes: int = 0
    strings: int = 0
    """Bytes read into memory so far: all datasets together stay within MAX_EAGER_BYTES."""
    ordered: bool = True
    """Whether groups track link creation order (ours do; the reference's do not)."""
    objects: int = 0
    stack: list[tuple[int, int]] = field(default_factory=list)


def read_file(f: h5py.File, lazy: bool = False) -> Tree:
    """The whole file as a tree (datasets as arrays or strings).

    Attributes are not read: the format keeps nothing in them that a reader needs, and a
    corrupt attribute type can crash libhdf5 when decoded.
    """
    ctx = ReadContext(filename=f.filename, lazy=lazy)
    return _read_group(f.id, "", ctx)


def _read_group(gid: h5g.GroupID, path: str, ctx: ReadContext, raw_path: bytes = b"") -> Tree:
    if len(ctx.stack) > limits.MAX_DEPTH:
        raise NIRFormatError(f"{path}: groups are nested deeper than {limits.MAX_DEPTH} levels")
    info = h5o.get_info(gid)
    address = (info.fileno, info.addr)
    if address in ctx.stack:
        raise NIRFormatError(f"{path}: group is linked into itself (a cycle of hard links)")
    ctx.stack.append(address)
    out: Tree = {}
    for raw, kind in _links(gid, ctx, root=not path):
        name = raw.decode("utf-8", "replace")
        where = f"{path}/{name}"
        if len(raw) > limits.MAX_NAME_BYTES:
            raise NIRFormatError(f"{where[:80]}...: name longer than {limits.MAX_NAME_BYTES} bytes")
        if kind != h5l.TYPE_HARD:
            what = {h5l.TYPE_SOFT: "soft", h5l.TYPE_EXTERNAL: "external"}.get(kind, "user-defined")
            raise NIRFormatError(
                f"{where}: {what} link refused (a .nir file may only hold its own groups and datasets)"
            )
        ctx.objects += 1
        if ctx.objects > limits.MAX_OBJECTS:
            raise NIRFormatError(f"file holds more than {limits.MAX_OBJECTS} objects")
        obj = h5o.open(gid, raw)
        if isinstance(obj, h5g.GroupID):
            out[name] = _read_group(obj, where, ctx, raw_path + b"/" + raw)
        elif isinstance(obj, h5d.DatasetID):
            out[name] = _read_dataset(obj, where, ctx, raw_path + b"/" + raw)
        else:
            raise NIRFormatError(f"{where}: neither a group nor a dataset")
    ctx.stack.pop()
    return out


def _links(gid: h5g.GroupID, ctx: ReadContext, root: bool) -> list[tuple[bytes, int]]:
    """(name, link type) of each link, in creation order where the group tracks it, else by name."""
    found: list[tuple[bytes, int]] = []

    def collect(name: bytes, info: Any) -> None:
        found.append((name, info.type))

    if ctx.ordered:
        try:
            gid.links.iterate(collect, idx_type=h5.INDEX_CRT_ORDER, info=True)
            return found
        except (KeyError, ValueError, RuntimeError):
            # A file written without the index has it in no group (the root group never has
            # it): stop asking, since a failed attempt costs more than the iteration itself.
            ctx.ordered = root
            found.clear()
    gid.links.iterate(collect, info=True)
    return found


_NUMERIC: dict[tuple[int, int, int, int], np.dtype] = {}


def _dtype(tid: h5t.TypeID) -> np.dtype:
    """numpy dtype of an HDF5 type; plain numbers take a cached fast path (tid.dtype is slow)."""
    kind = tid.get_class()
    if kind in (h5t.FLOAT, h5t.INTEGER):
        key = (kind, tid.get_size(), tid.get_order(), tid.get_sign() if kind == h5t.INTEGER else tid.get_precision())
        dtype = _NUMERIC.get(key)
        if dtype is None:
            dtype = _NUMERIC[key] = tid.dtype
        return dtype
    return tid.dtype


def _read_dataset(dsid: h5d.DatasetID, where: str, ctx: ReadContext, raw_where: bytes) -> Any:
    shape = dsid.shape
    if shape is None:
        raise NIRFormatError(f"{where}: dataset holds no value (null dataspace)")
    try:
        tid = dsid.get_type()
        dtype = _dtype(tid)
    except (TypeError, ValueError) as err:
        raise NIRFormatError(f"{where}: unsupported data type ({err})") from None
    nbytes = math.prod(shape) * dtype.itemsize
    strings = dtype.kind in "SU" or (dtype.kind == "O" and h5py.check_string_dtype(dtype) is not None)
    if ctx.lazy and not strings and nbytes > limits.LAZY_THRESHOLD_BYTES:
        try:
            return LazyTensor.placeholder(shape, dtype, ctx.filename, raw_where)
        except ValueError as err:  # more elements than numpy can index
            raise NIRFormatError(f"{where}: dataset of shape {shape} cannot be represented ({err})") from None
    if strings:
        ctx.strings += math.prod(shape)
        if ctx.strings > limits.MAX_STRINGS:
            raise NIRFormatError(f"{where}: the file holds more than {limits.MAX_STRINGS} strings")
    ctx.eager_bytes += nbytes
    if ctx.eager_bytes > limits.MAX_EAGER_BYTES:
        raise NIRFormatError(
            f"{where}: dataset of shape {shape} ({nbytes} bytes) takes the file's data past the eager-read "
            f"limit of {limits.MAX_EAGER_BYTES} bytes; open the file with lazy=True"
        )
    if dtype.kind == "V" or (dtype.kind == "O" and not strings):
        raise NIRFormatError(f"{where}: unsupported data type {dtype}")
    array = np.empty(shape, dtype=dtype)
    if array.size:
        try:
            # Numbers are read with the file's own type as memory type (the array matches it
            # exactly), which skips h5py's conversion lookup; strings need h5py's vlen type.
            dsid.read(h5s.ALL, h5s.ALL, array, None if strings else tid)
        except (OSError, RuntimeError, ValueError, TypeError) as err:
            raise NIRFormatError(f"{where}: cannot read dataset ({err})") from None
    if strings:
        return _decode(array)
    return array


def _decode(array: np.ndarray) -> Any:
    """Strings come back as str (a scalar) or an object array of str."""
    if array.ndim == 0:
        return _text(array[()])
    out = np.empty(array.shape, dtype=object)
    flat = out.reshape(-1)
    for i, item in enumerate(array.reshape(-1)):
        flat[i] = _text(item)
    return out


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def write_file(f: h5py.File, tree: Tree, attrs: dict[str, Any]) -> None:
    """Write a tree into an open, empty file; dicts become groups, values datasets."""
    for key, value in attrs.items():
        f.attrs[key] = value
    _write_group(f.id, tree)


@cache
def _group_plist() -> h5p.PropGCID:
    plist = h5p.create(h5p.GROUP_CREATE)
    plist.set_link_creation_order(h5p.CRT_ORDER_TRACKED | h5p.CRT_ORDER_INDEXED)
    plist.set_obj_track_times(False)  # no timestamps: the same graph gives the same bytes
    return plist


def _write_group(gid: h5g.GroupID, tree: Tree) -> None:
    for name, value in tree.items():
        raw = name.encode("utf-8")
        if isinstance(value, dict):
            _write_group(h5g.create(gid, raw, gcpl=_group_plist()), value)
        else:
            _write_dataset(gid, raw, value)


def _write_dataset(gid: h5g.GroupID, name: bytes, value: Any) -> None:
    if isinstance(value, str):
        array = np.array(value, dtype=STRING)
    else:
        array = np.asarray(value)
        if array.dtype.kind in "UOS":
            array = array.astype(STRING)
    tid = _file_type(STRING if array.dtype.kind == "O" else array.dtype)
    space = _space(array.shape)
    compress = array.ndim and array.dtype.kind in "biuf" and array.nbytes >= COMPRESS_MIN_BYTES
    chunks = _chunks(array.shape, array.dtype.itemsize) if compress else None
    dsid = h5d.create(gid, name, tid, space, dcpl=_dataset_plist(chunks))
    if chunks is not None:
        _write_compressed(dsid, np.ascontiguousarray(array), chunks)
    elif array.size:
        dsid.write(h5s.ALL, h5s.ALL, np.ascontiguousarray(array))


def _write_compressed(dsid: h5d.DatasetID, array: np.ndarray, chunks: tuple[int, ...]) -> None:
    """Write every chunk already filtered, compressing chunks in parallel threads.

    The bytes are exactly what HDF5's shuffle and deflate filters produce and undo, so any
    HDF5 reader decodes them. zlib's Huffman-only strategy is about 2.5 times as fast as
    HDF5's own deflate on shuffled floats and compresses trained weights as well; a chunk it
    shrinks little is kept as it is, and one it shrinks a lot (zeros, repeated values, where
    Huffman coding alone stops at 8:1) is recompressed with the run-length strategy. zlib
    releases the GIL, so chunks compress on all cores.
    """
    grid = [range(0, size, step) for size, step in zip(array.shape, chunks, strict=True)]
    origins = list(itertools.product(*grid))

    def encode(origin: tuple[int, ...]) -> bytes:
        window = tuple(slice(o, o + c) for o, c in zip(origin, chunks, strict=True))
        block = array[window]
        if block.shape != chunks:  # edge chunks are stored at full size, padded
            padded = np.zeros(chunks, dtype=array.dtype)
            padded[tuple(slice(0, s) for s in block.shape)] = block
            block = padded
        shuffled = np.ascontiguousarray(block).view(np.uint8).reshape(-1, array.dtype.itemsize).T.tobytes()
        packed = _deflate(shuffled, zlib.Z_HUFFMAN_ONLY)
        return _deflate(shuffled, zlib.Z_RLE) if len(packed) < len(shuffled) // 4 else packed

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        for origin, data in zip(origins, pool.map(encode, origins), strict=True):
            dsid.write_direct_chunk(origin, data)


@cache
def _file_type(dtype: np.dtype) -> h5t.TypeID:
    return h5t.py_create(dtype, logical=True)


@lru_cache(maxsize=4096)
def _space(shape: tuple[int, ...]) -> h5s.SpaceID:
    return h5s.create_simple(shape) if shape else h5s.create(h5s.SCALAR)


@cache
def _plain_plist() -> h5p.PropDCID:
    plist = h5p.create(h5p.DATASET_CREATE)
    plist.set_obj_track_times(False)  # no timestamps: the same graph gives the same bytes
    return plist


def _dataset_plist(chunks: tuple[int, ...] | None) -> h5p.PropDCID:
    """Creation properties of a dataset: plain, or chunked with gzip after byte shuffling."""
    if chunks is None:
        return _plain_plist()
    plist = h5p.create(h5p.DATASET_CREATE)
    plist.set_obj_track_times(False)
    plist.set_chunk(chunks)
    plist.set_shuffle()
    plist.set_deflate(GZIP_LEVEL)
    return plist


def _deflate(data: bytes, strategy: int) -> bytes:
    packer = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 15, 9, strategy)
    return packer.compress(data) + packer.flush()


def _chunks(shape: tuple[int, ...], itemsize: int, target: int = 1024**2) -> tuple[int, ...]:
    """Chunk shape of about `target` bytes: whole trailing rows, as many leading rows as fit."""
    chunk = list(shape)
    for i in range(len(chunk)):
        rest = math.prod(chunk[i + 1 :]) * itemsize
        if math.prod(chunk[i:]) * itemsize <= target:
            break
        chunk[i] = max(1, target // max(rest, 1))
        if rest > target:
            chunk[i] = 1
    return tuple(max(1, c) for c in chunk)
