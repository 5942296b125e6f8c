"""Run with the REFERENCE package (nir 1.0.8): read the files named in the JSON manifest argv[1]
(`{path: type_check}`) with `nir.read` and print, as JSON, the reference's summary of each
graph (see store_summary), or the error it raised.

Used by test_store_reference.py; not a test module.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nir
from support.store_summary import summarise


def main(manifest: str) -> None:
    results = {}
    for path, type_check in json.loads(Path(manifest).read_text()).items():
        try:
            graph = nir.read(path, type_check=type_check)
        except Exception as err:  # reported to the test, which shows it
            results[path] = {"error": f"{type(err).__name__}: {err}"}
            continue
        results[path] = {"summary": summarise(graph)}
    print(json.dumps({"version": nir.version, "results": results}))


if __name__ == "__main__":
    main(sys.argv[1])
