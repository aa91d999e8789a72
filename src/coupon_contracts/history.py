"""Release after release: what each run found, kept in a folder the CI carries from one run to the next.

Each finished run (an unsharded one, or the merge of shards) appends one line to `runs.jsonl`: its
release label (COUPON_API_RELEASE), time, verdict, test and drift counts, the keys of its findings and
its failed checks, and a copy of its observed shapes (the last KEEP_SHAPES are kept). The sign-off
reads the run before it, the last one of another release, to say what is new, fixed and unchanged
"since the last release", and lists the releases before; the HTML report's trend keeps its own history
file in the same folder. Nothing in it is a secret or PII: keys and counts only, written redacted.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

__all__ = ["ALLURE_HISTORY", "NO_LABEL", "History", "HistoryError", "check_history_folder", "RunSummary", "record_release", "since_last_release"]

RUNS = "runs.jsonl"
ALLURE_HISTORY = "allure-history.jsonl"  # the renderer's own history (Allure 3 historyPath), for the trend
NO_LABEL = "(no label)"  # the release of a run without COUPON_API_RELEASE
KEEP_SHAPES = 20
SHOWN_RELEASES = 10


class HistoryError(Exception):
    """The history folder cannot be used; the message names it and the setting."""


def check_history_folder(folder: Path) -> None:
    """Before a run sends anything: the folder, if it exists, is a folder whose runs.jsonl is a file."""
    where = f"COUPON_CONTRACTS_HISTORY (or --history): {folder}"
    if folder.exists() and not folder.is_dir():
        raise HistoryError(f"{where} is a file, not a folder; give a folder the CI keeps between runs")
    if (folder / RUNS).exists() and not (folder / RUNS).is_file():
        raise HistoryError(f"{where}: {RUNS} there is not a file; remove it, or give another folder")


@dataclass(frozen=True)
class RunSummary:
    """One run, as the history keeps it."""

    release: str
    time: str
    verdict: str
    target: str
    tests: dict[str, int]
    drift: dict[str, int]
    findings: list[str]  # `<operation> <status> <path>: <kind>`, errors and warnings
    failed_checks: list[str]  # failed and not excused by a known deviation
    shapes: str = ""  # the file in the folder holding its observed shapes
    profile: str = ""  # how much it checked ("" in lines written before it was kept)
    # None in lines written before they were kept: compared as if everything had run
    known_checks: list[str] | None = None  # failed, excused by a known deviation: still failing
    known_findings: list[str] | None = None  # the findings a known deviation matched
    checked: list[str] | None = None  # checks every test of which ran: only these can be "fixed"
    answered: list[str] | None = None  # `<operation> <status>` answers seen: only their findings can be "fixed"
    # what the run before had and this one did not look at again: carried on, so the next run compares with them
    carried_findings: list[str] = field(default_factory=list)
    carried_checks: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, record: Any, *, release: str, time: str, verdict: str, profile: str = "") -> RunSummary:
        """The summary of a finished run's record."""
        kept = [f for f in record.drift.findings.values() if f.severity is not None and f.severity.value != "info"]  # errors and warnings
        findings = sorted(_finding_key(f) for f in kept)
        known = sorted(_finding_key(f) for f in kept if f.known is not None)
        tests = {k: int(record.outcomes[k]) for k in ("passed", "failed", "not_checked", "skipped")}
        checked = sorted(record.ran - {u.check for u in record.unchecked})
        answered = sorted(f"{operation} {status}" for operation, statuses in record.shapes.responses.items() for status in statuses)
        return cls(release, time, verdict, record.target_label, tests, record.drift.counts(), findings, sorted(record.unexcused_failures), profile=profile,
                   known_checks=sorted(record.failed_checks & record.known.known_checks), known_findings=known, checked=checked, answered=answered)  # fmt: skip


@dataclass
class History:
    """The history folder: every run before this one, oldest first."""

    folder: Path
    runs: list[RunSummary] = field(default_factory=list)
    unreadable: int = 0  # lines that were not a run (a torn write, an older format): skipped, counted

    @classmethod
    def read(cls, folder: Path) -> History:
        """The runs of `folder` (none when it does not exist yet)."""
        history = cls(folder)
        path = folder / RUNS
        if not path.is_file():
            return history
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                history.runs.append(RunSummary(**json.loads(line)))
            except (ValueError, TypeError, RecursionError):  # a torn write, an older format, a crafted line
                history.unreadable += line.strip() != ""
        return history

    def previous(self, release: str) -> RunSummary | None:
        """The run to compare with: the last one of another release, else the last one."""
        others = [r for r in self.runs if r.release != release] or self.runs
        return others[-1] if others else None

    def shapes_of(self, run: RunSummary) -> dict[str, Any] | None:
        """The observed shapes a run left in the folder, if they are still kept."""
        path = self.folder / run.shapes if run.shapes else None
        try:
            return json.loads(path.read_text(encoding="utf-8")) if path is not None and path.is_file() else None
        except (ValueError, RecursionError):
            return None

    def append(self, run: RunSummary, shapes_file: Path, redactor: Any) -> None:
        """Add a finished run, with a copy of its observed shapes; keep the last KEEP_SHAPES copies."""
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = run.time.replace(":", "").replace("-", "")
        # two runs in one second (merges): the second its own file, sorted after the first (`~` > `.`)
        name = next(n for n in (f"shapes-{stamp}.json", *(f"shapes-{stamp}~{i}.json" for i in range(2, 1000))) if not (self.folder / n).exists())
        if shapes_file.is_file():
            shutil.copyfile(shapes_file, self.folder / name)
        kept = RunSummary(**{**asdict(run), "shapes": name if shapes_file.is_file() else ""})
        runs = self.folder / RUNS
        torn = runs.is_file() and runs.stat().st_size > 0 and _last_byte(runs) != b"\n"  # a write cut short: its line ends here
        with runs.open("a", encoding="utf-8") as out:
            out.write(("\n" if torn else "") + json.dumps(redactor.json(asdict(kept))) + "\n")
        self.runs.append(kept)
        for old in sorted(self.folder.glob("shapes-*.json"))[:-KEEP_SHAPES]:
            old.unlink()

    def table(self, current: RunSummary) -> list[dict[str, Any]]:
        """The last releases and this run, newest first, for the sign-off."""
        rows = [*self.runs[-(SHOWN_RELEASES - 1):], current][::-1]
        return [{"release": r.release, "time": r.time, "verdict": r.verdict, "failed": r.tests.get("failed", 0), **r.drift} for r in rows]


