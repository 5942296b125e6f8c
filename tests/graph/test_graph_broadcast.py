"""Scalar (0-d) neuron parameters take their shape from the graph, stay 0-d, and survive a round trip."""

from __future__ import annotations

import h5py
import numpy as np
import pytest
from support.graphs import F32, as_list, chain, check, conv2d, inp, lif0, out, triples

import nir


def snntorch_leaky() -> nir.NIRGraph:
    """Input(12) -> Linear (weight 6x12) -> LIF with 0-d parameters -> Output(6), as snnTorch 1.0.0 exports."""
    return nir.NIRGraph(
        nodes={
            "input": inp(12),
            "fc": nir.Linear(weight=np.ones((6, 12), F32)),
            "lif": lif0(),
            "output": out(6),
        },
        edges=[("input", "fc"), ("fc", "lif"), ("lif", "output")],
    )


def norse_lifbox() -> nir.NIRGraph:
    """Input(2) -> Affine(4x2) -> LIF (0-d tau, r, v_leak, v_threshold) -> Affine(3x4) -> LI (0-d) -> Output(3)."""
    return nir.NIRGraph(
        nodes={
            "input": inp(2),
            "fc1": nir.Affine(weight=np.ones((4, 2), F32), bias=np.zeros(4, F32)),
            "lif": nir.LIF(
                tau=np.array(0.005, F32),
                r=np.array(1.0, F32),
                v_leak=np.array(0.0, F32),
                v_threshold=np.array(1.0, F32),
                v_reset=np.array(0.0, F32),
            ),
            "fc2": nir.Affine(weight=np.ones((3, 4), F32), bias=np.zeros(3, F32)),
            "li": nir.LI(tau=np.array(0.01, F32), r=np.array(1.0, F32), v_leak=np.array(0.0, F32)),
            "output": out(3),
        },
        edges=[("input", "fc1"), ("fc1", "lif"), ("lif", "fc2"), ("fc2", "li"), ("li", "output")],
    )


NEURONS = {"snntorch": (snntorch_leaky, {"lif": [6]}), "norse": (norse_lifbox, {"lif": [4], "li": [3]})}
PARAMS = {"LIF": ("tau", "r", "v_leak", "v_threshold", "v_reset"), "LI": ("tau", "r", "v_leak")}
GIVEN = {"snntorch": {"lif": PARAMS["LIF"][:4]}, "norse": {"lif": PARAMS["LIF"], "li": PARAMS["LI"]}}
"""The float32 parameters each export passes explicitly (snnTorch's leaves v_reset to its default)."""


@pytest.mark.parametrize("name", sorted(NEURONS))
def test_graph_with_scalar_parameters_validates_cleanly(name):
    build, _ = NEURONS[name]
    assert triples(nir.validate(build())) == []


@pytest.mark.parametrize("name", sorted(NEURONS))
def test_scalar_parameter_nodes_get_their_shape_from_the_graph(name):
    build, shapes = NEURONS[name]
    g = build()
    for node_name, shape in shapes.items():
        node = g.nodes[node_name]
        assert as_list(node.input_type["input"]) == shape
        assert as_list(node.output_type["output"]) == shape


@pytest.mark.parametrize("name", sorted(NEURONS))
def test_scalar_parameters_stay_zero_d_and_keep_their_dtype_in_memory(name):
    build, shapes = NEURONS[name]
    g = build()
    for node_name in shapes:
        node = g.nodes[node_name]
        for field in PARAMS[type(node).__name__]:
            assert getattr(node, field).shape == (), (node_name, field)
        for field in GIVEN[name][node_name]:
            assert getattr(node, field).dtype == np.float32, (node_name, field)


@pytest.mark.parametrize(
    ("node", "fields"),
    [
        (lambda: lif0(), ("v_reset",)),
        (lambda: nir.IF(r=np.array(1.0, F32), v_threshold=np.array(1.0, F32)), ("v_reset",)),
        (
            lambda: nir.CubaLIF(
                tau_syn=np.array(0.01, F32),
                tau_mem=np.array(0.01, F32),
                r=np.array(1.0, F32),
                v_leak=np.array(0.0, F32),
                v_threshold=np.array(1.0, F32),
            ),
            ("v_reset", "w_in"),
        ),
    ],
    ids=["LIF", "IF", "CubaLIF"],
)
def test_defaulted_scalar_parameters_follow_the_dtype_of_the_given_ones(node, fields):
    built = node()
    assert [str(getattr(built, f).dtype) for f in fields] == ["float32"] * len(fields)


