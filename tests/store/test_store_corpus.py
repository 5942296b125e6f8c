"""The real files of the NIR paper (../shared/corpus) load, and say precisely what is wrong
with the imperfect ones (issue #3, point 3)."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pytest

import nir

SUBGRAPH = "braille_noDelay_noBias_subtract_subgraph.nir"
CLEAN = ["cnn_sinabs.nir", "braille_noDelay_noBias_subtract.nir", "lif_norse.nir"]
NAMES = sorted([*CLEAN, SUBGRAPH, "lif_rockpool.nir"])


def _all_nodes(graph: nir.NIRGraph, prefix: str = ""):
    for name, node in graph.nodes.items():
        yield prefix + name, node
        if isinstance(node, nir.NIRGraph):
            yield from _all_nodes(node, f"{prefix}{name}.")


def test_the_corpus_is_complete(corpus: Path) -> None:
    assert sorted(p.name for p in corpus.glob("*.nir")) == sorted([*CLEAN, SUBGRAPH, "lif_rockpool.nir"])


@pytest.mark.parametrize("name", NAMES)
def test_every_corpus_file_loads_leniently(corpus: Path, name: str) -> None:
    graph = nir.read(corpus / name, warn_findings=False)
    assert isinstance(graph, nir.NIRGraph)
    assert graph.nodes
    assert "unreadable" not in graph.report.codes()
    assert graph.report.codes().count("migrated") == 1  # every corpus file predates 1.0
    assert nir.read_version(corpus / name) in ("0.1.1", "0.2.0")


@pytest.mark.parametrize("name", NAMES)
def test_every_corpus_graph_has_every_shape_inferred(corpus: Path, name: str) -> None:
    graph = nir.read(corpus / name, warn_findings=False)
    for key, node in _all_nodes(graph):
        if isinstance(node, nir.NIRGraph):
            continue
        assert node.input_type["input"] is not None, key
        assert node.output_type["output"] is not None, key


@pytest.mark.parametrize("name", NAMES)
def test_corpus_arrays_are_read_bit_identical(corpus: Path, name: str) -> None:
    graph = nir.read(corpus / name, warn_findings=False)
    nodes = dict(_all_nodes(graph))
    checked = 0
    with h5py.File(corpus / name, "r") as f:

        def visit(path: str, obj: object) -> None:
            nonlocal checked
            if not isinstance(obj, h5py.Dataset) or obj.dtype.kind not in "fiu":
                return
            parts = path.split("/")  # node/nodes/<a>/nodes/<b>/<field>
            if len(parts) < 4 or parts[-2] == "metadata":
                return
            key = ".".join(parts[2:-1:2])
            field = parts[-1]
            stored = obj[()]
            value = nodes[key].to_dict()[field]
            value = np.asarray(value)
            assert value.dtype == stored.dtype, (key, field)
            assert value.shape == stored.shape or value.size == stored.size == 1, (key, field)
            assert value.tobytes() == stored.tobytes(), (key, field)
            checked += 1

        f.visititems(visit)
    assert checked >= 5


def test_subgraph_file_is_refused_when_strict(corpus: Path) -> None:
    with pytest.raises(nir.NIRValidationError) as info:
        nir.read(corpus / SUBGRAPH, strict=True)
    assert isinstance(info.value, ValueError)
    message = str(info.value)
    assert SUBGRAPH in message
    assert "'lif'" in message
    assert "[unknown-node]" in message
    assert "/nodes/lif1/edges/0" in message  # the edge, by its place in the nested graph
    assert "4 errors" in message
    assert info.value.report.codes().count("unknown-node") == 4


def test_subgraph_file_read_leniently_reports_exactly_what_is_wrong(corpus: Path) -> None:
    graph = nir.read(corpus / SUBGRAPH, warn_findings=False)
    report = graph.report
    assert not report.ok
    assert sorted(report.codes()) == sorted(["migrated", "no-incoming-edge", *["unknown-node"] * 4])

    unknown = [f for f in report if f.code == "unknown-node"]
    assert len(report.errors) == 4 and report.errors == unknown
    for finding in unknown:
        assert finding.severity == "error"
        assert "'lif'" in finding.message
        assert finding.hint == "did you mean 'lif1'?"
        assert finding.path.startswith("/nodes/lif1/edges/")
    assert sorted(f.path for f in unknown) == [f"/nodes/lif1/edges/{i}" for i in range(4)]

    (warning,) = report.warnings
    assert warning.code == "no-incoming-edge"
    assert warning.path == "/nodes/lif1/nodes/lif1"
    (info,) = [f for f in report if f.severity == "info"]
    assert info.code == "migrated"

    # the rest of the graph is there, shapes included
    assert sorted(graph.nodes) == ["fc1", "fc2", "input", "lif1", "lif2", "output"]
    sub = graph.nodes["lif1"]
    assert isinstance(sub, nir.NIRGraph)
    assert sorted(sub.nodes) == ["input", "lif1", "lin", "output"]
    assert sub.nodes["lif1"].input_type["input"].tolist() == [40]
    assert graph.nodes["lif2"].output_type["output"].tolist() == [7]


def test_subgraph_file_loads_without_type_check(corpus: Path) -> None:
    # type_check=False skips the shape and edge checks, so nothing raises even when strict
    graph = nir.read(corpus / SUBGRAPH, type_check=False)
    assert graph.report.codes() == ["migrated"]
    assert sorted(graph.nodes) == ["fc1", "fc2", "input", "lif1", "lif2", "output"]
    assert ("lif", "lin") in graph.nodes["lif1"].edges  # the bad edge is kept as written
    # no inference ran: pooling shapes stay open without type checking
    cnn = nir.read(corpus / "cnn_sinabs.nir", type_check=False)
    assert cnn.report.codes() == ["migrated"]
    assert cnn.nodes["4"].input_type["input"] is None
    assert nir.read(corpus / "cnn_sinabs.nir").nodes["4"].input_type["input"].tolist() == [16, 16, 16]


def test_lif_rockpool_has_one_batch_dimension_warning(corpus: Path) -> None:
    with pytest.warns(nir.NIRWarning, match="batch-dimension"):
        graph = nir.read(corpus / "lif_rockpool.nir", strict=True)  # strict: warnings do not raise
    report = graph.report
    assert report.ok
    assert sorted(report.codes()) == ["batch-dimension", "migrated"]
    (warning,) = report.warnings
    assert warning.code == "batch-dimension"
    assert "(1, 1, 1)" in warning.message
    assert graph.nodes["output"].shape.tolist() == [1, 1, 1]


@pytest.mark.parametrize("name", CLEAN)
def test_clean_corpus_files_read_strictly_without_warnings(corpus: Path, name: str) -> None:
    graph = nir.read(corpus / name)
    assert graph.report.errors == []
    assert graph.report.warnings == []
    assert graph.report.codes() == ["migrated"]


def test_cnn_sinabs_shapes(corpus: Path) -> None:
    graph = nir.read(corpus / "cnn_sinabs.nir")
    ports = {k: (n.input_type["input"].tolist(), n.output_type["output"].tolist()) for k, n in graph.nodes.items()}
    assert ports["0"] == ([2, 34, 34], [16, 16, 16])
    assert ports["4"] == ([16, 16, 16], [16, 8, 8])
    assert ports["7"] == ([8, 8, 8], [8, 4, 4])
    assert ports["8"] == ([8, 4, 4], [128])
    assert ports["9"] == ([128], [256])
    assert ports["12"] == ([10], [10])
    for key in ("1", "3", "6", "10", "12"):
        node = graph.nodes[key]
        assert type(node).__name__ == "IF"
        assert node.v_reset.dtype == np.float32 and node.v_reset.shape == node.v_threshold.shape
        assert not node.v_reset.any()


def test_braille_shapes_and_dotted_names(corpus: Path) -> None:
    graph = nir.read(corpus / "braille_noDelay_noBias_subtract.nir")
    assert "lif1.lif" in graph.nodes and "lif1.w_rec" in graph.nodes
    assert graph.nodes["lif1.lif"].input_type["input"].tolist() == [40]
    assert graph.nodes["lif1.lif"].output_type["output"].tolist() == [40]
    assert graph.nodes["lif2"].input_type["input"].tolist() == [7]
    assert ("lif1.w_rec", "lif1.lif") in graph.edges
    cuba = graph.nodes["lif1.lif"]
    assert cuba.v_reset.dtype == np.float64 and cuba.v_reset.shape == (40,)


def test_lif_norse_values(corpus: Path) -> None:
    graph = nir.read(corpus / "lif_norse.nir")
    lif = graph.nodes["1"]
    assert type(lif).__name__ == "LIF"
    assert lif.tau.dtype == np.float32 and lif.tau.tolist() == [np.float32(0.0025)]
    assert lif.tau[0] == np.float32(0.0025)
    assert lif.v_threshold.dtype == np.float32 and lif.v_threshold[0] == np.float32(0.1)
    assert lif.v_reset.dtype == np.float32 and lif.v_reset.shape == (1,) and lif.v_reset[0] == 0
    assert graph.nodes["0"].weight.dtype == np.float32 and graph.nodes["0"].weight.tolist() == [[1.0]]
    assert graph.edges == [("input", "0"), ("0", "1"), ("1", "output")]


@pytest.mark.parametrize("name", NAMES)
def test_validate_on_corpus_files_agrees_with_lenient_read(corpus: Path, name: str) -> None:
    report = nir.validate(corpus / name)
    assert sorted(report.codes()) == sorted(nir.read(corpus / name, warn_findings=False).report.codes())
    assert report.ok == (name != SUBGRAPH)
