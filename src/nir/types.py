"""Python representations of the spec's shared value types (tensors, shapes, pairs).

The code generator maps the schema's shared definitions onto these annotated types (see
`codegen/generate.py`). Each type has two sides:

* what a node keeps when it is built: the argument as given (a torch tensor stays a torch
  tensor, an int stays an int), refusing only arguments of the wrong kind (a string where a
  number goes) with NIRArgumentError; Python numbers and lists in a tensor field become numpy
  arrays, as they have no array object to keep;
* how a kept value is read for checks, inference and files (`Kind.read`): numpy values and
  normalised shapes and pairs, or a ValueError saying which rule of the schema it breaks. That
  becomes an `invalid-node` finding, not an exception: building is lenient, validation is strict.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from nir.errors import NIRArgumentError
from nir.spec import bundled

NUMERIC_KINDS = "biuf"
NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
MAX_DIMENSIONS = 64
"""numpy's limit on the number of dimensions of an array."""


@dataclass(frozen=True)
class Kind:
    """One value type of the spec as the Python binding holds it.

    `keep` turns an argument into the value a node keeps (NIRArgumentError for the wrong kind
    of argument); `read` normalises a kept value for checks and files (ValueError naming the
    rule it breaks), or is None where the kept value is already what the checks read.
    """

    name: str
    keep: Callable[[Any], Any]
    read: Callable[[Any], Any] | None = None


# --------------------------------------------------------------------------- tensors


def to_numpy(value: Any) -> np.ndarray:
    """The numpy values of an array object: numpy as is, torch (detached, on the CPU), JAX or anything with `__array__`.

    Raises ValueError when the object holds no numbers numpy can represent.
    """
    if isinstance(value, np.ndarray):
        array = value
    else:
        detach = getattr(value, "detach", None)
        if callable(detach) and hasattr(value, "cpu"):  # a torch tensor, maybe requiring grad or on a GPU
            value = detach().cpu()
            try:
                array = value.numpy()
            except (TypeError, RuntimeError) as err:
                raise NIRArgumentError(f"cannot be read as numbers: {err}") from None
        else:
            try:
                array = np.asarray(value)
            except (ValueError, TypeError, OverflowError) as err:
                raise NIRArgumentError(f"cannot be read as a tensor: {err}") from None
    if array.dtype.kind not in NUMERIC_KINDS:
        raise NIRArgumentError(f"a tensor must hold numbers, not dtype {array.dtype}")
    return array


def _keep_tensor(value: Any) -> Any:
    if value is None or (isinstance(value, np.ndarray) and value.dtype.kind in NUMERIC_KINDS):
        return value
    if isinstance(value, str | bytes):
        raise NIRArgumentError(f"expected a tensor of numbers, not {type(value).__name__} {value!r:.40}")
    try:
        if isinstance(value, dict):
            return tensor_from_json(value)
        array = to_numpy(value)
    except ValueError as err:
        raise NIRArgumentError(str(err)) from None
    return array if isinstance(value, bool | int | float | np.generic | list | tuple) else value


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
        raise NIRArgumentError(f"a JSON tensor needs {', '.join(sorted(missing))}")
    known = bundled()["$defs"]["Tensor"]["properties"]["dtype"]["enum"]
    if obj["dtype"] not in known:
        raise NIRArgumentError(f"unknown tensor dtype {obj['dtype']!r}; known: {', '.join(known)}")
    dtype = np.dtype(obj["dtype"])
    shape = tuple(_shape_items(obj["shape"]))
    data = obj["data"]
    if not isinstance(data, list):
        raise NIRArgumentError("a JSON tensor's data must be a list")
    if len(data) != math.prod(shape):
        raise NIRArgumentError(f"a JSON tensor of shape {shape} needs {math.prod(shape)} elements, not {len(data)}")
    values = [NON_FINITE.get(x, x) if isinstance(x, str) else x for x in data]
    if not all(isinstance(x, int | float) for x in values):
        raise NIRArgumentError("a JSON tensor's data holds something other than numbers, booleans, NaN and ±Infinity")
    if dtype.kind in "iu":
        if any(isinstance(x, float) and not x.is_integer() for x in values):
            raise NIRArgumentError(f"a JSON tensor of dtype {dtype} holds a non-integer element")
        info = np.iinfo(dtype)
        if values and not (info.min <= min(values) and max(values) <= info.max):
            raise NIRArgumentError(f"a JSON tensor of dtype {dtype} holds an element outside [{info.min}, {info.max}]")
    try:
        return np.array(values, dtype=dtype).reshape(shape)
    except OverflowError:
        raise NIRArgumentError(f"a JSON tensor of dtype {dtype} holds an element beyond its range") from None


