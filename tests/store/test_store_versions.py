"""Every layout the reference package has written loads: files built here with h5py the way
each release wrote them, and the migrations as functions (issue #3, point 2)."""

from __future__ import annotations

import copy
import io
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest
from support.store import legacy_graph, write_legacy

import nir
from nir.store import versions

F32, F64 = np.float32, np.float64

# --- layout_of -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "layout"),
    [
        (None, "0.0"),
        ("0.1.0", "0.1"),
        ("0.1.1", "0.1"),
        ("0.2.0", "0.2"),
        ("0.2.1", "0.2"),
        ("0.5.0", "0.2"),
        ("0.6.2", "0.2"),
        ("1.0", "1.0"),
        ("1.0.0", "1.0"),
        ("1.0.8", "1.0"),
        ("v1.0.8", "1.0"),
    ],
)
def test_layout_of_each_version(version: str | None, layout: str) -> None:
    assert versions.layout_of(version) == layout
    assert layout in versions.LAYOUTS


def test_layouts_are_ordered_and_end_at_the_current_spec() -> None:
    assert versions.LAYOUTS == ("0.0", "0.1", "0.2", "1.0")
    assert versions.CURRENT == nir.SPEC_VERSION == versions.LAYOUTS[-1]
    # each migration leads to the next layout
    for older, newer in zip(versions.LAYOUTS, versions.LAYOUTS[1:], strict=False):
        assert versions.MIGRATIONS[older][0] == newer


@pytest.mark.parametrize("version", ["2.0.0", "3.1", "10.0"])
def test_future_major_version_is_unsupported(version: str) -> None:
    with pytest.raises(nir.UnsupportedVersionError, match=version.replace(".", r"\.")):
        versions.layout_of(version)


def test_unrecognised_version_string_is_unsupported() -> None:
    with pytest.raises(nir.UnsupportedVersionError, match="garbage"):
        versions.layout_of("garbage")


def test_unsupported_version_error_is_a_format_error_and_a_value_error() -> None:
    assert issubclass(nir.UnsupportedVersionError, nir.NIRFormatError)
    assert issubclass(nir.UnsupportedVersionError, ValueError)


# --- the migrations as functions -------------------------------------------------------


def _tree() -> dict[str, Any]:
    """A 0.0-era graph tree: CubaLIF without w_in, LIF and IF without v_reset, one nested graph."""
    return {
        "type": "NIRGraph",
        "nodes": {
            "lif": {
                "type": "LIF",
                "tau": np.full(3, 0.01, F32),
                "r": np.ones(3, F32),
                "v_leak": np.zeros(3, F32),
                "v_threshold": np.ones(3, F32),
            },
            "cuba": {
                "type": "CubaLIF",
                "tau_syn": np.full((2, 2), 0.01),
                "tau_mem": np.full((2, 2), 0.02),
                "r": np.ones((2, 2)),
                "v_leak": np.zeros((2, 2)),
                "v_threshold": np.ones((2, 2)),
            },
            "affine": {"type": "Affine", "weight": np.ones((3, 3), F32), "bias": np.zeros(3, F32)},
            "sub": {
                "type": "NIRGraph",
                "nodes": {
                    "if": {"type": "IF", "r": np.ones(4, F64), "v_threshold": np.full(4, 2.0, F64)},
                    "culi": {
                        "type": "CubaLI",
                        "tau_syn": np.ones(4, F32),
                        "tau_mem": np.ones(4, F32),
                        "r": np.ones(4, F32),
                        "v_leak": np.zeros(4, F32),
                    },
                },
                "edges": np.empty((0, 2), object),
            },
        },
        "edges": np.empty((0, 2), object),
    }


def test_from_0_0_changes_nothing_and_says_so() -> None:
    tree = _tree()
    notes = versions.from_0_0(tree)
    assert len(notes) == 1 and "no version" in notes[0]
    untouched = _tree()
    assert tree.keys() == untouched.keys()
    assert tree["nodes"].keys() == untouched["nodes"].keys()
    assert "w_in" not in tree["nodes"]["cuba"] and "v_reset" not in tree["nodes"]["lif"]


