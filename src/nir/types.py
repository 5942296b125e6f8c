"""Python representations of the spec's shared value types (tensors, shapes, pairs).

The code generator maps the schema's shared definitions onto these annotated types
(see `codegen/generate.py`); each accepts the loose forms real files and converter code
use (lists, numpy scalars, bytes) and normalises them.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

import numpy as np
from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

from nir.spec import bundled

NUMERIC_KINDS = "biuf"
NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def as_array(value: Any) -> np.ndarray:
    """Convert a tensor given as an array, list, number or JSON tensor object to numpy."""
    if isinstance(value, np.ndarray):
        array = value
    elif isinstance(value, dict):
        array = tensor_from_json(value)
    else:
        try:
            array = np.asarray(value)
        except (ValueError, TypeError) as err:
            raise ValueError(f"cannot be read as a tensor: {err}") from None
    if array.dtype.kind not in NUMERIC_KINDS:
        raise ValueError(f"a tensor must hold numbers, not dtype {array.dtype}")
    return array


def tensor_to_json(array: np.ndarray) -> dict[str, Any]:
    """Encode an array as the spec's JSON tensor: dtype, shape and row-major data."""
    flat = np.ascontiguousarray(array).reshape(-1)
    if flat.dtype.kind == "f":
        data = [
            x if math.isfinite(x) else ("NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity"))
            for x in flat.tolist()
        ]
    else:
        data = flat.tolist()
    return {"dtype": array.dtype.name, "shape": list(array.shape), "data": data}


def tensor_from_json(obj: dict[str, Any]) -> np.ndarray:
    """Decode the spec's JSON tensor object into a numpy array of its dtype."""
    missing = {"dtype", "shape", "data"} - set(obj)
    if missing:
        raise ValueError(f"a JSON tensor needs {', '.join(sorted(missing))}")
    known = bundled()["$defs"]["Tensor"]["properties"]["dtype"]["enum"]
    if obj["dtype"] not in known:
        raise ValueError(f"unknown tensor dtype {obj['dtype']!r}; known: {', '.join(known)}")
    dtype = np.dtype(obj["dtype"])
    shape = tuple(_shape_items(obj["shape"]))
    data = obj["data"]
    if not isinstance(data, list):
        raise ValueError("a JSON tensor's data must be a list")
    if len(data) != math.prod(shape):
        raise ValueError(f"a JSON tensor of shape {shape} needs {math.prod(shape)} elements, not {len(data)}")
    values = [NON_FINITE.get(x, x) if isinstance(x, str) else x for x in data]
    if not all(isinstance(x, int | float) for x in values):
        raise ValueError("a JSON tensor's data holds something other than numbers, booleans, NaN and ±Infinity")
    if dtype.kind in "iu":
        if any(isinstance(x, float) and not x.is_integer() for x in values):
            raise ValueError(f"a JSON tensor of dtype {dtype} holds a non-integer element")
        info = np.iinfo(dtype)
        if values and not (info.min <= min(values) and max(values) <= info.max):
            raise ValueError(f"a JSON tensor of dtype {dtype} holds an element outside [{info.min}, {info.max}]")
    try:
        return np.array(values, dtype=dtype).reshape(shape)
    except OverflowError:
        raise ValueError(f"a JSON tensor of dtype {dtype} holds an element beyond its range") from None


MAX_DIMENSIONS = 64
"""numpy's limit on the number of dimensions of an array."""


def _shape_items(value: Any) -> list[int]:
    try:
        array = np.atleast_1d(np.asarray(value))
    except (OverflowError, ValueError):
        raise ValueError(f"a shape is a list of integers, not {value!r}") from None
    if array.dtype.kind == "f" and array.size and np.all(np.isfinite(array)) and np.all(array == np.round(array)):
        array = array.astype(np.int64)  # JSON Schema counts 3.0 as an integer
    if array.ndim != 1 or (array.size and array.dtype.kind not in "iu"):
        raise ValueError(f"a shape is a list of integers, not {value!r}")
    if array.size > MAX_DIMENSIONS:  # checked before iterating: a lazy "shape" may claim 2**46 entries
        raise ValueError(f"a shape has at most {MAX_DIMENSIONS} dimensions, not {array.size}")
    items = [int(x) for x in array]
    if any(x >= 2**63 for x in items):
        raise ValueError(f"a shape's sizes must be below 2**63: {items}")
    if any(x < 0 for x in items):
        raise ValueError(f"a shape cannot hold negative sizes: {items}")
    return items


