"""NIRGraph and the rest of the reference package's API: construction, from_list, ports, dicts, modules."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from support.cases import SEED, nested_graph, recurrent_graph, valid_nodes

import nir
from nir import spec

UNITS = sorted(spec.units())


def _lif(n: int, dtype=np.float32) -> nir.LIF:
    return nir.LIF(
        tau=np.full(n, 0.01, dtype), r=np.ones(n, dtype), v_leak=np.zeros(n, dtype), v_threshold=np.ones(n, dtype)
    )


def _affine(m: int, n: int) -> nir.Affine:
    rng = np.random.default_rng(1)
    return nir.Affine(rng.standard_normal((m, n)).astype(np.float32), np.zeros(m, np.float32))


def _shape(value) -> list[int] | None:
    return None if value is None else [int(x) for x in value]


def _ports(ports: dict) -> dict[str, list[int] | None]:
    return {k: _shape(v) for k, v in ports.items()}


def assert_same_data(a, b, path="") -> None:
    """Deep comparison that also requires equal types and, for arrays, equal dtypes and shapes."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        assert isinstance(a, np.ndarray) and isinstance(b, np.ndarray), path
        assert a.dtype == b.dtype, f"{path}: {a.dtype} != {b.dtype}"
        assert a.shape == b.shape, path
        np.testing.assert_array_equal(a, b, err_msg=path)
    elif isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), path
        for key in a:
            assert_same_data(a[key], b[key], f"{path}/{key}")
    elif isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple)) and len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same_data(x, y, f"{path}/{i}")
    else:
        assert type(a) is type(b), f"{path}: {type(a)} != {type(b)}"
        assert a == b, path


# --- construction and type checking ---------------------------------------------------------------------------


def test_graph_from_keywords():
    nodes = {"input": nir.Input(np.array([3])), "affine": _affine(4, 3), "lif": _lif(4), "output": nir.Output([4])}
    edges = [("input", "affine"), ("affine", "lif"), ("lif", "output")]
    graph = nir.NIRGraph(nodes=nodes, edges=edges, metadata={"author": "tests"})
    assert graph.type == "NIRGraph"
    assert list(graph.nodes) == ["input", "affine", "lif", "output"]
    assert all(graph.nodes[k] is nodes[k] for k in nodes)  # nodes are not copied
    assert [tuple(e) for e in graph.edges] == edges
    assert graph.metadata == {"author": "tests"}
    assert graph.check_types() is True


def test_edges_given_as_lists_are_accepted():
    graph = nir.NIRGraph(
        nodes={"i": nir.Input([2]), "o": nir.Output([2])}, edges=[["i", "o"]], metadata={"k": 1}, type_check=True
    )
    assert [tuple(e) for e in graph.edges] == [("i", "o")]


def _mismatched() -> dict:
    return {
        "nodes": {"input": nir.Input([3]), "affine": _affine(4, 3), "lif": _lif(5), "output": nir.Output([5])},
        "edges": [("input", "affine"), ("affine", "lif"), ("lif", "output")],
    }


def test_type_check_is_on_by_default_and_names_both_shapes():
    with pytest.raises(nir.NIRValidationError) as err:
        nir.NIRGraph(**_mismatched())
    assert isinstance(err.value, ValueError)
    message = str(err.value)
    assert "(4,)" in message and "(5,)" in message
    assert "affine" in message and "lif" in message
    assert "shape-mismatch" in err.value.report.codes()
    assert not err.value.report.ok


def test_type_check_false_constructs_anyway():
    graph = nir.NIRGraph(**_mismatched(), type_check=False)
    assert list(graph.nodes) == ["input", "affine", "lif", "output"]
    report = nir.validate(graph)  # the problem is still found on request, without raising
    assert not report.ok
    assert "shape-mismatch" in report.codes()
    with pytest.raises(nir.NIRValidationError):
        graph.check_types()


def test_type_check_reports_unknown_edge_endpoint():
    with pytest.raises(nir.NIRValidationError, match="'lif2' does not exist") as err:
        nir.NIRGraph(
            nodes={"input": nir.Input([4]), "lif": _lif(4), "output": nir.Output([4])},
            edges=[("input", "lif"), ("lif2", "output")],
        )
    assert "unknown-node" in err.value.report.codes()