def test_from_0_1_adds_w_in_ones_shaped_like_v_leak() -> None:
    tree = _tree()
    notes = versions.from_0_1(tree)
    assert notes == ["added w_in = 1 to 2 node(s)"]
    cuba = tree["nodes"]["cuba"]["w_in"]
    assert cuba.dtype == F64 and cuba.shape == (2, 2) and np.all(cuba == 1)
    culi = tree["nodes"]["sub"]["nodes"]["culi"]["w_in"]  # nested graphs are reached
    assert culi.dtype == F32 and culi.shape == (4,) and np.all(culi == 1)
    # only CubaLI / CubaLIF, and no v_reset yet
    assert "w_in" not in tree["nodes"]["lif"]
    assert "v_reset" not in tree["nodes"]["cuba"] and "v_reset" not in tree["nodes"]["lif"]
    assert set(tree["nodes"]["affine"]) == {"type", "weight", "bias"}


def test_from_0_1_keeps_an_existing_w_in() -> None:
    tree = _tree()
    tree["nodes"]["cuba"]["w_in"] = np.full((2, 2), 4.0)
    assert versions.from_0_1(tree) == ["added w_in = 1 to 1 node(s)"]
    assert np.all(tree["nodes"]["cuba"]["w_in"] == 4.0)


def test_from_0_2_adds_v_reset_zeros_shaped_like_v_threshold() -> None:
    tree = _tree()
    notes = versions.from_0_2(tree)
    assert notes == ["added v_reset = 0 to 3 node(s)"]
    lif = tree["nodes"]["lif"]["v_reset"]
    assert lif.dtype == F32 and lif.shape == (3,) and not lif.any()
    cuba = tree["nodes"]["cuba"]["v_reset"]
    assert cuba.dtype == F64 and cuba.shape == (2, 2) and not cuba.any()
    if_ = tree["nodes"]["sub"]["nodes"]["if"]["v_reset"]
    assert if_.dtype == F64 and if_.shape == (4,) and not if_.any()
    assert "v_reset" not in tree["nodes"]["sub"]["nodes"]["culi"]  # CubaLI has no reset
    assert "w_in" not in tree["nodes"]["cuba"]  # not this step's business


def test_from_0_2_keeps_an_existing_v_reset_and_handles_scalars() -> None:
    tree = {
        "type": "NIRGraph",
        "nodes": {
            "a": {"type": "LIF", "v_threshold": np.ones(2, F32), "v_reset": np.full(2, -1.0, F32)},
            "b": {"type": "IF", "r": np.array(1.0, F32), "v_threshold": np.array(0.5, F32)},
        },
    }
    assert versions.from_0_2(tree) == ["added v_reset = 0 to 1 node(s)"]
    assert np.all(tree["nodes"]["a"]["v_reset"] == -1.0)
    scalar = tree["nodes"]["b"]["v_reset"]
    assert scalar.shape == () and scalar.dtype == F32 and scalar == 0


def test_upgrade_chains_every_step_in_order() -> None:
    tree = _tree()
    notes = versions.upgrade(tree, "0.0")
    assert [n.split(":")[0] for n in notes] == ["0.0 -> 0.1", "0.1 -> 0.2", "0.2 -> 1.0"]
    assert "w_in" in notes[1] and "v_reset" in notes[2]
    assert np.all(tree["nodes"]["cuba"]["w_in"] == 1) and not tree["nodes"]["cuba"]["v_reset"].any()
    assert not tree["nodes"]["lif"]["v_reset"].any()


def test_upgrade_from_0_2_only_adds_v_reset() -> None:
    tree = _tree()
    notes = versions.upgrade(tree, "0.2")
    assert notes == ["0.2 -> 1.0: added v_reset = 0 to 3 node(s)"]
    assert "w_in" not in tree["nodes"]["cuba"]


def test_upgrade_notes_a_step_that_changes_nothing() -> None:
    tree = {"type": "NIRGraph", "nodes": {}, "edges": np.empty((0, 2), object)}
    assert versions.upgrade(tree, "0.1") == ["0.1 -> 0.2: no change needed", "0.2 -> 1.0: no change needed"]


