"""What changed between two runs: the shape changes of `coupon-contracts diff` and of the sign-off's
"since the last release", told the same way by both."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..severity import Severity, SeverityPolicy
from .compare import Closed, ShapeChange, compare_shapes

__all__ = ["RunDiff", "diff_runs"]


@dataclass(frozen=True)
class RunDiff:
    """The changes from a baseline run to a newer one, and the operations the newer one did not exercise."""

    changes: list[ShapeChange]
    unseen: list[str] = field(default_factory=list)

    def count(self, level: Severity) -> int:
        """How many changes of one severity."""
        return sum(c.severity is level for c in self.changes)

    @property
    def errors(self) -> int:
        """Changes that block GO (and make `diff` exit 1)."""
        return self.count(Severity.ERROR)

    def lines(self, *, changelog: bool = False) -> list[str]:
        """One line per change, errors first (info lines only for the changelog), then what was not compared."""
        shown = [c.line() for c in self.changes if changelog or c.severity is not Severity.INFO]
        return shown + [f"not compared: {operation} (the newer run did not exercise it)" for operation in self.unseen]

    def summary(self, *, changelog: bool = False) -> str:
        """`1 error, 0 warning, 3 info change(s) (--changelog lists them)`."""
        info = self.count(Severity.INFO)
        hidden = "" if changelog or not info else " (--changelog lists them)"
        partly = f"; {len(self.unseen)} operation(s) not compared" if self.unseen else ""
        return f"{self.errors} error, {self.count(Severity.WARNING)} warning, {info} info change(s){hidden}{partly}"


def diff_runs(old: dict[str, Any], new: dict[str, Any], *, closed: Closed, policy: SeverityPolicy) -> RunDiff:
    """Compare two runs' observed shapes (see compare.py for what each change is and how much it matters)."""
    changes = compare_shapes(old, new, closed=closed, policy=policy)
    return RunDiff(changes, sorted(set(old["operations"]) - set(new["operations"])))
