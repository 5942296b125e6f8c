"""`nir info FILE`: version, node table, edges, metadata and totals, checked against the files (issue #5)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import h5py
import numpy as np
import pytest
from support.cli import (
    CORPUS_NAMES,
    CORPUS_VERDICTS,
    EXAMPLE_FILES,
    EXAMPLES,
    NIR,
    base_env,
    expected_parameters,
    h5_edge_count,
    h5_nodes,
    h5_version,
    run_many,
    run_nir,
    write_bad_files,
)

import nir

#: Files whose text output is compared with the JSON output (one of each kind: old, nested, with metadata).
TEXT_CHECKED = {"cnn_sinabs.nir", "braille_noDelay_noBias_subtract_subgraph.nir", "recurrent.nir", "broken.nir"}
#: JSON output of `nir info` per file, kept for the tests of known facts.
INFO: dict[str, dict] = {}
FILES = [("corpus", n) for n in CORPUS_NAMES] + [("examples", p.name) for p in EXAMPLE_FILES]


def resolve(request, where: str, name: str) -> Path:
    folder = request.getfixturevalue("corpus") if where == "corpus" else EXAMPLES
    return folder / name


def expected_bytes(node: dict) -> int:
    """Bytes of a node's floating-point tensors, plus the v_reset an upgrade adds (same dtype as v_threshold)."""
    sets = node["datasets"]
    total = sum(int(np.prod(shape)) * dtype.itemsize for shape, dtype in sets.values() if dtype.kind == "f")
    if node["type"] in ("IF", "LIF", "CubaLIF") and "v_reset" not in sets:
        shape, dtype = sets["v_threshold"]
        total += int(np.prod(shape)) * dtype.itemsize
    return total


def fmt_shape(shape) -> str:
    if shape is None:
        return "?"
    if isinstance(shape, dict):
        return ", ".join(f"{k}:{fmt_shape(v)}" for k, v in shape.items())
    return "[" + ", ".join(str(x) for x in shape) + "]"


def check_text(text: str, info: dict) -> None:
    """The text output shows the same facts as the JSON output."""
    lines = text.splitlines()
    assert lines[0] == f"file:     {info['file']}"
    assert lines[1].startswith(f"version:  {info['version']} (layout {info['layout']}), ")
    assert lines[1].endswith("valid") if info["valid"] else "INVALID" in lines[1]
    assert lines[2] == "nodes:    " + ", ".join(f"{n} {t}" for t, n in info["counts"].items())
    header = lines.index("", 3) + 1
    assert re.split(r"\s{2,}", lines[header]) == ["name", "type", "input", "output", "params", "dtype"]
    rows = lines[header + 1 : header + 1 + len(info["nodes"])]
    for line, row in zip(rows, info["nodes"], strict=True):
        cells = re.split(r"\s{2,}", line)
        want = [row["name"], row["type"], fmt_shape(row["input"]), fmt_shape(row["output"]), f"{row['parameters']:,}"]
        assert cells == [*want, row["dtype"]] if row["dtype"] else cells == want, line
    start = lines.index(f"edges ({len(info['edges'])}):")
    assert lines[start + 1 : start + 1 + len(info["edges"])] == [f"  {a} -> {b}" for a, b in info["edges"]]
    if info["metadata"]:
        meta = lines.index("metadata:")
        assert lines[meta + 1 : meta + 1 + len(info["metadata"])] == [
            f"  {k}: {v}" for k, v in info["metadata"].items()
        ]
    else:
        assert "metadata:" not in lines
    totals = info["totals"]
    assert lines[-1].startswith(
        f"total: {totals['nodes']} nodes, {totals['edges']} edges, {totals['parameters']:,} parameters, "
    )