def test_a_lone_scalar_node_has_unknown_shape_until_placed_in_a_graph():
    node = lif0()
    assert node.input_type == {"input": None}
    assert node.output_type == {"output": None}


def test_python_numbers_are_zero_d_parameters():
    node = nir.LIF(tau=0.01, r=1.0, v_leak=0.0, v_threshold=1.0)
    assert all(getattr(node, f).shape == () for f in PARAMS["LIF"])
    g = nir.NIRGraph(
        nodes={"input": inp(5), "lif": node, "output": out(5)}, edges=[("input", "lif"), ("lif", "output")]
    )
    assert as_list(g.nodes["lif"].output_type["output"]) == [5]


def test_scalar_parameters_take_multi_dimensional_shapes():
    # Conv 3x3 on (1, 6, 6) gives (2, 4, 4); the 0-d LIF after it takes that shape
    g = chain(("input", inp(1, 6, 6)), ("conv", conv2d(2, 1, 3, 3)), ("lif", lif0()), ("output", out(2, 4, 4)))
    report, found = check(g)
    assert triples(report) == []
    assert found.inputs[("lif",)] == found.outputs[("lif",)] == (2, 4, 4)


def test_zero_d_array_next_to_a_vector_parameter_is_kept_and_the_vector_fixes_the_port():
    tau = np.array(0.01, F32)
    node = nir.LIF(tau=tau, r=np.ones(5, F32), v_leak=np.array(0.0, F32), v_threshold=np.ones(5, F32))
    assert node.tau is tau  # the converter's array, as given
    assert as_list(node.input_type["input"]) == [5]
    assert triples(nir.validate(node)) == []


@pytest.mark.parametrize("name", sorted(NEURONS))
def test_scalar_parameters_are_written_at_the_shape_the_graph_gives_them(name, tmp_path):
    # The reference's type check needs every parameter of a neuron at its port shape, so a 0-d
    # parameter is written at the shape the graph determines; in memory it stays 0-d.
    build, shapes = NEURONS[name]
    graph = build()
    path = tmp_path / f"{name}.nir"
    nir.write(path, graph)
    with h5py.File(path, "r") as f:
        for node_name, shape in shapes.items():
            group = f["node"]["nodes"][node_name]
            kind = group["type"][()].decode()
            for field in PARAMS[kind]:
                assert list(group[field].shape) == shape, (node_name, field)
                value = np.asarray(getattr(graph.nodes[node_name], field))
                np.testing.assert_array_equal(group[field][()], np.broadcast_to(value, shape))
            for field in GIVEN[name][node_name]:
                assert group[field].dtype == np.float32, (node_name, field)
    for node_name in shapes:
        assert graph.nodes[node_name].tau.shape == ()
    assert triples(nir.validate(path)) == []
    back = nir.read(path)
    assert triples(back.report) == []
    for node_name, shape in shapes.items():
        node = back.nodes[node_name]
        assert list(node.tau.shape) == shape
        assert as_list(node.input_type["input"]) == shape
        assert as_list(node.output_type["output"]) == shape


def _unwritable() -> nir.NIRGraph:
    g = snntorch_leaky()
    g.metadata = {"bad": object()}
    return g


def test_failed_write_leaves_no_file(tmp_path):
    path = tmp_path / "net.nir"
    with pytest.raises((TypeError, ValueError)):
        nir.write(path, _unwritable())
    assert list(tmp_path.iterdir()) == []


def test_failed_write_leaves_the_previous_file_intact(tmp_path):
    path = tmp_path / "net.nir"
    nir.write(path, snntorch_leaky())
    before = path.read_bytes()
    with pytest.raises((TypeError, ValueError)):
        nir.write(path, _unwritable())
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["net.nir"]
    assert triples(nir.validate(path)) == []
