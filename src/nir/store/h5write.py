"""Writing NIR files through libhdf5 (h5py), in the reference package's layout.

Uses h5py's low-level API: per-object overhead of the high-level API dominates on
graphs with thousands of small datasets.
"""

from __future__ import annotations

import itertools
import math
import os
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import h5py
import numpy as np
from h5py import h5d, h5g, h5p, h5s, h5t

from nir.errors import NIRArgumentError
from nir.store.tree import Tree

STRING = h5py.string_dtype()
COMPRESS_MIN_BYTES = 4096
"""Arrays at least this large are written with gzip (after byte shuffling); smaller ones are not."""
GZIP_LEVEL = 1


@dataclass(frozen=True)
class Compression:
    """How arrays of at least COMPRESS_MIN_BYTES are stored: gzip at a level, another h5py filter, or plainly."""

    gzip: int | None = GZIP_LEVEL
    """Deflate level (after byte shuffling), compressed by this package in parallel; None for none."""
    h5py_filter: tuple[Any, Any] | None = None
    """(compression, compression_opts) for h5py's own filters (lzf, szip), libhdf5 compressing."""


def compression_plan(compression: Any = "gzip", compression_opts: Any = None) -> Compression:
    """The reference's `compression` and `compression_opts` arguments as a plan; NIRArgumentError if unusable.

    "gzip" (the default) with an optional level 0-9 in `compression_opts`, a bare level 0-9,
    "lzf" or "szip" (when libhdf5 has it), or None / False for none. Either way arrays under
    COMPRESS_MIN_BYTES are stored plainly: compressing them makes the file larger.
    """
    if compression is None or compression is False:
        return Compression(gzip=None)
    if isinstance(compression, int) and not isinstance(compression, bool) and 0 <= compression <= 9:
        return Compression(gzip=compression)
    if compression == "gzip":
        if compression_opts is None:
            return Compression()
        if isinstance(compression_opts, int) and not isinstance(compression_opts, bool) and 0 <= compression_opts <= 9:
            return Compression(gzip=compression_opts)
        raise NIRArgumentError(f"gzip's compression_opts is a level from 0 to 9, not {compression_opts!r}")
    if compression in ("lzf", "szip"):
        try:
            _h5py_filter(h5p.create(h5p.DATASET_CREATE), (1,), np.dtype("f4"), (1,), (compression, compression_opts))
        except (ValueError, TypeError) as err:
            raise NIRArgumentError(f"compression {compression!r}: {err}") from None
        return Compression(gzip=None, h5py_filter=(compression, compression_opts))
    raise NIRArgumentError(f"compression must be 'gzip', 'lzf', 'szip', a gzip level 0-9 or None, not {compression!r}")


def _h5py_filter(dcpl: Any, shape: tuple[int, ...], dtype: np.dtype, chunks: tuple[int, ...], spec: tuple) -> None:
    compression, opts = spec
    h5py.filters.fill_dcpl(
        dcpl, shape, dtype, chunks, compression, opts,
        shuffle=None, fletcher32=None, maxshape=None, scaleoffset=None, external=None,
    )  # fmt: skip


def write_file(f: h5py.File, tree: Tree, attrs: dict[str, Any], plan: Compression = Compression()) -> None:
    """Write a tree into an open, empty file; dicts become groups, values datasets."""
    for key, value in attrs.items():
        f.attrs[key] = value
    _write_group(f.id, tree, plan)


@cache
def _group_plist() -> h5p.PropGCID:
    plist = h5p.create(h5p.GROUP_CREATE)
    plist.set_link_creation_order(h5p.CRT_ORDER_TRACKED | h5p.CRT_ORDER_INDEXED)
    plist.set_obj_track_times(False)  # no timestamps: the same graph gives the same bytes
    return plist


def _write_group(gid: h5g.GroupID, tree: Tree, plan: Compression) -> None:
    for name, value in tree.items():
        raw = name.encode("utf-8")
        if isinstance(value, dict):
            _write_group(h5g.create(gid, raw, gcpl=_group_plist()), value, plan)
        else:
            _write_dataset(gid, raw, value, plan)


def _write_dataset(gid: h5g.GroupID, name: bytes, value: Any, plan: Compression) -> None:
    if isinstance(value, str):
        array = np.array(value, dtype=STRING)
    else:
        array = np.asarray(value)
        if array.dtype.kind in "UOS":
            array = array.astype(STRING)
    tid = _file_type(STRING if array.dtype.kind == "O" else array.dtype)
    space = _space(array.shape)
    compress = array.ndim and array.dtype.kind in "biuf" and array.nbytes >= COMPRESS_MIN_BYTES
    compress = compress and (plan.gzip is not None or plan.h5py_filter is not None)
    chunks = _chunks(array.shape, array.dtype.itemsize) if compress else None
    if chunks is not None and plan.h5py_filter is not None:
        dcpl = h5p.create(h5p.DATASET_CREATE)
        dcpl.set_obj_track_times(False)
        _h5py_filter(dcpl, array.shape, array.dtype, chunks, plan.h5py_filter)
        dsid = h5d.create(gid, name, tid, space, dcpl=dcpl)
        dsid.write(h5s.ALL, h5s.ALL, np.ascontiguousarray(array))
        return
    dsid = h5d.create(gid, name, tid, space, dcpl=_dataset_plist(chunks, plan.gzip))
    if chunks is not None:
        _write_compressed(dsid, np.ascontiguousarray(array), chunks, plan.gzip)
    elif array.size:
        dsid.write(h5s.ALL, h5s.ALL, np.ascontiguousarray(array))


def _write_compressed(dsid: h5d.DatasetID, array: np.ndarray, chunks: tuple[int, ...], level: int) -> None:
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
        if level != GZIP_LEVEL:  # a level the caller chose: zlib's default strategy at that level
            return _deflate(shuffled, zlib.Z_DEFAULT_STRATEGY, level)
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


def _dataset_plist(chunks: tuple[int, ...] | None, level: int | None = GZIP_LEVEL) -> h5p.PropDCID:
    """Creation properties of a dataset: plain, or chunked with gzip after byte shuffling."""
    if chunks is None:
        return _plain_plist()
    plist = h5p.create(h5p.DATASET_CREATE)
    plist.set_obj_track_times(False)
    plist.set_chunk(chunks)
    plist.set_shuffle()
    plist.set_deflate(GZIP_LEVEL if level is None else level)
    return plist


def _deflate(data: bytes, strategy: int, level: int = GZIP_LEVEL) -> bytes:
    packer = zlib.compressobj(level, zlib.DEFLATED, 15, 9, strategy)
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
