#!/usr/bin/env python3
"""Run the fuzz targets for a bounded time, triage what they find, optionally keep it as tests.

    python fuzz/run.py                         # 60 s per target; atheris if installed
    python fuzz/run.py --seconds 300 --save    # keep each new kind of crash in tests/data/fuzz/
    python fuzz/run.py --engine random         # plain-Python mutation fuzzing, no atheris needed
    python fuzz/run.py --targets json          # one target only

Seeds are the real corpus (../shared/corpus/*.nir), examples/*.nir, their JSON documents
and every saved regression input. The work folder (default: $TMPDIR/nir-fuzz) keeps the
growing corpus between runs, the crash artifacts and the logs.

A crash is any outcome other than "returned" or "raised a nir.NIRError": another exception,
a signal (libhdf5 segfaulting), a hang (`--timeout`) or too much memory (`--rss-mb`). Each
artifact is replayed in a fresh interpreter and grouped by signature (kind, exception type,
innermost frame in nir). With `--save`, one input of each signature not yet in
tests/data/fuzz/<target>/ is copied there and entered in tests/data/fuzz/known.json, which
tests/badinput/test_badinput.py replays (a strict xfail until the bug is fixed).

The exit code is 0 when no new signature was found, 1 otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
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
from pathlib import Path
from typing import Any

FUZZ = Path(__file__).resolve().parent
ROOT = FUZZ.parent
REGRESSIONS = ROOT / "tests" / "data" / "fuzz"
KNOWN = REGRESSIONS / "known.json"
CORPUS = ROOT.parent / "shared" / "corpus"
EXAMPLES = ROOT / "examples"
TARGETS = {
    "read": {"script": FUZZ / "fuzz_read.py", "dict": FUZZ / "hdf5.dict", "suffix": ".nir"},
    "json": {"script": FUZZ / "fuzz_json.py", "dict": FUZZ / "json.dict", "suffix": ".json"},
}

ENV: dict[str, str] = dict(os.environ)
"""Environment of the fuzzing children (set per target in main)."""

REPLAY = """
import json, resource, sys
sys.path.insert(0, sys.argv[1])
target = __import__(sys.argv[2])
from common import where
data = open(sys.argv[3], "rb").read()
try:
    target.check(data)
except BaseException as err:
    result = {"kind": "exception", "type": type(err).__name__, "where": where(err), "message": str(err)[:300]}
else:
    result = {"kind": "ok"}
