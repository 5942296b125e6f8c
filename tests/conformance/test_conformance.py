"""Run the language-neutral conformance suite in conformance/ against this implementation.

Each case is checked twice: its `schema_valid` verdict with jsonschema's Draft 2020-12
validator over the bundled schema, and its semantic findings with
`nir.store.from_json(text, warn_findings=False).report` (and `nir.validate` on a file). Each
migration case is replayed with the step functions of `nir.store.versions` on the decoded
tree, and end to end by writing the old tree as a real HDF5 file and reading it. Each case's
committed .nir file (conformance/hdf5/) gives the findings of its JSON case.

The expected verdicts are the suite's, decided from the spec; where this implementation
disagrees, the case is marked xfail (strict) with the bug it shows, in KNOWN_BUGS below.
"""

from __future__ import annotations

import importlib.util
import json
import math
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import h5py
import numpy as np
import pytest
from jsonschema import Draft202012Validator

import nir
from nir.errors import NIRFormatError, NIRValidationError, UnsupportedVersionError
from nir.findings import CODES, SEVERITIES
from nir.graph import GraphBase
from nir.node import values_equal
from nir.store import versions

ROOT = Path(__file__).resolve().parents[2]
SUITE = ROOT / "conformance"
SCHEMA_UNITS = ROOT / "schema" / "1.0" / "units"
CASE_KEYS = {"description", "document", "schema_valid", "valid", "findings", "hdf5"}
MIGRATION_KEYS = {"description", "file", "layout", "steps", "upgraded", "document", "findings", "hdf5"}
FATAL = {"unreadable": NIRFormatError, "unsupported-version": UnsupportedVersionError}

# --------------------------------------------------------------------------- known bugs

LENIENT = "BUG: the JSON reader accepts, without any finding, a form the schema forbids"

KNOWN_BUGS: dict[str, str] = {}
"""Semantic verdicts where this implementation disagrees with the suite, keyed `file: case description`."""

# --------------------------------------------------------------------------- loading


def _load(folder: str) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    items = []
    for path in sorted((SUITE / folder).glob("*.json")):
        for group in json.loads(path.read_text("utf-8")):
            for case in group["cases"]:
                items.append((path.name, group, case))
    return items


CASES = _load("cases")
MIGRATIONS = _load("migrations")


def _key(name: str, case: dict[str, Any]) -> str:
    return f"{name}: {case['description']}"


def _params(items: list[tuple[str, dict[str, Any], dict[str, Any]]], bugs: dict[str, str] | None = None) -> list[Any]:
    out = []
    for name, group, case in items:
        key = _key(name, case)
        marks = [pytest.mark.xfail(strict=True, reason=bugs[key])] if bugs and key in bugs else []
        out.append(pytest.param(case, id=f"{name}::{group['description']}::{case['description']}", marks=marks))
    return out


def _pairs(report: Any) -> set[tuple[str, str]]:
    return {(f.severity, f.code) for f in report}


