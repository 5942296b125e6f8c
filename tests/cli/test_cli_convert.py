"""`nir convert IN OUT`: .nir <-> .json round trips, upgrades, and never losing the input (issue #5)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import h5py
import numpy as np
import pytest
from jsonschema import Draft202012Validator
from support.cli import EXAMPLES, VALID_CORPUS, h5_nodes, h5_version, run_many, run_nir

import nir
import nir.cli
from nir.spec import bundled


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_same_values(a, b, where: str = "") -> None:
    """Two node dictionaries (`to_dict()`) hold the same values, arrays bit for bit with their dtype."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), (where, sorted(a), sorted(b))
        for key in a:
            assert_same_values(a[key], b[key], f"{where}/{key}")
    elif isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray), where
        assert (a.dtype, a.shape) == (b.dtype, b.shape), (where, a.dtype, b.dtype, a.shape, b.shape)
        assert a.tobytes() == b.tobytes(), where
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same_values(x, y, f"{where}/{i}")
    else:
        assert a == b, (where, a, b)


def test_round_trip_of_every_valid_corpus_file(corpus, tmp_path):
    sources = [corpus / name for name in VALID_CORPUS]
    docs = [tmp_path / f"{p.stem}.json" for p in sources]
    backs = [tmp_path / f"{p.stem}.nir" for p in sources]
    first = run_many([("convert", src, doc) for src, doc in zip(sources, docs, strict=True)])
    second = run_many([("convert", doc, back) for doc, back in zip(docs, backs, strict=True)])
    schema = Draft202012Validator(bundled("1.0"))
    for src, doc, back, one, two in zip(sources, docs, backs, first, second, strict=True):
        assert one[0] == 0 and two[0] == 0, (src.name, one, two)
        assert one[1].strip() == f"{src} -> {doc}"
        text = json.loads(doc.read_text("utf-8"))
        assert text["version"] == "1.0"
        if doc.stat().st_size < 100_000:  # jsonschema is slow on large arrays: skip the CNN
            assert list(schema.iter_errors(text)) == [], src.name
        original, final = nir.read(src, warn_findings=False), nir.read(back, warn_findings=False)
        assert final.equals(original), src.name
        assert_same_values(original.to_dict(), final.to_dict(), src.name)
        # old files come out upgraded: spec 1.0, and every spiking node has v_reset
        assert h5_version(back) == "1.0"
        for name, node in h5_nodes(back).items():
            if node["type"] in ("IF", "LIF", "CubaLIF"):
                shape, dtype = node["datasets"]["v_reset"]
                assert shape == node["datasets"]["v_threshold"][0], name
                assert dtype == node["datasets"]["v_threshold"][1], name


def test_input_is_not_overwritten_without_in_place(corpus, tmp_path):
    path = tmp_path / "old.nir"
    shutil.copy(corpus / "cnn_sinabs.nir", path)
    before = digest(path)
    results = run_many([("convert", path, path), ("convert", path, tmp_path / "." / "old.nir")])
    for code, out, err in results:
        assert code == 2, out + err
        assert "--in-place" in err
    assert digest(path) == before

    code, out, err = run_nir("convert", path, path, "--in-place")
    assert code == 0, err
    assert out.strip() == f"{path} -> {path}"
    assert h5_version(path) == "1.0"  # upgraded from 0.2.0: every IF now has v_reset = 0
    with h5py.File(path, "r") as f:
        for name, node in f["node/nodes"].items():
            if node["type"][()] == b"IF":
                assert node["v_reset"].shape == node["v_threshold"].shape, name
                assert not node["v_reset"][()].any(), name
    assert_same_values(nir.read(corpus / "cnn_sinabs.nir").to_dict(), nir.read(path).to_dict())
    assert [p.name for p in tmp_path.iterdir()] == ["old.nir"]  # no temporary file left behind


def test_existing_output_needs_force(tmp_path):
    source = EXAMPLES / "feedforward.nir"
    target = tmp_path / "existing.nir"
    shutil.copy(EXAMPLES / "convnet.nir", target)
    before = digest(target)
    code, out, err = run_nir("convert", source, target)
    assert code == 2
    assert "--force" in err and str(target) in err
    assert digest(target) == before

    code, out, err = run_nir("convert", source, target, "--force")
    assert code == 0, err
    assert out.strip() == f"{source} -> {target}"
    assert nir.read(target).equals(nir.read(source))


def test_invalid_input_is_refused_unless_allowed(corpus, tmp_path):
    source = corpus / "braille_noDelay_noBias_subtract_subgraph.nir"
    refused, allowed = tmp_path / "refused.json", tmp_path / "allowed.json"
    (code, out, err), (allowed_code, _, allowed_err) = run_many(
        [("convert", source, refused), ("convert", source, allowed, "--allow-invalid")]
    )
    assert code == 1
    assert out == ""
    assert "--allow-invalid" in err
    assert "unknown-node" in err and "did you mean 'lif1'?" in err
    assert not refused.exists()
    assert allowed_code == 0, allowed_err
    doc = json.loads(allowed.read_text("utf-8"))
    assert doc["version"] == "1.0"
    assert set(doc["graph"]["nodes"]) == {"input", "fc1", "lif1", "fc2", "lif2", "output"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["allowed.json"]


@pytest.mark.parametrize(("source", "target"), [("model.nir", "model.txt"), ("model.onnx", "model.json")])
def test_unknown_extensions(tmp_path, capsys, source, target):
    shutil.copy(EXAMPLES / "feedforward.nir", tmp_path / source)
    assert nir.cli.main(["convert", str(tmp_path / source), str(tmp_path / target)]) == 2
    err = capsys.readouterr().err
    unknown = target if target.endswith(".txt") else source
    assert "unknown extension" in err and unknown in err
    assert sorted(p.name for p in tmp_path.iterdir()) == [source]


def test_unreadable_or_missing_input(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("garbage")
    results = run_many(
        [("convert", bad, tmp_path / "out.nir"), ("convert", tmp_path / "missing.nir", tmp_path / "out.json")]
    )
    for code, out, err in results:
        assert code == 2
        assert out == "" and err.startswith("nir: ")
    assert "not JSON" in results[0][2]
    assert "no such file" in results[1][2]
    assert [p.name for p in tmp_path.iterdir()] == ["bad.json"]
