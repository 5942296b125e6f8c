"""How a node class's Python attributes stand for its unit's schema fields: the one map of names.

The generated classes name a field as the schema does, except where the reference API spells it
otherwise (Flatten's stored `input_type` is the attribute `input_shape`; Input and Output take
`input_type` / `output_type` for `shape`). Everything that goes between attributes and schema
names, builds a node from arguments, or reads a kept value by its schema type, asks `fields_of(cls)`.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple

from nir.spec import FieldSpec, UnitSpec, units
from nir.spec.binding import PYTHON_TYPES
from nir.types import KINDS, Kind

REQUIRED = object()
"""The default of a field that has none and must be given."""


class Argument(NamedTuple):
    """One constructor argument: where it is kept, the names it is given by, and how it is kept."""

    attribute: str
    schema: str
    names: tuple[str, ...]
    """Argument names in the order they are looked up (an alias before the attribute's own name)."""
    required: bool
    default: Any
    """The schema's default as JSON (None where the field has none and may be left out)."""
    keep: Callable[[Any], Any] | None
    """The kind's keep function; None for `type`, which must name the unit."""
    optional: bool
    """Whether None stands for "use the default", as in the reference API (metadata, v_reset, ...)."""
    port: bool
    """Whether the field declares a port's shape, which the reference API may give as `{"input": shape}`."""
    broadcast: bool
    """Whether the field broadcasts (`x-nir-broadcast`), so that a Python number takes its neighbours' shape."""


@dataclass(frozen=True)
class ModelFields:
    """A node class's fields, looked up once per class."""

    unit: UnitSpec
    attribute: dict[str, str]
    """Schema name -> Python attribute, for every field (`type` and `metadata` included)."""
    schema: dict[str, str]
    """Python attribute -> schema name."""
    accepted: dict[str, str]
    """Every argument name the constructor takes (attribute or alias) -> schema name."""
    readers: tuple[tuple[FieldSpec, str, Callable[[Any], Any] | None], ...]
    """Per schema field of the unit: its spec, its attribute, and the function that reads a kept value."""
    values: Callable[[Any], tuple[Any, ...]]
    """All the node's field values at once (in field order)."""
    broadcast: frozenset[str]
    """Attributes of the fields that broadcast (`x-nir-broadcast`)."""
    arguments: tuple[Argument, ...] | None
    """How each argument is kept, in field order; None where a field has no kind (a graph's nodes)."""
    common: tuple[tuple[str, str, Callable[[Any], Any] | None, Any, bool, bool], ...] | None
    """The same, as the common case reads it: (attribute, first name, keep, default or REQUIRED, port, broadcast)."""


def kind_of(field: FieldSpec | None) -> Kind | None:
    """The kind that holds a field's values, from the shared definition the schema gives it."""
    if field is None or field.type not in PYTHON_TYPES:
        return None
    return KINDS[PYTHON_TYPES[field.type]]


@cache
def fields_of(cls: type) -> ModelFields:
    """The fields of a node class of the spec: a generated model, or a plain node (schema names)."""
    unit = units()[cls.__name__]
    names = _model_names(cls) if hasattr(cls, "model_fields") else _schema_names(unit)
    return _fields(unit, names)


def _schema_names(unit: UnitSpec) -> list[tuple[str, str, tuple[str, ...]]]:
    """(attribute, schema name, argument names) of each field of a class that names its fields as the schema does."""
    order = ["type", *(f.name for f in unit.fields), "metadata"]
    return [(name, name, (name,)) for name in order]


def _model_names(cls: Any) -> list[tuple[str, str, tuple[str, ...]]]:
    """(attribute, schema name, argument names) of each field of a pydantic model, with its aliases."""
    out = []
    for name, info in cls.model_fields.items():
        choices = getattr(info.validation_alias, "choices", None)
        if choices:
            given = tuple(c for c in choices if isinstance(c, str))
        elif info.alias:
            given = (info.alias, name)
        else:
            given = (name,)
        out.append((name, info.alias or name, given))
    return out


def _fields(unit: UnitSpec, names: list[tuple[str, str, tuple[str, ...]]]) -> ModelFields:
    specs = {f.name: f for f in unit.fields}
    attribute = {schema: attr for attr, schema, _ in names}
    accepted = {given: schema for _, schema, choices in names for given in (*choices, attribute[schema])}
    readers = tuple((f, attribute[f.name], getattr(kind_of(f), "read", None)) for f in unit.fields)
    arguments = tuple(_argument(attr, schema, given, specs.get(schema)) for attr, schema, given in names)
    return ModelFields(
        unit=unit,
        attribute=attribute,
        schema={attr: schema for attr, schema, _ in names},
        accepted=accepted,
        readers=readers,
        values=operator.attrgetter(*(attr for attr, _, _ in names)),
        broadcast=frozenset(attribute[f.name] for f in unit.broadcast_fields),
        arguments=None if None in arguments else arguments,
        common=None if None in arguments else tuple(_common(a) for a in arguments),
    )


def _common(a: Argument) -> tuple[str, str, Callable[[Any], Any] | None, Any, bool, bool]:
    return (a.attribute, a.names[0], a.keep, REQUIRED if a.required else a.default, a.port, a.broadcast)


def _argument(attribute: str, schema: str, names: tuple[str, ...], field: FieldSpec | None) -> Argument | None:
    if schema == "type":
        return Argument(attribute, schema, names, True, None, None, False, False, False)
    if schema == "metadata":
        return Argument(attribute, schema, names, False, {}, KINDS["Metadata"].keep, True, False, False)
    kind = kind_of(field)
    if kind is None:
        return None
    required = field.required and not field.has_default
    optional = not field.required and not field.nullable
    port = field.value is not None
    return Argument(attribute, schema, names, required, field.default, kind.keep, optional, port, field.broadcast)
