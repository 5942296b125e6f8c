"""The compatibility contract with the reference package nir 1.0.8 (docs/compatibility.md), line by line.

The first part needs no reference: each line of the contract shown on this package alone. The
second runs the reference (its own venv) on a few hundred graph recipes (compat_recipes.py) as
converter code builds graphs, and holds both packages to the contract on every one of them.
"""

from __future__ import annotations

import contextlib
import io
import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from support.compat_recipes import build, random_recipe
from support.store import run_reference
from support.store_summary import differences, summarise

import nir

F32 = np.float32


class FakeTensor:
    """Duck-types a torch tensor that requires grad: `np.asarray` refuses it, `.detach().cpu().numpy()` works."""

    def __init__(self, values: np.ndarray) -> None:
        self.values = values
        self.requires_grad = True

    def __array__(self, *args: Any, **kwargs: Any) -> np.ndarray:
        raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")

    def detach(self) -> FakeTensor:
        out = FakeTensor(self.values)
        out.requires_grad = False
        return out

    def cpu(self) -> FakeTensor:
        return self

    def numpy(self) -> np.ndarray:
        return self.values

    @property
    def shape(self) -> tuple[int, ...]:
        return self.values.shape


class ArrayLike:
    """Duck-types a JAX array: anything numpy reads through `__array__`."""

    def __init__(self, values: np.ndarray) -> None:
        self.values = values

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.values if dtype is None else self.values.astype(dtype)


# --- 1. what the reference accepts, we accept, and converter code sees the same values -------------------------


def test_array_objects_are_kept_and_checked_by_their_numpy_values(tmp_path: Path) -> None:
    weight, bias = FakeTensor(np.ones((2, 3), F32)), ArrayLike(np.zeros(2, F32))
    affine = nir.Affine(weight, bias)
    assert affine.weight is weight and affine.bias is bias
    assert affine.input_type["input"].tolist() == [3] and affine.output_type["output"].tolist() == [2]
    graph = nir.NIRGraph.from_list(affine)
    nir.write(tmp_path / "g.nir", graph)
    back = nir.read(tmp_path / "g.nir")
    np.testing.assert_array_equal(back.nodes["affine"].weight, np.ones((2, 3), F32))
    assert back.nodes["affine"].weight.dtype == F32


def test_metadata_array_objects_are_written_as_their_numbers() -> None:
    graph = nir.NIRGraph.from_list(nir.I(np.ones(2)))
    graph.metadata["gain"] = FakeTensor(np.array([1.5, 2.0], F32))
    stream = io.BytesIO()
    nir.write(stream, graph)
    back = nir.read(io.BytesIO(stream.getvalue()))
    assert back.metadata["gain"].tolist() == [1.5, 2.0] and back.metadata["gain"].dtype == F32


def test_arguments_keep_their_given_form() -> None:
    pool = nir.SumPool2d(2, 1, 0)
    assert (pool.kernel_size, pool.stride, pool.padding) == (2, 1, 0)
    conv = nir.Conv2d((8, 8), np.zeros((4, 2, 3, 3), F32), 1, (1, 1), 1, 1, np.zeros(4, F32))
    assert conv.stride == 1 and conv.padding == (1, 1) and conv.dilation == 1
    assert conv.output_type["output"].tolist() == [4, 8, 8]
    assert nir.Flatten(None, 0, -1).start_dim == 0


