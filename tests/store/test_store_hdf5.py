"""nir.read / nir.write in the reference HDF5 layout: files, streams, the layout itself,
atomic replacement of existing files and compression (issue #3, points 1 and 5)."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import h5py
import numpy as np
import pytest
from support.cases import nested_graph, recurrent_graph, small_graph, valid_nodes
from support.store import chain
from support.store_summary import differences, summarise

import nir
from nir.spec import schema_id
from nir.store import h5write

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def _decode(value: object) -> str:
    assert isinstance(value, bytes | str), value
    return value.decode() if isinstance(value, bytes) else value


# --- reading and writing: paths and streams --------------------------------------------


@pytest.mark.parametrize("make", [small_graph, nested_graph, recurrent_graph], ids=lambda f: f.__name__)
def test_write_then_read_a_path_gives_the_same_graph(tmp_path: Path, make) -> None:
    graph = make()
    path = tmp_path / "g.nir"
    nir.write(path, graph)
    back = nir.read(path)
    assert isinstance(back, nir.NIRGraph)
    assert differences(summarise(graph), summarise(back)) == []
    assert back.report is not None and back.report.ok


def test_write_accepts_a_str_path(tmp_path: Path) -> None:
    path = str(tmp_path / "g.nir")
    nir.write(path, small_graph())
    assert differences(summarise(small_graph()), summarise(nir.read(path))) == []


def test_write_and_read_a_file_like_object() -> None:
    graph = nested_graph()
    stream = io.BytesIO()
    nir.write(stream, graph)
    data = stream.getvalue()
    assert data.startswith(HDF5_SIGNATURE)
    back = nir.read(io.BytesIO(data))
    assert differences(summarise(graph), summarise(back)) == []
    # the same stream object, still positioned at its end, reads as well
    assert differences(summarise(graph), summarise(nir.read(stream))) == []


def test_a_stream_and_a_path_hold_the_same_tree(tmp_path: Path) -> None:
    graph = nested_graph()
    stream = io.BytesIO()
    nir.write(stream, graph)
    nir.write(tmp_path / "g.nir", graph)

    def listing(f: h5py.File) -> list[tuple[str, str, tuple[int, ...] | None]]:
        items: list[tuple[str, str, tuple[int, ...] | None]] = []
        f.visititems(lambda n, o: items.append((n, str(getattr(o, "dtype", "group")), getattr(o, "shape", None))))
        return items

    with h5py.File(io.BytesIO(stream.getvalue()), "r") as a, h5py.File(tmp_path / "g.nir", "r") as b:
        assert listing(a) == listing(b)
        assert dict(a.attrs) == dict(b.attrs)


def test_write_refuses_a_single_node(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="NIRGraph"):
        nir.write(tmp_path / "x.nir", valid_nodes()["LIF"])
    assert not (tmp_path / "x.nir").exists()


def test_read_of_a_missing_or_foreign_file_is_a_format_error(tmp_path: Path) -> None:
    with pytest.raises(nir.NIRFormatError, match="no such file"):
        nir.read(tmp_path / "absent.nir")
    text = tmp_path / "text.nir"
    text.write_text("not hdf5")
    with pytest.raises(nir.NIRFormatError, match="not an HDF5 file"):
        nir.read(text)
    with h5py.File(tmp_path / "empty.nir", "w") as f:
        f.create_dataset("version", data="1.0")
    with pytest.raises(nir.NIRFormatError, match="no 'node' group"):
        nir.read(tmp_path / "empty.nir")


# --- the layout on disk ----------------------------------------------------------------


@pytest.fixture
def nested_file(tmp_path: Path) -> Path:
    path = tmp_path / "nested.nir"
    nir.write(path, nested_graph())
    return path


def test_root_holds_the_version_dataset_and_the_schema_attribute(nested_file: Path) -> None:
    with h5py.File(nested_file, "r") as f:
        assert sorted(f.keys()) == ["node", "version"]
        assert isinstance(f["version"], h5py.Dataset)
        assert f["version"].shape == ()
        assert h5py.check_string_dtype(f["version"].dtype) is not None
        assert _decode(f["version"][()]) == "1.0" == nir.SPEC_VERSION
        assert _decode(f.attrs["schema"]) == schema_id()
    assert schema_id().startswith("https://") and schema_id().endswith("document.schema.json")
    assert nir.read_version(nested_file) == "1.0"


def test_graph_group_layout(nested_file: Path) -> None:
    graph = nested_graph()
    with h5py.File(nested_file, "r") as f:
        node = f["node"]
        assert isinstance(node, h5py.Group)
        assert _decode(node["type"][()]) == "NIRGraph"
        assert sorted(node.keys()) == ["edges", "metadata", "nodes", "type"]
        assert sorted(node["nodes"].keys()) == sorted(graph.nodes)

        edges = node["edges"]
        assert isinstance(edges, h5py.Dataset)
        assert edges.shape == (len(graph.edges), 2)
        assert h5py.check_string_dtype(edges.dtype) is not None
        assert [(_decode(a), _decode(b)) for a, b in edges[()]] == list(graph.edges)

        lif = node["nodes/sub/nodes/lif"]
        assert _decode(lif["type"][()]) == "LIF"
        for field in ("tau", "r", "v_leak", "v_threshold", "v_reset"):
            assert isinstance(lif[field], h5py.Dataset)
            want = getattr(graph.nodes["sub"].nodes["lif"], field)
            assert lif[field].dtype == want.dtype == np.float32
            np.testing.assert_array_equal(lif[field][()], want)
        inp = node["nodes/input"]
        assert sorted(inp.keys()) == ["shape", "type"]
        assert inp["shape"].dtype == np.int64
        assert inp["shape"][()].tolist() == [3]


def test_nested_graphs_are_groups_with_their_own_nodes_and_edges(nested_file: Path) -> None:
    with h5py.File(nested_file, "r") as f:
        sub = f["node/nodes/sub"]
        assert isinstance(sub, h5py.Group)
        assert _decode(sub["type"][()]) == "NIRGraph"
        assert isinstance(sub["nodes"], h5py.Group)
        assert sorted(sub["nodes"].keys()) == ["input", "lif", "output"]
        assert sub["edges"].shape == (2, 2)
        assert [[_decode(x) for x in e] for e in sub["edges"][()]] == [["input", "lif"], ["lif", "output"]]
        assert _decode(sub["metadata/role"][()]) == "hidden layer"
        assert sub["metadata/index"][()] == 1


def test_metadata_group_holds_every_value_kind(nested_file: Path) -> None:
    with h5py.File(nested_file, "r") as f:
        meta = f["node/metadata"]
        assert isinstance(meta, h5py.Group)
        assert _decode(meta["name"][()]) == "nested"
        assert meta["steps"][()] == 100 and meta["steps"].dtype.kind == "i"
        assert meta["dt"][()] == 1e-4 and meta["dt"].dtype == np.float64
        assert meta["scale"].dtype == np.float32 and meta["scale"][()].tolist() == [1.0, 0.5, 0.25]
        assert meta["counts"][()].tolist() == [0, 1, 2, 3]
        assert isinstance(meta["origin"], h5py.Group) and isinstance(meta["origin/params"], h5py.Group)
        assert meta["origin/params/lr"][()] == 0.01
    back = nir.read(nested_file)
    assert back.metadata["origin"] == {"framework": "tests", "params": {"seed": 20240601, "lr": 0.01}}
    assert back.metadata["scale"].dtype == np.float32
    assert back.metadata["steps"] == 100 and back.metadata["name"] == "nested"


def test_metadata_group_only_when_metadata_is_not_empty(tmp_path: Path) -> None:
    nodes = valid_nodes()
    graph = nir.NIRGraph(
        nodes={
            "input": nir.Input(np.array([3])),
            "lif": nodes["LIF"],  # carries {"note": ...}
            "output": nir.Output(np.array([3])),
        },
        edges=[("input", "lif"), ("lif", "output")],
    )
    assert not graph.metadata
    path = tmp_path / "g.nir"
    nir.write(path, graph)
    with h5py.File(path, "r") as f:
        assert "metadata" not in f["node"]
        assert "metadata" not in f["node/nodes/input"]
        assert "metadata" not in f["node/nodes/output"]
        assert _decode(f["node/nodes/lif/metadata/note"][()]) == "catalogue LIF"
    back = nir.read(path)
    assert not back.metadata
    assert back.nodes["lif"].metadata == {"note": "catalogue LIF"}


def test_recurrent_edges_are_stored_in_order(tmp_path: Path) -> None:
    graph = recurrent_graph()
    path = tmp_path / "rec.nir"
    nir.write(path, graph)
    with h5py.File(path, "r") as f:
        stored = [(_decode(a), _decode(b)) for a, b in f["node/edges"][()]]
    assert stored == list(graph.edges)
    assert ("rec", "lif") in stored and ("lif", "rec") in stored
    assert nir.read(path).edges == graph.edges


@pytest.mark.parametrize("unit", sorted(valid_nodes()))
def test_every_unit_round_trips(tmp_path: Path, unit: str) -> None:
    node = valid_nodes()[unit]
    graph = node if unit == "NIRGraph" else chain(unit, node)
    stream = io.BytesIO()
    nir.write(stream, graph)
    back = nir.read(io.BytesIO(stream.getvalue()))
    assert differences(summarise(graph), summarise(back)) == []
    with h5py.File(io.BytesIO(stream.getvalue()), "r") as f:
        name = "lif" if unit == "NIRGraph" else ("unit" if unit not in ("Input", "Output") else unit.lower())
        assert _decode(f[f"node/nodes/{name}/type"][()]) == (unit if unit != "NIRGraph" else "LIF")


def test_conv_padding_same_is_stored_as_a_string(tmp_path: Path) -> None:
    conv = nir.Conv2d(
        input_shape=(8, 8),
        weight=np.ones((4, 2, 3, 3), np.float32),
        stride=1,
        padding="same",
        dilation=1,
        groups=1,
        bias=np.zeros(4, np.float32),
    )
    path = tmp_path / "same.nir"
    nir.write(path, chain("Conv2d", conv))
    with h5py.File(path, "r") as f:
        padding = f["node/nodes/unit/padding"]
        assert padding.shape == () and h5py.check_string_dtype(padding.dtype) is not None
        assert _decode(padding[()]) == "same"
    back = nir.read(path)
    assert back.nodes["unit"].padding == "same"
    assert back.nodes["unit"].output_type["output"].tolist() == [4, 8, 8]


# --- atomic writes ---------------------------------------------------------------------


def _temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") and p.name.endswith(".tmp"))


def _failing_after(count: int, original):
    calls = {"n": 0}

    def wrapper(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > count:
            raise RuntimeError("disk full (simulated)")
        return original(*args, **kwargs)

    return wrapper, calls


def test_successful_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "g.nir"
    nir.write(path, small_graph())
    nir.write(path, nested_graph())  # replacing an existing file
    assert [p.name for p in tmp_path.iterdir()] == ["g.nir"]
    assert differences(summarise(nested_graph()), summarise(nir.read(path))) == []


def test_failed_write_midway_keeps_the_old_file_byte_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "g.nir"
    nir.write(path, small_graph())
    before = path.read_bytes()
    wrapper, calls = _failing_after(5, h5write._write_dataset)
    monkeypatch.setattr(h5write, "_write_dataset", wrapper)
    with pytest.raises(RuntimeError, match="disk full"):
        nir.write(path, nested_graph())
    assert calls["n"] == 6  # it did fail midway, after writing some datasets
    assert path.read_bytes() == before
    assert _temporaries(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.nir"]
    monkeypatch.undo()
    assert differences(summarise(small_graph()), summarise(nir.read(path))) == []


def test_failed_write_file_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "g.nir"
    nir.write(path, small_graph())
    before = path.read_bytes()

    def broken(f, tree, attrs, plan):
        f.create_dataset("version", data="1.0")
        raise OSError("interrupted")

    monkeypatch.setattr(h5write, "write_file", broken)
    with pytest.raises(OSError, match="interrupted"):
        nir.write(path, nested_graph())
    assert path.read_bytes() == before
    assert _temporaries(tmp_path) == []


def test_failed_write_of_a_new_file_creates_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wrapper, _ = _failing_after(2, h5write._write_dataset)
    monkeypatch.setattr(h5write, "_write_dataset", wrapper)
    with pytest.raises(RuntimeError):
        nir.write(tmp_path / "new.nir", nested_graph())
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("bad", [object(), {1, 2}, [object()], None], ids=["object", "set", "list-of-objects", "none"])
def test_unstorable_metadata_raises_before_touching_the_target(tmp_path: Path, bad: object) -> None:
    path = tmp_path / "g.nir"
    nir.write(path, small_graph())
    before = path.read_bytes()
    mtime = path.stat().st_mtime_ns
    graph = small_graph()
    graph.metadata["bad"] = bad
    with pytest.raises(ValueError, match="metadata"):
        nir.write(path, graph)
    assert path.read_bytes() == before
    assert path.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.nir"]
    stream = io.BytesIO()
    with pytest.raises(ValueError, match="metadata"):
        nir.write(stream, graph)
    assert stream.getvalue() == b""


def test_node_metadata_of_an_unsupported_type_is_refused(tmp_path: Path) -> None:
    graph = small_graph()
    graph.nodes["lif"].metadata["callback"] = print
    with pytest.raises(ValueError, match="cannot be stored"):
        nir.write(tmp_path / "g.nir", graph)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_replacing_a_file_keeps_its_permissions(tmp_path: Path) -> None:
    path = tmp_path / "g.nir"
    nir.write(path, small_graph())
    path.chmod(0o640)
    nir.write(path, nested_graph())
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


# --- compression -----------------------------------------------------------------------


def test_large_arrays_are_gzip_compressed_small_ones_and_scalars_are_not(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    graph = nir.NIRGraph(
        nodes={
            "input": nir.Input(np.array([256])),
            "affine": nir.Affine(
                weight=rng.standard_normal((256, 256)).astype(np.float32),
                bias=rng.standard_normal(256).astype(np.float32),
            ),
            "conv_in": nir.Input(np.array([2, 8, 8])),
            "conv": valid_nodes()["Conv2d"],
            "output": nir.Output(np.array([256])),
            "conv_out": nir.Output(np.array([4, 8, 8])),
        },
        edges=[("input", "affine"), ("affine", "output"), ("conv_in", "conv"), ("conv", "conv_out")],
    )
    path = tmp_path / "big.nir"
    nir.write(path, graph)
    with h5py.File(path, "r") as f:
        weight = f["node/nodes/affine/weight"]
        assert weight.compression == "gzip"
        assert weight.shuffle
        assert weight.chunks is not None
        assert weight.dtype == np.float32
        np.testing.assert_array_equal(weight[()], graph.nodes["affine"].weight)
        # 256 float32 = 1 KiB: stored as is
        assert f["node/nodes/affine/bias"].compression is None
        assert f["node/nodes/affine/bias"].chunks is None
        assert f["node/nodes/conv/weight"].compression is None
        # 0-d scalars and strings never carry a filter
        assert f["node/nodes/conv/groups"].shape == ()
        assert f["node/nodes/conv/groups"].compression is None
        assert f["node/nodes/conv/type"].compression is None
        assert f["node/edges"].compression is None
        assert f["version"].compression is None
    back = nir.read(path)
    assert back.nodes["affine"].weight.tobytes() == graph.nodes["affine"].weight.tobytes()


def test_compression_threshold(tmp_path: Path) -> None:
    limit = h5write.COMPRESS_MIN_BYTES // 4  # float32 elements
    graph = nir.NIRGraph(
        nodes={
            "at": nir.Scale(scale=np.ones(limit, np.float32)),
            "below": nir.Scale(scale=np.ones(limit - 1, np.float32)),
            "scalar": nir.Scale(scale=np.float32(2.0)),
        },
        edges=[],
        type_check=False,
    )
    path = tmp_path / "t.nir"
    nir.write(path, graph, warn_findings=False)  # unconnected nodes: only their storage matters here
    with h5py.File(path, "r") as f:
        assert f["node/nodes/at/scale"].compression == "gzip"
        assert f["node/nodes/below/scale"].compression is None
        assert f["node/nodes/scalar/scale"].shape == ()
        assert f["node/nodes/scalar/scale"].compression is None
    back = nir.read(path, warn_findings=False)
    assert back.nodes["scalar"].scale.shape == () and back.nodes["scalar"].scale.dtype == np.float32


def test_write_to_a_bare_relative_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    nir.write("g.nir", small_graph())
    assert [p.name for p in tmp_path.iterdir()] == ["g.nir"]
    assert differences(summarise(small_graph()), summarise(nir.read("g.nir"))) == []


def test_unicode_and_dotted_names_round_trip(tmp_path: Path) -> None:
    graph = nir.NIRGraph(
        nodes={
            "eingang": nir.Input(np.array([2])),
            "schicht.ü": nir.Scale(scale=np.ones(2, np.float32)),
            "ausgang": nir.Output(np.array([2])),
        },
        edges=[("eingang", "schicht.ü"), ("schicht.ü", "ausgang")],
        metadata={"beschreibung": "Größe €"},
    )
    path = tmp_path / "u.nir"
    nir.write(path, graph)
    with h5py.File(path, "r") as f:
        assert "schicht.ü" in f["node/nodes"]
    back = nir.read(path)
    assert list(back.nodes) == ["eingang", "schicht.ü", "ausgang"]  # creation order is kept
    assert back.edges == graph.edges
    assert back.metadata == {"beschreibung": "Größe €"}


def test_node_names_holding_a_slash_are_reported_and_not_written() -> None:
    # '/' is HDF5's path separator; the schema's propertyNames pattern forbids it. The reference
    # builds such a graph (and writes a file whose node is split in two groups): ours builds it,
    # reports it, and refuses to write it.
    with pytest.warns(nir.NIRWarning, match="layer/1"):
        graph = nir.NIRGraph(nodes={"layer/1": nir.Input(np.array([2])), "out": nir.Output(np.array([2]))}, edges=[])
    assert "invalid-node" in graph.report.codes()
    with pytest.raises(nir.NIRFormatError, match="layer/1"), pytest.warns(nir.NIRWarning):
        nir.write(io.BytesIO(), graph)


@pytest.mark.parametrize(("where", "name"), [("metadata", "a/b"), ("value", "big")])
def test_unstorable_metadata_is_refused_up_front(tmp_path: Path, where: str, name: str) -> None:
    graph = small_graph()
    graph.metadata[name] = 2**70 if where == "value" else 1
    with pytest.raises(ValueError, match=name):
        nir.write(io.BytesIO(), graph)