def test_type_check_infers_shapes_of_shapeless_nodes():
    conv = nir.Conv2d(None, np.zeros((4, 3, 3, 3), np.float32), 1, 1, 1, 1, np.zeros(4, np.float32))
    graph = nir.NIRGraph(
        nodes={
            "input": nir.Input([3, 10, 10]),
            "conv": conv,
            "flat": nir.Flatten(start_dim=0),
            "output": nir.Output([4 * 10 * 10]),
        },
        edges=[("input", "conv"), ("conv", "flat"), ("flat", "output")],
    )
    assert _ports(graph.nodes["conv"].input_type) == {"input": [3, 10, 10]}
    assert _ports(graph.nodes["conv"].output_type) == {"output": [4, 10, 10]}
    assert _ports(graph.nodes["flat"].output_type) == {"output": [400]}


def test_type_check_catches_wrong_channel_count():
    conv = nir.Conv2d(None, np.zeros((4, 3, 3, 3)), 1, 0, 1, 1, np.zeros(4))
    with pytest.raises(nir.NIRValidationError, match="Ci must be 3"):
        nir.NIRGraph(
            nodes={"input": nir.Input([2, 10, 10]), "conv": conv, "output": nir.Output([4, 8, 8])},
            edges=[("input", "conv"), ("conv", "output")],
        )


def test_type_check_reports_invalid_conv_parameters():
    # The reference builds this graph (with a negative output length): ours builds it and warns.
    conv = nir.Conv1d(None, np.zeros((4, 2, 5)), 1, 0, 1, 1, np.zeros(4))
    parts = {"nodes": {"input": nir.Input([2, 3]), "conv": conv, "output": nir.Output([4, 1])}}
    parts["edges"] = [("input", "conv"), ("conv", "output")]
    with pytest.warns(nir.NIRWarning, match="kernel extent 5"):
        graph = nir.NIRGraph(**parts)
    assert "invalid-parameter" in graph.report.codes()
    with pytest.raises(nir.NIRValidationError, match="kernel extent 5") as err:
        nir.NIRGraph(**parts, strict=True)
    assert "invalid-parameter" in err.value.report.codes()


def test_nested_and_recurrent_graphs_type_check():
    nested = nested_graph()
    assert _ports(nested.input_type) == {"input": [3]}
    assert _ports(nested.output_type) == {"output": [2]}
    sub = nested.nodes["sub"]
    assert isinstance(sub, nir.NIRGraph)
    assert _ports(sub.input_type) == {"input": [4]} and _ports(sub.output_type) == {"output": [4]}
    assert nir.validate(nested).ok

    recurrent = recurrent_graph()
    assert _ports(recurrent.output_type) == {"output": [5]}
    assert ("rec", "lif") in [tuple(e) for e in recurrent.edges]
    assert nir.validate(recurrent).ok


def test_nested_graph_mismatch_is_found():
    sub = nir.NIRGraph(
        nodes={"input": nir.Input([5]), "lif": _lif(5), "output": nir.Output([5])},
        edges=[("input", "lif"), ("lif", "output")],
    )
    with pytest.raises(nir.NIRValidationError, match=r"\(4,\).*\(5,\)"):
        nir.NIRGraph(
            nodes={"input": nir.Input([3]), "affine": _affine(4, 3), "sub": sub, "output": nir.Output([5])},
            edges=[("input", "affine"), ("affine", "sub.input"), ("sub.output", "output")],
        )


# --- from_list ------------------------------------------------------------------------------------------------


def test_from_list_names_nodes_after_their_types():
    affine, lif, lif_1 = _affine(4, 3), _lif(4), _lif(4)
    graph = nir.NIRGraph.from_list(affine, lif, lif_1)
    assert list(graph.nodes) == ["input", "affine", "lif", "lif_1", "output"]
    assert graph.nodes["affine"] is affine and graph.nodes["lif"] is lif and graph.nodes["lif_1"] is lif_1
    assert [tuple(e) for e in graph.edges] == [
        ("input", "affine"),
        ("affine", "lif"),
        ("lif", "lif_1"),
        ("lif_1", "output"),
    ]
    assert isinstance(graph.nodes["input"], nir.Input) and isinstance(graph.nodes["output"], nir.Output)
    assert _shape(graph.nodes["input"].shape) == [3]
    assert _shape(graph.nodes["output"].shape) == [4]


def test_from_list_accepts_a_list():
    nodes = [_affine(4, 3), _lif(4), _lif(4)]
    graph = nir.NIRGraph.from_list(nodes)
    assert list(graph.nodes) == ["input", "affine", "lif", "lif_1", "output"]
    assert list(nir.NIRGraph.from_list(tuple(nodes)).nodes) == list(graph.nodes)


def test_from_list_keeps_given_input_and_output():
    graph = nir.NIRGraph.from_list(nir.Input([3]), _affine(4, 3), nir.Output([4]))
    assert list(graph.nodes) == ["input", "affine", "output"]