def test_shapes_left_none_are_inferred_as_the_reference_infers_them() -> None:
    graph = nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type=np.array([2, 9])),
            "conv1": nir.Conv1d(None, np.ones((3, 2, 2), F32), 1, 0, 1, 1, np.zeros(3, F32)),
            "flat": nir.Flatten(input_type=None, start_dim=0, end_dim=-1),
            "fc": nir.Linear(np.ones((4, 24), F32)),
            "u": nir.Input(input_type=np.array([1, 6, 6])),
            "conv2": nir.Conv2d(None, np.ones((2, 1, 3, 3), F32), 1, 0, 1, 1, np.zeros(2, F32)),
            "out": nir.Output(output_type=None),
            "out2": nir.Output(output_type=None),
        },
        edges=[("input", "conv1"), ("conv1", "flat"), ("flat", "fc"), ("fc", "out"), ("u", "conv2"), ("conv2", "out2")],
    )
    nodes = graph.nodes
    assert nodes["conv1"].input_shape == 9 and type(nodes["conv1"].input_shape) is int  # the reference: an int
    assert nodes["conv2"].input_shape == (6, 6)  # the reference: a tuple
    assert nodes["flat"].input_shape.tolist() == [3, 8] and nodes["flat"].input_type["input"].tolist() == [3, 8]
    assert nodes["out"].shape.tolist() == [4] and nodes["out"].output_type["output"].tolist() == [4]
    assert graph.output_type["out2"].tolist() == [2, 4, 4]


def test_input_and_output_nodes_are_added_as_the_reference_adds_them() -> None:
    graph = nir.NIRGraph(
        nodes={"a": nir.Affine(np.ones((3, 2)), np.zeros(3)), "b": nir.I(np.ones(3))}, edges=[("a", "b")]
    )
    assert sorted(graph.edges) == [("a", "b"), ("b", "output_b"), ("input_a", "a")]
    assert graph.nodes["input_a"].shape.tolist() == [2] and graph.nodes["output_b"].shape.tolist() == [3]
    clash = nir.NIRGraph(
        nodes={"a": nir.Linear(np.ones((2, 2))), "input_a": nir.Linear(np.ones((2, 2)))}, edges=[("input_a", "a")]
    )
    assert "input_input_a" in clash.nodes and "output_a" in clash.nodes
    # a graph that has them keeps its nodes as they are
    kept = nir.NIRGraph.from_list(nir.Input(np.array([2])), nir.Linear(np.ones((2, 2))), nir.Output(np.array([2])))
    assert list(kept.nodes) == ["input", "linear", "output"]


def test_from_list_with_nested_graphs() -> None:
    sub = nir.NIRGraph.from_list(nir.Linear(np.ones((3, 2))), nir.I(np.ones(3)))
    alone = nir.NIRGraph.from_list(sub)
    assert list(alone.nodes) == ["input", "nirgraph", "output"]
    assert alone.output_type["output"].tolist() == [3]
    after = nir.NIRGraph.from_list(nir.Affine(np.ones((2, 4)), np.zeros(2)), sub, nir.Scale(np.ones(3)))
    assert list(after.nodes) == ["input", "affine", "nirgraph", "scale", "output"]
    assert after.nodes["input"].shape.tolist() == [4]


def test_ports_are_dictionaries_a_converter_may_change() -> None:
    node = nir.Affine(np.ones((2, 3)), np.zeros(2))
    node.input_type["input"] = np.array([42])
    node.output_type["extra"] = np.array([7])
    assert node.input_type["input"].tolist() == [42] and node.output_type["extra"].tolist() == [7]
    inp = nir.Input(input_type=None)  # nirtorch's placeholder, filled in later
    inp.input_type = {"input": np.array([5])}
    assert inp.shape.tolist() == [5]


def test_to_dict_and_from_dict_round_trip_with_a_type_check_entry() -> None:
    graph = nir.NIRGraph.from_list(nir.Linear(np.ones((2, 2))), nir.Linear(np.ones((1, 1))), type_check=False)
    data = {**graph.to_dict(), "type_check": False}  # as the reference's read passes it
    again = nir.NIRGraph.from_dict(data)
    assert list(again.nodes) == list(graph.nodes) and again.edges == graph.edges


