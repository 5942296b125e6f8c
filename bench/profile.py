"""Profile our package on the benchmark's target operations; writes bench/results/profile-*.txt.

Run with the project's interpreter: ``.venv/bin/python bench/profile.py``. For each case
(read, validate and write of the 1600-node chain; write of the 4096x4096 Affine) the
operation runs once untimed (warm-up: caches, lazy imports), then once under pyinstrument
(a call tree with wall-time shares; installed into .venv if missing) and once under
cProfile (flat self time, and self time grouped by package). The chain file is written
by the reference package exactly as in bench/run.py.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
# This file is named like the stdlib module `profile`, which cProfile imports: keep bench/
# off the import path and load the sibling scripts by file name.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]

import cProfile  # noqa: E402
import pstats  # noqa: E402


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _pyinstrument():
    try:
        import pyinstrument
    except ImportError:
        print("pyinstrument is missing; installing it into this interpreter (a dev tool) ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "pyinstrument"], check=False)
        try:
            import pyinstrument
        except ImportError:
            return None
    return pyinstrument


GROUPS = (
    ("nir/store/h5write", "nir.store.h5write (writing)"),
    ("nir/store/h5fallback", "nir.store.h5fallback (libhdf5 reads)"),
    ("nir/store/document", "nir.store.document (tree <-> models)"),
    ("nir/store", "nir.store (other)"),
    ("nir/analysis", "nir.analysis"),
    ("nir/checks", "nir.checks"),
    ("nir/shapes", "nir.shapes"),
    ("nir/inference", "nir.inference"),
    ("nir/topology", "nir.topology"),
    ("nir/spec", "nir.spec"),
    ("nir/_generated", "nir._generated"),
    ("nir/node", "nir.node"),
    ("nir/graph", "nir.graph"),
    ("nir/types", "nir.types"),
    ("nir/", "nir (other)"),
    ("pydantic_core", "pydantic_core"),
    ("pydantic", "pydantic"),
    ("h5py", "h5py (python + cython)"),
    ("numpy", "numpy"),
)


def _group(filename: str, function: str) -> str:
    path = filename.replace("\\", "/")
    for needle, label in GROUPS:
        if needle in path:
            return label
    if filename == "~":  # builtins: name the extension module where pstats gives it
        if "h5py" in function or "h5" in function.split(".")[0]:
            return "h5py (python + cython)"
        if "pydantic" in function or "validate_python" in function or "SchemaValidator" in function:
            return "pydantic_core"
        if "numpy" in function:
            return "numpy"
        if "fsync" in function:
            return "os.fsync"
        return "builtins / C"
    return "python stdlib / other"


def _by_group(stats: pstats.Stats) -> str:
    totals: dict[str, float] = defaultdict(float)
    grand = 0.0
    for (filename, _line, function), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        totals[_group(filename, function)] += tottime
        grand += tottime
    lines = ["self time by package (cProfile tottime; C code is charged to the Python caller's group unless named):"]
    for label, value in sorted(totals.items(), key=lambda kv: -kv[1]):
        lines.append(f"  {100 * value / grand:5.1f}%  {value:8.3f} s  {label}")
    return "\n".join(lines)


def profile_case(name: str, setup, action, top: int) -> str:
    """Warm up, then pyinstrument and cProfile one run each; the text of the report."""
    out = io.StringIO()
    context = setup()
    start = time.perf_counter()
    action(context)
    plain = time.perf_counter() - start
    out.write(f"# {name}\n\nunprofiled wall time (after one warm-up run): {plain:.3f} s\n\n")

    pyinstrument = _pyinstrument()
    if pyinstrument is not None:
        context = setup()
        profiler = pyinstrument.Profiler(interval=0.0005)
        profiler.start()
        action(context)
        profiler.stop()
        out.write("## pyinstrument (wall time call tree)\n\n")
        out.write(profiler.output_text(unicode=False, color=False, show_all=False))
        out.write("\n")
    else:
        out.write("## pyinstrument not available; cProfile only\n\n")

    context = setup()
    prof = cProfile.Profile()
    prof.enable()
    action(context)
    prof.disable()
    stats = pstats.Stats(prof)
    out.write("## cProfile\n\n" + _by_group(stats) + "\n\n")
    for key, label in (("tottime", "self time"), ("cumulative", "cumulative time")):
        buffer = io.StringIO()
        pstats.Stats(prof, stream=buffer).strip_dirs().sort_stats(key).print_stats(top)
        text = buffer.getvalue()
        text = text[text.find("   ncalls") :] if "   ncalls" in text else text
        out.write(f"### top {top} by {label}\n\n{text}\n")
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1600, help="chain length (default 1600)")
    parser.add_argument("--affine", type=int, default=4096, help="Affine size for the write case")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--only", help="comma-separated case names (read, validate, write, write-affine)")
    parser.add_argument("--ref-python", default=os.environ.get("NIR_REFERENCE_PYTHON"))
    args = parser.parse_args(argv)
    ref_python = args.ref_python or str(ROOT / ".venv-reference" / "bin" / "python")

    run = _load("run")
    worker = _load("worker")
    import nir

    work = RESULTS / "work"
    out = work / "out"
    out.mkdir(parents=True, exist_ok=True)
    chain = work / f"chain_{args.n}.nir"
    run.generate(str(Path(ref_python).absolute()), "chain", args.n, chain)

    def write_setup(kind: str, n: int):
        def setup():
            target = out / f"profile_{kind}_{n}.nir"
            target.unlink(missing_ok=True)
            return worker.BUILDERS[kind](nir, n), target

        return setup

    cases = {
        "read": (f"nir.read(chain_{args.n}.nir)", lambda: chain, lambda p: nir.read(p)),
        "validate": (f"nir.validate(chain_{args.n}.nir)", lambda: chain, lambda p: nir.validate(p)),
        "write": (
            f"nir.write(chain of {args.n})",
            write_setup("chain", args.n),
            lambda ctx: nir.write(ctx[1], ctx[0]),
        ),
        "write-affine": (
            f"nir.write(Affine {args.affine}x{args.affine} float32)",
            write_setup("affine", args.affine),
            lambda ctx: nir.write(ctx[1], ctx[0]),
        ),
    }
    selected = args.only.split(",") if args.only else list(cases)
    files = []
    for key in selected:
        title, setup, action = cases[key]
        print(f"profiling {title} ...", file=sys.stderr, flush=True)
        text = profile_case(title, setup, action, args.top)
        suffix = f"{key}-chain{args.n}" if key != "write-affine" else f"write-affine{args.affine}"
        path = RESULTS / f"profile-{suffix}.txt"
        path.write_text(text)
        files.append(path)
    for f in out.glob("profile_*.nir"):
        f.unlink()
    print("\n".join(str(f) for f in files))
    return 0


if __name__ == "__main__":
    sys.exit(main())
