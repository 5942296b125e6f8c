"""`nir.ir.utils`, the reference package's shape helpers, which converters import.

They compute what the reference's do, with this package's shape formulas: one formula per
operation, whichever API asks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nir.errors import NIRArgumentError
from nir.shapes.formulas import FORMULAS, window_lengths


def parse_shape_argument(x: Any, key: str) -> dict[str, Any]:
    """A shape argument as a port dictionary `{key: shape}` (a dictionary is returned as it is)."""
    if isinstance(x, np.ndarray):
        return {key: x}
    if isinstance(x, dict):
        return x
    if isinstance(x, Sequence) and not isinstance(x, str):
        return {key: np.array(x)}
    return {key: None}


def _index_tuple(value: Any, index: int) -> Any:
    """`value[index]` of an array or sequence; an integer stands for every index (as a 1-element array)."""
    if isinstance(value, np.ndarray):
        return value[index]
    if isinstance(value, Sequence) and not isinstance(value, str):
        return np.array(value[index])
    if isinstance(value, int | np.integer):
        return np.array([value])
    try:
        return value[index]
    except TypeError:
        raise NIRArgumentError(f"expected an integer or an array, not {type(value).__name__}") from None


def calculate_conv_output(
    input_shape: int | Sequence[int],
    padding: int | str | Sequence[int],
    dilation: int | Sequence[int],
    kernel_size: int | Sequence[int],
    stride: int | Sequence[int],
) -> np.ndarray:
    """The spatial output shape of a convolution (PyTorch's formula; 'same' keeps, 'valid' means no padding)."""
    ndim = 1 if isinstance(input_shape, int | np.integer) else len(input_shape)
    if isinstance(padding, str) and padding == "same":
        return np.array([int(np.asarray(_index_tuple(input_shape, i)).reshape(-1)[0]) for i in range(ndim)])
    if isinstance(padding, str) and padding == "valid":
        padding = [0] * ndim
    per_dim = [
        [int(np.asarray(_index_tuple(v, i)).reshape(-1)[0]) for i in range(ndim)]
        for v in (input_shape, kernel_size, stride, padding, dilation)
    ]
    return np.array(window_lengths(*per_dim))


def calc_flatten_output(input_shape: Sequence[int], start_dim: int, end_dim: int) -> np.ndarray:
    """The shape after flattening dimensions `start_dim` to `end_dim` of `input_shape`."""
    shape = tuple(int(x) for x in input_shape)
    return np.array(FORMULAS["flatten"]("Flatten", {"start_dim": start_dim, "end_dim": end_dim}, shape))


def ensure_str(a: str | bytes) -> str:
    """A string, decoding UTF-8 bytes."""
    if isinstance(a, bytes):
        return a.decode("utf8")
    if isinstance(a, str):
        return a
    raise NIRArgumentError(f"Unexpected non-string type encountered: {type(a)}")


__all__ = ["calc_flatten_output", "calculate_conv_output", "ensure_str", "parse_shape_argument"]
