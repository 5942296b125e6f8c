"""Whole-graph shape inference against PyTorch's documented formulas, on chains, nests and cycles.

Expected shapes are derived by hand (comments give the arithmetic) or, in the property tests,
from a direct re-implementation of PyTorch's formulas:

* convolution  O = floor((L + 2p - d(K - 1) - 1) / s) + 1, padding "same" keeps L (stride 1 only);
* pooling      O = floor((L + 2p - K) / s) + 1.
"""

from __future__ import annotations

import copy
import importlib.util
import pickle
import time
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.graphs import (
    F32,
    as_list,
    chain,
    check,
    conv1d,
    conv2d,
    deadline,
    graph,
    inp,
    lif,
    lif0,
    out,
    triples,
)

import nir

HAS_TORCH = importlib.util.find_spec("torch") is not None


def torch_conv_length(length: int, kernel: int, stride: int, padding: int, dilation: int) -> int | None:
    """PyTorch's Conv output length; None where PyTorch refuses (kernel larger than padded input)."""
    numerator = length + 2 * padding - dilation * (kernel - 1) - 1
    return None if numerator < 0 else numerator // stride + 1


def torch_pool_length(length: int, kernel: int, stride: int, padding: int) -> int | None:
    numerator = length + 2 * padding - kernel
    return None if numerator < 0 else numerator // stride + 1


def pair(value) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else tuple(value)


def infer_through(node, in_shape: tuple[int, ...], expected: tuple[int, ...]):
    """Infer Input(in_shape) -> node -> Output(expected); no finding, and node's ports as expected."""
    g = chain(("input", inp(*in_shape)), ("node", node), ("output", out(*expected)))
    report, found = check(g)
    assert triples(report) == [], str(report)
    assert found.inputs[("node",)] == in_shape
    assert found.outputs[("node",)] == expected
    return found


# --- convolution ---------------------------------------------------------------------------------


def test_non_square_kernel_on_square_input():
    # H: floor((10 - 1*(3-1) - 1)/1) + 1 = 8; W: floor((10 - 1*(5-1) - 1)/1) + 1 = 6
    node = conv2d(7, 2, 3, 5)
    g = nir.NIRGraph(
        nodes={"input": inp(2, 10, 10), "conv": node, "output": out(7, 8, 6)},
        edges=[("input", "conv"), ("conv", "output")],
    )
    assert as_list(g.nodes["conv"].input_type["input"]) == [2, 10, 10]
    assert as_list(g.nodes["conv"].output_type["output"]) == [7, 8, 6]


@pytest.mark.parametrize(
    ("kwargs", "kernel", "in_hw", "out_hw"),
    [
        # stride 2, padding 1: floor((10 + 2 - 2 - 1)/2) + 1 = 5
        ({"stride": 2, "padding": 1}, (3, 3), (10, 10), (5, 5)),
        # padding pair (1, 2) with a 3x5 kernel: H 10 + 2 - 2 - 1 + 1 = 10, W 10 + 4 - 4 - 1 + 1 = 10
        ({"padding": (1, 2)}, (3, 5), (10, 10), (10, 10)),
        # padding "same" keeps (H, W) whatever the kernel
        ({"padding": "same"}, (3, 5), (10, 7), (10, 7)),
        ({"padding": "same", "dilation": 2}, (4, 2), (9, 5), (9, 5)),
        # padding "valid" is padding 0: 10 - 2 = 8, 10 - 4 = 6
        ({"padding": "valid"}, (3, 5), (10, 10), (8, 6)),
        # dilation 2: floor((10 - 2*2 - 1)/1) + 1 = 6
        ({"dilation": 2}, (3, 3), (10, 10), (6, 6)),
        # dilation (2, 1), stride (1, 3): H floor((11 - 4 - 1)/1) + 1 = 7, W floor((11 - 2 - 1)/3) + 1 = 3
        ({"dilation": (2, 1), "stride": (1, 3)}, (3, 3), (11, 11), (7, 3)),
        # stride (2, 3), padding (2, 0), 5x4 kernel on 17x13: H floor((17+4-4-1)/2)+1 = 9, W floor((13-3-1)/3)+1 = 4
        ({"stride": (2, 3), "padding": (2, 0)}, (5, 4), (17, 13), (9, 4)),
        # kernel exactly the padded input: floor((3 + 2 - 4 - 1)/1) + 1 = 1
        ({"padding": 1}, (5, 5), (3, 3), (1, 1)),
    ],
)
def test_conv2d_output_shapes(kwargs, kernel, in_hw, out_hw):
    infer_through(conv2d(4, 3, *kernel, **kwargs), (3, *in_hw), (4, *out_hw))


