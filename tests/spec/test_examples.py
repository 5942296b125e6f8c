"""Each node type's examples in its schema (`examples`, annotated by `x-nir-examples`): valid, and what they claim.

The examples are the one place a unit's sample instances are written: the test catalogue
(cases.py), the reference-package round trips (store_ref_write.py), the per-unit conformance
cases and the primitives reference page all derive from them.
"""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pytest
from referencing import Registry, Resource
from support.cases import build
from support.schema_examples import SCHEMA, examples, node_types, ports

import nir
from nir import spec

ROOT = Path(__file__).resolve().parents[2]
JS = ROOT / "conformance" / "js"
NODE_TYPES = node_types()
ALL_EXAMPLES = [(name, i) for name in NODE_TYPES for i in range(len(examples(name)))]
NOTE_KEYS = {"description", "input", "output", "inferred"}


def _id(item: tuple[str, int]) -> str:
    return f"{item[0]}[{item[1]}]"


def def_validator(name: str) -> jsonschema.Draft202012Validator:
    bundle = spec.bundled()
    return jsonschema.Draft202012Validator({"$schema": bundle["$schema"], "$defs": bundle["$defs"], "$ref": name})


@cache
def file_registry() -> Registry:
    """Every schema file by its `$id`, as a tool that loads the files one by one resolves them."""
    documents = [json.loads(p.read_text("utf-8")) for p in SCHEMA.rglob("*.schema.json")]
    return Registry().with_resources((d["$id"], Resource.from_contents(d)) for d in documents)


def _through(instance: dict[str, Any], note: dict[str, Any]) -> nir.NIRGraph:
    """Input(input) -> the example's node -> Output(output), as the conformance units cases place it."""
    role = spec.unit(instance["type"]).role
    first = build(instance) if role == "graph-input" else nir.Input(np.array(note["input"]))
    last = build(instance) if role == "graph-output" else nir.Output(np.array(note["output"]))
    nodes = {"input": first, "output": last} if role else {"input": first, "x": build(instance), "output": last}
    names = list(nodes)
    return nir.NIRGraph(nodes=nodes, edges=list(itertools.pairwise(names)))


def _port(value: Any) -> list[int] | None:
    return None if value is None else [int(x) for x in value]


# --- the keyword ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NODE_TYPES)
def test_every_node_type_has_annotated_examples(name: str) -> None:
    schema = json.loads(json.dumps(spec.bundled()["$defs"][name]))
    assert schema["examples"], f"{name} has no example"
    notes = schema["x-nir-examples"]
    assert len(notes) == len(schema["examples"]), "one x-nir-examples entry per example, in the same order"
    descriptions = [note["description"] for note in notes]
    assert all(descriptions) and len(set(descriptions)) == len(descriptions), descriptions
    for note in notes:
        assert set(note) <= NOTE_KEYS and {"description", "input", "output"} <= set(note), note
        assert note.get("inferred", True) is True, "inferred is only ever written as true"
        port_kind = dict if name == "NIRGraph" else list
        assert isinstance(note["input"], port_kind) and isinstance(note["output"], port_kind)


@pytest.mark.parametrize("name", [n for n in NODE_TYPES if n != "NIRGraph"])
def test_the_first_example_sets_every_field(name: str) -> None:
    """The catalogue and the primitives page show each unit through its first example: it leaves nothing out."""
    first, note = examples(name)[0]
    assert set(first) >= set(spec.bundled()["$defs"][name]["properties"]) - {"metadata"}
    assert not note.get("inferred") or spec.unit(name).kind == "pool", "only pooling leaves its ports to the graph"
    for field in spec.unit(name).tensor_fields:
        assert first[field.name]["dtype"] == "float32", f"{name}.{field.name}"


# --- valid against the schema ------------------------------------------------------------------------------------


