"""Read the `x-nir-*` keywords of the bundled schema into plain rule objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

Dim = str | int
"""One entry of a symbolic shape: a symbol (`"M"`), a variadic symbol (`"...N"`) or a size."""


@dataclass(frozen=True)
class FieldSpec:
    """One field of a unit as the schema states it."""

    name: str
    required: bool
    shape: tuple[Dim, ...] | None = None
    """`x-nir-shape`: symbolic shape of a tensor field."""
    value: tuple[Dim, ...] | None = None
    """`x-nir-value`: symbolic meaning of a shape-valued field's value."""
    broadcast: bool = False
    """`x-nir-broadcast`: a scalar is accepted and broadcast to the field's shape."""
    elements: dict[str, Any] = field(default_factory=dict)
    """JSON Schema constraints every element must meet (e.g. `exclusiveMinimum`)."""
    finite: bool = False
    """Whether non-finite elements are excluded."""
    nullable: bool = False
    """Whether null is a valid value (an optional field that may be left open)."""
    description: str = ""
    type: str | None = None
    """The shared definition the value refers to (`finite`, `positive_pair`, ...), else its JSON type, if any."""
    has_default: bool = False
    default: Any = None
    """The schema's `default`, as JSON (a tensor as a `{dtype, shape, data}` object)."""


@dataclass(frozen=True)
class UnitSpec:
    """A node type's rules: fields, port shapes and output-shape formula."""

    name: str
    kind: str
    since: str
    description: str
    fields: tuple[FieldSpec, ...]
    input: tuple[Dim, ...] | None
    output: tuple[Dim, ...] | None
    formula: str | None
    derive: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    """`x-nir-derive`: symbols computed from others, e.g. `{"Ci": {"product": ["Ci_g", "groups"]}}`."""
    role: str | None = None
    """`x-nir-role`: `graph-input` or `graph-output` for a graph's entry and exit nodes."""

    @cached_property
    def tensor_fields(self) -> tuple[FieldSpec, ...]:
        """Fields holding tensors (those with a symbolic shape)."""
        return tuple(f for f in self.fields if f.shape is not None)

    @cached_property
    def broadcast_fields(self) -> tuple[FieldSpec, ...]:
        """Tensor fields that accept a scalar broadcast to their shape (`x-nir-broadcast`)."""
        return tuple(f for f in self.fields if f.broadcast)

    @cached_property
    def port_fields(self) -> tuple[str | None, str | None]:
        """The fields whose value is the input (and the output) port's shape: an `x-nir-value` equal to its pattern."""
        found = [None, None]
        for f in self.fields:
            if f.value is not None:
                for i, port in enumerate((self.input, self.output)):
                    if f.value == port:
                        found[i] = f.name
        return found[0], found[1]


def parse_units(bundle: dict[str, Any]) -> dict[str, UnitSpec]:
    """Collect the rules of every def that declares `x-nir-kind`."""
    defs = bundle["$defs"]
    out = {}
    for name, schema in defs.items():
        if "x-nir-kind" not in schema:
            continue
        required = set(schema.get("required", []))
        fields = tuple(
            _field(fname, fschema, fname in required, defs)
            for fname, fschema in schema.get("properties", {}).items()
            if fname not in ("type", "metadata")
        )
        out[name] = UnitSpec(
            name=name,
            kind=schema["x-nir-kind"],
            since=schema.get("x-nir-since", ""),
            description=schema.get("description", ""),
            fields=fields,
            input=_dims(schema.get("x-nir-input")),
            output=_dims(schema.get("x-nir-output")),
            formula=schema.get("x-nir-formula"),
            derive=schema.get("x-nir-derive", {}),
            role=schema.get("x-nir-role"),
        )
    return out


def _dims(value: list[Dim] | None) -> tuple[Dim, ...] | None:
    return None if value is None else tuple(value)


def _field(name: str, schema: dict[str, Any], required: bool, defs: dict[str, Any]) -> FieldSpec:
    elements, finite = _element_constraints(schema, defs)
    return FieldSpec(
        name=name,
        required=required,
        shape=_dims(schema.get("x-nir-shape")),
        value=_dims(schema.get("x-nir-value")),
        broadcast=bool(schema.get("x-nir-broadcast", False)),
        elements=elements,
        finite=finite,
        nullable=any(option.get("type") == "null" for option in schema.get("anyOf", [])),
        description=schema.get("description", ""),
        type=_referenced(schema),
        has_default="default" in schema,
        default=schema.get("default"),
    )


def _referenced(schema: dict[str, Any]) -> str | None:
    """The `$defs` entry a field's value refers to (directly or as the non-null option of `anyOf`), else its type."""
    for option in (schema, *schema.get("anyOf", [])):
        ref = option.get("$ref", "")
        if ref.startswith("#/$defs/"):
            return ref.removeprefix("#/$defs/")
    kind = schema.get("type")
    return kind if isinstance(kind, str) else None


def _element_constraints(schema: dict[str, Any], defs: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Merge `properties.data.items` along the `$ref` chain of a tensor field."""
    merged: dict[str, Any] = {}
    finite = False
    node: dict[str, Any] | None = schema
    while node is not None:
        items = node.get("properties", {}).get("data", {}).get("items", {})
        kinds = [items["type"]] if "type" in items else [o.get("type") for o in items.get("anyOf", [])]
        if kinds and None not in kinds:
            finite = finite or "string" not in kinds
        for key, value in items.items():
            if key not in ("type", "anyOf", "$ref"):
                merged.setdefault(key, value)
        ref = node.get("$ref", "")
        node = defs.get(ref.removeprefix("#/$defs/")) if ref.startswith("#/$defs/") else None
    return merged, finite
