"""The `nir` command line tool: validate, info, schema, convert, draw."""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Any

from nir.errors import NIRError

EXAMPLES = """examples:
  nir validate model.nir            check a file (or folders of them)
  nir info model.nir                what the file holds
  nir convert old.nir model.json    upgrade and convert
  nir draw model.nir -o model.svg   picture of the network
  nir schema --bundle               the spec as one JSON Schema

Run `nir COMMAND --help` for each command's options."""


COMMANDS = {
    "validate": "check .nir and .json files against the spec",
    "info": "show what a NIR file holds",
    "schema": "write the spec as JSON Schema",
    "convert": "convert between .nir (HDF5) and .json, upgrading old files",
    "draw": "draw the network (SVG, PNG or DOT)",
}
"""Every command and its line in `nir --help`. Its module, `nir.cli.<command>`, is imported only to run
it (as pip loads its commands), so that `nir validate` does not pay for what `nir convert` needs."""


class _Version(argparse.Action):
    """`--version`: the installed package's version, looked up only when asked for."""

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        import nir

        print(f"nir {nir.__version__} (spec {nir.SPEC_VERSION})")
        parser.exit()


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser of the `nir` command, with the options of the command `argv` names (all, if None)."""
    parser = argparse.ArgumentParser(
        prog="nir",
        description="Validate, inspect, convert and draw NIR (Neuromorphic Intermediate Representation) files.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show program's version number and exit")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks on failure")
    # Every command also takes --debug after its name; SUPPRESS keeps the main flag's value.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show Python tracebacks")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    named = _command_named(argv)
    for name, line in COMMANDS.items():
        if argv is None or name == named:
            importlib.import_module(f"nir.cli.{name}").add_parser(commands, [common], line)
        else:
            commands.add_parser(name, help=line)  # listed; its options are read when it is the one run
    return parser


def _command_named(argv: list[str]) -> str | None:
    """The command an argument list runs: its first argument that is no option (options before it take no value)."""
    return next((a for a in argv if not a.startswith("-")), None)


def main(argv: list[str] | None = None) -> int:
    """Run the `nir` command; returns the exit code (0 ok, 1 invalid input, 2 unreadable or usage error)."""
    for stream in (sys.stdout, sys.stderr):
        # Names in files may hold text a terminal cannot encode: escape it, never fail on it.
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv)
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