@pytest.mark.parametrize(
    ("co", "ci_g", "groups", "ci"),
    [
        (4, 3, 2, 6),  # two groups: Ci = Ci/g * g = 3 * 2
        (6, 1, 3, 3),  # depthwise-like: one input channel per group
        (8, 2, 4, 8),
    ],
)
def test_conv2d_groups_multiply_the_input_channels(co, ci_g, groups, ci):
    # 1x1 kernel keeps 5x6
    infer_through(conv2d(co, ci_g, 1, 1, groups=groups), (ci, 5, 6), (co, 5, 6))


@pytest.mark.parametrize(
    ("kwargs", "kernel", "length", "out_length"),
    [
        ({}, 3, 12, 10),  # 12 - 2 - 1 + 1
        ({"stride": 2, "padding": 1}, 3, 12, 6),  # floor((12 + 2 - 2 - 1)/2) + 1 = 6
        ({"padding": "same"}, 4, 12, 12),
        ({"padding": "valid"}, 5, 12, 8),  # 12 - 4
        ({"dilation": 3}, 3, 12, 6),  # floor((12 - 3*2 - 1)/1) + 1 = 6
        ({"stride": 3, "dilation": 2, "padding": 2}, 3, 20, 7),  # floor((20 + 4 - 4 - 1)/3) + 1 = 7
    ],
)
def test_conv1d_output_shapes(kwargs, kernel, length, out_length):
    infer_through(conv1d(5, 2, kernel, **kwargs), (2, length), (5, out_length))


def test_conv1d_groups():
    infer_through(conv1d(6, 2, 3, groups=3), (6, 9), (6, 7))


def test_conv_channel_count_must_match_the_arriving_shape():
    g = chain(("input", inp(3, 8, 8)), ("a", lif0()), ("conv", conv2d(4, 2, 3, 3)))
    report, found = check(g)
    finding = next(f for f in report if f.code == "shape-mismatch")
    assert finding.path == "/edges/1"
    assert "(3, 8, 8)" in finding.message and "(4, 2, 3, 3)" in finding.message
    assert found.outputs[("conv",)] is None


# --- pooling -------------------------------------------------------------------------------------


@pytest.mark.parametrize("unit", [nir.SumPool2d, nir.AvgPool2d])
@pytest.mark.parametrize(
    ("kernel", "stride", "padding", "in_chw", "out_chw"),
    [
        ((2, 2), (2, 2), (0, 0), (16, 16, 16), (16, 8, 8)),  # Sinabs: (16 - 2)/2 + 1 = 8
        ((3, 3), (2, 2), (1, 1), (2, 7, 7), (2, 4, 4)),  # floor((7 + 2 - 3)/2) + 1 = 4
        ((2, 3), (1, 2), (0, 1), (1, 5, 6), (1, 4, 3)),  # H (5 - 2)/1 + 1 = 4, W floor((6 + 2 - 3)/2) + 1 = 3
        ((3, 3), (3, 3), (0, 0), (3, 10, 11), (3, 3, 3)),  # floor(7/3) + 1 = 3, floor(8/3) + 1 = 3
    ],
)
def test_pool_output_shapes(unit, kernel, stride, padding, in_chw, out_chw):
    node = unit(kernel_size=np.array(kernel), stride=np.array(stride), padding=np.array(padding))
    infer_through(node, in_chw, out_chw)


