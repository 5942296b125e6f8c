"""Run one file's validation in a forked child with a time limit and a memory cap.

Some corrupt HDF5 files make libhdf5 itself loop forever or allocate gigabytes inside one C
call (HDFGroup/hdf5#1707), where Python cannot interrupt it. A forked child (cheap: the
modules are already loaded) can be stopped from outside, so one bad file cannot hang or
exhaust a whole `nir validate` run. The child is a plain `os.fork`: multiprocessing would
add its own imports (sockets, pickling contexts) to every start of the command.
"""

from __future__ import annotations

import math
import os
import pickle
import resource
import select
import signal
import time
from pathlib import Path

from nir.findings import Report
from nir.validation import validate


def _cap(kind: int, value: int) -> None:
    """Lower a resource limit to `value`; a lower cap set by the caller stays in force."""
    _soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, hard))


def _child(path: Path, timeout: float, max_memory_mb: int, out: int) -> None:
    """In the forked child: validate, send the pickled report down the pipe, and leave without cleanup."""
    status = 1
    try:
        _cap(resource.RLIMIT_AS, max_memory_mb * 1024 * 1024)
        # The kernel stops a child that spins past its time even if the parent was killed first.
        _cap(resource.RLIMIT_CPU, math.ceil(timeout) + 1)
        try:
            report = validate(path)
        except MemoryError:
            report = Report(source=str(path))
            report.add("unreadable", "", f"{path}: reading it needs more than {max_memory_mb} MB (--max-memory)")
        with os.fdopen(out, "wb") as pipe:
            pickle.dump(report, pipe)
        status = 0
    finally:
        os._exit(status)  # never return into the parent's code (pytest, the CLI loop) from the child


def _receive(pipe: int, deadline: float) -> bytes | None:
    """Everything the child writes before it closes the pipe, or None at the deadline."""
    chunks = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([pipe], [], [], left)[0]:
            return None
        chunk = os.read(pipe, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def validate_isolated(path: Path, timeout: float, max_memory_mb: int) -> Report:
    """`nir.validate(path)` in a child process; a report of `unreadable` if it hangs or dies."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        _child(path, timeout, max_memory_mb, write)
    os.close(write)
    try:
        data = _receive(read, time.monotonic() + timeout)
    finally:
        os.close(read)
    if data is None:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    try:
        report = pickle.loads(data) if data else None
    except (pickle.UnpicklingError, EOFError, ValueError):
        report = None
    if isinstance(report, Report):
        return report
    report = Report(source=str(path))
    hung = data is None or (os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL)
    why = f"gave no result within {timeout:g} s (--timeout)" if hung else "crashed the reader"
    report.add("unreadable", "", f"{path}: reading it {why}")
    return report
