"""`nir.validate` returns a Report for any graph or path and never raises; NIRValidationError on construction."""

from __future__ import annotations

import json

import h5py
import numpy as np
import pytest
from support.graphs import F32, chain, graph, inp, lif, out, triples

import nir
from nir.findings import Finding, Report


def bad_graph() -> nir.NIRGraph:
    """Three errors and two warnings."""
    return graph(
        {"input": inp(3), "a": lif(3), "b": lif(4), "output": out(4), "loose": lif(3)},
        [("input", "a"), ("a", "b"), ("b", "output"), ("b", "nowhere"), ("input", "a")],
    )


BAD = [
    ("error", "unknown-node", "/edges/3"),
    ("error", "duplicate-edge", "/edges/4"),
    ("warning", "no-incoming-edge", "/nodes/loose"),
    ("error", "shape-mismatch", "/edges/1"),
]


def test_validate_returns_a_report_for_a_graph_with_errors():
    report = nir.validate(bad_graph())
    assert isinstance(report, Report)
    assert triples(report) == BAD
    assert not report.ok
    assert len(report) == len(BAD)
    assert all(isinstance(f, Finding) for f in report)
    assert [f.code for f in report] == report.codes()
    assert [f.path for f in report.errors] == ["/edges/3", "/edges/4", "/edges/1"]
    assert [f.path for f in report.warnings] == ["/nodes/loose"]


def test_report_of_a_clean_graph():
    report = nir.validate(chain(("input", inp(3)), ("a", lif(3)), ("output", out(3))))
    assert report.ok and len(report) == 0 and list(report) == []
    assert str(report) == "OK"
    assert report.to_dict() == {"source": None, "ok": True, "errors": 0, "warnings": 0, "findings": []}


def test_warnings_alone_leave_the_report_ok():
    g = graph({"input": inp(3), "a": lif(3), "output": out(3), "loose": lif(3)}, [("input", "a"), ("a", "output")])
    report = nir.validate(g)
    assert [f.severity for f in report] == ["warning"]
    assert report.ok


def test_report_text_is_readable():
    text = str(nir.validate(bad_graph()))
    lines = text.splitlines()
    assert lines[0] == "INVALID, 3 error(s), 1 warning(s)"
    for severity, code, path in BAD:
        assert any(f"{severity}: {path}:" in line and f"[{code}]" in line for line in lines), (code, text)
    assert "hint: did you mean" not in text or "'nowhere'" in text
    assert "Traceback" not in text


def test_report_text_shows_hints_and_the_source(tmp_path):
    path = tmp_path / "broken.nir"
    nir.write(path, bad_graph(), warn_findings=False)
    text = str(nir.validate(path))
    assert text.startswith(f"{path}: INVALID")
    assert "[unknown-node]" in text and "/edges/3" in text
    assert "    hint: known nodes:" in text


def test_report_to_dict_is_json_serialisable():
    data = nir.validate(bad_graph()).to_dict()
    assert set(data) == {"source", "ok", "errors", "warnings", "findings"}
    assert (data["ok"], data["errors"], data["warnings"]) == (False, 3, 1)
    again = json.loads(json.dumps(data))
    assert again == data
    assert [(f["severity"], f["code"], f["path"]) for f in again["findings"]] == BAD
    assert set(again["findings"][0]) == {"severity", "code", "path", "message", "hint"}


def test_report_of_a_file_names_its_source(tmp_path):
    path = tmp_path / "broken.nir"
    nir.write(path, bad_graph(), warn_findings=False)
    for target in (path, str(path)):
        report = nir.validate(target)
        assert report.source == str(path)
        assert triples(report) == BAD
        assert report.to_dict()["source"] == str(path)


def _non_hdf5(tmp_path):
    path = tmp_path / "text.nir"
    path.write_text("this is not HDF5\n")
    return path


def _empty(tmp_path):
    path = tmp_path / "empty.nir"
    path.write_bytes(b"")
    return path


def _folder(tmp_path):
    path = tmp_path / "folder.nir"
    path.mkdir()
    return path


def _hdf5_without_graph(tmp_path):
    path = tmp_path / "other.h5"
    with h5py.File(path, "w") as f:
        f["data"] = np.arange(3)
    return path


def _truncated(tmp_path):
    path = tmp_path / "truncated.nir"
    nir.write(path, chain(("input", inp(3)), ("a", lif(3)), ("output", out(3))))
    path.write_bytes(path.read_bytes()[:700])
    return path


def _bad_json(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{not json")
    return path


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (_non_hdf5, "not an HDF5 file"),
        (_empty, "not an HDF5 file"),
        (lambda tmp_path: tmp_path / "missing.nir", "no such file"),
        (_folder, "folder"),
        (_hdf5_without_graph, "no 'node' group"),
        (_truncated, ""),
        (_bad_json, "not JSON"),
        (lambda tmp_path: tmp_path / "missing.json", "cannot read"),
    ],
    ids=["not-hdf5", "empty", "missing", "folder", "no-graph", "truncated", "bad-json", "missing-json"],
)
def test_validate_never_raises_on_unreadable_paths(tmp_path, make, words):
    path = make(tmp_path)
    report = nir.validate(path)
    assert isinstance(report, Report)
    assert not report.ok
    assert [(f.severity, f.code, f.path) for f in report.errors] == [("error", "unreadable", "")]
    assert words in report.errors[0].message
    assert "unreadable" in str(report)


def test_validate_reports_a_newer_spec_version(tmp_path):
    path = tmp_path / "future.nir"
    with h5py.File(path, "w") as f:
        f["version"] = "99.0"
        f.create_group("node")
    assert triples(nir.validate(path)) == [("error", "unsupported-version", "")]


