"""The built distribution: a wheel with the schema, the typing marker, the console script and the right metadata."""

from __future__ import annotations

import configparser
import re
import subprocess
import sys
import zipfile
from email.parser import HeaderParser
from importlib.metadata import version
from pathlib import Path

import pytest

import nir

ROOT = Path(__file__).resolve().parents[2]
RUNTIME_DEPENDENCIES = {"numpy", "h5py", "pydantic", "jsonschema"}

try:
    from packaging.requirements import Requirement
    from packaging.version import Version
except ImportError:  # packaging is not a declared dependency: fall back to simple parsing
    Requirement = Version = None


def _version_key(text: str) -> tuple:
    """A comparable key for versions like 1.1.0, 1.1.0.dev0, 1.1.0rc1 when `packaging` is absent."""
    match = re.fullmatch(r"(\d+(?:\.\d+)*)(?:\.?(dev|a|b|rc)(\d+))?(?:\.post\d+)?(?:\+.*)?", text)
    assert match, f"unparseable version {text!r}"
    release = tuple(int(x) for x in match.group(1).split("."))
    release += (0,) * (3 - len(release))
    phase = {"dev": 0, "a": 1, "b": 2, "rc": 3, None: 4}[match.group(2)]
    return (release, phase, int(match.group(3) or 0))


def at_least(found: str, minimum: str) -> bool:
    if Version is not None:
        return Version(found) >= Version(minimum)
    return _version_key(found) >= _version_key(minimum)


def requirement_name(line: str) -> tuple[str, bool]:
    """(normalised name, whether the requirement belongs to an extra) of a Requires-Dist line."""
    if Requirement is not None:
        req = Requirement(line)
        return req.name.lower().replace("_", "-"), bool(req.marker and "extra" in str(req.marker))
    name = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line).group(0)
    return name.lower().replace("_", "-"), "extra ==" in line


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    """A wheel built from the repository with pip, as a user would build it."""
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (path,) = out.glob("nir-*.whl")
    with zipfile.ZipFile(path) as archive:
        yield archive


def _dist_info(wheel: zipfile.ZipFile, name: str) -> str:
    (path,) = [n for n in wheel.namelist() if re.fullmatch(rf"nir-[^/]+\.dist-info/{name}", n)]
    return wheel.read(path).decode("utf-8")


def test_wheel_contains_the_schema(wheel):
    names = set(wheel.namelist())
    assert "nir/schema/1.0/units/LIF.schema.json" in names
    repo = {p.relative_to(ROOT).as_posix() for p in (ROOT / "schema").rglob("*.schema.json")}
    shipped = {n.removeprefix("nir/") for n in names if n.startswith("nir/schema/")}
    assert shipped == repo
    lif = "schema/1.0/units/LIF.schema.json"
    assert wheel.read(f"nir/{lif}") == (ROOT / lif).read_bytes()


def test_wheel_contains_the_package_and_the_typing_marker(wheel):
    names = set(wheel.namelist())
    assert "nir/py.typed" in names
    assert "nir/__init__.py" in names
    assert "nir/_generated/models.py" in names
    assert not any(n.startswith(("tests/", "codegen/", "src/")) for n in names)


def test_wheel_declares_the_console_script(wheel):
    entry_points = configparser.ConfigParser()
    entry_points.read_string(_dist_info(wheel, "entry_points.txt"))
    assert entry_points["console_scripts"]["nir"].strip() == "nir.cli:main"


def test_wheel_metadata(wheel):
    metadata = HeaderParser().parsestr(_dist_info(wheel, "METADATA"))
    assert metadata["Name"] == "nir"
    assert at_least(metadata["Version"], "1.1.0.dev0")
    assert metadata["Version"] == version("nir")
    runtime = {name for name, extra in map(requirement_name, metadata.get_all("Requires-Dist")) if not extra}
    assert runtime == RUNTIME_DEPENDENCIES


def test_installed_distribution_metadata():
    assert at_least(version("nir"), "1.1.0.dev0")
    assert nir.__version__ == version("nir")
    assert not at_least("1.0.8", "1.1.0.dev0")  # the comparison itself distinguishes the reference release


def test_console_script_prints_the_version():
    script = Path(sys.executable).parent / "nir"
    if not script.exists():
        pytest.skip(f"no console script beside {sys.executable}")
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert version("nir") in result.stdout
    assert result.stdout.startswith("nir ")


def test_fallback_version_ordering():
    assert _version_key("1.1.0.dev0") > _version_key("1.0.8")
    assert _version_key("1.1.0.dev0") < _version_key("1.1.0rc1") < _version_key("1.1.0")
    assert _version_key("1.1") == _version_key("1.1.0")
    assert _version_key("1.10.0") > _version_key("1.9.0")
