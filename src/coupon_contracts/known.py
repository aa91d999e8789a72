"""Known deviations: vendor bugs a team has recorded once, each with its ticket and a day it must be fixed by.

`contracts/known-deviations.yaml` (format: schemas/known-deviations.json) is read and checked when a
run starts; a defect stops it with one line naming the file and the entry's line. After the run, each
entry is held against what the run found: a failed check or a drift finding it matches is "known" in
every report and no longer makes NO-GO by itself; an entry past its day makes NO-GO, naming itself; an
entry that matched nothing is stale, so the file does not rot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .severity import ChangeKind

__all__ = ["CHANGE_SHOWS", "KnownDeviation", "KnownDeviations", "KnownDeviationsError", "KnownOutcome", "known_deviations_for"]

DIFF_KINDS = frozenset(k.value for k in ChangeKind)
# The run's finding that each change between runs shows, so an entry written from a finding (`known add
# --finding`) also excuses the `diff` line of the same deviation against a baseline from before it.
CHANGE_SHOWS = {
    ChangeKind.RETYPED.value: "type changed",
    ChangeKind.FIELD_GONE.value: "missing required field",
    ChangeKind.BECAME_OPTIONAL.value: "missing required field",
    ChangeKind.REFORMATTED.value: "format changed",
    ChangeKind.NEWLY_NULLABLE.value: "nullability changed",
    ChangeKind.CLOSED_VALUE_NEW.value: "new enum value",
    ChangeKind.NEW_UNDOCUMENTED_STATUS.value: "undocumented status code",
    ChangeKind.NEW_FIELD.value: "undocumented field",
}


class KnownDeviationsError(Exception):
    """The file cannot be used; the message names the file, the line and the fix."""


@dataclass(frozen=True)
class KnownDeviation:
    """One recorded deviation: what it matches, why, the vendor's ticket and the day it must be fixed by."""

    id: str
    reason: str
    ticket: str
    expires: date
    check: str | None = None
    operation: str | None = None  # an operationId
    kind: str | None = None
    path: str | None = None
    line: int = 0

    def matches_check(self, check_id: str) -> bool:
        """Whether a failed check is this deviation."""
        return self.check == check_id

    def matches_finding(self, finding: Any, labels: dict[str, str]) -> bool:
        """Whether a drift finding is this deviation (every field the entry gives must match)."""
        return self._matches(finding, labels, {finding.kind.value})

    def matches_change(self, change: Any, labels: dict[str, str]) -> bool:
        """Whether a `diff` line (a ShapeChange) is this deviation: its own kind, or the finding it shows."""
        return self._matches(change, labels, {change.kind.value, CHANGE_SHOWS.get(change.kind.value)})

    def _matches(self, seen: Any, labels: dict[str, str], kinds: set[str | None]) -> bool:
        """A finding or a change (operation label, path) of one of `kinds`: every field the entry gives must match."""
        if self.check is not None:
            return False
        return (
            (self.operation is None or labels.get(self.operation) == seen.operation)
            and (self.kind is None or self.kind in kinds)
            and (self.path is None or _path_pattern(self.path).fullmatch(seen.path) is not None)
        )

    @property
    def is_for_diff(self) -> bool:
        """An entry of a kind only `diff` meets (`became optional`): a run neither matches it nor calls it stale."""
        return self.kind in DIFF_KINDS and self.kind not in CHANGE_SHOWS.values()

    def is_expired(self, today: date) -> bool:
        """From its day on, the entry no longer excuses anything."""
        return today >= self.expires

    def as_dict(self) -> dict[str, Any]:
        """The entry as the reports show it."""
        matches = {k: v for k, v in (("check", self.check), ("operation", self.operation), ("kind", self.kind), ("path", self.path)) if v}
        return {"id": self.id, "ticket": self.ticket, "expires": self.expires.isoformat(), "reason": self.reason, "matches": matches}


@dataclass
class KnownOutcome:
    """What the entries did in one run."""

    matched: dict[str, int] = field(default_factory=dict)  # id -> failed checks and findings it matched
    expired: list[KnownDeviation] = field(default_factory=list)
    stale: list[KnownDeviation] = field(default_factory=list)
    unexercised: list[KnownDeviation] = field(default_factory=list)  # matched nothing, but its check or operation did not run
    for_diff: list[KnownDeviation] = field(default_factory=list)  # of a kind only `diff` meets
    by_check: dict[str, KnownDeviation] = field(default_factory=dict)  # each excused failed check and its entry
    entries: dict[str, KnownDeviation] = field(default_factory=dict)

    @property
    def known_checks(self) -> set[str]:
        """The failed checks a known deviation excuses."""
        return set(self.by_check)

    def as_dict(self, source: str) -> dict[str, Any]:
        """The sign-off's `known_deviations` section."""
        return {
            "file": source,
            "matched": [{**self.entries[i].as_dict(), "count": n} for i, n in self.matched.items()],
            "expired": [d.as_dict() for d in self.expired],
            "stale": [d.as_dict() for d in self.stale],
            "not_exercised": [d.as_dict() for d in self.unexercised],
            "for_diff": [d.as_dict() for d in self.for_diff],
        }