def test_write_takes_the_reference_compression_arguments() -> None:
    graph = nir.NIRGraph.from_list(nir.Linear(np.ones((64, 64), F32)))
    sizes = {}
    for args in ({}, {"compression": "gzip", "compression_opts": 9}, {"compression": 4}, {"compression": "lzf"}):
        stream = io.BytesIO()
        nir.write(stream, graph, **args)
        sizes[str(args)] = len(stream.getvalue())
        assert (
            nir.read(io.BytesIO(stream.getvalue())).nodes["linear"].weight.tolist()
            == graph.nodes["linear"].weight.tolist()
        )
    plain = io.BytesIO()
    nir.write(plain, graph, compression=None)
    assert all(size < len(plain.getvalue()) for size in sizes.values())  # every one of them compresses
    with pytest.raises(nir.NIRArgumentError, match="compression"):
        nir.write(io.BytesIO(), graph, compression="zip")


def test_module_layout_where_converters_import_from() -> None:
    from nir.ir.conv import Conv1d, Conv2d
    from nir.ir.graph import Input, NIRGraph, Output
    from nir.ir.neuron import LIF
    from nir.ir.typing import Edges, Nodes, Types
    from nir.ir.utils import calc_flatten_output, calculate_conv_output
    from nir.serialization import read, write

    assert (Conv1d, Conv2d, Input, NIRGraph, Output, LIF) == (
        nir.Conv1d,
        nir.Conv2d,
        nir.Input,
        nir.NIRGraph,
        nir.Output,
        nir.LIF,
    )
    assert (read, write) == (nir.read, nir.write) and nir.typing.Edges is Edges and Nodes and Types
    assert calculate_conv_output((10, 12), 1, 1, 3, (2, 1)).tolist() == [5, 12]
    assert calculate_conv_output(11, "same", 2, 4, 1).tolist() == [11]
    assert calc_flatten_output([2, 3, 4], 1, -1).tolist() == [2, 12]


# --- 2. where the reference raises, we raise ---------------------------------------------------------------------


def _raised(build_it: Any) -> Exception:
    with pytest.raises(nir.NIRError) as err:
        build_it()
    return err.value


@pytest.mark.parametrize(
    ("edges", "words", "code"),
    [
        ([("ghost", "output")], "does not exist", "unknown-node"),
        ([("input", "ghost")], "does not exist", "unknown-node"),
        ([("input", "w"), ("w", "output"), ("input", "w")], "Duplicate edge: ('input', 'w')", "duplicate-edge"),
    ],
)
def test_structure_errors_raise_a_value_error_in_the_reference_words(edges, words, code) -> None:
    nodes = {"input": nir.Input(np.array([2])), "w": nir.Linear(np.ones((2, 2))), "output": nir.Output(np.array([2]))}
    err = _raised(lambda: nir.NIRGraph(nodes=nodes, edges=edges))
    assert isinstance(err, ValueError) and isinstance(err, nir.NIRValidationError)
    text = str(err)
    assert words in text.splitlines()[0]  # the reference's words first
    assert f"[{code}]" in text and "/edges/" in text  # then our finding's code and path
    assert code in err.report.codes()


def test_a_type_mismatch_raises_in_the_reference_words_with_our_finding() -> None:
    err = _raised(
        lambda: nir.NIRGraph(
            nodes={
                "a": nir.Input(input_type=np.array([1, 5, 5])),
                "b": nir.Conv2d(None, np.ones((1, 1, 2, 2)), 1, 0, 1, 1, np.zeros(1)),
                "c": nir.Flatten(input_type=None, start_dim=0, end_dim=2),
                "d": nir.Output(output_type=np.array([16])),
            },
            edges=[("a", "b"), ("b", "c"), ("c", "b"), ("c", "d")],
        )
    )
    assert isinstance(err, ValueError)
    assert str(err).startswith("type mismatch: c.output: [16] -> b.input: [1 5 5]")
    assert "/edges/2: edge c -> b: c produces shape (16,) but b takes shape (1, 5, 5) [shape-mismatch]" in str(err)


