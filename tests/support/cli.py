"""Helpers of the `nir` command line tests: run the console script, read files with h5py, make bad files."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import h5py
import numpy as np

import nir

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.nir"))
CORPUS = ROOT / ".." / "shared" / "corpus"
CORPUS_NAMES = sorted(p.name for p in CORPUS.glob("*.nir")) if CORPUS.is_dir() else []

#: The installed console script (the one `pip install` puts beside the interpreter).
NIR = Path(sys.executable).with_name("nir")
TIMEOUT = 60

#: Exit code of `nir validate` for each real file (see ../shared/corpus/README.md).
CORPUS_VERDICTS = {
    "braille_noDelay_noBias_subtract.nir": 0,
    "braille_noDelay_noBias_subtract_subgraph.nir": 1,
    "cnn_sinabs.nir": 0,
    "lif_norse.nir": 0,
    "lif_rockpool.nir": 0,
}
VALID_CORPUS = [name for name, code in CORPUS_VERDICTS.items() if code == 0]

HEADER = re.compile(r"^(?P<path>\S.*): (?P<verdict>OK|INVALID|UNREADABLE)(?P<rest>.*)$")
FINDING = re.compile(r"^  (?P<severity>error|warning|info)\s+(?P<path>/\S*)  (?P<message>.+)  \[(?P<code>[a-z-]+)\]$")
HINT = re.compile(r"^ {4,}hint: .+$")
ANSI = "\x1b["


def base_env(**extra: str) -> dict[str, str]:
    """The environment of a test run: no NO_COLOR or TERM surprises from the caller's shell."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env["TERM"] = "xterm"
    env.update(extra)
    return env