# --------------------------------------------------------------------------- shapes, sizes, pairs


def _shape_items(value: Any) -> list[int]:
    try:
        array = np.atleast_1d(np.asarray(value))
    except (OverflowError, ValueError, TypeError):
        raise NIRArgumentError(f"a shape is a list of integers, not {value!r}") from None
    if array.dtype.kind == "f" and array.size and np.all(np.isfinite(array)) and np.all(array == np.round(array)):
        array = array.astype(np.int64)  # JSON Schema counts 3.0 as an integer
    if array.ndim != 1 or (array.size and array.dtype.kind not in "iu"):
        raise NIRArgumentError(f"a shape is a list of integers, not {value!r}")
    if array.size > MAX_DIMENSIONS:  # checked before iterating: a lazy "shape" may claim 2**46 entries
        raise NIRArgumentError(f"a shape has at most {MAX_DIMENSIONS} dimensions, not {array.size}")
    items = [int(x) for x in array]
    if any(x >= 2**63 for x in items):
        raise NIRArgumentError(f"a shape's sizes must be below 2**63: {items}")
    if any(x < 0 for x in items):
        raise NIRArgumentError(f"a shape cannot hold negative sizes: {items}")
    return items


def read_shape(value: Any) -> tuple[int, ...]:
    """A shape as a tuple of non-negative sizes."""
    if isinstance(value, np.ndarray) and value.ndim == 1 and value.dtype.kind in "iu" and value.size <= MAX_DIMENSIONS:
        items = tuple(value.tolist())  # the common case: what readers and the reference hand over
        if not items or (min(items) >= 0 and max(items) < 2**63):
            return items
    return tuple(_shape_items(to_numpy(value) if not isinstance(value, list | tuple) else value))


def _keep_shape(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:  # a port dictionary, {"input": shape}
        (value,) = value.values()
    if value is None or (isinstance(value, np.ndarray) and value.dtype.kind in NUMERIC_KINDS):
        return value
    if isinstance(value, str | bytes | dict):
        raise NIRArgumentError(f"expected a shape (a list of sizes), not {type(value).__name__} {value!r:.40}")
    try:
        array = to_numpy(value) if not isinstance(value, list | tuple) else np.asarray(value)
    except (ValueError, TypeError) as err:
        raise NIRArgumentError(f"expected a shape (a list of sizes): {err}") from None
    if array.dtype.kind not in NUMERIC_KINDS:
        raise NIRArgumentError(f"expected a shape (a list of sizes), not {value!r:.40}")
    array = np.atleast_1d(array)
    return array.astype(np.int64) if array.size == 0 else array


def _integers(value: Any) -> np.ndarray:
    array = to_numpy(value) if not isinstance(value, list | tuple | int) else np.asarray(value)
    if array.dtype.kind == "f" and array.size and np.all(np.isfinite(array)) and np.all(array == np.round(array)):
        array = array.astype(np.int64)
    if array.dtype.kind not in "iub":
        raise NIRArgumentError(f"expected integers, not {value!r}")
    return array


def read_int(value: Any, minimum: int) -> int:
    """One integer of at least `minimum` (a one-element array is accepted)."""
    array = _integers(value)
    if array.size != 1:
        raise NIRArgumentError(f"expected an integer, not {value!r}")
    result = int(array.reshape(-1)[0])
    if result < minimum:
        raise NIRArgumentError(f"must be at least {minimum}, not {result}")
    return result


def read_pair(value: Any, minimum: int) -> tuple[int, int]:
    """Two integers of at least `minimum`; one integer stands for both."""
    array = _integers(value)
    if array.size not in (1, 2) or array.ndim > 1:
        raise NIRArgumentError(f"expected an integer or a pair of integers, not {value!r}")
    items = [int(x) for x in array.reshape(-1)]
    if any(x < minimum for x in items):
        raise NIRArgumentError(f"values must be at least {minimum}, not {items}")
    return (items[0], items[-1])


def _padding_mode(value: Any) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, np.ndarray) and value.dtype.kind in "SUO" and value.size == 1:
        return _padding_mode(value.reshape(-1)[0])
    if isinstance(value, str):
        if value not in ("same", "valid"):
            raise NIRArgumentError(f"padding must be 'same', 'valid' or a number, not {value!r}")
        return value
    return None


