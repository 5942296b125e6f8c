"""The `nir` command line tool: validate, info, schema, convert, draw."""

from __future__ import annotations

import argparse
import sys

import nir
from nir.cli import convert, draw, info, schema, validate
from nir.errors import NIRError

EXAMPLES = """examples:
  nir validate model.nir            check a file (or folders of them)
  nir info model.nir                what the file holds
  nir convert old.nir model.json    upgrade and convert
  nir draw model.nir -o model.svg   picture of the network
  nir schema --bundle               the spec as one JSON Schema

Run `nir COMMAND --help` for each command's options."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `nir` command."""
    parser = argparse.ArgumentParser(
        prog="nir",
        description="Validate, inspect, convert and draw NIR (Neuromorphic Intermediate Representation) files.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"nir {nir.__version__} (spec {nir.SPEC_VERSION})")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks on failure")
    # Every command also takes --debug after its name; SUPPRESS keeps the main flag's value.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show Python tracebacks")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    for module in (validate, info, schema, convert, draw):
        module.add_parser(commands, [common])
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the `nir` command; returns the exit code (0 ok, 1 invalid input, 2 unreadable or usage error)."""
    for stream in (sys.stdout, sys.stderr):
        # Names in files may hold text a terminal cannot encode: escape it, never fail on it.
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("nir: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except (NIRError, OSError, RuntimeError, ValueError, TypeError) as err:
        if args.debug:
            raise
        print(f"nir: {err}", file=sys.stderr)
        return 2
    except Exception as err:
        if args.debug:
            raise
        print(f"nir: unexpected error ({type(err).__name__}: {err}); rerun with --debug for details", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
