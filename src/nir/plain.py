"""Plain nodes: a file's nodes as their units' schemas read them, with no model class behind them.

Validating a file needs no more than this: the checks read a node through its unit and its
fields (`fields_of`), and a plain node keeps its arguments with the same routine as the models
(`keep_arguments`), so a file's report is the same either way. It spares a tool that only
validates (`nir validate`) the import of the models and pydantic.
"""

from __future__ import annotations

from functools import cache
from typing import Any, ClassVar

from nir.arguments import keep_arguments
from nir.fields import fields_of
from nir.findings import Report
from nir.shapes.rules import settle_defaults
from nir.spec import UnitSpec, units


class PlainNode:
    """A node holding its kept values under their schema names (`tau`, `input_type`, ...)."""

    __slots__ = ("__dict__", "_cache")
    _unit: ClassVar[UnitSpec]

    def __init__(self, **kwargs: Any) -> None:
        fields = fields_of(type(self))
        values, given, numbers = keep_arguments(fields, {"type": self._unit.name, **kwargs})
        self.__dict__.update(values)
        settle_defaults(self, fields, given, numbers)

    @property
    def unit_spec(self) -> UnitSpec:
        """This node type's rules as the schema states them."""
        return self._unit


class PlainGraph:
    """A graph of plain nodes: its nodes, edges and metadata, and the report of its check."""

    _unit: ClassVar[UnitSpec]

    def __init__(self, nodes: dict[str, Any], edges: list[tuple[str, str]], metadata: dict[str, Any]) -> None:
        self.nodes = nodes
        self.edges = edges
        self.metadata = metadata
        self.report: Report | None = None

    def add_io_nodes(self, found: Any) -> bool:
        """A file's graph is checked as it is: no nodes are added."""
        return False

    def apply_inferred(self, found: Any) -> None:
        """A plain graph keeps no shapes: only its report is asked for."""


@cache
def plain_classes() -> dict[str, type]:
    """A plain class for every node type of the spec, by type name (a graph's is a PlainGraph)."""
    out: dict[str, type] = {}
    for name, unit in units().items():
        base = PlainGraph if unit.kind == "graph" else PlainNode
        out[name] = type(name, (base,), {"_unit": unit, "__slots__": (), "__module__": __name__})
    return out