def test_from_list_with_scalar_neurons_takes_the_shape_of_the_previous_node():
    lif = nir.LIF(tau=0.01, r=1.0, v_leak=0.0, v_threshold=1.0)
    graph = nir.NIRGraph.from_list(_affine(4, 3), lif)
    assert _ports(graph.output_type) == {"output": [4]}
    assert _shape(graph.nodes["output"].shape) == [4]
    assert _ports(lif.input_type) == {"input": [4]}
    assert _ports(lif.output_type) == {"output": [4]}


def test_from_list_without_a_known_input_shape_warns():
    with pytest.warns(nir.NIRWarning, match="uninferred-shape"):
        graph = nir.NIRGraph.from_list(nir.LIF(tau=0.01, r=1.0, v_leak=0.0, v_threshold=1.0))
    assert graph.nodes["input"].shape is None and graph.nodes["output"].shape is None
    assert set(graph.report.codes()) == {"uninferred-shape"}


def test_from_list_rejects_a_shape_mismatch():
    with pytest.raises(ValueError, match=r"\(4,\).*\(5,\)"):
        nir.NIRGraph.from_list(_affine(4, 3), _lif(5))


def test_from_list_type_check_false_constructs_anyway():
    graph = nir.NIRGraph.from_list(_affine(4, 3), _lif(5), type_check=False)
    assert list(graph.nodes) == ["input", "affine", "lif", "output"]
    assert _shape(graph.nodes["input"].shape) == [3]
    assert _shape(graph.nodes["output"].shape) == [5]  # the last node's own output shape
    report = nir.validate(graph)
    assert not report.ok and "shape-mismatch" in report.codes()


# --- ports ----------------------------------------------------------------------------------------------------


def test_graph_ports_are_keyed_by_input_and_output_names():
    graph = nir.NIRGraph(
        nodes={
            "x": nir.Input([3]),
            "y": nir.Input([2]),
            "lx": _lif(3),
            "ly": _lif(2),
            "out_x": nir.Output([3]),
            "out_y": nir.Output([2]),
        },
        edges=[("x", "lx"), ("lx", "out_x"), ("y", "ly"), ("ly", "out_y")],
    )
    assert _ports(graph.input_type) == {"x": [3], "y": [2]}
    assert _ports(graph.output_type) == {"out_x": [3], "out_y": [2]}
    assert graph.inputs == {"x": graph.nodes["x"], "y": graph.nodes["y"]}
    assert graph.outputs == {"out_x": graph.nodes["out_x"], "out_y": graph.nodes["out_y"]}
    assert all(isinstance(n, nir.Input) for n in graph.inputs.values())
    assert all(isinstance(n, nir.Output) for n in graph.outputs.values())


def test_graph_without_io_nodes_has_empty_ports():
    graph = nir.NIRGraph(nodes={"lif": _lif(3)}, edges=[], type_check=False)
    assert graph.inputs == {} and graph.outputs == {}
    assert graph.input_type == {} and graph.output_type == {}


def test_graph_metadata_defaults_to_empty_dict():
    graph = nir.NIRGraph(nodes={"i": nir.Input([2]), "o": nir.Output([2])}, edges=[("i", "o")])
    assert graph.metadata == {}
    assert nir.NIRGraph.from_list(_affine(4, 3)).metadata == {}
    explicit_none = nir.NIRGraph(nodes={"i": nir.Input([2]), "o": nir.Output([2])}, edges=[("i", "o")], metadata=None)
    assert explicit_none.metadata == {}
    assert nir.LIF(tau=0.01, r=1.0, v_leak=0.0, v_threshold=1.0, metadata=None).metadata == {}


# --- dictionaries ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", UNITS)
def test_to_dict_from_dict_round_trip_of_every_unit(name):
    node = valid_nodes()[name]
    data = node.to_dict()
    assert data["type"] == name
    for build in (nir.NIRNode.from_dict, type(node).from_dict, nir.dict2NIRNode):
        again = build(node.to_dict())
        assert type(again) is type(node)
        assert again is not node
        assert again.equals(node)
        assert_same_data(again.to_dict(), data)
        assert _ports(again.input_type) == _ports(node.input_type)
        assert _ports(again.output_type) == _ports(node.output_type)


@pytest.mark.parametrize("name", [u for u in UNITS if spec.unit(u).tensor_fields])
def test_to_dict_keeps_arrays_and_their_dtypes(name):
    node = valid_nodes()[name]
    data = node.to_dict()
    for field in spec.unit(name).tensor_fields:
        assert isinstance(data[field.name], np.ndarray)
        assert data[field.name].dtype == np.float32
    again = nir.NIRNode.from_dict(data)
    for field in spec.unit(name).tensor_fields:
        assert getattr(again, field.name).dtype == np.float32


