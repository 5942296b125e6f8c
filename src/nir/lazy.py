"""Tensors left on disk by a lazy read: the right shape and dtype, no data in memory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

Loader = Callable[[str, bytes], np.ndarray]
"""Reads a dataset's values: (file, dataset path) -> array, or NIRFormatError."""


class LazyTensor(np.ndarray):
    """A read-only placeholder for a dataset that was not read.

    It has the dataset's shape and dtype but occupies no memory (all strides are zero);
    its elements are NOT the file's values. `load()` reads the real data with the loader the
    reader that made it gave (this module knows no file format).
    """

    source: tuple[str, bytes]
    loader: Loader | None

    @classmethod
    def placeholder(
        cls, shape: tuple[int, ...], dtype: np.dtype, file: str, dataset: bytes, loader: Loader
    ) -> LazyTensor:
        """A zero-memory array of `shape` and `dtype` that remembers where its data lives and how to read it."""
        view = np.broadcast_to(np.zeros((), dtype=dtype), shape).view(cls)
        view.source = (file, dataset)
        view.loader = loader
        return view

    def __array_finalize__(self, obj: Any) -> None:
        self.source = getattr(obj, "source", ("", b""))
        self.loader = getattr(obj, "loader", None)

    @property
    def nbytes_on_disk(self) -> int:
        """Size of the data this placeholder stands for, in bytes (uncompressed)."""
        return int(np.prod(self.shape, dtype=np.int64)) * self.dtype.itemsize

    def load(self) -> np.ndarray:
        """Read the dataset's values from the file (NIRFormatError if it cannot be read)."""
        from nir.errors import NIRFormatError

        if self.loader is None:
            raise NIRFormatError(f"{self.source[0]}: a lazy tensor without a reader cannot be loaded")
        return self.loader(*self.source)


def is_lazy(value: Any) -> bool:
    """Whether `value` is a placeholder whose values were not read."""
    return isinstance(value, LazyTensor)