def _as_shape(value: Any) -> np.ndarray:
    return np.array(_shape_items(value), dtype=np.int64)


def _as_int(value: Any, minimum: int) -> int:
    array = np.asarray(value)
    if array.size != 1 or array.dtype.kind not in "iub":
        raise ValueError(f"expected an integer, not {value!r}")
    result = int(array.reshape(-1)[0])
    if result < minimum:
        raise ValueError(f"must be at least {minimum}, not {result}")
    return result


def _as_pair(value: Any, minimum: int) -> tuple[int, int]:
    array = np.asarray(value)
    if array.dtype.kind not in "iu" or array.size not in (1, 2) or array.ndim > 1:
        raise ValueError(f"expected an integer or a pair of integers, not {value!r}")
    items = [int(x) for x in array.reshape(-1)]
    if any(x < minimum for x in items):
        raise ValueError(f"values must be at least {minimum}, not {items}")
    return (items[0], items[-1])


def _padding_mode(value: Any) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, np.ndarray) and value.dtype.kind in "SUO" and value.size == 1:
        return _padding_mode(value.reshape(-1)[0])
    if isinstance(value, str):
        if value not in ("same", "valid"):
            raise ValueError(f"padding must be 'same', 'valid' or a number, not {value!r}")
        return value
    return None


def _as_padding(value: Any, pair: bool) -> Any:
    mode = _padding_mode(value)
    if mode is not None:
        return mode
    return _as_pair(value, 0) if pair else _as_int(value, 0)


def _as_name(value: Any) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8")
    if isinstance(value, np.str_):
        value = str(value)
    if not isinstance(value, str) or not value:
        raise ValueError(f"a node name must be a non-empty string, not {value!r}")
    return value


def _as_edge(value: Any) -> tuple[str, str]:
    items = list(value) if isinstance(value, (list, tuple, np.ndarray)) else None
    if items is None or len(items) != 2:
        raise ValueError(f"an edge is a [source, destination] pair of names, not {value!r}")
    return (_as_name(items[0]), _as_name(items[1]))


def _as_metadata(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"metadata must be a mapping, not {type(value).__name__}")
    return value


def _shape_list(value: np.ndarray) -> list[int]:
    return [int(x) for x in value]


_TENSOR_JSON = {"$ref": "https://neuroir.org/schema/1.0/tensor.schema.json"}

Tensor = Annotated[
    np.ndarray,
    BeforeValidator(as_array),
    PlainSerializer(tensor_to_json, when_used="json"),
    WithJsonSchema(_TENSOR_JSON),
]
"""A numpy array of numbers; its dtype is kept as given."""

Shape = Annotated[
    np.ndarray,
    BeforeValidator(_as_shape),
    PlainSerializer(_shape_list, when_used="json"),
    WithJsonSchema({"type": "array", "items": {"type": "integer", "minimum": 0}}),
]
"""A shape: a 1-d int64 array of non-negative sizes."""

Size = Annotated[int, BeforeValidator(lambda v: _as_int(v, 0)), WithJsonSchema({"type": "integer", "minimum": 0})]
"""A non-negative integer (a one-element array is accepted)."""

PositiveInt = Annotated[
    int, BeforeValidator(lambda v: _as_int(v, 1)), WithJsonSchema({"type": "integer", "minimum": 1})
]
"""A positive integer (a one-element array is accepted)."""

Pair = Annotated[tuple[int, int], BeforeValidator(lambda v: _as_pair(v, 0))]
"""Two non-negative integers; one integer is used for both."""

PositivePair = Annotated[tuple[int, int], BeforeValidator(lambda v: _as_pair(v, 1))]
"""Two positive integers; one integer is used for both."""

Padding1d = Annotated[int | str, BeforeValidator(lambda v: _as_padding(v, pair=False))]
"""Padding of a 1-d convolution: an integer, or 'same' / 'valid'."""

Padding2d = Annotated[tuple[int, int] | str, BeforeValidator(lambda v: _as_padding(v, pair=True))]
"""Padding of a 2-d convolution: an integer or pair, or 'same' / 'valid'."""

Edge = Annotated[tuple[str, str], BeforeValidator(_as_edge)]
"""A (source, destination) pair of node names; bytes are decoded as UTF-8."""

Metadata = Annotated[dict[str, Any], BeforeValidator(_as_metadata)]
"""Free-form annotations."""
