"""Lazy loading, size limits and refused links (issue #3, point 7)."""

from __future__ import annotations

import io
import time
from pathlib import Path

import h5py
import numpy as np
import pytest
from support.cases import small_graph

import nir
from nir import limits
from nir.store import LazyTensor, is_lazy

N = 2048  # Affine N x N float32: 16 MiB


@pytest.fixture(scope="module")
def big_weight() -> np.ndarray:
    return np.random.default_rng(3).standard_normal((N, N)).astype(np.float32)


def _affine_graph(weight: np.ndarray, type_check: bool = True) -> nir.NIRGraph:
    n_out, n_in = weight.shape
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(np.array([n_in])),
            "affine": nir.Affine(weight=weight, bias=np.linspace(-1, 1, n_out, dtype=np.float32)),
            "lif": nir.LIF(
                tau=np.full(n_out, 0.01, np.float32),
                r=np.ones(n_out, np.float32),
                v_leak=np.zeros(n_out, np.float32),
                v_threshold=np.ones(n_out, np.float32),
                v_reset=np.zeros(n_out, np.float32),
            ),
            "output": nir.Output(np.array([n_out])),
        },
        edges=[("input", "affine"), ("affine", "lif"), ("lif", "output")],
        type_check=type_check,
    )


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory, big_weight: np.ndarray) -> Path:
    path = tmp_path_factory.mktemp("lazy") / "big.nir"
    nir.write(path, _affine_graph(big_weight))
    return path


# --- lazy reading ----------------------------------------------------------------------


def test_lazy_read_leaves_the_large_weight_on_disk(big_file: Path, big_weight: np.ndarray) -> None:
    graph = nir.read(big_file, lazy=True)
    weight = graph.nodes["affine"].weight
    assert isinstance(weight, LazyTensor) and is_lazy(weight)
    assert weight.shape == (N, N) and weight.dtype == np.float32
    assert weight.nbytes_on_disk == N * N * 4
    assert weight.strides == (0, 0)  # a placeholder: no memory behind it
    assert not weight.flags.writeable
    assert weight.source == (str(big_file), b"/node/nodes/affine/weight")
    values = weight.load()
    assert type(values) is np.ndarray and values.dtype == np.float32
    assert values.tobytes() == big_weight.tobytes()


def test_lazy_read_keeps_small_parameters_in_memory(big_file: Path) -> None:
    graph = nir.read(big_file, lazy=True)
    bias = graph.nodes["affine"].bias  # 8 KiB, under LAZY_THRESHOLD_BYTES
    assert bias.nbytes <= limits.LAZY_THRESHOLD_BYTES
    assert type(bias) is np.ndarray and not is_lazy(bias)
    np.testing.assert_array_equal(bias, np.linspace(-1, 1, N, dtype=np.float32))
    lif = graph.nodes["lif"]
    assert all(type(getattr(lif, f)) is np.ndarray for f in ("tau", "r", "v_leak", "v_threshold", "v_reset"))
    assert graph.nodes["input"].shape.tolist() == [N]
    # shapes are inferred from the placeholder's header
    assert graph.nodes["affine"].output_type["output"].tolist() == [N]


def test_eager_read_is_unchanged(big_file: Path, big_weight: np.ndarray) -> None:
    weight = nir.read(big_file).nodes["affine"].weight
    assert type(weight) is np.ndarray and not is_lazy(weight)
    assert weight.tobytes() == big_weight.tobytes()


def test_is_lazy_is_false_for_arrays() -> None:
    assert not is_lazy(np.zeros(3))
    assert not is_lazy(small_graph().nodes["affine"].weight)


# --- validation of lazily read files ---------------------------------------------------


def test_validate_checks_values_up_to_the_limit(big_file: Path) -> None:
    assert N * N * 4 <= limits.CHECK_VALUES_MAX_BYTES
    report = nir.validate(big_file)
    assert report.ok
    assert "values-unchecked" not in report.codes()
    assert report.findings == []


