"""Apply a unit's schema rules to a node: read its kept values, bind shape symbols, infer port shapes.

A node keeps its arguments as given (see `nir.types`); `view(node)` reads them the way the
schema means them — numpy values, normalised pairs and shapes — and collects every rule they
break as a `Problem` instead of raising: a node is built leniently and checked as part of a graph.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from nir.errors import ShapeError
from nir.fields import ModelFields, fields_of
from nir.shapes.formulas import FORMULAS, UnknownValueError
from nir.shapes.symbols import Binding, Env, fmt, match, resolve
from nir.spec import FieldSpec, UnitSpec
from nir.types import to_numpy

Shape = tuple[int, ...]

BROADCAST = "broadcast-parameter"
INVALID = "invalid-node"


class Problem(NamedTuple):
    """A rule of the schema one node breaks on its own: a finding `code` at the node's `field`.

    `field` is None when the parameters together contradict the unit's formula (no output can be computed).
    """

    code: str
    field: str | None
    message: str


class View(NamedTuple):
    """A node as its unit's schema reads it."""

    values: dict[str, Any]
    """Schema field name -> normalised value (numpy for tensors), None where absent or unreadable."""
    problems: tuple[Problem, ...]
    env: Env
    input: Shape | None
    output: Shape | None


def value_of(node: Any, field: str) -> Any:
    """The value of schema field `field` on a node, as checks see it (numpy for tensors; None if unreadable)."""
    return view(node).values.get(field)


