"""`nir validate PATH...`: text and JSON reports, exit codes, --strict, colour, bad input (issue #5)."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from support.cli import (
    ANSI,
    BAD_EXPECTED,
    CORPUS_NAMES,
    CORPUS_VERDICTS,
    EXAMPLE_FILES,
    EXAMPLES,
    NIR,
    base_env,
    parse_validate_text,
    run_many,
    run_nir,
    write_bad_files,
)

import nir
from nir.findings import CODES, SEVERITIES

VERDICT_WORDS = {0: "OK", 1: "INVALID", 2: "UNREADABLE"}


@pytest.fixture
def bad(tmp_path, corpus) -> dict[str, Path]:
    return write_bad_files(tmp_path / "bad", corpus)


def check_block(block: dict) -> None:
    """Every finding line carries a JSON-pointer-like path, a message and a known code."""
    for finding in block["findings"]:
        assert finding["code"] in CODES, finding
        assert finding["path"].startswith("/"), finding
        assert finding["message"].strip(), finding


# --- every real file -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CORPUS_NAMES)
def test_validate_each_corpus_file(corpus, name):
    path = corpus / name
    code, out, err = run_nir("validate", path)
    assert code == CORPUS_VERDICTS[name], out + err
    (block,) = parse_validate_text(out)
    assert block["path"] == str(path)
    assert block["verdict"] == VERDICT_WORDS[code]
    check_block(block)
    codes = [f["code"] for f in block["findings"]]
    # every corpus file predates spec 1.0, so each says it was upgraded
    assert "migrated" in codes
    if name == "braille_noDelay_noBias_subtract_subgraph.nir":
        typos = [f for f in block["findings"] if f["code"] == "unknown-node"]
        assert typos and all(f["severity"] == "error" for f in typos)
        assert all(f["path"].startswith("/nodes/lif1/edges/") for f in typos)
        assert all("'lif'" in f["message"] for f in typos)
        assert all(f["hint"] == "did you mean 'lif1'?" for f in typos)
        assert block["rest"].startswith(f" ({len(typos)} errors")
    if name == "lif_rockpool.nir":
        (warning,) = [f for f in block["findings"] if f["code"] == "batch-dimension"]
        assert warning["severity"] == "warning"
        assert warning["path"] == "/edges/1"
        assert "(1, 1, 1)" in warning["message"]
        assert "batch" in warning["hint"]
        assert block["rest"] == " (1 warning)"


def test_validate_folders_recursively(corpus, tmp_path):
    nested = tmp_path / "exports" / "a" / "b"
    nested.mkdir(parents=True)
    shutil.copy(corpus / "lif_norse.nir", nested / "deep.nir")
    shutil.copy(corpus / "cnn_sinabs.nir", tmp_path / "exports" / "top.NIR")
    (tmp_path / "exports" / "a" / "notes.txt").write_text("not a NIR file")
    (tmp_path / "exports" / "a" / "data.csv").write_text("1,2\n")

    code, out, err = run_nir("validate", corpus, tmp_path / "exports")
    blocks = parse_validate_text(out)
    paths = [b["path"] for b in blocks]
    # the corpus folder: every .nir file, sorted, and not the csv beside them
    assert paths[: len(CORPUS_NAMES)] == [str(corpus / n) for n in CORPUS_NAMES]
    assert not any(p.endswith((".csv", ".txt")) for p in paths)
    # the nested folder: found at every depth, the suffix matched without regard to case
    assert sorted(paths[len(CORPUS_NAMES) :]) == sorted(
        [str(nested / "deep.nir"), str(tmp_path / "exports" / "top.NIR")]
    )
    verdicts = {Path(b["path"]).name: b["verdict"] for b in blocks}
    assert verdicts["deep.nir"] == verdicts["top.NIR"] == "OK"
    assert verdicts["braille_noDelay_noBias_subtract_subgraph.nir"] == "INVALID"
    assert code == 1, out + err


def test_validate_examples_folder():
    code, out, _ = run_nir("validate", EXAMPLES)
    blocks = parse_validate_text(out)
    assert [b["path"] for b in blocks] == [str(p) for p in EXAMPLE_FILES]
    assert {Path(b["path"]).name: b["verdict"] for b in blocks} == {
        "broken.nir": "INVALID",
        "convnet.nir": "OK",
        "feedforward.nir": "OK",
        "recurrent.nir": "OK",
    }
    for block in blocks:
        check_block(block)
        if block["verdict"] == "OK":
            assert block["findings"] == [] and block["rest"] == ""
    assert code == 1


# --- broken input ----------------------------------------------------------------------------------


def test_validate_bad_files(bad):
    code, out, err = run_nir("validate", *bad.values())
    blocks = parse_validate_text(out)
    assert [b["path"] for b in blocks] == [str(p) for p in bad.values()]
    for kind, block in zip(bad, blocks, strict=True):
        verdict, _, finding_code = BAD_EXPECTED[kind]
        assert block["verdict"] == verdict, (kind, block)
        check_block(block)
        hits = [f for f in block["findings"] if f["code"] == finding_code]
        assert hits and hits[0]["severity"] == "error", (kind, block)
        if kind == "shape":
            assert hits[0]["path"] == "/edges/1"
            assert "(4,)" in hits[0]["message"] and "(5,)" in hits[0]["message"]
        if kind == "unknown_type":
            assert hits[0]["path"] == "/nodes/odd"
            assert "Frobnicator" in hits[0]["message"]
            assert "LIF" in hits[0]["hint"]
        if kind == "future":
            assert "9.0.0" in hits[0]["message"]
    assert code == 2, out + err


def test_validate_missing_path_and_empty_folder(tmp_path):
    missing = tmp_path / "no_such.nir"
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "readme.txt").write_text("nothing to see")
    good = EXAMPLES / "feedforward.nir"
    code, out, err = run_nir("validate", good, missing, tmp_path / "empty")
    assert code == 2
    blocks = parse_validate_text(out)
    assert [(b["path"], b["verdict"]) for b in blocks] == [(str(good), "OK"), (str(missing), "UNREADABLE")]
    assert blocks[1]["findings"][0]["code"] == "unreadable"
    assert "no such file" in blocks[1]["findings"][0]["message"]
    assert f"no *.nir or *.json files under {tmp_path / 'empty'}" in err


def test_validate_only_an_empty_folder(tmp_path):
    code, out, err = run_nir("validate", tmp_path)
    assert code == 2
    assert out == ""
    assert "no *.nir or *.json files under" in err


def test_mixed_runs_exit_with_the_worst_code(bad):
    # (valid + invalid exits 1: see test_no_colour_when_piped_and_colour_when_forced)
    good, broken = EXAMPLES / "feedforward.nir", EXAMPLES / "broken.nir"
    # an unreadable file listed first does not stop the files after it (and --debug changes nothing here)
    code, out, err = run_nir("--debug", "validate", bad["text"], good, broken)
    assert code == 2
    assert err == ""
    assert [b["verdict"] for b in parse_validate_text(out)] == ["UNREADABLE", "OK", "INVALID"]


# --- --strict ----------------------------------------------------------------------------------------


def test_strict_makes_warnings_fail(corpus):
    path = corpus / "lif_rockpool.nir"
    (code, out, _), (strict_code, strict_out, _) = run_many(
        [("validate", path), ("validate", "--strict", path, corpus / "lif_norse.nir")]
    )
    assert code == 0
    assert parse_validate_text(out)[0]["verdict"] == "OK"

    code, out = strict_code, strict_out
    assert code == 1
    blocks = parse_validate_text(out)
    assert [b["verdict"] for b in blocks] == ["INVALID", "OK"]  # lif_norse has no warning
    assert "batch-dimension" in [f["code"] for f in blocks[0]["findings"]]


# --- --format json ---------------------------------------------------------------------------------------


def test_json_report_of_a_whole_run(corpus, bad):
    paths = [corpus / n for n in CORPUS_NAMES] + [*bad.values(), EXAMPLES / "broken.nir"]
    code, out, _ = run_nir("validate", "--format", "json", *paths)
    doc = json.loads(out)  # one document for the run, nothing else on stdout
    assert set(doc) == {"summary", "files"}
    summary = doc["summary"]
    assert summary["files"] == len(paths) == len(doc["files"])
    expected = [CORPUS_VERDICTS[n] for n in CORPUS_NAMES] + [BAD_EXPECTED[k][1] for k in bad] + [1]
    assert summary["valid"] == expected.count(0)
    assert summary["invalid"] == expected.count(1)
    assert summary["unreadable"] == expected.count(2)
    assert summary["exit_code"] == code == 2
    assert summary["strict"] is False

    words = {0: "valid", 1: "invalid", 2: "unreadable"}
    for path, entry, want in zip(paths, doc["files"], expected, strict=True):
        assert entry["source"] == str(path)
        assert entry["verdict"] == words[want]
        assert entry["ok"] is (want == 0)
        findings = entry["findings"]
        assert entry["errors"] == sum(f["severity"] == "error" for f in findings)
        assert entry["warnings"] == sum(f["severity"] == "warning" for f in findings)
        for finding in findings:
            assert set(finding) == {"severity", "code", "path", "message", "hint"}
            assert finding["severity"] in SEVERITIES
            assert finding["code"] in CODES
            assert isinstance(finding["path"], str) and isinstance(finding["message"], str)
            assert finding["hint"] is None or isinstance(finding["hint"], str)

    subgraph = doc["files"][CORPUS_NAMES.index("braille_noDelay_noBias_subtract_subgraph.nir")]
    typo = next(f for f in subgraph["findings"] if f["code"] == "unknown-node")
    assert typo["path"] == "/nodes/lif1/edges/0" and typo["hint"] == "did you mean 'lif1'?"
    broken = doc["files"][-1]
    assert {"unknown-node", "shape-mismatch", "out-of-range"} <= {f["code"] for f in broken["findings"]}


def test_json_report_strict_and_all_valid(corpus):
    (code, out, _), valid_run = run_many(
        [
            ("validate", "--format", "json", "--strict", corpus / "lif_rockpool.nir"),
            ("validate", "--format", "json", "--color", "always", *EXAMPLE_FILES[1:]),
        ]
    )
    summary = json.loads(out)["summary"]
    assert summary == {
        "files": 1,
        "valid": 0,
        "invalid": 1,
        "unreadable": 0,
        "strict": True,
        "empty_folders": [],
        "exit_code": 1,
    }
    assert code == 1

    code, out, _ = valid_run
    assert ANSI not in out
    summary = json.loads(out)["summary"]
    assert summary["valid"] == summary["files"] == len(EXAMPLE_FILES) - 1
    assert summary["exit_code"] == code == 0


# --- colour ----------------------------------------------------------------------------------------------


def test_no_colour_when_piped_and_colour_when_forced():
    files = (EXAMPLES / "feedforward.nir", EXAMPLES / "broken.nir")
    (code, plain, _), (colour_code, coloured, _) = run_many(
        [("validate", *files), ("validate", "--color", "always", *files)]
    )
    assert code == colour_code == 1  # one valid and one invalid file
    assert [b["verdict"] for b in parse_validate_text(plain)] == ["OK", "INVALID"]
    assert ANSI not in plain
    assert "\x1b[31mINVALID\x1b[0m" in coloured
    assert "\x1b[32mOK\x1b[0m" in coloured
    assert "\x1b[31merror" in coloured
    # the same text once the colour codes are removed
    stripped = coloured
    for seq in ("\x1b[31m", "\x1b[32m", "\x1b[33m", "\x1b[2m", "\x1b[0m"):
        stripped = stripped.replace(seq, "")
    assert stripped == plain


def _run_on_tty(*args: object, env: dict[str, str]) -> tuple[int, str]:
    """Run `nir` with its stdout on a pseudo-terminal; (exit code, what it printed)."""
    leader, follower = pty.openpty()
    try:
        proc = subprocess.Popen(
            [str(NIR), *map(str, args)], stdout=follower, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # EIO once the child has closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        _, err = proc.communicate(timeout=60)
        assert b"Traceback" not in err, err
    finally:
        os.close(leader)
    return proc.returncode, b"".join(chunks).decode()


def test_colour_on_a_terminal_unless_no_color():
    broken = EXAMPLES / "broken.nir"
    code, out = _run_on_tty("validate", broken, env=base_env())
    assert code == 1
    assert "\x1b[31mINVALID" in out
    code, out = _run_on_tty("validate", broken, env=base_env(NO_COLOR="1"))
    assert code == 1
    assert "INVALID" in out and ANSI not in out


# --- progress bar ------------------------------------------------------------------------------------

#: One frame of the bar that `nir validate` redraws on stderr after each file (see nir.cli.style.Progress).
FRAME = re.compile(r"^\[(?P<filled>#*)(?P<empty>\.*)\] (?P<done>\d+)/(?P<total>\d+) (?P<label>.*)$")
PTY_TIMEOUT = 120


def _run_with_stderr_on_tty(*args: object) -> tuple[int, str, str]:
    """Run `nir` with stderr on a pseudo-terminal and stdout on a pipe; (exit code, stdout, stderr).

    Both are read with select() against a deadline, so a stuck child fails the test instead of hanging it.
    """
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [str(NIR), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=follower,
        stdin=subprocess.DEVNULL,
        env=base_env(),
    )
    os.close(follower)
    out, err = bytearray(), bytearray()
    sinks = {proc.stdout.fileno(): out, leader: err}
    deadline = time.monotonic() + PTY_TIMEOUT
    try:
        while sinks:
            left = deadline - time.monotonic()
            if left <= 0:
                pytest.fail(f"nir {args[0]} still running after {PTY_TIMEOUT} s; stderr so far: {bytes(err)!r}")
            ready, _, _ = select.select(list(sinks), [], [], left)
            for fd in ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:  # EIO: the child closed its side of the terminal
                    chunk = b""
                if chunk:
                    sinks[fd] += chunk
                else:
                    del sinks[fd]
        code = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        os.close(leader)
    return code, out.decode(), err.decode()


@pytest.fixture
def many_files(corpus, tmp_path) -> list[Path]:
    """At least 20 real files: the corpus and the bundled examples, copied three times."""
    originals = sorted(corpus.glob("*.nir")) + EXAMPLE_FILES
    files = []
    for copy in range(3):
        folder = tmp_path / f"copy{copy}"
        folder.mkdir()
        for original in originals:
            files.append(folder / original.name)
            shutil.copy(original, files[-1])
    assert len(files) >= 20
    return files


def test_progress_bar_on_a_terminal_only(many_files):
    total = len(many_files)
    tty_code, tty_out, tty_err = _run_with_stderr_on_tty("validate", *many_files)
    pipe_code, pipe_out, pipe_err = run_nir("validate", *many_files)
    # one corpus file and examples/broken.nir are invalid, so each run exits with 1
    assert tty_code == pipe_code == 1, tty_out + tty_err
    # the report on stdout is the same either way, one block per file in order
    assert tty_out == pipe_out
    assert [b["path"] for b in parse_validate_text(tty_out)] == [str(p) for p in many_files]
    # without a terminal: no bar at all
    assert pipe_err == ""
    assert "\r" not in pipe_out

    # on a terminal: the bar is redrawn with a carriage return after each file, then wiped
    assert "Traceback" not in tty_err
    pieces = tty_err.split("\r")
    # nothing but the bar on stderr: one frame per file, then the wipe
    assert pieces[0] == "" and len(pieces) == 1 + total + 2, f"no progress bar of {total} frames: {tty_err!r}"
    *frames, wipe, last = pieces[1:]
    assert wipe.strip() == "" and len(wipe) >= max(len(f) for f in frames), repr(wipe)
    assert last == ""  # the cursor is left at the start of the cleared line
    widths, filled = set(), []
    for done, (frame, path) in enumerate(zip(frames, many_files, strict=True), start=1):
        match = FRAME.match(frame)
        assert match, repr(frame)
        assert (int(match["done"]), int(match["total"])) == (done, total)
        label = match["label"].rstrip()
        assert label and str(path).endswith(label), (label, path)  # the tail of the file just checked
        widths.add(len(match["filled"]) + len(match["empty"]))
        filled.append(len(match["filled"]))
    assert len(widths) == 1  # a bar of constant width that fills up
    assert filled == sorted(filled) and filled[0] < filled[-1] == widths.pop()
    assert frames[-1].startswith("[") and f"] {total}/{total} " in frames[-1]


def test_no_progress_bar_on_a_terminal_for_few_files(many_files):
    code, out, err = _run_with_stderr_on_tty("validate", *many_files[:19])
    assert code == 1
    assert len(parse_validate_text(out)) == 19
    assert err == ""


# --- JSON documents, and known bugs ------------------------------------------------------------------


def test_json_documents_are_reported_under_their_path(tmp_path):
    """(Was a bug: reports of .json files named their source '<json>'.)"""
    doc = tmp_path / "model.json"
    nir.write_json(doc, nir.read(EXAMPLES / "feedforward.nir"))
    (code, out, _), (json_code, json_out, _) = run_many([("validate", doc), ("validate", "--format", "json", doc)])
    assert code == json_code == 0
    (block,) = parse_validate_text(out)
    assert (block["path"], block["verdict"]) == (str(doc), "OK")
    assert json.loads(json_out)["files"][0]["source"] == str(doc)


def test_json_report_of_a_run_that_found_no_file(tmp_path):
    code, out, err = run_nir("validate", "--format", "json", tmp_path)
    assert code == 2
    assert "no *.nir or *.json files" in err
    summary = json.loads(out)["summary"]
    assert (summary["files"], summary["exit_code"]) == (0, 2)


def test_deeply_nested_json_is_one_unreadable_file(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    good = EXAMPLES / "feedforward.nir"
    code, out, _ = run_nir("validate", good, deep)
    blocks = parse_validate_text(out)
    assert [(b["path"], b["verdict"]) for b in blocks] == [(str(good), "OK"), (str(deep), "UNREADABLE")]
    assert code == 2
