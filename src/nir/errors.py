"""Exceptions and the warning the package raises. Every exception derives from NIRError, itself a ValueError.

Where the reference package 1.0.8 raises a builtin exception for the same mistake, ours also
derives from that builtin (TypeError for arguments of the wrong kind, AssertionError for a
dictionary of the wrong node type, AttributeError for instantiating the abstract NIRNode), so
that converter code catching the builtin keeps working.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nir.findings import Report


class NIRError(ValueError):
    """Base class of every error this package raises on bad input."""


class NIRArgumentError(NIRError, TypeError):
    """A node, graph or function got arguments of the wrong kind or number; `field` names the argument if one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NIRDictError(NIRArgumentError, AssertionError):
    """An unknown node type name, or a dictionary of another node type or without the entries its type needs."""


class AbstractNodeError(NIRError, AttributeError):
    """NIRNode itself was instantiated; only its subclasses (the node types) can be."""


class ShapeError(NIRError):
    """A tensor or port shape breaks a unit's shape rules; `code` is the finding code."""

    def __init__(self, message: str, code: str = "shape-mismatch") -> None:
        super().__init__(message)
        self.code = code


class NIRValidationError(NIRError):
    """A graph has error findings; `report` holds all of them.

    `headline`, when given, opens the message: the reference package's own wording of the
    problem (`type mismatch: ...`, `... does not exist`, `Duplicate edge: ...`).
    """

    def __init__(self, report: Report, context: str = "graph is invalid", headline: str | None = None) -> None:
        self.report = report
        errors = report.errors
        lines = [headline] if headline else []
        lines.append(f"{context}: {len(errors)} error{'s' if len(errors) != 1 else ''}")
        for f in errors:
            lines.append(f"  {f.path or '/'}: {f.message} [{f.code}]")
            if f.hint:
                lines.append(f"    hint: {f.hint}")
        super().__init__("\n".join(lines))


class NIRFormatError(NIRError):
    """A file or document cannot be read as NIR (corrupt, wrong kind, missing parts)."""


class NIRWriteError(NIRError, OSError):
    """A file could not be written (no such folder, no permission, a full disk); a file already there is kept."""


class UnsupportedVersionError(NIRFormatError):
    """A file was written with a spec version this package cannot read."""


class NIRWarning(UserWarning):
    """A graph was built, read or written with findings; `report` holds them (filter with `warnings`)."""

    def __init__(self, message: str, report: Report | None = None) -> None:
        super().__init__(message)
        self.report = report
