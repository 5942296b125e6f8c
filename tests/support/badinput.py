"""A catalogue of bad input files for `nir validate`, `nir.read` and `nir.validate` (issue #7).

Every case is a recipe that writes one file from a source: our own graphs (tests/support/cases.py),
the real corpus (../shared/corpus) or the bundled examples. The recipe says what the file
must produce:

* `verdict`: the exit code of `nir validate FILE` (1 invalid, 2 unreadable); None for
  random corruption, where the only promise is consistency (see `Case.consistent`);
* `codes`: finding codes that must all be among the file's errors;
* `error`: the exception `nir.read` (`nir.read_json` for .json) raises, a NIRError subclass;
* `match`: text that must appear in that exception's message and in the CLI finding;
* `bugs`: parts of the promise the package breaks today, by part ("cli", "read",
  "validate") with the reason; the tests mark those parts xfail(strict=True).

Cases whose CLI part is a known bug are run one by one (`isolated`): an exception escaping
`nir.validate` aborts a whole `nir validate` run, and a crash or a hang would take the
folder run down with it.
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import h5py
import numpy as np

import nir
from support.cases import nested_graph, recurrent_graph, small_graph

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / ".." / "shared" / "corpus"
EXAMPLES = ROOT / "examples"
NIR_SCRIPT = Path(sys.executable).with_name("nir")
if not NIR_SCRIPT.exists():  # pytest run by an interpreter outside the venv
    NIR_SCRIPT = ROOT / ".venv" / "bin" / "nir"

STRING = h5py.string_dtype()
FORBIDDEN = (KeyError, AssertionError, AttributeError, RecursionError, TypeError, IndexError, OSError)
"""Exception types that must never escape nir.read / nir.validate on bad input."""

#: Per corpus file: a node with a weight, a neuron node and one of its time constants (or r).
CORPUS_ROLES: dict[str, tuple[str, str, str, str]] = {
    "braille_noDelay_noBias_subtract.nir": ("fc1", "weight", "lif2", "tau_mem"),
    "braille_noDelay_noBias_subtract_subgraph.nir": ("fc1", "weight", "lif2", "tau_mem"),
    "cnn_sinabs.nir": ("0", "weight", "1", "r"),
    "lif_norse.nir": ("0", "weight", "1", "tau"),
    "lif_rockpool.nir": ("0_LinearTorch", "weight", "1_LIFNeuronTorch", "tau"),
}
EXAMPLE_NAMES = ("convnet.nir", "feedforward.nir", "recurrent.nir")

Edit = Callable[[h5py.File], None]
Maker = Callable[["Sources", Path, str], None]


# --- sources -----------------------------------------------------------------------------------------


class Sources:
    """Base files the cases start from; our own ones are written on first use."""

    OWN: Mapping[str, Callable[[], nir.NIRGraph]] = MappingProxyType(
        {"own": nested_graph, "rec": recurrent_graph, "small": small_graph}
    )

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    @staticmethod
    def available(key: str) -> bool:
        kind, _, name = key.partition("/")
        if kind == "corpus":
            return (CORPUS / name).is_file()
        if kind == "example":
            return (EXAMPLES / name).is_file()
        return key in Sources.OWN

    def path(self, key: str) -> Path:
        kind, _, name = key.partition("/")
        if kind == "corpus":
            return CORPUS / name
        if kind == "example":
            return EXAMPLES / name
        target = self.folder / f"{key}.nir"
        if not target.exists():
            nir.write(target, self.OWN[key]())
        return target

    def graph(self, key: str) -> nir.NIRGraph:
        return self.OWN[key]()


# --- cases -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One bad file and what it must produce; see the module docstring."""

    name: str
    make: Maker
    source: str
    verdict: int | None
    codes: tuple[str, ...] = ()
    error: type[nir.NIRError] | None = None
    match: str | None = None
    suffix: str = ".nir"
    bugs: Mapping[str, str] = field(default_factory=dict)
    heavy: bool = False
    """Run alone under a memory limit: the file makes the reader allocate much (by design or by a bug)."""
    crash: bool = False
    """A known bug kills or hangs the process: `nir.read` is tried in a child interpreter."""

    @property
    def filename(self) -> str:
        return self.name + self.suffix

    @property
    def isolated(self) -> bool:
        """Checked by its own CLI run rather than in the folder run."""
        return self.heavy or self.crash or "cli" in self.bugs

    @property
    def consistent(self) -> bool:
        """Random corruption: no verdict is promised, only agreement between CLI and library."""
        return self.verdict is None


CATALOGUE: list[Case] = []


def case(
    name: str,
    source: str,
    make: Maker,
    verdict: int | None,
    codes: tuple[str, ...] | str = (),
    error: type[nir.NIRError] | None = None,
    **extra: Any,
) -> None:
    if isinstance(codes, str):
        codes = (codes,)
    if error is None and verdict == 1:
        error = nir.NIRValidationError
    if error is None and verdict == 2:
        error = nir.UnsupportedVersionError if "unsupported-version" in codes else nir.NIRFormatError
    if any(c.name == name for c in CATALOGUE):
        raise ValueError(f"duplicate case {name}")
    CATALOGUE.append(Case(name=name, make=make, source=source, verdict=verdict, codes=codes, error=error, **extra))


def invalid(name: str, source: str, edit: Edit, codes: tuple[str, ...] | str, **extra: Any) -> None:
    """An HDF5 edit that leaves a readable but invalid file: exit 1, NIRValidationError."""
    case(name, source, h5edit(edit), 1, codes, **extra)


def unreadable(name: str, source: str, edit: Edit, match: str | None = None, **extra: Any) -> None:
    """An HDF5 edit that leaves no NIR file to read: exit 2, NIRFormatError."""
    case(name, source, h5edit(edit), 2, "unreadable", match=match, **extra)


