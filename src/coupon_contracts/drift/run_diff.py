"""What changed between two runs: the shape changes of `coupon-contracts diff` and of the sign-off's
"since the last release", told the same way by both."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..severity import Severity, SeverityPolicy
from .compare import Closed, ShapeChange, compare_shapes

__all__ = ["RunDiff", "diff_runs"]


@dataclass(frozen=True)
class RunDiff:
    """The changes from a baseline run to a newer one, and the operations the newer one did not exercise."""

    changes: list[ShapeChange]
    unseen: list[str] = field(default_factory=list)
    known: dict[ShapeChange, Any] = field(default_factory=dict)  # a change a known deviation in force excuses, and its entry
    expired: dict[ShapeChange, Any] = field(default_factory=dict)  # a change only an expired entry matches: it excuses nothing

    def count(self, level: Severity) -> int:
        """How many changes of one severity."""
        return sum(c.severity is level for c in self.changes)

    @property
    def errors(self) -> int:
        """Errors no known deviation excuses: they block GO (and make `diff` exit 1)."""
        return sum(c.is_breaking and c not in self.known for c in self.changes)

    def line(self, change: ShapeChange) -> str:
        """The change's line, with the known deviation that excuses it (or the expired one that no longer does)."""
        if change in self.known:
            entry = self.known[change]
            return f"{change.line()}  [known: {entry.id} {entry.ticket}, until {entry.expires.isoformat()}]"
        if change in self.expired:
            entry = self.expired[change]
            return f"{change.line()}  [{entry.id} {entry.ticket} expired on {entry.expires.isoformat()}: it no longer excuses this]"
        return change.line()

    def lines(self, *, changelog: bool = False) -> list[str]:
        """One line per change, errors first (info lines only for the changelog), then what was not compared."""
        shown = [self.line(c) for c in self.changes if changelog or c.severity is not Severity.INFO]
        return shown + [f"not compared: {operation} (the newer run did not exercise it)" for operation in self.unseen]

    def summary(self, *, changelog: bool = False) -> str:
        """`2 error (1 known), 0 warning, 3 info change(s) (--changelog lists them)`: the run's console counts so too."""
        info = self.count(Severity.INFO)
        hidden = "" if changelog or not info else " (--changelog lists them)"
        partly = f"; {len(self.unseen)} operation(s) not compared" if self.unseen else ""
        known = sum(c.is_breaking for c in self.known)
        errors = f"{self.count(Severity.ERROR)} error" + (f" ({known} known)" if known else "")
        return f"{errors}, {self.count(Severity.WARNING)} warning, {info} info change(s){hidden}{partly}"


def diff_runs(old: dict[str, Any], new: dict[str, Any], *, closed: Closed, policy: SeverityPolicy,
              known: Any = None, labels: dict[str, str] | None = None, today: date | None = None) -> RunDiff:  # fmt: skip
    """Compare two runs' observed shapes (see compare.py for what each change is and how much it matters).

    `known`: the run's KnownDeviations (with `labels`, operationId -> label, and `today`): a change an
    entry in force matches is known, as its finding is in the run."""
    changes = compare_shapes(old, new, closed=closed, policy=policy)
    diff = RunDiff(changes, sorted(set(old["operations"]) - set(new["operations"])))
    for change in changes if known is not None else []:
        matching = [e for e in known.entries if e.matches_change(change, labels or {})]
        live = [e for e in matching if today is None or not e.is_expired(today)]
        if live or matching:  # an entry in force excuses it; else the expired one says it no longer does
            (diff.known if live else diff.expired)[change] = (live or matching)[0]
    return diff
