"""Run one file's validation in a forked child with a time limit and a memory cap.

Some corrupt HDF5 files make libhdf5 itself loop forever or allocate gigabytes inside one C
call (HDFGroup/hdf5#1707), where Python cannot interrupt it. A forked child (cheap: the
modules are already loaded) can be stopped from outside, so one bad file cannot hang or
exhaust a whole `nir validate` run.
"""

from __future__ import annotations

import math
import multiprocessing
import resource
from pathlib import Path

from nir.findings import Report
from nir.validation import validate


def _cap(kind: int, value: int) -> None:
    """Lower a resource limit to `value`; a lower cap set by the caller stays in force."""
    _soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, hard))


def _child(path: Path, timeout: float, max_memory_mb: int, pipe: multiprocessing.connection.Connection) -> None:
    _cap(resource.RLIMIT_AS, max_memory_mb * 1024 * 1024)
    # The kernel stops a child that spins past its time even if the parent was killed first.
    _cap(resource.RLIMIT_CPU, math.ceil(timeout) + 1)
    try:
        pipe.send(validate(path))
    except MemoryError:
        report = Report(source=str(path))
        report.add("unreadable", "", f"{path}: reading it needs more than {max_memory_mb} MB (--max-memory)")
        pipe.send(report)


def validate_isolated(path: Path, timeout: float, max_memory_mb: int) -> Report:
    """`nir.validate(path)` in a child process; a report of `unreadable` if it hangs or dies."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(path, timeout, max_memory_mb, send), daemon=True)
    child.start()
    send.close()
    try:
        report = receive.recv() if receive.poll(timeout) else None
    except (EOFError, OSError):  # the child died without answering
        report = None
    if not isinstance(report, Report):
        child.kill()
    child.join()
    if isinstance(report, Report):
        return report
    report = Report(source=str(path))
    why = f"gave no result within {timeout:g} s (--timeout)" if child.exitcode in (None, -9) else "crashed the reader"
    report.add("unreadable", "", f"{path}: reading it {why}")
    return report
