"""Known deviations: vendor bugs a team has recorded once, each with its ticket and a day it must be fixed by.

`contracts/known-deviations.yaml` (format: schemas/known-deviations.json) is read and checked when a
run starts; a defect stops it with one line naming the file and the entry's line. After the run, each
entry is held against what the run found: a failed check or a drift finding it matches is "known" in
every report and no longer makes NO-GO by itself; an entry past its day makes NO-GO, naming itself; an
entry that matched nothing is stale, so the file does not rot.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

__all__ = ["KnownDeviation", "KnownDeviations", "KnownDeviationsError", "KnownOutcome", "known_deviations_for"]


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
        if self.check is not None:
            return False
        return (
            (self.operation is None or labels.get(self.operation) == finding.operation)
            and (self.kind is None or self.kind == finding.kind.value)
            and (self.path is None or _path_pattern(self.path).fullmatch(finding.path) is not None)
        )

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
        }


@dataclass(frozen=True)
class KnownDeviations:
    """The entries of one file."""

    source: Path | None
    entries: tuple[KnownDeviation, ...] = ()

    @classmethod
    def load(cls, path: Path | None, *, known_checks: set[str], known_kinds: set[str], operations: set[str]) -> KnownDeviations:
        """Read and check the file (none, or empty: no entry); `KnownDeviationsError` names the file and line of a defect."""
        if path is None or not path.is_file():
            return cls(path)
        text = path.read_text(encoding="utf-8")
        try:
            node, document = yaml.compose(text, Loader=_Loader), yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader)
        except yaml.YAMLError as exc:
            raise KnownDeviationsError(f"{path}:{min(_yaml_line(exc), max(1, len(text.splitlines())))}: invalid YAML: {_yaml_problem(exc)}") from None
        if document is None or node is None:
            return cls(path)
        _refuse_twice_keys(node, path)
        error = next(iter(sorted(_validator().iter_errors(document), key=lambda e: list(e.absolute_path))), None)
        if error is not None:
            raise KnownDeviationsError(f"{path}:{_line_at(node, list(error.absolute_path))}: {_say(error)} (format: schemas/known-deviations.json)")
        lines = [_line_at(node, ["deviations", i]) for i in range(len(document["deviations"]))]
        entries = []
        for item, line in zip(document["deviations"], lines, strict=True):
            _check_names(item, path, line, known_checks, known_kinds, operations)
            try:
                expires = date.fromisoformat(item["expires"])
            except ValueError:  # the schema's format check should have said so; never a traceback
                raise KnownDeviationsError(f"{path}:{line}: expires {item['expires']!r} of {item['id']!r} is not a day: write YYYY-MM-DD") from None
            entries.append(KnownDeviation(item["id"], item["reason"], item["ticket"], expires, item.get("check"), item.get("operation"),
                                          item.get("kind"), item.get("path"), line))  # fmt: skip
        _refuse_twice_entries(entries, path)
        return cls(path, tuple(entries))

    def apply(self, failed_checks: set[str], findings: list[Any], labels: dict[str, str], today: date) -> KnownOutcome:
        """Mark what the entries match (`finding.known`), and say which entries expired or matched nothing."""
        outcome = KnownOutcome(entries={e.id: e for e in self.entries})
        live = [e for e in self.entries if not e.is_expired(today)]
        outcome.expired = [e for e in self.entries if e.is_expired(today)]
        for entry in live:
            checks = {c for c in failed_checks if entry.matches_check(c)}
            outcome.by_check |= dict.fromkeys(checks, entry)
            count = len(checks)
            for finding in findings:
                if finding.known is None and entry.matches_finding(finding, labels):
                    finding.known = entry
                    count += 1
            if count:
                outcome.matched[entry.id] = count
        outcome.by_check |= _schema_checks_explained(failed_checks, findings, labels)
        outcome.stale = [e for e in live if e.id not in outcome.matched]
        return outcome


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
    return KnownDeviations.load(path, known_checks=set(CHECKS), known_kinds={k.value for k in DriftKind}, operations=set(contract.table))


def _check_names(item: dict[str, Any], path: Path, line: int, checks: set[str], kinds: set[str], operations: set[str]) -> None:
    for key, known, fix in (("check", checks, "`coupon-contracts checks` lists them"), ("kind", kinds, "docs/drift.md lists them"),
                            ("operation", operations, "an operationId of the contract")):  # fmt: skip
        if key in item and item[key] not in known:
            raise KnownDeviationsError(f"{path}:{line}: {key} {item[key]!r} of {item['id']!r} does not exist ({fix})")


class _Loader(yaml.SafeLoader):
    """Safe YAML that keeps `2027-01-31` as text: the schema checks the day, with its line (PyYAML would
    build a date itself and raise on 2027-02-30)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"] for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _yaml_line(exc: yaml.YAMLError) -> int:
    """Where the parser found the problem (not where the enclosing block began; the end of the text can be
    a line past its last)."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + 1 if mark is not None else 1


def _yaml_problem(exc: yaml.YAMLError) -> str:
    context, mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    return f"{problem} ({context} at line {mark.line + 1})" if context and mark is not None else str(problem)


def _line_at(node: yaml.Node | None, where: list[Any]) -> int:
    """The line of the deepest key or item of `where` (`["deviations", 0, "expires"]`) that the file has."""
    line = 1
    for step in where:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == step), None)
            if pair is None:
                break
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _refuse_twice_keys(node: yaml.Node, path: Path) -> None:
    """A key written twice in one mapping: YAML would keep the last one without a word."""
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key, value in node.value:
            if key.value in seen:
                raise KnownDeviationsError(f"{path}:{key.start_mark.line + 1}: {key.value!r} is written twice here (YAML keeps only the last): keep one")
            seen.add(key.value)
            _refuse_twice_keys(value, path)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _refuse_twice_keys(item, path)


def _refuse_twice_entries(entries: list[KnownDeviation], path: Path) -> None:
    """The same id twice, or two entries matching the same thing (the second would never match)."""
    first: dict[Any, KnownDeviation] = {}
    for entry in entries:
        for key, what in ((("id", entry.id), f"id {entry.id!r} is used twice; give each entry its own"),
                          (("matches", entry.check, entry.operation, entry.kind, entry.path), "")):  # fmt: skip
            if key in first:
                other = first[key]
                raise KnownDeviationsError(f"{path}:{entry.line}: {what or f'{entry.id!r} matches what {other.id!r} (line {other.line}) matches: keep one'}")
            first[key] = entry


def _say(error: Any) -> str:
    where = list(error.absolute_path)
    entry = f"entry {where[1] + 1}: " if len(where) > 1 else ""
    if not where:
        return "the file is a mapping with `deviations:`, a list of entries (`deviations: []` when there is none)"
    if where == ["deviations"]:
        return "`deviations:` is a list of entries (`deviations: []` when there is none)"
    if error.validator == "not":
        return f"{entry}an entry matches either a failed check (check) or drift findings (operation, kind, path), not both"
    if error.validator == "anyOf":
        return f"{entry}say what it matches: check, or operation, kind and/or path"
    if error.validator == "required":
        return f"{entry}{error.message.split(' is a required')[0]} is missing (every entry has id, reason, ticket and expires)"
    if error.validator == "format" and where[-1] == "expires":
        return f"{entry}expires: {error.instance!r} is not a day of the calendar (YYYY-MM-DD)"
    return f"{entry}{'.'.join(map(str, list(error.absolute_path)[2:])) or 'the entry'}: {error.message}"


def _validator() -> Draft202012Validator:
    from .contract import default_contract_path

    schema_file = default_contract_path().parent.parent / "schemas" / "known-deviations.json"  # shipped beside the contract
    return Draft202012Validator(json.loads(schema_file.read_text(encoding="utf-8")), format_checker=Draft202012Validator.FORMAT_CHECKER)
