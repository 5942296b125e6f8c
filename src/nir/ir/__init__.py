"""The node classes, as the reference package's `nir.ir` module exposes them (with its submodules)."""

from __future__ import annotations

from typing import Any

from nir.ir import typing, utils
from nir.ir.conv import Conv1d, Conv2d
from nir.ir.delay import Delay
from nir.ir.flatten import Flatten
from nir.ir.graph import Input, NIRGraph, Output
from nir.ir.linear import Affine, Linear, Scale
from nir.ir.neuron import IF, LI, LIF, CubaLI, CubaLIF, I
from nir.ir.node import NIRNode
from nir.ir.pooling import AvgPool2d, SumPool2d
from nir.ir.threshold import Threshold
from nir.node import node_class


def str2NIRNode(type: str) -> type[NIRNode]:  # noqa: A002, N802 - reference API name
    """The node class named `type`."""
    return node_class(type)


def dict2NIRNode(data_dict: dict[str, Any]) -> NIRNode:  # noqa: N802 - reference API name
    """Build a node from a dictionary with a `type` key."""
    return NIRNode.from_dict(data_dict)


__all__ = [
    "IF",
    "LI",
    "LIF",
    "Affine",
    "AvgPool2d",
    "Conv1d",
    "Conv2d",
    "CubaLI",
    "CubaLIF",
    "Delay",
    "Flatten",
    "I",
    "Input",
    "Linear",
    "NIRGraph",
    "NIRNode",
    "Output",
    "Scale",
    "SumPool2d",
    "Threshold",
    "dict2NIRNode",
    "str2NIRNode",
    "typing",
    "utils",
]
