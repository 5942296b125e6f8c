"""`nir draw FILE -o OUT`: a picture of the network with Graphviz."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from nir.dot import to_dot
from nir.store import load, read_json
from nir.store.atomic import atomic_path

EXAMPLES = """examples:
  nir draw model.nir -o model.svg
  nir draw model.nir -o model.png
  nir draw model.nir -o model.dot     # DOT source; needs no Graphviz

SVG and PNG need Graphviz's `dot` program (Debian/Ubuntu: apt-get install graphviz)."""


def add_parser(commands: argparse._SubParsersAction, parents: list[argparse.ArgumentParser], line: str) -> None:
    """Register the `draw` command."""
    parser = commands.add_parser(
        "draw",
        help=line,
        description="Draw a NIR graph: nodes with name, type and shape; nested graphs as boxes; "
        "recurrent edges dashed.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=parents,
    )
    parser.add_argument("file", metavar="FILE")
    parser.add_argument("-o", "--output", required=True, metavar="OUT", help="OUT.svg, OUT.png or OUT.dot")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Render one file."""
    source, target = Path(args.file), Path(args.output)
    kind = target.suffix.lower().lstrip(".")
    if kind not in ("svg", "png", "dot"):
        print(f"nir draw: {target}: use a .svg, .png or .dot output", file=sys.stderr)
        return 2
    dot = shutil.which("dot")
    if kind != "dot" and dot is None:
        print("nir draw: Graphviz's `dot` program is not installed (Debian/Ubuntu: apt-get install graphviz); "
              "or write DOT source with -o OUT.dot", file=sys.stderr)  # fmt: skip
        return 2
    graph = read_json(source, warn_findings=False) if source.suffix.lower() == ".json" else load(source, lazy=True)[0]
    text = to_dot(graph, title=source.stem)
    with atomic_path(target) as tmp:
        if kind == "dot":
            tmp.write_text(text, "utf-8")
        else:
            done = subprocess.run(
                [dot, f"-T{kind}", "-o", str(tmp)], input=text.encode(), capture_output=True, timeout=120
            )
            if done.returncode != 0:
                raise RuntimeError(f"dot failed: {done.stderr.decode(errors='replace').strip()}")
    print(target)
    return 0