# --- flatten -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "in_shape", "out_shape"),
    [
        (1, -1, (2, 3, 4), (2, 12)),  # the defaults
        (0, -1, (8, 4, 4), (128,)),  # Sinabs writes start_dim=0 (NIR shapes have no batch dimension)
        (-2, -1, (2, 3, 4), (2, 12)),
        (0, -2, (2, 3, 4), (6, 4)),
        (-3, -2, (2, 3, 4), (6, 4)),
        (1, 1, (2, 3, 4), (2, 3, 4)),  # flattening one dimension changes nothing
        (0, 0, (5,), (5,)),
        (1, 2, (2, 3, 4, 5), (2, 12, 5)),
    ],
)
def test_flatten_output_shapes(start, end, in_shape, out_shape):
    infer_through(nir.Flatten(start_dim=start, end_dim=end), in_shape, out_shape)


def test_flatten_with_declared_input_type_checks_the_arriving_shape():
    declared = nir.Flatten(input_type=np.array([2, 3, 4]), start_dim=0)
    infer_through(declared, (2, 3, 4), (24,))
    g = chain(("input", inp(3, 4)), ("a", lif0()), ("f", nir.Flatten(input_type=np.array([2, 3, 4]))))
    report, _ = check(g)
    finding = next(f for f in report if f.code == "shape-mismatch")
    assert "(3, 4)" in finding.message and "(2, 3, 4)" in finding.message


# --- affine and linear ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["Affine", "Linear"])
@pytest.mark.parametrize(
    ("weight_shape", "in_shape", "out_shape"),
    [
        ((4, 3), (3,), (4,)),
        ((2, 4, 3), (2, 3), (2, 4)),  # leading dimensions of the weight carry over
        ((5, 2, 4, 3), (5, 2, 3), (5, 2, 4)),
    ],
)
def test_affine_and_linear_with_leading_dimensions(kind, weight_shape, in_shape, out_shape):
    weight = np.ones(weight_shape, F32)
    node = nir.Affine(weight=weight, bias=np.zeros(weight_shape[-2], F32)) if kind == "Affine" else nir.Linear(weight)
    infer_through(node, in_shape, out_shape)


def test_linear_leading_dimensions_must_match():
    g = chain(("input", inp(3)), ("a", lif0()), ("w", nir.Linear(weight=np.ones((2, 4, 3), F32))))
    report, _ = check(g)
    finding = next(f for f in report if f.code == "shape-mismatch")
    assert finding.path == "/edges/1"
    assert "(3,)" in finding.message and "(2, 3)" in finding.message


# --- whole graphs ---------------------------------------------------------------------------------


def if0() -> nir.IF:
    return nir.IF(r=np.array(1.0, F32), v_threshold=np.array(1.0, F32))


def sinabs_like() -> nir.NIRGraph:
    """Input(2,34,34) -> Conv(16, 5x5, s2, p1) -> IF -> SumPool(2) -> Flatten(0) -> Affine(10, 1024) -> IF -> Output."""
    return graph(
        {
            "input": inp(2, 34, 34),
            "conv": conv2d(16, 2, 5, 5, stride=2, padding=1),
            "spk1": if0(),
            "pool": nir.SumPool2d(kernel_size=np.array([2, 2]), stride=np.array([2, 2]), padding=np.array([0, 0])),
            "flat": nir.Flatten(start_dim=0),
            "fc": nir.Affine(weight=np.zeros((10, 16 * 8 * 8), F32), bias=np.zeros(10, F32)),
            "spk2": if0(),
            "output": out(10),
        },
        [
            ("input", "conv"),
            ("conv", "spk1"),
            ("spk1", "pool"),
            ("pool", "flat"),
            ("flat", "fc"),
            ("fc", "spk2"),
            ("spk2", "output"),
        ],
    )


SINABS_SHAPES = {
    "input": ((2, 34, 34), (2, 34, 34)),
    # floor((34 + 2 - 4 - 1)/2) + 1 = 16
    "conv": ((2, 34, 34), (16, 16, 16)),
    "spk1": ((16, 16, 16), (16, 16, 16)),
    "pool": ((16, 16, 16), (16, 8, 8)),
    "flat": ((16, 8, 8), (1024,)),
    "fc": ((1024,), (10,)),
    "spk2": ((10,), (10,)),
    "output": ((10,), (10,)),
}


