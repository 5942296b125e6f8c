"""Compatible both ways with the reference package nir 1.0.8 (issue #3, point 4).

(a) files the reference writes, for every unit in float32 and float64, a nested graph with
metadata and a recurrent graph, read here with the same values, bytes and dtypes as the
reference held in memory; (b) files written here, read by the reference, which must see what
we wrote. The reference runs in its own interpreter (it imports as `nir` too), two
subprocesses in all; both sides summarise graphs with the same code (store_summary.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest
from support.cases import nested_graph, recurrent_graph, valid_nodes
from support.store import chain, run_reference, with_dtype
from support.store_summary import differences, summarise

import nir
import nir.spec

pytestmark = pytest.mark.reference

KNOWN_TO_THE_REFERENCE = "1.0"
"""The spec version of nir 1.0.8: units added later (`x-nir-since`) are ones it cannot read or write."""
REFERENCE_UNITS = [
    name
    for name, unit in nir.spec.units().items()
    if unit.since == KNOWN_TO_THE_REFERENCE and unit.role is None and unit.kind != "graph"
] + ["Conv2d_pairs", "Conv2d_same"]
REFERENCE_FILES = [f"{u}_{d}.nir" for d in ("float32", "float64") for u in REFERENCE_UNITS] + [
    "nested.nir",
    "recurrent.nir",
]


# --- (a) written by the reference, read here -------------------------------------------


@pytest.fixture(scope="module")
def reference_written(reference_python: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("reference-written")
    out = run_reference(reference_python, "store_ref_write.py", str(folder))
    assert out["version"] == "1.0.8"
    assert sorted(out["graphs"]) == sorted(REFERENCE_FILES)
    return folder, out["graphs"]


@pytest.mark.parametrize("filename", REFERENCE_FILES)
def test_reference_file_reads_here_with_identical_values(reference_written: tuple[Path, dict], filename: str) -> None:
    folder, summaries = reference_written
    path = folder / filename
    assert nir.read_version(path) == "1.0.8"
    graph = nir.read(path)  # strict: the reference's graphs are valid here too
    assert graph.report.errors == []
    assert "migrated" not in graph.report.codes()  # 1.0.8 is the current layout
    assert differences(summaries[filename], summarise(graph)) == []


def test_reference_files_dtypes_survive(reference_written: tuple[Path, dict]) -> None:
    folder, _ = reference_written
    for dtype in (np.float32, np.float64):
        lif = nir.read(folder / f"LIF_{np.dtype(dtype).name}.nir").nodes["unit"]
        for field in ("tau", "r", "v_leak", "v_threshold", "v_reset"):
            assert getattr(lif, field).dtype == dtype, field
        assert lif.metadata["note"] == "reference LIF" and lif.metadata["gain"] == 2.5
        conv = nir.read(folder / f"Conv2d_{np.dtype(dtype).name}.nir").nodes["unit"]
        assert conv.weight.dtype == dtype and conv.bias.dtype == dtype
        assert list(conv.padding) == [1, 1]  # the reference writes an int padding as a pair


def test_reference_conv_padding_same_reads_here(reference_written: tuple[Path, dict]) -> None:
    # The reference's unused serialization.read_node would hand the stored bytes b"same" to
    # Conv2d, but its nir.read goes through hdf2dict, which decodes them: 1.0.8 does round-trip
    # padding "same", so the case is tested in both directions here (Conv2d_same, conv_same.nir).
    folder, _ = reference_written
    with h5py.File(folder / "Conv2d_same_float32.nir", "r") as f:
        assert f["node/nodes/unit/padding"][()] == b"same"  # a string dataset
    conv = nir.read(folder / "Conv2d_same_float32.nir").nodes["unit"]
    assert conv.padding == "same"
    assert conv.output_type["output"].tolist() == [4, 8, 8]


def test_reference_nested_graph_and_metadata(reference_written: tuple[Path, dict]) -> None:
    folder, _ = reference_written
    graph = nir.read(folder / "nested.nir")
    sub = graph.nodes["sub"]
    assert isinstance(sub, nir.NIRGraph)
    assert sub.metadata == {"role": "hidden"}
    assert sub.nodes["lif"].tau.dtype == np.float64
    assert graph.metadata["name"] == "nested" and graph.metadata["steps"] == 100
    assert graph.metadata["dt"] == 1e-4 and graph.metadata["flag"] is True
    assert graph.metadata["origin"] == {"framework": "reference", "seed": 7}
    assert graph.metadata["scale"].dtype == np.float32
    assert sub.input_type["input"].tolist() == [4]
    assert graph.nodes["linear"].input_type["input"].tolist() == [4]


# --- (b) written here, read by the reference -------------------------------------------


def _scalar_graph() -> nir.NIRGraph:
    """Input(3) -> LIF with 0-d parameters -> Scale(0-d) -> Output(3)."""
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(np.array([3])),
            "lif": nir.LIF(
                tau=np.float32(0.01),
                r=np.float32(1.0),
                v_leak=np.float32(0.0),
                v_threshold=np.float32(1.0),
                v_reset=np.float32(0.0),
            ),
            "scale": nir.Scale(scale=np.float64(2.0)),
            "output": nir.Output(np.array([3])),
        },
        edges=[("input", "lif"), ("lif", "scale"), ("scale", "output")],
    )


def _conv_same() -> nir.NIRGraph:
    conv = nir.Conv2d(
        input_shape=(8, 8),
        weight=np.arange(72, dtype=np.float32).reshape(4, 2, 3, 3),
        stride=1,
        padding="same",
        dilation=1,
        groups=1,
        bias=np.ones(4, np.float32),
    )
    return chain("Conv2d", conv)


def _ours() -> dict[str, tuple[nir.NIRGraph, bool]]:
    """filename -> (graph, whether the reference can type-check it on reading)."""
    out: dict[str, tuple[nir.NIRGraph, bool]] = {}
    for dtype in (np.float32, np.float64):
        for unit, node in valid_nodes().items():
            if nir.spec.unit(unit).since != KNOWN_TO_THE_REFERENCE:
                continue
            node = with_dtype(node, dtype)
            graph = node if unit == "NIRGraph" else chain(unit, node)
            out[f"{unit}_{np.dtype(dtype).name}.nir"] = (graph, True)
    # The reference 1.0.8 type check cannot follow dotted edges into a nested graph
    # ("sub.input"): it reports that node as missing. Read there with type_check=False.
    out["nested.nir"] = (nested_graph(), False)
    out["recurrent.nir"] = (recurrent_graph(), True)
    out["conv_same.nir"] = (_conv_same(), True)
    # 0-d scalar parameters: the reference can neither write them (h5py refuses compression
    # on scalar datasets) nor type-check them against a (3,) Input; ours writes them at the
    # shape the graph gives them, which it reads and type-checks.
    out["scalars.nir"] = (_scalar_graph(), True)
    return out


@pytest.fixture(scope="module")
def read_by_reference(reference_python: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("ours")
    manifest = {}
    expected = {}
    for filename, (graph, type_check) in _ours().items():
        path = folder / filename
        nir.write(path, graph)
        manifest[str(path)] = type_check
        expected[filename] = summarise(nir.read(path))  # both packages read the same values
    (folder / "manifest.json").write_text(json.dumps(manifest))
    out = run_reference(reference_python, "store_ref_read.py", str(folder / "manifest.json"))
    assert out["version"] == "1.0.8"
    return {Path(p).name: (r, expected[Path(p).name]) for p, r in out["results"].items()}


@pytest.mark.parametrize("filename", sorted(_ours()))
def test_our_file_reads_in_the_reference(read_by_reference: dict[str, Any], filename: str) -> None:
    result, expected = read_by_reference[filename]
    assert "error" not in result, result.get("error")
    assert differences(expected, result["summary"]) == []


def test_our_files_carry_float32_and_float64_to_the_reference(read_by_reference: dict[str, Any]) -> None:
    for dtype in ("<f4", "<f8"):
        name = "float32" if dtype == "<f4" else "float64"
        result, _ = read_by_reference[f"LIF_{name}.nir"]
        fields = result["summary"]["nodes"]["unit"]["fields"]
        assert {fields[f]["dtype"] for f in ("tau", "r", "v_leak", "v_threshold", "v_reset")} == {dtype}
        assert result["summary"]["nodes"]["unit"]["metadata"] == {"dict": {"note": {"str": "catalogue LIF"}}}


def test_reference_sees_our_nested_graph_and_metadata(read_by_reference: dict[str, Any]) -> None:
    result, _ = read_by_reference["nested.nir"]
    summary = result["summary"]
    assert summary["nodes"]["sub"]["type"] == "NIRGraph"
    assert sorted(summary["nodes"]["sub"]["nodes"]) == ["input", "lif", "output"]
    assert summary["edges"][1] == ["affine", "sub.input"]
    meta = summary["metadata"]["dict"]
    assert meta["name"] == {"str": "nested"}
    assert meta["origin"]["dict"]["params"]["dict"]["lr"]["dtype"] == "<f8"
    assert meta["scale"]["dtype"] == "<f4" and meta["counts"]["shape"] == [4]


def test_reference_sees_padding_same_and_scalars(read_by_reference: dict[str, Any]) -> None:
    conv, _ = read_by_reference["conv_same.nir"]
    assert conv["summary"]["nodes"]["unit"]["fields"]["padding"] == {"str": "same"}
    scalars, _ = read_by_reference["scalars.nir"]
    tau = scalars["summary"]["nodes"]["lif"]["fields"]["tau"]
    assert tau["shape"] == [3] and tau["dtype"] == "<f4"  # 0-d in memory, written at the graph's shape
