"""Benchmarks of our `nir` package against the reference package nir 1.0.8 (`make bench`).

Both packages import as `nir`, so every measurement runs bench/worker.py in a fresh
subprocess with the right interpreter: ours is this interpreter (the project's .venv),
the reference is $NIR_REFERENCE_PYTHON (.venv-reference). Each repeat runs every
measurement once, ours and the reference back to back in alternating order; figures are
medians over the repeats and every comparison is a ratio against the reference measured
in the same run. See bench/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORKER = BENCH / "worker.py"
RESULTS = BENCH / "results"
CORPUS = (ROOT / ".." / "shared" / "corpus").resolve()

CHAIN_SIZES = (100, 400, 1600, 6400)
LARGEST_CHAIN_REPEATS = 3  # the reference needs ~25 s CPU per read of the 6400 chain
QUICK_CHAIN_SIZES = (100, 400, 1600)
TARGET_CHAIN = 1600
AFFINE_SIZE = 4096
NESTED_SUBGRAPHS = 50
BIG_SIZE = 16384  # 16384 x 16384 float32 = 1 GiB
BIG_SECONDS = 1.0
BIG_RSS_MB = 100.0
MAX_EXPONENT = 1.1
LIF_NEURONS = 100
MAX_BUILD_SLOWDOWN = 3.0
TIMEOUT = 600

# Reference 1.0.8 cannot type-check these corpus files; it reads them with type_check=False.
# Ours reads invalid files with strict=False (the graph and a report instead of an exception).
CORPUS_KWARGS: dict[str, tuple[dict[str, Any], dict[str, Any], str]] = {
    "lif_rockpool.nir": ({}, {"type_check": False}, "ref type_check=False: its checker rejects Output [1,1,1]"),
    "braille_noDelay_noBias_subtract_subgraph.nir": (
        {"strict": False},
        {"type_check": False},
        "invalid file: ours strict=False, ref type_check=False",
    ),
}


@dataclass
class Measure:
    """One row of the table: a workload, an operation and the worker spec of each side."""

    key: str
    workload: str
    operation: str
    ours: dict[str, Any] | None
    ref: dict[str, Any] | None
    ref_from: str | None = None  # use the reference samples of another row (identical operation)
    note: str = ""
    max_repeats: int | None = None  # cap for the slowest rows, to keep a full run near 10 minutes
    samples: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {"ours": [], "ref": []})
    errors: dict[str, str] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=lambda: {"ours": 0, "ref": 0})


# ---------------------------------------------------------------- subprocesses


def run_worker(python: str, spec: dict[str, Any], timeout: float = TIMEOUT) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter; the worker's JSON, or {"error": ...}."""
    env = dict(os.environ, PYTHONHASHSEED="0", OMP_NUM_THREADS="1")
    try:
        proc = subprocess.run(
            [python, str(WORKER), json.dumps(spec)],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=ROOT,
            env=env,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout} s"}
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
        return {"error": lines[-1] if lines else f"exit status {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_process(argv: list[str], ok_codes: tuple[int, ...] = (0,), timeout: float = TIMEOUT) -> dict[str, Any]:
    """Time a whole process from the outside: start-up, imports and the work; its CPU time and peak RSS (wait4)."""
    env = dict(os.environ, PYTHONHASHSEED="0", OMP_NUM_THREADS="1")
    with tempfile.TemporaryFile() as output:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=output, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                return {"error": f"timed out after {timeout} s"}
            time.sleep(0.0005)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in ok_codes:
            output.seek(0)
            lines = [ln for ln in output.read().decode(errors="replace").splitlines() if ln.strip()]
            return {"error": lines[-1] if lines else f"exit status {proc.returncode}"}
    peak = usage.ru_maxrss / 1024  # kibibytes on Linux
    cpu = usage.ru_utime + usage.ru_stime
    return {"seconds": seconds, "cpu_seconds": cpu, "peak_rss_mb": peak, "vmhwm_mb": peak, "extra": {}}


def measure_once(python: str, spec: dict[str, Any]) -> dict[str, Any]:
    """One sample: a worker's timing of an operation, or a whole process timed from outside (`process`)."""
    if spec["op"] == "process":
        argv = [python if a == "{python}" else a for a in spec["argv"]]
        return run_process(argv, tuple(spec.get("ok_codes", (0,))))
    return run_worker(python, spec)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- workloads


def _stamp(spec: dict[str, Any], python: str) -> str:
    text = json.dumps(spec, sort_keys=True) + python + WORKER.read_text()
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def generate(ref_python: str, workload: str, n: int, path: Path) -> None:
    """Write a workload file with the REFERENCE package, unless an up-to-date copy exists."""
    spec = {"op": "generate", "workload": workload, "n": n, "path": str(path)}
    stamp_file = path.with_suffix(".stamp")
    stamp = _stamp(spec, ref_python)
    if path.exists() and stamp_file.exists() and stamp_file.read_text() == stamp:
        return
    log(f"generating {path.name} with the reference package ...")
    result = run_worker(ref_python, spec)
    if "error" in result:
        raise SystemExit(f"cannot generate {path.name}: {result['error']}")
    stamp_file.write_text(stamp)


def make_big_file(ours_python: str, path: Path, size: int = BIG_SIZE) -> None:
    """The 1 GiB file: reference layout, one Affine size x size float32, uncompressed, written by h5py.

    Created once and reused while its stamp matches; run.py itself imports neither numpy nor
    h5py, so that its own memory does not leak into the workers' peak RSS figures.
    """
    spec = {"op": "make_big", "n": size, "path": str(path)}
    stamp_file = path.with_suffix(".stamp")
    stamp = _stamp(spec, "h5py")
    if path.exists() and stamp_file.exists() and stamp_file.read_text() == stamp:
        log(f"reusing {path}")
        return
    log(f"creating {path.name} ({size}x{size} float32, {size * size * 4 / 1024**3:.1f} GiB, uncompressed) ...")
    result = run_worker(ours_python, spec)
    if "error" in result:
        raise SystemExit(f"cannot create {path.name}: {result['error']}")
    stamp_file.write_text(stamp)
    log(f"  done in {result['seconds']:.1f} s")


def plan(args: argparse.Namespace, work: Path) -> list[Measure]:
    """Generate the workload files and list the measurements."""
    ref_python = args.ref_python
    sizes = QUICK_CHAIN_SIZES if args.quick else CHAIN_SIZES
    measures: list[Measure] = []
    out = work / "out"
    out.mkdir(parents=True, exist_ok=True)

    for n in sizes:
        path = work / f"chain_{n}.nir"
        generate(ref_python, "chain", n, path)
        wl = f"chain {n}"
        read = {"op": "read", "path": str(path)}
        cap = LARGEST_CHAIN_REPEATS if n == max(CHAIN_SIZES) else None
        measures.append(
            Measure(f"chain_{n}_read", wl, "read", read, read, note="both: nir.read(path)", max_repeats=cap)
        )
        measures.append(
            Measure(
                f"chain_{n}_validate",
                wl,
                "validate",
                {"op": "validate", "path": str(path)},
                None,
                ref_from=f"chain_{n}_read",
                note="ours: nir.validate(path); ref: read(type_check=True) (same samples as the read row)",
                max_repeats=cap,
            )
        )
    for n in sorted({TARGET_CHAIN if TARGET_CHAIN in sizes else sizes[-1], sizes[0]}):
        measures.append(_write_measure("chain", n, out, f"chain {n}"))

    affine_path = work / f"affine_{AFFINE_SIZE}.nir"
    generate(ref_python, "affine", AFFINE_SIZE, affine_path)
    measures.append(_write_measure("affine", AFFINE_SIZE, out, f"affine {AFFINE_SIZE}x{AFFINE_SIZE}"))
    read = {"op": "read", "path": str(affine_path)}
    measures.append(Measure("affine_read", f"affine {AFFINE_SIZE}x{AFFINE_SIZE}", "read", read, read))

    nested_n = 10 if args.quick else NESTED_SUBGRAPHS
    nested_path = work / f"nested_{nested_n}.nir"
    generate(ref_python, "nested", nested_n, nested_path)
    wl = f"nested {nested_n}x(CubaLIF+rec Linear)"
    read = {"op": "read", "path": str(nested_path)}
    measures.append(Measure("nested_read", wl, "read", read, read))
    measures.append(
        Measure(
            "nested_validate",
            wl,
            "validate",
            {"op": "validate", "path": str(nested_path)},
            None,
            ref_from="nested_read",
            note="ref: read(type_check=True)",
        )
    )
    measures.append(_write_measure("nested", nested_n, out, wl))

    for path in sorted(CORPUS.glob("*.nir")):
        ours_kw, ref_kw, note = CORPUS_KWARGS.get(path.name, ({}, {}, ""))
        measures.append(
            Measure(
                f"corpus_{path.stem}",
                f"corpus {path.name}",
                "read",
                {"op": "read", "path": str(path), "kwargs": ours_kw},
                {"op": "read", "path": str(path), "kwargs": ref_kw},
                note=note,
            )
        )

    measures += startup_measures(args)

    if not args.skip_big:
        big = work / "big_1gib.nir"
        make_big_file(args.ours_python, big)
        measures.append(
            Measure(
                "big_validate",
                "1 GiB Affine 16384x16384 (uncompressed)",
                "validate",
                {"op": "validate", "path": str(big)},
                None if args.skip_big_ref else {"op": "validate", "path": str(big)},
                note="target is absolute (ours); ref: read(type_check=True) for context",
            )
        )

    if args.only:
        measures = [m for m in measures if any(word in m.key for word in args.only.split(","))]
        keys = {m.key for m in measures}
        for m in measures:
            if m.ref_from and m.ref_from not in keys:
                m.ref_from = None
    return measures


def startup_measures(args: argparse.Namespace) -> list[Measure]:
    """Start-up: `import nir`, the `nir validate` command on each corpus file, and building one LIF node.

    A process is timed whole from the outside (interpreter start, imports, the work). Our
    package's modules are compiled first (untimed), as pip compiles the reference's on install:
    with PYTHONDONTWRITEBYTECODE set, an editable install would otherwise compile on every start.
    """
    subprocess.run([args.ours_python, "-m", "compileall", "-q", str(ROOT / "src" / "nir")], check=True)
    nir_command = str(Path(args.ours_python).with_name("nir"))
    imports = {"op": "process", "argv": ["{python}", "-c", "import nir"]}
    first_model = {"op": "process", "argv": ["{python}", "-c", "import nir; nir.LIF"]}
    out = [
        Measure("startup_import", "start-up", "import nir", imports, imports, note="python -c 'import nir'"),
        Measure(
            "startup_first_model",
            "start-up",
            "import nir; nir.LIF",
            first_model,
            first_model,
            note="for context: our models load on first use",
        ),
    ]
    for path in sorted(CORPUS.glob("*.nir")):
        ref_kw = CORPUS_KWARGS.get(path.name, ({}, {}, ""))[1]
        read = f"import nir; nir.read({str(path)!r}, **{ref_kw!r})"
        out.append(
            Measure(
                f"startup_validate_{path.stem}",
                f"corpus {path.name}",
                "nir validate (command)",
                # exit 1 is the verdict "invalid", a finished run
                {"op": "process", "argv": [nir_command, "validate", str(path)], "ok_codes": [0, 1]},
                {"op": "process", "argv": ["{python}", "-c", read]},
                note=f'ours: the nir validate command; ref: python -c "{read.replace(str(path), path.name)}"',
            )
        )
    build = {"op": "build_lif", "n": LIF_NEURONS}
    out.append(
        Measure(
            "build_lif",
            f"LIF of {LIF_NEURONS} neurons",
            "build one node",
            build,
            build,
            note="nir.LIF(tau=, r=, v_leak=, v_threshold=, v_reset=) from float32 arrays; the time of one build",
        )
    )
    return out


def _write_measure(workload: str, n: int, out: Path, label: str) -> Measure:
    def spec(side: str) -> dict[str, Any]:
        return {"op": "write", "workload": workload, "n": n, "path": str(out / f"{side}_{workload}_{n}.nir")}

    return Measure(
        f"{workload}_{n}_write",
        label,
        "write",
        spec("ours"),
        spec("ref"),
        note="graph built in each package (untimed), then nir.write(path, graph)",
    )


# ---------------------------------------------------------------- running


MAX_SAMPLES_PER_REPEAT = 3
"""Up to this many samples of the faster side per repeat (see `balance`)."""


def balance(own_samples: list[dict[str, Any]], other_samples: list[dict[str, Any]]) -> int:
    """Samples of `side` to take in this repeat: more of the faster side, up to MAX_SAMPLES_PER_REPEAT.

    Load on a shared machine comes in bursts: a burst covers a whole 0.3 s sample but only part
    of a 3 s one, so with equal sample counts the faster side's median is the more disturbed.
    Sampling it about as often as it is faster (from the medians so far) gives both sides a
    similar time under measurement; the figure is still each side's median over all its samples.
    """
    own, other = median_seconds(own_samples), median_seconds(other_samples)
    if not own or not other or other <= own:
        return 1
    return max(1, min(MAX_SAMPLES_PER_REPEAT, round(other / own)))


def run(measures: list[Measure], repeats: int, ours_python: str, ref_python: str) -> None:
    """Round-robin: each repeat runs every measurement, ours and ref in alternating order.

    A failed sample is recorded and the side is tried again in the next repeat (a failure
    may be transient, e.g. a package being reinstalled), unless it failed in every repeat
    so far (then it is a property of the package: e.g. the reference rejecting a file).
    """
    pythons = {"ours": ours_python, "ref": ref_python}
    by_key = {m.key: m for m in measures}
    for rep in range(repeats):
        for index, m in enumerate(measures):
            if m.max_repeats is not None and rep >= m.max_repeats:
                continue
            sides = ["ours", "ref"] if (rep + index) % 2 == 0 else ["ref", "ours"]
            for side in sides:
                spec = m.ours if side == "ours" else m.ref
                if spec is None or (not m.samples[side] and m.failures[side] >= 2):
                    continue
                ref_samples = (by_key[m.ref_from] if m.ref_from else m).samples["ref"]
                other = ref_samples if side == "ours" else m.samples["ours"]
                for _ in range(balance(m.samples[side], other)):
                    result = measure_once(pythons[side], spec)
                    if "error" in result:
                        m.errors[side] = result["error"]
                        m.failures[side] += 1
                        log(f"[{rep + 1}/{repeats}] {m.key:<40} {side:<4} FAILED: {result['error'][:150]}")
                        break
                    m.samples[side].append(result)
                    log(f"[{rep + 1}/{repeats}] {m.key:<40} {side:<4} {result['seconds']:9.4f} s")


# ---------------------------------------------------------------- summary


def median_seconds(samples: list[dict[str, Any]]) -> float | None:
    return statistics.median(s["seconds"] for s in samples) if samples else None


def median_cpu(samples: list[dict[str, Any]]) -> float | None:
    return statistics.median(s["cpu_seconds"] for s in samples) if samples else None


def spread(samples: list[dict[str, Any]]) -> str:
    if len(samples) < 2:
        return ""
    values = [s["seconds"] for s in samples]
    return f"{fmt_time(min(values))}-{fmt_time(max(values))}"


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} µs"
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