def test_validate_checks_the_values_of_a_lazily_read_tensor(tmp_path: Path) -> None:
    weight = np.ones((256, 256), np.float32)  # 256 KiB: left on disk by a lazy read
    weight[255, 7] = np.nan
    path = tmp_path / "nan.nir"
    nir.write(path, _affine_graph(weight, type_check=False), warn_findings=False)
    assert is_lazy(nir.read(path, lazy=True, warn_findings=False).nodes["affine"].weight)
    report = nir.validate(path)
    assert [f.code for f in report.errors] == ["non-finite"]
    assert report.errors[0].path == "/nodes/affine/weight"
    assert "(255, 7)" in report.errors[0].message


def test_validate_reports_tensors_over_the_check_limit_as_unchecked(
    big_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "CHECK_VALUES_MAX_BYTES", 1024 * 1024)
    report = nir.validate(big_file)
    assert report.ok
    (finding,) = report.findings
    assert finding.code == "values-unchecked" and finding.severity == "info"
    assert finding.path == "/nodes/affine/weight"
    assert str(N * N * 4) in finding.message


def test_the_check_limit_in_nir_store_limits_is_honoured(big_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "CHECK_VALUES_MAX_BYTES", 1024 * 1024)
    assert nir.validate(big_file).codes() == ["values-unchecked"]