def test_whole_cnn_is_inferred_node_by_node():
    report, found = check(sinabs_like())
    assert triples(report) == []
    assert {k[0]: (found.inputs[k], found.outputs[k]) for k in found.inputs} == SINABS_SHAPES


def test_constructed_graph_exposes_inferred_shapes_on_its_nodes():
    g = sinabs_like()
    g.infer_types()
    for name, (shape_in, shape_out) in SINABS_SHAPES.items():
        assert as_list(g.nodes[name].input_type["input"]) == list(shape_in), name
        assert as_list(g.nodes[name].output_type["output"]) == list(shape_out), name


@pytest.mark.parametrize(
    "duplicate",
    [copy.copy, copy.deepcopy, lambda g: pickle.loads(pickle.dumps(g)), lambda g: g.model_copy(deep=True)],
    ids=["copy", "deepcopy", "pickle", "model_copy"],
)
def test_inferred_shapes_survive_copies_and_pickles(duplicate):
    """Shapes only graph inference finds (a Flatten's input) stay with copies of the graph."""
    g = sinabs_like()
    g.infer_types()
    twin = duplicate(g)
    for name, (shape_in, shape_out) in SINABS_SHAPES.items():
        assert as_list(twin.nodes[name].input_type["input"]) == list(shape_in), name
        assert as_list(twin.nodes[name].output_type["output"]) == list(shape_out), name


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_inference_does_not_depend_on_edge_or_node_order(data):
    g = sinabs_like()
    nodes = list(g.nodes.items())
    edges = data.draw(st.permutations(g.edges))
    order = data.draw(st.permutations(range(len(nodes))))
    shuffled = graph({nodes[i][0]: nodes[i][1] for i in order}, list(edges))
    report, found = check(shuffled)
    assert triples(report) == []
    assert {k[0]: (found.inputs[k], found.outputs[k]) for k in found.inputs} == SINABS_SHAPES


def test_nested_graph_shapes_flow_in_and_out():
    # Input(1,8,8) -> sub[Conv 3x3 -> (2,6,6)] -> Flatten(0) -> (72,)
    sub = chain(("input", inp(1, 8, 8)), ("conv", conv2d(2, 1, 3, 3)), ("output", out(2, 6, 6)))
    g = graph(
        {"input": inp(1, 8, 8), "sub": sub, "flat": nir.Flatten(start_dim=0), "spk": if0(), "output": out(72)},
        [("input", "sub"), ("sub", "flat"), ("flat", "spk"), ("spk", "output")],
    )
    report, found = check(g)
    assert triples(report) == []
    assert found.outputs[("sub", "conv")] == (2, 6, 6)
    assert found.inputs[("flat",)] == (2, 6, 6)
    assert found.outputs[("spk",)] == (72,)


def test_recurrent_graph_infers_every_shape():
    """Input(4) -> Affine(5x4) -> LIF(0-d) <-> Linear(5x5), LIF -> Output(5): the cycle is entered once."""
    g = graph(
        {
            "input": inp(4),
            "fc": nir.Affine(weight=np.ones((5, 4), F32), bias=np.zeros(5, F32)),
            "lif": lif0(),
            "rec": nir.Linear(weight=np.eye(5, dtype=F32)),
            "output": out(5),
        },
        [("input", "fc"), ("fc", "lif"), ("lif", "rec"), ("rec", "lif"), ("lif", "output")],
    )
    with deadline(5):
        report, found = check(g)
    assert triples(report) == []
    assert found.inputs[("lif",)] == found.outputs[("lif",)] == (5,)
    assert found.inputs[("rec",)] == found.outputs[("rec",)] == (5,)


def test_cycle_of_shapeless_nodes_is_inferred_from_its_entry():
    g = graph(
        {
            "input": inp(3, 2),
            "a": lif0(),
            "d": nir.Delay(delay=np.array(0.001, F32)),
            "t": nir.Threshold(threshold=np.array(0.5, F32)),
            "output": out(3, 2),
        },
        [("input", "a"), ("a", "d"), ("d", "a"), ("d", "t"), ("t", "output"), ("t", "t")],
    )
    with deadline(5):
        report, found = check(g)
    assert triples(report) == []
    for name in ("a", "d", "t"):
        assert found.inputs[(name,)] == found.outputs[(name,)] == (3, 2), name


