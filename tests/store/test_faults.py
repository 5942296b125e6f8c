"""Fault safety of writes and concurrent reads (issue #7, point 3).

A write goes to a temporary file beside the target (`.<name>.<random>.tmp`) and is renamed
over it only when complete (src/nir/store/atomic.py). So whatever stops a write (an
exception after any number of datasets, a full disk, Ctrl-C, SIGKILL) must leave the
previous file byte-identical and readable; after the next successful write the folder must
hold no temporary file. Readers never see a half-written file, and many can read at once.
"""

from __future__ import annotations

import errno
import faulthandler
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from support.cases import nested_graph, recurrent_graph, small_graph

import nir
from nir.store import atomic, h5write

TEMP_GLOB = ".{name}.*.tmp"


class InjectedError(RuntimeError):
    """The failure the tests inject into a write."""


def temporaries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.startswith(".") and p.name.endswith(".tmp"))


@pytest.fixture
def previous(tmp_path: Path) -> tuple[Path, bytes]:
    """A folder holding one valid file, and that file's bytes."""
    target = tmp_path / "model.nir"
    nir.write(target, small_graph())
    return target, target.read_bytes()


def assert_untouched(target: Path, data: bytes) -> None:
    assert target.read_bytes() == data
    assert nir.read(target).equals(small_graph())
    assert temporaries(target.parent) == []
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]


def count_datasets() -> int:
    """How many datasets a write of nested_graph() creates."""
    calls = 0
    original = h5write._write_dataset

    def counting(*args: Any) -> None:
        nonlocal calls
        calls += 1
        original(*args)

    h5write._write_dataset = counting
    try:
        import io

        nir.write(io.BytesIO(), nested_graph())
    finally:
        h5write._write_dataset = original
    return calls


TOTAL = count_datasets()


