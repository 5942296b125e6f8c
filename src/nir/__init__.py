"""NIR, the Neuromorphic Intermediate Representation: schema-first models, store and checks.

`import nir` loads only the error classes: everything else is imported when first used
(PEP 562), so that a tool that only reads or validates files never pays for the node
models (pydantic) or libhdf5. `from nir import LIF`, `nir.read(...)` and `from nir import *`
work as with eager imports.
"""

# The error classes and the TYPE_CHECKING imports are the package's names: re-exported, not used here.
# ruff: noqa: F401

from __future__ import annotations

import importlib
import importlib.util
import sys
from typing import TYPE_CHECKING, Any

from nir.errors import (
    AbstractNodeError,
    NIRArgumentError,
    NIRDictError,
    NIRError,
    NIRFormatError,
    NIRValidationError,
    NIRWarning,
    NIRWriteError,
    ShapeError,
    UnsupportedVersionError,
)

if TYPE_CHECKING:
    from nir import ir, serialization, typing
    from nir.findings import Finding, Report
    from nir.ir import *  # noqa: F403
    from nir.spec import SPEC_VERSION
    from nir.store import from_json, read, read_json, read_version, to_json, write, write_json
    from nir.validation import validate

    __version__: str
    version: str

_HOMES = {
    "SPEC_VERSION": "nir.spec.version",
    "Finding": "nir.findings",
    "Report": "nir.findings",
    "from_json": "nir.store",
    "read": "nir.store",
    "read_json": "nir.store",
    "read_version": "nir.store",
    "to_json": "nir.store",
    "write": "nir.store",
    "write_json": "nir.store",
    "validate": "nir.validation",
}
"""Where each name the package exposes lives (the node classes live in `nir.ir`)."""
_SUBMODULES = ("ir", "serialization", "typing")

_OWN = [
    "SPEC_VERSION",
    "AbstractNodeError",
    "Finding",
    "NIRArgumentError",
    "NIRDictError",
    "NIRError",
    "NIRFormatError",
    "NIRValidationError",
    "NIRWarning",
    "NIRWriteError",
    "Report",
    "ShapeError",
    "UnsupportedVersionError",
    *_SUBMODULES,
    "validate",
    "read",
    "write",
    "read_version",
    "to_json",
    "from_json",
    "read_json",
    "write_json",
]


def __getattr__(name: str) -> Any:
    """Import a name of the package on first use, and keep it as a module attribute."""
    if name in _HOMES:
        value = getattr(importlib.import_module(_HOMES[name]), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"nir.{name}")
    elif name == "__all__":
        value = [*importlib.import_module("nir.ir").__all__, *_OWN]
    elif name in ("__version__", "version"):
        value = _installed_version()
    elif importlib.util.find_spec(f"nir.{name}") is not None:
        value = importlib.import_module(f"nir.{name}")  # a submodule, as `import nir.spec` would give it
    else:
        ir = importlib.import_module("nir.ir")
        if name not in ir.__all__:
            raise AttributeError(f"module 'nir' has no attribute {name!r}")
        value = getattr(ir, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The package's names, loaded or not."""
    return sorted({*(n for n in globals() if n.startswith("__")), *__getattr__("__all__"), "__version__", "version"})


def _installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nir")
    except PackageNotFoundError:  # running from a source tree without installation
        return "0+unknown"


def _register_lazily(name: str) -> None:
    """Put a submodule in sys.modules and on the package now, to be executed on its first attribute access.

    Code written for the reference looks its modules up after `import nir` (the reference's own
    tests read `sys.modules["nir.ir"]`); the standard library's LazyLoader keeps that true
    without loading the models until a name of the module is asked for.
    """
    spec = importlib.util.find_spec(f"nir.{name}")
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    globals()[name] = module


for _name in ("ir", "serialization"):
    _register_lazily(_name)
