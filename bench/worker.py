"""One benchmark measurement, run by either interpreter (ours or the reference package).

Usage: ``python bench/worker.py '<json spec>'``. The spec names an operation and its
arguments; the worker imports `nir` (whichever package this interpreter has), prepares
the inputs untimed, times only the operation with time.perf_counter, and prints one JSON
line: wall seconds (the reported figure), CPU seconds (time.process_time, a check against
a noisy machine), peak RSS of the process (resource.getrusage; also /proc VmHWM), RSS
before the operation, and operation-specific extras (file size, findings, ...).

This file must run under both interpreters, so it imports nothing from bench/ and uses
only the API shared by our package and the reference package 1.0.8.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import json
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

WIDTH = 16
SEED = 1234


def _peak_rss_mb() -> float:
    # ru_maxrss is in kibibytes on Linux (bytes on macOS).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024**2 if sys.platform == "darwin" else peak / 1024


def _status_mb(field: str) -> float | None:
    """A memory figure of this process image from /proc (VmHWM: peak RSS, VmRSS: current)."""
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _current_rss_mb() -> float:
    try:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 1024**2
    except OSError:
        return float("nan")


# ---------------------------------------------------------------- graph builders (both APIs)


def _lif(nir, rng):
    f = np.float32
    return nir.LIF(
        tau=rng.uniform(1e-3, 1e-2, WIDTH).astype(f),
        r=np.ones(WIDTH, dtype=f),
        v_leak=np.zeros(WIDTH, dtype=f),
        v_threshold=np.ones(WIDTH, dtype=f),
        v_reset=np.zeros(WIDTH, dtype=f),
    )


def _affine(nir, rng, rows=WIDTH, cols=WIDTH):
    return nir.Affine(
        weight=rng.standard_normal((rows, cols), dtype=np.float32),
        bias=rng.standard_normal(rows, dtype=np.float32),
    )


def build_chain(nir, n: int):
    """Input -> n nodes alternating Affine 16x16 and LIF (float32) -> Output."""
    rng = np.random.default_rng(SEED)
    nodes = {"input": nir.Input(input_type=np.array([WIDTH]))}
    names = ["input"]
    for i in range(n):
        if i % 2 == 0:
            name, node = f"affine_{i // 2}", _affine(nir, rng)
        else:
            name, node = f"lif_{i // 2}", _lif(nir, rng)
        nodes[name] = node
        names.append(name)
    nodes["output"] = nir.Output(output_type=np.array([WIDTH]))
    names.append("output")
    edges = list(itertools.pairwise(names))
    return nir.NIRGraph(nodes=nodes, edges=edges)


def build_affine(nir, size: int):
    """Input -> one Affine size x size (float32, standard normal) -> Output."""
    rng = np.random.default_rng(SEED)
    nodes = {
        "input": nir.Input(input_type=np.array([size])),
        "affine": _affine(nir, rng, size, size),
        "output": nir.Output(output_type=np.array([size])),
    }
    return nir.NIRGraph(nodes=nodes, edges=[("input", "affine"), ("affine", "output")])


def build_nested(nir, n: int):
    """Input -> n nested recurrent subgraphs (CubaLIF with a recurrent Linear) in a row -> Output."""
    rng = np.random.default_rng(SEED)
    f = np.float32
    nodes = {"input": nir.Input(input_type=np.array([WIDTH]))}
    edges = []
    previous = "input"
    for i in range(n):
        sub = nir.NIRGraph(
            nodes={
                "input": nir.Input(input_type=np.array([WIDTH])),
                "lif": nir.CubaLIF(
                    tau_syn=rng.uniform(1e-3, 1e-2, WIDTH).astype(f),
                    tau_mem=rng.uniform(1e-3, 1e-2, WIDTH).astype(f),
                    r=np.ones(WIDTH, dtype=f),
                    v_leak=np.zeros(WIDTH, dtype=f),
                    v_threshold=np.ones(WIDTH, dtype=f),
                    v_reset=np.zeros(WIDTH, dtype=f),
                    w_in=np.ones(WIDTH, dtype=f),
                ),
                "rec": nir.Linear(weight=rng.standard_normal((WIDTH, WIDTH), dtype=f)),
                "output": nir.Output(output_type=np.array([WIDTH])),
            },
            edges=[("input", "lif"), ("lif", "rec"), ("rec", "lif"), ("lif", "output")],
        )
        name = f"sub_{i}"
        nodes[name] = sub
        edges.append((previous, name))
        previous = name
    nodes["output"] = nir.Output(output_type=np.array([WIDTH]))
    edges.append((previous, "output"))
    return nir.NIRGraph(nodes=nodes, edges=edges)


BUILDERS = {"chain": build_chain, "affine": build_affine, "nested": build_nested}


# ---------------------------------------------------------------- operations


class Timer:
    """Wall time (perf_counter, the reported figure) and CPU time (process_time, a noise check)."""

    wall = cpu = 0.0

    @contextlib.contextmanager
    def __call__(self):
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.wall = time.perf_counter() - wall
            self.cpu = time.process_time() - cpu


TIMER = Timer()


def _is_ours(nir) -> bool:
    return hasattr(nir, "validate")


def op_read(nir, spec):
    kwargs = spec.get("kwargs", {})
    with TIMER():
        graph = nir.read(spec["path"], **kwargs)
    return {"nodes": len(graph.nodes)}


def op_validate(nir, spec):
    """Ours: nir.validate(path) (lazy). Reference: read(type_check=True), its only way to check a file."""
    if _is_ours(nir):
        with TIMER():
            report = nir.validate(spec["path"])
        return {"ok": report.ok, "findings": sorted(set(report.codes()))}
    with TIMER():
        graph = nir.read(spec["path"], type_check=True)
    return {"nodes": len(graph.nodes)}


def op_write(nir, spec):
    """Build the workload's graph in this package (untimed), then time nir.write."""
    graph = BUILDERS[spec["workload"]](nir, spec["n"])
    out = Path(spec["path"])
    if out.exists():
        out.unlink()
    with TIMER():
        nir.write(out, graph)
    size = out.stat().st_size
    if not spec.get("keep"):
        out.unlink()
    return {"bytes": size}


