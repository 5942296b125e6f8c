"""Run the examples of the hand-written documentation pages and compare their output.

python docs/check_examples.py            # every page under docs/ except docs/reference/
python docs/check_examples.py cli.md     # some pages

In each page, in order:

- a ```python block is executed (the blocks of one page share one namespace); when the
  next block, with only blank lines between, is a ```text or ```json block, the printed
  output must equal it;
- in a ```console block, each `$ command` line is run with bash (stdout and stderr
  together) and must print the lines that follow it, up to the next `$` line;
  `echo $?` prints the exit code of the command before it.

A block preceded by the line `<!-- docs-check: skip -->` is neither run nor compared.
Each page runs in a fresh folder that holds the bundled examples (`examples/`), the NIR
paper's files from ../shared/corpus (flat and as `corpus/`) and a few files made here
(`broken.nir`, `notnir.nir`, `future.nir`, `big.nir`), with the `nir` of this tree's
.venv first on PATH. Exit code 1 and a diff for every difference.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import types
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CORPUS = ROOT.parent / "shared" / "corpus"
SKIP = "<!-- docs-check: skip -->"
FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[\w-]*)[ \t]*$")
OUTPUT_LANGS = ("text", "json")


@dataclass
class Block:
    """One fenced code block of a page."""

    lang: str
    lines: list[str]
    start: int  # line number of the opening fence (1-based)
    end: int  # line number of the closing fence
    skip: bool

    @property
    def text(self) -> str:
        """The block's content."""
        return "\n".join(self.lines)


def parse(text: str) -> list[Block]:
    """The fenced code blocks of a Markdown page, in order."""
    lines = text.splitlines()
    found: list[Block] = []
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening or not opening["lang"]:
            i += 1
            continue
        indent = opening["indent"]
        previous = next((line.strip() for line in reversed(lines[:i]) if line.strip()), "")
        body: list[str] = []
        j = i + 1
        while j < len(lines) and lines[j].rstrip() != f"{indent}```":
            body.append(lines[j][len(indent) :] if lines[j].startswith(indent) else lines[j].lstrip())
            j += 1
        found.append(Block(opening["lang"], body, i + 1, j + 1, previous == SKIP))
        i = j + 1
    return found


def normal(text: str) -> list[str]:
    """Lines without trailing spaces, without trailing blank lines."""
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def adjacent(page: list[str], first: Block, second: Block) -> bool:
    """Whether only blank lines separate two blocks."""
    return all(not line.strip() for line in page[first.end : second.start - 1])


def make_fixtures(folder: Path) -> None:
    """The files the examples read."""
    shutil.copytree(ROOT / "examples", folder / "examples")
    shutil.copy(ROOT / "examples" / "broken.nir", folder / "broken.nir")
    if CORPUS.is_dir():
        shutil.copytree(CORPUS, folder / "corpus", ignore=shutil.ignore_patterns("*.csv", "*.md"))
        for path in (folder / "corpus").iterdir():
            shutil.copy(path, folder / path.name)
    (folder / "notnir.nir").write_text("hello\n")
    script = (
        "import h5py, numpy as np, nir\n"
        "with h5py.File('future.nir', 'w') as f:\n"
        "    f['version'] = '2.0.0'\n"
        "    f.create_group('node')\n"
        "w = np.random.default_rng(0).normal(size=(2048, 1024)).astype(np.float32)\n"
        "nir.write('big.nir', nir.NIRGraph.from_list(nir.Linear(weight=w)))\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=folder, check=True)


def run_python(code: str, namespace: dict, folder: Path) -> tuple[str, str | None]:
    """Execute a block in `folder`; its printed output, and an error if it raised."""
    out = io.StringIO()
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, "<docs>", "exec"), namespace)
    except Exception as err:  # report, keep going
        return out.getvalue(), f"{type(err).__name__}: {err}"
    finally:
        os.chdir(cwd)
    return out.getvalue(), None


def run_console(block: Block, folder: Path) -> list[tuple[str, list[str], list[str]]]:
    """Run each `$ command`; (command, expected lines, actual lines) for each."""
    env = dict(os.environ)
    env["PATH"] = f"{ROOT / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env.update({"COLUMNS": "80", "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"})
    results = []
    command: str | None = None
    expected: list[str] = []
    commands: list[tuple[str, list[str]]] = []
    for line in block.lines:
        if line.startswith("$ "):
            if command is not None:
                commands.append((command, expected))
            command, expected = line[2:], []
        elif command is not None:
            expected.append(line)
    if command is not None:
        commands.append((command, expected))
    status = 0
    for command, expected in commands:
        if command.strip() == "echo $?":
            actual = [str(status)]
        else:
            done = subprocess.run(
                ["bash", "-c", command], cwd=folder, env=env, capture_output=False, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, text=True, timeout=300,
            )  # fmt: skip
            status = done.returncode
            actual = normal(done.stdout)
        results.append((command, normal("\n".join(expected)), actual))
    return results


def check_page(path: Path, base: Path) -> list[str]:
    """Run one page's examples in a fresh copy of the fixtures; the differences found."""
    folder = Path(tempfile.mkdtemp(dir=base))
    shutil.copytree(base / "fixtures", folder, dirs_exist_ok=True)
    text = path.read_text("utf-8")
    page = text.splitlines()
    blocks = parse(text)
    module = types.ModuleType("__docs__")  # a real module, so that dataclasses and pickling work
    sys.modules[module.__name__] = module
    namespace = module.__dict__
    problems = []
    name = path.relative_to(DOCS).as_posix()
    for index, block in enumerate(blocks):
        if block.skip:
            continue
        if block.lang == "python":
            output, error = run_python(block.text, namespace, folder)
            where = f"{name}:{block.start}"
            if error:
                problems.append(f"{where}: the example raised {error}")
                continue
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            if following and following.lang in OUTPUT_LANGS and not following.skip and adjacent(page, block, following):
                if normal(output) != normal(following.text):
                    diff = difflib.unified_diff(
                        normal(following.text), normal(output), "documented", "actual", lineterm=""
                    )
                    problems.append(f"{where}: output differs\n" + "\n".join(diff))
        elif block.lang == "console":
            for command, expected, actual in run_console(block, folder):
                if expected != actual:
                    diff = difflib.unified_diff(expected, actual, "documented", "actual", lineterm="")
                    problems.append(f"{name}:{block.start}: `{command}` differs\n" + "\n".join(diff))
    return problems


def main() -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pages", nargs="*", help="pages relative to docs/ (default: all hand-written pages)")
    args = parser.parse_args()
    if args.pages:
        pages = [DOCS / p for p in args.pages]
    else:
        pages = sorted(p for p in DOCS.rglob("*.md") if "reference" not in p.relative_to(DOCS).parts)
    if not CORPUS.is_dir():
        print(f"check_examples: {CORPUS} is missing; examples that read the NIR paper's files will fail")
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        (base / "fixtures").mkdir()
        make_fixtures(base / "fixtures")
        for path in pages:
            found = check_page(path, base)
            problems += found
            print(f"check_examples: {path.relative_to(DOCS).as_posix()}: {'ok' if not found else 'DIFFERS'}")
    for problem in problems:
        print(f"\n{problem}")
    if problems:
        print(f"\ncheck_examples: {len(problems)} example(s) differ from what the code does", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