@pytest.mark.parametrize("build", [nested_graph, recurrent_graph], ids=["nested", "recurrent"])
def test_to_dict_from_dict_round_trip_of_graphs(build):
    graph = build()
    data = graph.to_dict()
    assert data["type"] == "NIRGraph"
    assert all(isinstance(v, dict) and "type" in v for v in data["nodes"].values())
    again = nir.NIRGraph.from_dict(data)
    assert again.equals(graph)
    assert_same_data(again.to_dict(), graph.to_dict())
    assert nir.dict2NIRNode(graph.to_dict()).equals(graph)
    for name, node in graph.nodes.items():
        assert type(again.nodes[name]) is type(node)
    assert _ports(again.input_type) == _ports(graph.input_type)
    assert _ports(again.output_type) == _ports(graph.output_type)


def test_nested_graph_round_trip_keeps_metadata_types():
    graph = nir.NIRGraph.from_dict(nested_graph().to_dict())
    meta = graph.metadata
    assert type(meta["name"]) is str and meta["name"] == "nested"
    assert type(meta["steps"]) is int and meta["steps"] == 100
    assert type(meta["dt"]) is float and meta["dt"] == 1e-4
    assert isinstance(meta["scale"], np.ndarray) and meta["scale"].dtype == np.float32
    assert meta["counts"].dtype == np.int64
    assert meta["origin"] == {"framework": "tests", "params": {"seed": SEED, "lr": 0.01}}
    sub = graph.nodes["sub"]
    assert isinstance(sub, nir.NIRGraph)
    assert sub.metadata == {"role": "hidden layer", "index": 1}
    assert sub.nodes["lif"].tau.dtype == np.float32


def test_from_dict_of_graph_rebuilds_nested_nodes():
    data = nested_graph().to_dict()
    graph = nir.NIRNode.from_dict(data)
    assert isinstance(graph, nir.NIRGraph)
    assert isinstance(graph.nodes["sub"], nir.NIRGraph)
    assert isinstance(graph.nodes["sub"].nodes["lif"], nir.LIF)


def test_from_dict_checks_the_type():
    data = valid_nodes()["LI"].to_dict()
    with pytest.raises(ValueError, match="'LI'"):
        nir.LIF.from_dict(data)


def test_dict2nirnode_rejects_unknown_type():
    with pytest.raises(ValueError, match="unknown node type 'Foo'") as err:
        nir.dict2NIRNode({"type": "Foo", "x": 1})
    assert "LIF" in str(err.value)


@pytest.mark.parametrize("name", UNITS)
def test_str2nirnode(name):
    assert nir.str2NIRNode(name) is getattr(nir, name)
    assert nir.ir.str2NIRNode(name) is getattr(nir, name)


def test_str2nirnode_rejects_unknown_type():
    with pytest.raises(ValueError, match="unknown node type"):
        nir.str2NIRNode("Identity2")


# --- modules --------------------------------------------------------------------------------------------------


def test_ir_module_exposes_the_reference_names():
    import nir.ir

    for name in UNITS:
        assert getattr(nir.ir, name) is getattr(nir, name)
        assert name in nir.ir.__all__
    for name in ("NIRNode", "dict2NIRNode", "str2NIRNode"):
        assert getattr(nir.ir, name) is getattr(nir, name)
    from nir.ir import LIF, NIRGraph, NIRNode

    assert issubclass(LIF, NIRNode) and issubclass(NIRGraph, NIRNode)


def test_typing_module_exposes_the_reference_names():
    import nir.typing

    assert nir.typing.NIRNode is nir.NIRNode
    assert nir.typing.Nodes == dict[str, nir.NIRNode]
    assert nir.typing.Edges == list[tuple[str, str]]
    assert nir.typing.Types == dict[str, np.ndarray]
    from nir.typing import Edges, Nodes, Types  # noqa: F401


def test_package_exports():
    for name in UNITS:
        assert name in nir.__all__
    assert issubclass(nir.NIRValidationError, ValueError)
    assert issubclass(nir.ShapeError, ValueError)
    assert nir.SPEC_VERSION == "1.0"


def test_done_when_command_from_the_issue(tmp_path):
    code = "import nir; print(nir.LIF(tau=[1e-3], r=[1.0], v_leak=[0.0], v_threshold=[1.0]).output_type)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "{'output': array([1])}\n"
