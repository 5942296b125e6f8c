"""Adding a unit end to end, in a copy of the repository: one schema file and its entry in the node union.

A `Gain` unit (y = g ⊙ x: one tensor field, output shape = input shape, so no formula) is
added to a copy of schema/1.0; the code generator, the conformance generator and the docs
generator are run in the copy, and the copy's package (on PYTHONPATH, in a subprocess)
builds the node, infers its shapes in a graph, writes and reads a .nir file and validates
it. The test then lists every file the addition changed: two written by hand, the rest
generated. docs/spec/versioning.md ("Adding a unit") states the same list.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
JS = ROOT / "conformance" / "js"
BASE = "https://neuroir.org/schema/1.0/"
SKIP = shutil.ignore_patterns("__pycache__", "node_modules")

GAIN = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": BASE + "units/Gain.schema.json",
    "title": "Gain",
    "description": "Elementwise gain of the input.\n\nEquation: $y = g \\odot x$.",
    "type": "object",
    "properties": {
        "type": {"const": "Gain", "description": "Discriminator: the unit's name."},
        "gain": {
            "$ref": "../tensor.schema.json#/$defs/finite",
            "description": "Gain $g$, one per element.",
            "x-nir-shape": ["...N"],
            "x-nir-broadcast": True,
        },
        "metadata": {"$ref": "../defs.schema.json#/$defs/metadata", "default": {}},
    },
    "required": ["type", "gain"],
    "additionalProperties": False,
    "x-nir-since": "1.0",
    "x-nir-kind": "linear",
    "x-nir-input": ["...N"],
    "x-nir-output": ["...N"],
    "examples": [
        {"type": "Gain", "gain": {"dtype": "float32", "shape": [3], "data": [0.5, 1.0, 2.0]}},
        {"type": "Gain", "gain": {"dtype": "float64", "shape": [], "data": [2.0]}},
    ],
    "x-nir-examples": [
        {"description": "gain (3,)", "input": [3], "output": [3]},
        {
            "description": "a 0-d gain is broadcast; the shape comes from the edge",
            "input": [2, 3],
            "output": [2, 3],
            "inferred": True,
        },
    ],
}

HAND_WRITTEN = {"schema/1.0/units/Gain.schema.json", "schema/1.0/node.schema.json"}
GENERATED = ("src/nir/_generated/", "conformance/cases/units.json", "conformance/hdf5/units/", "docs/reference/")

RUNTIME = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path

    import numpy as np
    import nir

    root = Path(sys.argv[1])
    Gain = nir.Gain  # exported as the reference's units are, with no line written for it
    assert Gain is nir.str2NIRNode("Gain") and "Gain" in nir.__all__
    out = {"package": nir.__file__, "class": Gain.__module__}


    def chain(shape, node):
        nodes = {"input": nir.Input(np.array(shape)), "gain": node, "output": nir.Output(np.array(shape))}
        return nir.NIRGraph(nodes=nodes, edges=[("input", "gain"), ("gain", "output")])


    node = Gain(gain=np.array([0.5, 1.0, 2.0], np.float32))
    out["ports"] = [node.input_type["input"].tolist(), node.output_type["output"].tolist()]
    nir.write(root / "gain.nir", chain([3], node))
    back = nir.read(root / "gain.nir")
    out["round_trip"] = back.equals(chain([3], node)) and type(back.nodes["gain"]) is Gain
    out["valid"] = [f.code for f in nir.validate(root / "gain.nir")]
    # a 0-d gain leaves its ports to the graph: inferred from the Input, and written at that shape
    scalar = chain([2, 3], Gain(gain=np.float64(2.0))).nodes["gain"]
    out["inferred"] = [scalar.input_type["input"].tolist(), scalar.output_type["output"].tolist()]
    nir.write(root / "scalar.nir", chain([2, 3], Gain(gain=np.float64(2.0))))
    out["written_gain"] = nir.read(root / "scalar.nir").nodes["gain"].gain.tolist()
    bad = nir.NIRGraph(
        nodes={"input": nir.Input(np.array([4])), "gain": node, "output": nir.Output(np.array([3]))},
        edges=[("input", "gain"), ("gain", "output")],
        type_check=False,
    )
    out["invalid"] = sorted({f.code for f in nir.validate(bad)})
    cases = json.loads((root / "conformance" / "cases" / "units.json").read_text("utf-8"))
    gain_cases = next(g["cases"] for g in cases if g["description"] == "Gain")
    out["cases"] = {
        c["description"]: [c["valid"], [f.code for f in nir.validate(root / "conformance" / c["hdf5"])]]
        for c in gain_cases
    }
    print(json.dumps(out))
    """
)


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run a Python script with the copy's package first on the path."""
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    result = subprocess.run([sys.executable, *args], cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def digests(root: Path) -> dict[str, str]:
    files = (p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@pytest.fixture(scope="module")
def added(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[str], dict[str, Any]]:
    """A copy of the repository with Gain added and everything regenerated: (root, changed files, runtime results)."""
    root = tmp_path_factory.mktemp("repo")
    shutil.copytree(ROOT / "schema", root / "schema")
    shutil.copytree(ROOT / "src" / "nir", root / "src" / "nir", symlinks=True, ignore=SKIP)
    for folder in ("codegen", "conformance", "docs"):
        shutil.copytree(ROOT / folder, root / folder, ignore=SKIP)
    assert (root / "src" / "nir" / "schema").resolve() == (root / "schema").resolve()
    before = digests(root)

    # The two hand-written steps: the unit's schema file and its entry in the node union.
    units = root / "schema" / "1.0"
    (units / "units" / "Gain.schema.json").write_text(json.dumps(GAIN, indent=2) + "\n", "utf-8")
    union = json.loads((units / "node.schema.json").read_text("utf-8"))
    union["oneOf"].insert(-1, {"$ref": "units/Gain.schema.json"})  # before the graph, which stays last
    (units / "node.schema.json").write_text(json.dumps(union, indent=2) + "\n", "utf-8")

    # Everything else is regenerated.
    run(root, "codegen/generate.py")
    run(root, "conformance/generate.py")
    run(root, "docs/gen_reference.py")
    after = digests(root)
    changed = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    results = json.loads(run(root, "-c", RUNTIME, str(root)).stdout)
    return root, changed, results


def test_the_copy_runs_its_own_package(added: tuple[Path, set[str], dict[str, Any]]) -> None:
    root, _, results = added
    assert Path(results["package"]).is_relative_to(root)
    assert results["class"] == "nir._generated.models"
    assert "class Gain(NIRNode):" in (root / "src" / "nir" / "_generated" / "models.py").read_text("utf-8")


def test_the_new_unit_builds_infers_stores_and_validates(added: tuple[Path, set[str], dict[str, Any]]) -> None:
    _, _, results = added
    assert results["ports"] == [[3], [3]]
    assert results["inferred"] == [[2, 3], [2, 3]]
    assert results["round_trip"] is True
    assert results["written_gain"] == [[2.0] * 3] * 2  # stored at the shape the graph gives it
    assert results["valid"] == []
    assert results["invalid"] == ["io-shape-mismatch"]


def test_the_conformance_generator_makes_its_cases(added: tuple[Path, set[str], dict[str, Any]]) -> None:
    root, _, results = added
    assert results["cases"] == {
        "Gain: gain (3,)": [True, []],
        "Gain: a 0-d gain is broadcast; the shape comes from the edge": [True, []],
    }
    run(root, "conformance/generate.py", "--check")


def test_the_docs_generator_lists_it(added: tuple[Path, set[str], dict[str, Any]]) -> None:
    root, _, _ = added
    page = (root / "docs" / "reference" / "primitives.md").read_text("utf-8")
    assert "| [Gain](#gain) | linear | `[...N]` | `[...N]` | `gain` | 1.0 |" in page
    section = page.split("\n## Gain\n", 1)[1].split("\n## ", 1)[0]
    assert "**Example 2:** a 0-d gain is broadcast; the shape comes from the edge." in section
    assert '"gain": {"dtype": "float32", "shape": [3], "data": [0.5, 1.0, 2.0]}' in section


def test_the_files_an_addition_touches(added: tuple[Path, set[str], dict[str, Any]]) -> None:
    """Two files written by hand; every other change is a generator's output."""
    _, changed, _ = added
    assert HAND_WRITTEN <= changed
    generated = changed - HAND_WRITTEN
    assert generated and all(name.startswith(GENERATED) for name in generated), sorted(generated)
    assert {
        "src/nir/_generated/models.py",
        "conformance/cases/units.json",
        "docs/reference/primitives.md",
    } <= generated


@pytest.mark.skipif(shutil.which("node") is None or shutil.which("npm") is None, reason="needs Node.js and npm")
def test_ajv_checks_the_new_examples_and_cases(added: tuple[Path, set[str], dict[str, Any]]) -> None:
    root, _, _ = added
    if not (JS / "node_modules" / "ajv" / "package.json").is_file():
        npm = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=JS, capture_output=True, timeout=900)
        assert npm.returncode == 0, npm.stderr
    run(root, "-c", "import sys; from nir.cli import main; sys.exit(main())", "schema", "--bundle", "-o", str(root))
    bundle = root / "nir-1.0.schema.json"
    assert "Gain" in json.loads(bundle.read_text("utf-8"))["$defs"]
    result = subprocess.run(
        ["node", "check.mjs", str(bundle), "--suite", str(root / "conformance")],
        cwd=JS,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 invalid" in result.stdout and " 0 failed" in result.stdout
