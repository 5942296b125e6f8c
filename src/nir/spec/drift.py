"""The `--check` mode of the generator scripts: committed generated files against fresh output.

Stdlib only, like `bundle.py`: codegen/generate.py and conformance/generate.py load this file
by path, because importing `nir` would import the models codegen is about to rewrite, and the
conformance suite must not depend on the implementation it tests.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Mapping
from pathlib import Path


def check(
    generated: Mapping[str, str],
    out_dir: Path,
    *,
    tool: str,
    shown_as: str,
    source: str,
    fix: str,
    owned: str | None = None,
) -> int:
    """Print a diff for each file of `out_dir` that differs from `generated`; return the exit status."""
    names = list(generated)
    if owned is not None:
        # A file the generator owns but no longer writes is stale too: regenerating deletes it.
        names += sorted({p.relative_to(out_dir).as_posix() for p in out_dir.glob(owned)} - set(generated))
    stale = []
    for name in names:
        path = out_dir / name
        old = path.read_text("utf-8") if path.is_file() else None
        new = generated.get(name)
        if old == new:
            continue
        stale.append(name)
        sys.stdout.writelines(
            difflib.unified_diff(
                (old or "").splitlines(True),
                (new or "").splitlines(True),
                f"committed/{shown_as}/{name}",
                f"generated/{shown_as}/{name}",
            )
        )
    if stale:
        print(f"{tool}: {', '.join(stale)} stale; run `{fix}` and commit", file=sys.stderr)
        return 1
    print(f"{tool}: {shown_as} matches {source}")
    return 0
