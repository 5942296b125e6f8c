"""Property tests (issue #7, point 2): random graphs survive HDF5 and JSON, random damage is reported.

* Random graphs of every unit type (float16/32/64 parameters of random shapes, nested
  subgraphs reached by dotted or bare names, recurrent edges, metadata of every supported
  kind on graphs and nodes) are written and read back, through HDF5 (`nir.write`/`nir.read`)
  and JSON (`nir.to_json`/`nir.from_json`), and come back `.equals()` the original: values,
  dtypes, names, edge order and metadata. Validation gives the same findings before and
  after. What the code promises for metadata (docs/file-format.md): strings, Python ints,
  floats and bools come back as the same Python scalars, numeric arrays (one dimension or
  more) with their dtype, lists of strings as lists, mappings as dicts. Lists of numbers come
  back as arrays and numpy scalars as Python scalars, so they are not generated here.
* Random mutations of valid JSON documents (a key deleted, a value of the wrong type, a
  shape altered, an edge endpoint renamed, a NaN inserted) are either accepted or rejected
  with findings (`from_json(warn_findings=False).report`) or a NIRFormatError; nothing else.

The examples are derandomized (same inputs every run) and few enough that the module runs
in well under a minute on two cores; HYPOTHESIS_MAX_EXAMPLES scales them for a longer hunt.
"""

from __future__ import annotations

import copy
import io
import json
import math
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from support.cases import nested_graph, recurrent_graph, small_graph, valid_nodes

import nir
from nir import shapes, spec
from nir.findings import CODES, Report

SCALE = float(os.environ.get("HYPOTHESIS_MAX_EXAMPLES_SCALE", "1"))


def profile(examples: int) -> settings:
    return settings(
        max_examples=max(1, int(examples * SCALE)),
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


FLOATS = (np.float16, np.float32, np.float64)
SCRATCH = Path(tempfile.mkdtemp(prefix="nir-properties-"))

# --- tensors and nodes -------------------------------------------------------------------------------


def tensor(dtype: Any, shape: tuple[int, ...], low: float = -4.0, high: float = 4.0, open_low: bool = False) -> Any:
    width = np.dtype(dtype).itemsize * 8
    elements = st.floats(low, high, width=width, exclude_min=open_low, allow_nan=False, allow_infinity=False)
    return hnp.arrays(dtype, shape, elements=elements)


def element_bounds(field: spec.FieldSpec) -> dict[str, Any]:
    """Arguments of `tensor` that keep every element within the field's schema constraints."""
    unknown = set(field.elements) - {"minimum", "exclusiveMinimum"}
    assert not unknown, f"{field.name}: teach element_bounds the constraints {unknown}"
    if "exclusiveMinimum" in field.elements:
        return {"low": float(field.elements["exclusiveMinimum"]), "open_low": True}
    if "minimum" in field.elements:
        return {"low": float(field.elements["minimum"])}
    return {}


def _node_order() -> list[str]:
    """The node types in the order of the spec's node union (the order the draws sample them in)."""
    return [option["$ref"].removeprefix("#/$defs/") for option in spec.bundled()["$defs"]["Node"]["oneOf"]]


ELEMENTWISE: dict[str, dict[str, dict[str, Any]]] = {
    # Units whose every tensor field and both ports share one shape (`...N`): any shape of parameters builds one.
    name: {f.name: element_bounds(f) for f in unit.tensor_fields}
    for name, unit in spec.units().items()
    if unit.tensor_fields
    and {f.shape for f in unit.tensor_fields} == {unit.input} == {unit.output}
    and len(unit.input or ()) == 1
}
NEURONS = tuple(name for name in _node_order() if spec.unit(name).kind == "neuron")

# metadata: what docs/file-format.md promises to bring back unchanged
# Metadata keys follow the node-name rule of the schema ('.' and '..' are HDF5 path syntax, as are '/' and NUL).
NAME = re.compile(spec.bundled()["$defs"]["NIRGraph"]["properties"]["nodes"]["propertyNames"]["pattern"])
KEYS = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"), min_size=1, max_size=8
).filter(lambda k: NAME.fullmatch(k) is not None)
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)
NUMERIC_DTYPES = st.sampled_from(
    [np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint64, np.bool_]
)


