#!/usr/bin/env python3
"""Fuzz target: bytes -> a .nir file -> `nir.validate` and `nir.store.load`.

`nir.validate` must return a report whatever the bytes are, and `nir.store.load` may raise
only a `nir.NIRError` subclass. Anything else is a crash: another exception, a signal (libhdf5
segfaulting), a hang (libFuzzer `-timeout`) or a memory blow-up (`-rss_limit_mb`).

Run it through fuzz/run.py, which prepares the seeds and triages what it finds, or directly
with atheris (libFuzzer flags after the corpus folders):

    .venv/bin/python fuzz/fuzz_read.py CORPUS_DIR SEED_DIR -max_total_time=60 -timeout=10 -rss_limit_mb=2048

With a file name instead of folders it runs that one input once (a crash reproduces).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

atheris = None
if not os.environ.get("NIR_FUZZ_PLAIN"):  # set by fuzz/run.py to replay inputs without instrumentation
    try:
        import atheris
    except ImportError:  # plain Python: fuzz/run.py --engine random drives `check`
        atheris = None

if atheris is not None:
    with atheris.instrument_imports(include=["nir"]):
        import nir
        from nir.store import load
else:
    import nir
    from nir.store import load

from common import fuzz, promise, validated  # noqa: E402 - after the instrumented imports

_SCRATCH = Path(tempfile.mkdtemp(prefix="nir-fuzz-read-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None))
_PATH = _SCRATCH / "input.nir"


def check(data: bytes) -> None:
    """Raise if the readers break their promise on `data`; return otherwise."""
    _PATH.write_bytes(data)
    with promise():
        validated(nir, _PATH)
        try:
            load(_PATH)
        except nir.NIRError:
            pass


def main() -> None:
    """Fuzz `check` with atheris."""
    fuzz(atheris, check)


if __name__ == "__main__":
    main()
