"""Behaviour of NIRGraph: construction as in the reference package, ports, type checking."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from itertools import pairwise
from typing import Any

from pydantic import PrivateAttr, field_validator

from nir import shapes, spec
from nir.errors import NIRValidationError, ShapeError
from nir.node import NIRNode, Port, _port


class GraphBase(NIRNode):
    """Base of the generated NIRGraph: a node holding named nodes and edges between them.

    With `type_check=True` (the default, as in the reference package) the graph is
    validated on construction and an error finding raises NIRValidationError; inferred
    shapes are attached to the nodes whose own parameters leave them open.
    """

    _report: Any = PrivateAttr(default=None)
    _dropped: dict[str, str | None] = PrivateAttr(default_factory=dict)
    _read_findings: list[Any] = PrivateAttr(default_factory=list)

    def __init__(
        self,
        nodes: dict[str, Any] | None = None,
        edges: list[Any] | None = None,
        metadata: dict[str, Any] | None = None,
        type_check: bool = True,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("nodes", {} if nodes is None else nodes)
        kwargs.setdefault("edges", [] if edges is None else edges)
        kwargs.setdefault("metadata", metadata)
        if not type_check and _foreign(kwargs["nodes"]):
            self._construct_unchecked(kwargs)
            return
        super().__init__(**kwargs)
        if type_check:
            self.infer_types()

    def _construct_unchecked(self, kwargs: dict[str, Any]) -> None:
        """Hold arbitrary node objects, unvalidated, as the reference package does.

        With type_check=False the reference package accepts any object as a node, and
        converters rely on it: nirtorch (used by Norse's `from_nir`) rebuilds a NIRGraph whose
        nodes are torch modules. Such a graph cannot be written or validated.
        """
        built = type(self).model_construct(
            type=type(self).__name__,
            nodes=dict(kwargs["nodes"]),
            edges=[tuple(e) for e in kwargs["edges"]],
            metadata=kwargs["metadata"] or {},
        )
        for slot in ("__dict__", "__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__"):
            object.__setattr__(self, slot, getattr(built, slot))

    @field_validator("nodes", mode="wrap", check_fields=False)
    @classmethod
    def _nodes(cls, value: Any, handler: Any) -> Any:
        # The generated annotation is a plain union of every node class; checking each node
        # against 19 classes in turn would dominate reading large graphs. Nodes are already
        # validated models (or dictionaries to build them from), so check them directly.
        if not isinstance(value, dict):
            return handler(value)
        out = {}
        for name, node in value.items():
            problem = name_problem(name)
            if problem:
                raise ValueError(f"node name {name!r} {problem}")
            if isinstance(node, dict):
                node = NIRNode.from_dict(node)
            if not isinstance(node, NIRNode):
                raise ValueError(f"node {name!r} is a {type(node).__name__}, not a NIR node")
            out[name] = node
        return out

    @classmethod
    def from_list(cls, *nodes: NIRNode, type_check: bool = True) -> GraphBase:
        """A chain of nodes named after their types (`linear`, `lif`, `lif_1`, ...).

        An Input and an Output are added at the ends unless the chain has them.
        """
        from nir.registry import node_class

        if len(nodes) == 1 and isinstance(nodes[0], (list, tuple)):
            nodes = tuple(nodes[0])
        if not nodes:
            raise ValueError("NIRGraph.from_list needs at least one node")
        chain: dict[str, NIRNode] = {}
        first, last = nodes[0], nodes[-1]
        if first.unit_spec.role != "graph-input":
            chain["input"] = node_class("Input")(shape=_known(first.input_type["input"], "input", first))
        counts: Counter[str] = Counter()
        shape = None
        for node in nodes:
            base = type(node).__name__.lower()
            chain[f"{base}_{counts[base]}" if counts[base] else base] = node
            counts[base] += 1
            try:
                shape = shapes.infer(node.unit_spec, node, shape)[1]
            except ShapeError:
                if type_check:
                    raise
                shape = node.output_type["output"]
        if last.unit_spec.role != "graph-output":
            chain["output"] = node_class("Output")(shape=_known(shape, "output", last))
        names = list(chain)
        return cls(nodes=chain, edges=list(pairwise(names)), type_check=type_check)

    @property
    def inputs(self) -> dict[str, NIRNode]:
        """The graph's Input nodes by name."""
        return {k: n for k, n in self.nodes.items() if n.unit_spec.role == "graph-input"}

    @property
    def outputs(self) -> dict[str, NIRNode]:
        """The graph's Output nodes by name."""
        return {k: n for k, n in self.nodes.items() if n.unit_spec.role == "graph-output"}

    def _ports(self) -> tuple[Port, Port]:
        ins = {k: n.output_type["output"] for k, n in self.inputs.items()}
        outs = {k: n.input_type["input"] for k, n in self.outputs.items()}
        return ins, outs

    @property
    def input_type(self) -> Port:
        """Shapes entering the graph, keyed by Input node name."""
        return self._ports()[0]

    @property
    def output_type(self) -> Port:
        """Shapes leaving the graph, keyed by Output node name."""
        return self._ports()[1]

    def infer_types(self) -> None:
        """Infer every node's shapes; raise NIRValidationError if the graph has errors."""
        from nir.validation import analyse

        report, found = analyse(self)
        self.report = report
        if not report.ok:
            raise NIRValidationError(report)
        self.apply_inferred(found)

    def apply_inferred(self, found: Any) -> None:
        """Give nodes whose own parameters leave a port shape open the inferred shapes."""
        for key in found.open:
            node = found.network.nodes[key]
            node._inferred = (_port("input", found.inputs.get(key)), _port("output", found.outputs.get(key)))

    @property
    def report(self) -> Any:
        """Findings of the last read or validation of this graph (None if never checked)."""
        return self._report

    @report.setter
    def report(self, value: Any) -> None:
        self._report = value

    @property
    def dropped(self) -> dict[str, str | None]:
        """Nodes a lenient read left out because they could not be built (name -> declared type)."""
        return self._dropped

    @dropped.setter
    def dropped(self, value: dict[str, str | None]) -> None:
        self._dropped = value

    @property
    def read_findings(self) -> list[Any]:
        """Findings of the read that built this graph (migrations, entries left out): every later check repeats them."""
        return self._read_findings

    @read_findings.setter
    def read_findings(self, value: list[Any]) -> None:
        self._read_findings = value

    def check_types(self) -> bool:
        """True if the graph is consistent; NIRValidationError otherwise (reference API)."""
        self.infer_types()
        return True


def name_problem(name: Any) -> str | None:
    """Why `name` breaks the schema's rule for node names (`propertyNames`), or None."""
    shortest, pattern = _name_rule()
    if not isinstance(name, str):
        return "is not a string"
    if len(name) < shortest:
        return "is empty"
    if pattern is not None and not pattern.search(name):
        return f"does not match {pattern.pattern}"
    return None


@cache
def _name_rule() -> tuple[int, re.Pattern[str] | None]:
    rule = spec.bundled()["$defs"]["NIRGraph"]["properties"]["nodes"]["propertyNames"]
    return rule.get("minLength", 0), re.compile(rule["pattern"]) if "pattern" in rule else None


_name_rule()  # compiled at import, with the classes, not by the first graph


def _foreign(nodes: Any) -> bool:
    """Whether `nodes` holds objects that are neither NIR nodes nor their dictionaries."""
    return isinstance(nodes, dict) and any(not isinstance(n, NIRNode | dict) for n in nodes.values())


def _known(value: Any, key: str, node: NIRNode) -> Any:
    if value is None:
        raise ValueError(
            f"NIRGraph.from_list: the {key} shape of the {type(node).__name__} is unknown; add an Input/Output node"
        )
    return value