@pytest.mark.parametrize("item", ALL_EXAMPLES, ids=_id)
def test_example_is_valid_against_its_definition(item: tuple[str, int]) -> None:
    name, index = item
    instance, _ = examples(name)[index]
    assert [e.message for e in def_validator(f"#/$defs/{name}").iter_errors(instance)] == []
    path = "graph.schema.json" if name == "NIRGraph" else f"units/{name}.schema.json"
    ref = spec.schema_id().replace("document.schema.json", path)
    assert jsonschema.Draft202012Validator({"$ref": ref}, registry=file_registry()).is_valid(instance)


def test_document_examples_are_valid_documents() -> None:
    bundle = spec.bundled()
    assert len(bundle["examples"]) == len(bundle["x-nir-examples"]) >= 1
    validator = jsonschema.Draft202012Validator(bundle)
    for document in bundle["examples"]:
        assert [e.message for e in validator.iter_errors(document)] == []
        assert nir.from_json(json.dumps(document)).report.findings == []


def test_an_invalid_example_is_noticed() -> None:
    """The validity check can fail: a time constant of 0 breaks LIF's schema."""
    instance, _ = examples("LIF")[0]
    instance["tau"]["data"][0] = 0.0
    assert not def_validator("#/$defs/LIF").is_valid(instance)


# --- what the notes claim ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("item", [i for i in ALL_EXAMPLES if i[0] != "NIRGraph"], ids=_id)
def test_example_ports_are_the_runtime_ports(item: tuple[str, int]) -> None:
    name, index = item
    instance, note = examples(name)[index]
    node = build(instance)
    own = (_port(node.input_type["input"]), _port(node.output_type["output"]))
    assert own == ports(note), "the note says what the node alone determines"
    if note.get("inferred"):
        assert own[0] is None, "an inferred example's node leaves its input to the graph"
    graph = _through(instance, note)
    assert nir.validate(graph).findings == [], "placed between Input(input) and Output(output) it is valid"
    inner = "input" if spec.unit(name).role == "graph-input" else "output" if spec.unit(name).role else "x"
    assert _port(graph.nodes[inner].input_type["input"]) == note["input"]


@pytest.mark.parametrize("index", range(len(examples("NIRGraph"))))
def test_graph_example_ports_are_its_inputs_and_outputs(index: int) -> None:
    instance, note = examples("NIRGraph")[index]
    graph = build(instance)
    assert nir.validate(graph).findings == []
    assert {k: _port(v) for k, v in graph.input_type.items()} == note["input"]
    assert {k: _port(v) for k, v in graph.output_type.items()} == note["output"]


def test_a_wrong_port_note_is_noticed() -> None:
    """The port check can fail: Affine's first example does not map 3 inputs to 5 outputs."""
    instance, note = examples("Affine")[0]
    with pytest.raises(nir.NIRValidationError, match="io-shape-mismatch"):
        _through(instance, {**note, "output": [5]})


# --- outside Python ---------------------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("node") is None or shutil.which("npm") is None, reason="needs Node.js and npm")
def test_ajv_check_validates_the_examples(tmp_path: Path) -> None:
    """conformance/js/check.mjs validates every example with Ajv and fails on an invalid one."""
    if not (JS / "node_modules" / "ajv" / "package.json").is_file():
        npm = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=JS, capture_output=True, timeout=900)
        assert npm.returncode == 0, npm.stderr
    bundle = spec.bundled()
    total = sum(len(d.get("examples", [])) for d in bundle["$defs"].values()) + len(bundle["examples"])
    good = tmp_path / "good.json"
    good.write_text(json.dumps(bundle), "utf-8")
    result = subprocess.run(["node", "check.mjs", str(good)], cwd=JS, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{total} examples valid, 0 invalid" in result.stdout
    broken = json.loads(json.dumps(bundle))
    broken["$defs"]["Conv2d"]["examples"][0]["groups"] = 0
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(broken), "utf-8")
    result = subprocess.run(["node", "check.mjs", str(bad)], cwd=JS, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "INVALID EXAMPLE $defs/Conv2d examples[0]: /groups must be >= 1" in result.stdout
    assert f"{total - 1} examples valid, 1 invalid" in result.stdout


def test_examples_are_read_from_the_files_the_package_ships() -> None:
    assert SCHEMA.resolve() == spec.schema_dir().resolve()
