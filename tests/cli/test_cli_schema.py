"""`nir schema`: the published spec, as files or as one self-contained schema (issue #5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from support.cli import EXAMPLES, ROOT, run_many, run_nir

import nir

SCHEMA_DIR = ROOT / "schema" / "1.0"
SCHEMA_FILES = sorted(p.relative_to(SCHEMA_DIR).as_posix() for p in SCHEMA_DIR.rglob("*.json"))


def refs(value) -> list[str]:
    """Every $ref in a schema, at any depth."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "$ref" and isinstance(item, str):
                found.append(item)
            else:
                found.extend(refs(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(refs(item))
    return found


def resolve_pointer(doc: dict, ref: str):
    node = doc
    for part in ref.removeprefix("#").strip("/").split("/") if ref != "#" else []:
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


@pytest.fixture(scope="module")
def bundle() -> dict:
    code, out, err = run_nir("schema", "--bundle")
    assert code == 0, err
    return json.loads(out)


def test_bundle_is_one_self_contained_draft_2020_12_schema(bundle):
    Draft202012Validator.check_schema(bundle)
    assert bundle["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    found = refs(bundle)
    assert found, "the bundle should reference its own $defs"
    outside = [r for r in found if not r.startswith("#")]
    assert outside == []
    for ref in set(found):  # and every local reference points at something
        assert isinstance(resolve_pointer(bundle, ref), dict), ref


def test_bundle_validates_documents(bundle):
    """The bundle accepts what `nir` writes and rejects a broken document, with no outside lookups."""
    validator = Draft202012Validator(bundle)
    # (jsonschema takes seconds per 10,000 numbers, so the two small examples only)
    for path in (EXAMPLES / "feedforward.nir", EXAMPLES / "recurrent.nir"):
        doc = json.loads(nir.to_json(nir.read(path)))
        errors = list(validator.iter_errors(doc))
        assert errors == [], (path.name, errors[:1])
    doc = json.loads(nir.to_json(nir.read(EXAMPLES / "feedforward.nir")))
    lif = next(n for n in doc["graph"]["nodes"].values() if n["type"] == "LIF")
    del lif["tau"]
    assert not validator.is_valid(doc)


def test_schema_files_written_to_a_folder(tmp_path):
    (code, out, err), (list_code, listing, list_err) = run_many([("schema", "-o", tmp_path / "spec"), ("schema",)])
    assert code == 0, err
    written = sorted(p.relative_to(tmp_path / "spec").as_posix() for p in (tmp_path / "spec").rglob("*"))
    written = [p for p in written if (tmp_path / "spec" / p).is_file()]
    assert written == SCHEMA_FILES
    for rel in SCHEMA_FILES:
        assert json.loads((tmp_path / "spec" / rel).read_text("utf-8")) == json.loads(
            (SCHEMA_DIR / rel).read_text("utf-8")
        ), rel
    assert str(len(SCHEMA_FILES)) in out
    # without -o: a listing of the same files with their $id
    assert list_code == 0
    lines = [line.split("\t") for line in listing.splitlines()]
    assert sorted(rel for rel, _ in lines) == SCHEMA_FILES
    for rel, schema_id in lines:
        assert schema_id == json.loads((SCHEMA_DIR / rel).read_text("utf-8"))["$id"]
    assert "--bundle" in list_err


def test_bundle_written_to_a_folder(tmp_path, bundle):
    code, out, err = run_nir("schema", "--bundle", "-o", tmp_path / "out")
    assert code == 0, err
    target = tmp_path / "out" / "nir-1.0.schema.json"
    assert Path(out.strip()) == target
    assert [p.name for p in (tmp_path / "out").iterdir()] == [target.name]
    assert json.loads(target.read_text("utf-8")) == bundle


def test_unknown_spec_version(tmp_path):
    code, out, err = run_nir("schema", "--bundle", "--version", "9.9", "-o", tmp_path / "x")
    assert code == 2
    assert out == ""
    assert "9.9" in err and "1.0" in err  # says what is known
    assert not (tmp_path / "x").exists()