def run_nir(*args: object, env: dict[str, str] | None = None, cwd: Path | None = None) -> tuple[int, str, str]:
    """Run the `nir` console script; (exit code, stdout, stderr). Fails the test on a traceback."""
    if not NIR.exists():
        raise AssertionError(f"the console script {NIR} is not installed (pip install -e .)")
    done = subprocess.run(
        [str(NIR), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=base_env() if env is None else env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
    )
    if "--debug" not in map(str, args):
        assert "Traceback" not in done.stderr, done.stderr
        assert "Traceback" not in done.stdout, done.stdout
    return done.returncode, done.stdout, done.stderr


def run_many(calls: list[tuple[object, ...]]) -> list[tuple[int, str, str]]:
    """Run several `nir` commands side by side; results in order.

    Each call is the arguments of `run_nir`, optionally ending with a dict of its keyword arguments.
    """

    def one(call: tuple[object, ...]) -> tuple[int, str, str]:
        if call and isinstance(call[-1], dict):
            return run_nir(*call[:-1], **call[-1])
        return run_nir(*call)

    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        return list(pool.map(one, calls))


def parse_validate_text(out: str) -> list[dict]:
    """The per-file blocks of `nir validate` text output; fails on any line of unknown form."""
    blocks: list[dict] = []
    for line in out.splitlines():
        head = HEADER.match(line)
        if head and not line.startswith(" "):
            blocks.append({**head.groupdict(), "findings": []})
            continue
        assert blocks, f"output does not start with a file line: {line!r}"
        finding = FINDING.match(line)
        if finding:
            blocks[-1]["findings"].append({**finding.groupdict(), "hint": None})
            continue
        assert HINT.match(line), f"line is neither a file, a finding nor a hint: {line!r}"
        assert blocks[-1]["findings"], f"hint before any finding: {line!r}"
        blocks[-1]["findings"][-1]["hint"] = line.strip()[len("hint: ") :]
    return blocks


# --- facts read straight from a file with h5py ---------------------------------------------------

SPIKING = {"IF", "LIF", "CubaLIF"}


def _text(value) -> str:
    value = value[()] if isinstance(value, h5py.Dataset) else value
    return value.decode() if isinstance(value, bytes) else str(value)


def h5_nodes(path: Path) -> dict[str, dict]:
    """Every node of a file (dotted names for nested ones): type and {dataset: (shape, dtype)}."""
    found: dict[str, dict] = {}

    def walk(group: h5py.Group, prefix: str) -> None:
        for name, node in group["nodes"].items():
            kind = _text(node["type"])
            sets = {k: (v.shape, v.dtype) for k, v in node.items() if isinstance(v, h5py.Dataset) and k != "type"}
            found[prefix + name] = {"type": kind, "datasets": sets}
            if kind == "NIRGraph":
                walk(node, f"{prefix}{name}.")

    with h5py.File(path, "r") as f:
        walk(f["node"], "")
    return found


def h5_edge_count(path: Path) -> int:
    """Edges of the file, nested graphs included."""
    with h5py.File(path, "r") as f:
        counts = []
        f.visititems(lambda name, obj: counts.append(len(obj)) if name.endswith("edges") else None)
    return sum(counts)


def h5_version(path: Path) -> str | None:
    with h5py.File(path, "r") as f:
        return _text(f["version"]) if "version" in f else None


def expected_parameters(node: dict) -> int:
    """Tensor elements of a node: its floating-point datasets, plus the v_reset an upgrade adds."""
    sets = node["datasets"]
    count = sum(int(np.prod(shape)) for shape, dtype in sets.values() if dtype.kind == "f")
    if node["type"] in SPIKING and "v_reset" not in sets:
        count += int(np.prod(sets["v_threshold"][0]))
    return count


# --- bad files -----------------------------------------------------------------------------------


def write_bad_files(folder: Path, corpus: Path) -> dict[str, Path]:
    """Broken inputs of every kind, keyed by a short name."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}

    files["text"] = folder / "text.nir"
    files["text"].write_text("this is not HDF5\n")

    files["empty"] = folder / "empty.nir"
    files["empty"].write_bytes(b"")

    data = (corpus / "cnn_sinabs.nir").read_bytes()
    files["truncated"] = folder / "truncated.nir"
    files["truncated"].write_bytes(data[: len(data) // 2])

    files["shape"] = folder / "shape_mismatch.nir"
    nir.write(files["shape"], shape_mismatch_graph(), warn_findings=False)

    files["unknown_type"] = folder / "unknown_type.nir"
    with h5py.File(files["unknown_type"], "w") as f:
        f["version"] = "1.0"
        graph = f.create_group("node")
        graph["type"] = "NIRGraph"
        nodes = graph.create_group("nodes")
        for name, kind in (("input", "Input"), ("output", "Output")):
            nodes.create_group(name)["type"] = kind
            nodes[name]["shape"] = np.array([3])
        odd = nodes.create_group("odd")
        odd["type"] = "Frobnicator"
        odd["weight"] = np.ones(3, np.float32)
        graph["edges"] = np.array([[b"input", b"odd"], [b"odd", b"output"]], dtype=object)

    files["future"] = folder / "future.nir"
    shutil.copy(corpus / "lif_norse.nir", files["future"])
    with h5py.File(files["future"], "a") as f:
        del f["version"]
        f["version"] = "9.0.0"
    return files


#: Verdict and a code each bad file must report.
BAD_EXPECTED = {
    "text": ("UNREADABLE", 2, "unreadable"),
    "empty": ("UNREADABLE", 2, "unreadable"),
    "truncated": ("UNREADABLE", 2, "unreadable"),
    "shape": ("INVALID", 1, "shape-mismatch"),
    "unknown_type": ("INVALID", 1, "invalid-node"),
    "future": ("UNREADABLE", 2, "unsupported-version"),
}


def shape_mismatch_graph() -> nir.NIRGraph:
    """Input(3) -> Affine(4x3) -> LIF(5): the LIF takes 5 values but receives 4."""
    five = np.ones(5, np.float32)
    nodes = {
        "input": nir.Input(np.array([3])),
        "fc": nir.Affine(weight=np.ones((4, 3), np.float32), bias=np.zeros(4, np.float32)),
        "lif": nir.LIF(tau=five, r=five, v_leak=five * 0, v_threshold=five),
        "output": nir.Output(np.array([5])),
    }
    edges = [("input", "fc"), ("fc", "lif"), ("lif", "output")]
    return nir.NIRGraph(nodes=nodes, edges=edges, type_check=False)
