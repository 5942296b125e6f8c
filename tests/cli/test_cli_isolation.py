"""Each file is validated in a child process: a reader stuck inside libhdf5 cannot hang the run.

The package's own HDF5 parser reads NIR files without libhdf5 and reports the damaged global
heaps that make libhdf5 loop or allocate gigabytes (HDFGroup/hdf5#1707). Files beyond its
subset still go to libhdf5, so the cases here add one such dataset (lzf-compressed, read
first since the root lists it first) to a file carrying the damage found by fuzzing.
"""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
NIR = str(Path(sys.executable).with_name("nir"))
GOOD = ROOT / "examples" / "feedforward.nir"
CORPUS = ROOT / ".." / "shared" / "corpus"


def _beyond_the_parser(source: Path, target: Path) -> bytearray:
    """A copy of source that the package's parser hands to libhdf5, as bytes to damage."""
    shutil.copy(source, target)
    with h5py.File(target, "a") as f:
        f.create_dataset("a", data=np.arange(10.0), compression="lzf")
    return bytearray(target.read_bytes())


@pytest.fixture
def stuck(tmp_path: Path) -> Path:
    """lif_rockpool.nir with the two global heap bytes the fuzzer changed: libhdf5 loops forever."""
    source = CORPUS / "lif_rockpool.nir"
    if not source.exists():
        pytest.skip("../shared/corpus is absent: the real NIR files from the paper are not beside this checkout")
    path = tmp_path / "stuck.nir"
    data = _beyond_the_parser(source, path)
    heap = data.index(b"GCOL")
    assert (data[heap + 94], data[heap + 96]) == (0, 6)
    data[heap + 94], data[heap + 96] = 6, 0
    path.write_bytes(data)
    return path


@pytest.fixture
def hungry(tmp_path: Path) -> Path:
    """An example whose /node/type string claims 2 GB: libhdf5 allocates that much before failing."""
    path = tmp_path / "hungry.nir"
    _beyond_the_parser(GOOD, path)
    with h5py.File(path, "r") as f:
        offset = f["node/type"].id.get_offset()
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, offset, 0x7FFF_FFF0)
    path.write_bytes(data)
    return path


def _validate(*args: str) -> tuple[int, dict, float]:
    start = time.monotonic()
    done = subprocess.run([NIR, "validate", "--format", "json", *args], capture_output=True, text=True, timeout=60)
    assert "Traceback" not in done.stderr
    return done.returncode, json.loads(done.stdout), time.monotonic() - start


def test_a_file_that_makes_libhdf5_loop_is_cut_off_and_the_run_goes_on(stuck: Path) -> None:
    code, doc, seconds = _validate("--timeout", "3", str(stuck), str(GOOD))
    assert code == 2
    verdicts = {f["source"]: f["verdict"] for f in doc["files"]}
    assert verdicts == {str(stuck): "unreadable", str(GOOD): "valid"}
    (message,) = [f["findings"][0]["message"] for f in doc["files"] if f["source"] == str(stuck)]
    assert "no result within 3 s" in message
    assert seconds < 20


def test_a_file_that_makes_libhdf5_allocate_gigabytes_stays_under_the_memory_cap(hungry: Path) -> None:
    code, doc, _ = _validate("--max-memory", "1024", str(hungry))
    assert code == 2
    (finding,) = doc["files"][0]["findings"]
    assert finding["code"] == "unreadable"
    assert "memory allocation failed" in finding["message"]  # the cap, not libhdf5's own check, stopped it


def test_without_isolation_the_same_reports_come_back():
    isolated = _validate(str(GOOD), str(ROOT / "examples" / "broken.nir"))
    direct = _validate("--no-isolate", str(GOOD), str(ROOT / "examples" / "broken.nir"))
    assert isolated[0] == direct[0] == 1
    assert isolated[1]["files"] == direct[1]["files"]
