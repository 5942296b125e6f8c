"""How a model class's Python attributes stand for its unit's schema fields: the one map of names.

The generated classes name a field as the schema does, except where the reference API spells it
otherwise (Flatten's stored `input_type` is the attribute `input_shape`; Input and Output take
`input_type` / `output_type` for `shape`). Everything that goes between attributes and schema
names, or reads a kept value by its schema type, asks `fields_of(cls)`.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from nir.spec import FieldSpec, UnitSpec, units
from nir.types import kind_of


@dataclass(frozen=True)
class ModelFields:
    """A node class's fields, looked up once per class."""

    unit: UnitSpec
    attribute: dict[str, str]
    """Schema name -> Python attribute, for every model field (`type` and `metadata` included)."""
    schema: dict[str, str]
    """Python attribute -> schema name."""
    accepted: dict[str, str]
    """Every argument name the constructor takes (attribute or alias) -> schema name."""
    readers: tuple[tuple[FieldSpec, str, Callable[[Any], Any] | None], ...]
    """Per schema field of the unit: its spec, its attribute, and the function that reads a kept value."""
    values: Callable[[Any], tuple[Any, ...]]
    """All the model's field values of a node at once (in `model_fields` order)."""
    broadcast: frozenset[str]
    """Attributes of the fields that broadcast (`x-nir-broadcast`)."""


@cache
def fields_of(cls: type) -> ModelFields:
    """The fields of a node class of the spec."""
    unit = units()[cls.__name__]
    schema = {name: info.alias or name for name, info in cls.model_fields.items()}
    attribute = {v: k for k, v in schema.items()}
    accepted = {}
    for name, info in cls.model_fields.items():
        choices = getattr(info.validation_alias, "choices", None) or []
        for key in (name, *(c for c in choices if isinstance(c, str)), *([info.alias] if info.alias else [])):
            accepted[key] = schema[name]
    kinds = {schema[n]: kind_of(info.annotation, info.metadata) for n, info in cls.model_fields.items()}
    readers = tuple((f, attribute[f.name], kinds[f.name].read if kinds[f.name] else None) for f in unit.fields)
    return ModelFields(
        unit=unit,
        attribute=attribute,
        schema=schema,
        accepted=accepted,
        readers=readers,
        values=operator.attrgetter(*cls.model_fields),
        broadcast=frozenset(attribute[f.name] for f in unit.broadcast_fields),
    )