def fit_exponent(points: list[tuple[int, float]]) -> float | None:
    """Least-squares slope of log(time) against log(N)."""
    points = [(n, t) for n, t in points if t and t > 0]
    if len(points) < 2:
        return None
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(t) for _, t in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx


def summarise(measures: list[Measure], args: argparse.Namespace) -> dict[str, Any]:
    by_key = {m.key: m for m in measures}
    rows = []
    for m in measures:
        ref_m = by_key.get(m.ref_from) if m.ref_from else m
        ours = median_seconds(m.samples["ours"])
        ref = median_seconds(ref_m.samples["ref"]) if ref_m else None
        row = {
            "key": m.key,
            "workload": m.workload,
            "operation": m.operation,
            "ours_s": ours,
            "ref_s": ref,
            "ratio": (ref / ours) if ours and ref else None,
            "ours_cpu_s": median_cpu(m.samples["ours"]),
            "ref_cpu_s": median_cpu(ref_m.samples["ref"]) if ref_m else None,
            "ours_spread": spread(m.samples["ours"]),
            "ref_spread": spread(ref_m.samples["ref"]) if ref_m else "",
            "n_ours": len(m.samples["ours"]),
            "n_ref": len(ref_m.samples["ref"]) if ref_m else 0,
            "ours_peak_rss_mb": max((s["peak_rss_mb"] for s in m.samples["ours"]), default=None),
            "ref_peak_rss_mb": max((s["peak_rss_mb"] for s in ref_m.samples["ref"]), default=None) if ref_m else None,
            "ours_bytes": _bytes(m.samples["ours"]),
            "ref_bytes": _bytes(ref_m.samples["ref"]) if ref_m and m.operation == "write" else None,
            "errors": _errors(m, ref_m),
            "note": m.note,
            "target": "",
            "met": None,
        }
        row["cpu_ratio"] = row["ref_cpu_s"] / row["ours_cpu_s"] if row["ours_cpu_s"] and row["ref_cpu_s"] else None
        row["ours_vmhwm_mb"] = max((s["vmhwm_mb"] or 0 for s in m.samples["ours"]), default=None)
        if m.ours and m.ours["op"] == "validate" and m.samples["ours"]:
            row["findings"] = m.samples["ours"][0]["extra"].get("findings")
            row["rss_before_mb"] = m.samples["ours"][0]["rss_before_mb"]
        rows.append(row)
    rows_by_key = {r["key"]: r for r in rows}
    targets = []

    def ratio_target(key: str, minimum: float, label: str) -> None:
        row = rows_by_key.get(key)
        if row is None:
            return
        met = row["ratio"] is not None and row["ratio"] >= minimum
        row["target"], row["met"] = f"≥ {minimum:.3g}x", met
        targets.append({"target": label, "value": _ratio(row["ratio"]), "met": met})

    n = TARGET_CHAIN
    ratio_target(f"chain_{n}_read", 3, f"read (with validation) chain {n}: ≥ 3x faster")
    ratio_target(f"chain_{n}_write", 3, f"write chain {n}: ≥ 3x faster")
    ratio_target(f"chain_{n}_validate", 10, f"validate chain {n} vs ref read(type_check=True): ≥ 10x faster")

    ratio_target("startup_import", 1, "import nir: no slower than the reference's import nir")
    for key in sorted(k for k in rows_by_key if k.startswith("startup_validate_")):
        if rows_by_key[key]["ref_s"] is None:
            continue  # a file the reference cannot read: nothing to compare with
        name = rows_by_key[key]["workload"].removeprefix("corpus ")
        ratio_target(key, 1, f"nir validate {name}: no slower than the reference's python -c 'import nir; nir.read(f)'")
    ratio_target(
        "build_lif",
        1 / MAX_BUILD_SLOWDOWN,
        f"build a {LIF_NEURONS}-neuron LIF: at most {MAX_BUILD_SLOWDOWN:g}x the reference's time",
    )

    row = rows_by_key.get(f"affine_{AFFINE_SIZE}_write")
    if row is not None:
        fast = row["ratio"] is not None and row["ratio"] >= 3
        small = None not in (row["ours_bytes"], row["ref_bytes"]) and row["ours_bytes"] <= row["ref_bytes"]
        row["target"], row["met"] = "≥ 3x and size ≤ ref", fast and small
        targets.append(
            {
                "target": f"write Affine {AFFINE_SIZE}x{AFFINE_SIZE}: ≥ 3x faster and file no larger",
                "value": f"{_ratio(row['ratio'])}; {_mb(row['ours_bytes'])} vs ref {_mb(row['ref_bytes'])}",
                "met": fast and small,
            }
        )

    row = rows_by_key.get("big_validate")
    if row is not None and row["ours_s"] is not None:
        fast = row["ours_s"] < BIG_SECONDS
        lean = row["ours_peak_rss_mb"] is not None and row["ours_peak_rss_mb"] < BIG_RSS_MB
        row["target"], row["met"] = f"< {BIG_SECONDS:g} s, RSS < {BIG_RSS_MB:g} MB (abs.)", fast and lean
        targets.append(
            {
                "target": "validate the 1 GiB file: < 1 s and peak RSS < 100 MB (ours, absolute)",
                "value": f"{fmt_time(row['ours_s'])}, peak RSS {row['ours_peak_rss_mb']:.0f} MB "
                f"(process; {row.get('rss_before_mb', 0):.0f} MB before the call)",
                "met": fast and lean,
            }
        )

    growth = {}
    sizes = sorted(int(k.split("_")[1]) for k in rows_by_key if k.startswith("chain_") and k.endswith("_read"))
    for label, op, side in (
        ("ours read", "read", "ours_s"),
        ("ours validate", "validate", "ours_s"),
        ("ref read(type_check=True)", "read", "ref_s"),
    ):
        points = [(n, rows_by_key[f"chain_{n}_{op}"][side]) for n in sizes if f"chain_{n}_{op}" in rows_by_key]
        growth[label] = {"exponent": fit_exponent(points), "points": points}
    for label in ("ours read", "ours validate"):
        exponent = growth[label]["exponent"]
        if exponent is None:
            continue
        met = exponent <= MAX_EXPONENT
        targets.append(
            {
                "target": f"linear growth, {label}: fitted exponent ≤ {MAX_EXPONENT} (N = {sizes[0]}..{sizes[-1]})",
                "value": f"{exponent:.3f} (ref read: {_exp(growth['ref read(type_check=True)']['exponent'])})",
                "met": met,
            }
        )
    return {"rows": rows, "targets": targets, "growth": growth}