@dataclass(frozen=True)
class KnownDeviations:
    """The entries of one file."""

    source: Path | None
    entries: tuple[KnownDeviation, ...] = ()

    @classmethod
    def load(cls, path: Path | None, *, known_checks: set[str], known_kinds: set[str], operations: set[str]) -> KnownDeviations:
        """Read and check the file (none, or empty: no entry); `KnownDeviationsError` names the file and line of a defect."""
        from .known_file import read_entries

        if path is None or not path.is_file():
            return cls(path)
        return cls(path, read_entries(path, known_checks=known_checks, known_kinds=known_kinds, operations=operations))

    def apply(self, failed_checks: set[str], findings: list[Any], labels: dict[str, str], today: date, *,
              ran: set[str] | None = None, exercised: set[str] | None = None) -> KnownOutcome:  # fmt: skip
        """Mark what the entries match (`finding.known`: the first entry that matches), and say which
        entries expired, matched nothing (stale), or could not match: their check did not run (`ran`) or
        their operation was not exercised (`exercised`: operation labels). None: everything ran."""
        outcome = KnownOutcome(entries={e.id: e for e in self.entries})
        live = [e for e in self.entries if not e.is_expired(today) and not e.is_for_diff]
        outcome.expired = [e for e in self.entries if e.is_expired(today)]
        outcome.for_diff = [e for e in self.entries if e.is_for_diff and not e.is_expired(today)]
        for entry in live:
            checks = {c for c in failed_checks if entry.matches_check(c)}
            outcome.by_check |= {c: outcome.by_check.get(c, entry) for c in checks}
            count = len(checks)
            for finding in findings:
                if entry.matches_finding(finding, labels):  # an entry that overlaps an earlier one matched too: not stale
                    finding.known = finding.known or entry
                    count += 1
            if count:
                outcome.matched[entry.id] = count
        outcome.by_check |= _schema_checks_explained(failed_checks, findings, labels)
        unmatched = [e for e in live if e.id not in outcome.matched]
        outcome.unexercised = [e for e in unmatched if not _could_match(e, labels, ran, exercised)]
        outcome.stale = [e for e in unmatched if e not in outcome.unexercised]
        return outcome


def _could_match(entry: KnownDeviation, labels: dict[str, str], ran: set[str] | None, exercised: set[str] | None) -> bool:
    """Whether this run could have met what the entry matches: its check ran, or its operation (any, if none) answered."""
    if entry.check is not None:
        return ran is None or entry.check in ran
    if exercised is None:
        return True
    return labels.get(entry.operation or "") in exercised if entry.operation else bool(exercised)


def _schema_checks_explained(failed_checks: set[str], findings: list[Any], labels: dict[str, str]) -> dict[str, KnownDeviation]:
    """A schema check fails exactly on its operation's error findings: when each of them is known, so is the
    failure (named by the entry of its first finding)."""
    explained = {}
    for check in (c for c in failed_checks if c.startswith("schema.")):
        label = labels.get(check.removeprefix("schema."))
        errors = [f for f in findings if f.operation == label and f.is_error]
        if errors and all(f.known is not None for f in errors):
            explained[check] = errors[0].known
    return explained


def _path_pattern(path: str) -> re.Pattern[str]:
    """`*` and `?` match as in a shell; the brackets of `a[].b` are plain text (not a character class)."""
    return re.compile(re.escape(path).replace(r"\*", ".*").replace(r"\?", "."))


def known_deviations_for(chosen: Path | None, contract: Any) -> KnownDeviations:
    """The run's file (COUPON_CONTRACTS_KNOWN_DEVIATIONS, else known-deviations.yaml beside the contract), checked."""
    from .checks import CHECKS
    from .drift import DriftKind

    path = chosen or contract.openapi_path.parent / "known-deviations.yaml"
    return KnownDeviations.load(path, known_checks=set(CHECKS), known_kinds={k.value for k in DriftKind} | DIFF_KINDS, operations=set(contract.table))
