"""Drift findings: one difference between what the contract says and what the target sent.

The same difference seen in 500 responses is one finding with a count and one reproducing request.
"""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

from ..severity import DEFAULT_SEVERITY, Severity, SeverityPolicy

__all__ = ["DriftFinding", "DriftKind", "DriftLog", "Severity"]


class DriftKind(str, Enum):
    """What kind of difference a finding is."""

    MISSING_REQUIRED_FIELD = "missing required field"
    TYPE_CHANGED = "type changed"
    FORMAT_CHANGED = "format changed"
    NULLABILITY_CHANGED = "nullability changed"
    NEW_ENUM_VALUE = "new enum value"
    CONSTRAINT_VIOLATED = "constraint violated"
    UNDOCUMENTED_FIELD = "undocumented field"
    UNDOCUMENTED_STATUS = "undocumented status code"
    CONTENT_TYPE_CHANGED = "content type changed"
    BODY_NOT_JSON = "body not JSON"
    OVER_A_LIMIT = "answer over a limit"  # too large, too slow or too deep to read (COUPON_API_MAX_BODY_MB, _DEADLINE)

    @property
    def severity(self) -> Severity:
        """The default severity of the kind (drift/severity.py): an added field is info, the rest errors."""
        return DEFAULT_SEVERITY[self.value]


@dataclass
class DriftFinding:
    """One difference, where it is (operation, status, JSON path), and how often it was seen."""

    operation: str
    status: int
    path: str
    kind: DriftKind
    expected: str
    observed: str
    count: int = 1
    request: str = ""  # a redacted curl line that reproduces it
    docs: list[str] = field(default_factory=list)  # the doc line(s) of the field, page.txt:LINE
    severity: Severity | None = None  # None: the kind's default; a run's DriftLog sets its policy's
    known: Any = field(default=None, compare=False)  # the known deviation (known.py) it is, once the run has ended

    def __post_init__(self) -> None:
        if self.severity is None:
            self.severity = self.kind.severity

    @property
    def is_error(self) -> bool:
        """An error blocks GO."""
        return self.severity is Severity.ERROR

    @property
    def key(self) -> tuple[str, int, str, str]:
        """Findings with the same key are the same finding."""
        return (self.operation, self.status, self.path, self.kind.value)

    @property
    def blocks(self) -> bool:
        """An error no known deviation excuses: it makes NO-GO."""
        return self.is_error and self.known is None

    def as_dict(self) -> dict[str, Any]:
        """The finding as drift.json writes it."""
        data = asdict(dataclasses.replace(self, known=None))
        data["kind"] = self.kind.value
        data["severity"] = self.severity.value if self.severity else self.kind.severity.value
        if self.known is not None:
            data["known"] = {"id": self.known.id, "ticket": self.known.ticket, "expires": self.known.expires.isoformat()}
        else:
            del data["known"]
        return data


@dataclass
class DriftLog:
    """All findings of a run, deduplicated."""

    findings: dict[tuple[str, int, str, str], DriftFinding] = field(default_factory=dict)
    responses: int = 0
    policy: SeverityPolicy = field(default_factory=SeverityPolicy)

    def add(self, finding: DriftFinding) -> None:
        """Count a finding (the first occurrence keeps its example request), at the run's severity for its kind."""
        known = self.findings.get(finding.key)
        if known is None:
            finding.severity = self.policy.of(finding.kind.value)
            self.findings[finding.key] = finding
        else:
            known.count += 1

    def sorted(self) -> list[DriftFinding]:
        """Errors first, then warnings, then info; by operation and path within each."""
        return sorted(self.findings.values(), key=lambda f: (f.severity.rank if f.severity else 0, f.operation, f.path, f.kind.value))

    def counts(self) -> dict[str, int]:
        """How many findings of each severity: `{"error": 1, "warning": 0, "info": 2}`."""
        return {level.value: sum(1 for f in self.findings.values() if f.severity is level) for level in Severity}

    @property
    def breaking(self) -> list[DriftFinding]:
        """The findings that fail a run: the errors no known deviation excuses."""
        return [f for f in self.sorted() if f.blocks]
