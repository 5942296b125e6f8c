"""Write the NIR conformance cases: conformance/cases/*.json and conformance/migrations/*.json.

The cases are written by the modules of conformance/generator/ (one per kind of case; the
units' cases come from the examples in their schemas). Every expected verdict is decided
from the spec (schema/1.0, the finding codes and the rules in conformance/README.md): the
generator does not import the `nir` package, so the expected results can never be copied
from the implementation under test.

    python conformance/generate.py          # rewrite the JSON files
    python conformance/generate.py --check  # exit 1, printing a diff, if the committed files are stale
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generator import render  # noqa: E402


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
    if args.check:
        return _drift().check(
            files,
            HERE,
            tool="conformance-check",
            shown_as="conformance",
            source="conformance/generate.py",
            fix="python conformance/generate.py",
        )
    for rel, text in files.items():
        path = HERE / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