# --- recipes -----------------------------------------------------------------------------------------


def h5edit(edit: Edit) -> Callable[[Sources, Path, str], None]:
    def make(sources: Sources, target: Path, source: str) -> None:
        shutil.copyfile(sources.path(source), target)
        with h5py.File(target, "r+") as f:
            edit(f)

    return make


def byte_edit(fn: Callable[[bytes], bytes]) -> Callable[[Sources, Path, str], None]:
    def make(sources: Sources, target: Path, source: str) -> None:
        target.write_bytes(fn(sources.path(source).read_bytes()))

    return make


def raw(data: bytes) -> Callable[[Sources, Path, str], None]:
    def make(sources: Sources, target: Path, source: str) -> None:
        target.write_bytes(data)

    return make


def json_edit(edit: Callable[[dict[str, Any]], Any]) -> Callable[[Sources, Path, str], None]:
    def make(sources: Sources, target: Path, source: str) -> None:
        doc = json.loads(nir.to_json(sources.graph(source)))
        replaced = edit(doc)
        text = replaced if isinstance(replaced, str | bytes) else json.dumps(doc)
        target.write_bytes(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)

    return make


def fresh_h5(build: Edit) -> Callable[[Sources, Path, str], None]:
    def make(sources: Sources, target: Path, source: str) -> None:
        with h5py.File(target, "w") as f:
            build(f)

    return make


def put(f: h5py.File, path: str, value: Any, **kwargs: Any) -> None:
    """Replace (or create) the dataset at `path`."""
    if path in f:
        del f[path]
    f.create_dataset(path, data=value, **kwargs)


def declare(f: h5py.File, path: str, shape: tuple[int, ...], dtype: Any = "f4") -> None:
    """A dataset that only declares its shape: chunked (h5py's guess), nothing written, a few hundred bytes on disk."""
    if path in f:
        del f[path]
    f.create_dataset(path, shape=shape, dtype=dtype, chunks=True)


def strings(*items: Any) -> np.ndarray:
    return np.array(items, dtype=STRING)


def edges_of(f: h5py.File, graph: str = "node") -> list[list[str]]:
    return [[x.decode() if isinstance(x, bytes) else x for x in pair] for pair in f[f"{graph}/edges"][()].tolist()]


def set_edges(f: h5py.File, edges: list[list[str]], graph: str = "node") -> None:
    put(f, f"{graph}/edges", strings(*edges) if edges else np.empty((0, 2), dtype=STRING))


def add_node(f: h5py.File, name: str, type_: str, graph: str = "node", **fields: Any) -> None:
    group = f[f"{graph}/nodes"].create_group(name)
    group["type"] = type_
    for key, value in fields.items():
        group[key] = value


def scale(f: h5py.File, path: str, index: int, value: float) -> None:
    data = f[path][()]
    data.reshape(-1)[index] = value
    put(f, path, data)


# --- the catalogue -----------------------------------------------------------------------------------

LIF = "node/nodes/sub/nodes/lif"
AFFINE = "node/nodes/affine"


def corrupt_attribute_type(data: bytes) -> bytes:
    """The file with its root attribute 'schema' given a variable-length type HDF5 does not define.

    Decoding that attribute crashed libhdf5 (SIGSEGV); the reader no longer reads attributes.
    """
    out = bytearray(data)
    at = out.index(b"schema\x00\x00") + 8  # the attribute's datatype message follows its name
    if out[at] != 0x19:
        raise ValueError("expected a variable-length string datatype (class 9, version 1)")
    out[at + 1] = 0xB5  # vlen class bits: a sequence type HDF5 does not define
    return bytes(out)


def short(source: str) -> str:
    """A short label of a source for case names."""
    name = source.rsplit("/", 1)[-1].removesuffix(".nir")
    name = name.replace("braille_noDelay_noBias_subtract", "braille").replace("_subgraph", "-sub")
    return name.replace("_", "-")


