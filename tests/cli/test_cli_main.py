"""The `nir` command itself: help, version, usage errors, --debug, and what `make run` does (issue #5)."""

from __future__ import annotations

import importlib.util
import shlex

import pytest
from support.cli import EXAMPLES, ROOT, parse_validate_text, run_many

import nir
import nir.cli
from nir.cli import validate as validate_command

COMMANDS = {
    "validate": ["--strict", "--format", "--color", "exit codes"],
    "info": ["--format", "exit codes"],
    "schema": ["--bundle", "--version", "--output"],
    "convert": ["--in-place", "--force", "--allow-invalid"],
    "draw": ["--output", ".svg", ".png", ".dot", "Graphviz"],
}


def test_help_of_every_command_shows_examples():
    calls = [("--help",)] + [(name, "--help") for name in COMMANDS]
    results = run_many(calls)
    code, out, err = results[0]
    assert code == 0 and err == ""
    assert out.startswith("usage: nir ")
    assert "examples:" in out
    for name in COMMANDS:
        assert f"nir {name} " in out.split("examples:", 1)[1], name  # one example per command
        assert name in out.split("examples:", 1)[0], name  # and listed as a command
    for name, (code, out, err) in zip(COMMANDS, results[1:], strict=True):
        assert code == 0 and err == "", name
        assert out.startswith(f"usage: nir {name} "), name
        assert "examples:" in out, name
        assert f"  nir {name} " in out.split("examples:", 1)[1], name
        for word in COMMANDS[name]:
            assert word in out, (name, word)


def test_version_and_usage_errors():
    results = run_many([("--version",), ()])
    code, out, _ = results[0]
    assert code == 0
    assert out.strip() == f"nir {nir.__version__} (spec {nir.SPEC_VERSION})"
    assert nir.SPEC_VERSION == "1.0"

    code, out, err = results[1]  # no command: the usage, exit 2
    assert code == 2
    assert "usage: nir" in out + err
    assert "validate" in out + err


@pytest.mark.parametrize(
    "argv", [["frobnicate"], ["validate", "--format", "xml", "x.nir"], ["validate"], ["draw", "x.nir"]]
)
def test_usage_errors(capsys, argv):
    with pytest.raises(SystemExit) as exit_:
        nir.cli.main(argv)
    assert exit_.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "usage: nir" in err and "error:" in err


def test_debug_shows_the_traceback(tmp_path):
    missing = tmp_path / "missing.nir"
    (code, out, err), (debug_code, debug_out, debug_err) = run_many([("info", missing), ("--debug", "info", missing)])
    assert code == 2
    assert out == ""
    assert err.strip() == f"nir: {missing}: no such file"
    assert debug_code != 0
    assert "Traceback" in debug_err and "NIRFormatError" in debug_err
    assert debug_out == ""


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (ValueError("boom"), "nir: boom"),
        (ZeroDivisionError("odd"), "nir: unexpected error (ZeroDivisionError: odd); rerun with --debug for details"),
    ],
)
def test_errors_become_messages_unless_debug(monkeypatch, capsys, error, message):
    def fail(args):
        raise error

    monkeypatch.setattr(validate_command, "run", fail)
    assert nir.cli.main(["validate", "x.nir"]) == 2
    assert capsys.readouterr().err.strip() == message
    with pytest.raises(type(error)):
        nir.cli.main(["--debug", "validate", "x.nir"])


# --- `make run` ----------------------------------------------------------------------------------------


def make_run_commands() -> list[tuple[bool, list[str]]]:
    """The `nir` commands of the Makefile's `run` target: (may fail, arguments)."""
    lines = (ROOT / "Makefile").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("run:"))
    commands = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        text = line.strip()
        may_fail = text.startswith("-")
        words = shlex.split(text.lstrip("-@"))
        if words and words[0].endswith("/bin/nir"):
            commands.append((may_fail, words[1:]))
    return commands


def test_make_run_commands():
    commands = make_run_commands()
    assert ["--version"] in [args for _, args in commands]
    results = run_many([(*args, {"cwd": ROOT}) for _, args in commands])
    broken_seen = False
    for (may_fail, args), (code, out, err) in zip(commands, results, strict=True):
        if args[0] == "validate" and args[1:] == ["examples/broken.nir"]:
            broken_seen = True
            assert may_fail
            assert code == 1, out + err
            (block,) = parse_validate_text(out)
            assert block["verdict"] == "INVALID"
            codes = {f["code"] for f in block["findings"]}
            assert {"unknown-node", "shape-mismatch", "out-of-range"} <= codes
        else:
            assert code == 0, (args, out, err)
            if args[0] == "validate":
                assert [b["verdict"] for b in parse_validate_text(out)] == ["OK"] * len(args[1:])
    assert broken_seen


def _make_examples():
    spec = importlib.util.spec_from_file_location("make_examples", EXAMPLES / "make_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["feedforward", "convnet", "recurrent", "broken"])
def test_examples_are_reproducible(tmp_path, name):
    build = _make_examples().EXAMPLES[name]
    target = tmp_path / f"{name}.nir"
    nir.write(target, build(), warn_findings=name != "broken")
    committed = nir.read(EXAMPLES / f"{name}.nir", strict=name != "broken", warn_findings=name != "broken")
    fresh = nir.read(target, strict=name != "broken", warn_findings=name != "broken")
    assert fresh.equals(committed)
    if name == "broken":
        assert sorted(committed.report.codes()) == sorted(fresh.report.codes())