result["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(result))
"""


# --- seeds -------------------------------------------------------------------------------------------


def prepare_seeds(target: str, folder: Path) -> int:
    """Fill `folder` with the seed inputs of `target`; returns how many."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    files = sorted(CORPUS.glob("*.nir")) + sorted(EXAMPLES.glob("*.nir"))
    if target == "read":
        for path in files:
            shutil.copyfile(path, folder / path.name)
    else:
        sys.path.insert(0, str(ROOT / "src"))
        import nir

        for path in files:
            try:
                text = nir.to_json(nir.read(path, warn_findings=False), indent=None)
            except (nir.NIRError, ValueError):
                continue
            (folder / f"{path.stem}.json").write_text(text, "utf-8")
    known = json.loads(KNOWN.read_text()) if KNOWN.exists() else {}
    for path in sorted((REGRESSIONS / target).glob("*")):
        if not known.get(f"{target}/{path.name}", {}).get("crash"):  # a hang or a segfault would stop every run
            shutil.copyfile(path, folder / f"regression-{path.name}")
    return len(list(folder.iterdir()))


# --- engines -----------------------------------------------------------------------------------------


def _limit_memory(mb: int) -> Any:
    def apply() -> None:
        size = mb * 1024**2
        resource.setrlimit(resource.RLIMIT_AS, (size, size))

    return apply


def ignore_env(target: str) -> dict[str, str]:
    """The environment of a fuzzing child: NIR_FUZZ_IGNORE lists the known exceptions of `target`."""
    known = json.loads(KNOWN.read_text()) if KNOWN.exists() else {}
    steps = [
        v["signature"].split(":", 1)[1]
        for k, v in known.items()
        if k.startswith(f"{target}/") and v.get("signature", "").startswith("exception:")
    ]
    return dict(os.environ, NIR_FUZZ_IGNORE="|".join(steps))


def run_atheris(target: str, work: Path, seconds: float, timeout: int, rss_mb: int) -> dict[str, Any]:
    """libFuzzer through atheris; restarted after each crash until the time is up."""
    spec = TARGETS[target]
    corpus, seeds, artifacts = work / "corpus", work / "seeds", work / "artifacts"
    deadline = time.monotonic() + seconds
    runs, executions = 0, 0
    while (left := deadline - time.monotonic()) > 2:
        log = work / f"log-{runs}.txt"
        command = [
            sys.executable,
            str(spec["script"]),
            str(corpus),
            str(seeds),
            f"-max_total_time={int(left)}",
            f"-timeout={timeout}",
            f"-rss_limit_mb={rss_mb}",
            f"-artifact_prefix={artifacts}/",
            f"-dict={spec['dict']}",
            "-print_final_stats=1",
        ]
        with open(log, "wb") as out:
            try:
                subprocess.run(
                    command,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    timeout=left + timeout + 60,
                    # An address-space cap at the RSS limit makes libhdf5's huge allocations from a
                    # damaged heap fail fast (a NIRFormatError) instead of stopping the run as an
                    # OOM each time; replay() runs with twice as much and still reports them.
                    preexec_fn=_limit_memory(rss_mb),
                    check=False,
                    env=ENV,
                )
            except subprocess.TimeoutExpired:
                pass
        runs += 1
        for line in log.read_text("utf-8", "replace").splitlines():
            if line.startswith("stat::number_of_executed_units:"):
                executions += int(line.split(":")[-1])
    return {"engine": "atheris (libFuzzer, coverage-guided)", "restarts": runs - 1, "executions": executions}


def run_random(target: str, work: Path, seconds: float, timeout: int, rss_mb: int, seed: int) -> dict[str, Any]:
    """Plain-Python mutation fuzzing in a watched child: a signal or a stall is caught by the parent."""
    deadline = time.monotonic() + seconds
    current, artifacts = work / "current", work / "artifacts"
    restarts, executions = 0, 0
    while (left := deadline - time.monotonic()) > 1:
        stats = work / "child-stats.json"
        stats.unlink(missing_ok=True)
        command = [sys.executable, __file__, "--child", target, "--work", str(work.parent), "--seconds", str(left)]
        command += ["--seed", str(seed + restarts)]
        child = subprocess.Popen(command, preexec_fn=_limit_memory(rss_mb), env=dict(ENV, NIR_FUZZ_PLAIN="1"))
        stalled = False
        while child.poll() is None:
            time.sleep(0.2)
            if current.exists() and time.time() - current.stat().st_mtime > timeout:
                stalled = True
                child.kill()
                child.wait()
        if stats.exists():
            executions += json.loads(stats.read_text())["executions"]
        if child.returncode not in (0, None) and not stalled and not current.exists():
            raise RuntimeError(f"the random fuzzing child failed by itself (exit {child.returncode}); see its output")
        if (stalled or child.returncode not in (0, None)) and current.exists():
            kind = "timeout" if stalled else f"crash-exit{child.returncode}"
            data = current.read_bytes()
            (artifacts / f"{kind}-{hashlib.sha1(data).hexdigest()}").write_bytes(data)
            current.unlink()
        if child.returncode == 0 and not stalled:
            break
        restarts += 1
    return {"engine": "random mutations (plain Python)", "restarts": restarts, "executions": executions}


INTERESTING = [0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF, 2**63 - 1, 2**64 - 1]


def mutate(data: bytes, rng: random.Random, pool: list[bytes], tokens: list[bytes]) -> bytes:
    """A few random edits of `data`: bit flips, interesting integers, cuts, copies, tokens, splices."""
    out = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 4, 8))):
        op = rng.randrange(9)
        n = len(out)
        if n == 0:
            out += bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64)))
            continue
        at = rng.randrange(n)
        if op == 0:
            out[at] ^= 1 << rng.randrange(8)
        elif op == 1:
            out[at] = rng.randrange(256)
        elif op == 2:
            width = rng.choice((1, 2, 4, 8))
            value = rng.choice(INTERESTING) % (256**width)
            out[at : at + width] = value.to_bytes(width, "little")
        elif op == 3:
            del out[at : at + rng.randrange(1, 256)]
        elif op == 4:
            end = min(n, at + rng.randrange(1, 256))
            out[at:at] = out[at:end]
        elif op == 5:
            out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 32)))
        elif op == 6:
            del out[at:]
        elif op == 7 and tokens:
            out[at:at] = rng.choice(tokens)
        else:
            other = rng.choice(pool)
            cut = rng.randrange(len(other) + 1)
            out[at:] = other[cut:]
    return bytes(out)