def view(node: Any) -> View:
    """The node's view, cached until one of its fields is given another object."""
    key = tuple(map(id, fields_of(type(node)).values(node)))
    cached = getattr(node, "_cache", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    result = interpret(node.unit_spec, node)
    object.__setattr__(node, "_cache", (key, result))
    return result


def interpret(spec: UnitSpec, node: Any) -> View:
    """Read every field of `node` by its unit's rules; never raises for a broken rule."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for field, attr, read in fields_of(type(node)).readers:
        raw = getattr(node, attr)
        if raw is None:
            values[field.name] = None
            if field.required and field.value is None:  # a declared shape left open is inferred from the graph
                problems.append(Problem(INVALID, field.name, f"{spec.name}: {field.name} is required, not None"))
            continue
        try:
            values[field.name] = read(raw) if read is not None else raw
        except ValueError as err:
            values[field.name] = None
            problems.append(Problem(INVALID, field.name, f"{spec.name}: {field.name}: {err}"))
    env = bind(spec, values, problems)
    try:
        shape_in, shape_out = ports(spec, values, env)
    except ShapeError as err:
        problems.append(Problem(INVALID if err.code == "shape-mismatch" else err.code, None, str(err)))
        shape_in = shape_out = None
    return View(values, tuple(problems), env, shape_in, shape_out)


def bind(spec: UnitSpec, values: dict[str, Any], problems: list[Problem]) -> Env:
    """Bind the symbols the node's own fields fix, recording each contradiction in `problems`.

    Parameters that broadcast (`x-nir-broadcast`) fix their symbols with the shape they
    broadcast to together; a 0-d one fixes nothing. Another field whose shape only broadcasts
    to the one the others fix (a bias of shape (1,) for 3 outputs) is a `broadcast-parameter`
    warning; any other disagreement is an `invalid-node` error.
    """
    env: Env = {}
    deferred: list[tuple[FieldSpec, ShapeError]] = []
    groups: dict[tuple, list[FieldSpec]] = {}
    matched: dict[tuple, Shape] = {}  # pattern -> shape already matched against it
    for field in spec.fields:
        value = values.get(field.name)
        if value is None:
            continue
        if field.shape is not None:
            if field.broadcast:
                if value.ndim:
                    groups.setdefault(field.shape, []).append(field)
                continue
            if matched.get(field.shape) == value.shape:  # the same shape again binds nothing new
                continue
            try:
                match(spec.name, field.name, field.shape, value.shape, env)
                matched[field.shape] = value.shape
            except ShapeError as err:
                deferred.append((field, err))
        elif field.value is not None:
            try:
                match(spec.name, field.name, field.value, np.atleast_1d(np.asarray(value)), env, what="value")
            except ShapeError as err:
                problems.append(Problem(INVALID, field.name, str(err)))
    for pattern, fields in groups.items():
        _bind_broadcast(spec, pattern, fields, values, env, problems)
    _derive(spec, values, env)
    for field, err in deferred:
        target = resolve(field.shape, env)
        shape = values[field.name].shape
        if target is not None and _broadcasts(shape, target):
            message = f"{spec.name}: {field.name} has shape {fmt(shape)}; its unit's schema asks for {fmt(target)}"
            problems.append(Problem(BROADCAST, field.name, message + ", to which it broadcasts"))
        else:
            problems.append(Problem(INVALID, field.name, str(err)))
    return env


def _bind_broadcast(
    spec: UnitSpec, pattern: tuple, fields: list[FieldSpec], values: dict[str, Any], env: Env, problems: list[Problem]
) -> None:
    """Bind `pattern` to the shape the broadcasting fields that share it give together."""
    shapes = [values[f.name].shape for f in fields]
    if shapes.count(shapes[0]) == len(shapes):  # the common case: no broadcasting to work out
        common = shapes[0]
    else:
        try:
            common = np.broadcast_shapes(*shapes)
        except ValueError:
            common = None
        if (
            common not in shapes
        ):  # none that all others broadcast to ((3,) and (3, 1) would make (3, 3)): the first decides
            common = shapes[0]
    source = fields[shapes.index(common)]
    try:
        match(spec.name, source.name, pattern, common, env)
    except ShapeError as err:
        problems.append(Problem(INVALID, source.name, str(err)))
        return
    for field, shape in zip(fields, shapes, strict=True):
        if shape == common:
            continue
        if _broadcasts(shape, common):
            message = f"{spec.name}: {field.name} has shape {fmt(shape)} and broadcasts to {fmt(common)}"
            problems.append(Problem(BROADCAST, field.name, message + ", the shape of the other parameters"))
        else:
            message = f"{spec.name}: {field.name} has shape {fmt(shape)} but {source.name} has shape {fmt(common)}"
            problems.append(Problem(INVALID, field.name, message))


def _broadcasts(shape: Shape, target: Shape) -> bool:
    """Whether `shape` broadcasts to `target`, leading size-1 dimensions aside (numpy gives the same values)."""
    while len(shape) > len(target) and shape[0] == 1:
        shape = shape[1:]
    try:
        return np.broadcast_shapes(shape, target) == target
    except ValueError:
        return False


def _derive(spec: UnitSpec, values: dict[str, Any], env: Env) -> None:
    """Bind the `x-nir-derive` symbols whose operands (symbols or integer fields) are known."""
    for symbol, rule in spec.derive.items():
        operands = rule["product"]
        if symbol in env or not all(o in env or values.get(o) is not None for o in operands):
            continue
        product, parts = 1, []
        for operand in operands:
            if operand in env:
                bound = env[operand]
                product *= bound.value
                parts.append(f"{bound.source} has {bound.what} {fmt(bound.shape)}")
            else:
                product *= int(values[operand])
                parts.append(f"{operand}={int(values[operand])}")
        env[symbol] = Binding(product, " and ".join(parts), (), "derived")


def ports(
    spec: UnitSpec, values: dict[str, Any], env: Env, input_shape: Shape | None = None
) -> tuple[Shape | None, Shape | None]:
    """Input and output shape of a node from its view, given the shape arriving at its input if known.

    `env` is left unchanged. Raises ShapeError when the arriving shape contradicts the node's parameters.
    """
    if input_shape is not None or spec.formula is not None:
        env = dict(env)  # bound further below: the caller's stays as it is
    if input_shape is not None:
        match(spec.name, "input", spec.input, input_shape, env)
    resolved_in = resolve(spec.input, env)
    if spec.formula is not None:
        # A partly known input (a Conv's channels unknown while its spatial size is given) may
        # still fix the output: the formula says UnknownValueError when it needs what is missing.
        known = resolved_in if resolved_in is not None else resolve(spec.input, env, partial=True)
        if known is not None and any(d is not None for d in known):
            try:
                out = FORMULAS[spec.formula](spec.name, values, known)
            except UnknownValueError:
                return resolved_in, None
            match(spec.name, "output", spec.output, out, env)
    return resolved_in, resolve(spec.output, env)


def infer(spec: UnitSpec, node: Any, input_shape: Shape | None = None) -> tuple[Shape | None, Shape | None]:
    """A node's input and output shape, given the shape arriving at its input (ShapeError if that contradicts it)."""
    found = view(node)
    return ports(spec, found.values, found.env, input_shape)


def settle_defaults(node: Any, fields: ModelFields, given: set[str], numbers: set[str]) -> None:
    """A newly built node: its view not yet read, its broadcast fields given their shape (see `materialize`).

    `given` holds the attributes its arguments set, `numbers` those of the broadcast fields given as Python numbers.
    """
    object.__setattr__(node, "_cache", None)  # set, so that reading the slot never takes pydantic's slow path
    if numbers or not fields.broadcast <= given:  # something to give the arrays' shape and dtype
        materialize(fields.unit, node, {fields.schema[attr] for attr in given}, numbers)


def materialize(spec: UnitSpec, node: Any, given: set[str], numbers: set[str]) -> None:
    """Give defaulted and Python-number broadcast fields the shape and dtype of the node's arrays.

    As the reference package's `v_reset = zeros_like(v_threshold)`: a field left at its
    default takes the shape and dtype of the arrays given beside it; a field given as a Python
    number takes their shape, its dtype promoted as numpy promotes Python scalars (0.5 with
    int64 gives float64). Arrays given by the caller are never changed.
    """
    names = fields_of(type(node)).attribute
    for pattern in {f.shape for f in spec.fields if f.broadcast}:
        fields = [f for f in spec.fields if f.broadcast and f.shape == pattern]
        soft = [f for f in fields if f.name not in given or f.name in numbers]
        if not soft:
            continue
        try:
            arrays = [
                to_numpy(getattr(node, names[f.name])) for f in fields if f.name in given and f.name not in numbers
            ]
            target = np.broadcast_shapes(*(a.shape for a in arrays))
        except (ValueError, TypeError):  # None among them, or shapes that disagree: left to the checks
            continue
        if not arrays:
            continue
        source = arrays[0].dtype
        for field in soft:
            value = getattr(node, names[field.name])
            if value is None:
                continue
            dtype = source if field.name not in given else np.result_type(source, value.item())
            object.__setattr__(node, names[field.name], np.full(target, value, dtype=dtype))
