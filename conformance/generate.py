"""Write the NIR conformance cases: conformance/cases/*.json, conformance/migrations/*.json and conformance/hdf5/.

The cases are written by the modules of conformance/generator/ (one per kind of case; the
units' cases come from the examples in their schemas). Every expected verdict is decided
from the spec (schema/1.0, the finding codes and the rules in conformance/README.md): the
JSON is written without importing the `nir` package, so the expected results can never be
copied from the implementation under test. Then each case's .nir file is written from its
JSON with the package's writer (generator/fixtures.py).

    python conformance/generate.py          # rewrite the JSON files and the .nir files
    python conformance/generate.py --check  # exit 1, printing what differs, if a committed file is stale
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generator import fixtures, render  # noqa: E402

FIXTURES = HERE / "hdf5"


def _drift() -> ModuleType:
    """The package's drift check, loaded by path so that the `nir` package is never imported."""
    spec = importlib.util.spec_from_file_location("_nir_drift", HERE.parent / "src" / "nir" / "spec" / "drift.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    """Write the files, or with --check report stale ones."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="exit 1 if a committed file differs")
    args = parser.parse_args(argv)
    files = render()
    binaries = fixtures.render(files)
    if args.check:
        status = _drift().check(
            files,
            HERE,
            tool="conformance-check",
            shown_as="conformance",
            source="conformance/generate.py",
            fix="python conformance/generate.py",
        )
        return max(status, check_fixtures(binaries))
    for rel, text in files.items():
        path = HERE / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    shutil.rmtree(FIXTURES, ignore_errors=True)
    for rel, data in binaries.items():
        path = HERE / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return 0


def check_fixtures(binaries: dict[str, bytes]) -> int:
    """Compare the committed .nir files with fresh ones (byte for byte); 1 and their names if any differs."""
    committed = {p.relative_to(HERE).as_posix() for p in FIXTURES.rglob("*.nir")}
    stale = sorted(
        name
        for name in committed | set(binaries)
        if name not in committed or name not in binaries or (HERE / name).read_bytes() != binaries[name]
    )
    if stale:
        print(f"conformance-check: {len(stale)} .nir file(s) stale: {', '.join(stale)}", file=sys.stderr)
        return 1
    print(f"conformance-check: {len(binaries)} .nir files match the cases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