def test_cycle_with_contradicting_shapes_is_a_mismatch_and_terminates():
    g = graph(
        {"input": inp(4), "a": lif0(), "rec": nir.Linear(weight=np.ones((5, 5), F32)), "output": out(4)},
        [("input", "a"), ("a", "rec"), ("rec", "a"), ("a", "output")],
    )
    with deadline(5):
        report, _ = check(g)
    # a (4,) -> rec (5, 5) and back: both edges of the cycle are wrong, each reported once
    assert sorted((f.code, f.path) for f in report.errors) == [
        ("shape-mismatch", "/edges/1"),
        ("shape-mismatch", "/edges/2"),
    ]


def _zero_d_chain(n: int, shape=(4,)):
    nodes = {"input": inp(*shape)}
    nodes.update({f"n{i}": lif0() for i in range(n)})
    nodes["output"] = out(*shape)
    names = list(nodes)
    return nodes, list(pairwise(names))


def test_long_chain_is_inferred_quickly():
    nodes, edges = _zero_d_chain(2000)
    start = time.process_time()
    with deadline(20):
        report, found = check(graph(nodes, edges))
    elapsed = time.process_time() - start  # CPU time: immune to a busy machine
    assert triples(report) == []
    assert found.outputs[("n1999",)] == (4,)
    assert elapsed < 4, f"2000-node chain took {elapsed:.2f} s"


def test_large_cycle_is_inferred_quickly():
    nodes, edges = _zero_d_chain(2000)
    edges.append(("n1999", "n0"))
    start = time.process_time()
    with deadline(20):
        report, found = check(graph(nodes, edges))
    elapsed = time.process_time() - start  # CPU time: immune to a busy machine
    assert triples(report) == []
    assert all(found.outputs[(f"n{i}",)] == (4,) for i in range(2000))
    assert elapsed < 4, f"2000-node cycle took {elapsed:.2f} s"


def test_large_cycle_without_entry_is_found_without_recursion_limits():
    # 1500 nodes: deeper than Python's default recursion limit, so a recursive search would fail
    ring = {f"n{i}": lif(2) for i in range(1500)}
    edges = [(f"n{i}", f"n{(i + 1) % 1500}") for i in range(1500)]
    g = graph({"input": inp(2), "output": out(2), **ring}, [("input", "output"), *edges])
    with deadline(20):
        report, _ = check(g)
    assert triples(report) == [("error", "cycle-without-entry", "/nodes/n0")]


# --- property tests against PyTorch's formulas -----------------------------------------------------

sizes = st.integers(1, 3)
per_dim = st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3)))


@st.composite
def conv2d_cases(draw):
    groups = draw(sizes)
    ci_g, co = draw(sizes), groups * draw(sizes)
    kernel = (draw(st.integers(1, 5)), draw(st.integers(1, 5)))
    padding = draw(
        st.one_of(
            st.integers(0, 3),
            st.tuples(st.integers(0, 3), st.integers(0, 3)),
            st.sampled_from(["same", "valid"]),
        )
    )
    stride = draw(st.sampled_from([1, (1, 1)])) if padding == "same" else draw(per_dim)
    dilation = draw(per_dim)
    hw = (draw(st.integers(1, 16)), draw(st.integers(1, 16)))
    return {
        "co": co,
        "ci_g": ci_g,
        "groups": groups,
        "kernel": kernel,
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
        "hw": hw,
    }


def expected_conv(case) -> tuple[int, ...] | None:
    if case["padding"] == "same":
        return (case["co"], *case["hw"])
    padding = (0, 0) if case["padding"] == "valid" else pair(case["padding"])
    lengths = [
        torch_conv_length(length, k, s, p, d)
        for length, k, s, p, d in zip(
            case["hw"], case["kernel"], pair(case["stride"]), padding, pair(case["dilation"]), strict=True
        )
    ]
    return None if None in lengths else (case["co"], *lengths)


