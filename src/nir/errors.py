"""Exceptions raised by the package. All derive from NIRError, itself a ValueError."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nir.validation.report import Report


class NIRError(ValueError):
    """Base class of every error this package raises on bad input."""


class ShapeError(NIRError):
    """A tensor or port shape breaks a unit's shape rules; `code` is the finding code."""

    def __init__(self, message: str, code: str = "shape-mismatch") -> None:
        super().__init__(message)
        self.code = code


class NIRValidationError(NIRError):
    """A graph has error findings; `report` holds all of them."""

    def __init__(self, report: Report, context: str = "graph is invalid") -> None:
        self.report = report
        errors = report.errors
        lines = [f"{context}: {len(errors)} error{'s' if len(errors) != 1 else ''}"]
        lines += [f"  {f.path or '/'}: {f.message} [{f.code}]" for f in errors]
        super().__init__("\n".join(lines))


class NIRFormatError(NIRError):
    """A file or document cannot be read as NIR (corrupt, wrong kind, missing parts)."""


class UnsupportedVersionError(NIRFormatError):
    """A file was written with a spec version this package cannot read."""
