"""`nir schema`: write the spec's schema files, or one bundled schema."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from nir.spec import SPEC_VERSION, bundled, schema_files, spec_versions

EXAMPLES = """examples:
  nir schema --bundle > nir-1.0.schema.json
  nir schema -o spec/               # every schema file, folders kept
  nir schema --bundle -o spec/      # spec/nir-1.0.schema.json"""


def add_parser(commands: argparse._SubParsersAction, parents: list[argparse.ArgumentParser], line: str) -> None:
    """Register the `schema` command."""
    parser = commands.add_parser(
        "schema",
        help=line,
        description="Write the NIR spec's JSON Schema files (draft 2020-12), or one schema with every $ref inside it.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=parents,
    )
    parser.add_argument("--version", default=SPEC_VERSION, help=f"spec version (default {SPEC_VERSION})")
    parser.add_argument("--bundle", action="store_true", help="one self-contained schema")
    parser.add_argument("-o", "--output", metavar="DIR", help="folder to write into (default: print)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print or write the schema."""
    if args.version not in spec_versions():
        print(
            f"nir schema: unknown spec version {args.version!r}; known: {', '.join(spec_versions())}", file=sys.stderr
        )
        return 2
    if args.bundle:
        text = json.dumps(bundled(args.version), indent=2) + "\n"
        if args.output is None:
            sys.stdout.write(text)
            return 0
        target = Path(args.output) / f"nir-{args.version}.schema.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, "utf-8")
        print(target)
        return 0
    files = schema_files(args.version)
    if args.output is None:
        for path, schema in files.items():
            print(f"{path}\t{schema['$id']}")
        print("(use -o DIR to write these files, or --bundle for one schema)", file=sys.stderr)
        return 0
    root = Path(args.output)
    for path, schema in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(f"wrote {len(files)} schema files to {root}")
    return 0
