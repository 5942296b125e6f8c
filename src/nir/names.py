"""The rule for node names, read from the schema (`propertyNames` of a graph's `nodes`).

Node names become HDF5 link names, so a name that breaks the rule cannot be written; metadata
keys follow the same rule. Building a graph with such a name is allowed (the reference allows
it): the checks report it and the writer refuses it.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from nir import spec


def name_problem(name: Any) -> str | None:
    """Why `name` breaks the schema's rule for node names, or None."""
    shortest, pattern = _rule()
    if not isinstance(name, str):
        return "is not a string"
    if len(name) < shortest:
        return "is empty"
    if pattern is not None and not pattern.search(name):
        return f"does not match {pattern.pattern}"
    return None


@cache
def _rule() -> tuple[int, re.Pattern[str] | None]:
    rule = spec.bundled()["$defs"]["NIRGraph"]["properties"]["nodes"]["propertyNames"]
    return rule.get("minLength", 0), re.compile(rule["pattern"]) if "pattern" in rule else None
