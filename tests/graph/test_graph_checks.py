"""Every graph check, each triggered by a minimal graph: code, severity, path, message and hint."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
from support.graphs import F32, chain, check, conv2d, graph, inp, lif, lif0, only, out, triples

import nir
from nir.findings import CODES, ERROR, INFO, WARNING

SRC = Path(nir.__file__).resolve().parent

# --- one minimal graph per check ------------------------------------------------------------------


def unknown_node():
    return graph({"input": inp(3), "lif1": lif(3), "output": out(3)}, [("input", "lif"), ("lif1", "output")])


def shape_mismatch():
    return chain(("input", inp(3)), ("a", lif(3)), ("b", lif(4)), ("output", out(4)))


def no_incoming_edge():
    return graph({"input": inp(3), "a": lif(3), "output": out(3), "x": lif(3)}, [("input", "a"), ("a", "output")])


def output_unconnected():
    return graph({"input": inp(3), "a": lif(3), "output": out(3), "o2": out(3)}, [("input", "a"), ("a", "output")])


def unreachable_node():
    return graph(
        {"input": inp(3), "a": lif(3), "output": out(3), "x": lif(3), "y": lif(3)},
        [("input", "a"), ("a", "output"), ("x", "y")],
    )


def duplicate_edge():
    return graph({"input": inp(3), "a": lif(3), "output": out(3)}, [("input", "a"), ("input", "a"), ("a", "output")])


def cycle_without_entry():
    return graph(
        {"input": inp(3), "a": lif(3), "output": out(3), "c": lif(3), "d": lif(3)},
        [("input", "a"), ("a", "output"), ("c", "d"), ("d", "c")],
    )


def io_shape_mismatch():
    return chain(("input", inp(3)), ("a", lif(3)), ("output", out(5)))


def batch_dimension():
    """As Rockpool writes it: Output [1, 1, 1] after a LIF of shape [1]."""
    return chain(("input", inp(1)), ("lif", lif(1)), ("output", out(1, 1, 1)))


def empty_graph():
    return graph({}, [])


def no_input_node():
    return chain(("a", lif(3)), ("output", out(3)))


def no_output_node():
    return chain(("input", inp(3)), ("a", lif(3)))


def uninferred_shape():
    """A Flatten fed only by an edge from a node that does not exist: its shape cannot be known."""
    return graph(
        {"input": inp(3), "output": out(3), "f": nir.Flatten(), "o2": out(3)},
        [("input", "output"), ("ghost", "f"), ("f", "o2")],
    )


def ambiguous_port():
    sub = graph(
        {"i1": inp(3), "i2": inp(3), "b": lif(3), "output": out(3)}, [("i1", "b"), ("i2", "b"), ("b", "output")]
    )
    return graph({"input": inp(3), "sub": sub, "output": out(3)}, [("input", "sub"), ("sub", "output")])


CHECKS = {
    "unknown-node": (
        unknown_node,
        [
            (ERROR, "unknown-node", "/edges/0"),
            # consequences of the missing edge, reported once each
            (WARNING, "no-incoming-edge", "/nodes/lif1"),
            (WARNING, "unreachable-node", "/nodes/output"),
        ],
    ),
    "shape-mismatch": (shape_mismatch, [(ERROR, "shape-mismatch", "/edges/1")]),
    "no-incoming-edge": (no_incoming_edge, [(WARNING, "no-incoming-edge", "/nodes/x")]),
    "output-unconnected": (output_unconnected, [(ERROR, "output-unconnected", "/nodes/o2")]),
    "unreachable-node": (
        unreachable_node,
        [(WARNING, "no-incoming-edge", "/nodes/x"), (WARNING, "unreachable-node", "/nodes/y")],
    ),
    "duplicate-edge": (duplicate_edge, [(ERROR, "duplicate-edge", "/edges/1")]),
    "cycle-without-entry": (cycle_without_entry, [(ERROR, "cycle-without-entry", "/nodes/c")]),
    "io-shape-mismatch": (io_shape_mismatch, [(ERROR, "io-shape-mismatch", "/edges/1")]),
    "batch-dimension": (batch_dimension, [(WARNING, "batch-dimension", "/edges/1")]),
    "empty-graph": (empty_graph, [(ERROR, "empty-graph", "")]),
    "no-input-node": (
        no_input_node,
        [
            (WARNING, "no-input-node", ""),
            (WARNING, "no-incoming-edge", "/nodes/a"),
            (WARNING, "unreachable-node", "/nodes/output"),
        ],
    ),
    "no-output-node": (no_output_node, [(WARNING, "no-output-node", "")]),
    "uninferred-shape": (
        uninferred_shape,
        [(ERROR, "unknown-node", "/edges/1"), (WARNING, "uninferred-shape", "/nodes/f")],
    ),
    "ambiguous-port": (
        ambiguous_port,
        [
            (ERROR, "ambiguous-port", "/edges/0"),
            (WARNING, "no-incoming-edge", "/nodes/sub/nodes/i1"),
            (WARNING, "no-incoming-edge", "/nodes/sub/nodes/i2"),
        ],
    ),
}


@pytest.mark.parametrize("code", sorted(CHECKS))
def test_each_check_is_triggered_by_a_minimal_graph(code):
    build, expected = CHECKS[code]
    report = nir.validate(build())
    assert triples(report) == expected
    assert report.ok == all(severity != ERROR for severity, _, _ in expected)


def test_unknown_node_names_the_edge_end_and_suggests_the_closest_name():
    finding = only(nir.validate(unknown_node()), "unknown-node")
    assert "destination 'lif'" in finding.message
    assert finding.hint == "did you mean 'lif1'?"


def test_unknown_node_without_a_close_name_lists_the_known_ones():
    g = graph({"input": inp(3), "a": lif(3), "output": out(3)}, [("input", "a"), ("a", "output"), ("zzzzzz", "a")])
    finding = only(nir.validate(g), "unknown-node")
    assert "source 'zzzzzz'" in finding.message
    assert finding.hint.startswith("known nodes:")
    assert all(name in finding.hint for name in ("a", "input", "output"))


def test_unknown_node_hint_reaches_into_nested_graphs():
    sub = chain(("input", inp(3)), ("neuron", lif(3)), ("output", out(3)))
    g = graph({"input": inp(3), "sub": sub, "output": out(3)}, [("input", "sub"), ("sub.neuronn", "output")])
    finding = only(nir.validate(g), "unknown-node")
    assert finding.hint == "did you mean 'sub.neuron'?"


def test_shape_mismatch_names_both_shapes_and_both_nodes():
    finding = only(nir.validate(shape_mismatch()), "shape-mismatch")
    assert "(3,)" in finding.message and "(4,)" in finding.message
    assert "a -> b" in finding.message


def test_io_shape_mismatch_names_both_shapes_at_either_end():
    finding = only(nir.validate(io_shape_mismatch()), "io-shape-mismatch")
    assert "(3,)" in finding.message and "(5,)" in finding.message
    g = chain(("input", inp(4)), ("a", lif(3)), ("output", out(3)))
    assert triples(nir.validate(g)) == [(ERROR, "io-shape-mismatch", "/edges/0")]


def test_batch_dimension_is_a_warning_with_a_hint():
    report = nir.validate(batch_dimension())
    finding = only(report, "batch-dimension")
    assert "(1,)" in finding.message and "(1, 1, 1)" in finding.message
    assert "batch dimension" in finding.hint
    assert report.ok


def test_batch_dimension_on_an_input():
    g = chain(("input", inp(1, 6)), ("a", lif(6)), ("output", out(6)))
    assert triples(nir.validate(g)) == [(WARNING, "batch-dimension", "/edges/0")]


def test_extra_leading_ones_between_inner_nodes_are_a_mismatch_not_a_batch_dimension():
    g = chain(("input", inp(1, 6)), ("a", nir.Scale(np.ones((1, 6), F32))), ("b", lif(6)))
    report = nir.validate(g)
    assert (ERROR, "shape-mismatch", "/edges/1") in triples(report)


def test_messages_name_the_nodes_involved():
    assert "x" in only(nir.validate(no_incoming_edge()), "no-incoming-edge").message
    assert "o2" in only(nir.validate(output_unconnected()), "output-unconnected").message
    assert "y" in only(nir.validate(unreachable_node()), "unreachable-node").message
    assert "Duplicate edge: ('input', 'a')" in only(nir.validate(duplicate_edge()), "duplicate-edge").message
    cycle = only(nir.validate(cycle_without_entry()), "cycle-without-entry").message
    assert "c, d" in cycle
    assert "f" in only(nir.validate(uninferred_shape()), "uninferred-shape").message


def test_duplicate_edge_counts_once_in_the_network():
    _, found = check(duplicate_edge())
    assert [(s, d) for s, d, _ in found.network.edges].count((("input",), ("a",))) == 1


def test_self_loop_without_entry_is_a_cycle():
    g = graph({"input": inp(3), "output": out(3), "a": lif(3)}, [("input", "output"), ("a", "a")])
    report = nir.validate(g)
    assert triples(report) == [(ERROR, "cycle-without-entry", "/nodes/a")]


def test_nested_graph_checks_carry_the_nested_path():
    sub = graph({}, [])
    g = graph({"input": inp(3), "sub": sub, "output": out(3)}, [("input", "output")])
    assert triples(nir.validate(g)) == [(ERROR, "empty-graph", "/nodes/sub")]
    sub = chain(("a", lif(3)), ("b", lif(3)))
    g = graph({"input": inp(3), "sub": sub, "output": out(3)}, [("input", "sub.a"), ("sub.b", "output")])
    assert triples(nir.validate(g)) == [
        (WARNING, "no-input-node", "/nodes/sub"),
        (WARNING, "no-output-node", "/nodes/sub"),
    ]


def test_nested_input_left_unfed_is_reported_at_its_nested_path():
    sub = chain(("input", inp(3)), ("a", lif(3)), ("output", out(3)))
    g = graph({"input": inp(3), "sub": sub, "output": out(3)}, [("input", "sub.a"), ("sub", "output")])
    finding = only(nir.validate(g), "no-incoming-edge")
    assert (finding.severity, finding.path) == (WARNING, "/nodes/sub/nodes/input")
    assert "nested Input" in finding.message


def test_uninferred_shape_downstream_of_a_broken_node():
    g = chain(("input", inp(2, 4, 4)), ("conv", conv2d(3, 2, 9, 9)), ("f", nir.Flatten(start_dim=0)), ("out", out(48)))
    assert triples(nir.validate(g)) == [
        (ERROR, "invalid-parameter", "/edges/0"),
        (WARNING, "uninferred-shape", "/nodes/f"),
    ]


def test_unreachable_shapeless_nodes_are_not_also_uninferred():
    g = graph(
        {"input": inp(3), "output": out(3), "a": lif0(), "b": lif0()},
        [("input", "output"), ("a", "b")],
    )
    assert triples(nir.validate(g)) == [
        (WARNING, "no-incoming-edge", "/nodes/a"),
        (WARNING, "unreachable-node", "/nodes/b"),
    ]


# --- invalid-parameter ----------------------------------------------------------------------------

INVALID = {
    # groups=2 cannot split 3 output channels
    "groups": (chain(("input", inp(4, 8, 8)), ("c", conv2d(3, 2, 3, 3, groups=2))), "groups=2 does not divide"),
    # 3 x 4 input padded by 1 is 5 x 6, smaller than the dilated 3x3 kernel (extent 7)
    "kernel": (chain(("input", inp(1, 3, 4)), ("c", conv2d(2, 1, 3, 3, padding=1, dilation=3))), "kernel extent 7"),
    "same-stride": (
        chain(("input", inp(2, 8, 8)), ("c", conv2d(4, 2, 3, 3, stride=2, padding="same"))),
        "padding 'same' needs stride 1",
    ),
    "flatten-start": (chain(("input", inp(2, 3)), ("f", nir.Flatten(start_dim=2))), "start_dim=2 and end_dim=-1"),
    "flatten-end": (chain(("input", inp(2, 3)), ("f", nir.Flatten(start_dim=0, end_dim=-3))), "end_dim=-3"),
    "flatten-order": (chain(("input", inp(2, 3, 4)), ("f", nir.Flatten(start_dim=2, end_dim=1))), "start_dim=2"),
    "flatten-negative": (chain(("input", inp(2, 3, 4)), ("f", nir.Flatten(start_dim=-4))), "start_dim=-4"),
    "pool": (
        chain(
            ("input", inp(1, 2, 2)),
            ("p", nir.AvgPool2d(kernel_size=np.array([3, 3]), stride=np.array([1, 1]), padding=np.array([0, 0]))),
        ),
        "kernel extent 3 is larger than the padded input length 2",
    ),
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_invalid_parameter(case):
    g, words = INVALID[case]
    report = nir.validate(g)
    assert [(f.severity, f.code, f.path) for f in report.errors] == [(ERROR, "invalid-parameter", "/edges/0")]
    assert words in report.errors[0].message


def test_invalid_parameter_of_a_node_whose_own_fields_fix_its_input():
    conv = nir.Conv2d(input_shape=[3, 3], weight=np.zeros((2, 1, 5, 5), F32), bias=np.zeros(2, F32))
    g = graph({"input": inp(1, 3, 3), "c": conv}, [("input", "c")])
    report = nir.validate(g)
    assert [(f.code, f.path) for f in report.errors] == [("invalid-parameter", "/nodes/c")]
    assert "larger than the padded input" in report.errors[0].message


def test_input_channels_not_matching_groups_are_a_shape_mismatch():
    g = chain(("input", inp(5, 8, 8)), ("s", nir.Scale(np.ones((5, 8, 8)))), ("c", conv2d(4, 2, 3, 3, groups=2)))
    report = nir.validate(g)
    assert [(f.code, f.path) for f in report.errors] == [("shape-mismatch", "/edges/1")]
    assert "(5, 8, 8)" in report.errors[0].message and "groups=2" in report.errors[0].message


def test_an_input_declaring_channels_a_conv_cannot_take_is_an_io_shape_mismatch():
    g = chain(("input", inp(5, 8, 8)), ("c", conv2d(4, 2, 3, 3, groups=2)))
    report = nir.validate(g)
    assert [(f.code, f.path) for f in report.errors] == [("io-shape-mismatch", "/edges/0")]
    assert "(5, 8, 8)" in report.errors[0].message and "groups=2" in report.errors[0].message


# --- parameter values -----------------------------------------------------------------------------


def _single(node, n: int = 3) -> nir.NIRGraph:
    return chain(("input", inp(n)), ("a", node), ("output", out(n)))


def neuron(unit: str, n: int = 3, **override) -> nir.NIRNode:
    base = {
        "I": {"r": np.ones(n)},
        "IF": {"r": np.ones(n), "v_threshold": np.ones(n)},
        "LI": {"tau": np.full(n, 0.01), "r": np.ones(n), "v_leak": np.zeros(n)},
        "LIF": {"tau": np.full(n, 0.01), "r": np.ones(n), "v_leak": np.zeros(n), "v_threshold": np.ones(n)},
        "CubaLI": {"tau_syn": np.full(n, 0.01), "tau_mem": np.full(n, 0.01), "r": np.ones(n), "v_leak": np.zeros(n)},
        "CubaLIF": {
            "tau_syn": np.full(n, 0.01),
            "tau_mem": np.full(n, 0.01),
            "r": np.ones(n),
            "v_leak": np.zeros(n),
            "v_threshold": np.ones(n),
        },
        "Delay": {"delay": np.zeros(n)},
    }[unit]
    base.update(override)
    return getattr(nir, unit)(**base)


def test_nan_in_tau_is_non_finite():
    report = nir.validate(_single(neuron("LIF", tau=np.array([0.1, np.nan, 0.1]))))
    assert triples(report) == [(ERROR, "non-finite", "/nodes/a/tau")]
    assert "1 non-finite" in report.findings[0].message and "(1,)" in report.findings[0].message


def test_inf_in_a_weight_is_non_finite():
    weight = np.ones((3, 3), F32)
    weight[2, 1] = np.inf
    report = nir.validate(_single(nir.Linear(weight=weight)))
    assert triples(report) == [(ERROR, "non-finite", "/nodes/a/weight")]
    assert "(2, 1)" in report.findings[0].message


def test_non_finite_in_a_zero_d_parameter_and_in_a_nested_node():
    sub = _single(nir.LIF(tau=np.array(-np.inf), r=np.array(1.0), v_leak=np.array(0.0), v_threshold=np.array(1.0)))
    g = graph({"input": inp(3), "sub": sub, "output": out(3)}, [("input", "sub"), ("sub", "output")])
    assert triples(nir.validate(g)) == [(ERROR, "non-finite", "/nodes/sub/nodes/a/tau")]


@pytest.mark.parametrize(
    ("unit", "field", "bad", "words"),
    [
        ("LIF", "tau", [0.1, 0.0, -1.0], "greater than 0"),
        ("LI", "tau", [0.0, 0.1, 0.1], "greater than 0"),
        ("CubaLIF", "tau_syn", [0.1, 0.1, 0.0], "greater than 0"),
        ("CubaLIF", "tau_mem", [-0.1, 0.1, 0.1], "greater than 0"),
        ("CubaLI", "tau_syn", [-1.0, 0.1, 0.1], "greater than 0"),
        ("CubaLI", "tau_mem", [0.1, 0.0, 0.1], "greater than 0"),
        ("LIF", "r", [1.0, -1.0, 1.0], "at least 0"),
        ("LI", "r", [-0.5, 1.0, 1.0], "at least 0"),
        ("I", "r", [1.0, 1.0, -2.0], "at least 0"),
        ("IF", "r", [-1.0, 1.0, 1.0], "at least 0"),
        ("CubaLIF", "r", [1.0, -1e-9, 1.0], "at least 0"),
        ("Delay", "delay", [0.0, -0.001, 0.0], "at least 0"),
    ],
)
def test_out_of_range(unit, field, bad, words):
    report = nir.validate(_single(neuron(unit, **{field: np.array(bad)})))
    assert triples(report) == [(ERROR, "out-of-range", f"/nodes/a/{field}")]
    assert field in report.findings[0].message and words in report.findings[0].message


@pytest.mark.parametrize(("unit", "field"), [("LIF", "r"), ("I", "r"), ("Delay", "delay"), ("CubaLIF", "v_leak")])
def test_zero_is_in_range_for_non_negative_fields(unit, field):
    assert triples(nir.validate(_single(neuron(unit, **{field: np.zeros(3)})))) == []


def test_values_are_checked_on_nodes_outside_any_path():
    g = graph(
        {"input": inp(3), "output": out(3), "loose": neuron("LIF", tau=np.array([-1.0, 1.0, 1.0]))},
        [("input", "output")],
    )
    assert (ERROR, "out-of-range", "/nodes/loose/tau") in triples(nir.validate(g))


# --- the code table -------------------------------------------------------------------------------


def _all_reports():
    reports = [nir.validate(build()) for build, _ in CHECKS.values()]
    reports += [nir.validate(g) for g, _ in INVALID.values()]
    reports.append(nir.validate(_single(neuron("LIF", tau=np.array([np.nan, -1.0, 1.0])))))
    reports.append(nir.validate(_single(neuron("LIF", r=np.array([-1.0, 1.0, 1.0])))))
    reports.append(nir.validate(_single(neuron("LIF", tau=np.array([0.1])))))  # broadcasts to the others' (3,)
    return reports


def test_produced_codes_are_listed_with_their_default_severity():
    for report in _all_reports():
        for finding in report:
            assert finding.code in CODES, finding
            assert finding.severity in (ERROR, WARNING, INFO), finding
            assert finding.severity == CODES[finding.code][0], finding


def test_every_graph_level_code_is_triggered_by_some_graph():
    produced = {f.code for report in _all_reports() for f in report}
    file_level = {"unreadable", "unsupported-version", "invalid-node", "unknown-field", "values-unchecked", "migrated"}
    assert produced == set(CODES) - file_level


def test_code_table_is_well_formed():
    for code, (severity, meaning) in CODES.items():
        assert code == code.lower() and " " not in code
        assert severity in (ERROR, WARNING, INFO)
        assert meaning.endswith(".")


def _literal_codes() -> set[str]:
    """Finding codes written as literals in the package: `report.add("code", ...)`, `ShapeError(msg, "code")`."""
    codes = set()
    for path in SRC.rglob("*.py"):
        if "_generated" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            args = list(node.args) + [k.value for k in node.keywords if k.arg == "code"]
            if name == "add" and args and _is_str(args[0]) and "report" in ast.unparse(func):
                codes.add(args[0].value)
            elif name == "ShapeError" and len(args) > 1 and _is_str(args[1]):
                codes.add(args[1].value)
    return codes


def _is_str(node) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def test_every_code_the_package_emits_is_in_the_table():
    codes = _literal_codes()
    assert {"unknown-node", "duplicate-edge", "invalid-parameter", "uninferred-shape"} <= codes  # the scan works
    assert codes - set(CODES) == set()


@pytest.mark.parametrize("size", [3, 64, 65, 300], ids=lambda n: f"{n}-elements")
@pytest.mark.parametrize(("bad", "code"), [(np.nan, "non-finite"), (np.inf, "non-finite"), (-1.0, "out-of-range")])
def test_one_bad_element_anywhere_is_found(size, bad, code):
    """Small tensors take Python's extremes, large ones numpy's: both find one bad value in the middle."""
    tau = np.full(size, 0.1)
    tau[size // 2] = bad
    ones = np.ones(size)
    report = nir.validate(_single(nir.LIF(tau=tau, r=ones, v_leak=0 * ones, v_threshold=ones)))
    assert code in report.codes()
    (finding,) = [f for f in report.findings if f.code == code]
    assert f"first at index ({size // 2},)" in finding.message


def test_values_of_many_nodes_are_decided_together_but_reported_each_in_graph_order():
    """Tensors of one field are checked as a batch; a failing batch still names each bad tensor, in order."""
    pairs = [("input", inp(4))]
    bad = {7: {"tau": np.array([0.1, -1.0, 0.1, 0.1])}, 3: {"r": np.array([1.0, 1.0, np.nan, 1.0])}}
    for i in range(12):
        pairs.append((f"lif_{i}", neuron("LIF", 4, **bad.get(i, {}))))
    pairs.append(("scalar", neuron("LIF", 4, v_threshold=np.array(np.inf))))  # 0-d: kept, one value
    pairs.append(("output", out(4)))
    report = nir.validate(chain(*pairs))
    assert triples(report) == [
        (ERROR, "non-finite", "/nodes/lif_3/r"),
        (ERROR, "out-of-range", "/nodes/lif_7/tau"),
        (ERROR, "non-finite", "/nodes/scalar/v_threshold"),
    ]
    assert "1 non-finite" in report.findings[2].message