def _expected(case: dict[str, Any]) -> set[tuple[str, str]]:
    return {(sev, code) for sev, code in case["findings"]}


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = nir.spec.bundled()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("nir_conformance_generate", SUITE / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- the suite itself


def test_committed_files_are_the_generator_output() -> None:
    rendered = _generator().render()
    on_disk = {p.relative_to(SUITE).as_posix() for f in ("cases", "migrations") for p in (SUITE / f).glob("*.json")}
    assert on_disk == set(rendered), "every case file must come from conformance/generate.py"
    stale = [rel for rel, text in rendered.items() if (SUITE / rel).read_text("utf-8") != text]
    assert not stale, f"run `python conformance/generate.py`: stale {stale}"


def test_generator_reads_the_package_finding_codes() -> None:
    """One list of codes: the generator reads src/nir/spec/findings.json, as nir.findings.CODES does."""
    _generator()
    from generator.spec import FINDINGS, severities

    assert FINDINGS.samefile(Path(nir.spec.__file__).with_name("findings.json"))
    assert severities() == {code: severity for code, (severity, _) in CODES.items()}
    assert set(CODES) == set(nir.spec.finding_codes()) and all(s in SEVERITIES for s, _ in CODES.values())


@pytest.mark.parametrize("item", CASES, ids=lambda item: _key(item[0], item[2]))
def test_case_is_well_formed(item: tuple[str, dict[str, Any], dict[str, Any]]) -> None:
    _, group, case = item
    assert set(group) == {"description", "cases"}
    allowed = CASE_KEYS | {"error"}
    assert CASE_KEYS <= set(case) <= allowed
    assert isinstance(case["schema_valid"], bool) and isinstance(case["valid"], bool)
    pairs = [tuple(p) for p in case["findings"]]
    assert len(set(pairs)) == len(pairs), "findings are listed once each"
    for severity, code in pairs:
        assert CODES[code][0] == severity, f"{code} has severity {CODES[code][0]}"
    if "error" in case:
        assert case["error"] in FATAL and pairs == [("error", case["error"])]
    assert case["valid"] == ("error" not in case and all(sev != "error" for sev, _ in pairs))


def test_case_descriptions_are_unique_per_file() -> None:
    keys = [_key(name, case) for name, _, case in CASES + MIGRATIONS]
    assert len(keys) == len(set(keys))
    assert set(KNOWN_BUGS) <= set(keys), f"KNOWN_BUGS names missing cases: {set(KNOWN_BUGS) - set(keys)}"


def _node_types(tree: Any) -> Iterator[str]:
    if isinstance(tree, dict):
        if isinstance(tree.get("type"), str):
            yield tree["type"]
        for value in tree.get("nodes", {}).values() if isinstance(tree.get("nodes"), dict) else ():
            yield from _node_types(value)


def test_every_unit_has_a_valid_minimal_graph() -> None:
    units = {json.loads(p.read_text("utf-8"))["title"] for p in SCHEMA_UNITS.glob("*.schema.json")}
    assert units == set(nir.spec.units()) - {"NIRGraph"}
    covered = set()
    for name, _, case in CASES:
        if name == "units.json" and case["valid"] and not case["findings"]:
            covered |= set(_node_types(case["document"]["graph"]))
    assert covered >= units | {"NIRGraph"}, sorted(units - covered)


def test_every_shared_shape_symbol_has_a_mismatch_case() -> None:
    """Each unit whose fields share a symbol (x-nir-shape) has an invalid-node case in shapes.json."""
    needed = set()
    for path in SCHEMA_UNITS.glob("*.schema.json"):
        schema = json.loads(path.read_text("utf-8"))
        seen: dict[str, int] = {}
        for prop in schema["properties"].values():
            for symbol in set(prop.get("x-nir-shape", [])):
                seen[symbol] = seen.get(symbol, 0) + 1
        if any(n > 1 for n in seen.values()):
            needed.add(schema["title"])
    covered = set()
    for name, _, case in CASES:
        if name == "shapes.json" and ["error", "invalid-node"] in case["findings"]:
            covered |= set(_node_types(case["document"]["graph"])) - {"NIRGraph", "Input", "Output"}
    assert needed and covered >= needed, sorted(needed - covered)


def test_every_finding_code_is_covered() -> None:
    found = {code for _, _, case in CASES + MIGRATIONS for _, code in case["findings"]}
    # values-unchecked needs a lazily read HDF5 tensor above the check limit: no JSON document has one.
    assert found == set(CODES) - {"values-unchecked"}


def test_cases_cover_valid_and_invalid_verdicts() -> None:
    verdicts = {(case["schema_valid"], case["valid"]) for _, _, case in CASES}
    assert verdicts == {(True, True), (True, False), (False, True), (False, False)}


# --------------------------------------------------------------------------- schema verdicts


@pytest.mark.parametrize("case", _params(CASES))
def test_schema_verdict(case: dict[str, Any], validator: Draft202012Validator) -> None:
    errors = [e.message for e in validator.iter_errors(case["document"])]
    assert (not errors) is case["schema_valid"], errors[:3]


# --------------------------------------------------------------------------- semantic verdicts


@pytest.mark.parametrize("case", _params(CASES, KNOWN_BUGS))
def test_semantic_verdict(case: dict[str, Any], tmp_path: Path) -> None:
    text = json.dumps(case["document"], allow_nan=False)
    expected = _expected(case)
    if "error" in case:
        with pytest.raises(FATAL[case["error"]]) as raised:
            nir.store.from_json(text, warn_findings=False)
        if case["error"] == "unreadable":
            assert not isinstance(raised.value, UnsupportedVersionError)
    else:
        graph = nir.store.from_json(text, warn_findings=False)
        assert _pairs(graph.report) == expected, [str(f) for f in graph.report]
        assert graph.report.ok is case["valid"]
        if case["valid"]:
            nir.store.from_json(text, strict=True, warn_findings=False)
        else:
            with pytest.raises(NIRValidationError):
                nir.store.from_json(text, strict=True)
    path = tmp_path / "case.json"
    path.write_text(text, "utf-8")
    assert _pairs(nir.validate(path)) == expected


# --------------------------------------------------------------------------- migrations


def _is_tensor(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"dtype", "shape", "data"}


_SPELLED = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def decode(tree: Any) -> Any:
    """A migration tree with numeric datasets as numpy arrays and string arrays as object arrays."""
    if _is_tensor(tree):
        data = [_SPELLED.get(x, x) if isinstance(x, str) else x for x in tree["data"]]
        return np.array(data, dtype=tree["dtype"]).reshape(tree["shape"])
    if isinstance(tree, dict):
        return {k: decode(v) for k, v in tree.items()}
    if isinstance(tree, list):
        array = np.empty((len(tree), 2), dtype=object)
        for i, pair in enumerate(tree):
            array[i] = pair
        return array
    return tree


def encode(tree: Any) -> Any:
    """The inverse of `decode`."""
    if isinstance(tree, dict):
        return {k: encode(v) for k, v in tree.items()}
    if isinstance(tree, np.ndarray) and tree.dtype == object:
        return [[str(x) for x in row] for row in tree.tolist()]
    if isinstance(tree, np.ndarray | np.generic):
        array = np.asarray(tree)
        data = [
            x if not isinstance(x, float) or math.isfinite(x) else ("NaN" if math.isnan(x) else repr(x).title())
            for x in array.reshape(-1).tolist()
        ]
        return {"dtype": array.dtype.name, "shape": list(array.shape), "data": data}
    return tree


def write_hdf5(path: Path, tree: Any) -> None:
    """Write a migration tree as an HDF5 file with plain h5py (independent of nir's writer)."""

    def put(group: h5py.Group, node: dict[str, Any]) -> None:
        for key, value in node.items():
            if _is_tensor(value):
                group.create_dataset(key, data=decode(value))
            elif isinstance(value, dict):
                put(group.create_group(key), value)
            elif isinstance(value, str):
                group.create_dataset(key, data=value, dtype=h5py.string_dtype())
            else:
                array = np.array(value, dtype=h5py.string_dtype()).reshape(-1, 2)
                group.create_dataset(key, data=array, dtype=h5py.string_dtype())

    with h5py.File(path, "w") as f:
        put(f, tree)


def same_graph(a: GraphBase, b: GraphBase) -> None:
    assert set(a.nodes) == set(b.nodes)
    assert sorted(a.edges) == sorted(b.edges)
    assert values_equal(a.metadata, b.metadata)
    for name, node in a.nodes.items():
        other = b.nodes[name]
        assert type(node) is type(other), name
        if isinstance(node, GraphBase):
            same_graph(node, other)
        else:
            assert node.equals(other), f"{name}: {node.to_dict()} != {other.to_dict()}"


@pytest.mark.parametrize("item", MIGRATIONS, ids=lambda item: _key(item[0], item[2]))
def test_migration_case_is_well_formed(item: tuple[str, dict[str, Any], dict[str, Any]]) -> None:
    _, _, case = item
    if "error" in case:
        assert set(case) == {"description", "file", "layout", "steps", "error", "findings", "hdf5"}
        assert case["layout"] is None and case["findings"] == [["error", case["error"]]]
    else:
        assert set(case) == MIGRATION_KEYS
        assert case["layout"] in versions.LAYOUTS
    assert set(case["file"]) <= {"version", "node"}


@pytest.mark.parametrize("case", _params(MIGRATIONS))
def test_migration_steps(case: dict[str, Any]) -> None:
    tree = decode(case["file"])
    version = tree.get("version")
    if "error" in case:
        with pytest.raises(UnsupportedVersionError):
            versions.layout_of(version)
        return
    layout = versions.layout_of(version)
    assert layout == case["layout"]
    steps = []
    node = tree["node"]
    while layout != versions.CURRENT:
        target, step = versions.MIGRATIONS[layout]
        step(node)
        steps.append(f"{layout}->{target}")
        layout = target
    assert steps == case["steps"]
    assert encode(node) == case["upgraded"]


@pytest.mark.parametrize("case", _params([m for m in MIGRATIONS if "error" not in m[2]]))
def test_migration_upgrade_function(case: dict[str, Any]) -> None:
    tree = decode(case["file"])
    notes = versions.upgrade(tree["node"], versions.layout_of(tree.get("version")))
    assert len(notes) >= len(case["steps"])
    assert encode(tree["node"]) == case["upgraded"]


@pytest.mark.parametrize("case", _params(MIGRATIONS))
def test_migration_reads_the_hdf5_file_as_the_document(
    case: dict[str, Any], validator: Draft202012Validator, tmp_path: Path
) -> None:
    path = tmp_path / "old.nir"
    write_hdf5(path, case["file"])
    expected = _expected(case)
    assert _pairs(nir.validate(path)) == expected
    if "error" in case:
        with pytest.raises(UnsupportedVersionError):
            nir.read(path, warn_findings=False)
        return
    assert validator.is_valid(case["document"]), [e.message for e in validator.iter_errors(case["document"])]
    from_file = nir.read(path, warn_findings=False)
    assert _pairs(from_file.report) == expected
    from_document = nir.store.from_json(json.dumps(case["document"]))
    same_graph(from_file, from_document)


# --------------------------------------------------------------------------- the .nir files


def _with_file(items: list[tuple[str, dict[str, Any], dict[str, Any]]]) -> list[Any]:
    return [item for item in items if item[2]["hdf5"] is not None]


def test_committed_fixtures_are_the_generator_output() -> None:
    generate = _generator()
    fresh = generate.fixtures.render(generate.render())
    committed = {p.relative_to(SUITE).as_posix() for p in (SUITE / "hdf5").rglob("*.nir")}
    assert committed == set(fresh), "every .nir file must come from conformance/generate.py"
    stale = [name for name, data in fresh.items() if (SUITE / name).read_bytes() != data]
    assert not stale, f"run `python conformance/generate.py`: stale {stale}"
    assert generate.check_fixtures(fresh) == 0


def test_every_case_names_its_own_file_or_none() -> None:
    names = [case["hdf5"] for _, _, case in CASES + MIGRATIONS if case["hdf5"] is not None]
    assert len(names) == len(set(names))
    assert all((SUITE / name).is_file() for name in names)


@pytest.mark.parametrize("item", _with_file(CASES + MIGRATIONS), ids=lambda item: _key(item[0], item[2]))
def test_fixture_gives_the_findings_of_its_case(item: tuple[str, dict[str, Any], dict[str, Any]]) -> None:
    _, _, case = item
    assert _pairs(nir.validate(SUITE / case["hdf5"])) == _expected(case)


@pytest.mark.parametrize("item", [i for i in CASES if i[2]["hdf5"] is None], ids=lambda item: _key(item[0], item[2]))
def test_json_only_case_has_no_faithful_hdf5_form(
    item: tuple[str, dict[str, Any], dict[str, Any]], tmp_path: Path
) -> None:
    """A case marked JSON-only cannot be transcribed, or its transcription would not mean the same."""
    _, _, case = item
    path = tmp_path / "case.nir"
    try:
        _generator().fixtures.write(path, case)
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
        return
    assert _pairs(nir.validate(path)) != _expected(case)