def _last_byte(path: Path) -> bytes:
    with path.open("rb") as file:
        file.seek(-1, 2)
        return file.read(1)


def since_last_release(previous: RunSummary, current: RunSummary, changes: Any, *, observed: dict[str, Any] | None = None) -> dict[str, Any]:
    """New, fixed and unchanged findings and failed checks against the previous run, and its shape changes.

    A failure a known deviation excuses is still a failure (unchanged, not fixed). One gone from this run
    is fixed only where this run looked again: its check ran whole; its field, or an object that could
    carry it, was seen in this run's answers (`observed`: its observed shapes; without them, an answer
    of that operation and status); else it is "not compared". A change back to the contract (a string
    seriesId an integer again), or one where the previous run had a finding this one fixed, is listed
    apart, not as an error."""
    from .drift import seen_there
    from .severity import ChangeKind

    def compare(old: set[str], new: set[str], known: set[str], looked: Any) -> dict[str, list[str]]:
        gone = old - new
        return {"new": sorted(new - old), "fixed": sorted(k for k in gone if looked(k)), "unchanged": sorted(old & new),
                "not_compared": sorted(k for k in gone if not looked(k)), "known": sorted(known & new)}  # fmt: skip

    def looked_again(key: str) -> bool:
        operation, status, path = _where(key)
        if observed is None:
            return answered is None or f"{operation} {status}" in answered
        answer = observed.get("operations", {}).get(operation, {}).get(status)
        return answer is not None and (path == "" or path in answer["fields"] or seen_there(path, answer["fields"]))

    checked = set(current.checked) if current.checked is not None else None
    answered = set(current.answered) if current.answered is not None else None
    old_checks = set(previous.failed_checks) | set(previous.known_checks or []) | set(previous.carried_checks)
    new_checks = set(current.failed_checks) | set(current.known_checks or [])
    findings = compare(set(previous.findings) | set(previous.carried_findings), set(current.findings), set(current.known_findings or []), looked_again)
    mended = {_where(key) for key in findings["fixed"]}
    listed = [c for c in changes.changes if c.severity.value != "info" or c.kind is ChangeKind.BACK_TO_THE_CONTRACT] if changes is not None else []
    back = [c for c in listed if c.kind is ChangeKind.BACK_TO_THE_CONTRACT or (c.operation, c.status, c.path) in mended]
    return {
        "previous": {"release": previous.release, "time": previous.time, "verdict": previous.verdict, "profile": previous.profile},
        "profile": current.profile,
        "findings": findings,
        "failed_checks": compare(old_checks, new_checks, set(current.known_checks or []), lambda check: checked is None or check in checked),
        # errors and warnings, as `diff` prints them; None: the previous run's shapes are no longer kept
        "shape_changes": [changes.line(c) for c in listed if c not in back] if changes is not None else None,
        "back_to_the_contract": [changes.line(c) for c in back] if changes is not None else [],
        "not_compared": list(changes.unseen) if changes is not None else [],
    }


def _finding_key(finding: Any) -> str:
    """`<operation> <status> <path>: <kind>`: how the history keeps a finding (`_where` reads it back)."""
    return f"{finding.operation} {finding.status} {finding.path or '(body)'}: {finding.kind.value}"


def _where(finding_key: str) -> tuple[str, str, str]:
    """`<operation> 200 data[].seriesId: type changed` (the operation's label has a space) -> (operation, status, path)."""
    operation, status, path = finding_key.rsplit(": ", 1)[0].rsplit(" ", 2)
    return operation, status, "" if path == "(body)" else path


def record_release(record: Any, contract: Any, settings: Any, shapes_file: Path, redactor: Any) -> dict[str, Any]:
    """Compare a finished run with the last release in its history, then add it there: the sign-off's section."""
    from datetime import datetime, timezone

    from .drift import closed_value_fields, diff_runs
    from .operations import labels_by_id

    history = History.read(settings.history_folder)
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    current = RunSummary.of(record, release=settings.release or NO_LABEL, time=now, verdict=record.verdict.value, profile=settings.profile.name)
    previous = history.previous(current.release)
    since = None
    if previous is not None:
        before = history.shapes_of(previous)
        labels = labels_by_id(contract.table)
        observed = record.shapes.as_dict()
        changes = diff_runs(before, observed, closed=closed_value_fields(contract), policy=record.drift.policy, known=record.known_deviations,
                            labels=labels, today=datetime.now(timezone.utc).date()) if before else None  # fmt: skip
        since = since_last_release(previous, current, changes, observed=observed)
        current = replace(current, carried_findings=since["findings"]["not_compared"], carried_checks=since["failed_checks"]["not_compared"])
    section = {"release": current.release, "label": settings.release or "", "time": current.time, "history": str(settings.history_folder.absolute()), "since_last_release": since, "releases": history.table(current),
               "unreadable_history_lines": history.unreadable}  # fmt: skip
    history.append(current, shapes_file, redactor)
    return section