def test_upgrade_steps_over_types_and_node_groups_that_are_not_what_they_should_be() -> None:
    """A damaged old file: migrations touch only nodes whose type is a string (found by fuzzing)."""
    tree = {
        "type": "NIRGraph",
        "nodes": {
            "lif": {"type": "LIF", "v_threshold": np.ones(2, F32)},
            "odd": {"type": np.array(["LIF", "IF"], dtype=object), "v_threshold": np.ones(2, F32)},
            "num": {"type": np.arange(3), "v_threshold": np.ones(2, F32)},
            "sub": {"type": "NIRGraph", "nodes": np.arange(4)},
        },
    }
    assert versions.upgrade(tree, "0.1") == [
        "0.1 -> 0.2: no change needed",
        "0.2 -> 1.0: added v_reset = 0 to 1 node(s)",
    ]
    assert "v_reset" in tree["nodes"]["lif"] and "v_reset" not in tree["nodes"]["odd"]


def test_upgrade_of_the_current_layout_is_a_no_op() -> None:
    tree = _tree()
    reference = copy.deepcopy(tree)
    assert versions.upgrade(tree, versions.CURRENT) == []
    assert "v_reset" not in tree["nodes"]["lif"] and tree["nodes"].keys() == reference["nodes"].keys()


# --- files of every era ----------------------------------------------------------------


def _lif(era_version: str | None) -> dict[str, Any]:
    node = {
        "type": "LIF",
        "tau": np.array([0.01, 0.02], F32),
        "r": np.array([1.0, 2.0], F32),
        "v_leak": np.zeros(2, F32),
        "v_threshold": np.array([1.0, 0.5], F32),
    }
    if versions.layout_of(era_version) == "1.0":
        node["v_reset"] = np.array([-0.5, -0.25], F32)
    return node


def _cuba(era_version: str | None) -> dict[str, Any]:
    node = {
        "type": "CubaLIF",
        "tau_syn": np.array([0.01, 0.02]),
        "tau_mem": np.array([0.02, 0.04]),
        "r": np.array([1.0, 1.0]),
        "v_leak": np.zeros(2),
        "v_threshold": np.ones(2),
    }
    layout = versions.layout_of(era_version)
    if layout in ("0.2", "1.0"):
        node["w_in"] = np.array([2.0, 3.0])
    if layout == "1.0":
        node["v_reset"] = np.array([0.1, 0.2])
    return node


ERAS = [None, "0.1.1", "0.2.0", "0.5.0", "1.0.0", "1.0.8"]


@pytest.mark.parametrize("strings", ["vlen", "fixed"])
@pytest.mark.parametrize("version", ERAS, ids=lambda v: v or "no-version")
def test_file_of_every_era_loads(tmp_path: Path, version: str | None, strings: str) -> None:
    path = tmp_path / "old.nir"
    tree = legacy_graph(
        {
            "input": {"type": "Input", "shape": np.array([2])},
            "lif": _lif(version),
            "cuba": _cuba(version),
            "output": {"type": "Output", "shape": np.array([2])},
        },
        [("input", "lif"), ("lif", "cuba"), ("cuba", "output")],
    )
    write_legacy(path, version, tree, strings=strings)
    assert nir.read_version(path) == version

    graph = nir.read(path)  # strict: no error finding
    # h5py groups without creation order list their members by name, as the reference reads them
    assert list(graph.nodes) == ["cuba", "input", "lif", "output"]
    assert [type(n).__name__ for n in graph.nodes.values()] == ["CubaLIF", "Input", "LIF", "Output"]
    assert graph.edges == [("input", "lif"), ("lif", "cuba"), ("cuba", "output")]
    assert all(isinstance(x, str) for e in graph.edges for x in e)
    assert graph.nodes["input"].shape.tolist() == [2] and graph.nodes["output"].shape.tolist() == [2]

    lif, cuba = graph.nodes["lif"], graph.nodes["cuba"]
    assert lif.tau.dtype == F32 and lif.tau.tolist() == pytest.approx([0.01, 0.02])
    layout = versions.layout_of(version)
    assert lif.v_reset.dtype == F32 and lif.v_reset.shape == (2,)
    assert cuba.v_reset.dtype == F64 and cuba.v_reset.shape == (2,)
    assert cuba.w_in.dtype == F64 and cuba.w_in.shape == (2,)
    if layout == "1.0":
        assert lif.v_reset.tolist() == [-0.5, -0.25] and cuba.v_reset.tolist() == [0.1, 0.2]
    else:
        assert lif.v_reset.tolist() == [0, 0] and cuba.v_reset.tolist() == [0, 0]
    if layout in ("0.0", "0.1"):
        assert cuba.w_in.tolist() == [1, 1]
    else:
        assert cuba.w_in.tolist() == [2.0, 3.0]

    migrated = [f for f in graph.report if f.code == "migrated"]
    if layout == "1.0":
        assert migrated == []
        assert graph.report.findings == []
    else:
        assert len(migrated) == 1 and migrated[0].severity == "info"
        assert (version or "none") in migrated[0].message
        assert "v_reset" in migrated[0].message
        assert ("w_in" in migrated[0].message) == (layout in ("0.0", "0.1"))
        assert graph.report.codes() == ["migrated"]
    for node in ("lif", "cuba"):
        assert graph.nodes[node].input_type["input"].tolist() == [2]


