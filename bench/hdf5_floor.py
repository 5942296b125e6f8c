"""Where the time of reading goes, how close it is to what h5py allows, what other layouts would cost.

Run with the project's interpreter: ``.venv/bin/python bench/hdf5_floor.py``; writes
bench/results/profile-hdf5-floor.txt. Every variant is timed in CPU time (process_time,
robust on a shared machine) and wall time, best of --repeats, each run on a freshly
opened file (HDF5's metadata cache is per open file, so every run reads cold metadata;
the OS page cache is warm).

Read (the reference-written chain file): our tree reader (own parser, and its h5py fallback)
against bare h5py loops (the floor of any reader built on h5py), and the stages of
`nir.validate` after the tree (models, checks). Write (the same chain built by our package):
our `h5write.write_file` against layout variants (no link creation-order index, compact
datasets, newer file format), and the read-back cost of each variant's file. Affine
4096x4096: our write against a chunked write with byte shuffle and Huffman-only deflate
compressed in threads and stored with write_direct_chunk. None of this changes src/.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import os
import sys
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import h5py
import numpy as np
from h5py import h5, h5d, h5g, h5o, h5p, h5s, h5t

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
OUT = RESULTS / "work" / "out"
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def measure(fn, repeats: int) -> tuple[float, float, object]:
    """Best CPU and best wall time over `repeats` runs, and the last result."""
    cpu = wall = float("inf")
    result = None
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        result = fn()
        cpu = min(cpu, time.process_time() - c)
        wall = min(wall, time.perf_counter() - w)
    return cpu, wall, result


# ---------------------------------------------------------------- read floors


def read_traverse_only(path: Path) -> int:
    """h5o.visit over every object name: the cost of walking the links."""
    with h5py.File(path, "r") as f:
        names: list[bytes] = []
        h5o.visit(f.id, names.append)
        return len(names)


def read_open_only(path: Path) -> int:
    """Walk and h5o.open every object (object headers decoded), read nothing."""
    with h5py.File(path, "r") as f:
        count = 0

        def visit(name: bytes) -> None:
            nonlocal count
            h5o.open(f.id, name)
            count += 1

        h5o.visit(f.id, visit)
        return count


def _read_value(dsid: h5d.DatasetID) -> np.ndarray:
    array = np.empty(dsid.shape, dtype=dsid.dtype)
    if array.size:
        dsid.read(h5s.ALL, h5s.ALL, array)
    return array


def read_bare_tree(path: Path) -> dict:
    """The same nested-dict tree as ours, with no checks at all: recursion + h5o.open + read."""

    def group(gid: h5g.GroupID) -> dict:
        names: list[bytes] = []
        try:
            gid.links.iterate(names.append, idx_type=h5.INDEX_CRT_ORDER)
        except (KeyError, ValueError, RuntimeError):
            names.clear()
            gid.links.iterate(names.append)
        out = {}
        for raw in names:
            obj = h5o.open(gid, raw)
            out[raw.decode()] = group(obj) if isinstance(obj, h5g.GroupID) else _read_value(obj)
        return out

    with h5py.File(path, "r") as f:
        return group(f.id)


def read_visit_info(path: Path) -> int:
    """One h5o.visit with object info (type known without a wrapper), then h5d.open by path."""
    with h5py.File(path, "r") as f:
        found: list[bytes] = []

        def visit(name: bytes, info) -> None:
            if info.type == h5o.TYPE_DATASET:
                found.append(name)

        h5o.visit(f.id, visit, info=True)
        for name in found:
            _read_value(h5d.open(f.id, name))
        return len(found)


def read_ours_h5py(path: Path):
    from nir.store import h5fallback, tree

    with h5py.File(path, "r") as f:
        return tree.read_tree(h5fallback.H5pySource(f))


def read_ours(path: Path):
    from nir.store import tree
    from nir.store.h5parse.reader import ParsedFile

    return tree.read_tree(ParsedFile(path.read_bytes(), str(path)))


# ---------------------------------------------------------------- write variants


def write_variant(tree: dict, path: Path, *, crt_order: bool, compact: bool, libver: str | tuple) -> int:
    """Our writer's tree walk with the layout choices as parameters (small arrays uncompressed)."""
    from nir.store import h5write

    gcpl = h5p.create(h5p.GROUP_CREATE)
    if crt_order:
        gcpl.set_link_creation_order(h5p.CRT_ORDER_TRACKED | h5p.CRT_ORDER_INDEXED)
    compact_dcpl = h5p.create(h5p.DATASET_CREATE)
    compact_dcpl.set_layout(h5d.COMPACT)
    types: dict = {}

    def dataset(gid, name: bytes, value) -> None:
        if isinstance(value, str) or (isinstance(value, np.ndarray) and value.dtype.kind in "OUS"):
            array = np.array(value, dtype=h5write.STRING)
        else:
            array = np.asarray(value)
        dtype = h5write.STRING if array.dtype.kind == "O" else array.dtype
        tid = types.get(dtype)
        if tid is None:
            tid = types[dtype] = h5t.py_create(dtype, logical=True)
        space = h5s.create_simple(array.shape) if array.ndim else h5s.create(h5s.SCALAR)
        dcpl = compact_dcpl if compact and array.nbytes < 60_000 and array.dtype.kind != "O" else None
        dsid = h5d.create(gid, name, tid, space, dcpl=dcpl)
        if array.size:
            dsid.write(h5s.ALL, h5s.ALL, np.ascontiguousarray(array))

    def group(gid, node: dict) -> None:
        for name, value in node.items():
            raw = name.encode()
            if isinstance(value, dict):
                group(h5g.create(gid, raw, gcpl=gcpl), value)
            else:
                dataset(gid, raw, value)

    with h5py.File(path, "w", libver=libver) as f:
        group(f.id, tree)
    return path.stat().st_size


