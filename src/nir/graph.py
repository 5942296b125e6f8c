"""Behaviour of NIRGraph: construction as in the reference package, ports, type checking."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from typing import Any

from pydantic import PrivateAttr, field_validator

from nir.errors import NIRArgumentError, NIRDictError
from nir.node import NIRNode, Port, node_class
from nir.topology import pointer, ports_of, role_of


class GraphBase(NIRNode):
    """Base of the generated NIRGraph: a node holding named nodes and edges between them.

    With `type_check=True` (the default, as in the reference package) the graph is checked on
    construction: where the reference package raises ValueError (an edge to a node that does
    not exist, a duplicate edge, a type mismatch along an edge) NIRValidationError (a
    ValueError) is raised; Input and Output nodes are added to roots and leaves that lack them,
    as the reference adds them; inferred shapes are given to the nodes whose own parameters
    leave them open. Every other finding is kept in `report` and shown once as a NIRWarning;
    `strict=True` turns every error finding into NIRValidationError.
    """

    _report: Any = PrivateAttr(default=None)

    def __init__(
        self,
        nodes: dict[str, Any] | None = None,
        edges: list[Any] | None = None,
        metadata: dict[str, Any] | None = None,
        type_check: bool = True,
        strict: bool = False,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("nodes", {} if nodes is None else nodes)
        kwargs.setdefault("edges", [] if edges is None else edges)
        kwargs.setdefault("metadata", metadata)
        if not type_check and _foreign(kwargs["nodes"]):
            self._construct_unchecked(kwargs)
            return
        super().__init__(**kwargs)
        if type_check or strict:
            self.infer_types(strict=strict, add_io=type_check)

    def _construct_unchecked(self, kwargs: dict[str, Any]) -> None:
        """Hold arbitrary node objects, unvalidated, as the reference package does.

        With type_check=False the reference package accepts any object as a node, and
        converters rely on it: nirtorch (used by Norse's `from_nir`) rebuilds a NIRGraph whose
        nodes are torch modules. Such a graph cannot be written or validated.
        """
        if not isinstance(kwargs["nodes"], dict) or not isinstance(kwargs["edges"], list | tuple):
            raise NIRArgumentError("NIRGraph: nodes must be a mapping and edges a list of pairs")
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
        # built models (or dictionaries to build them from), so check them directly. A name
        # that breaks the schema's rule is a finding of the checks, as the reference accepts it.
        if not isinstance(value, dict):
            return handler(value)
        out = {}
        for name, node in value.items():
            if not isinstance(name, str):
                raise NIRArgumentError(f"node names must be strings, not {type(name).__name__} {name!r}")
            if isinstance(node, dict):
                node = NIRNode.from_dict(node)
            if not isinstance(node, NIRNode):
                kind = type(node).__name__
                raise NIRArgumentError(
                    f"node {name!r} is a {kind}, not a NIR node (only type_check=False holds others)"
                )
            out[name] = node
        return out

    @classmethod
    def from_list(cls, *nodes: NIRNode, type_check: bool = True) -> GraphBase:
        """A chain of nodes named after their types (`linear`, `lif`, `lif_1`, ...), as in the reference.

        An Input is added before the first node unless it is one, with the first node's input
        type; an Output after the last unless it is one, with the last node's output type.
        """
        if len(nodes) == 1 and isinstance(nodes[0], list | tuple):
            nodes = tuple(nodes[0])
        if not nodes:
            raise NIRArgumentError("NIRGraph.from_list needs at least one node")
        for node in nodes:
            if not isinstance(node, NIRNode):
                raise NIRArgumentError(f"NIRGraph.from_list takes NIR nodes, not {type(node).__name__}")
        chain: dict[str, NIRNode] = {}
        first, last = nodes[0], nodes[-1]
        if first.unit_spec.role != "graph-input":
            chain["input"] = node_class("Input")(input_type=_single(first.input_type))
        counts: Counter[str] = Counter()
        for node in nodes:
            base = type(node).__name__.lower()
            chain[f"{base}_{counts[base]}" if counts[base] else base] = node
            counts[base] += 1
        if last.unit_spec.role != "graph-output":
            chain["output"] = node_class("Output")(output_type=_single(last.output_type))
        names = list(chain)
        return cls(nodes=chain, edges=list(pairwise(names)), type_check=type_check)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GraphBase:
        """A graph from `to_dict` output: nodes as dictionaries, edges as pairs (bytes decoded).

        A `type_check` entry is passed on, as the reference's `read` does.
        """
        if not isinstance(data, dict):
            raise NIRDictError(f"NIRGraph.from_dict expects a dictionary, not {type(data).__name__}")
        for key in ("nodes", "edges"):
            if key not in data:
                raise NIRDictError(f"NIRGraph.from_dict: the dictionary must have a {key!r} entry")
        if data.get("type", cls.__name__) != cls.__name__:
            raise NIRDictError(f"NIRGraph.from_dict got a dictionary of type {data['type']!r}")
        kwargs = {k: v for k, v in data.items() if k != "type"}
        return cls(**kwargs)

    @property
    def inputs(self) -> dict[str, NIRNode]:
        """The graph's Input nodes by name."""
        return ports_of(self, "graph-input")

    @property
    def outputs(self) -> dict[str, NIRNode]:
        """The graph's Output nodes by name."""
        return ports_of(self, "graph-output")

    def _port_pair(self) -> list[Port]:
        # As the reference: an Input's `input_type` and an Output's `output_type` (converters set those).
        ins = {k: n.input_type.get("input") for k, n in self.inputs.items()}
        outs = {k: n.output_type.get("output") for k, n in self.outputs.items()}
        return [ins, outs]

    @property
    def input_type(self) -> Port:
        """Shapes entering the graph, keyed by Input node name."""
        return self._port_pair()[0]

    @property
    def output_type(self) -> Port:
        """Shapes leaving the graph, keyed by Output node name."""
        return self._port_pair()[1]

    def infer_types(self, strict: bool = False, add_io: bool = True) -> None:
        """Check the graph and infer every node's shapes, as on construction with type_check=True.

        Raises NIRValidationError where the reference package raises (see the class); with
        `strict`, for any error finding. `add_io` adds the Input and Output nodes the reference adds.
        """
        from nir.analysis import settle

        settle(self, reference=True, add_io=add_io, strict=strict)

    def check_types(self) -> bool:
        """True if the graph's types agree; NIRValidationError where the reference raises ValueError."""
        self.infer_types(add_io=False)
        return True

    def validate_structure(self) -> None:
        """Raise NIRValidationError (a ValueError) for edges to nodes that do not exist and for duplicate edges."""
        from nir.analysis import raise_structure

        raise_structure(self)

    def add_io_nodes(self, found: Any) -> bool:
        """Add an Input before each root and an Output after each leaf lacking one, as the reference does.

        A root is a node no edge of its graph enters (an Input aside), a leaf one no edge leaves
        (an Output aside); each added node takes the shape `found` (the analysis) gives the
        root's input or the leaf's output, and is named `input_<root>` / `output_<leaf>`. Roots
        and leaves whose shape is unknown are left to the findings. True if anything was added.
        """
        added = False
        for prefix, graph in found.network.graphs.items():
            listed = pointer(prefix, "edges")
            entered, left = set(), set()
            for src, dst, where in found.network.edges:
                if where.rpartition("/")[0] == listed:  # an edge of this graph, not of one nested in it
                    entered.add(dst[len(prefix)])
                    left.add(src[len(prefix)])
            plan = [("input", "graph-input", entered, found.inputs), ("output", "graph-output", left, found.outputs)]
            for side, role, linked, shapes in plan:
                for name in list(graph.nodes):
                    node = graph.nodes[name]
                    if name in linked or role_of(node) == role:
                        continue
                    shape = _port_shape(found, (*prefix, name), node, side, shapes)
                    if shape is None:
                        continue
                    new = _free_name(graph, f"{side}_{name}")
                    kind = "Input" if side == "input" else "Output"
                    graph.nodes[new] = node_class(kind)(shape=list(shape))
                    graph.edges.append((new, name) if side == "input" else (name, new))
                    added = True
        return added

    def apply_inferred(self, found: Any) -> None:
        """Give nodes whose own parameters leave a port shape open the inferred shapes."""
        for key in found.open:
            found.network.nodes[key].set_inferred(found.inputs.get(key), found.outputs.get(key))

    @property
    def report(self) -> Any:
        """Findings of the last read or validation of this graph (None if never checked)."""
        return self._report

    @report.setter
    def report(self, value: Any) -> None:
        self._report = value


def _single(port: Port) -> Any:
    """The one shape of a port dictionary (a nested graph's is keyed by its Input's name), or None."""
    return next(iter(port.values())) if len(port) == 1 else None


def _port_shape(found: Any, key: tuple[str, ...], node: NIRNode, side: str, shapes: dict) -> Any:
    """The shape at a node's input (or output) side: its own, or its single Input's (Output's) for a nested graph."""
    if isinstance(node, GraphBase):
        ports = node.inputs if side == "input" else node.outputs
        if len(ports) != 1:
            return None
        (inner,) = ports
        inner_shapes = found.outputs if side == "input" else found.inputs
        return inner_shapes.get((*key, inner))
    return shapes.get(key)


def _free_name(graph: GraphBase, name: str) -> str:
    """`name`, or `name_0`, `name_1`, ... if the graph has a node of that name (the reference's rule)."""
    if name not in graph.nodes:
        return name
    i = 0
    while f"{name}_{i}" in graph.nodes:
        i += 1
    return f"{name}_{i}"


def _foreign(nodes: Any) -> bool:
    """Whether `nodes` holds objects that are neither NIR nodes nor their dictionaries."""
    return isinstance(nodes, dict) and any(not isinstance(n, NIRNode | dict) for n in nodes.values())
