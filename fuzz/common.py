"""Shared by the fuzz targets and fuzz/run.py: crash signatures and the known-bug filter."""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

IGNORE = frozenset(s for s in os.environ.get("NIR_FUZZ_IGNORE", "").split("|") if s)
"""Signatures (`Type@file:function`) of known bugs that fuzz/run.py asks the targets to step over,
so that a bug found once does not stop every later run at its first input."""


def where(err: BaseException) -> str:
    """The innermost frame of the traceback inside the nir package, as `nir/module.py:function`."""
    frames = traceback.extract_tb(err.__traceback__)
    inside = [f for f in frames if "/nir/" in f.filename.replace(os.sep, "/")] or frames
    if not inside:
        return "?"
    name = inside[-1].filename.replace(os.sep, "/")
    return f"{name.rsplit('/src/', 1)[-1] if '/src/' in name else name.rsplit('/', 1)[-1]}:{inside[-1].name}"


def signature(err: BaseException) -> str:
    """What identifies one bug among many crashing inputs: exception type and where it escaped nir."""
    return f"{type(err).__name__}@{where(err)}"


def known(err: BaseException) -> bool:
    """Whether `err` is a known bug the current run steps over."""
    return signature(err) in IGNORE


def fuzz(atheris: ModuleType | None, check: Callable[[bytes], None]) -> None:
    """Run a target under atheris; libFuzzer reads its flags and corpus folders from the command line."""
    if atheris is None:
        raise SystemExit("atheris is not installed: use `python fuzz/run.py --engine random`")
    atheris.Setup(sys.argv, check)
    atheris.Fuzz()


@contextlib.contextmanager
def promise() -> Iterator[None]:
    """Any exception escaping the block is a crash, unless it is a known bug this run steps over."""
    try:
        yield
    except Exception as err:
        if not known(err):
            raise


def validated(nir: ModuleType, target: Any) -> None:
    """`nir.validate(target)` must return a Report whatever the input (the target passes its nir module)."""
    report = nir.validate(target)
    if not isinstance(report, nir.Report):
        raise TypeError(f"nir.validate returned {type(report).__name__}, not a Report")