def child(target: str, work: Path, seconds: float, seed: int) -> None:
    """The random engine's worker: mutate, run, save crashes; the parent handles signals and stalls."""
    sys.path.insert(0, str(FUZZ))
    module = __import__(Path(TARGETS[target]["script"]).stem)
    import nir  # noqa: F401 - imported by the target; keeps the first execution's import out of the clock

    rng = random.Random(seed)
    corpus, artifacts, current = work / "corpus", work / "artifacts", work / "current"
    pool = [p.read_bytes() for folder in (work / "seeds", corpus) for p in sorted(folder.iterdir()) if p.is_file()]
    tokens = _tokens(Path(TARGETS[target]["dict"]))
    seen: set[Any] = set()
    deadline = time.monotonic() + seconds
    executions = 0
    while time.monotonic() < deadline:
        data = mutate(rng.choice(pool), rng, pool, tokens)
        current.write_bytes(data)
        try:
            outcome = _outcome(module, data)
        except Exception as err:  # a crash: keep the input, go on
            (artifacts / f"crash-{type(err).__name__}-{hashlib.sha1(data).hexdigest()}").write_bytes(data)
            outcome = None
        executions += 1
        if outcome is not None and outcome not in seen:  # a new kind of result: keep the input as a seed
            seen.add(outcome)
            pool.append(data)
            (corpus / hashlib.sha1(data).hexdigest()).write_bytes(data)
    current.unlink(missing_ok=True)
    (work / "child-stats.json").write_text(json.dumps({"executions": executions}))


def _outcome(module: Any, data: bytes) -> Any:
    """Run the target; a coarse signature of what happened (novelty stands in for coverage)."""
    import nir

    module.check(data)
    if module.__name__ == "fuzz_json":
        try:
            return ("json", tuple(sorted(set(nir.from_json(data, warn_findings=False).report.codes()))))
        except nir.NIRError as err:
            return ("json", type(err).__name__, str(err)[:40])
    report = nir.validate(module._PATH)
    return ("read", tuple(sorted({(f.code, f.message[:30]) for f in report})))


def _tokens(path: Path) -> list[bytes]:
    tokens = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if line.startswith('"') and line.endswith('"'):
            tokens.append(line[1:-1].encode().decode("unicode_escape").encode("latin-1"))
    return tokens


# --- triage ------------------------------------------------------------------------------------------


def replay(target: str, path: Path, timeout: int, rss_mb: int) -> dict[str, Any]:
    """What `path` does to the target in a fresh interpreter: ok, exception, signal, timeout, oom.

    The child may use twice `rss_mb` of address space; a peak RSS over `rss_mb` counts as "oom".
    """
    module = Path(TARGETS[target]["script"]).stem
    env = {k: v for k, v in os.environ.items() if k != "NIR_FUZZ_IGNORE"}
    env["NIR_FUZZ_PLAIN"] = "1"
    try:
        done = subprocess.run(
            [sys.executable, "-c", REPLAY, str(FUZZ), module, str(path)],
            capture_output=True,
            text=True,
            timeout=timeout,
            preexec_fn=_limit_memory(rss_mb * 2),
            check=False,
            env=env,
        )
    except subprocess.TimeoutExpired:
        return {"kind": "timeout", "type": f"no result in {timeout} s", "where": "?"}
    if done.returncode < 0:
        return {"kind": "signal", "type": signal.Signals(-done.returncode).name, "where": "?"}
    lines = done.stdout.strip().splitlines()
    if not lines:
        return {"kind": "exit", "type": f"exit code {done.returncode}", "where": done.stderr[-200:]}
    result = json.loads(lines[-1])
    if result["kind"] == "ok" and result["rss_mb"] > rss_mb:
        result.update(kind="oom", type=f"peak RSS over {rss_mb} MB", where="?", message=f"{result['rss_mb']:.0f} MB")
    return result


def signature(result: dict[str, Any]) -> str:
    """The identity of a replay result: kind, exception type or signal, and where in nir it escaped."""
    return f"{result['kind']}:{result.get('type', '')}@{result.get('where', '')}"


def triage(target: str, work: Path, timeout: int, rss_mb: int) -> dict[str, list[tuple[Path, dict[str, Any]]]]:
    """Replay every artifact; {signature: [(input, result), ...]} of those that still fail, smallest first."""
    found: dict[str, list[tuple[Path, dict[str, Any]]]] = {}
    for path in sorted((work / "artifacts").iterdir(), key=lambda p: p.stat().st_size):
        result = replay(target, path, timeout, rss_mb)
        if result["kind"] == "ok":
            continue
        found.setdefault(signature(result), []).append((path, result))
    return found


