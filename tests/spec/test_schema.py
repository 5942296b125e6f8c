"""The published spec: JSON Schema files, the `x-nir-*` keywords, the bundle, and validation of documents."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from functools import cache
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry, Resource
from support.cases import recurrent_graph, valid_nodes

import nir
from nir import spec
from nir.shapes import FORMULAS

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "schema" / "1.0"
BASE = "https://neuroir.org/schema/1.0/"
FILES = sorted(p.relative_to(SCHEMA).as_posix() for p in SCHEMA.rglob("*.schema.json"))
UNIT_FILES = [f for f in FILES if f.startswith("units/")]
SYMBOL = re.compile(r"^(\.\.\.)?[A-Za-z][A-Za-z0-9_]*$")


def load(rel: str) -> dict:
    return json.loads((SCHEMA / rel).read_text("utf-8"))


def unit_schemas() -> dict[str, dict]:
    """Every def of the bundle that declares `x-nir-kind` (the units and the graph), keyed by type name."""
    return {k: v for k, v in spec.bundled()["$defs"].items() if "x-nir-kind" in v}


UNITS = sorted(unit_schemas())


def def_validator(name: str) -> jsonschema.Draft202012Validator:
    bundle = spec.bundled()
    return jsonschema.Draft202012Validator({"$schema": bundle["$schema"], "$defs": bundle["$defs"], "$ref": name})


def tensor(dtype: str, shape: list[int], data: list) -> dict:
    return {"dtype": dtype, "shape": shape, "data": data}


def hand_written_document() -> dict:
    """Input(2) -> Affine(2x2) -> LIF(2) -> Output(2), written by hand as a spec 1.0 JSON document."""
    return {
        "version": "1.0",
        "graph": {
            "type": "NIRGraph",
            "nodes": {
                "input": {"type": "Input", "shape": [2]},
                "affine": {
                    "type": "Affine",
                    "weight": tensor("float32", [2, 2], [1.0, 0.5, -0.5, 1.0]),
                    "bias": tensor("float32", [2], [0.0, 0.1]),
                },
                "lif": {
                    "type": "LIF",
                    "tau": tensor("float32", [2], [0.01, 0.02]),
                    "r": tensor("float32", [2], [1.0, 1.0]),
                    "v_leak": tensor("float32", [2], [0.0, 0.0]),
                    "v_threshold": tensor("float32", [2], [1.0, 1.0]),
                    "v_reset": tensor("float64", [], [0.0]),
                    "metadata": {"comment": "hand written"},
                },
                "output": {"type": "Output", "shape": [2]},
            },
            "edges": [["input", "affine"], ["affine", "lif"], ["lif", "output"]],
            "metadata": {"source": "test_schema", "steps": 10, "nested": {"dt": 0.001}},
        },
    }


# --- the files ------------------------------------------------------------------------------------------------


def test_schema_folder_holds_the_expected_files():
    assert {"defs.schema.json", "document.schema.json", "graph.schema.json", "node.schema.json"} <= set(FILES)
    assert "tensor.schema.json" in FILES
    assert {f.removeprefix("units/").removesuffix(".schema.json") for f in UNIT_FILES} == set(spec.units()) - {
        "NIRGraph"
    }


@pytest.mark.parametrize("rel", FILES)
def test_schema_file_is_a_valid_draft_2020_12_schema(rel):
    schema = load(rel)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_bundle_is_a_valid_draft_2020_12_schema():
    bundle = spec.bundled()
    jsonschema.Draft202012Validator.check_schema(bundle)
    assert bundle["$id"] == BASE + "bundle.schema.json"


def test_bundle_is_self_contained():
    bundle = spec.bundled()
    refs = []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.append(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(bundle)
    assert refs
    for ref in refs:
        assert ref.startswith("#/$defs/"), ref
        assert ref.removeprefix("#/$defs/") in bundle["$defs"], ref


@pytest.mark.parametrize("rel", FILES)
def test_schema_file_has_id_title_description(rel):
    schema = load(rel)
    assert schema["$id"] == BASE + rel
    assert isinstance(schema["title"], str) and schema["title"]
    assert isinstance(schema["description"], str) and len(schema["description"]) > 20


def test_ids_and_titles_are_unique():
    ids = [load(f)["$id"] for f in FILES]
    titles = [load(f)["title"] for f in FILES]
    assert len(set(ids)) == len(ids)
    assert len(set(titles)) == len(titles)
    assert all(i.startswith(BASE) for i in ids)


@pytest.mark.parametrize("rel", UNIT_FILES)
def test_unit_file_is_a_closed_object_named_by_its_type(rel):
    schema = load(rel)
    name = rel.removeprefix("units/").removesuffix(".schema.json")
    assert schema["title"] == name
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert schema["properties"]["type"]["const"] == name
    assert "type" in schema["required"]
    assert schema["properties"]["metadata"]["$ref"] == "../defs.schema.json#/$defs/metadata"
    assert set(schema["required"]) <= set(schema["properties"])
    for field, prop in schema["properties"].items():
        assert prop.get("description") or "$ref" in prop, f"{name}.{field} is undocumented"


@pytest.mark.parametrize("rel", UNIT_FILES)
def test_unit_description_contains_an_equation(rel):
    description = load(rel)["description"]
    assert description.count("$") >= 2, description
    assert description.count("$") % 2 == 0, "unbalanced $...$ in " + rel
    assert re.search(r"Equations?:", description), description


def test_node_schema_lists_every_unit_and_the_graph():
    refs = {item["$ref"] for item in load("node.schema.json")["oneOf"]}
    assert refs == {*UNIT_FILES, "graph.schema.json"}
    assert load("node.schema.json")["discriminator"] == {"propertyName": "type"}


# --- defaults -------------------------------------------------------------------------------------------------


def _default(unit: str, field: str):
    return unit_schemas()[unit]["properties"][field]["default"]


@pytest.mark.parametrize(
    ("unit", "field", "value"),
    [
        ("IF", "v_reset", 0),
        ("LIF", "v_reset", 0),
        ("CubaLIF", "v_reset", 0),
        ("CubaLI", "w_in", 1),
        ("CubaLIF", "w_in", 1),
    ],
)
def test_tensor_defaults_in_the_schema(unit, field, value):
    default = _default(unit, field)
    assert default == {"dtype": "float64", "shape": [], "data": [value]}
    assert field not in unit_schemas()[unit]["required"]


def test_integer_defaults_in_the_schema():
    assert _default("Flatten", "start_dim") == 1
    assert _default("Flatten", "end_dim") == -1
    for conv in ("Conv1d", "Conv2d"):
        assert {f: _default(conv, f) for f in ("stride", "padding", "dilation", "groups")} == {
            "stride": 1,
            "padding": 0,
            "dilation": 1,
            "groups": 1,
        }


@pytest.mark.parametrize("unit", UNITS)
def test_every_default_is_valid_for_its_field(unit):
    for field, prop in unit_schemas()[unit]["properties"].items():
        if "default" not in prop:
            continue
        bundle = spec.bundled()
        schema = {"$schema": bundle["$schema"], "$defs": bundle["$defs"], **{k: v for k, v in prop.items()}}
        assert jsonschema.Draft202012Validator(schema).is_valid(prop["default"]), f"{unit}.{field}"


@pytest.mark.parametrize("unit", UNITS)
def test_schema_defaults_are_the_model_defaults(unit):
    cls = nir.str2NIRNode(unit)
    by_alias = {(info.alias or name): info for name, info in cls.model_fields.items()}
    for field, prop in unit_schemas()[unit]["properties"].items():
        if "default" in prop:
            assert by_alias[field].default == prop["default"], f"{unit}.{field}"


# --- the x-nir keywords ---------------------------------------------------------------------------------------


def _symbols(pattern) -> list[tuple[str, bool]]:
    """(name, variadic) for each symbol of a well-formed pattern; asserts well-formedness."""
    assert isinstance(pattern, list), pattern
    out = []
    for item in pattern:
        if isinstance(item, int) and not isinstance(item, bool):
            assert item >= 0, pattern
            continue
        assert isinstance(item, str) and SYMBOL.match(item), f"bad symbol {item!r} in {pattern}"
        out.append((item.removeprefix("..."), item.startswith("...")))
    assert sum(v for _, v in out) <= 1, f"more than one variadic symbol in {pattern}"
    names = [n for n, _ in out]
    assert len(names) == len(set(names)), f"repeated symbol in {pattern}"
    return out


def _field_symbols(schema: dict) -> set[str]:
    bound = set()
    for prop in schema.get("properties", {}).values():
        for key in ("x-nir-shape", "x-nir-value"):
            if key in prop:
                bound |= {n for n, _ in _symbols(prop[key])}
    return bound


@pytest.mark.parametrize("unit", UNITS)
def test_symbol_lists_are_well_formed_and_consistent(unit):
    schema = unit_schemas()[unit]
    patterns = [prop[k] for prop in schema["properties"].values() for k in ("x-nir-shape", "x-nir-value") if k in prop]
    patterns += [schema[k] for k in ("x-nir-input", "x-nir-output") if k in schema]
    variadic: dict[str, bool] = {}
    for pattern in patterns:
        for name, is_variadic in _symbols(pattern):
            assert variadic.setdefault(name, is_variadic) == is_variadic, f"{unit}: {name} is variadic only sometimes"
    for field, prop in schema["properties"].items():
        assert not ("x-nir-shape" in prop and "x-nir-value" in prop), f"{unit}.{field}"
        if "x-nir-broadcast" in prop:
            assert prop["x-nir-broadcast"] is True
            assert "x-nir-shape" in prop, f"{unit}.{field}: only tensor fields broadcast"
        if "x-nir-shape" in prop:
            assert prop["$ref"].startswith("#/$defs/") and prop["$ref"].removeprefix("#/$defs/") in (
                "Tensor",
                "finite",
                "positive",
                "nonnegative",
            ), f"{unit}.{field}: a field with x-nir-shape is a tensor"


@pytest.mark.parametrize("unit", [u for u in UNITS if u != "NIRGraph"])
def test_port_symbols_are_bound(unit):
    schema = unit_schemas()[unit]
    assert "x-nir-input" in schema and "x-nir-output" in schema
    inputs = {n for n, _ in _symbols(schema["x-nir-input"])}
    outputs = {n for n, _ in _symbols(schema["x-nir-output"])}
    fields = _field_symbols(schema)
    derive = schema.get("x-nir-derive", {})
    integer_fields = {
        f for f, p in schema["properties"].items() if p.get("type") == "integer" or "positive_int" in p.get("$ref", "")
    }
    for symbol, rule in derive.items():
        assert set(rule) == {"product"}, f"{unit}: unknown derive rule {rule}"
        for operand in rule["product"]:
            assert operand in fields or operand in integer_fields, f"{unit}: derive operand {operand} is unbound"
        assert symbol in inputs | outputs, f"{unit}: derived {symbol} is not a port symbol"
    # Input symbols not fixed by the node's parameters come from upstream; output symbols that
    # neither the parameters nor the input fix must be computed by a named formula.
    unbound_out = outputs - fields - set(derive)
    if unbound_out:
        assert "x-nir-formula" in schema, f"{unit}: output symbols {unbound_out} are never bound"
    if outputs - fields - set(derive) - inputs:
        assert schema["x-nir-formula"] in FORMULAS
    if schema["x-nir-kind"] == "neuron":
        assert inputs == outputs and inputs <= fields, f"{unit}: a neuron's port shape is its parameters' shape"


def test_formulas_exist_and_are_documented():
    used = set()
    for unit, schema in unit_schemas().items():
        if "x-nir-formula" in schema:
            name = schema["x-nir-formula"]
            assert name in FORMULAS, f"{unit}: unknown formula {name!r}"
            assert f"Formula `{name}`" in schema["description"], f"{unit}: formula {name!r} is not defined"
            used.add(name)
    assert used == set(FORMULAS), "a formula in nir.shapes.FORMULAS is used by no unit"


def test_roles_mark_the_graph_entry_and_exit():
    roles = {unit: schema.get("x-nir-role") for unit, schema in unit_schemas().items()}
    assert {u: r for u, r in roles.items() if r} == {"Input": "graph-input", "Output": "graph-output"}


@pytest.mark.parametrize("unit", UNITS)
def test_parsed_unit_rules_match_the_schema(unit):
    schema = unit_schemas()[unit]
    rules = spec.unit(unit)
    assert [f.name for f in rules.fields] == [p for p in schema["properties"] if p not in ("type", "metadata")]
    assert {f.name for f in rules.fields if f.required} == set(schema["required"]) - {"type"}
    assert rules.formula == schema.get("x-nir-formula")
    assert rules.kind == schema["x-nir-kind"] and rules.since == "1.0"


# --- the installed copy ---------------------------------------------------------------------------------------


def test_schema_is_readable_through_importlib_resources():
    resource = files("nir").joinpath("schema", "1.0", "units", "LIF.schema.json")
    assert json.loads(resource.read_text("utf-8")) == load("units/LIF.schema.json")
    folder = spec.schema_dir()
    assert folder.is_dir()
    assert spec.schema_dir("1.0") == folder
    assert "1.0" in spec.spec_versions()
    assert spec.schema_id() == BASE + "document.schema.json"
    with pytest.raises(ValueError, match="unknown spec version"):
        spec.schema_dir("0.9")


def test_installed_schema_is_the_repository_schema():
    folder = spec.schema_dir()
    assert folder.resolve() == SCHEMA.resolve()
    installed = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.schema.json"))
    assert installed == FILES
    for rel in FILES:
        assert (folder / rel).samefile(SCHEMA / rel)


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(), reason="needs a git checkout")
def test_repository_holds_one_copy_of_the_schema():
    tracked = subprocess.run(
        ["git", "ls-files", "-s"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    paths = {line.split("\t", 1)[1]: line.split()[0] for line in tracked}
    schema_files = [p for p in paths if p.endswith(".schema.json")]
    assert schema_files and all(p.startswith("schema/") for p in schema_files), schema_files
    assert paths.get("src/nir/schema") == "120000", "src/nir/schema should be a symlink to ../../schema"


# --- validating documents -------------------------------------------------------------------------------------


@cache
def file_validator() -> jsonschema.Draft202012Validator:
    """The document schema resolved through the individual files (what a non-Python tool would load)."""
    resources = [(load(f)["$id"], Resource.from_contents(load(f))) for f in FILES]
    return jsonschema.Draft202012Validator(load("document.schema.json"), registry=Registry().with_resources(resources))


@pytest.mark.parametrize("make", [lambda: jsonschema.Draft202012Validator(spec.bundled()), file_validator])
def test_hand_written_document_is_valid(make):
    validator = make()
    errors = [e.message for e in validator.iter_errors(hand_written_document())]
    assert errors == []


def _drop_tau(doc):
    del doc["graph"]["nodes"]["lif"]["tau"]


def _set(path, value):
    def mutate(doc):
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


LIF_TAU = ("graph", "nodes", "lif", "tau")
INVALID = {
    "missing field": _drop_tau,
    "unknown type": _set(("graph", "nodes", "lif", "type"), "Foo"),
    "tau with a string element": _set((*LIF_TAU, "data", 0), "fast"),
    "tau NaN (not finite)": _set((*LIF_TAU, "data", 0), "NaN"),
    "tau negative (not positive)": _set((*LIF_TAU, "data", 1), -0.02),
    "r negative": _set(("graph", "nodes", "lif", "r", "data", 0), -1.0),
    "unknown dtype": _set((*LIF_TAU, "dtype"), "complex64"),
    "tensor without shape": lambda doc: doc["graph"]["nodes"]["lif"]["tau"].pop("shape"),
    "unknown field": _set(("graph", "nodes", "lif", "tau_mem"), tensor("float32", [2], [0.1, 0.1])),
    "negative io shape": _set(("graph", "nodes", "input", "shape"), [-2]),
    "edge of three names": lambda doc: doc["graph"]["edges"].append(["input", "affine", "lif"]),
    "empty node name in edge": lambda doc: doc["graph"]["edges"].append(["", "lif"]),
    "newer version": _set(("version",), "2.0"),
    "missing version": lambda doc: doc.pop("version"),
    "metadata not an object": _set(("graph", "metadata"), None),
    "bad padding mode": lambda doc: doc["graph"]["nodes"].update(conv=_conv("full")),
}


def _conv(padding):
    return {
        "type": "Conv1d",
        "weight": tensor("float32", [1, 1, 1], [1.0]),
        "bias": tensor("float32", [1], [0.0]),
        "padding": padding,
    }


VALID = {
    "conv padding same": _set(("graph", "nodes", "conv"), _conv("same")),
    "conv padding 2": _set(("graph", "nodes", "conv"), _conv(2)),
    "0-d tau": _set(LIF_TAU, tensor("float64", [], [0.01])),
    "int64 tau": _set(LIF_TAU, tensor("int64", [2], [1, 2])),
    "metadata with a tensor": _set(("graph", "metadata", "table"), tensor("int16", [2], [1, 2])),
    "nested graph": _set(("graph", "nodes", "sub"), copy.deepcopy(hand_written_document()["graph"])),
}


@pytest.mark.parametrize("case", list(VALID))
def test_valid_variants_are_accepted(case):
    doc = copy.deepcopy(hand_written_document())
    VALID[case](doc)
    assert [e.message for e in jsonschema.Draft202012Validator(spec.bundled()).iter_errors(doc)] == []
    assert file_validator().is_valid(doc)


@pytest.mark.parametrize("case", list(INVALID))
def test_invalid_documents_are_rejected(case):
    doc = copy.deepcopy(hand_written_document())
    INVALID[case](doc)
    assert not jsonschema.Draft202012Validator(spec.bundled()).is_valid(doc)
    assert not file_validator().is_valid(doc)


@pytest.mark.parametrize("name", sorted(valid_nodes()))
def test_models_dump_json_that_the_schema_accepts(name):
    node = valid_nodes()[name]
    data = node.model_dump(mode="json", by_alias=True)
    errors = [e.message for e in def_validator(f"#/$defs/{name}").iter_errors(data)]
    assert errors == []


def test_recurrent_graph_dumps_a_valid_document():
    doc = {"version": spec.SPEC_VERSION, "graph": recurrent_graph().model_dump(mode="json", by_alias=True)}
    assert [e.message for e in jsonschema.Draft202012Validator(spec.bundled()).iter_errors(doc)] == []


def test_hand_written_document_loads_into_the_models():
    graph = nir.NIRGraph.from_dict(hand_written_document()["graph"])
    assert graph.nodes["lif"].tau.dtype == "float32"
    assert graph.nodes["lif"].v_reset.dtype == "float64"  # an explicit tensor keeps its own dtype
    assert [int(x) for x in graph.output_type["output"]] == [2]


def test_graph_without_metadata_dumps_a_valid_document():
    graph = nir.NIRGraph.from_list(valid_nodes()["Affine"])
    doc = {"version": spec.SPEC_VERSION, "graph": graph.model_dump(mode="json", by_alias=True)}
    assert [e.message for e in jsonschema.Draft202012Validator(spec.bundled()).iter_errors(doc)] == []
