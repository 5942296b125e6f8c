"""The `nir` command line tool."""

from __future__ import annotations

import argparse
import sys

import nir


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `nir` command."""
    parser = argparse.ArgumentParser(prog="nir", description="Validate, inspect and convert NIR files.")
    parser.add_argument("--version", action="version", version=f"nir {nir.__version__} (spec {nir.SPEC_VERSION})")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the `nir` command; returns the exit code."""
    parser = build_parser()
    parser.parse_args(argv)
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
