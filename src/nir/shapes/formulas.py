"""Output-shape formulas named by `x-nir-formula`; each is defined in its unit's schema description.

A formula maps a node's values (schema field name -> normalised value, see `rules.view`) and
its (channel-first, batch-free) input shape to its output shape, raising ShapeError when the
input cannot be processed and UnknownValueError when a value it needs is missing or unreadable.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from nir.errors import ShapeError
from nir.shapes.symbols import fmt

Formula = Callable[[str, Mapping[str, Any], tuple[int, ...]], tuple[int, ...]]


class UnknownValueError(Exception):
    """A value the formula needs is missing or unreadable (already a finding): the output shape is unknown."""


def _need(values: Mapping[str, Any], name: str) -> Any:
    value = values.get(name)
    if value is None:
        raise UnknownValueError(name)
    return value


def _known(shape: tuple[int | None, ...]) -> tuple[int, ...]:
    """The shape, every size of which the formula needs: UnknownValueError if one is missing."""
    if None in shape:
        raise UnknownValueError("input")
    return shape


def _per_dim(value: Any, ndim: int) -> tuple[int, ...]:
    if isinstance(value, (tuple, list)):
        return tuple(int(v) for v in value)
    return (int(value),) * ndim


def window_lengths(spatial, kernel, stride, padding, dilation) -> tuple[int, ...]:
    """PyTorch's output length per spatial dimension: floor((L + 2p - d(k - 1) - 1) / s) + 1 (not checked)."""
    return tuple(
        (length + 2 * p - d * (k - 1) - 1) // s + 1
        for length, k, s, p, d in zip(spatial, kernel, stride, padding, dilation, strict=True)
    )


def _window(unit: str, spatial, kernel, stride, padding, dilation) -> tuple[int, ...]:
    for length, k, p, d in zip(spatial, kernel, padding, dilation, strict=True):
        span = d * (k - 1) + 1
        if length + 2 * p < span:
            raise ShapeError(
                f"{unit}: kernel extent {span} is larger than the padded input length {length + 2 * p}",
                "invalid-parameter",
            )
    return window_lengths(spatial, kernel, stride, padding, dilation)


def conv(unit: str, values: Mapping[str, Any], input_shape: tuple[int, ...]) -> tuple[int, ...]:
    """PyTorch convolution: see the `conv` formula in the Conv1d/Conv2d schema."""
    ndim = len(input_shape) - 1  # the unit's input pattern: channels, then its spatial dimensions
    weight = _need(values, "weight").shape
    if len(weight) != ndim + 2:
        raise UnknownValueError("weight")  # a kernel of the wrong rank: its own finding says so
    spatial = _known(input_shape[1:])
    groups = values.get("groups")
    if groups is not None and weight[0] % groups:
        raise ShapeError(
            f"{unit}: groups={groups} does not divide the {weight[0]} output channels", "invalid-parameter"
        )
    stride = _per_dim(_need(values, "stride"), ndim)
    dilation = _per_dim(_need(values, "dilation"), ndim)
    padding = _need(values, "padding")
    if padding == "same":
        if any(s != 1 for s in stride):
            raise ShapeError(f"{unit}: padding 'same' needs stride 1, not {values['stride']}", "invalid-parameter")
        return (weight[0], *spatial)
    padding = (0,) * ndim if padding == "valid" else _per_dim(padding, ndim)
    return (weight[0], *_window(unit, spatial, weight[2:], stride, padding, dilation))


def pool(unit: str, values: Mapping[str, Any], input_shape: tuple[int, ...]) -> tuple[int, ...]:
    """PyTorch 2-d pooling: see the `pool` formula in the pooling schemas."""
    if len(input_shape) != 3:
        raise ShapeError(f"{unit}: input has shape {fmt(input_shape)} but needs 3 dimensions (channels, height, width)")
    kernel, stride, padding = (_per_dim(_need(values, k), 2) for k in ("kernel_size", "stride", "padding"))
    return (input_shape[0], *_window(unit, _known(input_shape[1:]), kernel, stride, padding, (1, 1)))


def flatten(unit: str, values: Mapping[str, Any], input_shape: tuple[int, ...]) -> tuple[int, ...]:
    """Flatten start_dim..end_dim: see the `flatten` formula in the Flatten schema."""
    ndim = len(_known(input_shape))
    start, end = int(_need(values, "start_dim")), int(_need(values, "end_dim"))
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
