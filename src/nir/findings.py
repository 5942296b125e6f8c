"""Findings and the report that collects them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from nir.spec import finding_codes

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITIES = (ERROR, WARNING, INFO)

CODES: dict[str, tuple[str, str]] = finding_codes()
"""Every finding code: its default severity and what it means (src/nir/spec/findings.json). Codes are stable."""


@dataclass(frozen=True)
class Finding:
    """One problem (or remark) about a graph, located by a JSON-pointer-like path."""

    severity: str
    code: str
    path: str
    message: str
    hint: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The finding as a JSON-ready dictionary."""
        return asdict(self)

    def __str__(self) -> str:
        text = f"{self.severity}: {self.path or '/'}: {self.message} [{self.code}]"
        return text + (f"\n    hint: {self.hint}" if self.hint else "")


@dataclass
class Report:
    """The findings of one validation run; `ok` when none is an error.

    A report of a graph read from a file also holds what the read found (`read`: a migration,
    a node left out) and which nodes it left out (`dropped`, per graph); every later check of
    that graph starts from them (`carried`).
    """

    findings: list[Finding] = field(default_factory=list)
    source: str | None = None
    read: tuple[Finding, ...] = ()
    """The findings of the read that built the graph."""
    dropped: dict[tuple[str, ...], dict[str, str | None]] = field(default_factory=dict)
    """Nodes the read left out, by the key of their graph (`()` for the root): name -> declared type."""

    def carried(self) -> Report:
        """A new report for another check of the same graph: its read's findings, and the nodes it left out."""
        return Report(findings=list(self.read), source=self.source, read=self.read, dropped=self.dropped)

    def add(self, code: str, path: str, message: str, hint: str | None = None, severity: str | None = None) -> Finding:
        """Record a finding; its severity defaults to the code's."""
        finding = Finding(severity or CODES[code][0], code, path, message, hint)
        self.findings.append(finding)
        return finding

    def extend(self, other: Report) -> None:
        """Append another report's findings."""
        self.findings.extend(other.findings)

    @property
    def errors(self) -> list[Finding]:
        """Findings of severity error."""
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        """Findings of severity warning."""
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors

    def codes(self) -> list[str]:
        """The codes of all findings, in order."""
        return [f.code for f in self.findings]

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)

    def __str__(self) -> str:
        head = f"{self.source}: " if self.source else ""
        if not self.findings:
            return head + "OK"
        counts = f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)"
        return "\n".join(
            [head + ("OK, " if self.ok else "INVALID, ") + counts, *("  " + str(f) for f in self.findings)]
        )

    def to_dict(self) -> dict[str, Any]:
        """The report as a JSON-ready dictionary."""
        return {
            "source": self.source,
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "findings": [f.to_dict() for f in self.findings],
        }
