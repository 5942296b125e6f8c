"""Keeping a node's constructor arguments: one routine for the models and for the plain nodes of a read.

Each argument goes through its kind's `keep` (see `nir.types`): kept as given, refused only
when it is the wrong kind of thing. The problems are worded as the models have always worded
them (pydantic's order: the fields in schema order, then unexpected arguments), so a node
refused on building and a node of a file refused on reading read alike.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nir.errors import NIRArgumentError
from nir.fields import REQUIRED, ModelFields

_MISSING = object()


Kept = tuple[dict[str, Any], set[str], set[str]]


def keep_arguments(fields: ModelFields, kwargs: dict[str, Any]) -> Kept:
    """The values a node keeps (by attribute, in field order), the attributes given, and the broadcast
    fields given as Python numbers (see `rules.settle_defaults`); else NIRArgumentError.
    """
    return _keep_common(fields, kwargs) or _keep_any(fields, kwargs)


def _keep_common(fields: ModelFields, kwargs: dict[str, Any]) -> Kept | None:
    """The common case, every argument by its first name and no None: or None, for `_keep_any` to take.

    Building nodes is frequent (a reader builds thousands); this loop does what `_keep_any`
    does for such arguments at about half its cost, and leaves every other case to it.
    """
    unit = fields.unit.name
    values: dict[str, Any] = {}
    given: set[str] = set()
    numbers: set[str] = set()
    found = 0
    for attribute, name, keep, default, port, broadcast in fields.common:
        value = kwargs.get(name, _MISSING)
        if value is _MISSING:
            if default is REQUIRED:
                return None
            value = dict(default) if isinstance(default, dict) else default  # metadata is changed in place
        elif value is None or (port and isinstance(value, dict)):
            return None
        else:
            found += 1
            given.add(attribute)
            if broadcast and not isinstance(value, np.ndarray) and isinstance(value, (bool, int, float)):
                numbers.add(attribute)
        if keep is None:
            if value != unit:
                return None
            values[attribute] = value
            continue
        try:
            values[attribute] = keep(value)
        except ValueError:
            return None
    return (values, given, numbers) if found == len(kwargs) else None


def _keep_any(fields: ModelFields, kwargs: dict[str, Any]) -> Kept:
    """Every rule: aliases, None for a default, port dictionaries, and each problem worded."""
    unit = fields.unit.name
    values: dict[str, Any] = {}
    given: set[str] = set()
    numbers: set[str] = set()
    consumed = 0
    problems: list[tuple[str, str]] = []
    for attribute, schema, names, required, default, keep, optional, port, broadcast in fields.arguments:
        for name in names:
            if name in kwargs:
                value = kwargs[name]
                consumed += 1
                if port and isinstance(value, dict) and len(value) == 1:
                    (value,) = value.values()  # a shape given as a port dictionary, {"input": shape}
                if value is None and optional:
                    name = None  # the reference API's None for "use the default"
                    break
                given.add(attribute)
                if broadcast and isinstance(value, (bool, int, float)):
                    numbers.add(attribute)
                break
        else:
            name = None
        if name is None:
            if required:
                problems.append((schema, f"{unit}: missing required argument {names[0]!r}"))
                continue
            value = dict(default) if isinstance(default, dict) else default  # metadata is changed in place
        if keep is None:
            if value != unit:
                problems.append((schema, f"{unit}: arguments: Input should be {unit!r}"))
            values[attribute] = value
            continue
        try:
            values[attribute] = keep(value)
        except ValueError as err:
            problems.append((schema, f"{unit}: {name or schema}: {err}"))
    if consumed != len(kwargs):
        problems += _unexpected(fields, kwargs)
    if problems:
        first = next((schema for schema, _ in problems if schema != "type"), None)
        raise NIRArgumentError("; ".join(message for _, message in problems), first)
    return values, given, numbers


def _unexpected(fields: ModelFields, kwargs: dict[str, Any]) -> list[tuple[str, str]]:
    """Arguments no field took: unknown names, and the second of two names for one field."""
    taken = set()
    for argument in fields.arguments:
        taken.update(next(([n] for n in argument.names if n in kwargs), []))
    return [(str(k), f"{fields.unit.name}: unexpected argument {k!r}") for k in kwargs if k not in taken]
