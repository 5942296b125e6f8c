"""Walking an HDF5 file into a tree of dicts, with the reader's limits, whatever parses the file.

Two sources implement the `Source` protocol: `h5parse.reader` (this package's own parser of
the HDF5 subset NIR files use) and `hdf5.H5pySource` (libhdf5 through h5py, for everything
else). The walk, the limits and the error messages are the same for both.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from nir import limits
from nir.errors import NIRFormatError
from nir.lazy import LazyTensor, Loader

Tree = dict[str, Any]


class Source(Protocol):
    """What a walk needs from a parsed HDF5 file; handles (group, dataset, target) are the source's own."""

    filename: str
    errors: tuple[type[Exception], ...]
    """Exceptions of the source's own that mean a malformed file (reported as NIRFormatError)."""

    def root(self) -> Any:
        """The root group."""

    def identity(self, group: Any) -> Hashable:
        """Where the group lives in the file (the same group reached twice has the same identity)."""

    def links(self, group: Any) -> list[tuple[bytes, str, Any]]:
        """(name, kind, target) of each link: kind is hard, soft, external or user-defined."""

    def open(self, group: Any, name: bytes, target: Any) -> tuple[str, Any]:
        """The linked object as ("group" | "dataset" | "other", handle)."""

    def describe(self, dataset: Any) -> tuple[tuple[int, ...] | None, np.dtype, bool]:
        """(shape or None for a null dataspace, numpy dtype, holds strings)."""

    def read(self, dataset: Any) -> Any:
        """The values: an array of numbers, or str / an object array of str."""


class _LocatedError(NIRFormatError):
    """An error the walk raised itself, its location already in the message."""


@dataclass
class _Walk:
    source: Source
    loader: Loader | None
    """Reads a dataset left on disk later; None for an eager read."""
    at: tuple[str, bytes | None] = ("", None)
    """The object being read (its group's path, its name): a source's own errors do not know
    where they happened. Kept unformatted, as `where` formats it only for an error."""
    eager_bytes: int = 0
    """Bytes read into memory so far: all datasets together stay within MAX_EAGER_BYTES."""
    strings: int = 0
    objects: int = 0
    stack: list[Hashable] = field(default_factory=list)

    @property
    def where(self) -> str:
        """The path of the object being read."""
        return _where(*self.at)


def read_tree(source: Source, loader: Loader | None = None) -> Tree:
    """The whole file as a tree (datasets as arrays or strings; large ones left on disk, read by `loader`, if given).

    Attributes are not read: the format keeps nothing in them that a reader needs, and a
    corrupt attribute type can crash libhdf5 when decoded.
    """
    walk = _Walk(source, loader)
    try:
        return _group(walk, source.root(), "", b"")
    except _LocatedError as err:
        raise NIRFormatError(str(err)) from None
    except (NIRFormatError, *source.errors) as err:
        raise NIRFormatError(f"{walk.where}: {err}") from None


def _where(path: str, name: bytes | None) -> str:
    """The path of an object, from its group's path and its name (None: the group itself)."""
    if name is None:
        return path or "/"
    return f"{path}/{name.decode('utf-8', 'replace')}"


def _group(walk: _Walk, group: Any, path: str, raw_path: bytes) -> Tree:
    source = walk.source
    if len(walk.stack) > limits.MAX_DEPTH:
        raise _LocatedError(f"{path}: groups are nested deeper than {limits.MAX_DEPTH} levels")
    walk.at = (path, None)
    identity = source.identity(group)
    if identity in walk.stack:
        raise _LocatedError(f"{path}: group is linked into itself (a cycle of hard links)")
    walk.stack.append(identity)
    links = source.links(group)
    walk.objects += len(links)
    if walk.objects > limits.MAX_OBJECTS:
        raise _LocatedError(f"file holds more than {limits.MAX_OBJECTS} objects")
    out: Tree = {}
    for raw, kind, target in links:
        walk.at = (path, raw)
        if len(raw) > limits.MAX_NAME_BYTES:
            raise _LocatedError(f"{walk.where[:80]}...: name longer than {limits.MAX_NAME_BYTES} bytes")
        if kind != "hard":
            raise _LocatedError(
                f"{walk.where}: {kind} link refused (a .nir file may only hold its own groups and datasets)"
            )
        what, handle = source.open(group, raw, target)
        name = raw.decode("utf-8", "replace")
        if what == "dataset":
            out[name] = _dataset(walk, handle, raw_path, raw)
        elif what == "group":
            out[name] = _group(walk, handle, f"{path}/{name}", raw_path + b"/" + raw)
        else:
            raise _LocatedError(f"{walk.where}: neither a group nor a dataset")
    walk.stack.pop()
    walk.at = (path, None)
    return out


def _dataset(walk: _Walk, dataset: Any, raw_path: bytes, raw: bytes) -> Any:
    """A dataset's value (or lazy placeholder), after the limits; `raw_path`/`raw` locate it."""
    shape, dtype, strings = walk.source.describe(dataset)
    if shape is None:
        raise _LocatedError(f"{walk.where}: dataset holds no value (null dataspace)")
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes == 0:
        try:  # no data, but numpy must still be able to index the shape, e.g. not (0, 2**62)
            np.empty(shape, dtype=dtype)
        except ValueError as err:
            raise _LocatedError(f"{walk.where}: dataset of shape {shape} cannot be represented ({err})") from None
    if walk.loader is not None and not strings and nbytes > limits.LAZY_THRESHOLD_BYTES:
        try:
            return LazyTensor.placeholder(shape, dtype, walk.source.filename, raw_path + b"/" + raw, walk.loader)
        except ValueError as err:  # more elements than numpy can index
            raise _LocatedError(f"{walk.where}: dataset of shape {shape} cannot be represented ({err})") from None
    if strings:
        walk.strings += math.prod(shape)
        if walk.strings > limits.MAX_STRINGS:
            raise _LocatedError(f"{walk.where}: the file holds more than {limits.MAX_STRINGS} strings")
    walk.eager_bytes += nbytes
    if walk.eager_bytes > limits.MAX_EAGER_BYTES:
        raise _LocatedError(
            f"{walk.where}: dataset of shape {shape} ({nbytes} bytes) takes the file's data past the eager-read "
            f"limit of {limits.MAX_EAGER_BYTES} bytes; open the file with lazy=True"
        )
    return walk.source.read(dataset)


def texts(array: np.ndarray) -> Any:
    """Strings read as bytes (or str) become str (a scalar) or an object array of str."""
    if array.ndim == 0:
        return _text(array[()])
    out = np.empty(array.shape, dtype=object)
    out.reshape(-1)[:] = [_text(item) for item in array.reshape(-1).tolist()]
    return out


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
