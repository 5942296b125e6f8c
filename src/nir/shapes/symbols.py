"""Symbolic shapes: match concrete shapes against patterns such as `["...B", "M", "N"]`."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import NamedTuple

from nir.errors import ShapeError
from nir.spec.units import Dim

VARIADIC = "..."


class Binding(NamedTuple):
    """What a symbol stands for, and which field or port fixed it (a tuple: thousands are made per file)."""

    value: int | tuple[int, ...]
    source: str
    shape: tuple[int, ...]
    what: str = "shape"


Env = dict[str, Binding]


def fmt(shape: Sequence[int]) -> str:
    """Format a shape the way numpy prints it: `(3,)`, `(2, 4)`."""
    return str(tuple(int(x) for x in shape))


@cache
def _split(pattern: tuple[Dim, ...]) -> tuple[int | None, tuple[Dim, ...], tuple[Dim, ...]]:
    """Index of the variadic symbol (or None), and the symbols before and after it."""
    variadic = [i for i, p in enumerate(pattern) if isinstance(p, str) and p.startswith(VARIADIC)]
    if not variadic:
        return None, pattern, ()
    return variadic[0], pattern[: variadic[0]], pattern[variadic[0] + 1 :]


def match(unit: str, source: str, pattern: Sequence[Dim], shape: Sequence[int], env: Env, what: str = "shape") -> None:
    """Bind the symbols of `pattern` to `shape`, raising ShapeError on any disagreement."""
    shape = tuple(map(int, shape))
    pattern = tuple(pattern)
    index, head, tail = _split(pattern)
    if index == 0 and not tail:  # the common `["...N"]`: the whole shape is one symbol
        _bind(unit, source, pattern, pattern[0][len(VARIADIC) :], shape, shape, env, what)
        return
    variadic = [index] if index is not None else []
    fixed = len(head) + len(tail)
    if variadic and len(shape) < fixed:
        raise ShapeError(
            f"{unit}: {source} has {what} {fmt(shape)} but needs at least {fixed} dimensions {_fmt_pattern(pattern)}"
        )
    if not variadic and len(shape) != fixed:
        raise ShapeError(
            f"{unit}: {source} has {what} {fmt(shape)} but needs {fixed} dimensions {_fmt_pattern(pattern)}"
        )
    pairs: list[tuple[Dim, int | tuple[int, ...]]] = list(zip(head, shape[: len(head)], strict=True))
    if variadic:
        pairs.append((pattern[variadic[0]], shape[len(head) : len(shape) - len(tail)]))
        pairs.extend(zip(tail, shape[len(shape) - len(tail) :], strict=True))
    for symbol, value in pairs:
        if isinstance(symbol, int):
            if value != symbol:
                raise ShapeError(
                    f"{unit}: {source} has {what} {fmt(shape)} but needs size {symbol} there {_fmt_pattern(pattern)}"
                )
            continue
        _bind(unit, source, pattern, symbol.removeprefix(VARIADIC), value, shape, env, what)


def _bind(
    unit: str,
    source: str,
    pattern: tuple[Dim, ...],
    name: str,
    value: int | tuple[int, ...],
    shape: tuple[int, ...],
    env: Env,
    what: str,
) -> None:
    """Bind one symbol, or check it against its earlier binding."""
    bound = env.get(name)
    if bound is None:
        env[name] = Binding(value, source, shape, what)
    elif bound.value == value:
        return
    elif bound.what == "derived":
        raise ShapeError(
            f"{unit}: {source} has {what} {fmt(shape)} but {bound.source}, so {name} must be {bound.value}"
        )
    else:
        whole = len(pattern) == 1 and str(pattern[0]).startswith(VARIADIC)
        detail = "" if whole else f" ({name} is {_fmt_value(value)} here, {_fmt_value(bound.value)} there)"
        raise ShapeError(
            f"{unit}: {source} has {what} {fmt(shape)} but {bound.source} has {bound.what} {fmt(bound.shape)}{detail}"
        )


def resolve(pattern: Sequence[Dim] | None, env: Env) -> tuple[int, ...] | None:
    """The concrete shape a pattern denotes under `env`, or None while a symbol is unbound."""
    if pattern is None:
        return None
    out: list[int] = []
    for symbol in pattern:
        if isinstance(symbol, int):
            out.append(symbol)
            continue
        bound = env.get(symbol.removeprefix(VARIADIC))
        if bound is None:
            return None
        out.extend(bound.value if isinstance(bound.value, tuple) else (bound.value,))
    return tuple(out)


def _fmt_pattern(pattern: Sequence[Dim]) -> str:
    return "[" + ", ".join(str(p) for p in pattern) + "]"


def _fmt_value(value: int | tuple[int, ...]) -> str:
    return fmt(value) if isinstance(value, tuple) else str(value)
