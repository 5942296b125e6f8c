"""Edge resolution: exact names, dotted paths into nested graphs, nested graphs as endpoints."""

from __future__ import annotations

import numpy as np
from support.graphs import as_list, check, graph, inp, lif, lif0, only, out, triples

import nir


def _edges(found) -> set[tuple[tuple[str, ...], tuple[str, ...]]]:
    return {(src, dst) for src, dst, _ in found.network.edges}


def _sub(n: int, *, inner=None, input_name: str = "input", output_name: str = "output") -> nir.NIRGraph:
    """Input(n) -> b -> Output(n), with `b` a LIF of n neurons unless `inner` is given."""
    return graph(
        {input_name: inp(n), "b": lif(n) if inner is None else inner, output_name: out(n)},
        [(input_name, "b"), ("b", output_name)],
    )


def test_dotted_names_reach_into_a_nested_graph():
    g = graph(
        {"input": inp(3), "sub": _sub(3, inner=lif0()), "output": out(3)},
        [("input", "sub.input"), ("sub.output", "output")],
    )
    report, found = check(g)
    assert triples(report) == []
    assert _edges(found) >= {(("input",), ("sub", "input")), (("sub", "output"), ("output",))}
    # the 0-d LIF inside the subgraph gets its shape from the outer Input through the dotted edge
    assert found.inputs[("sub", "b")] == (3,)
    assert found.outputs[("sub", "b")] == (3,)


def test_dotted_names_reach_two_levels_down():
    inner = _sub(2, inner=lif0())
    middle = graph({"input": inp(2), "inner": inner, "output": out(2)}, [("input", "inner"), ("inner", "output")])
    g = graph(
        {"input": inp(2), "middle": middle, "output": out(2)},
        [("input", "middle.inner.b"), ("middle.inner.b", "output")],
    )
    report, found = check(g)
    assert (("input",), ("middle", "inner", "b")) in _edges(found)
    assert (("middle", "inner", "b"), ("output",)) in _edges(found)
    # middle's own Input is bypassed, hence unfed: a warning only
    assert triples(report) == [("warning", "no-incoming-edge", "/nodes/middle/nodes/input")]
    assert found.outputs[("middle", "inner", "b")] == (2,)


def test_node_names_containing_dots_resolve_by_exact_name():
    """Real files (snnTorch's recurrent exports) name nodes `lif1.lif` and `lif1.w_rec` at the top level."""
    g = graph(
        {
            "input": inp(4),
            "lif1.lif": lif(4),
            "lif1.w_rec": nir.Linear(weight=np.eye(4, dtype=np.float32)),
            "output": out(4),
        },
        [("input", "lif1.lif"), ("lif1.lif", "lif1.w_rec"), ("lif1.w_rec", "lif1.lif"), ("lif1.lif", "output")],
    )
    report, found = check(g)
    assert triples(report) == []
    assert _edges(found) == {
        (("input",), ("lif1.lif",)),
        (("lif1.lif",), ("lif1.w_rec",)),
        (("lif1.w_rec",), ("lif1.lif",)),
        (("lif1.lif",), ("output",)),
    }


def test_exact_name_wins_over_a_dotted_path():
    """A node named "a.b" (3 neurons) and a subgraph "a" holding "b" (5 neurons): "a.b" is the former."""
    g = graph(
        {"input": inp(3), "a.b": lif(3), "output": out(3), "a": _sub(5), "in5": inp(5), "out5": out(5)},
        [("input", "a.b"), ("a.b", "output"), ("in5", "a"), ("a", "out5")],
    )
    report, found = check(g)
    assert triples(report) == []  # had "a.b" meant a.b inside "a", the shapes (3,) and (5,) would clash
    assert (("input",), ("a.b",)) in _edges(found)
    assert (("input",), ("a", "b")) not in _edges(found)
    assert found.inputs[("a.b",)] == (3,)
    assert found.inputs[("a", "b")] == (5,)


def test_without_the_exact_name_the_dotted_path_is_taken():
    g = graph(
        {"input": inp(5), "a": _sub(5), "output": out(5)},
        [("input", "a.b"), ("a.b", "output")],
    )
    report, found = check(g)
    assert (("input",), ("a", "b")) in _edges(found)
    assert (("a", "b"), ("output",)) in _edges(found)
    # the edges bypass a's own Input, which is left unfed (a warning, not an error)
    assert triples(report) == [("warning", "no-incoming-edge", "/nodes/a/nodes/input")]


def test_dotted_name_inside_a_nested_graph_with_a_dotted_node_name():
    sub = graph({"input": inp(2), "x.y": lif(2), "output": out(2)}, [("input", "x.y"), ("x.y", "output")])
    g = graph({"input": inp(2), "sub": sub, "output": out(2)}, [("input", "sub"), ("sub.x.y", "output")])
    report, found = check(g)
    assert (("sub", "x.y"), ("output",)) in _edges(found)
    assert triples(report) == []