def write_ours(tree: dict, path: Path) -> int:
    from nir.store import h5write

    with h5py.File(path, "w", libver="earliest") as f:
        h5write.write_file(f, tree, {})
    return path.stat().st_size


# ---------------------------------------------------------------- big tensor write


def write_affine_ours(weight: np.ndarray, path: Path) -> int:
    from nir.store import h5write

    with h5py.File(path, "w", libver="earliest") as f:
        h5write.write_file(f, {"weight": weight}, {})
    return path.stat().st_size


def _shuffle_huffman(block: np.ndarray) -> bytes:
    planes = np.ascontiguousarray(block).view(np.uint8).reshape(-1, block.dtype.itemsize).T.copy()
    comp = zlib.compressobj(1, zlib.DEFLATED, 15, 9, zlib.Z_HUFFMAN_ONLY)
    return comp.compress(planes) + comp.flush()


def write_affine_direct(weight: np.ndarray, path: Path, threads: int) -> int:
    """Chunks of 1 MiB (whole rows), byte-shuffled in numpy and deflated Huffman-only in threads.

    The dataset declares the usual shuffle + deflate filters, so every HDF5 reader decodes it.
    """
    rows = max(1, (1024**2) // (weight.shape[1] * weight.itemsize))
    with h5py.File(path, "w", libver="earliest") as f:
        dcpl = h5p.create(h5p.DATASET_CREATE)
        dcpl.set_chunk((rows, weight.shape[1]))
        dcpl.set_shuffle()
        dcpl.set_deflate(1)
        tid = h5t.py_create(weight.dtype)
        dsid = h5d.create(f.id, b"weight", tid, h5s.create_simple(weight.shape), dcpl=dcpl)
        starts = range(0, weight.shape[0], rows)

        def chunk(start: int) -> bytes:
            block = weight[start : start + rows]
            if block.shape[0] < rows:  # a partial edge chunk is stored full size
                block = np.concatenate([block, np.zeros((rows - block.shape[0], weight.shape[1]), weight.dtype)])
            return _shuffle_huffman(block)

        with ThreadPoolExecutor(threads) as pool:
            for start, data in zip(starts, pool.map(chunk, starts), strict=True):
                dsid.write_direct_chunk((start, 0), data)
    return path.stat().st_size


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1600)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--ref-python", default=os.environ.get("NIR_REFERENCE_PYTHON"))
    args = parser.parse_args(argv)
    run = _load("run")
    worker = _load("worker")
    import nir
    from nir.store import document, layout

    OUT.mkdir(parents=True, exist_ok=True)
    chain = RESULTS / "work" / f"chain_{args.n}.nir"
    ref_python = args.ref_python or str(BENCH.parent / ".venv-reference" / "bin" / "python")
    run.generate(str(Path(ref_python).absolute()), "chain", args.n, chain)
    text = io.StringIO()

    def line(label: str, cpu: float, wall: float, extra: str = "") -> None:
        row = f"  {label:<62} cpu {cpu * 1000:8.1f} ms   wall {wall * 1000:8.1f} ms   {extra}"
        print(row, file=sys.stderr, flush=True)
        text.write(row + "\n")

    with h5py.File(chain, "r") as f:
        objects: list[bytes] = []
        h5o.visit(f.id, objects.append)
    text.write(f"# HDF5 floors and variants (chain of {args.n}, {len(objects)} HDF5 objects in the reference file)\n\n")
    text.write(f"CPU time is the figure to compare (the machine is shared); best of {args.repeats} runs.\n\n")
    text.write(f"## read {chain.name} (written by the reference package: every array chunked + gzip)\n\n")
    for label, fn in (
        ("floor: h5o.visit, names only", read_traverse_only),
        ("floor: visit + h5o.open every object", read_open_only),
        ("floor: bare tree (links.iterate + h5o.open + read)", read_bare_tree),
        ("alt: visit(info=True) + h5d.open(path) + read", read_visit_info),
        ("ours, h5py fallback: tree.read_tree(H5pySource)", read_ours_h5py),
        ("ours: tree.read_tree(ParsedFile) (own HDF5 parser)", read_ours),
        ("ours: nir.read (tree + models + validation)", lambda p: nir.read(p)),
        ("ours: nir.validate", lambda p: nir.validate(p)),
    ):
        cpu, wall, _ = measure(lambda fn=fn: fn(chain), args.repeats)
        line(label, cpu, wall)
    text.write("\n## the stages of nir.validate on the same file (tree read once)\n\n")
    from nir.analysis import analyse
    from nir.findings import Report
    from nir.store.source import read_file_tree as _read_tree

    content = _read_tree(chain, lazy=True)
    graphs = []
    stages = (
        (
            "stage: models (document.build_graph, 1 pydantic model a node)",
            lambda: graphs.append(document.build_graph(content["node"], Report(), document.model_builders())),
        ),
        ("stage: checks (connectivity, values, shape inference)", lambda: analyse(graphs[-1], Report())),
    )
    for label, fn in stages:
        cpu, wall, _ = measure(fn, args.repeats)
        line(label, cpu, wall)

    graph = worker.build_chain(nir, args.n)
    tree = {"version": nir.SPEC_VERSION, "node": layout.graph_tree(graph)}
    text.write(f"\n## write the chain of {args.n} (tree built once; no fsync) and read the file back\n\n")
    variants = (
        ("ours: h5write.write_file (crt-order index, contiguous, earliest)", lambda p: write_ours(tree, p)),
        (
            "variant: crt-order index, contiguous, earliest (type ids cached)",
            lambda p: write_variant(tree, p, crt_order=True, compact=False, libver="earliest"),
        ),
        (
            "variant: no crt-order, contiguous, earliest",
            lambda p: write_variant(tree, p, crt_order=False, compact=False, libver="earliest"),
        ),
        (
            "variant: crt-order index, COMPACT small arrays, earliest",
            lambda p: write_variant(tree, p, crt_order=True, compact=True, libver="earliest"),
        ),
        (
            "variant: no crt-order, COMPACT small arrays, earliest",
            lambda p: write_variant(tree, p, crt_order=False, compact=True, libver="earliest"),
        ),
        (
            "variant: crt-order index, COMPACT, libver v110",
            lambda p: write_variant(tree, p, crt_order=True, compact=True, libver=("v110", "v110")),
        ),
    )
    for index, (label, fn) in enumerate(variants):
        path = OUT / f"floor_write_{index}.nir"
        cpu, wall, size = measure(lambda fn=fn, path=path: fn(path), args.repeats)
        line(label, cpu, wall, f"{size / 1e6:6.2f} MB")
        rcpu, rwall, _ = measure(lambda path=path: read_ours(path), args.repeats)
        line("    read back with ours (own parser)", rcpu, rwall)
        path.unlink()

    weight = np.random.default_rng(worker.SEED).standard_normal((4096, 4096), dtype=np.float32)
    text.write("\n## write one 4096x4096 float32 tensor (standard normal)\n\n")
    path = OUT / "floor_affine.nir"
    for label, fn in (
        ("ours: h5write.write_file (1 MiB chunks, shuffle + gzip 1)", lambda: write_affine_ours(weight, path)),
        (
            "variant: shuffle + Huffman-only deflate, 1 thread, direct chunks",
            lambda: write_affine_direct(weight, path, 1),
        ),
        ("variant: same, 2 threads", lambda: write_affine_direct(weight, path, 2)),
    ):
        cpu, wall, size = measure(fn, args.repeats)
        with h5py.File(path, "r") as f:
            same = np.array_equal(f["weight"][()], weight)
        line(label, cpu, wall, f"{size / 1e6:6.2f} MB, reads back {'identical' if same else 'DIFFERENT'}")
    path.unlink(missing_ok=True)

    target = RESULTS / "profile-hdf5-floor.txt"
    target.write_text(text.getvalue())
    print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
