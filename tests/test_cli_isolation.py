"""Each file is validated in a child process: a reader stuck inside libhdf5 cannot hang the run."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NIR = str(Path(sys.executable).with_name("nir"))
FUZZ = ROOT / "tests" / "data" / "fuzz" / "read"
GOOD = ROOT / "examples" / "feedforward.nir"


def _validate(*args: str) -> tuple[int, dict, float]:
    start = time.monotonic()
    done = subprocess.run([NIR, "validate", "--format", "json", *args], capture_output=True, text=True, timeout=60)
    assert "Traceback" not in done.stderr
    return done.returncode, json.loads(done.stdout), time.monotonic() - start


def test_a_file_that_makes_libhdf5_loop_is_cut_off_and_the_run_goes_on():
    (stuck,) = FUZZ.glob("timeout-*.nir")
    code, doc, seconds = _validate("--timeout", "3", str(stuck), str(GOOD))
    assert code == 2
    verdicts = {f["source"]: f["verdict"] for f in doc["files"]}
    assert verdicts == {str(stuck): "unreadable", str(GOOD): "valid"}
    (message,) = [f["findings"][0]["message"] for f in doc["files"] if f["source"] == str(stuck)]
    assert "no result within 3 s" in message
    assert seconds < 20


def test_a_file_that_makes_libhdf5_allocate_gigabytes_stays_under_the_memory_cap():
    (hungry,) = FUZZ.glob("oom-*.nir")
    code, doc, _ = _validate("--max-memory", "1024", str(hungry))
    assert code == 2
    assert doc["files"][0]["findings"][0]["code"] == "unreadable"


def test_without_isolation_the_same_reports_come_back():
    isolated = _validate(str(GOOD), str(ROOT / "examples" / "broken.nir"))
    direct = _validate("--no-isolate", str(GOOD), str(ROOT / "examples" / "broken.nir"))
    assert isolated[0] == direct[0] == 1
    assert isolated[1]["files"] == direct[1]["files"]
