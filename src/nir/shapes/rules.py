"""Apply a unit's schema rules to a node: bind symbols, broadcast scalars, infer port shapes."""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import numpy as np

from nir.lazy import is_lazy
from nir.shapes.formulas import FORMULAS
from nir.shapes.symbols import Binding, Env, fmt, match, resolve
from nir.spec import UnitSpec


@cache
def _attributes(cls: type) -> dict[str, str]:
    """Python attribute name of each schema field of a model class (they differ by alias)."""
    return {(info.alias or name): name for name, info in cls.model_fields.items()}


def value_of(node: Any, field: str) -> Any:
    """The value of the schema field `field` on a node."""
    return getattr(node, _attributes(type(node))[field])


def bind(spec: UnitSpec, node: Any, weak: frozenset[str] = frozenset(), defaults: frozenset[str] = frozenset()) -> Env:
    """Bind the symbols the node's fields fix; broadcast scalar fields where a shape is known.

    Fields in `defaults` take the dtype of the array that fixes their shape (as the
    reference's `zeros_like(v_threshold)`); fields in `weak` were plain Python numbers and
    are promoted with that dtype as numpy promotes Python scalars (0.5 with int64 -> float64).
    """
    env: Env = {}
    scalars = []
    matched: dict[tuple, tuple[int, ...]] = {}  # pattern -> shape already matched against it
    for field in spec.fields:
        value = value_of(node, field.name)
        if value is None:
            continue
        if field.shape is not None:
            if field.broadcast and value.ndim == 0:
                scalars.append(field)
            elif matched.get(field.shape) != value.shape:  # the same shape again binds nothing new
                match(spec.name, field.name, field.shape, value.shape, env)
                matched[field.shape] = value.shape
        elif field.value is not None:
            match(spec.name, field.name, field.value, np.atleast_1d(np.asarray(value)), env, what="value")
    _derive(spec, node, env)
    for field in scalars:
        value = value_of(node, field.name)
        target = resolve(field.shape, env)
        soft = weak | defaults
        if target is not None:
            source = value_of(node, env[field.shape[0].removeprefix("...")].source).dtype
        else:
            # All parameters are scalars: the value stays 0-d but follows the given ones' dtype.
            given = [value_of(node, f.name) for f in scalars if f.name not in soft and f.shape == field.shape]
            source = given[0].dtype if given and field.name in soft else None
        if field.name in defaults and source is not None:
            dtype = source
        elif field.name in weak and source is not None:
            dtype = np.result_type(source, value.item())
        else:
            dtype = value.dtype
        if target is not None and is_lazy(value_of(node, env[field.shape[0].removeprefix("...")].source)):
            # The shape comes from a tensor left on disk: a read-only view costs no memory.
            value = np.broadcast_to(value.astype(dtype), target)
        elif target is not None:
            value = np.full(target, value, dtype=dtype)
        elif dtype != value.dtype:
            value = value.astype(dtype)
        else:
            continue
        object.__setattr__(node, _attributes(type(node))[field.name], value)
    return env


def _derive(spec: UnitSpec, node: Any, env: Env) -> None:
    """Bind the `x-nir-derive` symbols whose operands (symbols or integer fields) are known."""
    for symbol, rule in spec.derive.items():
        operands = rule["product"]
        if symbol in env or not all(o in env or o in _attributes(type(node)) for o in operands):
            continue
        factors, parts = [], []
        for operand in operands:
            if operand in env:
                bound = env[operand]
                factors.append(bound.value)
                parts.append(f"{bound.source} has {bound.what} {fmt(bound.shape)}")
            else:
                factors.append(int(value_of(node, operand)))
                parts.append(f"{operand}={factors[-1]}")
        env[symbol] = Binding(math.prod(factors), " and ".join(parts), (), "derived")


def infer(
    spec: UnitSpec, node: Any, input_shape: tuple[int, ...] | None = None
) -> tuple[tuple[int, ...] | None, tuple[int, ...] | None]:
    """Input and output shape of a node, given the shape arriving at its input if known.

    Raises ShapeError when the arriving shape contradicts the node's parameters.
    """
    return ports(spec, node, bind(spec, node), input_shape)


def ports(
    spec: UnitSpec, node: Any, env: Env, input_shape: tuple[int, ...] | None = None
) -> tuple[tuple[int, ...] | None, tuple[int, ...] | None]:
    """Like `infer`, from the bindings `bind` returned (left unchanged), to avoid binding twice."""
    env = dict(env)
    if input_shape is not None:
        match(spec.name, "input", spec.input, input_shape, env)
    resolved_in = resolve(spec.input, env)
    if spec.formula is not None and resolved_in is not None:
        out = FORMULAS[spec.formula](node, resolved_in)
        match(spec.name, "output", spec.output, out, env)
    return resolved_in, resolve(spec.output, env)