def test_argument_errors_are_the_builtin_the_reference_raises() -> None:
    assert isinstance(_raised(lambda: nir.LIF(np.ones(2))), TypeError)  # missing arguments
    assert isinstance(_raised(lambda: nir.Input(np.array([2]), foo=1)), TypeError)  # unexpected argument
    assert isinstance(_raised(lambda: nir.NIRNode()), AttributeError)  # no default constructor
    assert isinstance(_raised(lambda: nir.NIRGraph.from_dict({"type": "Input"})), AssertionError)
    assert isinstance(_raised(lambda: nir.str2NIRNode("Foo")), AssertionError)
    assert isinstance(_raised(lambda: nir.Conv1d(3, np.ones((1, 1, 1)), 1, "full", 1, 1, np.ones(1))), ValueError)
    message = str(_raised(lambda: nir.Scale(scale="half")))
    assert message.startswith("Scale: scale:") and "tensor of numbers" in message


# --- 3. everything else is reported, not raised -------------------------------------------------------------------


REPORTED = {
    "negative r and delay": (
        lambda: nir.NIRGraph.from_list(nir.I(np.array([-1.0, 1.0])), nir.Delay(np.array([0.1, -0.2]))),
        {"out-of-range"},
    ),
    "tau of inf (beta = 1)": (
        lambda: nir.NIRGraph.from_list(nir.LI(np.array([np.inf]), np.ones(1), np.zeros(1))),
        {"non-finite"},
    ),
    "a bias that broadcasts": (
        lambda: nir.NIRGraph.from_list(nir.Affine(np.ones((3, 2)), np.zeros((1, 3)))),
        {"broadcast-parameter"},
    ),
    "an empty graph": (lambda: nir.NIRGraph(nodes={}, edges=[]), {"empty-graph"}),
    "a batch dimension": (
        lambda: nir.NIRGraph.from_list(nir.Input(np.array([1, 3])), nir.Linear(np.ones((2, 3)))),
        {"batch-dimension"},
    ),
    "a cycle no Input enters": (
        lambda: nir.NIRGraph(
            nodes={"a": nir.Linear(np.ones((2, 2))), "b": nir.Linear(np.ones((2, 2)))}, edges=[("a", "b"), ("b", "a")]
        ),
        {"cycle-without-entry"},
    ),
}


@pytest.mark.parametrize("case", list(REPORTED))
def test_other_findings_are_one_warning_and_errors_under_strict(case: str, tmp_path: Path) -> None:
    make, codes = REPORTED[case]
    with pytest.warns(nir.NIRWarning) as caught:
        graph = make()
    assert len(caught) == 1 and caught[0].message.report is graph.report
    assert codes <= set(graph.report.codes()), [str(f) for f in graph.report]
    assert set(nir.validate(graph).codes()) == set(graph.report.codes())
    if graph.report.ok:
        return
    path = tmp_path / "g.nir"
    with pytest.raises(nir.NIRValidationError):
        nir.write(path, graph, strict=True)
    assert not path.exists()  # nothing written under strict
    with pytest.warns(nir.NIRWarning):
        nir.write(path, graph)
    with pytest.warns(nir.NIRWarning):
        back = nir.read(path)  # what we write, our default read reads
    assert set(back.report.codes()) >= codes - {"empty-graph"} or case == "an empty graph"
    with pytest.raises(nir.NIRValidationError):
        nir.read(path, strict=True, warn_findings=False)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Findings expected: their NIRWarnings ignored."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", nir.NIRWarning)
        yield


def test_a_nested_graph_with_an_unconnected_output_is_written_and_read_with_a_warning(tmp_path: Path) -> None:
    sub = nir.NIRGraph(
        nodes={"i": nir.Input(np.array([2])), "o": nir.Output(np.array([2])), "x": nir.Output(np.array([2]))},
        edges=[("i", "o")],
        type_check=False,
    )
    graph = nir.NIRGraph(nodes={"sub": sub}, edges=[], type_check=False)  # as the reference builds it
    assert "output-unconnected" in nir.validate(graph).codes()
    with pytest.warns(nir.NIRWarning, match="output-unconnected"):
        nir.write(tmp_path / "g.nir", graph)
    with pytest.warns(nir.NIRWarning, match="output-unconnected"):
        back = nir.read(tmp_path / "g.nir")
    assert list(back.nodes["sub"].nodes) == ["i", "o", "x"]