def test_the_eager_limit_in_nir_store_limits_is_honoured(big_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_EAGER_BYTES", 1024 * 1024)
    with pytest.raises(nir.NIRFormatError, match="lazy=True"):
        nir.read(big_file)
    assert is_lazy(nir.read(big_file, lazy=True).nodes["affine"].weight)


# --- a header that claims terabytes ----------------------------------------------------


@pytest.fixture
def huge_file(tmp_path: Path) -> Path:
    """A 4 TiB weight declared in a file of a few KiB (chunked datasets allocate nothing)."""
    path = tmp_path / "huge.nir"
    size = 2**20
    with h5py.File(path, "w") as f:
        f.create_dataset("version", data="1.0.8")
        node = f.create_group("node")
        node.create_dataset("type", data="NIRGraph")
        nodes = node.create_group("nodes")
        for name, kind in (("input", "Input"), ("output", "Output")):
            group = nodes.create_group(name)
            group.create_dataset("type", data=kind)
            group.create_dataset("shape", data=np.array([size]))
        affine = nodes.create_group("affine")
        affine.create_dataset("type", data="Affine")
        affine.create_dataset("weight", shape=(size, size), dtype="f4", chunks=True)
        affine.create_dataset("bias", shape=(size,), dtype="f4", chunks=True)
        node.create_dataset(
            "edges",
            data=np.array([["input", "affine"], ["affine", "output"]], dtype=object),
            dtype=h5py.string_dtype(),
        )
    assert path.stat().st_size < 100_000
    return path


def test_eager_read_of_a_huge_declared_dataset_is_refused_quickly(huge_file: Path) -> None:
    start = time.perf_counter()
    with pytest.raises(nir.NIRFormatError) as info:
        nir.read(huge_file)
    assert time.perf_counter() - start < 5
    message = str(info.value)
    assert "lazy=True" in message
    assert "/node/nodes/affine/weight" in message and str(2**40 * 4) in message


def test_validate_of_a_huge_declared_dataset_returns_a_report(huge_file: Path) -> None:
    start = time.perf_counter()
    report = nir.validate(huge_file)
    assert time.perf_counter() - start < 5
    assert report.ok
    assert report.codes() == ["values-unchecked"]
    assert report.findings[0].path == "/nodes/affine/weight"


def test_lazy_read_of_a_huge_declared_dataset(huge_file: Path) -> None:
    graph = nir.read(huge_file, lazy=True)
    weight = graph.nodes["affine"].weight
    assert is_lazy(weight) and weight.shape == (2**20, 2**20) and weight.dtype == np.float32
    assert graph.nodes["affine"].output_type["output"].tolist() == [2**20]


# --- links -----------------------------------------------------------------------------


def _linked_file(path: Path, make_link) -> Path:
    nir.write(path, small_graph())
    with h5py.File(path, "a") as f:
        make_link(f)
    return path


@pytest.mark.parametrize(
    ("kind", "make_link"),
    [
        ("soft", lambda f: f["node/nodes"].__setitem__("alias", h5py.SoftLink("/node/nodes/lif"))),
        ("soft", lambda f: f["node/nodes/affine"].__setitem__("weight2", h5py.SoftLink("/node/nodes/affine/weight"))),
        ("soft", lambda f: f["node/nodes"].__setitem__("dangling", h5py.SoftLink("/nowhere"))),
        ("external", lambda f: f["node/nodes"].__setitem__("ext", h5py.ExternalLink("other.nir", "/node/nodes/lif"))),
    ],
    ids=["soft-group", "soft-dataset", "soft-dangling", "external"],
)
def test_links_are_refused(tmp_path: Path, kind: str, make_link) -> None:
    nir.write(tmp_path / "other.nir", small_graph())  # the external target exists
    path = _linked_file(tmp_path / "linked.nir", make_link)
    with pytest.raises(nir.NIRFormatError, match=f"{kind} link refused"):
        nir.read(path)
    with pytest.raises(nir.NIRFormatError, match="link refused"):
        nir.read(path, warn_findings=False, type_check=False, lazy=True)
    report = nir.validate(path)
    assert report.codes() == ["unreadable"]
    assert "link refused" in report.findings[0].message


def test_a_hard_link_cycle_is_refused(tmp_path: Path) -> None:
    path = _linked_file(tmp_path / "cycle.nir", lambda f: f["node/nodes"].__setitem__("loop", f["node"]))
    with pytest.raises(nir.NIRFormatError, match="cycle"):
        nir.read(path)


def test_a_hard_link_to_a_dataset_is_read(tmp_path: Path) -> None:
    # hard links are ordinary HDF5 structure: the same weight may appear under two names
    def share(f: h5py.File) -> None:
        f["node/metadata/weight_copy"] = f["node/nodes/affine/weight"]

    path = _linked_file(tmp_path / "hard.nir", share)
    graph = nir.read(path)
    np.testing.assert_array_equal(graph.metadata["weight_copy"], graph.nodes["affine"].weight)


# --- bugs ------------------------------------------------------------------------------


@pytest.fixture
def lazy_small(tmp_path: Path) -> tuple[Path, np.ndarray]:
    """A 256 KiB weight: over LAZY_THRESHOLD_BYTES, so a lazy read leaves it on disk."""
    weight = np.random.default_rng(5).standard_normal((256, 256)).astype(np.float32)
    path = tmp_path / "lazy.nir"
    nir.write(path, _affine_graph(weight))
    assert is_lazy(nir.read(path, lazy=True).nodes["affine"].weight)
    return path, weight


def test_lazy_read_from_a_stream_reads_eagerly(lazy_small: tuple[Path, np.ndarray]) -> None:
    # A stream cannot be reopened later, so lazy=True reads it whole.
    path, weight = lazy_small
    graph = nir.read(io.BytesIO(path.read_bytes()), lazy=True)
    assert not is_lazy(graph.nodes["affine"].weight)
    assert graph.nodes["affine"].weight.tobytes() == weight.tobytes()


def test_writing_a_lazily_read_graph_keeps_the_weights(lazy_small: tuple[Path, np.ndarray], tmp_path: Path) -> None:
    path, weight = lazy_small
    graph = nir.read(path, lazy=True)
    nir.write(tmp_path / "copy.nir", graph)
    assert nir.read(tmp_path / "copy.nir").nodes["affine"].weight.tobytes() == weight.tobytes()


def test_json_of_a_lazily_read_graph_keeps_the_weights(lazy_small: tuple[Path, np.ndarray]) -> None:
    path, weight = lazy_small
    graph = nir.read(path, lazy=True)
    assert nir.from_json(nir.to_json(graph)).nodes["affine"].weight.tobytes() == weight.tobytes()
