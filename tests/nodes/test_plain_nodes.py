"""Validating a file with plain nodes gives the report that reading it into models gives.

`nir validate` and `nir.validate(path)` build plain nodes (no models, no pydantic: a fast
start); `nir.read` builds the models. Both keep arguments with `keep_arguments`, and this
tier holds them to the same report on every file at hand, and the routine to pydantic's
validation of the models' own annotated types.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from support.badinput import catalogue, materialise

import nir
from nir.arguments import keep_arguments
from nir.errors import NIRArgumentError, NIRFormatError, UnsupportedVersionError
from nir.fields import fields_of, kind_of
from nir.findings import Report
from nir.node import _describe, node_types, values_equal
from nir.plain import PlainGraph, PlainNode, plain_classes
from nir.store import load, read_json
from nir.store.reading import validate_path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
CONFORMANCE = ROOT / "conformance" / "cases"


def model_report(path: Path) -> Report:
    """The report of reading `path` into models, a file that cannot be read as one finding (as validate_path does)."""
    try:
        if path.suffix == ".json":
            return read_json(path, warn_findings=False).report
        return load(path, lazy=True)[1]
    except UnsupportedVersionError as err:
        report = Report(source=str(path))
        report.add("unsupported-version", "", str(err))
        return report
    except NIRFormatError as err:
        report = Report(source=str(path))
        report.add("unreadable", "", str(err))
        return report


def assert_same_report(path: Path) -> None:
    """The plain nodes' report of `path` is the models' report, finding by finding."""
    plain = validate_path(path)
    assert plain.to_dict() == model_report(path).to_dict()


def conformance_documents(folder: Path) -> list[Path]:
    """Every conformance case's document, each written to its own JSON file."""
    out = []
    for case_file in sorted(CONFORMANCE.glob("*.json")):
        for g, group in enumerate(json.loads(case_file.read_text("utf-8"))):
            for c, case in enumerate(group["cases"]):
                path = folder / f"{case_file.stem}-{g}-{c}.json"
                path.write_text(json.dumps(case["document"]), "utf-8")
                out.append(path)
    return out


def test_corpus_and_examples_report_alike() -> None:
    files = sorted(CORPUS.glob("*.nir")) + sorted((ROOT / "examples").glob("*.nir"))
    assert len(files) >= 8
    for path in files:
        assert_same_report(path)


def test_every_conformance_document_reports_alike(tmp_path: Path) -> None:
    documents = conformance_documents(tmp_path)
    assert len(documents) > 150
    invalid = 0
    for path in documents:
        assert_same_report(path)
        invalid += not validate_path(path).ok
    assert invalid > 50  # the documents exercise the checks, not only valid graphs


def test_every_bad_file_reports_alike(tmp_path: Path) -> None:
    # Isolated cases are those that may hang or crash libhdf5: the folder run's cases are safe here.
    written = materialise([c for c in catalogue() if not c.isolated], tmp_path / "files", tmp_path / "work")
    assert len(written) > 80
    for path in written.values():
        assert_same_report(path)


def test_validating_builds_plain_nodes(tmp_path: Path) -> None:
    graph = load(CORPUS / "lif_norse.nir", build=None)[0]
    assert isinstance(graph, nir.NIRGraph)
    from nir.store.document import plain_builders

    plain = load(CORPUS / "lif_norse.nir", build=plain_builders())[0]
    assert isinstance(plain, PlainGraph)
    assert all(isinstance(n, PlainNode | PlainGraph) for n in plain.nodes.values())
    assert set(plain.nodes) == set(graph.nodes)


# --- the routine against pydantic ----------------------------------------------------------------


def node_types_of(module: Any) -> dict[str, type]:
    """The registry of node classes, once `module` (which imports the models) is loaded."""
    assert module.LIF is not None
    return node_types()


UNITS = sorted(name for name, cls in node_types_of(nir.ir).items() if fields_of(cls).arguments is not None)
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 5),
    st.floats(-2, 2, allow_nan=False),
    st.sampled_from(["same", "valid", "x", b"same", "", "1"]),
    st.lists(st.integers(0, 4), max_size=3),
    st.tuples(st.integers(0, 4), st.integers(0, 4)),
    st.sampled_from(
        [
            np.zeros(3, np.float32),
            np.ones((2, 3)),
            np.array(2),
            np.array([1, 2], np.int64),
            np.array(["a"]),
            np.int64(2),
            np.float32(0.5),
        ]
    ),
    st.builds(dict, st.dictionaries(st.sampled_from(["a", "b"]), st.integers(0, 2), max_size=2)),
    st.just(object()),
)