def _conv_graph(padding: Any, stride: Any, dilation: Any, input_shape: Any, out: list[int]) -> nir.NIRGraph:
    conv: dict[str, Any] = {
        "type": "Conv2d",
        "weight": np.arange(4 * 2 * 3 * 3, dtype=F32).reshape(4, 2, 3, 3) / 100,
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
        "groups": np.int64(1),
        "bias": np.zeros(4, F32),
    }
    if input_shape is not None:
        conv["input_shape"] = input_shape
    stream = io.BytesIO()
    write_legacy(
        stream,
        "0.2.0",
        legacy_graph(
            {
                "input": {"type": "Input", "shape": np.array([2, 8, 8])},
                "conv": conv,
                "output": {"type": "Output", "shape": np.array(out)},
            },
            [("input", "conv"), ("conv", "output")],
        ),
    )
    return nir.read(stream)


@pytest.mark.parametrize("input_shape", [None, np.array([8, 8])], ids=["no-input_shape", "input_shape"])
@pytest.mark.parametrize(
    ("padding", "want_padding", "out"),
    [
        (np.bytes_(b"same"), "same", [4, 8, 8]),  # fixed-length bytes
        ("same", "same", [4, 8, 8]),  # variable-length str
        (np.bytes_(b"valid"), "valid", [4, 6, 6]),
        ("valid", "valid", [4, 6, 6]),
        (np.int64(1), (1, 1), [4, 8, 8]),  # int scalar
        (np.array([1, 0]), (1, 0), [4, 8, 6]),  # pair
    ],
    ids=["same-bytes", "same-str", "valid-bytes", "valid-str", "int", "pair"],
)
@pytest.mark.parametrize("stride", [np.int64(1), np.array([1, 1])], ids=["stride-int", "stride-pair"])
def test_conv2d_parameters_of_every_form(input_shape, padding, want_padding, out, stride) -> None:
    graph = _conv_graph(padding, stride, np.int64(1), input_shape, out)
    conv = graph.nodes["conv"]
    values = nir.shapes.view(conv).values  # what the values mean; the node keeps them as the file has them
    assert values["padding"] == want_padding
    assert values["stride"] == (1, 1) and values["dilation"] == (1, 1) and values["groups"] == 1
    assert values["input_shape"] == (8, 8)  # from the file, or inferred (as the reference's read does)
    assert conv.input_type["input"].tolist() == [2, 8, 8]
    assert conv.output_type["output"].tolist() == out
    assert conv.weight.dtype == F32 and conv.weight.shape == (4, 2, 3, 3)


def test_conv2d_stride_and_dilation_pairs_are_kept_apart() -> None:
    # H: floor((8 + 2 - 1*2 - 1) / 2) + 1 = 4; W: floor((8 + 0 - 2*2 - 1) / 1) + 1 = 4
    graph = _conv_graph(np.array([1, 0]), np.array([2, 1]), np.array([1, 2]), np.array([8, 8]), [4, 4, 4])
    values = nir.shapes.view(graph.nodes["conv"]).values
    assert values["stride"] == (2, 1) and values["padding"] == (1, 0) and values["dilation"] == (1, 2)


@pytest.mark.parametrize("padding", [np.bytes_(b"same"), "same", np.int64(1)], ids=["bytes", "str", "int"])
def test_conv1d_old_forms(padding: Any) -> None:
    conv = {
        "type": "Conv1d",
        "weight": np.ones((4, 2, 3), F64),
        "stride": np.int64(1),
        "padding": padding,
        "dilation": np.int64(1),
        "groups": np.int64(1),
        "bias": np.zeros(4, F64),
        "input_shape": np.int64(12),
    }
    stream = io.BytesIO()
    write_legacy(
        stream,
        "0.2.0",
        legacy_graph(
            {
                "input": {"type": "Input", "shape": np.array([2, 12])},
                "conv": conv,
                "output": {"type": "Output", "shape": np.array([4, 12])},
            },
            [("input", "conv"), ("conv", "output")],
        ),
        strings="fixed",
    )
    graph = nir.read(stream)
    node = graph.nodes["conv"]
    assert node.padding == ("same" if not isinstance(padding, np.integer) else 1)
    assert node.input_shape == 12 and node.weight.dtype == F64
    assert node.output_type["output"].tolist() == [4, 12]