@pytest.mark.parametrize(("where", "name"), FILES, ids=[n for _, n in FILES])
def test_info_matches_the_file(request, where, name):
    path = resolve(request, where, name)
    with_text = name in TEXT_CHECKED
    calls = [("info", "--format", "json", path)] + [("info", path)] * with_text
    (code, out, err), *text_run = run_many(calls)
    valid = CORPUS_VERDICTS[name] == 0 if where == "corpus" else name != "broken.nir"
    assert code == (0 if valid else 1), err  # as `nir validate`: an invalid file is described, exit 1
    info = INFO[name] = json.loads(out)
    nodes = h5_nodes(path)

    assert info["file"] == str(path)
    assert info["version"] == h5_version(path)
    assert info["valid"] is valid
    assert info["counts"] == dict(Counter(n["type"] for n in nodes.values()))
    assert sorted(r["name"] for r in info["nodes"]) == sorted(nodes)
    for row in info["nodes"]:
        node = nodes[row["name"]]
        assert row["type"] == node["type"]
        floats = sorted({str(dtype) for _, dtype in node["datasets"].values() if dtype.kind == "f"})
        if node["type"] == "NIRGraph":
            assert (row["parameters"], row["bytes"], row["dtype"]) == (0, 0, "")
            continue
        assert row["parameters"] == expected_parameters(node), row
        assert row["bytes"] == expected_bytes(node), row
        assert row["dtype"] == ",".join(floats), row
        if node["type"] in ("Input", "Output"):
            shape = [int(x) for x in h5py_read(path, row["name"], "shape")]
            assert row["input"] == row["output"] == shape
    rows = {r["name"]: r for r in info["nodes"]}
    if info["valid"] and not info["warnings"]:
        # shapes meet on every edge between two leaf nodes
        for src, dst in info["edges"]:
            if rows[src]["type"] != "NIRGraph" and rows[dst]["type"] != "NIRGraph":
                assert rows[src]["output"] == rows[dst]["input"], (src, dst)
    assert len(info["edges"]) == h5_edge_count(path)
    totals = info["totals"]
    assert totals["nodes"] == len(nodes)
    assert totals["edges"] == len(info["edges"])
    assert totals["parameters"] == sum(expected_parameters(n) for n in nodes.values() if n["type"] != "NIRGraph")
    assert totals["bytes"] == sum(expected_bytes(n) for n in nodes.values() if n["type"] != "NIRGraph")
    metadata = nir.read(path, warn_findings=False).metadata
    assert info["metadata"] == json.loads(json.dumps({k: np.asarray(v).tolist() for k, v in metadata.items()}))
    if with_text:
        ((text_code, text, _),) = text_run
        assert text_code == code
        check_text(text, info)
        if name == "broken.nir":
            status = "version:  1.0 (layout 1.0), INVALID (4 errors; run `nir validate` for details)"
            assert text.splitlines()[1] == status


def h5py_read(path: Path, dotted: str, field: str):
    with h5py.File(path, "r") as f:
        group = f["node"]
        for part in dotted.split("."):
            group = group["nodes"][part]
        return group[field][()]


def test_info_known_facts_of_cnn_sinabs(corpus):
    if "cnn_sinabs.nir" in INFO:  # already run by test_info_matches_the_file
        info = INFO["cnn_sinabs.nir"]
    else:
        code, out, _ = run_nir("info", "--format", "json", corpus / "cnn_sinabs.nir")
        assert code == 0
        info = json.loads(out)
    assert (info["version"], info["layout"], info["valid"]) == ("0.2.0", "0.2", True)
    assert info["totals"]["nodes"] == len(info["nodes"]) == 15
    assert info["counts"] == {
        "Affine": 2,
        "Conv2d": 3,
        "Flatten": 1,
        "IF": 5,
        "Input": 1,
        "Output": 1,
        "SumPool2d": 2,
    }
    rows = {r["name"]: r for r in info["nodes"]}
    assert (rows["0"]["type"], rows["0"]["input"], rows["0"]["output"]) == ("Conv2d", [2, 34, 34], [16, 16, 16])
    assert (rows["8"]["type"], rows["8"]["input"], rows["8"]["output"]) == ("Flatten", [8, 4, 4], [128])
    assert rows["0"]["parameters"] == 16 * 2 * 5 * 5 + 16
    assert rows["output"]["input"] == [10]
    # rows follow the data from the Input
    assert [r["name"] for r in info["nodes"]] == ["input", *map(str, range(13)), "output"]
    assert info["totals"]["edges"] == 14
    # 57,830 values stored in the file, plus the v_reset (one per r value) the 0.2 -> 1.0 upgrade adds to the IFs
    assert info["totals"]["parameters"] == 57_830 + (4096 + 4096 + 512 + 256 + 10) == 66_800
    assert info["totals"]["bytes"] == 66_800 * 4


def test_info_of_a_json_document(corpus, tmp_path):
    doc = tmp_path / "cnn.json"
    nir.write_json(doc, nir.read(corpus / "cnn_sinabs.nir"))
    code, out, _ = run_nir("info", "--format", "json", doc)
    assert code == 0
    info = json.loads(out)
    assert info["file"] == str(doc)
    assert info["version"] == "1.0"
    assert info["totals"]["nodes"] == 15
    assert info["totals"]["parameters"] == 66_800


def test_info_of_unreadable_files(tmp_path, corpus):
    bad = write_bad_files(tmp_path, corpus)
    kinds = ["truncated", "future"]
    results = run_many([("info", bad[k]) for k in kinds] + [("info", tmp_path / "missing.nir")])
    for kind, (code, out, err) in zip([*kinds, "missing"], results, strict=True):
        assert code == 2, (kind, out, err)
        assert out == ""
        assert err.startswith("nir: ") and err.count("\n") == 1, (kind, err)
    assert "truncated file" in results[0][2]  # the parser names the damage: the superblock says more bytes
    assert "9.0.0" in results[1][2]
    assert "no such file" in results[2][2]


