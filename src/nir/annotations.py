"""The spec's shared value types as pydantic annotated types: what the generated models' fields are.

Each one validates with its kind's `keep` (see `nir.types.KINDS`), so that a model built
through pydantic (`model_validate`, a graph's nested nodes) keeps what `NIRNode.__init__` keeps.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema

from nir.types import KINDS, read_shape, tensor_to_json, to_numpy


def _json_shape(value: Any) -> Any:
    return None if value is None else list(read_shape(value))


def _json_tensor(value: Any) -> Any:
    return None if value is None else tensor_to_json(to_numpy(value))


_TENSOR_JSON = {"$ref": "https://neuroir.org/schema/1.0/tensor.schema.json"}


def _type(name: str, schema: dict[str, Any], serialize: Any = None) -> Any:
    kind = KINDS[name]
    extra = [PlainSerializer(serialize, when_used="json")] if serialize is not None else []
    return Annotated[Any, kind, PlainValidator(kind.keep), *extra, WithJsonSchema(schema)]


Tensor = _type("Tensor", _TENSOR_JSON, _json_tensor)
"""An array of numbers; an array object (numpy, torch, JAX) is kept as given."""

Shape = _type("Shape", {"type": "array", "items": {"type": "integer", "minimum": 0}}, _json_shape)
"""A shape: a 1-d array of non-negative sizes (lists become numpy arrays, as in the reference)."""

Size = _type("Size", {"type": "integer", "minimum": 0})
"""A non-negative integer (a one-element array is accepted)."""

PositiveInt = _type("PositiveInt", {"type": "integer", "minimum": 1})
"""A positive integer (a one-element array is accepted)."""

Integer = _type("Integer", {"type": "integer"})
"""An integer of any sign, kept as given (a numpy integer stays one, as in the reference)."""

Pair = _type("Pair", {"type": "array"})
"""Two non-negative integers; one integer is used for both."""

PositivePair = _type("PositivePair", {"type": "array"})
"""Two positive integers; one integer is used for both."""

Padding1d = _type("Padding1d", {})
"""Padding of a 1-d convolution: an integer, or 'same' / 'valid'."""

Padding2d = _type("Padding2d", {})
"""Padding of a 2-d convolution: an integer or pair, or 'same' / 'valid'."""

Edge = Annotated[tuple[str, str], PlainValidator(KINDS["Edge"].keep), PlainSerializer(list, when_used="json")]
"""A (source, destination) pair of node names; bytes are decoded as UTF-8."""

Metadata = Annotated[dict[str, Any], PlainValidator(KINDS["Metadata"].keep)]
"""Free-form annotations."""