def test_strict_construction_raises_for_any_error() -> None:
    with pytest.raises(nir.NIRValidationError, match="out-of-range"):
        nir.NIRGraph(
            nodes={"i": nir.Input(np.array([1])), "n": nir.I(np.array([-1.0])), "o": nir.Output(np.array([1]))},
            edges=[("i", "n"), ("n", "o")],
            strict=True,
        )


def test_the_command_line_keeps_its_exit_codes(tmp_path: Path) -> None:
    from nir.cli import main

    path = tmp_path / "g.nir"
    nir.write(path, nir.NIRGraph.from_list(nir.I(np.ones(2))))
    assert main(["validate", "--no-isolate", str(path)]) == 0
    with pytest.warns(nir.NIRWarning):
        bad = REPORTED["negative r and delay"][0]()
    nir.write(path, bad, warn_findings=False)
    assert main(["validate", "--no-isolate", str(path)]) == 1


# --- 4 and 6. what we write, both read back; every exception a NIRError (with the reference) ---------------------

RECIPES = [random_recipe(seed) for seed in range(300)]
RAISED_THERE = ("type mismatch", "does not exist", "Duplicate edge")


def _zero_d_or_batched(recipe: dict[str, Any]) -> bool:
    """Graphs the reference refuses for what this package accepts on purpose (0-d parameters, batch dimensions)."""
    for spec in recipe["chain"]:
        for value in spec["args"].values():
            if isinstance(value, dict) and value.get("shape") == []:
                return True
        if spec["type"] == "Input" and len(spec["args"]["shape"]) > len(recipe["input"]):
            return True
    return False


@pytest.fixture(scope="module")
def reference_builds(reference_python: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    folder = tmp_path_factory.mktemp("recipes")
    (folder / "recipes.json").write_text(json.dumps(RECIPES))
    out = run_reference(reference_python, "compat_ref.py", "build", str(folder / "recipes.json"), str(folder))
    assert out["version"] == "1.0.8"
    return folder, out["results"]


@pytest.mark.reference
def test_recipes_cover_both_outcomes_of_the_reference(reference_builds) -> None:
    _, results = reference_builds
    accepted = sum("summary" in r for r in results)
    assert 100 <= accepted <= len(RECIPES) - 30, accepted  # enough of both for the checks below to mean something


@pytest.mark.reference
def test_what_the_reference_builds_writes_and_reads_we_do_too(reference_builds, reference_python) -> None:
    folder, results = reference_builds
    ours, manifest = {}, []
    for index, (recipe, result) in enumerate(zip(RECIPES, results, strict=True)):
        try:
            with _quiet():
                graph = build(nir, recipe)
        except nir.NIRError as err:
            assert "summary" not in result, (index, recipe, err)  # the reference built it: so do we
            words = [w for w in RAISED_THERE if w in result.get("message", "")]
            if words and not _zero_d_or_batched(recipe):
                assert words[0] in str(err).splitlines()[0], (index, result["message"], str(err))
            continue
        if "summary" not in result:
            words = [w for w in RAISED_THERE if w in result["message"]]
            assert not words or _zero_d_or_batched(recipe), (index, recipe, result["message"])  # raised there: here too
            continue
        path = folder / f"ours-{index}.nir"
        with _quiet():
            nir.write(path, graph)
            ours[str(path)] = summarise(nir.read(path))  # ours reads what it wrote
            theirs = nir.read(folder / f"ref-{index}.nir")  # and what the reference wrote
        assert differences(result["summary"], summarise(theirs)) == [], index
        manifest.append(str(path))
    (folder / "ours.json").write_text(json.dumps(manifest))
    out = run_reference(reference_python, "compat_ref.py", "read", str(folder / "ours.json"))
    for path, result in zip(manifest, out["results"], strict=True):
        assert "error" not in result, (path, result)  # the reference reads what we wrote, type-checked
        assert differences(ours[path], result["summary"]) == [], path
