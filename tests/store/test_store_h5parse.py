"""The package's own HDF5 parser against libhdf5: the same tree from every file, or an honest fallback.

Each file is read twice, by `h5parse.reader.ParsedFile` and by `h5fallback.H5pySource` (libhdf5), and
the trees must be identical: names and their order, dtypes, shapes, bytes, strings. Files come
from the real corpus, the bundled examples, this package's writer and h5py written with every
layout option a NIR file can meet. Files beyond the parser's subset must raise `Unsupported`
(and `nir.read` must still read them, through libhdf5).
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest
from support.paths import CORPUS_FILES, ROOT

import nir
from nir.store import h5fallback, tree
from nir.store.h5parse.base import CorruptError, Unsupported, lookup3
from nir.store.h5parse.reader import ParsedFile

EXAMPLES = sorted((ROOT / "examples").glob("*.nir"))


def both(path: Path) -> tuple[Any, Any]:
    """(tree read by libhdf5, tree read by the package's parser)."""
    with h5py.File(path, "r") as f:
        expected = tree.read_tree(h5fallback.H5pySource(f))
    return expected, tree.read_tree(ParsedFile(path.read_bytes(), str(path)))


def assert_same(expected: Any, actual: Any, where: str = "") -> None:
    """Trees equal in every respect a reader can observe, order of names included."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), where
        assert list(actual) == list(expected), where
        for key in expected:
            assert_same(expected[key], actual[key], f"{where}/{key}")
    elif isinstance(expected, str):
        assert actual == expected, where
    else:
        assert isinstance(actual, np.ndarray), where
        assert (actual.dtype, actual.shape) == (expected.dtype, expected.shape), where
        if expected.dtype == object:
            assert actual.tolist() == expected.tolist(), where
        else:
            assert actual.tobytes() == expected.tobytes(), where
            assert actual.flags.writeable, where


@pytest.mark.parametrize("path", CORPUS_FILES + EXAMPLES, ids=lambda p: p.name)
def test_real_files_read_the_same(path: Path) -> None:
    assert_same(*both(path))


def test_own_writer_files_read_the_same(tmp_path: Path) -> None:
    # Dense groups (fractal heap, version-2 B-trees two levels deep) appear beyond 8 links
    # and deep trees beyond about 1,150: a chain of 1,600 nodes has both.
    nodes = {f"n{i}": nir.Affine(np.full((4, 4), i, np.float32), np.arange(4, dtype=np.float32)) for i in range(1600)}
    names = list(nodes)
    graph = nir.NIRGraph(
        nodes={"input": nir.Input(np.array([4])), **nodes, "output": nir.Output(np.array([4]))},
        edges=list(zip(["input", *names], [*names, "output"], strict=True)),
        metadata={"text": "é", "flag": True, "numbers": np.arange(3), "nested": {"a": 1.5}},
    )
    path = tmp_path / "chain.nir"
    nir.write(path, graph)
    expected, actual = both(path)
    assert_same(expected, actual)
    assert list(actual["node"]["nodes"])[:3] == ["input", "n0", "n1"]  # creation order, not names


LAYOUTS = {
    "earliest": {"libver": "earliest"},
    "v110": {"libver": ("v110", "latest")},
    "track_order": {"track_order": True},
    "userblock": {"userblock_size": 512},
}


@pytest.mark.parametrize("options", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_h5py_layouts_read_the_same(tmp_path: Path, options: dict[str, Any]) -> None:
    path = tmp_path / "layouts.h5"
    rng = np.random.default_rng(0)
    with h5py.File(path, "w", **options) as f:
        f["scalar"] = np.float64(2.5)
        f["text"] = "vlen text"
        f["texts"] = np.array(["a", "bb", ""], dtype=h5py.string_dtype())
        f["fixed"] = np.array([b"ab", b"c"], dtype="S2")
        f["flags"] = np.array([True, False])
        f["empty"] = np.zeros((0, 3), np.float32)
        for dtype in ["<i1", "<u2", ">i4", "<u8", "<f2", ">f4", "<f8", ">i8"]:
            f[f"n_{dtype[1:]}_{dtype[0] == '>'}"] = (rng.standard_normal(7) * 50).astype(dtype)
        f.create_dataset("compact", data=np.arange(6, dtype=np.int32), compression=None, chunks=None)
        f.create_dataset("one_chunk", data=rng.standard_normal((6, 5)), compression="gzip", shuffle=True)
        f.create_dataset(
            "one_chunk_texts", data=np.array(["x", "yy"], dtype=object), dtype=h5py.string_dtype(), chunks=(2,)
        )
        if options.get("libver") in (None, "earliest"):  # newer formats index many chunks otherwise
            f.create_dataset(
                "deflate", data=rng.standard_normal((37, 19)), chunks=(8, 5), compression="gzip", shuffle=True
            )
            f.create_dataset("chunked", data=np.arange(100, dtype=np.int16), chunks=(7,))
            names = np.array([f"name{i}" for i in range(10)], dtype=object)
            f.create_dataset("chunked_texts", data=names, dtype=h5py.string_dtype(), chunks=(3,))
            f.create_dataset("partial", shape=(10,), dtype=np.float32, chunks=(4,))[:4] = 1.0
        group = f.create_group("dense")
        for i in range(40):
            group[f"member{i:02d}"] = i
        f.create_group("empty_group")
        f.create_group("a/b/c/d")
    assert_same(*both(path))


def test_compact_storage_reads_the_same(tmp_path: Path) -> None:
    path = tmp_path / "compact.h5"
    with h5py.File(path, "w") as f:
        space = h5py.h5s.create_simple((5,))
        plist = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        plist.set_layout(h5py.h5d.COMPACT)
        dsid = h5py.h5d.create(f.id, b"c", h5py.h5t.NATIVE_INT32, space, dcpl=plist)
        dsid.write(h5py.h5s.ALL, h5py.h5s.ALL, np.arange(5, dtype=np.int32))
    expected, actual = both(path)
    assert_same(expected, actual)
    assert actual["c"].tolist() == [0, 1, 2, 3, 4]


UNSUPPORTED = {
    "lzf": lambda f: f.create_dataset("x", data=np.arange(50.0), compression="lzf"),
    "fletcher32": lambda f: f.create_dataset("x", data=np.arange(50.0), fletcher32=True),
    "complex": lambda f: f.create_dataset("x", data=np.arange(3) * 1j),
    "fill-value": lambda f: f.create_dataset("x", shape=(8,), chunks=(2,), dtype="f4", fillvalue=3.0),
    "vlen-ints": lambda f: f.create_dataset("x", (2,), dtype=h5py.vlen_dtype(np.int32)),
    "chunk-index": lambda f: f.create_dataset("x", data=np.arange(50.0), chunks=(7,)),
}


@pytest.mark.parametrize("make", UNSUPPORTED.values(), ids=UNSUPPORTED.keys())
def test_files_beyond_the_subset_fall_back_to_libhdf5(tmp_path: Path, make: Any) -> None:
    path = tmp_path / "beyond.h5"
    # libver latest: chunked datasets of several chunks get the newer chunk indexes.
    with h5py.File(path, "w", libver="latest") as f:
        make(f)
    with pytest.raises(Unsupported):
        tree.read_tree(ParsedFile(path.read_bytes(), str(path)))


def test_nir_read_falls_back_for_a_valid_file_beyond_the_subset(tmp_path: Path) -> None:
    source = ROOT / "examples" / "feedforward.nir"
    path = tmp_path / "lzf.nir"
    shutil.copy(source, path)
    with h5py.File(path, "a") as f:
        node = next(name for name in f["node/nodes"] if "weight" in f["node/nodes"][name])
        weight = f[f"node/nodes/{node}/weight"][()]
        del f[f"node/nodes/{node}/weight"]
        f.create_dataset(f"node/nodes/{node}/weight", data=weight, compression="lzf")
    with pytest.raises(Unsupported):
        tree.read_tree(ParsedFile(path.read_bytes(), str(path)))
    graph = nir.read(path)
    np.testing.assert_array_equal(graph.nodes[node].weight, weight)


def test_external_storage_is_refused(tmp_path: Path) -> None:
    (tmp_path / "outside.bin").write_bytes(np.arange(4, dtype="<f4").tobytes())
    path = tmp_path / "external.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("x", shape=(4,), dtype="<f4", external=[("outside.bin", 0, 16)])
    with pytest.raises(nir.NIRFormatError, match="external files refused"):
        tree.read_tree(ParsedFile(path.read_bytes(), str(path)))


def test_truncated_file_is_corrupt_not_a_crash() -> None:
    data = (ROOT / "examples" / "recurrent.nir").read_bytes()
    for cut in (8, 100, len(data) // 2, len(data) - 1):
        with pytest.raises(CorruptError):
            tree.read_tree(ParsedFile(data[:cut], "cut.nir"))


def test_lookup3_matches_the_published_vectors() -> None:
    # From Bob Jenkins' lookup3.c driver5(): hashlittle("", 0, 0) and "Four score and seven years ago".
    assert lookup3(b"") == 0xDEADBEEF
    assert lookup3(b"Four score and seven years ago") == 0x17770551
    assert lookup3(b"Four score and seven years ago", 1) == 0xCD628161


@pytest.mark.parametrize("prefault", [True, False], ids=["small-prefaulted", "large-on-demand"])
def test_files_are_mapped_not_read(monkeypatch: pytest.MonkeyPatch, prefault: bool) -> None:
    import mmap

    import nir.store.source as store

    opened: list[mmap.mmap] = []
    flags: list[int] = []

    class Spy(mmap.mmap):
        def __new__(cls, *args: Any, **kwargs: Any) -> Spy:
            flags.append(kwargs.get("flags", 0))
            opened.append(super().__new__(cls, *args, **kwargs))
            return opened[-1]

    if not prefault:
        monkeypatch.setattr(store, "MMAP_MIN_BYTES", 0)
    monkeypatch.setattr(store.mmap, "mmap", Spy)
    path = ROOT / "examples" / "convnet.nir"
    graph = nir.read(path)
    assert opened and all(m.closed for m in opened)  # mapped, and unmapped once read
    populate = getattr(mmap, "MAP_POPULATE", 0)  # Linux only: elsewhere every map fills on demand
    assert all(bool(f & populate) == (prefault and bool(populate)) for f in flags)
    assert list(graph.nodes) == list(nir.read(io.BytesIO(path.read_bytes())).nodes)


def test_a_file_that_cannot_be_mapped_is_read_instead(monkeypatch: pytest.MonkeyPatch) -> None:
    import mmap

    import nir.store.source as store

    class Refused(mmap.mmap):
        def __new__(cls, *args: Any, **kwargs: Any) -> Refused:
            raise OSError(19, "No such device")  # what mmap(2) says on file systems that cannot map

    monkeypatch.setattr(store.mmap, "mmap", Refused)
    path = ROOT / "examples" / "convnet.nir"
    assert list(nir.read(path).nodes) == list(nir.read(io.BytesIO(path.read_bytes())).nodes)


def test_chunks_far_larger_than_their_dataset_are_refused(tmp_path: Path) -> None:
    # An extendible dataset may have chunks larger than its data, but inflating a chunk
    # allocates all of it: 4 GiB of zeros compress to 4 MB.
    path = tmp_path / "big-chunks.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=np.zeros(10, np.float32), chunks=(2**20,), maxshape=(None,), compression="gzip")
    with pytest.raises(nir.NIRFormatError, match=r"chunks of 4194304 bytes for a dataset of 40 bytes refused"):
        tree.read_tree(ParsedFile(path.read_bytes(), str(path)))


@pytest.mark.parametrize("damage", ["index", "chunk"])
def test_damage_to_one_of_many_datasets_alike_is_named_at_that_dataset(tmp_path: Path, damage: str) -> None:
    """Datasets of one header share a reader (WholeChunk); a damaged one still gets its own error."""
    path = tmp_path / "alike.h5"
    with h5py.File(path, "w") as f:
        for i in range(6):
            f.create_dataset(f"x{i}", data=np.arange(16, dtype=np.float32) + i, chunks=(16,), compression="gzip")
        chunk = f["x3"].id.get_chunk_info(0).byte_offset
    data = bytearray(path.read_bytes())
    parsed = ParsedFile(bytes(data), str(path))
    root = parsed.root()
    targets = {name: parsed.open(root, name, target)[1] for name, _, target in parsed.links(root)}
    assert all(d.whole is not None for name, d in targets.items() if name != b"x0")  # read by the shared reader
    if damage == "index":  # its chunk index claims a second chunk
        at = targets[b"x3"].layout.address + 6
        data[at : at + 2] = (2).to_bytes(2, "little")
    else:  # its chunk no longer inflates
        data[chunk : chunk + 8] = bytes(8)
    with pytest.raises(nir.NIRFormatError, match=r"^/x3: cannot read dataset"):
        tree.read_tree(ParsedFile(bytes(data), str(path)))
    assert tree.read_tree(ParsedFile(path.read_bytes(), str(path)))["x4"].tolist() == list(range(4, 20))
