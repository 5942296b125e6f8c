"""`nir validate PATH...`: check files and folders, print findings, exit 0/1/2."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from nir.cli.isolate import validate_isolated
from nir.cli.style import Progress, Style, use_colour
from nir.findings import Report
from nir.validation import validate

EXAMPLES = """examples:
  nir validate model.nir
  nir validate exports/ --strict
  nir validate a.nir b.json --format json > report.json

exit codes: 0 all valid, 1 some file invalid, 2 a file unreadable or a usage error"""

SUFFIXES = (".nir", ".json")
UNREADABLE = ("unreadable", "unsupported-version")


def add_parser(commands: argparse._SubParsersAction, parents: list[argparse.ArgumentParser], line: str) -> None:
    """Register the `validate` command."""
    parser = commands.add_parser(
        "validate",
        help=line,
        description="Check NIR files (or every *.nir and *.json under folders) and report each problem.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=parents,
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (searched recursively)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    parser.add_argument("--strict", action="store_true", help="treat warnings as failures")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="colour the text output")
    parser.add_argument("--timeout", type=float, default=60, metavar="S", help="seconds per file (default 60)")
    parser.add_argument(
        "--max-memory", type=int, default=4096, metavar="MB", help="memory cap per file, in MB (default 4096)"
    )
    parser.add_argument(
        "--no-isolate",
        dest="isolate",
        action="store_false",
        help="validate in this process (no timeout or memory cap; for debugging)",
    )
    parser.set_defaults(run=run)


def expand(paths: list[str]) -> tuple[list[Path], list[str]]:
    """Files to check (folders expanded recursively) and the paths that matched nothing."""
    files: list[Path] = []
    empty: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file())
            if not found:
                empty.append(raw)
            files.extend(found)
        else:
            files.append(path)
    return files, empty


def verdict(report: Report, strict: bool) -> int:
    """0 valid, 1 invalid, 2 unreadable."""
    if any(f.code in UNREADABLE for f in report.errors):
        return 2
    if not report.ok or (strict and report.warnings):
        return 1
    return 0


def run(args: argparse.Namespace) -> int:
    """Validate every file; print the results; return the exit code."""
    files, empty = expand(args.paths)
    for raw in empty:
        print(f"nir validate: no *.nir or *.json files under {raw}", file=sys.stderr)
    style = Style(use_colour(sys.stdout, args.color))
    progress = Progress(len(files))
    results = []
    for path in files:
        report = validate_isolated(path, args.timeout, args.max_memory) if args.isolate else validate(path)
        results.append((report, verdict(report, args.strict)))
        progress.step(str(path))
    progress.close()
    code = max([c for _, c in results] + [2 if empty or not files else 0])
    if args.format == "json":
        summary = {
            "files": len(results),
            "valid": sum(c == 0 for _, c in results),
            "invalid": sum(c == 1 for _, c in results),
            "unreadable": sum(c == 2 for _, c in results),
            "strict": args.strict,
            "empty_folders": empty,
            "exit_code": code,
        }
        doc = {"summary": summary, "files": [dict(r.to_dict(), verdict=_WORDS[c]) for r, c in results]}
        print(json.dumps(doc, indent=2))
    else:
        for report, verdict_code in results:
            print(_text(report, verdict_code, style))
    return code


_WORDS = {0: "valid", 1: "invalid", 2: "unreadable"}
_SEVERITY_COLOURS = {"error": "red", "warning": "yellow", "info": "dim"}


def _text(report: Report, code: int, style: Style) -> str:
    errors, warnings = len(report.errors), len(report.warnings)
    if code == 0:
        head = style("OK", "green") + (f" ({warnings} warning{'s' * (warnings != 1)})" if warnings else "")
    elif code == 2:
        head = style("UNREADABLE", "red")
    else:
        head = (
            style("INVALID", "red")
            + f" ({errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)})"
        )
    lines = [f"{report.source}: {head}"]
    for f in report:
        severity = style(f"{f.severity:7s}", _SEVERITY_COLOURS[f.severity])
        lines.append(f"  {severity} {f.path or '/'}  {f.message}  [{f.code}]")
        if f.hint:
            lines.append(f"          hint: {f.hint}")
    return "\n".join(lines)
