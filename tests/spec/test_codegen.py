"""The code generator: committed models match the schema, output is deterministic, the generator is pinned."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

import nir
from nir import spec
from nir._generated import models
from nir.graph import GraphBase
from nir.node import NIRNode

ROOT = Path(__file__).resolve().parents[2]
CODEGEN = ROOT / "codegen" / "generate.py"
GENERATED = ROOT / "src" / "nir" / "_generated"


@pytest.fixture(scope="module")
def generator():
    """codegen/generate.py imported as a module (it is a script, not part of the package)."""
    module_spec = importlib.util.spec_from_file_location("nir_codegen_generate", CODEGEN)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


def _pinned_in_pyproject(package: str) -> str:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    for requirement in pyproject["project"]["optional-dependencies"]["dev"]:
        name, sep, pin = requirement.partition("==")
        if name.strip().lower() == package:
            assert sep, f"{package} must be pinned with == in the dev extra, not {requirement!r}"
            return pin.strip()
    raise AssertionError(f"{package} is not in the dev extra of pyproject.toml")


def test_check_passes_on_the_committed_tree():
    result = subprocess.run(
        [sys.executable, str(CODEGEN), "--check"], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "matches schema/1.0" in result.stdout


@pytest.fixture(scope="module")
def generated_twice(generator, tmp_path_factory):
    """Two independent runs of the generator, each into its own temporary folder."""
    runs = tmp_path_factory.mktemp("codegen")
    first, second = runs / "first", runs / "second"
    generator.generate(first)
    generator.generate(second)
    return first, second


def test_generation_is_deterministic(generated_twice):
    first, second = generated_twice
    names = sorted(p.name for p in first.iterdir())
    assert names == ["__init__.py", "models.py"]
    assert names == sorted(p.name for p in second.iterdir())
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
        assert (first / name).read_bytes() == (GENERATED / name).read_bytes(), f"committed {name} is stale"


def test_check_detects_a_stale_tree(generator, generated_twice, tmp_path, monkeypatch, capsys):
    stale = tmp_path / "_generated"
    shutil.copytree(generated_twice[0], stale)
    models_py = stale / "models.py"
    models_py.write_text(models_py.read_text("utf-8").replace("Membrane time constant", "Time constant"), "utf-8")
    monkeypatch.setattr(generator, "OUT_DIR", stale)
    assert generator.check() == 1
    assert "+    Membrane time constant" in capsys.readouterr().out


def test_generator_version_is_pinned_consistently():
    pin = (ROOT / "codegen" / "GENERATOR_VERSION").read_text("utf-8").strip()
    assert re.fullmatch(r"\d+\.\d+\.\d+", pin)
    assert pin == _pinned_in_pyproject("datamodel-code-generator")
    assert version("datamodel-code-generator") == pin, "the installed generator is not the pinned one"


@pytest.mark.parametrize("name", ["models.py", "__init__.py"])
def test_generated_code_has_no_timestamp(name):
    text = (GENERATED / name).read_text("utf-8")
    assert text.startswith("# Generated from schema/1.0 by codegen/generate.py; do not edit.\n")
    assert "timestamp" not in text.lower()
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", text), "a date in generated code breaks reproducibility"
    assert not re.search(r"\b\d\d:\d\d:\d\d\b", text)
    assert "/tmp" not in text and str(ROOT) not in text, "generated code names a local path"


@pytest.mark.parametrize("name", sorted(spec.units()))
def test_generated_models_inherit_the_hand_written_base(name):
    cls = getattr(models, name)
    assert issubclass(cls, NIRNode)
    assert cls is getattr(nir, name)
    if name == "NIRGraph":
        assert issubclass(cls, GraphBase)
    else:
        assert not issubclass(cls, GraphBase)
    # behaviour comes from the base classes, not from edits to the generated module
    for attr in ("__init__", "equals", "to_dict", "from_dict", "input_type", "output_type"):
        assert attr not in vars(cls), f"{name}.{attr} is defined in generated code"


def test_generated_module_defines_only_schema_classes():
    defined = {n for n, obj in vars(models).items() if isinstance(obj, type) and obj.__module__ == models.__name__}
    assert defined == set(spec.units()) | {"NIRDocument"}


@pytest.mark.parametrize("name", sorted(spec.units()))
def test_generated_fields_are_the_schema_properties(name):
    schema = spec.bundled()["$defs"][name]
    cls = getattr(models, name)
    fields = [info.alias or field for field, info in cls.model_fields.items()]
    assert fields == list(schema["properties"])
    required = {info.alias or field for field, info in cls.model_fields.items() if info.is_required()}
    assert required == set(schema["required"])
    assert cls.model_config.get("extra") == "forbid"
