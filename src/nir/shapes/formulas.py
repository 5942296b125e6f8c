"""Output-shape formulas named by `x-nir-formula`; each is defined in its unit's schema description.

A formula maps a node and its (channel-first, batch-free) input shape to its output shape,
raising ShapeError when the input cannot be processed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from nir.errors import ShapeError
from nir.shapes.symbols import fmt

Formula = Callable[[Any, tuple[int, ...]], tuple[int, ...]]


def _per_dim(value: Any, ndim: int) -> tuple[int, ...]:
    if isinstance(value, (tuple, list)):
        return tuple(int(v) for v in value)
    return (int(value),) * ndim


def _window(unit: str, spatial, kernel, stride, padding, dilation) -> tuple[int, ...]:
    out = []
    for length, k, s, p, d in zip(spatial, kernel, stride, padding, dilation, strict=True):
        span = d * (k - 1) + 1
        if length + 2 * p < span:
            raise ShapeError(
                f"{unit}: kernel extent {span} is larger than the padded input length {length + 2 * p}",
                "invalid-parameter",
            )
        out.append((length + 2 * p - span) // s + 1)
    return tuple(out)


def conv(node: Any, input_shape: tuple[int, ...]) -> tuple[int, ...]:
    """PyTorch convolution: see the `conv` formula in the Conv1d/Conv2d schema."""
    unit = type(node).__name__
    weight = node.weight.shape
    ndim = len(weight) - 2
    if len(input_shape) != ndim + 1:
        raise ShapeError(
            f"{unit}: input has shape {fmt(input_shape)} but needs {ndim + 1} dimensions (channels and {ndim} spatial)"
        )
    spatial = input_shape[1:]
    groups = int(node.groups)
    if weight[0] % groups:
        raise ShapeError(
            f"{unit}: groups={groups} does not divide the {weight[0]} output channels", "invalid-parameter"
        )
    stride = _per_dim(node.stride, ndim)
    dilation = _per_dim(node.dilation, ndim)
    if node.padding == "same":
        if any(s != 1 for s in stride):
            raise ShapeError(f"{unit}: padding 'same' needs stride 1, not {node.stride}", "invalid-parameter")
        return (weight[0], *spatial)
    padding = (0,) * ndim if node.padding == "valid" else _per_dim(node.padding, ndim)
    return (weight[0], *_window(unit, spatial, weight[2:], stride, padding, dilation))


def pool(node: Any, input_shape: tuple[int, ...]) -> tuple[int, ...]:
    """PyTorch 2-d pooling: see the `pool` formula in the pooling schemas."""
    unit = type(node).__name__
    if len(input_shape) != 3:
        raise ShapeError(f"{unit}: input has shape {fmt(input_shape)} but needs 3 dimensions (channels, height, width)")
    kernel, stride, padding = (_per_dim(v, 2) for v in (node.kernel_size, node.stride, node.padding))
    return (input_shape[0], *_window(unit, input_shape[1:], kernel, stride, padding, (1, 1)))


def flatten(node: Any, input_shape: tuple[int, ...]) -> tuple[int, ...]:
    """Flatten start_dim..end_dim: see the `flatten` formula in the Flatten schema."""
    ndim = len(input_shape)
    start, end = int(node.start_dim), int(node.end_dim)
    a = start + ndim if start < 0 else start
    b = end + ndim if end < 0 else end
    if not (0 <= a < ndim and 0 <= b < ndim) or a > b:
        raise ShapeError(
            f"Flatten: start_dim={start} and end_dim={end} do not select dimensions "
            f"of an input of shape {fmt(input_shape)}",
            "invalid-parameter",
        )
    return (*input_shape[:a], math.prod(input_shape[a : b + 1]), *input_shape[b + 1 :])


FORMULAS: dict[str, Formula] = {"conv": conv, "pool": pool, "flatten": flatten}