def op_generate(nir, spec):
    """Write a workload file with this package (used with the reference interpreter)."""
    graph = BUILDERS[spec["workload"]](nir, spec["n"])
    out = Path(spec["path"])
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    with TIMER():
        nir.write(tmp, graph)
    os.replace(tmp, out)
    return {"bytes": out.stat().st_size, "version": getattr(nir, "version", "?")}


def op_make_big(nir, spec):
    """A reference-layout file with one Affine size x size float32, written UNCOMPRESSED with h5py.

    Not written with either package: h5py directly is fast and keeps the file contiguous.
    """
    import h5py

    size = spec["n"]
    out = Path(spec["path"])
    tmp = out.with_name(out.name + ".part")
    text = h5py.string_dtype()
    block = np.random.default_rng(0).standard_normal((256, size), dtype=np.float32)
    with TIMER(), h5py.File(tmp, "w") as f:
        f.create_dataset("version", data="1.0.8", dtype=text)
        graph = f.create_group("node")
        graph.create_dataset("type", data="NIRGraph", dtype=text)
        nodes = graph.create_group("nodes")
        for name, kind in (("input", "Input"), ("output", "Output")):
            node = nodes.create_group(name)
            node.create_dataset("type", data=kind, dtype=text)
            node.create_dataset("shape", data=np.array([size], dtype=np.int64))
        affine = nodes.create_group("affine")
        affine.create_dataset("type", data="Affine", dtype=text)
        affine.create_dataset("bias", data=np.zeros(size, dtype=np.float32))
        weight = affine.create_dataset("weight", shape=(size, size), dtype=np.float32)
        for row in range(0, size, block.shape[0]):
            weight[row : row + block.shape[0]] = block
        edges = np.array([["input", "affine"], ["affine", "output"]], dtype=object)
        graph.create_dataset("edges", data=edges, dtype=text)
    os.replace(tmp, out)
    return {"bytes": out.stat().st_size}


def op_build_lif(nir, spec):
    """Build one LIF node of n neurons from float32 arrays, many times; the figure is the time of one build."""
    rng = np.random.default_rng(SEED)
    n = spec["n"]
    arrays = [rng.uniform(1e-3, 1e-2, n).astype(np.float32) for _ in range(5)]

    def build():
        return nir.LIF(tau=arrays[0], r=arrays[1], v_leak=arrays[2], v_threshold=arrays[3], v_reset=arrays[4])

    build()  # the first build loads what building needs (our models load on first use)
    count = 20000
    walls, cpus = [], []
    for _ in range(5):  # the best of five rounds: the least disturbed by other load
        with TIMER():
            for _ in range(count):
                build()
        walls.append(TIMER.wall)
        cpus.append(TIMER.cpu)
    TIMER.wall, TIMER.cpu = min(walls) / count, min(cpus) / count
    return {"builds": count}


OPS = {
    "read": op_read,
    "validate": op_validate,
    "write": op_write,
    "generate": op_generate,
    "make_big": op_make_big,
    "build_lif": op_build_lif,
}


def main() -> None:
    spec = json.loads(sys.argv[1])
    import nir

    rss_before = _current_rss_mb()
    extra = OPS[spec["op"]](nir, spec)
    result = {
        "seconds": TIMER.wall,
        "cpu_seconds": TIMER.cpu,
        "peak_rss_mb": _peak_rss_mb(),
        "vmhwm_mb": _status_mb("VmHWM"),
        "rss_before_mb": rss_before,
        "extra": extra,
        "nir": getattr(nir, "__version__", "?"),
        "python": sys.executable,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
