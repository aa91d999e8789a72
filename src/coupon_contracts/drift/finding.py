"""Drift findings: one difference between what the contract says and what the target sent.

The same difference seen in 500 responses is one finding with a count and one reproducing request.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

__all__ = ["DriftFinding", "DriftKind", "DriftLog", "Severity"]


class Severity(str, Enum):
    """Breaking findings fail a run; non-breaking ones are reported only."""

    BREAKING = "breaking"
    NON_BREAKING = "non-breaking"


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
        """An added field is the only non-breaking kind."""
        return Severity.NON_BREAKING if self is DriftKind.UNDOCUMENTED_FIELD else Severity.BREAKING


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

    @property
    def severity(self) -> Severity:
        """Breaking or not, from the kind."""
        return self.kind.severity

    @property
    def key(self) -> tuple[str, int, str, str]:
        """Findings with the same key are the same finding."""
        return (self.operation, self.status, self.path, self.kind.value)

    def as_dict(self) -> dict[str, Any]:
        """The finding as drift.json writes it."""
        data = asdict(self)
        data["kind"] = self.kind.value
        data["severity"] = self.severity.value
        return data


@dataclass
class DriftLog:
    """All findings of a run, deduplicated."""

    findings: dict[tuple[str, int, str, str], DriftFinding] = field(default_factory=dict)
    responses: int = 0

    def add(self, finding: DriftFinding) -> None:
        """Count a finding (the first occurrence keeps its example request)."""
        known = self.findings.get(finding.key)
        if known is None:
            self.findings[finding.key] = finding
        else:
            known.count += 1

    def sorted(self) -> list[DriftFinding]:
        """Breaking first, then by operation and path."""
        return sorted(self.findings.values(), key=lambda f: (f.severity is not Severity.BREAKING, f.operation, f.path, f.kind.value))

    @property
    def breaking(self) -> list[DriftFinding]:
        """The findings that fail a run."""
        return [f for f in self.sorted() if f.severity is Severity.BREAKING]
