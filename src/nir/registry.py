"""Node classes by type name: the generated models of the units the schema defines."""

from __future__ import annotations

from functools import cache

from nir import spec
from nir._generated import models
from nir.errors import NIRDictError
from nir.node import NIRNode


@cache
def node_types() -> dict[str, type[NIRNode]]:
    """Every node class of the current spec, keyed by its `type` name."""
    return {name: getattr(models, name) for name in spec.units()}


def node_class(type_name: str) -> type[NIRNode]:
    """The node class for a `type` name; otherwise NIRDictError (an AssertionError, as in the reference)."""
    try:
        return node_types()[type_name]
    except (KeyError, TypeError):
        known = ", ".join(sorted(node_types()))
        raise NIRDictError(f"unknown node type {type_name!r}; known types: {known}") from None


# The classes above exist from import on; their rules are loaded with them, so that the first
# node, read or write in a process costs what every later one does.
node_types()
