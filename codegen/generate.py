"""Generate `src/nir/_generated/` from `schema/<version>/` with datamodel-code-generator.

python codegen/generate.py          # write the generated package
python codegen/generate.py --check  # exit 1, printing a diff, if the committed package is stale
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "src" / "nir" / "_generated"
PINNED_GENERATOR = (ROOT / "codegen" / "GENERATOR_VERSION").read_text().strip()

# Python names that differ from the spec's: the reference API passes Input/Output shapes
# as `input_type` / `output_type`, and on nodes `input_type` is the port-shape property,
# so Flatten's stored `input_type` field is `input_shape` in Python (as on Conv).
ALIASES = {
    "Input.shape": ["shape", "input_type"],
    "Output.shape": ["shape", "output_type"],
    "Flatten.input_type": "input_shape",
}
BASE_CLASSES = {"NIRGraph": "nir.graph.GraphBase", "NIRDocument": "pydantic.BaseModel"}
OPTIONS = [
    "--input-file-type", "jsonschema",
    "--output-model-type", "pydantic_v2.BaseModel",
    "--target-python-version", "3.11",
    "--disable-timestamp",
    "--use-annotated",
    "--use-standard-collections",
    "--use-union-operator",
    "--collapse-root-models",
    "--use-type-alias",
    "--keep-model-order",
    "--use-schema-description",
    "--use-field-description",
    "--formatters", "ruff-format",
    "--base-class", "nir.node.NIRNode",
    "--base-class-map", json.dumps(BASE_CLASSES),
    "--aliases", json.dumps(ALIASES),
]  # fmt: skip


def _load_spec_module(name: str) -> ModuleType:
    """Import a stdlib-only module of `nir.spec` by path: importing `nir` would import the code being regenerated."""
    path = ROOT / "src" / "nir" / "spec" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_nir_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SPEC_VERSION = _load_spec_module("version").SPEC_VERSION
PYTHON_TYPES = {name: f"nir.annotations.{target}" for name, target in _load_spec_module("binding").PYTHON_TYPES.items()}
SCHEMA_DIR = ROOT / "schema" / SPEC_VERSION
HEADER = f"# Generated from schema/{SPEC_VERSION} by codegen/generate.py; do not edit.\n"


def _python_view(bundle: dict) -> dict:
    """Point the mapped shared types at their Python classes and drop what only they used."""
    defs = bundle["$defs"]
    # The node-name rule is applied by nir.names, which reads it from the schema and reports a
    # broken name rather than refusing it (the reference builds such graphs); a key constraint in
    # the models would be a second copy of the rule.
    defs["NIRGraph"]["properties"]["nodes"].pop("propertyNames")
    for name, target in PYTHON_TYPES.items():
        if name in defs:
            defs[name] = {"customTypePath": target, "description": defs[name].get("description", "")}
    for unit in defs.values():  # fields of a plain JSON type the binding holds in its own way (`integer`)
        for prop in unit.get("properties", {}).values() if "x-nir-kind" in unit else ():
            if prop.get("type") in PYTHON_TYPES:
                prop["customTypePath"] = PYTHON_TYPES[prop.pop("type")]
    reachable: set[str] = set()
    stack = [bundle]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                name = ref.removeprefix("#/$defs/")
                if name not in reachable:
                    reachable.add(name)
                    stack.append(defs[name])
            stack.extend(v for k, v in node.items() if k != "$defs")
        elif isinstance(node, list):
            stack.extend(node)
    bundle["$defs"] = {k: v for k, v in defs.items() if k in reachable}
    return bundle


def generate(out_dir: Path) -> None:
    """Write the generated package into `out_dir`."""
    installed = version("datamodel-code-generator")
    if installed != PINNED_GENERATOR:
        sys.exit(f"codegen: datamodel-code-generator {PINNED_GENERATOR} is pinned, {installed} is installed")
    view = _python_view(_load_spec_module("bundle").bundle(SCHEMA_DIR))
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "nir-spec.json"
        source.write_text(json.dumps(view, indent=2))
        target = Path(tmp) / "models.py"
        cmd = [
            sys.executable,
            "-m",
            "datamodel_code_generator",
            "--input",
            str(source),
            "--output",
            str(target),
            *OPTIONS,
        ]
        subprocess.run(cmd, check=True, cwd=tmp)
        body = target.read_text().split("\n", 3)[3]  # drop the generator's own header (it names a temp path)
        (out_dir / "models.py").write_text(HEADER + body)
    (out_dir / "__init__.py").write_text(HEADER + '"""Pydantic models generated from the NIR schema."""\n')


def check() -> int:
    """Regenerate into a temporary folder and compare with the committed package."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "_generated"
        generate(fresh)
        generated = {p.name: p.read_text("utf-8") for p in sorted(fresh.glob("*.py"))}
    return _load_spec_module("drift").check(
        generated,
        OUT_DIR,
        tool="codegen-check",
        shown_as="src/nir/_generated",
        source=f"schema/{SPEC_VERSION}",
        fix="make codegen",
        owned="*.py",
    )


def main() -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail if the committed code is stale")
    args = parser.parse_args()
    if args.check:
        return check()
    if OUT_DIR.exists():
        shutil.rmtree(OUT_DIR)
    generate(OUT_DIR)
    print(f"codegen: wrote {OUT_DIR.relative_to(ROOT)} from schema/{SPEC_VERSION}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
