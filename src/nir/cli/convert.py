"""`nir convert IN OUT`: .nir <-> .json by extension, upgrading old files, written atomically."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from nir.findings import Report
from nir.store import load, read_json, write, write_json

EXAMPLES = """examples:
  nir convert old.nir model.json      # HDF5 to JSON (old layouts are upgraded)
  nir convert model.json model.nir    # JSON to HDF5
  nir convert old.nir old.nir --in-place

The output is written atomically; the input is never overwritten without --in-place,
and an existing output file only with --force."""

FORMATS = {".nir": "hdf5", ".h5": "hdf5", ".hdf5": "hdf5", ".json": "json"}


def add_parser(commands: argparse._SubParsersAction, parents: list[argparse.ArgumentParser], line: str) -> None:
    """Register the `convert` command."""
    parser = commands.add_parser(
        "convert",
        help=line,
        description="Convert a NIR file to the current spec, as HDF5 (.nir) or JSON (.json) by the output's extension.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=parents,
    )
    parser.add_argument("input", metavar="IN")
    parser.add_argument("output", metavar="OUT")
    parser.add_argument("--in-place", action="store_true", help="allow OUT to be IN")
    parser.add_argument("--force", action="store_true", help="overwrite an existing OUT")
    parser.add_argument("--allow-invalid", action="store_true", help="convert even if the graph has errors")
    parser.set_defaults(run=run)


def _format(path: Path) -> str | None:
    return FORMATS.get(path.suffix.lower())


def run(args: argparse.Namespace) -> int:
    """Convert one file."""
    source, target = Path(args.input), Path(args.output)
    for path in (source, target):
        if _format(path) is None:
            print(f"nir convert: {path}: unknown extension; use .nir or .json", file=sys.stderr)
            return 2
    same = target.exists() and source.exists() and os.path.samefile(source, target)
    if same and not args.in_place:
        print(f"nir convert: {target} is the input file; pass --in-place to overwrite it", file=sys.stderr)
        return 2
    if target.exists() and not same and not args.force:
        print(f"nir convert: {target} exists; pass --force to overwrite it", file=sys.stderr)
        return 2
    if _format(source) == "json":
        graph = read_json(source, warn_findings=False)
        report: Report = graph.report
    else:
        graph, report = load(source)
    if not report.ok and not args.allow_invalid:
        print(
            f"nir convert: {source} has {len(report.errors)} error(s); fix them or pass --allow-invalid",
            file=sys.stderr,
        )
        for finding in report.errors:
            print(f"  {finding}", file=sys.stderr)
        return 1
    if _format(target) == "json":
        write_json(target, graph, warn_findings=False)
    else:
        write(target, graph, warn_findings=False)
    print(f"{source} -> {target}")
    return 0
