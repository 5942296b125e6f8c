"""Every module imports first in a fresh interpreter, and `import nir` loads none of the heavy layers."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import nir

SRC = Path(nir.__path__[0])
MODULES = sorted(
    ["nir", *(m.name for m in pkgutil.walk_packages([str(SRC)], prefix="nir.") if "__main__" not in m.name)]
)

# Each module is imported in a child forked from an interpreter that has imported no module
# of the package (only the third-party libraries, to keep the test fast): a cycle that
# works only when another module happens to be imported first fails here.
_DRIVER = r"""
import json, os, sys, traceback
import numpy, pydantic, h5py
failed = {}
for name in json.loads(sys.argv[1]):
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            __import__(name)
            os._exit(0)
        except BaseException:
            os.write(write, traceback.format_exc().encode())
            os._exit(1)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        message = pipe.read().decode()
    _, status = os.waitpid(pid, 0)
    if status:
        failed[name] = message or f"exit status {status}"
print(json.dumps(failed))
"""


def test_the_walk_finds_every_layer() -> None:
    assert {"nir.store.h5parse.reader", "nir.cli.validate", "nir._generated.models", "nir.shapes.rules"} <= set(MODULES)


def test_every_module_imports_first_in_a_fresh_interpreter() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _DRIVER, json.dumps(MODULES)], capture_output=True, text=True, check=True
    )
    failed = json.loads(out.stdout)
    assert failed == {}, "\n".join(f"{name}:\n{message}" for name, message in failed.items())


def _loaded_after(code: str) -> set[str]:
    """The modules an interpreter holds after running `code`."""
    script = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.splitlines()[-1]))


@pytest.mark.parametrize("heavy", ["pydantic", "h5py", "numpy", "nir._generated.models", "importlib.metadata"])
def test_import_nir_loads_only_the_errors(heavy: str) -> None:
    assert heavy not in _loaded_after("import nir")


def test_names_load_on_first_use() -> None:
    loaded = _loaded_after("import nir\nnir.LIF\nnir.read")
    assert {"nir._generated.models", "nir.store"} <= loaded


def test_star_import_and_dir_list_every_public_name() -> None:
    from nir import ir

    names = set(nir.__all__)
    assert set(ir.__all__) <= names
    assert {"read", "write", "validate", "Report", "SPEC_VERSION", "NIRError"} <= names
    assert names <= set(dir(nir))
    namespace: dict[str, object] = {}
    exec("from nir import *", namespace)
    assert names <= set(namespace)
    assert namespace["LIF"] is ir.LIF


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'NoSuchUnit'"):
        nir.NoSuchUnit  # noqa: B018


def test_version_is_the_installed_distributions() -> None:
    from importlib.metadata import version

    assert nir.__version__ == version("nir")


CORPUS_FILE = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "lif_norse.nir"


@pytest.mark.parametrize("heavy", ["pydantic", "nir._generated.models", "nir.node"])
def test_validating_a_file_builds_no_models(heavy: str) -> None:
    loaded = _loaded_after(
        f"from nir.cli import main\nassert main(['validate', '--no-isolate', {str(CORPUS_FILE)!r}]) == 0"
    )
    assert "nir.plain" in loaded
    assert heavy not in loaded


def test_a_command_imports_only_its_own_module() -> None:
    loaded = _loaded_after(f"from nir.cli import main\nmain(['validate', '--no-isolate', {str(CORPUS_FILE)!r}])")
    assert "nir.cli.validate" in loaded
    assert not {"nir.cli.convert", "nir.cli.draw", "nir.cli.info", "nir.cli.schema"} & loaded


@pytest.mark.parametrize("name", ["spec", "store", "findings", "ir", "cli"])
def test_submodules_are_attributes_after_import_nir(name: str) -> None:
    assert f"nir.{name}" in _loaded_after(f"import nir\nassert nir.{name}.__name__ == 'nir.{name}'")


def test_the_reference_modules_are_registered_after_import_nir_but_load_on_use() -> None:
    # The reference's own tests read sys.modules["nir.ir"] right after `import nir`.
    code = "import nir, sys, inspect\nassert 'nir._generated.models' not in sys.modules\n"
    code += "names = dict(inspect.getmembers(sys.modules['nir.ir']))\nassert names['LIF'] is nir.LIF"
    loaded = _loaded_after(code)
    assert {"nir.ir", "nir.serialization", "nir._generated.models"} <= loaded