def _self_contradicting_file(tmp_path, suffix: str):
    """A graph whose Flatten declares a 2-d input yet flattens from dimension 4."""
    g = chain(
        ("input", inp(2, 3)),
        ("f", nir.Flatten(input_type=np.array([2, 3]), start_dim=4)),
        ("output", out(6)),
    )
    path = tmp_path / f"contradicting{suffix}"
    if suffix == ".json":
        nir.write_json(path, g, warn_findings=False)
    else:
        nir.write(path, g, warn_findings=False)
    return path


def test_self_contradicting_node_is_found_in_memory():
    g = chain(("input", inp(2, 3)), ("f", nir.Flatten(input_type=np.array([2, 3]), start_dim=4)), ("output", out(6)))
    assert triples(nir.validate(g)) == [("error", "invalid-parameter", "/nodes/f")]


@pytest.mark.parametrize("suffix", [".nir", ".json"])
def test_validate_never_raises_on_a_self_contradicting_node_in_a_file(tmp_path, suffix):
    path = _self_contradicting_file(tmp_path, suffix)
    report = nir.validate(path)
    assert triples(report) == [("error", "invalid-parameter", "/nodes/f")]


def test_lenient_read_of_a_self_contradicting_node_returns_the_graph(tmp_path):
    path = _self_contradicting_file(tmp_path, ".nir")
    g = nir.read(path, warn_findings=False)
    assert triples(g.report) == [("error", "invalid-parameter", "/nodes/f")]


# --- construction -----------------------------------------------------------------------------------


def test_construction_raises_validation_error_holding_every_finding():
    g = bad_graph()
    with pytest.raises(nir.NIRValidationError) as caught:
        nir.NIRGraph(nodes=g.nodes, edges=g.edges)
    err = caught.value
    assert isinstance(err, ValueError)
    assert isinstance(err.report, Report)
    assert triples(err.report) == BAD  # the warning is kept alongside the errors
    text = str(err)
    assert "3 errors" in text
    for severity, code, path in BAD:
        assert (f"{path}:" in text and f"[{code}]" in text) == (severity == "error")


def test_construction_with_warnings_only_does_not_raise():
    with pytest.warns(nir.NIRWarning, match="0 errors and 1 warning") as caught:
        g = nir.NIRGraph(
            nodes={"input": inp(1), "lif": lif(1), "output": out(1, 1, 1)},
            edges=[("input", "lif"), ("lif", "output")],
            strict=True,  # only errors raise
        )
    assert len(caught) == 1 and caught[0].filename == __file__  # shown once, at the caller's line
    assert g.report.codes() == nir.validate(g).codes() == ["batch-dimension"]


def test_check_types_raises_for_an_invalid_graph():
    g = bad_graph()
    with pytest.raises(nir.NIRValidationError) as caught:
        g.check_types()
    assert [f.code for f in caught.value.report.errors] == ["unknown-node", "duplicate-edge", "shape-mismatch"]
    assert chain(("input", inp(3)), ("a", lif(3)), ("output", out(3))).check_types() is True


def test_type_check_false_constructs_an_invalid_graph_without_raising():
    g = nir.NIRGraph(
        nodes={"input": inp(3), "w": nir.Linear(weight=np.ones((2, 5), F32))},
        edges=[("input", "w")],
        type_check=False,
    )
    assert not nir.validate(g).ok


def test_validating_a_read_graph_again_keeps_what_the_read_found(corpus, tmp_path):
    """A migration and a left-out node are facts about the graph: a later validation repeats them."""
    migrated = nir.read(corpus / "lif_norse.nir")
    assert "migrated" in nir.validate(migrated).codes()
    path = tmp_path / "unknown.nir"
    nir.write(path, nir.read(corpus / "lif_norse.nir"))
    with h5py.File(path, "r+") as f:
        (name,) = [n for n in f["node/nodes"] if n not in ("input", "output")][:1]
        del f[f"node/nodes/{name}/type"]
        f[f"node/nodes/{name}/type"] = "NoSuchUnit"
    graph = nir.read(path, warn_findings=False)
    assert name in graph.report.dropped[()]
    read = graph.report.read
    again = nir.validate(graph)
    assert not again.ok
    assert tuple(again.findings[: len(read)]) == read and again.read == read
    assert "invalid-node" in [f.code for f in read]
    document = json.loads(nir.to_json(nir.read(corpus / "lif_norse.nir")))
    document["graph"]["nodes"]["extra"] = {"type": "NoSuchUnit"}
    from_json = nir.from_json(json.dumps(document), warn_findings=False)
    assert "invalid-node" in nir.validate(from_json).codes()


def test_a_read_graph_is_analysed_once_per_node_and_a_changed_node_afresh(corpus):
    """A node's view is built once (by the read's checks) and reused until one of its fields changes."""
    from nir.shapes.rules import view

    for path in sorted(corpus.glob("*.nir")):
        graph = nir.read(path, warn_findings=False)
        leaves = [n for n in graph.nodes.values() if not isinstance(n, nir.NIRGraph)]
        assert all(view(n) is view(n) for n in leaves), path.name
        views = [view(n) for n in leaves]
        nir.validate(graph)
        assert all(view(n) is v for n, v in zip(leaves, views, strict=True)), path.name
    graph = nir.read(corpus / "cnn_sinabs.nir")
    assert nir.validate(graph).ok
    name = next(n for n, node in graph.nodes.items() if type(node).__name__ == "Conv2d")
    graph.nodes[name].bias = np.zeros(graph.nodes[name].bias.shape[0] + 1, graph.nodes[name].bias.dtype)
    assert not nir.validate(graph).ok  # the changed node is read again, not from when the file was read