@pytest.mark.parametrize(
    "input_type",
    [None, np.array([2, 3, 4]), {"input": np.array([2, 3, 4])}],
    ids=["absent", "array", "port-group"],
)
def test_flatten_input_type_of_every_form(input_type: Any) -> None:
    flatten: dict[str, Any] = {"type": "Flatten", "start_dim": np.int64(0), "end_dim": np.int64(-1)}
    if input_type is not None:
        flatten["input_type"] = input_type
    stream = io.BytesIO()
    write_legacy(
        stream,
        "0.2.0",
        legacy_graph(
            {
                "input": {"type": "Input", "shape": np.array([2, 3, 4])},
                "flat": flatten,
                "output": {"type": "Output", "shape": np.array([24])},
            },
            [("input", "flat"), ("flat", "output")],
        ),
    )
    graph = nir.read(stream)
    flat = graph.nodes["flat"]
    assert flat.start_dim == 0 and flat.end_dim == -1
    assert flat.input_type["input"].tolist() == [2, 3, 4]
    assert flat.output_type["output"].tolist() == [24]
    assert flat.to_dict()["input_type"].tolist() == [2, 3, 4]  # inferred when absent, as the reference's read does


@pytest.mark.parametrize("version", ["0.2.0", "1.0.8"])
def test_zero_dimensional_scalar_parameters(version: str) -> None:
    lif: dict[str, Any] = {
        "type": "LIF",
        "tau": np.float32(0.01),
        "r": np.float32(1.0),
        "v_leak": np.float32(0.0),
        "v_threshold": np.float64(0.5),
    }
    if version == "1.0.8":
        lif["v_reset"] = np.float64(-0.1)
    stream = io.BytesIO()
    write_legacy(
        stream,
        version,
        legacy_graph(
            {
                "input": {"type": "Input", "shape": np.array([3])},
                "lif": lif,
                "scale": {"type": "Scale", "scale": np.float64(2.0)},
                "output": {"type": "Output", "shape": np.array([3])},
            },
            [("input", "lif"), ("lif", "scale"), ("scale", "output")],
        ),
    )
    graph = nir.read(stream)
    node = graph.nodes["lif"]
    assert node.tau.shape == () and node.tau.dtype == F32 and node.tau == np.float32(0.01)
    assert node.v_threshold.shape == () and node.v_threshold.dtype == F64
    assert node.v_reset.shape == () and node.v_reset.dtype == F64
    assert float(node.v_reset) == (0.0 if version == "0.2.0" else -0.1)
    assert graph.nodes["scale"].scale.shape == ()
    assert node.input_type["input"].tolist() == [3] and graph.nodes["scale"].output_type["output"].tolist() == [3]


def test_float32_and_float64_mixed_in_one_node() -> None:
    stream = io.BytesIO()
    write_legacy(
        stream,
        "0.2.0",
        legacy_graph(
            {
                "input": {"type": "Input", "shape": np.array([2])},
                "cuba": {
                    "type": "CubaLIF",
                    "tau_syn": np.array([0.01, 0.02], F32),
                    "tau_mem": np.array([0.02, 0.04], F64),
                    "r": np.array([1.0, 2.0], F32),
                    "v_leak": np.zeros(2, F64),
                    "v_threshold": np.ones(2, F32),
                    "w_in": np.ones(2, F64),
                },
                "affine": {"type": "Affine", "weight": np.eye(2, dtype=F64), "bias": np.zeros(2, F32)},
                "output": {"type": "Output", "shape": np.array([2])},
            },
            [("input", "cuba"), ("cuba", "affine"), ("affine", "output")],
        ),
    )
    graph = nir.read(stream)
    cuba = graph.nodes["cuba"]
    dtypes = {f: getattr(cuba, f).dtype for f in ("tau_syn", "tau_mem", "r", "v_leak", "v_threshold", "w_in")}
    assert dtypes == {"tau_syn": F32, "tau_mem": F64, "r": F32, "v_leak": F64, "v_threshold": F32, "w_in": F64}
    assert cuba.v_reset.dtype == F32  # like v_threshold
    assert graph.nodes["affine"].weight.dtype == F64 and graph.nodes["affine"].bias.dtype == F32
    assert cuba.tau_syn.tobytes() == np.array([0.01, 0.02], F32).tobytes()


