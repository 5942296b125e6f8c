"""The hand-written base class of every generated node model."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from nir import spec
from nir.arguments import keep_arguments
from nir.errors import AbstractNodeError, NIRArgumentError, NIRDictError
from nir.fields import fields_of
from nir.lazy import is_lazy
from nir.shapes import rules
from nir.types import to_numpy

Port = dict[str, Any]
_set = object.__setattr__


class NIRNode(BaseModel):
    """Common base of all NIR nodes; field definitions come from the generated models.

    Construction accepts keyword or positional arguments (in the schema's field order) and
    keeps them as given: a torch tensor stays a torch tensor, an int stays an int. Only an
    argument of the wrong kind or number raises (NIRArgumentError, also a TypeError); every
    rule of the schema the values break is a finding when the node is checked in a graph (see
    `rules.view`). Equality is identity, as in the reference package; use `equals` to compare values.
    """

    model_config = ConfigDict(
        arbitrary_types_allowed=True,
        validate_by_name=True,
        validate_by_alias=True,
        validate_default=True,
    )
    # Plain slots, not pydantic private attributes: those cost a dictionary and a deep copy of
    # each default per node. `_ports` holds the port dictionaries (`input_type`, `output_type`),
    # which callers may change in place as in the reference package; copies and pickles carry
    # them. `_cache` holds the node's view (see rules.view), rebuilt when a field changes.
    __slots__ = ("_cache", "_ports")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        cls = type(self)
        if cls._unit is None:
            raise AbstractNodeError(f"{cls.__name__} is not a NIR node type and cannot be instantiated")
        if args:
            names = [n for n in cls.model_fields if n != "type"]
            if len(args) > len(names):
                raise NIRArgumentError(
                    f"{cls.__name__} takes at most {len(names)} positional arguments ({', '.join(names)})"
                )
            for name, value in zip(names, args, strict=False):
                if name in kwargs:
                    raise NIRArgumentError(f"{cls.__name__} got multiple values for argument {name!r}")
                kwargs[name] = value
        kwargs.setdefault("type", cls.__name__)
        fields = fields_of(cls)
        if fields.arguments is None:  # a graph: pydantic builds its nested nodes and edges
            if kwargs.get("metadata", {}) is None:
                del kwargs["metadata"]  # the reference API's None for "no metadata"
            try:
                super().__init__(**kwargs)
            except ValidationError as err:
                raise NIRArgumentError(_describe(cls.__name__, err), _first_field(cls, err)) from None
            return
        # Every field has a kind: keep the arguments with the kinds' own functions, which is what
        # pydantic would run, and fill in the model's state directly (pydantic's validation of
        # the same values costs several times as much per node).
        values, given, numbers = keep_arguments(fields, kwargs)
        _set(self, "__dict__", values)
        _set(self, "__pydantic_fields_set__", given)
        _set(self, "__pydantic_extra__", None)
        _set(self, "__pydantic_private__", None)
        rules.settle_defaults(self, fields, given, numbers)

    @model_validator(mode="wrap")
    @classmethod
    def _materialize_defaults(cls, data: Any, handler: Any) -> Any:
        if isinstance(data, NIRNode):
            return handler(data)
        node = handler(data)
        data = data if isinstance(data, dict) else {}
        numbers = {k for k in fields_of(cls).broadcast if isinstance(data.get(k), (bool, int, float))}
        rules.settle_defaults(node, fields_of(cls), node.model_fields_set, numbers)
        return node

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """A class of a unit of the spec registers itself, and holds its unit (asked for per node, often)."""
        super().__pydantic_init_subclass__(**kwargs)
        cls._unit = spec.units().get(cls.__name__)
        if cls._unit is not None:
            _CLASSES[cls.__name__] = cls

    _unit: ClassVar[spec.UnitSpec | None] = None

    @property
    def unit_spec(self) -> spec.UnitSpec:
        """This node type's rules as the schema states them."""
        unit = self._unit
        if unit is None:
            raise NIRArgumentError(f"{type(self).__name__} is not a node type of the spec")
        return unit

    def _port_pair(self) -> list[Port]:
        ports = getattr(self, "_ports", None)
        if ports is None:
            found = rules.view(self)
            ports = [_port("input", found.input), _port("output", found.output)]
            object.__setattr__(self, "_ports", ports)
        return ports

    @property
    def input_type(self) -> Port:
        """Input port shape, `{"input": array}`; the array is None while unknown.

        Set by the node's own parameters, then by the graph's inference; assigning a shape (or
        a port dictionary) to it sets a field that declares the input shape (Input `shape`,
        Flatten `input_type`).
        """
        return self._port_pair()[0]

    @input_type.setter
    def input_type(self, value: Any) -> None:
        self._set_port(0, "input", value)

    @property
    def output_type(self) -> Port:
        """Output port shape, `{"output": array}`; the array is None while unknown (see `input_type`)."""
        return self._port_pair()[1]

    @output_type.setter
    def output_type(self, value: Any) -> None:
        self._set_port(1, "output", value)

    def _set_port(self, index: int, key: str, value: Any) -> None:
        port = value if isinstance(value, dict) else _port(key, value)
        self._port_pair()[index] = port
        field = self.unit_spec.port_fields[index]
        if field is not None and len(port) == 1:
            (shape,) = port.values()
            setattr(self, fields_of(type(self)).attribute[field], None if shape is None else np.asarray(shape))

    def set_inferred(self, shape_in: tuple[int, ...] | None, shape_out: tuple[int, ...] | None) -> None:
        """Take the port shapes a graph inferred, filling the fields that declare them where they are open."""
        object.__setattr__(self, "_ports", [_port("input", shape_in), _port("output", shape_out)])
        for name, value in declared_values(self.unit_spec, shape_in, shape_out).items():
            attr = fields_of(type(self)).attribute[name]
            if getattr(self, attr) is None:
                object.__setattr__(self, attr, value)

    def __copy__(self) -> NIRNode:
        out = super().__copy__()
        out._restore(self._carried())
        return out

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> NIRNode:
        out = super().__deepcopy__(memo)
        out._restore(copy.deepcopy(self._carried(), memo))
        return out

    def __getstate__(self) -> dict[Any, Any]:
        return {**super().__getstate__(), "nir_ports": self._carried()}

    def __setstate__(self, state: dict[Any, Any]) -> None:
        state = dict(state)
        ports = state.pop("nir_ports", None)
        super().__setstate__(state)
        self._restore(ports)

    def _carried(self) -> list[Port] | None:
        return getattr(self, "_ports", None)

    def _restore(self, ports: list[Port] | None) -> None:
        if ports is not None:
            object.__setattr__(self, "_ports", list(ports))

    def to_dict(self) -> dict[str, Any]:
        """The node as a dictionary of its fields (values as given) with a `type` key."""
        return self.model_dump(by_alias=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NIRNode:
        """Build a node from `to_dict` output; on NIRNode itself, dispatch on `type`."""
        if not isinstance(data, dict):
            raise NIRDictError(f"{cls.__name__}.from_dict expects a dictionary, not {type(data).__name__}")
        if cls is NIRNode and "type" not in data:
            raise NIRDictError("NIRNode.from_dict needs a 'type' entry naming the node type")
        kind = data.get("type", cls.__name__)
        target = node_class(kind) if cls is NIRNode else cls
        if kind != target.__name__:
            raise NIRDictError(f"{target.__name__}.from_dict got a dictionary of type {kind!r}")
        return target(**{k: v for k, v in data.items() if k != "type"})

    def equals(self, other: Any) -> bool:
        """Whether `other` is a node of the same type with identical values and dtypes."""
        return type(self) is type(other) and values_equal(self.to_dict(), other.to_dict())

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)


def _describe(unit: str, err: ValidationError) -> str:
    """One line per problem pydantic found, naming the node type, the argument and what was expected."""
    lines = []
    for problem in err.errors():
        where = ".".join(str(p) for p in problem["loc"] if p != "type") or "arguments"
        if problem["type"] == "missing":
            lines.append(f"{unit}: missing required argument {where!r}")
        elif problem["type"] == "extra_forbidden":
            lines.append(f"{unit}: unexpected argument {where!r}")
        else:
            lines.append(f"{unit}: {where}: {problem['msg'].removeprefix('Value error, ')}")
    return "; ".join(lines)


def _first_field(cls: type[NIRNode], err: ValidationError) -> str | None:
    """The schema name of the first argument pydantic complained about."""
    for problem in err.errors():
        if problem["loc"] and problem["loc"][0] != "type":
            name = str(problem["loc"][0])
            return fields_of(cls).accepted.get(name, name)
    return None


def _port(key: str, value: Any) -> Port:
    if isinstance(value, dict):
        (value,) = value.values() if len(value) == 1 else (value.get(key),)
    return {key: None if value is None else np.asarray(value, dtype=np.int64).reshape(-1)}


def declared_values(
    unit: spec.UnitSpec, shape_in: tuple[int, ...] | None, shape_out: tuple[int, ...] | None
) -> dict[str, Any]:
    """Values of the fields that declare a port's shape (`x-nir-value`), as the reference package sets them.

    A shape field (Output `shape`, Flatten `input_type`) is an int64 array; one size (Conv1d
    `input_shape`) an int; several sizes (Conv2d `input_shape`) a tuple of ints.
    """
    from nir.shapes.symbols import match, resolve

    out: dict[str, Any] = {}
    for field in unit.fields:
        if field.value is None:
            continue
        env: dict = {}
        for pattern, shape in ((unit.input, shape_in), (unit.output, shape_out)):
            if shape is not None:
                try:
                    match(unit.name, "port", pattern, shape, env)
                except ValueError:
                    return {}
        value = resolve(field.value, env)
        if value is None:
            continue
        if any(str(d).startswith("...") for d in field.value):
            out[field.name] = np.asarray(value, dtype=np.int64)
        else:
            out[field.name] = value[0] if len(value) == 1 else tuple(value)
    return out


_CLASSES: dict[str, type[NIRNode]] = {}
"""The node class of every unit of the spec, by type name: each registers itself when it is defined."""


def node_types() -> dict[str, type[NIRNode]]:
    """Every node class of the spec, keyed by its `type` name."""
    return dict(_CLASSES)


def node_class(type_name: str) -> type[NIRNode]:
    """The node class for a `type` name; otherwise NIRDictError (an AssertionError, as in the reference)."""
    try:
        return _CLASSES[type_name]
    except (KeyError, TypeError):
        known = ", ".join(sorted(_CLASSES))
        raise NIRDictError(f"unknown node type {type_name!r}; known types: {known}") from None


def values_equal(a: Any, b: Any) -> bool:
    """Deep equality where arrays must agree in dtype, shape and values (NaN equals NaN).

    Array objects of other libraries (torch, JAX) compare by their numpy values.
    """
    if _array_like(a) or _array_like(b):
        try:
            a, b = (x.load() if is_lazy(x) else to_numpy(x) for x in (a, b))
        except ValueError:
            return False
        if a.dtype != b.dtype or a.shape != b.shape:
            return False
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(values_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True  # NaN equals NaN, as in arrays
    return type(a) is type(b) and a == b


def _array_like(x: Any) -> bool:
    return isinstance(x, np.ndarray) or (hasattr(x, "__array__") and not isinstance(x, np.generic))
