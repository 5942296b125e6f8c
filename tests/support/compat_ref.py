"""Run with the REFERENCE package (nir 1.0.8) on graph recipes (see compat_recipes).

    compat_ref.py build RECIPES.json FOLDER   build each recipe, write it to FOLDER/ref-<i>.nir, read it back
    compat_ref.py read MANIFEST.json          read each file named in the JSON list (default type check)

Prints, as JSON, per recipe or file: {"summary": ...} of what was read (see store_summary), or
{"error": class name, "message": text}. Used by test_compatibility.py; not a test module.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import nir
from support.compat_recipes import build
from support.store_summary import summarise


def _outcome(action) -> dict:
    try:
        return {"summary": summarise(action())}
    except Exception as err:  # reported to the test, which compares the two packages
        return {"error": type(err).__name__, "message": str(err)}


def main(mode: str, source: str, folder: str = "") -> None:
    warnings.simplefilter("ignore")
    items = json.loads(Path(source).read_text())
    results = []
    for index, item in enumerate(items):
        if mode == "build":
            path = Path(folder) / f"ref-{index}.nir"

            def action(recipe=item, path=path):
                nir.write(path, build(nir, recipe))
                return nir.read(path)

            results.append(_outcome(action))
        else:
            results.append(_outcome(lambda path=item: nir.read(path)))
    print(json.dumps({"version": nir.version, "results": results}))


if __name__ == "__main__":
    main(*sys.argv[1:])