@pytest.mark.parametrize("after", sorted({0, 1, 2, 5, TOTAL // 2, TOTAL - 1}))
def test_exception_after_k_datasets_keeps_the_previous_file(
    previous: tuple[Path, bytes], monkeypatch: pytest.MonkeyPatch, after: int
) -> None:
    target, data = previous
    original = h5write._write_dataset
    written = 0

    def failing(*args: Any) -> None:
        nonlocal written
        if written == after:
            raise InjectedError(f"failed after {after} datasets")
        written += 1
        original(*args)

    monkeypatch.setattr(h5write, "_write_dataset", failing)
    with pytest.raises(InjectedError):
        nir.write(target, nested_graph())
    assert written == after
    assert_untouched(target, data)


def test_exception_on_a_new_file_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = h5write._write_dataset
    written = 0

    def failing(*args: Any) -> None:
        nonlocal written
        if written == 3:
            raise InjectedError("boom")
        written += 1
        original(*args)

    monkeypatch.setattr(h5write, "_write_dataset", failing)
    with pytest.raises(InjectedError):
        nir.write(tmp_path / "new.nir", nested_graph())
    assert list(tmp_path.iterdir()) == []


def test_keyboard_interrupt_mid_write_keeps_the_previous_file(
    previous: tuple[Path, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    target, data = previous
    original = h5write._write_dataset
    written = 0

    def interrupted(*args: Any) -> None:
        nonlocal written
        written += 1
        if written == 4:
            raise KeyboardInterrupt
        original(*args)

    monkeypatch.setattr(h5write, "_write_dataset", interrupted)
    with pytest.raises(KeyboardInterrupt):
        nir.write(target, nested_graph())
    assert_untouched(target, data)


@pytest.mark.parametrize("step", ["fsync", "replace"])
def test_disk_errors_at_the_end_keep_the_previous_file(
    previous: tuple[Path, bytes], monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    """A full disk shows at fsync; a failing rename is the last moment anything can go wrong."""
    target, data = previous

    def full(*args: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic.os, step, full)
    with pytest.raises(OSError, match="No space left"):
        nir.write(target, nested_graph())
    monkeypatch.undo()
    assert_untouched(target, data)


def test_failed_json_write_keeps_the_previous_document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "model.json"
    nir.write_json(target, small_graph())
    data = target.read_bytes()
    original = Path.write_text

    def half(self: Path, text: str, *args: Any, **kwargs: Any) -> int:
        original(self, text[: len(text) // 2], *args, **kwargs)
        raise InjectedError("disk gone")

    monkeypatch.setattr(Path, "write_text", half)
    with pytest.raises(InjectedError):
        nir.write_json(target, nested_graph())
    monkeypatch.undo()
    assert target.read_bytes() == data
    assert nir.read_json(target).equals(small_graph())
    assert temporaries(tmp_path) == []


# --- a writer killed with SIGKILL --------------------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import sys
    import numpy as np
    import nir

    rng = np.random.default_rng(0)
    weight = rng.standard_normal((8192, 4096), dtype=np.float32)  # 128 MiB, barely compressible
    graph = nir.NIRGraph(
        nodes={
            "input": nir.Input(np.array([4096])),
            "fc": nir.Affine(weight=weight, bias=np.zeros(8192, np.float32)),
            "output": nir.Output(np.array([8192])),
        },
        edges=[("input", "fc"), ("fc", "output")],
    )
    print("ready", flush=True)
    nir.write(sys.argv[1], graph)
    print("done", flush=True)
    """
)


def kill_during_write(target: Path) -> list[Path]:
    """Start a large write of `target` in a child, SIGKILL it mid-write; the temporary files it left."""
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready", child.stderr.read() if child.stderr else ""
        deadline = time.monotonic() + 30
        while not temporaries(target.parent):
            assert child.poll() is None, "the writer finished before it could be killed"
            assert time.monotonic() < deadline, "no temporary file appeared"
            time.sleep(0.005)
        # the file exists; let HDF5 write into it for a moment (the whole write takes seconds)
        time.sleep(0.3)
        assert child.poll() is None, "the writer finished before it could be killed: make it larger"
        left = temporaries(target.parent)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL
    return left


def test_sigkill_during_a_large_write_keeps_the_previous_file(previous: tuple[Path, bytes]) -> None:
    target, data = previous
    left = kill_during_write(target)
    assert len(left) == 1 and left[0].name.startswith(f".{target.name}.") and left[0].suffix == ".tmp"
    assert target.read_bytes() == data
    assert nir.read(target).equals(small_graph())
    # the interrupted temporary file is no NIR file: nothing may mistake it for one
    with pytest.raises(nir.NIRFormatError):
        nir.read(left[0])


def test_the_next_write_leaves_no_temporary_file(previous: tuple[Path, bytes]) -> None:
    target, _ = previous
    kill_during_write(target)
    nir.write(target, recurrent_graph())
    assert nir.read(target).equals(recurrent_graph())
    assert temporaries(target.parent) == []


# --- concurrent readers ------------------------------------------------------------------------------

READER = textwrap.dedent(
    """
    import hashlib, sys
    import nir

    path, rounds = sys.argv[1], int(sys.argv[2])
    seen = set()
    for _ in range(rounds):
        graph = nir.read(path)
        seen.add(hashlib.sha1(nir.to_json(graph).encode()).hexdigest()[:12])
    print(" ".join(sorted(seen)))
    """
)


def digest(graph: nir.NIRGraph) -> str:
    import hashlib

    return hashlib.sha1(nir.to_json(graph).encode()).hexdigest()[:12]


def test_six_readers_at_once(tmp_path: Path) -> None:
    target = tmp_path / "shared.nir"
    nir.write(target, nested_graph())
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", READER, str(target), "15"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(6)
    ]
    results = [r.communicate(timeout=120) for r in readers]
    for reader, (out, err) in zip(readers, results, strict=True):
        assert reader.returncode == 0, err
        assert out.split() == [digest(nested_graph())]


def test_readers_see_the_old_or_the_new_file_never_a_mix(tmp_path: Path) -> None:
    """Four readers loop while the file is replaced again and again: each read is one whole version."""
    target = tmp_path / "shared.nir"
    versions = [nested_graph(), recurrent_graph()]
    nir.write(target, versions[0])
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", READER, str(target), "60"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    writes = 0
    deadline = time.monotonic() + 120
    while any(r.poll() is None for r in readers) and time.monotonic() < deadline:
        writes += 1
        nir.write(target, versions[writes % 2])
        time.sleep(0.01)
    results = [r.communicate(timeout=120) for r in readers]
    allowed = {digest(g) for g in versions}
    seen: set[str] = set()
    for reader, (out, err) in zip(readers, results, strict=True):
        assert reader.returncode == 0, err
        assert set(out.split()) <= allowed
        seen |= set(out.split())
    assert seen == allowed, "the readers never overlapped a replacement"
    assert writes >= 10
    assert temporaries(tmp_path) == []


def test_a_reader_holding_the_file_open_does_not_block_a_write(tmp_path: Path) -> None:
    """The rename replaces the directory entry; an open reader keeps reading the old version."""
    import h5py

    target = tmp_path / "open.nir"
    nir.write(target, small_graph())
    with h5py.File(target, "r") as held:
        nir.write(target, recurrent_graph())
        np.testing.assert_array_equal(held["node/nodes/affine/bias"][()], small_graph().nodes["affine"].bias)
    assert nir.read(target).equals(recurrent_graph())
    assert temporaries(tmp_path) == []


def test_writing_through_a_symlink_updates_its_target(tmp_path: Path) -> None:
    real, link = tmp_path / "real.nir", tmp_path / "link.nir"
    nir.write(real, small_graph())
    link.symlink_to(real.name)
    nir.write(link, recurrent_graph())
    assert link.is_symlink()
    assert nir.read(real).equals(recurrent_graph())


def test_cleanup_removes_only_this_targets_temporary_files(tmp_path: Path) -> None:
    """Stale temporaries of the target go (its name may hold glob characters); other files' stay."""
    target = tmp_path / "model[1].nir"
    mine = tmp_path / ".model[1].nir.k3j2h1.tmp"
    other = tmp_path / ".model1.nir.k3j2h1.tmp"
    unrelated = tmp_path / ".other.nir.zz.tmp"
    for stale in (mine, other, unrelated):
        stale.write_bytes(b"left by a killed writer")
    nir.write(target, small_graph())
    assert nir.read(target).equals(small_graph())
    assert not mine.exists()
    assert other.exists() and unrelated.exists()


# --- files changed while they are read (the reader maps them) -------------------------------------


def test_a_file_replaced_while_it_is_read_still_reads_as_it_was(previous: tuple[Path, bytes]) -> None:
    from nir.store import tree
    from nir.store.h5parse.reader import ParsedFile
    from nir.store.source import file_bytes as _contents

    target, _ = previous
    contents = _contents(target)  # mapped, as every read maps it
    nir.write(target, nested_graph())  # replaced atomically: the map keeps the old file
    old = tree.read_tree(ParsedFile(contents, str(target)))
    assert sorted(old["node"]["nodes"]) == sorted(small_graph().nodes)
    assert nir.read(target).equals(nested_graph())


def test_a_file_truncated_while_it_is_read_is_reported_unreadable_by_the_cli(
    previous: tuple[Path, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages cut from a mapped file end the reading process (SIGBUS); the CLI's child takes that blow."""
    from nir.cli import isolate
    from nir.store import tree
    from nir.store.h5parse.reader import ParsedFile
    from nir.store.source import file_bytes as _contents

    def read_while_truncated(path: Path) -> Any:
        faulthandler.disable()  # in the child: the crash is expected, pytest need not dump its stack
        contents = _contents(path)
        os.truncate(path, 0)
        return tree.read_tree(ParsedFile(contents, str(path)))

    monkeypatch.setattr(isolate, "validate", read_while_truncated)
    target, _ = previous
    report = isolate.validate_isolated(target, timeout=30, max_memory_mb=4096)
    assert report.codes() == ["unreadable"]
    assert "crashed the reader" in report.findings[0].message
