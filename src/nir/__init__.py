"""NIR, the Neuromorphic Intermediate Representation: schema-first models, store and checks."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

from nir import ir, serialization, typing
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
from nir.findings import Finding, Report
from nir.ir import *  # noqa: F403
from nir.ir import __all__ as _ir_all
from nir.spec import SPEC_VERSION
from nir.store import from_json, read, read_json, read_version, to_json, write, write_json
from nir.validation import validate

try:
    __version__ = version = _version("nir")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = version = "0+unknown"

__all__ = [
    *_ir_all,
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
    "ir",
    "serialization",
    "typing",
    "validate",
    "read",
    "write",
    "read_version",
    "to_json",
    "from_json",
    "read_json",
    "write_json",
]
