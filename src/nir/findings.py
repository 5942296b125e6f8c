"""Findings and the report that collects them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITIES = (ERROR, WARNING, INFO)

CODES: dict[str, tuple[str, str]] = {
    "unreadable": (ERROR, "The file cannot be opened or is not a NIR file."),
    "unsupported-version": (ERROR, "The file's version is newer than this package understands, or not a version."),
    "invalid-node": (
        ERROR,
        "Part of a graph breaks its schema: a node's unknown type, a missing or ill-typed field, a shape rule, "
        "a bad node name, or malformed nodes, edges or metadata.",
    ),
    "broadcast-parameter": (
        WARNING,
        "A parameter's shape differs from the one its unit's schema gives but broadcasts to it (numpy's rules), "
        "e.g. a bias of shape (1,) for 3 outputs.",
    ),
    "unknown-field": (WARNING, "A node or graph holds an entry its type does not define; it was ignored."),
    "values-unchecked": (INFO, "A tensor left on disk by a lazy read is too large to have its values checked."),
    "empty-graph": (ERROR, "A graph has no nodes."),
    "unknown-node": (ERROR, "An edge names a node that does not exist."),
    "ambiguous-port": (ERROR, "An edge meets a nested graph that has several inputs or outputs without naming one."),
    "duplicate-edge": (ERROR, "The same edge is listed twice."),
    "shape-mismatch": (ERROR, "The shape leaving an edge's source differs from what its destination accepts."),
    "io-shape-mismatch": (ERROR, "An Input or Output declares a shape that differs from its neighbour's."),
    "batch-dimension": (
        WARNING,
        "An Input or Output shape differs from its neighbour's only by leading singleton dimensions.",
    ),
    "invalid-parameter": (
        ERROR,
        "Parameters contradict each other, e.g. groups that do not divide the channels "
        "or a kernel larger than the padded input.",
    ),
    "non-finite": (ERROR, "A parameter holds NaN or infinite values."),
    "out-of-range": (
        ERROR,
        "A parameter is outside its allowed range, e.g. a time constant that is not positive or a negative resistance.",
    ),
    "no-incoming-edge": (WARNING, "A node other than an Input receives no edge, so its input is undefined."),
    "output-unconnected": (ERROR, "An Output receives no edge."),
    "unreachable-node": (WARNING, "No path leads from an Input to the node."),
    "cycle-without-entry": (ERROR, "A cycle of nodes that no path from an Input enters."),
    "uninferred-shape": (WARNING, "The node's input or output shape cannot be determined."),
    "no-input-node": (WARNING, "A graph has no Input node."),
    "no-output-node": (WARNING, "A graph has no Output node."),
    "migrated": (INFO, "The file was written in an older layout and was upgraded on reading."),
}
"""Every finding code: its default severity and what it means. Codes are stable."""


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
