"""The conformance cases' schema verdicts, checked outside Python with Ajv (conformance/js/check.mjs).

Needs Node.js and npm; `npm ci` runs once if conformance/js/node_modules is missing
(CI runs `npm ci --prefix conformance/js` beforehand). Skips when node or npm is absent.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import nir

ROOT = Path(__file__).resolve().parents[2]
SUITE = ROOT / "conformance"
JS = SUITE / "js"
NODE = shutil.which("node")
NPM = shutil.which("npm")

CLI = "import sys; from nir.cli import main; sys.exit(main())"
SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed$", re.M)
FAIL = re.compile(r"^FAIL (.+): expected schema_valid=", re.M)

pytestmark = pytest.mark.skipif(
    NODE is None or NPM is None, reason="Node.js and npm are needed for the Ajv check (apt-get install nodejs npm)"
)


@pytest.fixture(scope="module")
def installed() -> Path:
    """conformance/js with its locked dependencies installed."""
    if not (JS / "node_modules" / "ajv" / "package.json").is_file():
        result = subprocess.run(
            [str(NPM), "ci", "--no-audit", "--no-fund"], cwd=JS, capture_output=True, text=True, timeout=900
        )
        assert result.returncode == 0, f"npm ci failed:\n{result.stdout}\n{result.stderr}"
    return JS


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled schema as `nir schema --bundle -o DIR` writes it."""
    out = tmp_path_factory.mktemp("spec")
    result = subprocess.run(
        [sys.executable, "-c", CLI, "schema", "--bundle", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    path = out / "nir-1.0.schema.json"
    assert json.loads(path.read_text("utf-8")) == nir.spec.bundled()
    return path


def check(schema: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(NODE), "check.mjs", str(schema), *args], cwd=JS, capture_output=True, text=True, timeout=120
    )


def expected_total() -> int:
    cases = sum(len(g["cases"]) for p in (SUITE / "cases").glob("*.json") for g in json.loads(p.read_text("utf-8")))
    documents = sum(
        "document" in c
        for p in (SUITE / "migrations").glob("*.json")
        for g in json.loads(p.read_text("utf-8"))
        for c in g["cases"]
    )
    return cases + documents


def test_ajv_is_pinned_exactly() -> None:
    package = json.loads((JS / "package.json").read_text("utf-8"))
    lock = json.loads((JS / "package-lock.json").read_text("utf-8"))
    pin = package["dependencies"]["ajv"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", pin), f"ajv must be pinned to one version, not {pin!r}"
    assert lock["packages"][""]["dependencies"]["ajv"] == pin
    assert lock["packages"]["node_modules/ajv"]["version"] == pin
    ignored = subprocess.run(["git", "check-ignore", "-q", "conformance/js/node_modules/ajv"], cwd=ROOT, check=False)
    assert ignored.returncode == 0, "conformance/js/node_modules must be git-ignored"


def test_installed_ajv_is_the_locked_one(installed: Path) -> None:
    lock = json.loads((JS / "package-lock.json").read_text("utf-8"))
    version = json.loads((installed / "node_modules" / "ajv" / "package.json").read_text("utf-8"))["version"]
    assert version == lock["packages"]["node_modules/ajv"]["version"]


def test_ajv_verdicts(installed: Path, bundle: Path) -> None:
    """Ajv agrees with every expected `schema_valid`."""
    result = check(bundle)
    found = SUMMARY.search(result.stdout)
    assert found, f"no summary line:\n{result.stdout}\n{result.stderr}"
    passed, failed = int(found[1]), int(found[2])
    assert passed + failed == expected_total()
    assert FAIL.findall(result.stdout) == [], result.stdout
    assert failed == 0
    assert result.returncode == 0


def test_schema_compiles_in_full_strict_mode(installed: Path, bundle: Path) -> None:
    result = check(bundle, "--compile-only")
    assert result.returncode == 0, result.stderr


def test_unknown_keywords_stay_fatal(installed: Path, bundle: Path, tmp_path: Path) -> None:
    """Only the declared x-nir-* keywords are known: strict mode is on for everything else."""
    schema = json.loads(bundle.read_text("utf-8"))
    schema["$defs"]["LIF"]["x-nir-colour"] = "blue"
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(schema), "utf-8")
    result = check(path, "--compile-only")
    assert result.returncode == 2
    assert 'unknown keyword: "x-nir-colour"' in result.stderr


def test_keyword_values_are_checked(installed: Path, bundle: Path, tmp_path: Path) -> None:
    schema = json.loads(bundle.read_text("utf-8"))
    schema["$defs"]["LIF"]["properties"]["tau"]["x-nir-broadcast"] = "yes"
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(schema), "utf-8")
    result = check(path, "--compile-only")
    assert result.returncode == 2
    assert "x-nir-broadcast" in result.stderr


def test_a_wrong_verdict_fails_the_check(installed: Path, bundle: Path, tmp_path: Path) -> None:
    good = {"version": "1.0", "graph": {"type": "NIRGraph", "nodes": {}, "edges": []}}
    cases = [
        {"description": "right", "document": good, "schema_valid": True},
        {"description": "wrong", "document": good, "schema_valid": False},
        {"description": "bad version", "document": {**good, "version": "2.0"}, "schema_valid": False},
    ]
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "x.json").write_text(json.dumps([{"description": "g", "cases": cases}]), "utf-8")
    result = check(bundle, "--suite", str(tmp_path))
    assert result.returncode == 1
    assert "2 passed, 1 failed" in result.stdout
    assert FAIL.findall(result.stdout) == ["cases/x.json: g: wrong"]
