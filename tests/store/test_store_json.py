"""JSON documents: schema-valid output, tensors as {dtype, shape, data}, non-finite floats,
bit-identical round trips HDF5 -> JSON -> HDF5, and JSON files (issue #3, point 6)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pytest
from support.cases import nested_graph, recurrent_graph, small_graph, valid_nodes
from support.store import assert_same_tensors, chain, tensors, with_dtype
from support.store_summary import differences, summarise

import nir
from nir.spec import schema_id

CORPUS_NAMES = [
    "braille_noDelay_noBias_subtract.nir",
    "braille_noDelay_noBias_subtract_subgraph.nir",
    "cnn_sinabs.nir",
    "lif_norse.nir",
    "lif_rockpool.nir",
]


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = nir.spec.bundled()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _errors(validator: jsonschema.Draft202012Validator, doc: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]


def _strict_loads(text: str) -> Any:
    def refuse(token: str) -> None:
        raise AssertionError(f"bare {token} in JSON text")

    return json.loads(text, parse_constant=refuse)


DTYPES = [np.float16, np.float32, np.float64, np.int64]
UNITS = sorted(valid_nodes())


def _catalogue(dtype: Any) -> dict[str, nir.NIRGraph]:
    """One graph per unit of the catalogue, its tensors of `dtype`."""
    out = {}
    for unit, node in valid_nodes().items():
        if dtype is np.int64:
            node = _as_int64(node)
        elif dtype is not np.float32:
            node = with_dtype(node, dtype)
        out[unit] = node if unit == "NIRGraph" else chain(unit, node)
    return out


def _as_int64(node: nir.NIRNode) -> nir.NIRNode:
    if isinstance(node, nir.NIRGraph):
        return nir.NIRGraph(
            nodes={k: _as_int64(n) for k, n in node.nodes.items()}, edges=list(node.edges), type_check=False
        )
    fields = {
        k: (np.ceil(v * 10).astype(np.int64) if isinstance(v, np.ndarray) and v.dtype.kind == "f" else v)
        for k, v in node.to_dict().items()
        if k != "type"
    }
    return type(node)(**fields)


# --- the document ------------------------------------------------------------------------


@pytest.mark.parametrize("make", [small_graph, nested_graph, recurrent_graph], ids=lambda f: f.__name__)
def test_to_json_validates_against_the_bundled_schema(validator, make) -> None:
    doc = _strict_loads(nir.to_json(make()))
    assert _errors(validator, doc) == []
    assert doc["$schema"] == schema_id()
    assert doc["version"] == nir.SPEC_VERSION
    assert doc["graph"]["type"] == "NIRGraph"


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_every_unit_validates_in_json(validator, dtype: Any) -> None:
    for unit, graph in _catalogue(dtype).items():
        doc = _strict_loads(nir.to_json(graph))
        assert _errors(validator, doc) == [], unit
        node = doc["graph"]["nodes"].get("unit", {})
        tensors_in_doc = [v for v in node.values() if isinstance(v, dict) and "dtype" in v]
        if dtype is not np.int64:
            assert all(t["dtype"] in (np.dtype(dtype).name, "int64") for t in tensors_in_doc), unit


def _sampled(doc: Any, keep: int = 64) -> Any:
    """The document with each tensor's `data` cut to its first elements (shape kept).

    jsonschema checks about 15k tensor elements a second and cnn_sinabs holds 67k; the
    structure is checked in full, element types on a sample (all of the small tensors).
    """
    if isinstance(doc, dict):
        if set(doc) == {"dtype", "shape", "data"}:
            return {**doc, "data": doc["data"][:keep]}
        return {k: _sampled(v, keep) for k, v in doc.items()}
    return doc


@pytest.mark.parametrize("name", CORPUS_NAMES)
def test_corpus_graphs_validate_in_json(validator, corpus: Path, name: str) -> None:
    doc = _strict_loads(nir.to_json(nir.read(corpus / name, warn_findings=False)))
    assert _errors(validator, _sampled(doc)) == []


def test_the_schema_is_not_a_rubber_stamp(validator) -> None:
    doc = json.loads(nir.to_json(small_graph()))
    assert _errors(validator, doc) == []
    broken = json.loads(json.dumps(doc))
    del broken["graph"]["nodes"]["affine"]["weight"]
    assert _errors(validator, broken)
    broken = json.loads(json.dumps(doc))
    broken["graph"]["nodes"]["affine"]["weight"]["dtype"] = "complex64"
    assert _errors(validator, broken)
    broken = json.loads(json.dumps(doc))
    broken["graph"]["nodes"]["lif"]["type"] = "Spiky"
    assert _errors(validator, broken)


def test_tensors_are_dtype_shape_data_objects() -> None:
    graph = small_graph()
    doc = json.loads(nir.to_json(graph))
    affine = doc["graph"]["nodes"]["affine"]
    weight = graph.nodes["affine"].weight
    assert affine["weight"]["dtype"] == "float32"
    assert affine["weight"]["shape"] == [4, 3]
    assert len(affine["weight"]["data"]) == 12
    assert np.array(affine["weight"]["data"], np.float32).reshape(4, 3).tobytes() == weight.tobytes()
    assert affine["bias"]["shape"] == [4]
    lif = doc["graph"]["nodes"]["lif"]
    assert set(lif) == {"type", "tau", "r", "v_leak", "v_threshold", "v_reset"}
    assert all(set(lif[f]) == {"dtype", "shape", "data"} for f in lif if f != "type")
    assert doc["graph"]["nodes"]["input"] == {"type": "Input", "shape": [3]}
    assert doc["graph"]["edges"] == [["input", "affine"], ["affine", "lif"], ["lif", "output"]]
    assert doc["graph"]["metadata"] == {"description": "small feed-forward graph"}


def test_zero_dimensional_tensor_in_json() -> None:
    graph = nir.NIRGraph(
        nodes={
            "input": nir.Input(np.array([3])),
            "scale": nir.Scale(scale=np.float64(2.5)),
            "output": nir.Output(np.array([3])),
        },
        edges=[("input", "scale"), ("scale", "output")],
    )
    assert graph.nodes["scale"].scale.shape == ()  # kept as given in memory...
    doc = json.loads(nir.to_json(graph))
    # ...and written at the shape its graph gives it, as the reference's type check needs
    assert doc["graph"]["nodes"]["scale"]["scale"] == {"dtype": "float64", "shape": [3], "data": [2.5, 2.5, 2.5]}
    back = nir.from_json(doc)
    assert back.nodes["scale"].scale.shape == (3,) and back.nodes["scale"].scale.dtype == np.float64


def test_indent_only_changes_the_layout() -> None:
    graph = nested_graph()
    compact, pretty = nir.to_json(graph), nir.to_json(graph, indent=2)
    assert "\n" not in compact and "\n" in pretty
    assert json.loads(compact) == json.loads(pretty)


# --- non-finite values -----------------------------------------------------------------


def _non_finite_graph(dtype: Any = np.float32) -> nir.NIRGraph:
    weight = np.array([[np.nan, np.inf], [-np.inf, 1.5]], dtype)
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(np.array([2])),
            "linear": nir.Linear(weight=weight),
            "output": nir.Output(np.array([2])),
        },
        edges=[("input", "linear"), ("linear", "output")],
        type_check=False,
    )


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_nan_and_infinities_are_spelled_as_strings_and_survive(dtype: Any) -> None:
    graph = _non_finite_graph(dtype)
    text = nir.to_json(graph)
    doc = _strict_loads(text)  # strict JSON: no bare NaN / Infinity tokens
    assert doc["graph"]["nodes"]["linear"]["weight"]["data"] == ["NaN", "Infinity", "-Infinity", 1.5]

    with pytest.raises(nir.NIRValidationError) as info:
        nir.from_json(text, strict=True)
    assert "non-finite" in info.value.report.codes()

    back = nir.from_json(text, warn_findings=False)
    weight = back.nodes["linear"].weight
    assert weight.dtype == dtype
    assert np.isnan(weight[0, 0]) and weight[0, 1] == np.inf and weight[1, 0] == -np.inf and weight[1, 1] == 1.5
    assert weight.tobytes() == graph.nodes["linear"].weight.tobytes()
    (finding,) = [f for f in back.report if f.code == "non-finite"]
    assert finding.path == "/nodes/linear/weight" and "3 non-finite" in finding.message


def test_schema_and_runtime_agree_that_weights_must_be_finite(validator) -> None:
    doc = json.loads(nir.to_json(_non_finite_graph()))
    errors = _errors(validator, doc)
    assert errors and all(e.startswith("graph/nodes/linear") for e in errors)


def test_non_finite_weights_survive_hdf5(tmp_path: Path) -> None:
    graph = _non_finite_graph()
    path = tmp_path / "nan.nir"
    with pytest.warns(nir.NIRWarning, match="non-finite"):
        nir.write(path, graph)
    with pytest.raises(nir.NIRValidationError, match="non-finite"):
        nir.read(path, strict=True)
    with pytest.warns(nir.NIRWarning, match="non-finite"):
        back = nir.read(path)
    assert back.nodes["linear"].weight.tobytes() == graph.nodes["linear"].weight.tobytes()
    unchecked = nir.read(path, type_check=False)  # no checks, so nothing to raise
    assert unchecked.nodes["linear"].weight.tobytes() == graph.nodes["linear"].weight.tobytes()
    # and on through JSON and back to HDF5
    again = tmp_path / "again.nir"
    nir.write(again, nir.from_json(nir.to_json(back), warn_findings=False), warn_findings=False)
    assert (
        nir.read(again, warn_findings=False).nodes["linear"].weight.tobytes() == graph.nodes["linear"].weight.tobytes()
    )


def test_non_finite_metadata_array_survives_but_a_float_is_refused() -> None:
    graph = small_graph()
    graph.metadata["trace"] = np.array([np.nan, 1.0], np.float32)
    back = nir.from_json(nir.to_json(graph))
    assert back.metadata["trace"].dtype == np.float32 and np.isnan(back.metadata["trace"][0])
    graph.metadata["bad"] = float("nan")
    with pytest.raises(ValueError, match="NaN"):
        nir.to_json(graph)


# --- round trips -----------------------------------------------------------------------


def _hdf5_json_hdf5(graph: nir.NIRGraph) -> nir.NIRGraph:
    stream = io.BytesIO()
    nir.write(stream, graph)
    first = nir.read(io.BytesIO(stream.getvalue()), warn_findings=False)
    via = nir.from_json(nir.to_json(first), warn_findings=False)
    out = io.BytesIO()
    nir.write(out, via)
    return nir.read(io.BytesIO(out.getvalue()), warn_findings=False)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_catalogue_round_trips_hdf5_json_hdf5_bit_identical(dtype: Any) -> None:
    for unit, graph in _catalogue(dtype).items():
        back = _hdf5_json_hdf5(graph)
        assert_same_tensors(tensors(graph), tensors(back))
        assert differences(summarise(graph), summarise(back)) == [], unit
        if dtype is not np.int64:
            floats = [v for v in tensors(back).values() if v.dtype.kind == "f"]
            assert all(v.dtype == dtype for v in floats), unit


@pytest.mark.parametrize("make", [nested_graph, recurrent_graph], ids=lambda f: f.__name__)
def test_graphs_round_trip_through_json(make) -> None:
    graph = make()
    back = nir.from_json(nir.to_json(graph))
    assert differences(summarise(graph), summarise(back)) == []
    assert differences(summarise(graph), summarise(_hdf5_json_hdf5(graph))) == []


@pytest.mark.parametrize("name", CORPUS_NAMES)
def test_corpus_round_trips_hdf5_json_hdf5_bit_identical(corpus: Path, tmp_path: Path, name: str) -> None:
    first = nir.read(corpus / name, warn_findings=False)
    via = nir.from_json(nir.to_json(first), warn_findings=False)
    assert_same_tensors(tensors(first), tensors(via))
    nir.write(tmp_path / name, via, warn_findings=False)
    last = nir.read(tmp_path / name, warn_findings=False)
    assert_same_tensors(tensors(first), tensors(last))
    assert differences(summarise(first), summarise(last)) == []
    # the findings are those of the original, less the migration of the old layout
    assert sorted(c for c in first.report.codes() if c != "migrated") == sorted(last.report.codes())


# --- JSON files ------------------------------------------------------------------------


def test_write_json_and_read_json(tmp_path: Path, validator) -> None:
    graph = nested_graph()
    path = tmp_path / "graph.json"
    nir.write_json(path, graph)
    assert [p.name for p in tmp_path.iterdir()] == ["graph.json"]  # no temporary left behind
    text = path.read_text("utf-8")
    assert "\n" in text  # indented by default
    assert _errors(validator, _strict_loads(text)) == []
    back = nir.read_json(path)
    assert differences(summarise(graph), summarise(back)) == []
    assert back.report is not None and back.report.ok
    nir.write_json(str(path), small_graph(), indent=None)  # replaces, accepts str
    assert "\n" not in path.read_text("utf-8")
    assert differences(summarise(small_graph()), summarise(nir.read_json(str(path)))) == []


def test_read_json_strictness(tmp_path: Path, corpus: Path) -> None:
    graph = nir.read(corpus / "braille_noDelay_noBias_subtract_subgraph.nir", warn_findings=False)
    path = tmp_path / "bad.json"
    nir.write_json(path, graph, warn_findings=False)
    with pytest.raises(nir.NIRValidationError, match="unknown-node"):
        nir.read_json(path, strict=True)
    with pytest.warns(nir.NIRWarning, match="unknown-node"):
        back = nir.read_json(path)
    assert back.report.codes().count("unknown-node") == 4
    assert nir.validate(path).codes().count("unknown-node") == 4


def test_bad_json_input_is_a_format_error(tmp_path: Path) -> None:
    with pytest.raises(nir.NIRFormatError, match="cannot read"):
        nir.read_json(tmp_path / "absent.json")
    with pytest.raises(nir.NIRFormatError, match="not JSON"):
        nir.from_json("{not json")
    with pytest.raises(nir.NIRFormatError, match="'graph'"):
        nir.from_json({"version": "1.0"})
    with pytest.raises(nir.NIRFormatError, match="'version'"):
        nir.from_json({"graph": {"type": "NIRGraph", "nodes": {}, "edges": []}})
    with pytest.raises(nir.UnsupportedVersionError, match=r"2\.0"):
        nir.from_json({"version": "2.0", "graph": {"type": "NIRGraph", "nodes": {}, "edges": []}})


def test_from_json_accepts_text_bytes_and_parsed_documents() -> None:
    graph = small_graph()
    text = nir.to_json(graph)
    for form in (text, text.encode(), json.loads(text)):
        assert differences(summarise(graph), summarise(nir.from_json(form))) == []