def save(target: str, found: dict[str, list[tuple[Path, dict[str, Any]]]], timeout: int, rss_mb: int) -> list[str]:
    """Copy the smallest input of each signature not yet kept into tests/data/fuzz/<target>/."""
    folder = REGRESSIONS / target
    folder.mkdir(parents=True, exist_ok=True)
    kept = {signature(replay(target, p, timeout, rss_mb)) for p in sorted(folder.iterdir())}
    known = json.loads(KNOWN.read_text()) if KNOWN.exists() else {}
    added = []
    for sig, items in sorted(found.items()):
        if sig in kept:
            continue
        path, result = items[0]
        data = path.read_bytes()
        name = f"{result['kind']}-{hashlib.sha1(data).hexdigest()[:12]}{TARGETS[target]['suffix']}"
        (folder / name).write_bytes(data)
        known[f"{target}/{name}"] = {
            "reason": f"BUG (fuzz_{target}): {result['kind']} {result.get('type', '')} at {result.get('where', '?')}: "
            + result.get("message", "")[:200],
            "crash": result["kind"] in ("signal", "timeout", "oom"),
            "signature": sig,
        }
        added.append(name)
    if added:
        KNOWN.write_text(json.dumps(dict(sorted(known.items())), indent=1) + "\n")
    return added


# --- main --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Fuzz each target for the time given, triage, report; 1 if a new crash signature was found."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("FUZZ_SECONDS", 60)), help="per target")
    parser.add_argument("--targets", nargs="+", choices=sorted(TARGETS), default=sorted(TARGETS))
    parser.add_argument("--engine", choices=("auto", "atheris", "random"), default="auto")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "nir-fuzz")
    parser.add_argument("--timeout", type=int, default=10, help="seconds before one input counts as a hang")
    parser.add_argument("--rss-mb", type=int, default=2048, help="memory above which one input counts as a crash")
    parser.add_argument("--seed", type=int, default=0, help="random engine seed")
    parser.add_argument("--save", action="store_true", help="keep new crash signatures in tests/data/fuzz/")
    parser.add_argument(
        "--no-ignore-known",
        dest="ignore_known",
        action="store_false",
        help="stop at known bugs too (by default the targets step over the exceptions in known.json)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.work / args.child, args.seconds, args.seed)
        return 0
    engine = args.engine
    if engine == "auto":
        try:
            import atheris  # noqa: F401
        except ImportError:
            engine = "random"
            print("atheris is not installed: falling back to random mutations (pip install atheris)")
        else:
            engine = "atheris"
    status = 0
    for target in args.targets:
        work = args.work / target
        for sub in ("corpus", "artifacts"):
            (work / sub).mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            for old in (work / "artifacts").iterdir():
                old.unlink()
        count = prepare_seeds(target, work / "seeds")
        global ENV
        ENV = ignore_env(target) if args.ignore_known else dict(os.environ)
        if ENV.get("NIR_FUZZ_IGNORE"):
            print(f"   stepping over known bugs: {ENV['NIR_FUZZ_IGNORE']}")
        print(f"== {target}: {count} seeds, {args.seconds:.0f} s, engine {engine}, work {work}", flush=True)
        start = time.monotonic()
        if engine == "atheris":
            stats = run_atheris(target, work, args.seconds, args.timeout, args.rss_mb)
        else:
            stats = run_random(target, work, args.seconds, args.timeout, args.rss_mb * 2, args.seed)
        found = triage(target, work, args.timeout, args.rss_mb)
        corpus = len(list((work / "corpus").iterdir()))
        print(
            f"   {stats['engine']}: {stats['executions']} executions in {time.monotonic() - start:.0f} s, "
            f"{stats['restarts']} restart(s) after crashes, corpus {corpus} inputs, {len(found)} crash signature(s)"
        )
        for sig, items in sorted(found.items()):
            result = items[0][1]
            print(f"   - {sig} x{len(items)}: {result.get('message', '')[:160]}")
        if args.save:
            added = save(target, found, args.timeout, args.rss_mb)
            for name in added:
                print(f"   saved tests/data/fuzz/{target}/{name}")
            status = max(status, 1 if added else 0)
        else:
            kept = {signature(replay(target, p, args.timeout, args.rss_mb)) for p in (REGRESSIONS / target).glob("*")}
            status = max(status, 1 if set(found) - kept else 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
