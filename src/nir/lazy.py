"""Tensors left on disk by a lazy read: the right shape and dtype, no data in memory."""

from __future__ import annotations

from typing import Any

import numpy as np


class LazyTensor(np.ndarray):
    """A read-only placeholder for a dataset that was not read.

    It has the dataset's shape and dtype but occupies no memory (all strides are zero);
    its elements are NOT the file's values. `load()` reads the real data.
    """

    source: tuple[str, bytes]

    @classmethod
    def placeholder(cls, shape: tuple[int, ...], dtype: np.dtype, file: str, dataset: bytes) -> LazyTensor:
        """A zero-memory array of `shape` and `dtype` that remembers where its data lives."""
        view = np.broadcast_to(np.zeros((), dtype=dtype), shape).view(cls)
        view.source = (file, dataset)
        return view

    def __array_finalize__(self, obj: Any) -> None:
        self.source = getattr(obj, "source", ("", b""))

    @property
    def nbytes_on_disk(self) -> int:
        """Size of the data this placeholder stands for, in bytes (uncompressed)."""
        return int(np.prod(self.shape, dtype=np.int64)) * self.dtype.itemsize

    def load(self) -> np.ndarray:
        """Read the dataset's values from the file (NIRFormatError if it cannot be read)."""
        import h5py

        from nir.errors import NIRFormatError

        file, dataset = self.source
        try:
            with h5py.File(file, "r") as f:
                return f[dataset][()]
        except (OSError, KeyError, ValueError, RuntimeError) as err:
            raise NIRFormatError(f"{file}: {dataset.decode('utf-8', 'replace')}: cannot read ({err})") from None


def is_lazy(value: Any) -> bool:
    """Whether `value` is a placeholder whose values were not read."""
    return isinstance(value, LazyTensor)