def test_info_exit_codes(tmp_path):
    """0 for a valid file, 1 for an invalid one (still described), 2 for one that cannot be read."""
    not_hdf5 = tmp_path / "text.nir"
    not_hdf5.write_text("this is not HDF5\n")
    good, broken = EXAMPLES / "feedforward.nir", EXAMPLES / "broken.nir"
    calls = [(fmt, path) for path in (good, broken, not_hdf5) for fmt in ("text", "json")]
    results = run_many([("info", "--format", fmt, path) for fmt, path in calls])
    for (fmt, path), (code, out, err) in zip(calls, results, strict=True):
        if path == good:
            assert (code, err) == (0, ""), (fmt, out, err)
        elif path == broken:
            assert (code, err) == (1, ""), (fmt, out, err)
        else:
            assert code == 2, (fmt, out, err)
            assert out == ""
            assert err.startswith(f"nir: {not_hdf5}: not an HDF5 file") and err.count("\n") == 1, err
    (_, good_text, _), (_, good_json, _), (_, broken_text, _), (_, broken_json, _) = results[:4]
    assert good_text.splitlines()[1] == "version:  1.0 (layout 1.0), valid"
    assert json.loads(good_json)["valid"] is True
    assert "INVALID (4 errors; run `nir validate` for details)" in broken_text.splitlines()[1]
    assert (json.loads(broken_json)["valid"], json.loads(broken_json)["errors"]) == (False, 4)
    # the same verdict as `nir validate` gives the same files
    validate_codes = [code for code, _, _ in run_many([("validate", path) for path in (good, broken, not_hdf5)])]
    assert validate_codes == [results[0][0], results[2][0], results[4][0]] == [0, 1, 2]


# --- a large tensor is described from its header -------------------------------------------------------

ROWS, COLS = 4096, 2048


def _affine_file(path: Path, rows: int, cols: int) -> None:
    weight = np.ones((rows, cols), np.float32)  # compresses well: quick to write, 32 MiB once read
    graph = nir.NIRGraph.from_list(
        nir.Input(np.array([cols])),
        nir.Affine(weight=weight, bias=np.zeros(rows, np.float32)),
        nir.Output(np.array([rows])),
    )
    nir.write(path, graph)


@pytest.fixture(scope="module")
def large_files(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("large")
    _affine_file(folder / "large.nir", ROWS, COLS)
    _affine_file(folder / "small.nir", 4, 2)
    return folder / "large.nir", folder / "small.nir"


def test_info_of_a_large_weight(large_files):
    large, _ = large_files
    (code, out, _), (_, text, _) = run_many([("info", "--format", "json", large), ("info", large)])
    assert code == 0
    info = json.loads(out)
    params = ROWS * COLS + ROWS
    affine = next(r for r in info["nodes"] if r["type"] == "Affine")
    assert (affine["input"], affine["output"]) == ([COLS], [ROWS])
    assert (affine["parameters"], affine["bytes"], affine["dtype"]) == (params, params * 4, "float32")
    assert info["totals"]["parameters"] == params
    assert info["totals"]["bytes"] == params * 4
    assert text.splitlines()[-1] == f"total: 3 nodes, 2 edges, {params:,} parameters, 32.0 MiB"


def _peak_rss_kib(*args: object) -> int:
    done = subprocess.run(
        ["/usr/bin/time", "-v", str(NIR), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        env=base_env(),
    )
    assert done.returncode == 0, done.stderr
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    assert match, done.stderr
    return int(match.group(1))


@pytest.mark.skipif(not Path("/usr/bin/time").exists(), reason="/usr/bin/time (GNU time) is not installed")
def test_info_does_not_read_a_large_weight(large_files):
    large, small = large_files
    probe = subprocess.run(["/usr/bin/time", "-v", "true"], capture_output=True, text=True)
    if "Maximum resident set size" not in probe.stderr:
        pytest.skip("/usr/bin/time is not GNU time (no -v peak memory report)")
    weight_kib = ROWS * COLS * 4 // 1024  # 32 MiB
    large_rss = _peak_rss_kib("info", "--format", "json", large)
    small_rss = _peak_rss_kib("info", "--format", "json", small)
    assert large_rss - small_rss < weight_kib // 2, (large_rss, small_rss)


@pytest.mark.skipif(shutil.which("head") is None, reason="needs the `head` program")
def test_info_output_cut_short_by_a_pipe(tmp_path):
    """`nir info FILE | head -1` closes the pipe while nir still writes (the output exceeds a pipe buffer)."""
    many = tmp_path / "many.nir"
    scales = [nir.Scale(np.ones(1, np.float32)) for _ in range(400)]
    nir.write(many, nir.NIRGraph.from_list(nir.Input(np.array([1])), *scales, nir.Output(np.array([1]))))
    done = subprocess.run(
        f"'{NIR}' info --format json '{many}' | head -1; echo \"status ${{PIPESTATUS[0]}}\"",
        shell=True,
        executable="/bin/bash",
        capture_output=True,
        text=True,
        timeout=60,
        env=base_env(),
    )
    assert done.stdout == "{\nstatus 0\n"
    assert done.stderr == ""