PLAUSIBLE = {
    "tensor": st.sampled_from([np.ones(3, np.float32), np.array(0.5), np.zeros((4, 3))]),
    "shape": st.sampled_from([[3], np.array([2, 3], np.int64), (4,)]),
    "metadata": st.sampled_from([{}, {"a": 1}]),
}
"""Values of the right kind, so that many drawn nodes are built (the kinds' names as in nir.types.KINDS)."""


@st.composite
def arguments(draw: Any) -> tuple[str, dict[str, Any]]:
    """A node type and arguments: mostly values of the right kind, some of any kind, some unknown names."""
    unit = draw(st.sampled_from(UNITS))
    fields = fields_of(node_types()[unit])
    kwargs: dict[str, Any] = {}
    for argument in fields.arguments:
        if argument.schema == "type" or not draw(st.integers(0, 19)):
            continue  # one field in twenty left out
        name = draw(st.sampled_from(argument.names))
        kind = kind_of(next((f for f in fields.unit.fields if f.name == argument.schema), None))
        plausible = PLAUSIBLE.get(kind.name if kind else "metadata", st.integers(1, 3))
        kwargs[name] = draw(st.one_of(plausible, plausible, plausible, VALUES))
    if not draw(st.integers(0, 9)):
        kwargs[draw(st.sampled_from(["bogus", *fields.accepted]))] = draw(VALUES)
    kwargs.pop("type", None)
    return unit, kwargs


def _through_pydantic(cls: type, kwargs: dict[str, Any]) -> tuple[Any, str | None]:
    # What BaseModel.__init__ runs: the models' own validation, without NIRNode.__init__.
    model = cls.__new__(cls)
    try:
        cls.__pydantic_validator__.validate_python({"type": cls.__name__, **kwargs}, self_instance=model)
        return model, None
    except ValidationError as err:
        return None, _describe(cls.__name__, err)


def _through_routine(cls: type, kwargs: dict[str, Any]) -> tuple[Any, str | None]:
    try:
        return keep_arguments(fields_of(cls), {"type": cls.__name__, **kwargs}), None
    except NIRArgumentError as err:
        return None, str(err)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arguments())
def test_keeping_arguments_is_what_pydantic_does_with_the_models_types(drawn: tuple[str, dict[str, Any]]) -> None:
    unit, kwargs = drawn
    # None and port dictionaries are the reference API's spellings, translated before pydantic
    # ever saw them; the compatibility tier covers those.
    kwargs = {k: v for k, v in kwargs.items() if v is not None and not isinstance(v, dict)}
    cls = node_types()[unit]
    model, expected = _through_pydantic(cls, kwargs)
    kept, problem = _through_routine(cls, kwargs)
    assert problem == expected
    if model is not None:
        values, given_, numbers = kept
        assert given_ == model.model_fields_set
        assert list(values) == list(cls.model_fields)
        for name in cls.model_fields:
            if name in fields_of(cls).broadcast and (name not in given_ or name in numbers):
                continue  # takes its neighbours' shape once the node is built (see rules.materialize)
            assert values[name] is getattr(model, name) or values_equal(values[name], getattr(model, name)), name


@pytest.mark.parametrize("unit", UNITS)
def test_a_plain_node_keeps_what_a_model_keeps(unit: str) -> None:
    cls = node_types()[unit]
    required = [a for a in fields_of(cls).arguments if a.required and a.schema != "type"]
    kwargs = {a.schema: np.ones(3, np.float32) if a.keep is not None else None for a in required}
    try:
        model = cls(**kwargs)
    except NIRArgumentError as err:
        with pytest.raises(NIRArgumentError, match="^" + str(err).split(":")[0]):
            plain_classes()[unit](**kwargs)
        return
    plain = plain_classes()[unit](**kwargs)
    for schema, attr in fields_of(cls).attribute.items():
        assert values_equal(getattr(model, attr), getattr(plain, schema)), schema
