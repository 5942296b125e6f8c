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
def _plan(pattern: tuple[Dim, ...], rank: int) -> tuple[tuple[Dim, int | slice], ...] | None:
    """Which dimension (or, for the variadic symbol, which run of them) of a `rank`-dimensional
    shape each symbol of `pattern` stands for; None if no such shape fits the pattern."""
    variadic = [i for i, p in enumerate(pattern) if isinstance(p, str) and p.startswith(VARIADIC)]
    if not variadic:
        return tuple(zip(pattern, range(rank), strict=True)) if rank == len(pattern) else None
    if rank < len(pattern) - 1:
        return None
    at = variadic[0]
    end = rank - (len(pattern) - at - 1)
    head = zip(pattern[:at], range(at), strict=True)
    tail = zip(pattern[at + 1 :], range(end, rank), strict=True)
    return (*head, (str(pattern[at])[len(VARIADIC) :], slice(at, end)), *tail)


def match(unit: str, source: str, pattern: Sequence[Dim], shape: Sequence[int], env: Env, what: str = "shape") -> None:
    """Bind the symbols of `pattern` to `shape`, raising ShapeError on any disagreement."""
    if type(shape) is not tuple:  # numpy's shapes are tuples of ints already; a shape's values are not
        shape = tuple(None if x is None else int(x) for x in shape)
    if type(pattern) is not tuple:
        pattern = tuple(pattern)
    plan = _plan(pattern, len(shape))
    if plan is None:
        fixed = sum(not (isinstance(p, str) and p.startswith(VARIADIC)) for p in pattern)
        least = "at least " if fixed < len(pattern) else ""
        raise ShapeError(
            f"{unit}: {source} has {what} {fmt(shape)} but needs {least}{fixed} dimensions {_fmt_pattern(pattern)}"
        )
    for symbol, where in plan:
        value = shape[where]
        if value is None or (isinstance(value, tuple) and None in value):
            continue  # a partial shape (see resolve) fixes nothing where it is unknown
        if isinstance(symbol, int):
            if value != symbol:
                raise ShapeError(
                    f"{unit}: {source} has {what} {fmt(shape)} but needs size {symbol} there {_fmt_pattern(pattern)}"
                )
            continue
        bound = env.get(symbol)
        if bound is None:
            env[symbol] = Binding(value, source, shape, what)
        elif bound.value != value:
            raise _conflict(unit, source, pattern, symbol, value, shape, bound, what)


def _conflict(
    unit: str,
    source: str,
    pattern: tuple[Dim, ...],
    name: str,
    value: int | tuple[int, ...],
    shape: tuple[int, ...],
    bound: Binding,
    what: str,
) -> ShapeError:
    """The error for a symbol bound here to another value than before."""
    if bound.what == "derived":
        return ShapeError(
            f"{unit}: {source} has {what} {fmt(shape)} but {bound.source}, so {name} must be {bound.value}"
        )
    whole = len(pattern) == 1 and str(pattern[0]).startswith(VARIADIC)
    detail = "" if whole else f" ({name} is {_fmt_value(value)} here, {_fmt_value(bound.value)} there)"
    return ShapeError(
        f"{unit}: {source} has {what} {fmt(shape)} but {bound.source} has {bound.what} {fmt(bound.shape)}{detail}"
    )


def resolve(pattern: Sequence[Dim] | None, env: Env, partial: bool = False) -> tuple[int, ...] | None:
    """The concrete shape a pattern denotes under `env`, or None while a symbol is unbound.

    With `partial`, an unbound single-dimension symbol gives None in its place instead (a
    variadic one still gives None for the whole shape, its length being unknown).
    """
    if pattern is None:
        return None
    out: list[int | None] = []
    for symbol, variadic in _symbols(tuple(pattern)):
        if variadic is None:
            out.append(symbol)
            continue
        bound = env.get(symbol)
        if bound is None:
            if not partial or variadic:
                return None
            out.append(None)
        elif variadic:
            out.extend(bound.value)
        else:
            out.append(bound.value)
    return tuple(out)


@cache
def _symbols(pattern: tuple[Dim, ...]) -> tuple[tuple[Dim, bool | None], ...]:
    """Each entry of a pattern as (size, None) or (symbol name, whether variadic)."""
    return tuple(
        (p, None) if isinstance(p, int) else (p.removeprefix(VARIADIC), p.startswith(VARIADIC)) for p in pattern
    )


def _fmt_pattern(pattern: Sequence[Dim]) -> str:
    return "[" + ", ".join(str(p) for p in pattern) + "]"


def _fmt_value(value: int | tuple[int, ...]) -> str:
    return fmt(value) if isinstance(value, tuple) else str(value)