def test_nested_graph_as_endpoint_uses_its_single_input_and_output():
    g = graph(
        {"input": inp(3), "sub": _sub(3, input_name="entry", output_name="exit"), "output": out(3)},
        [("input", "sub"), ("sub", "output")],
    )
    report, found = check(g)
    assert triples(report) == []
    assert _edges(found) == {
        (("input",), ("sub", "entry")),
        (("sub", "entry"), ("sub", "b")),
        (("sub", "b"), ("sub", "exit")),
        (("sub", "exit"), ("output",)),
    }


def test_nested_graph_named_by_a_dotted_path_uses_its_ports():
    inner = _sub(2)
    middle = graph({"input": inp(2), "inner": inner, "output": out(2)}, [("input", "inner"), ("inner", "output")])
    g = graph({"input": inp(2), "middle": middle, "output": out(2)}, [("input", "middle"), ("middle", "output")])
    report, found = check(g)
    assert triples(report) == []
    assert (("middle", "input"), ("middle", "inner", "input")) in _edges(found)
    assert (("middle", "inner", "output"), ("middle", "output")) in _edges(found)
    g2 = graph(
        {"input": inp(2), "middle": middle, "output": out(2)},
        [("input", "middle.inner"), ("middle.inner", "output")],
    )
    _, found2 = check(g2)
    assert (("input",), ("middle", "inner", "input")) in _edges(found2)
    assert (("middle", "inner", "output"), ("output",)) in _edges(found2)


def test_nested_graph_types_are_inferred_through_graph_endpoints():
    g = nir.NIRGraph(
        nodes={"input": inp(7), "sub": _sub(7, inner=lif0()), "output": out(7)},
        edges=[("input", "sub"), ("sub", "output")],
    )
    inner = g.nodes["sub"].nodes["b"]
    assert as_list(inner.input_type["input"]) == [7]
    assert as_list(inner.output_type["output"]) == [7]
    assert {k: as_list(v) for k, v in g.nodes["sub"].input_type.items()} == {"input": [7]}


def _two_inputs() -> nir.NIRGraph:
    return graph(
        {"i1": inp(3), "i2": inp(3), "b": lif(3), "output": out(3)},
        [("i1", "b"), ("i2", "b"), ("b", "output")],
    )


def test_nested_graph_with_two_inputs_is_ambiguous_as_destination():
    g = graph({"input": inp(3), "sub": _two_inputs(), "output": out(3)}, [("input", "sub"), ("sub", "output")])
    report, found = check(g)
    finding = only(report, "ambiguous-port")
    assert (finding.severity, finding.path) == ("error", "/edges/0")
    assert "'sub'" in finding.message and "2 Input" in finding.message
    assert "sub.i1" in finding.hint
    # the edge is not resolved to either Input
    assert not any(dst in {("sub", "i1"), ("sub", "i2")} and src == ("input",) for src, dst in _edges(found))
    # the other edge resolves: the single Output is not ambiguous
    assert (("sub", "output"), ("output",)) in _edges(found)


def test_naming_the_port_removes_the_ambiguity():
    g = graph(
        {"input": inp(3), "sub": _two_inputs(), "output": out(3)},
        [("input", "sub.i1"), ("input", "sub.i2"), ("sub", "output")],
    )
    report, found = check(g)
    assert triples(report) == []
    assert {(("input",), ("sub", "i1")), (("input",), ("sub", "i2"))} <= _edges(found)


def test_nested_graph_without_output_is_ambiguous_as_source():
    sub = graph({"input": inp(3), "b": lif(3)}, [("input", "b")])
    g = graph({"input": inp(3), "sub": sub, "output": out(3)}, [("input", "sub"), ("sub", "output")])
    report, _ = check(g)
    finding = only(report, "ambiguous-port")
    assert (finding.severity, finding.path) == ("error", "/edges/1")
    assert "source 'sub'" in finding.message and "0 Output" in finding.message


def test_dotted_names_that_lead_nowhere_are_unknown():
    g = graph(
        {"input": inp(3), "a": lif(3), "sub": _sub(3), "output": out(3)},
        [("input", "a"), ("a", "a.b"), ("a", "sub.missing"), ("sub", "output"), ("input", "sub")],
    )
    report, _ = check(g)
    unknown = [f for f in report if f.code == "unknown-node"]
    assert [(f.path, f.severity) for f in unknown] == [("/edges/1", "error"), ("/edges/2", "error")]
    assert "'a.b'" in unknown[0].message  # "a" is a LIF, not a graph: no path into it
    assert "'sub.missing'" in unknown[1].message


def test_edges_of_a_nested_graph_resolve_in_that_graph_only():
    sub = graph({"input": inp(3), "b": lif(3), "output": out(3)}, [("input", "b"), ("b", "output"), ("b", "top")])
    g = graph({"input": inp(3), "sub": sub, "top": out(3)}, [("input", "sub"), ("sub", "top")])
    report, _ = check(g)
    finding = only(report, "unknown-node")
    assert finding.path == "/nodes/sub/edges/2"
    assert "'top'" in finding.message