def _conv_node(case) -> nir.Conv2d:
    return conv2d(
        case["co"],
        case["ci_g"],
        *case["kernel"],
        stride=case["stride"],
        padding=case["padding"],
        dilation=case["dilation"],
        groups=case["groups"],
    )


@settings(max_examples=120, deadline=None)
@given(conv2d_cases())
def test_conv2d_inference_matches_the_pytorch_formula(case):
    in_shape = (case["ci_g"] * case["groups"], *case["hw"])
    expected = expected_conv(case)
    g = chain(("input", inp(*in_shape)), ("conv", _conv_node(case)), ("output", out(*(expected or (1,)))))
    report, found = check(g)
    if expected is None:  # PyTorch refuses: the kernel is larger than the padded input
        assert [(f.code, f.path) for f in report.errors] == [("invalid-parameter", "/edges/0")]
        assert "larger than the padded input" in report.errors[0].message
        assert found.outputs[("conv",)] is None
    else:
        assert triples(report) == [], str(report)
        assert found.outputs[("conv",)] == expected


@settings(max_examples=100, deadline=None)
@given(
    k=st.integers(1, 6),
    s=st.integers(1, 3),
    p=st.integers(0, 3),
    d=st.integers(1, 3),
    length=st.integers(1, 24),
    ci=sizes,
)
def test_conv1d_inference_matches_the_pytorch_formula(k, s, p, d, length, ci):
    expected = torch_conv_length(length, k, s, p, d)
    node = conv1d(2, ci, k, stride=s, padding=p, dilation=d)
    g = chain(("input", inp(ci, length)), ("conv", node), ("output", out(2, expected or 1)))
    report, found = check(g)
    if expected is None:
        assert [f.code for f in report.errors] == ["invalid-parameter"]
    else:
        assert triples(report) == [], str(report)
        assert found.outputs[("conv",)] == (2, expected)


@st.composite
def pool_cases(draw):
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = (draw(sizes), draw(sizes))
    # PyTorch's pooling accepts padding up to half the kernel
    padding = (draw(st.integers(0, kernel[0] // 2)), draw(st.integers(0, kernel[1] // 2)))
    hw = (draw(st.integers(1, 12)), draw(st.integers(1, 12)))
    return kernel, stride, padding, hw


@settings(max_examples=150, deadline=None)
@given(pool_cases(), st.sampled_from([nir.SumPool2d, nir.AvgPool2d]), sizes)
def test_pool_inference_matches_the_pytorch_formula(case, unit, channels):
    kernel, stride, padding, hw = case
    lengths = [torch_pool_length(*args) for args in zip(hw, kernel, stride, padding, strict=True)]
    expected = None if None in lengths else (channels, *lengths)
    node = unit(kernel_size=np.array(kernel), stride=np.array(stride), padding=np.array(padding))
    g = chain(("input", inp(channels, *hw)), ("pool", node), ("output", out(*(expected or (1,)))))
    report, found = check(g)
    if expected is None:
        assert [(f.code, f.path) for f in report.errors] == [("invalid-parameter", "/edges/0")]
    else:
        assert triples(report) == [], str(report)
        assert found.outputs[("pool",)] == expected


@pytest.mark.skipif(not HAS_TORCH, reason="torch is not installed")
@settings(max_examples=60, deadline=None)
@given(conv2d_cases())
def test_conv2d_inference_matches_torch(case):
    import torch
    import torch.nn.functional as F  # noqa: N812

    in_shape = (case["ci_g"] * case["groups"], *case["hw"])
    weight = torch.zeros((case["co"], case["ci_g"], *case["kernel"]))
    try:
        result = F.conv2d(
            torch.zeros((1, *in_shape)),
            weight,
            stride=case["stride"],
            padding=case["padding"],
            dilation=case["dilation"],
            groups=case["groups"],
        )
        expected = tuple(result.shape[1:])
    except RuntimeError:
        expected = None
    g = chain(("input", inp(*in_shape)), ("conv", _conv_node(case)), ("output", out(*(expected or (1,)))))
    report, found = check(g)
    if expected is None:
        assert [f.code for f in report.errors] == ["invalid-parameter"]
    else:
        assert found.outputs[("conv",)] == expected