def _errors(m: Measure, ref_m: Measure | None) -> dict[str, str]:
    out = {}
    for side, source in (("ours", m), ("ref", ref_m)):
        if source is not None and side in source.errors:
            total = source.failures[side] + len(source.samples[side])
            out[side] = f"{source.failures[side]}/{total} failed, last: {source.errors[side]}"
    return out


def _bytes(samples: list[dict[str, Any]]) -> int | None:
    sizes = [s["extra"]["bytes"] for s in samples if "bytes" in s.get("extra", {})]
    return sizes[0] if sizes else None


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}x"


def _mb(value: int | None) -> str:
    return "—" if value is None else f"{value / 1e6:.2f} MB"


def _exp(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def render(summary: dict[str, Any], meta: dict[str, Any]) -> str:
    lines = [
        "# NIR benchmarks: ours vs reference nir 1.0.8",
        "",
        f"{meta['date']} · commit {meta['commit']} · {meta['repeats']} repeat(s), median · "
        f"{meta['cpus']} CPU(s) · load average before/after {meta['load_before']} / {meta['load_after']} · "
        f"wall time {meta['wall_s']:.0f} s",
        "",
        "Ratio = reference median / our median (> 1: ours is faster). Both run in fresh subprocesses,",
        "alternating; import time is excluded (the worker times only the operation), except in the",
        "start-up rows, which time the whole process from outside. The faster side is",
        f"sampled up to {MAX_SAMPLES_PER_REPEAT} times per repeat, about as often as it is faster, so that both",
        "spend similar time under measurement (sample counts in the details table).",
        "",
        "| workload | operation | ours median | reference median | ratio ref/ours | target | met? |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    for r in summary["rows"]:
        ref = fmt_time(r["ref_s"]) if r["ref_s"] is not None else ("fails" if r["errors"].get("ref") else "—")
        ours = fmt_time(r["ours_s"]) if r["ours_s"] is not None else ("fails" if r["errors"].get("ours") else "—")
        met = "" if r["met"] is None else ("yes" if r["met"] else "**NO**")
        lines.append(
            f"| {r['workload']} | {r['operation']} | {ours} | {ref} | {_ratio(r['ratio'])} | {r['target']} | {met} |"
        )
    lines += ["", "## Targets", "", "| target | measured | met? |", "|---|---|---|"]
    for t in summary["targets"]:
        lines.append(f"| {t['target']} | {t['value']} | {'yes' if t['met'] else '**NO**'} |")
    lines += ["", "## Growth (chain of N nodes; medians)", ""]
    growth = summary["growth"]
    sizes = [n for n, _ in next(iter(growth.values()))["points"]] if growth else []
    lines.append("| series | " + " | ".join(f"N={n}" for n in sizes) + " | fitted exponent |")
    lines.append("|---|" + "---:|" * (len(sizes) + 1))
    for label, g in growth.items():
        times = dict(g["points"])
        lines.append(
            f"| {label} | " + " | ".join(fmt_time(times.get(n)) for n in sizes) + f" | {_exp(g['exponent'])} |"
        )
    lines += [
        "",
        "## Details",
        "",
        "CPU ratio = the same ratio on CPU time (time.process_time): less sensitive to other load on the",
        "machine, blind to time spent waiting for the disk (fsync). Peak RSS is the worker process's",
        "(resource.getrusage ru_maxrss), interpreter and imports included.",
        "",
        "| workload | operation | samples ours/ref | ours min-max | ref min-max | CPU ours / ref | CPU ratio | "
        "ours peak RSS | ref peak RSS | ours file | ref file | notes |",
        "|---|---|---|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in summary["rows"]:
        notes = [r["note"]] if r["note"] else []
        notes += [f"{side} error: {msg[:160]}" for side, msg in r["errors"].items()]
        if r.get("findings"):
            notes.append(f"ours findings: {', '.join(r['findings'])}")
        rss_o = f"{r['ours_peak_rss_mb']:.0f} MB" if r["ours_peak_rss_mb"] else "—"
        rss_r = f"{r['ref_peak_rss_mb']:.0f} MB" if r["ref_peak_rss_mb"] else "—"
        size_o, size_r = (_mb(r["ours_bytes"]), _mb(r["ref_bytes"])) if r["operation"] == "write" else ("", "")
        text = "; ".join(notes).replace("|", "/")
        lines.append(
            f"| {r['workload']} | {r['operation']} | {r['n_ours']}/{r['n_ref']} | "
            f"{r['ours_spread']} | {r['ref_spread']} | "
            f"{fmt_time(r['ours_cpu_s'])} / {fmt_time(r['ref_cpu_s'])} | {_ratio(r['cpu_ratio'])} | "
            f"{rss_o} | {rss_r} | {size_o} | {size_r} | {text} |"
        )
    lines.append("")
    return "\n".join(lines)


def git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
        dirty = subprocess.run(["git", "status", "--porcelain", "src"], capture_output=True, text=True, cwd=ROOT)
        return out.stdout.strip() + ("+dirty-src" if dirty.stdout.strip() else "")
    except OSError:
        return "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=None, help="repeats per measurement (default 5; 2 with --quick)")
    parser.add_argument("--quick", action="store_true", help="smoke run: chain sizes up to 1600, 2 repeats")
    parser.add_argument("--keep", action="store_true", help="keep the 1 GiB file and the workload folder")
    parser.add_argument("--skip-big", action="store_true", help="leave out the 1 GiB file")
    parser.add_argument("--skip-big-ref", action="store_true", help="do not read the 1 GiB file with the reference")
    parser.add_argument("--only", help="comma-separated substrings of measurement keys to run")
    parser.add_argument("--work", type=Path, default=RESULTS / "work", help="folder for workload files")
    parser.add_argument("--ref-python", default=os.environ.get("NIR_REFERENCE_PYTHON"))
    parser.add_argument("--ours-python", default=os.environ.get("NIR_OURS_PYTHON", sys.executable))
    args = parser.parse_args(argv)
    if args.repeats is None:
        args.repeats = 2 if args.quick else 5
    if not args.ref_python:
        default = ROOT / ".venv-reference" / "bin" / "python"
        if not default.exists():
            parser.error("set NIR_REFERENCE_PYTHON to the reference venv's python (make reference-env)")
        args.ref_python = str(default)
    args.ref_python = str(Path(args.ref_python).absolute())

    RESULTS.mkdir(parents=True, exist_ok=True)
    args.work.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    measures = plan(args, args.work)
    log(f"{len(measures)} measurements x {args.repeats} repeats; ours={args.ours_python} ref={args.ref_python}")
    try:
        run(measures, args.repeats, args.ours_python, args.ref_python)
    finally:
        big = args.work / "big_1gib.nir"
        if not args.keep and big.exists():
            big.unlink()
            big.with_suffix(".stamp").unlink(missing_ok=True)
            log(f"removed {big} (use --keep to reuse it)")
    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "commit": git_commit(),
        "repeats": args.repeats,
        "quick": args.quick,
        "cpus": os.cpu_count(),
        "machine": platform.platform(),
        "python": platform.python_version(),
        "ours_python": args.ours_python,
        "ref_python": args.ref_python,
        "load_before": load_before,
        "load_after": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "wall_s": time.perf_counter() - start,
    }
    summary = summarise(measures, args)
    text = render(summary, meta)
    (RESULTS / "latest.md").write_text(text)
    raw = {m.key: {"samples": m.samples, "errors": m.errors, "ours": m.ours, "ref": m.ref} for m in measures}
    (RESULTS / "latest.json").write_text(json.dumps({"meta": meta, **summary, "raw": raw}, indent=1, default=str))
    print(text)
    log(f"wrote {RESULTS / 'latest.md'} and {RESULTS / 'latest.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