def read_padding(value: Any, pair: bool) -> int | tuple[int, int] | str:
    """A padding mode ('same', 'valid'), or the padding as an integer (1-d) or a pair (2-d)."""
    mode = _padding_mode(value)
    if mode is not None:
        return mode
    return read_pair(value, 0) if pair else read_int(value, 0)


def _keep_number(value: Any) -> Any:
    """Integers, pairs and paddings are kept as given; only what is no number at all is refused."""
    if value is None or isinstance(value, bool | int | float | np.generic | np.ndarray | tuple | list):
        return value
    if isinstance(value, str | bytes | dict):
        raise NIRArgumentError(f"expected a number or a pair of numbers, not {type(value).__name__} {value!r:.40}")
    try:
        to_numpy(value)
    except ValueError as err:
        raise NIRArgumentError(f"expected a number or a pair of numbers: {err}") from None
    return value


def _keep_padding(value: Any) -> Any:
    try:
        mode = _padding_mode(value)
    except ValueError as err:
        raise NIRArgumentError(str(err)) from None
    return mode if mode is not None else _keep_number(value)


# --------------------------------------------------------------------------- graph values


def _as_name(value: Any) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8")
    if isinstance(value, np.str_):
        value = str(value)
    if not isinstance(value, str) or not value:
        raise NIRArgumentError(f"a node name must be a non-empty string, not {value!r}")
    return value


def _as_edge(value: Any) -> tuple[str, str]:
    items = list(value) if isinstance(value, list | tuple | np.ndarray) else None
    if items is None or len(items) != 2:
        raise NIRArgumentError(f"an edge is a [source, destination] pair of names, not {value!r}")
    return (_as_name(items[0]), _as_name(items[1]))


def _as_metadata(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise NIRArgumentError(f"metadata must be a mapping, not {type(value).__name__}")
    return value


def read_integer(value: Any) -> int:
    """One integer of any sign (a one-element array is accepted)."""
    return read_int(value, -(2**63))


KINDS: dict[str, Kind] = {
    "Tensor": Kind("tensor", _keep_tensor, to_numpy),
    "Shape": Kind("shape", _keep_shape, read_shape),
    "Size": Kind("size", _keep_number, lambda v: read_int(v, 0)),
    "PositiveInt": Kind("positive_int", _keep_number, lambda v: read_int(v, 1)),
    "Integer": Kind("integer", _keep_number, read_integer),
    "Pair": Kind("pair", _keep_number, lambda v: read_pair(v, 0)),
    "PositivePair": Kind("positive_pair", _keep_number, lambda v: read_pair(v, 1)),
    "Padding1d": Kind("padding1d", _keep_padding, lambda v: read_padding(v, pair=False)),
    "Padding2d": Kind("padding2d", _keep_padding, lambda v: read_padding(v, pair=True)),
    "Edge": Kind("edge", _as_edge),
    "Metadata": Kind("metadata", _as_metadata),
}
"""Every kind, by the name `nir.spec.binding.PYTHON_TYPES` gives the schema's shared definitions."""
