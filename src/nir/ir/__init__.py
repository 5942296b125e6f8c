"""The node classes, as the reference package's `nir.ir` module exposes them (with its submodules)."""

from __future__ import annotations

from typing import Any

from nir._generated import models  # noqa: F401 - the node classes register as the models load

# The reference's submodules, as attributes of nir.ir (converters import from them).
from nir.ir import conv, delay, flatten, graph, linear, neuron, pooling, threshold, typing, utils  # noqa: F401
from nir.ir.node import NIRNode
from nir.node import node_class, node_types


def str2NIRNode(type: str) -> type[NIRNode]:  # noqa: A002, N802 - reference API name
    """The node class named `type`."""
    return node_class(type)


def dict2NIRNode(data_dict: dict[str, Any]) -> NIRNode:  # noqa: N802 - reference API name
    """Build a node from a dictionary with a `type` key."""
    return NIRNode.from_dict(data_dict)


# Every node class of the spec, as the generated models registered them: a unit added to the
# schema is exported without a line here.
globals().update(node_types())

__all__ = sorted([*node_types(), "NIRNode", "dict2NIRNode", "str2NIRNode", "typing", "utils"])