def test_edges_and_types_as_fixed_length_bytes() -> None:
    stream = io.BytesIO()
    write_legacy(
        stream,
        "0.1.1",
        legacy_graph(
            {
                "in": {"type": "Input", "shape": np.array([1])},
                "node with a long name": {"type": "Scale", "scale": np.ones(1, F32)},
                "out": {"type": "Output", "shape": np.array([1])},
            },
            [("in", "node with a long name"), ("node with a long name", "out")],
        ),
        strings="fixed",
    )
    with h5py.File(io.BytesIO(stream.getvalue()), "r") as f:
        assert f["node/edges"].dtype.kind == "S" and f["node/type"].dtype.kind == "S"
        assert f["version"].dtype.kind == "S"
    graph = nir.read(stream)
    assert graph.edges == [("in", "node with a long name"), ("node with a long name", "out")]
    assert type(graph.nodes["node with a long name"]).__name__ == "Scale"
    assert nir.read_version(stream) == "0.1.1"


def test_empty_edges_as_the_reference_writes_them() -> None:
    # the reference stores an empty edge list as a float64 dataset of shape (0,)
    stream = io.BytesIO()
    write_legacy(stream, "1.0.8", legacy_graph({"input": {"type": "Input", "shape": np.array([2])}}, []))
    graph = nir.read(stream, warn_findings=False)  # an Input alone: no Output (a warning)
    assert graph.edges == []
    assert list(graph.nodes) == ["input"]


def test_nested_graph_of_an_old_era_is_migrated_throughout(tmp_path: Path) -> None:
    path = tmp_path / "nested.nir"
    sub = legacy_graph(
        {
            "input": {"type": "Input", "shape": np.array([2])},
            "lif": _lif("0.1.1"),
            "cuba": _cuba("0.1.1"),
            "output": {"type": "Output", "shape": np.array([2])},
        },
        [("input", "lif"), ("lif", "cuba"), ("cuba", "output")],
    )
    write_legacy(
        path,
        "0.1.1",
        legacy_graph(
            {
                "input": {"type": "Input", "shape": np.array([2])},
                "sub": sub,
                "output": {"type": "Output", "shape": np.array([2])},
            },
            [("input", "sub"), ("sub", "output")],
        ),
    )
    graph = nir.read(path)
    inner = graph.nodes["sub"]
    assert isinstance(inner, nir.NIRGraph)
    assert inner.nodes["lif"].v_reset.tolist() == [0, 0]
    assert inner.nodes["cuba"].w_in.tolist() == [1, 1]
    assert graph.report.codes() == ["migrated"]


# --- versions this package cannot read -------------------------------------------------


@pytest.mark.parametrize("version", ["2.0.0", "3.1"])
def test_future_version_file_is_refused_by_read_and_reported_by_validate(tmp_path: Path, version: str) -> None:
    path = tmp_path / "future.nir"
    write_legacy(path, version, legacy_graph({"input": {"type": "Input", "shape": np.array([2])}}, []))
    assert nir.read_version(path) == version
    with pytest.raises(nir.UnsupportedVersionError) as info:
        nir.read(path)
    assert version in str(info.value)
    with pytest.raises(nir.UnsupportedVersionError):
        nir.read(path, warn_findings=False, type_check=False)
    report = nir.validate(path)
    assert not report.ok
    assert report.codes() == ["unsupported-version"]
    (finding,) = report.findings
    assert finding.severity == "error" and version in finding.message


def test_version_that_is_not_a_string_is_a_format_error() -> None:
    stream = io.BytesIO()
    with h5py.File(stream, "w") as f:
        f.create_dataset("version", data=np.int64(1))
        node = f.create_group("node")
        node.create_dataset("type", data="NIRGraph")
        node.create_group("nodes")
    with pytest.raises(nir.NIRFormatError, match="version"):
        nir.read(stream)