def _truncations() -> None:
    sources = ["own", "rec"] + [f"corpus/{n}" for n in CORPUS_ROLES] + [f"example/{n}" for n in EXAMPLE_NAMES]
    for source in sources:
        label_ = short(source)
        for label, cut in (
            ("8", lambda n: 8),
            ("512", lambda n: 512),
            ("half", lambda n: n // 2),
            ("last", lambda n: n - 1),
        ):
            case(
                f"trunc-{label_}-{label}",
                source,
                byte_edit(lambda data, cut=cut: data[: cut(len(data))]),
                2,
                "unreadable",
            )


def _flips() -> None:
    """Seeded random byte flips: no verdict promised, but never a traceback and always consistent."""
    sources = ["own", "rec"] + [f"corpus/{n}" for n in CORPUS_ROLES] + [f"example/{n}" for n in EXAMPLE_NAMES]
    for index, source in enumerate(sources):
        label = short(source)
        for count in (1, 16):
            seed = 7000 + 31 * index + count

            def flip(data: bytes, seed: int = seed, count: int = count) -> bytes:
                rng = random.Random(seed)
                out = bytearray(data)
                for _ in range(count):
                    i = rng.randrange(len(out))
                    out[i] ^= 1 << rng.randrange(8)
                return bytes(out)

            case(f"flip-{label}-{count}x-s{seed}", source, byte_edit(flip), None)


def _not_nir() -> None:
    rng = random.Random(1234)
    noise = bytes(rng.randrange(256) for _ in range(4096))
    case("raw-empty", "own", raw(b""), 2, "unreadable", match="not an HDF5 file")
    case("raw-text", "own", raw(b"this is not a neural network\n" * 20), 2, "unreadable", match="not an HDF5 file")
    case("raw-noise", "own", raw(noise), 2, "unreadable", match="not an HDF5 file")
    case("raw-zeros", "own", raw(bytes(4096)), 2, "unreadable", match="not an HDF5 file")
    case("raw-png", "own", raw(b"\x89PNG\r\n\x1a\n" + noise[:512]), 2, "unreadable", match="not an HDF5 file")
    case("raw-json-in-nir", "own", raw(b'{"version": "1.0", "graph": {}}'), 2, "unreadable", match="not an HDF5 file")
    case("raw-hdf5-signature-only", "own", raw(b"\x89HDF\r\n\x1a\n" + bytes(1024)), 2, "unreadable")
    case("raw-hdf5-signature-noise", "own", raw(b"\x89HDF\r\n\x1a\n" + noise), 2, "unreadable")
    case(
        "raw-hdf5-without-node",
        "own",
        fresh_h5(lambda f: (f.create_dataset("data", data=np.arange(10)), f.create_group("meta"))),
        2,
        "unreadable",
        match="no 'node' group",
    )
    case("raw-hdf5-empty", "own", fresh_h5(lambda f: None), 2, "unreadable", match="no 'node' group")


def _structure() -> None:
    invalid("own-del-edges", "own", lambda f: f.__delitem__("node/edges"), "invalid-node")
    invalid("own-del-sub-edges", "own", lambda f: f.__delitem__("node/nodes/sub/edges"), "invalid-node")
    invalid("own-del-node-type", "own", lambda f: f.__delitem__(f"{AFFINE}/type"), "invalid-node")
    invalid("own-del-sub-type", "own", lambda f: f.__delitem__("node/nodes/sub/type"), "invalid-node")
    invalid("own-del-weight", "own", lambda f: f.__delitem__(f"{AFFINE}/weight"), "invalid-node")
    invalid("own-del-bias", "own", lambda f: f.__delitem__(f"{AFFINE}/bias"), "invalid-node")
    invalid("own-del-tau", "own", lambda f: f.__delitem__(f"{LIF}/tau"), "invalid-node")
    invalid("rec-del-tau-mem", "rec", lambda f: f.__delitem__("node/nodes/lif/tau_mem"), "invalid-node")
    invalid("own-del-nodes", "own", lambda f: f.__delitem__("node/nodes"), ("empty-graph", "unknown-node"))
    unreadable("own-del-node-group", "own", lambda f: f.__delitem__("node"), match="no 'node' group")
    invalid("own-del-root-type", "own", lambda f: f.__delitem__("node/type"), "invalid-node")
    invalid("own-root-type-lif", "own", lambda f: put(f, "node/type", "LIF"), "invalid-node")
    invalid("own-root-type-number", "own", lambda f: put(f, "node/type", 7), "invalid-node")


def _wrong_kinds() -> None:
    invalid("own-weight-string", "own", lambda f: put(f, f"{AFFINE}/weight", "hello"), "invalid-node")
    invalid("own-weight-strings", "own", lambda f: put(f, f"{AFFINE}/weight", strings("a", "b")), "invalid-node")
    invalid("own-bias-matrix", "own", lambda f: put(f, f"{AFFINE}/bias", np.ones((4, 4), "f4")), "invalid-node")
    invalid("own-tau-string", "own", lambda f: put(f, f"{LIF}/tau", "fast"), "invalid-node")
    invalid("own-type-number", "own", lambda f: put(f, f"{AFFINE}/type", 5), "invalid-node")
    invalid("own-type-float", "own", lambda f: put(f, f"{AFFINE}/type", 1.5), "invalid-node")
    invalid("own-type-array", "own", lambda f: put(f, f"{AFFINE}/type", strings("Affine", "Affine")), "invalid-node")
    invalid(
        "own-type-group",
        "own",
        lambda f: (f.__delitem__(f"{AFFINE}/type"), f.create_group(f"{AFFINE}/type")),
        "invalid-node",
    )
    invalid("own-edges-int", "own", lambda f: put(f, "node/edges", np.array([[0, 1], [1, 2]])), "invalid-node")
    invalid("own-edges-float", "own", lambda f: put(f, "node/edges", np.zeros((2, 2))), "invalid-node")
    invalid(
        "own-edges-3d",
        "own",
        lambda f: put(f, "node/edges", strings([["input", "affine"]], [["affine", "sub"]])),
        "invalid-node",
    )
    invalid("own-edges-rank1", "own", lambda f: put(f, "node/edges", strings("input", "affine")), "invalid-node")
    invalid("own-edges-scalar", "own", lambda f: put(f, "node/edges", "input->affine"), "invalid-node")
    invalid(
        "own-edges-3-columns",
        "own",
        lambda f: put(f, "node/edges", strings(["input", "affine", "sub"])),
        "invalid-node",
    )
    invalid(
        "own-edges-group", "own", lambda f: (f.__delitem__("node/edges"), f.create_group("node/edges")), "invalid-node"
    )
    invalid(
        "own-edges-empty-name",
        "own",
        lambda f: set_edges(f, [["", "affine"], *edges_of(f)[1:]]),
        "invalid-node",
    )
    invalid("own-nodes-dataset", "own", lambda f: put(f, "node/nodes", 3), "invalid-node")
    invalid("own-node-dataset", "own", lambda f: put(f, AFFINE, np.ones(3)), "invalid-node")
    invalid("own-metadata-dataset", "own", lambda f: put(f, "node/metadata", 3), "invalid-node")
    invalid("own-node-metadata-dataset", "own", lambda f: put(f, f"{AFFINE}/metadata", "x"), "invalid-node")
    invalid("own-input-shape-float", "own", lambda f: put(f, "node/nodes/input/shape", np.array([3.5])), "invalid-node")
    invalid("own-input-shape-string", "own", lambda f: put(f, "node/nodes/input/shape", "3"), "invalid-node")
    invalid("own-input-shape-2d", "own", lambda f: put(f, "node/nodes/input/shape", np.array([[3]])), "invalid-node")
    invalid(
        "own-input-shape-negative", "own", lambda f: put(f, "node/nodes/input/shape", np.array([-3])), "invalid-node"
    )
    invalid(
        "own-input-shape-huge",
        "own",
        lambda f: put(f, "node/nodes/input/shape", np.array([2**40])),
        "io-shape-mismatch",
    )
    invalid(
        "own-input-shape-uint64-max",
        "own",
        lambda f: put(f, "node/nodes/input/shape", np.array([2**64 - 1], dtype=np.uint64)),
        "invalid-node",
    )
    conv = {
        "weight": np.ones((2, 2, 3, 3), "f4"),
        "bias": np.ones(2, "f4"),
        "input_shape": np.array([8, 8]),
        "dilation": np.array([1, 1]),
    }
    invalid(
        "own-conv-stride-zero",
        "own",
        lambda f: add_node(f, "conv", "Conv2d", **conv, stride=np.array([0, 0]), padding=np.array([0, 0]), groups=1),
        "invalid-node",
    )
    invalid(
        "own-conv-groups-zero",
        "own",
        lambda f: add_node(f, "conv", "Conv2d", **conv, stride=np.array([1, 1]), padding=np.array([0, 0]), groups=0),
        "invalid-node",
    )
    invalid(
        "own-conv-padding-word",
        "own",
        lambda f: add_node(f, "conv", "Conv2d", **conv, stride=np.array([1, 1]), padding="full", groups=1),
        "invalid-node",
    )
    invalid(
        "own-conv-groups-not-dividing",
        "own",
        lambda f: add_node(f, "conv", "Conv2d", **conv, stride=np.array([1, 1]), padding=np.array([0, 0]), groups=3),
        "invalid-parameter",
    )
    invalid(
        "own-pool-kernel-zero",
        "own",
        lambda f: add_node(
            f, "pool", "SumPool2d", kernel_size=np.array([0, 0]), stride=np.array([1, 1]), padding=np.array([0, 0])
        ),
        "invalid-node",
    )
    invalid(
        "own-flatten-dims-out-of-range",
        "own",
        lambda f: add_node(
            f, "flat", "Flatten", input_type=np.array([2, 3]), start_dim=np.int64(5), end_dim=np.int64(-9)
        ),
        "invalid-parameter",
    )
    invalid("own-bias-complex", "own", lambda f: put(f, f"{AFFINE}/bias", np.zeros(4, "c8")), "invalid-node")
    unreadable(
        "own-bias-compound",
        "own",
        lambda f: put(f, f"{AFFINE}/bias", np.zeros(4, dtype=[("a", "f4"), ("b", "i4")])),
        match="unsupported data type",
    )
    unreadable(
        "own-bias-opaque", "own", lambda f: put(f, f"{AFFINE}/bias", np.void(b"abcd")), match="unsupported data type"
    )
    unreadable(
        "own-bias-reference",
        "own",
        lambda f: put(f, f"{AFFINE}/bias", np.array([f["node"].ref] * 4, dtype=h5py.ref_dtype)),
        match="unsupported data type",
    )

    def vlen_ints(f: h5py.File) -> None:
        del f[f"{AFFINE}/bias"]
        data = f.create_dataset(f"{AFFINE}/bias", (2,), dtype=h5py.vlen_dtype("i4"))
        data[0], data[1] = [1, 2], [3]

    unreadable("own-bias-vlen-ints", "own", vlen_ints, match="unsupported data type")
    unreadable("own-bias-null", "own", lambda f: put(f, f"{AFFINE}/bias", h5py.Empty("f4")), match="null dataspace")
    unreadable(
        "own-committed-datatype",
        "own",
        lambda f: f["node/nodes"].__setitem__("dtype", np.dtype("f4")),
        match="neither a group",
    )


def _unknown_types_and_edges() -> None:
    invalid("own-type-typo", "own", lambda f: put(f, f"{LIF}/type", "LIFF"), "invalid-node")
    invalid("own-type-unknown", "own", lambda f: put(f, f"{AFFINE}/type", "Transformer"), "invalid-node")
    invalid("own-type-empty", "own", lambda f: put(f, f"{AFFINE}/type", ""), "invalid-node")
    invalid("own-type-undecodable", "own", lambda f: put(f, f"{AFFINE}/type", np.bytes_(b"\xff\xfe")), "invalid-node")
    invalid("own-type-lowercase", "own", lambda f: put(f, f"{AFFINE}/type", "affine"), "invalid-node")
    invalid("own-sub-type-unknown", "own", lambda f: put(f, "node/nodes/sub/type", "Graph"), "invalid-node")
    invalid("own-edge-ghost-dst", "own", lambda f: set_edges(f, [*edges_of(f), ["linear", "ghost"]]), "unknown-node")
    invalid("own-edge-ghost-src", "own", lambda f: set_edges(f, [*edges_of(f), ["ghost", "linear"]]), "unknown-node")
    invalid(
        "own-edge-dotted-ghost",
        "own",
        lambda f: set_edges(
            f, [["input", "affine"], ["affine", "sub.ghost"], ["sub.output", "linear"], ["linear", "output"]]
        ),
        "unknown-node",
    )
    invalid(
        "own-edge-dotted-into-leaf",
        "own",
        lambda f: set_edges(f, [["input", "affine.x"], *edges_of(f)[1:]]),
        "unknown-node",
    )
    invalid("own-edge-dots-only", "own", lambda f: set_edges(f, [[".", "..."], *edges_of(f)]), "unknown-node")
    invalid("own-edge-duplicate", "own", lambda f: set_edges(f, [*edges_of(f), edges_of(f)[0]]), "duplicate-edge")
    invalid(
        "own-sub-edge-ghost",
        "own",
        lambda f: set_edges(f, [["input", "lif"], ["lif", "outptu"]], "node/nodes/sub"),
        "unknown-node",
    )

    def island(f: h5py.File) -> None:
        add_node(f, "a", "Scale", scale=np.ones(3, "f4"))
        add_node(f, "b", "Scale", scale=np.ones(3, "f4"))
        set_edges(f, [*edges_of(f), ["a", "b"], ["b", "a"]])

    invalid("own-cycle-without-entry", "own", island, "cycle-without-entry")
    invalid("own-output-unconnected", "own", lambda f: set_edges(f, edges_of(f)[:-1]), "output-unconnected")
    invalid(
        "own-edge-shape-mismatch",
        "own",
        lambda f: set_edges(f, [*edges_of(f), ["linear", "affine"]]),
        "shape-mismatch",
    )


def _values() -> None:
    invalid("own-tau-nan", "own", lambda f: scale(f, f"{LIF}/tau", 0, np.nan), "non-finite")
    invalid("own-tau-inf", "own", lambda f: scale(f, f"{LIF}/tau", 1, np.inf), "non-finite")
    invalid("own-tau-negative", "own", lambda f: scale(f, f"{LIF}/tau", 2, -0.01), "out-of-range")
    invalid("own-tau-zero", "own", lambda f: scale(f, f"{LIF}/tau", 3, 0.0), "out-of-range")
    invalid("own-r-negative", "own", lambda f: scale(f, f"{LIF}/r", 0, -1.0), "out-of-range")
    invalid("own-weight-nan", "own", lambda f: scale(f, f"{AFFINE}/weight", 5, np.nan), "non-finite")
    invalid("rec-tau-mem-nan", "rec", lambda f: scale(f, "node/nodes/lif/tau_mem", 0, np.nan), "non-finite")
    invalid("rec-tau-syn-negative", "rec", lambda f: scale(f, "node/nodes/lif/tau_syn", 4, -1.0), "out-of-range")
    invalid(
        "own-delay-negative",
        "own",
        lambda f: add_node(f, "delay", "Delay", delay=np.array([-1.0, 1.0, 2.0])),
        "out-of-range",
    )

    def big_nan(f: h5py.File) -> None:
        weight = np.ones((200, 200), "f4")  # 160 kB: left on disk by a lazy read, then checked
        weight[7, 9] = np.nan
        add_node(f, "big", "Linear", weight=weight)

    invalid("own-big-weight-nan", "own", big_nan, "non-finite")

    def empty_graph(f: h5py.File) -> None:
        del f["node/nodes"]
        f.create_group("node/nodes")
        set_edges(f, [])

    invalid("own-empty-graph", "own", empty_graph, "empty-graph")
    invalid(
        "own-empty-graph-no-edges",
        "own",
        lambda f: (empty_graph(f), f.__delitem__("node/edges")),
        ("empty-graph", "invalid-node"),
    )

    def empty_sub(f: h5py.File) -> None:
        del f["node/nodes/sub/nodes"]
        f.create_group("node/nodes/sub/nodes")
        set_edges(f, [], "node/nodes/sub")

    invalid("own-empty-subgraph", "own", empty_sub, "empty-graph")


def _links_and_limits() -> None:
    unreadable(
        "own-softlink-to-parent",
        "own",
        lambda f: f.__setitem__("node/nodes/sub/nodes/parent", h5py.SoftLink("/node")),
        match="soft link refused",
    )
    unreadable(
        "own-softlink-dangling",
        "own",
        lambda f: f.__setitem__("node/nodes/sub/nodes/nowhere", h5py.SoftLink("/no/such/group")),
        match="soft link refused",
    )
    unreadable(
        "own-softlink-as-weight",
        "own",
        lambda f: (
            f.__delitem__(f"{AFFINE}/weight"),
            f.__setitem__(f"{AFFINE}/weight", h5py.SoftLink("/node/nodes/linear/weight")),
        ),
        match="soft link refused",
    )
    unreadable(
        "own-hardlink-cycle-child",
        "own",
        lambda f: f.__setitem__("node/nodes/sub/nodes/loop", f["node/nodes/sub"]),
        match="linked into itself",
    )
    unreadable(
        "own-hardlink-cycle-root",
        "own",
        lambda f: f.__setitem__("node/nodes/sub/nodes/loop", f["node"]),
        match="linked into itself",
    )
    unreadable(
        "own-hardlink-cycle-metadata",
        "own",
        lambda f: f.__setitem__("node/metadata/origin/params/again", f["node/metadata"]),
        match="linked into itself",
    )
    unreadable(
        "own-external-link",
        "own",
        lambda f: f.__setitem__(
            "node/nodes/ext", h5py.ExternalLink(str(EXAMPLES / "feedforward.nir"), "/node/nodes/affine")
        ),
        match="external link refused",
    )
    unreadable(
        "own-external-link-missing",
        "own",
        lambda f: f.__setitem__("node/nodes/ext", h5py.ExternalLink("/no/such/file.nir", "/node")),
        match="external link refused",
    )
    unreadable(
        "own-external-link-as-node-group",
        "own",
        lambda f: (
            f.__delitem__("node"),
            f.__setitem__("node", h5py.ExternalLink(str(EXAMPLES / "feedforward.nir"), "/node")),
        ),
        match="external link refused",
    )

    def deep_metadata(f: h5py.File) -> None:
        group = f["node/metadata"]
        for level in range(70):
            group = group.create_group(f"d{level}")
        group["leaf"] = 1

    unreadable("own-deep-metadata", "own", deep_metadata, match="nested deeper than 64")

    def deep_graphs(f: h5py.File) -> None:
        group = f["node"]
        for level in range(40):  # two groups (nodes/<name>) per graph level: 80 > 64
            group = group["nodes"].create_group(f"g{level}")
            group["type"] = "NIRGraph"
            group.create_group("nodes")
            group["edges"] = np.empty((0, 2), dtype=STRING)

    unreadable("own-deep-graphs", "own", deep_graphs, match="nested deeper than 64")
    unreadable(
        "own-long-name", "own", lambda f: f["node/nodes"].create_group("x" * 5000), match="name longer than 4096 bytes"
    )
    # 4 x 2**38 float32 = 2**40 elements, 4 TiB declared; nothing is written (chunked, no data).
    case(
        "own-giant-weight-2e40",
        "own",
        h5edit(lambda f: declare(f, f"{AFFINE}/weight", (4, 2**38))),
        1,
        "io-shape-mismatch",
        error=nir.NIRFormatError,
        match="eager-read limit",
    )
    # more elements than numpy can index: refused by the eager limit and by the lazy placeholder
    case(
        "own-giant-weight-2e62",
        "own",
        h5edit(lambda f: declare(f, f"{AFFINE}/weight", (2**62,))),
        2,
        "unreadable",
        match="(4611686018427387904,)",
    )

    def scalar_and_giant(f: h5py.File) -> None:
        put(f, f"{LIF}/tau", np.float32(0.01))
        for name in ("r", "v_leak", "v_threshold", "v_reset"):
            declare(f, f"{LIF}/{name}", (2**30,))  # 4 GiB each: over the eager limit, left on disk when lazy

    case(
        "own-giant-scalar-broadcast",
        "own",
        h5edit(scalar_and_giant),
        1,
        "io-shape-mismatch",
        error=nir.NIRFormatError,
        heavy=True,
    )
    # 2**20 strings declared, never written: 20 kB on disk, over MAX_STRINGS (each costs ~1 kB to decode)
    case(
        "own-giant-edge-strings",
        "own",
        h5edit(lambda f: declare(f, "node/edges", (2**19, 2), STRING)),
        2,
        "unreadable",
        match="more than 200000 strings",
    )


def _versions() -> None:
    for name, value in (("int", 1), ("float", 1.0), ("array", strings("1.0", "2.0"))):
        unreadable(f"own-version-{name}", "own", lambda f, value=value: put(f, "version", value), match="not a string")
    unreadable(
        "own-version-group",
        "own",
        lambda f: (f.__delitem__("version"), f.create_group("version")),
        match="not a string",
    )
    for name, value in (("future", "2.0.0"), ("far-future", "99.1"), ("garbage", "banana"), ("empty", "")):
        case(
            f"own-version-{name}",
            "own",
            h5edit(lambda f, value=value: put(f, "version", value)),
            2,
            "unsupported-version",
        )
    case(
        "own-version-huge-digits",
        "own",
        h5edit(lambda f: put(f, "version", "9" * 5000 + ".0")),
        2,
        "unsupported-version",
    )


def _metadata_and_lazy_bugs() -> None:
    def undecodable_name(f: h5py.File) -> None:
        group = h5py.Group(h5py.h5g.create(f["node/nodes"].id, b"big\xff"))
        group["type"] = "Linear"
        weight = np.ones((200, 200), "f4")
        weight[0, 0] = np.nan
        group["weight"] = weight

    invalid("own-lazy-undecodable-name", "own", undecodable_name, "non-finite")

    def corrupt_chunk(shape: tuple[int, int]) -> Edit:
        def edit(f: h5py.File) -> None:
            group = f["node/nodes"].create_group("broken")
            group["type"] = "Linear"
            data = group.create_dataset("weight", shape=shape, dtype="f4", chunks=shape, compression="gzip")
            data.id.write_direct_chunk((0, 0), b"not gzip at all " * 64)

        return edit

    unreadable("own-corrupt-chunk-small", "own", corrupt_chunk((20, 20)), match="cannot read dataset")
    # lazy in validation: read when its values are checked, reported where it lies
    unreadable("own-corrupt-chunk-lazy", "own", corrupt_chunk((200, 200)), match="cannot read")

    def corrupt_global_heap(data: bytes) -> bytes:
        out = bytearray(data)
        at = out.index(b"GCOL") + 8  # collection size, 8 bytes little-endian (4096)
        out[at] = 0xF7
        return bytes(out)

    # libhdf5 loops forever on this file inside H5Dread (HDFGroup/hdf5#1707); the package's own
    # parser checks each collection's size against its objects and reports it instead.
    case(
        "corpus-braille-global-heap-loop",
        "corpus/braille_noDelay_noBias_subtract.nir",
        byte_edit(corrupt_global_heap),
        2,
        "unreadable",
        match="global heap",
    )


def _corpus() -> None:
    for name, (weighted, attr, neuron, constant) in CORPUS_ROLES.items():
        source = f"corpus/{name}"
        label = short(source)
        w, n = f"node/nodes/{weighted}", f"node/nodes/{neuron}"
        invalid(f"corpus-{label}-del-edges", source, lambda f: f.__delitem__("node/edges"), "invalid-node")
        invalid(f"corpus-{label}-del-type", source, lambda f, w=w: f.__delitem__(f"{w}/type"), "invalid-node")
        invalid(f"corpus-{label}-del-{attr}", source, lambda f, w=w, a=attr: f.__delitem__(f"{w}/{a}"), "invalid-node")
        invalid(
            f"corpus-{label}-{attr}-string", source, lambda f, w=w, a=attr: put(f, f"{w}/{a}", "oops"), "invalid-node"
        )
        invalid(
            f"corpus-{label}-{constant}-nan",
            source,
            lambda f, n=n, c=constant: scale(f, f"{n}/{c}", 0, np.nan),
            "non-finite",
        )
        invalid(
            f"corpus-{label}-{constant}-negative",
            source,
            lambda f, n=n, c=constant: scale(f, f"{n}/{c}", 0, -1.0),
            "out-of-range",
        )
        invalid(
            f"corpus-{label}-edge-ghost",
            source,
            lambda f: set_edges(f, [*edges_of(f), ["input", "ghost"]]),
            "unknown-node",
        )
        invalid(f"corpus-{label}-type-unknown", source, lambda f, n=n: put(f, f"{n}/type", "Spiker"), "invalid-node")
        invalid(
            f"corpus-{label}-input-negative",
            source,
            lambda f: put(f, "node/nodes/input/shape", np.array([-3])),
            "invalid-node",
        )
        case(
            f"corpus-{label}-version-future",
            source,
            h5edit(lambda f: put(f, "version", "2.0.0")),
            2,
            "unsupported-version",
        )
        unreadable(f"corpus-{label}-del-node", source, lambda f: f.__delitem__("node"), match="no 'node' group")
        unreadable(
            f"corpus-{label}-softlink",
            source,
            lambda f: f.__setitem__("node/nodes/back", h5py.SoftLink("/node")),
            match="soft link refused",
        )
        unreadable(
            f"corpus-{label}-hardlink-cycle",
            source,
            lambda f: f.__setitem__("node/nodes/back", f["node"]),
            match="linked into itself",
        )


def _json() -> None:
    def js(name: str, edit: Callable[[dict[str, Any]], Any], verdict: int, codes: Any, **extra: Any) -> None:
        case(name, "own", json_edit(edit), verdict, codes, suffix=".json", **extra)

    g = lambda d: d["graph"]  # noqa: E731
    nodes = lambda d: d["graph"]["nodes"]  # noqa: E731
    lif = lambda d: d["graph"]["nodes"]["sub"]["nodes"]["lif"]  # noqa: E731
    js("json-not-json", lambda d: "{", 2, "unreadable", match="not JSON")
    js("json-empty-text", lambda d: "", 2, "unreadable", match="not JSON")
    js("json-array", lambda d: "[1, 2]", 2, "unreadable")
    js("json-no-graph", lambda d: d.pop("graph"), 2, "unreadable")
    js("json-graph-list", lambda d: d.update(graph=[]), 2, "unreadable")
    js("json-no-version", lambda d: d.pop("version"), 2, "unreadable")
    js("json-version-number", lambda d: d.update(version=1.0), 2, "unreadable")
    js("json-version-future", lambda d: d.update(version="2.0"), 2, "unsupported-version")
    js("json-invalid-utf8", lambda d: b'{"version": "1.0", "graph": {"nodes": {"\xff": 1}}}', 2, "unreadable")
    js("json-edge-ghost", lambda d: g(d)["edges"].append(["linear", "ghost"]), 1, "unknown-node")
    js("json-tau-nan", lambda d: lif(d)["tau"]["data"].__setitem__(0, "NaN"), 1, "non-finite")
    js("json-tau-negative", lambda d: lif(d)["tau"]["data"].__setitem__(0, -1.0), 1, "out-of-range")
    js("json-tau-bare-list", lambda d: lif(d).update(tau=[0.1, 0.1, 0.1, 0.1]), 1, "invalid-node")
    js("json-tensor-bad-dtype", lambda d: lif(d)["tau"].update(dtype="float33"), 1, "invalid-node")
    js("json-tensor-count", lambda d: lif(d)["tau"]["data"].pop(), 1, "invalid-node")
    js("json-tensor-data-strings", lambda d: lif(d)["tau"].update(data=["a", "b", "c", "d"]), 1, "invalid-node")
    js(
        "json-tensor-int8-overflow",
        lambda d: nodes(d)["affine"].update(bias={"dtype": "int8", "shape": [4], "data": [1000, 1, 1, 1]}),
        1,
        "invalid-node",
    )
    js("json-shape-negative", lambda d: nodes(d)["input"].update(shape=[-3]), 1, "invalid-node")
    js("json-shape-string", lambda d: nodes(d)["input"].update(shape="3"), 1, "invalid-node")
    js("json-unknown-type", lambda d: nodes(d)["affine"].update(type="Attention"), 1, "invalid-node")
    js("json-empty-graph", lambda d: g(d).update(nodes={}, edges=[]), 1, "empty-graph")
    js("json-edges-object", lambda d: g(d).update(edges={"input": "affine"}), 1, "invalid-node")
    js("json-edges-ragged", lambda d: g(d).update(edges=[["input"], ["affine", "sub", "x"]]), 1, "invalid-node")
    js("json-nodes-list", lambda d: g(d).update(nodes=[1, 2]), 1, "invalid-node")
    js("json-node-null", lambda d: nodes(d).update(affine=None), 1, "invalid-node")
    js("json-metadata-list", lambda d: g(d).update(metadata=[1, 2]), 1, "invalid-node")
    js("json-node-name-empty", lambda d: nodes(d).update({"": {"type": "Input", "shape": [3]}}), 1, "invalid-node")

    def deep_graphs(d: dict[str, Any]) -> None:
        inner: dict[str, Any] = {"type": "NIRGraph", "nodes": {}, "edges": []}
        for _ in range(80):
            inner = {"type": "NIRGraph", "nodes": {"g": inner}, "edges": []}
        d["graph"] = inner

    js("json-deep-graphs", deep_graphs, 2, "unreadable", match="nested deeper than 64")
    js("json-deep-arrays", lambda d: "[" * 100_000 + "]" * 100_000, 2, "unreadable", match="nested too deeply")
    js(
        "json-huge-int-literal",
        lambda d: json.dumps(d)[:-1] + ', "x": ' + "1" * 5000 + "}",
        2,
        "unreadable",
        match="not JSON",
    )
    js("json-version-huge-digits", lambda d: d.update(version="9" * 5000 + ".0"), 2, "unsupported-version")
    js(
        "json-metadata-tensor-bad",
        lambda d: g(d)["metadata"].update(t={"dtype": "bogus", "shape": [1], "data": [1]}),
        1,
        "invalid-node",
    )

    def deep_metadata(d: dict[str, Any]) -> None:
        value: Any = 1
        for _ in range(900):
            value = {"k": value}
        g(d)["metadata"] = {"deep": value}

    js("json-deep-metadata", deep_metadata, 2, "unreadable", match="nested deeper than 64 levels")
    js("json-shape-2e63", lambda d: nodes(d)["input"].update(shape=[2**63]), 1, "invalid-node")
    js("json-tensor-data-overflow", lambda d: lif(d)["tau"]["data"].__setitem__(0, 10**400), 1, "invalid-node")
    # found by fuzz_json: numpy parses comma lists in dtype strings with ast (SyntaxError)
    js("json-tensor-dtype-syntax", lambda d: lif(d)["tau"].update(dtype="f4,,f4"), 1, "invalid-node")
    js("json-node-name-slash", lambda d: nodes(d).update({"a/b": {"type": "Input", "shape": [3]}}), 1, "invalid-node")


def catalogue() -> list[Case]:
    """All cases, built once."""
    if not CATALOGUE:
        for part in (
            _not_nir,
            _truncations,
            _flips,
            _structure,
            _wrong_kinds,
            _unknown_types_and_edges,
            _values,
            _links_and_limits,
            _versions,
            _metadata_and_lazy_bugs,
            _corpus,
            _json,
        ):
            part()
    return CATALOGUE


def materialise(cases: list[Case], folder: Path, work: Path) -> dict[str, Path]:
    """Write every case whose source exists; {case name: path}.

    Cases for the folder run go to `folder/batch`, isolated ones to `folder/isolated`.
    """
    sources = Sources(work)
    written = {}
    for item in cases:
        if not Sources.available(item.source):
            continue
        target = folder / ("isolated" if item.isolated else "batch") / item.filename
        target.parent.mkdir(parents=True, exist_ok=True)
        item.make(sources, target, item.source)
        written[item.name] = target
    return written


# --- running the command line tool --------------------------------------------------------------------


@dataclass
class Run:
    """One finished (or killed) run of the console script."""

    code: int | None
    stdout: str
    stderr: str
    seconds: float
    max_rss_mb: float
    timed_out: bool

    def json(self) -> dict[str, Any]:
        return json.loads(self.stdout)


def run_cli(*args: object, timeout: float = 60, memory_limit_mb: int | None = None) -> Run:
    """Run `nir ARGS` with a wall-clock limit; the child's own peak RSS comes from wait4.

    `memory_limit_mb` caps the child's address space, so a reader that allocates what a header
    claims fails there instead of taking the machine down.
    """

    def limit() -> None:
        if memory_limit_mb is not None:
            size = memory_limit_mb * 1024**2
            resource.setrlimit(resource.RLIMIT_AS, (size, size))

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        env = dict(os.environ, NO_COLOR="1", PYTHONFAULTHANDLER="1")
        child = subprocess.Popen([str(NIR_SCRIPT), *map(str, args)], stdout=out, stderr=err, preexec_fn=limit, env=env)
        timed_out = False
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - start > timeout:
                timed_out = True
                child.kill()
                pid, status, usage = os.wait4(child.pid, 0)
                break
            time.sleep(0.01)
        seconds = time.monotonic() - start
        code = os.waitstatus_to_exitcode(status)
        child.returncode = code  # reaped by wait4; keep Popen from waiting again
        out.seek(0)
        err.seek(0)
        return Run(
            code=None if timed_out else code,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
            seconds=seconds,
            max_rss_mb=usage.ru_maxrss / 1024,
            timed_out=timed_out,
        )


CHILD = """
import json, resource, sys
import nir
path, what = sys.argv[1], sys.argv[2]
try:
    if what == "validate":
        result = sorted({f.code for f in nir.validate(path).errors})
    else:
        (nir.read_json if path.endswith(".json") else nir.read)(path)
        result = "ok"
except Exception as err:
    result = type(err).__name__
print(json.dumps([result, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024]))
"""


def in_child(path: Path, what: str, timeout: float = 20, memory_limit_mb: int = 1500, with_rss: bool = False) -> Any:
    """`nir.read` ('read') or the error codes of `nir.validate` ('validate') in a child interpreter.

    Returns the codes, 'ok', the class name of the exception raised, or how the child died
    ('killed by SIGSEGV', 'hung for 20 s'). The child's address space is capped. With
    `with_rss`, (outcome, peak RSS in MB of the child) instead.
    """

    def limit() -> None:
        size = memory_limit_mb * 1024**2
        resource.setrlimit(resource.RLIMIT_AS, (size, size))

    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(path), what],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            preexec_fn=limit,
        )
    except subprocess.TimeoutExpired:
        outcome, rss = f"hung for {timeout} s", None
    else:
        if done.returncode < 0:
            outcome, rss = f"killed by {signal.Signals(-done.returncode).name}", None
        elif not done.stdout.strip():
            outcome, rss = f"exit {done.returncode}: {done.stderr[-300:]}", None
        else:
            outcome, rss = json.loads(done.stdout.strip().splitlines()[-1])
    return (outcome, rss) if with_rss else outcome