def metadata_values(finite: bool) -> Any:
    scalars = st.one_of(
        TEXT,
        st.integers(-(2**63), 2**63 - 1),
        st.floats(allow_nan=not finite, allow_infinity=not finite),
        st.booleans(),
    )
    arrays = hnp.arrays(
        NUMERIC_DTYPES,
        hnp.array_shapes(min_dims=1, max_dims=2, min_side=0, max_side=3),
        elements={"allow_nan": False} if finite else None,
    )
    strings = st.lists(TEXT, min_size=1, max_size=3)
    leaves = st.one_of(scalars, arrays, strings)
    return st.recursive(leaves, lambda inner: st.dictionaries(KEYS, inner, max_size=3), max_leaves=6)


def metadata(finite: bool = True) -> Any:
    return st.dictionaries(KEYS, metadata_values(finite), max_size=4)


@st.composite
def elementwise(draw: Any, kind: str, shape: tuple[int, ...], meta: Any) -> nir.NIRNode:
    dtype = draw(st.sampled_from(FLOATS))
    fields = {name: draw(tensor(dtype, shape, **bounds)) for name, bounds in ELEMENTWISE[kind].items()}
    return getattr(nir, kind)(**fields, metadata=draw(meta))


@st.composite
def dense(draw: Any, n_in: int, n_out: int, meta: Any) -> nir.NIRNode:
    dtype = draw(st.sampled_from(FLOATS))
    weight = draw(tensor(dtype, (n_out, n_in)))
    if draw(st.booleans()):
        return nir.Affine(weight=weight, bias=draw(tensor(dtype, (n_out,))), metadata=draw(meta))
    return nir.Linear(weight=weight, metadata=draw(meta))


class Builder:
    """Names nodes uniquely and collects nodes and edges of one graph."""

    def __init__(self) -> None:
        self.nodes: dict[str, nir.NIRNode] = {}
        self.edges: list[tuple[str, str]] = []

    def add(self, stem: str, node: nir.NIRNode) -> str:
        name = f"{stem}{len(self.nodes)}"
        self.nodes[name] = node
        return name

    def link(self, src: str, dst: str) -> None:
        self.edges.append((src, dst))


@st.composite
def chain(draw: Any, builder: Builder, start: str, n: int, depth: int, meta: Any) -> tuple[str, int]:
    """Steps after node `start` (output size n): elementwise units, dense layers, subgraphs, recurrence."""
    last = start
    for _ in range(draw(st.integers(1, 3))):
        step = draw(st.sampled_from(["elementwise", "dense", "sub"] if depth > 0 else ["elementwise", "dense"]))
        if step == "elementwise":
            kind = draw(st.sampled_from(sorted(ELEMENTWISE)))
            name = builder.add(kind.lower(), draw(elementwise(kind, (n,), meta)))
            builder.link(last, name)
            if kind in NEURONS and draw(st.booleans()):  # a recurrent loop through a square weight
                loop = builder.add("rec", draw(dense(n, n, meta)))
                builder.link(name, loop)
                builder.link(loop, name)
            last = name
        elif step == "dense":
            size = draw(st.integers(1, 5))
            name = builder.add("dense", draw(dense(n, size, meta)))
            builder.link(last, name)
            last, n = name, size
        else:
            sub, out = draw(graphs(n, depth - 1, meta))
            name = builder.add("sub", sub)
            dotted = draw(st.booleans())
            builder.link(last, f"{name}.{next(iter(sub.inputs))}" if dotted else name)
            last, n = (f"{name}.{next(iter(sub.outputs))}" if dotted else name), out
    return last, n


@st.composite
def graphs(draw: Any, n_in: int, depth: int, meta: Any) -> tuple[nir.NIRGraph, int]:
    """Input(n_in) -> chain -> Output: a nested graph of one input and one output, and its output size."""
    builder = Builder()
    first = builder.add("input", nir.Input(np.array([n_in])))
    last, n = draw(chain(builder, first, n_in, depth, meta))
    builder.link(last, builder.add("output", nir.Output(np.array([n]))))
    graph = nir.NIRGraph(nodes=builder.nodes, edges=builder.edges, metadata=draw(meta), type_check=False)
    return graph, n


