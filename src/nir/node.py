"""The hand-written base class of every generated node model."""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, model_validator

from nir import shapes, spec
from nir.lazy import is_lazy

Port = dict[str, np.ndarray | None]


class NIRNode(BaseModel):
    """Common base of all NIR nodes; field definitions come from the generated models.

    Construction accepts keyword or positional arguments (in the schema's field order),
    applies the unit's shape rules from the schema, and broadcasts scalar parameters.
    Equality is identity, as in the reference package; use `equals` to compare values.
    """

    model_config = ConfigDict(
        arbitrary_types_allowed=True,
        validate_by_name=True,
        validate_by_alias=True,
        validate_default=True,
    )
    # Plain slots, not pydantic private attributes: those cost a dictionary and a deep copy of
    # each default per node, and a slow lookup on every read. Copies and pickles carry them
    # (__copy__, __getstate__); a node made without validation (model_construct) has neither,
    # so readers use getattr with a default.
    __slots__ = ("_built_binding", "_inferred")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        cls = type(self)
        if cls.__name__ not in spec.units():
            raise TypeError(f"{cls.__name__} is not a NIR node type and cannot be instantiated")
        if args:
            names = [n for n in cls.model_fields if n != "type"]
            if len(args) > len(names):
                raise TypeError(f"{cls.__name__} takes at most {len(names)} positional arguments ({', '.join(names)})")
            for name, value in zip(names, args, strict=False):
                if name in kwargs:
                    raise TypeError(f"{cls.__name__} got multiple values for argument {name!r}")
                kwargs[name] = value
        kwargs.setdefault("type", cls.__name__)
        super().__init__(**_reference_arguments(cls, kwargs))

    @model_validator(mode="wrap")
    @classmethod
    def _apply_shape_rules(cls, data: Any, handler: Any) -> Any:
        if isinstance(data, NIRNode):
            return handler(data)  # an existing node: its rules were applied when it was built
        python_numbers = frozenset()
        if isinstance(data, dict):
            python_numbers = frozenset(k for k, v in data.items() if isinstance(v, (bool, int, float)))
        node = handler(data)
        unit, schema_names = _unit_of(cls)
        if unit is not None:
            defaults = schema_names.keys() - node.model_fields_set
            binding = shapes.bind(
                unit, node, python_numbers, frozenset(schema_names[n] for n in defaults if schema_names[n])
            )
            object.__setattr__(node, "_built_binding", binding)
        return node

    @property
    def unit_spec(self) -> spec.UnitSpec:
        """This node type's rules as the schema states them."""
        unit = _unit_of(type(self))[0]
        if unit is None:
            raise KeyError(type(self).__name__)
        return unit

    def _ports(self) -> tuple[Port, Port]:
        inferred = getattr(self, "_inferred", None)
        if inferred is not None:
            return inferred
        shape_in, shape_out = shapes.infer(self.unit_spec, self)
        return _port("input", shape_in), _port("output", shape_out)

    @property
    def input_type(self) -> Port:
        """Input port shape, `{"input": array}`; the array is None while unknown."""
        return self._ports()[0]

    @input_type.setter
    def input_type(self, value: Any) -> None:
        self._inferred = (_port("input", value), self._ports()[1])

    @property
    def output_type(self) -> Port:
        """Output port shape, `{"output": array}`; the array is None while unknown."""
        return self._ports()[1]

    @output_type.setter
    def output_type(self, value: Any) -> None:
        self._inferred = (self._ports()[0], _port("output", value))

    def _caches(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in NIRNode.__slots__ if hasattr(self, name)}

    def _restore(self, caches: dict[str, Any]) -> None:
        for name, value in caches.items():
            object.__setattr__(self, name, value)

    def __copy__(self) -> NIRNode:
        out = super().__copy__()
        out._restore(self._caches())
        return out

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> NIRNode:
        out = super().__deepcopy__(memo)
        out._restore(copy.deepcopy(self._caches(), memo))
        return out

    def __getstate__(self) -> dict[Any, Any]:
        return {**super().__getstate__(), "nir_caches": self._caches()}

    def __setstate__(self, state: dict[Any, Any]) -> None:
        state = dict(state)
        caches = state.pop("nir_caches", {})
        super().__setstate__(state)
        self._restore(caches)

    def to_dict(self) -> dict[str, Any]:
        """The node as a dictionary of its fields (numpy arrays kept) with a `type` key."""
        return self.model_dump(by_alias=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NIRNode:
        """Build a node from `to_dict` output; on NIRNode itself, dispatch on `type`."""
        from nir.registry import node_class

        kind = data.get("type", cls.__name__)
        target = node_class(kind) if cls is NIRNode else cls
        if kind != target.__name__:
            raise ValueError(f"{target.__name__}.from_dict got a dictionary of type {kind!r}")
        return target(**{k: v for k, v in data.items() if k != "type"})

    def equals(self, other: Any) -> bool:
        """Whether `other` is a node of the same type with identical values and dtypes."""
        return type(self) is type(other) and values_equal(self.to_dict(), other.to_dict())

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)


def _reference_arguments(cls: type[NIRNode], kwargs: dict[str, Any]) -> dict[str, Any]:
    """Accept the reference API's spellings: None for "use the default" (metadata, v_reset,
    ...) and shapes given as port dictionaries such as `{"input": array([3])}`."""
    if not any(value is None or isinstance(value, dict) for value in kwargs.values()):
        return kwargs  # nothing to translate: the common case, every node a reader builds
    fields, schema_name = _argument_names(cls)
    out = {}
    for key, value in kwargs.items():
        field = fields.get(schema_name.get(key, key))
        if isinstance(value, dict) and len(value) == 1 and field is not None and field.value is not None:
            (value,) = value.values()
        if value is None and (key == "metadata" or (field is not None and not field.nullable)):
            continue
        out[key] = value
    return out


@cache
def _unit_of(cls: type[NIRNode]) -> tuple[spec.UnitSpec | None, dict[str, str | None]]:
    """A class's unit, and the schema name of each of its attributes (None for those not in the schema)."""
    unit = spec.units().get(cls.__name__)
    fields = {f.name for f in unit.fields} if unit is not None else set()
    names = {n: (info.alias or n) for n, info in cls.model_fields.items()}
    return unit, {n: (name if name in fields else None) for n, name in names.items()}


@cache
def _argument_names(cls: type[NIRNode]) -> tuple[dict[str, spec.FieldSpec], dict[str, str]]:
    """A class's schema fields by name, and the schema name of every accepted argument name."""
    fields = {f.name: f for f in spec.unit(cls.__name__).fields}
    schema_name = {
        key: info.alias or name for name, info in cls.model_fields.items() for key in (name, *_aliases(info))
    }
    return fields, schema_name


def _aliases(info: Any) -> list[str]:
    choices = getattr(info.validation_alias, "choices", None) or []
    return [c for c in choices if isinstance(c, str)] + ([info.alias] if info.alias else [])


def _port(key: str, value: Any) -> Port:
    if isinstance(value, dict):
        (value,) = value.values() if len(value) == 1 else (value.get(key),)
    return {key: None if value is None else np.asarray(value, dtype=np.int64).reshape(-1)}


def values_equal(a: Any, b: Any) -> bool:
    """Deep equality where arrays must agree in dtype, shape and values (NaN equals NaN)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = (x.load() if is_lazy(x) else x for x in (a, b))
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
            return False
        if a.dtype != b.dtype or a.shape != b.shape:
            return False
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(values_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True  # NaN equals NaN, as in arrays
    return type(a) is type(b) and a == b
