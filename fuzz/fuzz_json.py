#!/usr/bin/env python3
"""Fuzz target: bytes -> `nir.from_json`.

`nir.from_json(data, warn_findings=False)` may raise only a `nir.NIRError` subclass; when it returns
a graph, `nir.validate(graph)` must return a report. Anything else is a crash (see
fuzz_read.py for how to run it; fuzz/json.dict holds the JSON and NIR tokens libFuzzer splices in).
"""

from __future__ import annotations

import os

atheris = None
if not os.environ.get("NIR_FUZZ_PLAIN"):  # set by fuzz/run.py to replay inputs without instrumentation
    try:
        import atheris
    except ImportError:  # plain Python: fuzz/run.py --engine random drives `check`
        atheris = None

if atheris is not None:
    with atheris.instrument_imports(include=["nir"]):
        import nir
else:
    import nir

from common import fuzz, promise, validated  # noqa: E402 - after the instrumented imports


def check(data: bytes) -> None:
    """Raise if the JSON reader breaks its promise on `data`; return otherwise."""
    with promise():
        try:
            graph = nir.from_json(data, warn_findings=False)
        except nir.NIRError:
            return
        validated(nir, graph)


def main() -> None:
    """Fuzz `check` with atheris."""
    fuzz(atheris, check)


if __name__ == "__main__":
    main()