def _window(length: int, kernel: int, stride: int, padding: int, dilation: int = 1) -> int:
    return (length + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


@st.composite
def conv_branch(draw: Any, builder: Builder, meta: Any) -> None:
    """Input(C, H, W) -> Conv2d -> IF/LIF -> Sum/AvgPool2d -> Flatten -> Affine -> neuron -> Output."""
    dtype = draw(st.sampled_from(FLOATS))
    groups = draw(st.integers(1, 2))
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    height, width = draw(st.integers(5, 8)), draw(st.integers(5, 8))
    kernel, stride, dilation = draw(st.integers(1, 3)), draw(st.integers(1, 2)), draw(st.integers(1, 2))
    padding: Any = draw(st.sampled_from([0, 1, "valid"] + (["same"] if stride == 1 else [])))
    conv = nir.Conv2d(
        input_shape=(height, width),
        weight=draw(tensor(dtype, (c_out, c_in // groups, kernel, kernel))),
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
        bias=draw(tensor(dtype, (c_out,))),
        metadata=draw(meta),
    )
    shape = tuple(int(x) for x in conv.output_type["output"])
    name = builder.add("input", nir.Input(np.array([c_in, height, width])))
    conv_name = builder.add("conv", conv)
    builder.link(name, conv_name)
    spike = builder.add("spike", draw(elementwise(draw(st.sampled_from(["IF", "LIF"])), shape, meta)))
    builder.link(conv_name, spike)
    size = draw(st.integers(1, min(2, shape[1], shape[2])))
    pool = getattr(nir, draw(st.sampled_from(["SumPool2d", "AvgPool2d"])))(
        kernel_size=(size, size), stride=(size, size), padding=(0, 0)
    )
    pool_name = builder.add("pool", pool)
    builder.link(spike, pool_name)
    pooled = shapes.infer(pool.unit_spec, pool, shape)[1]
    flat = builder.add("flat", nir.Flatten(input_type=np.array(pooled), start_dim=0, end_dim=-1))
    builder.link(pool_name, flat)
    n = math.prod(pooled)
    out = draw(st.integers(1, 4))
    head = builder.add("head", draw(dense(n, out, meta)))
    builder.link(flat, head)
    neuron = builder.add("lif", draw(elementwise(draw(st.sampled_from(NEURONS)), (out,), meta)))
    builder.link(head, neuron)
    builder.link(neuron, builder.add("output", nir.Output(np.array([out]))))


@st.composite
def conv1d_branch(draw: Any, builder: Builder, meta: Any) -> None:
    """Input(C, L) -> Conv1d -> Flatten -> Output."""
    dtype = draw(st.sampled_from(FLOATS))
    c_in, c_out, length = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(4, 9))
    kernel, stride = draw(st.integers(1, 3)), draw(st.integers(1, 2))
    conv = nir.Conv1d(
        input_shape=length,
        weight=draw(tensor(dtype, (c_out, c_in, kernel))),
        stride=stride,
        padding=draw(st.integers(0, 1)),
        dilation=1,
        groups=1,
        bias=draw(tensor(dtype, (c_out,))),
    )
    shape = tuple(int(x) for x in conv.output_type["output"])
    name = builder.add("input", nir.Input(np.array([c_in, length])))
    conv_name = builder.add("conv1d", conv)
    builder.link(name, conv_name)
    flat = builder.add("flat", nir.Flatten(input_type=np.array(shape), start_dim=0, end_dim=-1))
    builder.link(conv_name, flat)
    builder.link(flat, builder.add("output", nir.Output(np.array([math.prod(shape)]))))


@st.composite
def networks(draw: Any, finite_metadata: bool = True, depth: int = 2) -> nir.NIRGraph:
    """A root graph of one to three branches: a dense chain (with subgraphs), a 2-d and a 1-d conv net."""
    meta = st.one_of(st.just({}), metadata(finite_metadata))
    builder = Builder()
    kinds = draw(st.lists(st.sampled_from(["chain", "conv2d", "conv1d"]), min_size=1, max_size=3, unique=True))
    for kind in kinds:
        if kind == "chain":
            n = draw(st.integers(1, 5))
            first = builder.add("input", nir.Input(np.array([n])))
            last, n = draw(chain(builder, first, n, depth, meta))
            builder.link(last, builder.add("output", nir.Output(np.array([n]))))
        elif kind == "conv2d":
            draw(conv_branch(builder, meta))
        else:
            draw(conv1d_branch(builder, meta))
    return nir.NIRGraph(nodes=builder.nodes, edges=builder.edges, metadata=draw(meta), type_check=False)


def unit_types(graph: nir.NIRGraph) -> set[str]:
    found = {type(graph).__name__}
    for node in graph.nodes.values():
        found |= unit_types(node) if isinstance(node, nir.NIRGraph) else {type(node).__name__}
    return found


def codes(report: Report) -> list[tuple[str, str]]:
    return sorted((f.code, f.path) for f in report)


# --- round trips -------------------------------------------------------------------------------------


def test_the_strategies_reach_every_unit_type_nesting_recurrence_and_metadata() -> None:
    """Guards the generators: over a fixed set of draws, every unit of the spec and every shape of graph appears."""
    seen: set[str] = set()
    features: set[str] = set()

    @profile(100)
    @given(networks())
    def collect(graph: nir.NIRGraph) -> None:
        seen.update(unit_types(graph))
        subs = [n for n in graph.nodes.values() if isinstance(n, nir.NIRGraph)]
        if any(isinstance(m, nir.NIRGraph) for s in subs for m in s.nodes.values()):
            features.add("graph in a graph in a graph")
        if any((b, a) in graph.edges for a, b in graph.edges):
            features.add("recurrent edges")
        if any("." in a or "." in b for a, b in graph.edges):
            features.add("dotted edges")
        if any(isinstance(v, dict) and v for v in graph.metadata.values()):
            features.add("nested metadata")
        if any(n.metadata for n in graph.nodes.values()):
            features.add("node metadata")

    collect()
    assert seen == set(valid_nodes()), set(valid_nodes()) - seen
    assert len(features) == 5, features


@profile(40)
@given(networks(finite_metadata=False))
def test_hdf5_round_trip_keeps_everything(graph: nir.NIRGraph) -> None:
    report = nir.validate(graph)
    assert report.ok, str(report)  # the generators build consistent graphs
    path = SCRATCH / "graph.nir"
    nir.write(path, graph)
    back = nir.read(path)
    assert back.equals(graph)
    assert list(back.edges) == list(graph.edges)
    assert codes(back.report) == codes(report)
    _same_dtypes(graph, back)


@profile(40)
@given(networks())
def test_json_round_trip_keeps_everything(graph: nir.NIRGraph) -> None:
    text = nir.to_json(graph)
    back = nir.from_json(text)
    assert back.equals(graph)
    assert codes(back.report) == codes(nir.validate(graph))
    assert nir.to_json(back) == text  # the text is stable
    _same_dtypes(graph, back)


@profile(25)
@given(networks())
def test_hdf5_json_hdf5_is_byte_identical(graph: nir.NIRGraph) -> None:
    first, second = io.BytesIO(), io.BytesIO()
    nir.write(first, graph)
    nir.write(second, nir.from_json(nir.to_json(nir.read(io.BytesIO(first.getvalue())))))
    assert first.getvalue() == second.getvalue()


def _same_dtypes(a: nir.NIRNode, b: nir.NIRNode) -> None:
    """Belt and braces over `.equals`: every tensor keeps its exact dtype."""
    if isinstance(a, nir.NIRGraph):
        assert list(a.nodes) == list(b.nodes)  # names and their order
        for name in a.nodes:
            _same_dtypes(a.nodes[name], b.nodes[name])
        return
    for field in a.unit_spec.tensor_fields:
        x, y = getattr(a, field.name), getattr(b, field.name)
        assert x.dtype == y.dtype and x.shape == y.shape, field.name


@profile(40)
@given(metadata(finite=False))
@example({"s": "ünïcødé", "i": -(2**63), "b": True, "f": math.nan, "e": {}, "a": np.zeros((0, 2), np.uint8)})
@example({"t": {"dtype": "bogus", "shape": np.array([2]), "data": np.array([1.0, 2.0])}})  # a dict, not a tensor
def test_metadata_comes_back_as_promised_from_hdf5(meta: dict[str, Any]) -> None:
    graph = small_graph()
    graph.metadata.clear()
    graph.metadata.update(meta)
    graph.nodes["lif"].metadata.update(meta)
    stream = io.BytesIO()
    nir.write(stream, graph)
    back = nir.read(io.BytesIO(stream.getvalue()))
    assert back.equals(graph)
    _check_kinds(meta, back.metadata)


@profile(40)
@given(metadata(finite=True))
def test_metadata_comes_back_as_promised_from_json(meta: dict[str, Any]) -> None:
    graph = small_graph()
    graph.metadata.clear()
    graph.metadata.update(meta)
    back = nir.from_json(nir.to_json(graph))
    assert back.equals(graph)
    _check_kinds(meta, back.metadata)


def _check_kinds(sent: Any, got: Any) -> None:
    if isinstance(sent, dict):
        assert type(got) is dict and list(got) == list(sent)
        for key in sent:
            _check_kinds(sent[key], got[key])
    elif isinstance(sent, np.ndarray):
        assert isinstance(got, np.ndarray) and got.dtype == sent.dtype and got.shape == sent.shape
    else:
        assert type(got) is type(sent)


def test_equals_of_nan_metadata() -> None:
    """NaN equals NaN in metadata scalars as in arrays, so a graph with a NaN loss equals itself."""
    graph = small_graph()
    graph.metadata["loss"] = float("nan")
    assert graph.equals(graph)
    other = small_graph()
    other.metadata["loss"] = 0.0
    assert not graph.equals(other)


# --- names the writer cannot keep --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a\x00b", ".", "..", "a/b"])
def test_node_names_hdf5_cannot_hold_are_reported_and_refused_by_the_writer(name: str, tmp_path: Path) -> None:
    graph = small_graph()
    bad = nir.NIRGraph(nodes={**graph.nodes, name: nir.Scale(scale=np.ones(3))}, edges=graph.edges, type_check=False)
    findings = [f for f in nir.validate(bad).errors if f.code == "invalid-node"]
    assert [f.path for f in findings] == ["/nodes"] and repr(name) in findings[0].message
    path = tmp_path / "g.nir"
    nir.write(path, graph)
    before = path.read_bytes()
    with pytest.raises(nir.NIRFormatError, match="node name"), pytest.warns(nir.NIRWarning):
        nir.write(path, bad)  # HDF5 would read the name as a path: refused, the old file kept
    assert path.read_bytes() == before


@pytest.mark.parametrize("key", ["a\x00b", ".", "a/b"])
def test_metadata_keys_hdf5_cannot_hold_are_kept_or_refused(key: str) -> None:
    graph = small_graph()
    graph.metadata[key] = 1
    stream = io.BytesIO()
    try:
        nir.write(stream, graph)
    except ValueError:
        return  # refused: fine (documented for metadata that cannot be stored)
    assert nir.read(io.BytesIO(stream.getvalue())).equals(graph)


# --- mutations of JSON documents ---------------------------------------------------------------------


def _documents() -> list[dict[str, Any]]:
    graphs = [small_graph(), nested_graph(), recurrent_graph()]
    zoo = valid_nodes()
    graphs.append(nir.NIRGraph(nodes=zoo, edges=[], type_check=False))
    corpus = Path(__file__).resolve().parents[3] / "shared" / "corpus"
    for name in ("lif_norse.nir", "braille_noDelay_noBias_subtract_subgraph.nir"):
        if (corpus / name).exists():
            graphs.append(nir.read(corpus / name, warn_findings=False))
    return [json.loads(nir.to_json(g)) for g in graphs]


DOCUMENTS = _documents()
ODD_VALUES = [
    None,
    True,
    0,
    -1,
    2**62,
    1.5,
    -0.0,
    float("nan"),
    "",
    "x",
    "NaN",
    "Infinity",
    [],
    {},
    [1, 2],
    [[1]],
    ["a", "b"],
    {"a": 1},
    {"dtype": "float32", "shape": [1], "data": [1.0]},
]
"""Replacement values. Kept out on purpose, because they hit bugs the bad-input suite already
marks (tests/support/badinput.py): integers of 2**63 and more (OverflowError), numbers beyond the
float range, 5000-digit version strings, and metadata objects shaped like tensors."""


def _paths(value: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every position in the document; a tensor's data list counts as one value."""
    out = [here]
    if isinstance(value, dict):
        if set(value) == {"dtype", "shape", "data"}:
            out += [(*here, "dtype"), (*here, "shape"), (*here, "data")]
            return out
        for key, item in value.items():
            out += _paths(item, (*here, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += _paths(item, (*here, index))
    return out


def _in_metadata(path: tuple[Any, ...]) -> bool:
    return "metadata" in path


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        doc = doc[key]
    return doc


@st.composite
def mutated(draw: Any, metadata_tensors: bool = False) -> Any:
    """A document with one to three random changes; in metadata only if `metadata_tensors`, else never there."""
    doc = copy.deepcopy(draw(st.sampled_from(DOCUMENTS if not metadata_tensors else DOCUMENTS[1:2])))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(doc) if p and _in_metadata(p) == metadata_tensors]
        if not paths:
            break
        op = draw(st.sampled_from(["delete", "retype", "shape", "edge", "nan", "rename"]))
        if op == "shape":
            paths = [p for p in paths if p[-1] == "shape" and isinstance(_get(doc, p), list)] or paths
        elif op == "edge":
            paths = [p for p in paths if len(p) >= 3 and p[-3] == "edges"] or paths
        elif op == "nan":
            paths = [p for p in paths if p[-1] == "data"] or paths
        elif op == "rename":
            paths = [p for p in paths if isinstance(p[-1], str)] or paths
        path = draw(st.sampled_from(paths))
        parent, key = _get(doc, path[:-1]), path[-1]
        value = parent[key]
        if op == "delete":
            del parent[key]
        elif op == "retype":
            parent[key] = copy.deepcopy(draw(st.sampled_from(ODD_VALUES)))
        elif op == "shape" and isinstance(value, list) and all(isinstance(x, int) for x in value):
            change = draw(st.sampled_from(["grow", "shrink", "negate", "zero", "double"]))
            if change == "grow":
                value.append(draw(st.integers(0, 4)))
            elif change == "shrink" and value:
                value.pop()
            elif value:
                i = draw(st.integers(0, len(value) - 1))
                value[i] = {"negate": -value[i] - 1, "zero": 0, "double": 2 * value[i]}.get(change, value[i])
        elif op == "edge":
            parent[key] = draw(st.sampled_from(["", ".", "ghost", "sub.ghost", "input.x", "lif1", "a.b.c", "input"]))
        elif op == "nan" and isinstance(value, list) and value:
            value[draw(st.integers(0, len(value) - 1))] = draw(st.sampled_from(["NaN", "Infinity", float("nan"), None]))
        elif op == "rename" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["", "x", "a.b", "type", "nodes", "input"]))] = parent.pop(key)
        else:
            parent[key] = None
    return doc


def _accepts_or_reports(doc: Any) -> None:
    text = json.dumps(doc, allow_nan=True)
    try:
        graph = nir.from_json(text, warn_findings=False)
    except nir.NIRError as err:
        assert isinstance(err, nir.NIRFormatError), repr(err)  # strict=False raises only for no graph at all
        return
    report = graph.report
    assert isinstance(report, Report)
    assert all(f.code in CODES for f in report)
    assert isinstance(nir.validate(graph), Report)  # (this replaces graph.report with the in-memory analysis)
    if report.ok:
        nir.from_json(text, strict=True, warn_findings=False)  # the strict read agrees: no error finding, no exception
    else:
        with pytest.raises(nir.NIRValidationError):
            nir.from_json(text, strict=True)


@profile(150)
@given(mutated())
def test_mutated_json_is_accepted_or_reported(doc: Any) -> None:
    _accepts_or_reports(doc)


@profile(60)
@given(mutated(metadata_tensors=True))
def test_mutated_metadata_tensors_are_accepted_or_reported(doc: Any) -> None:
    _accepts_or_reports(doc)
