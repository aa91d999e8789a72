"""What one run saw: every response held against the contract, and tallies per operation and check family.

The pytest plugin feeds it; the drift report, observed shapes, sign-off and Allure results are all
written from it, so every output of a run tells the same story.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import Counter, deque
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Iterable

from .checks import Check
from .contract import Contract
from .drift import DriftFinding, DriftKind, DriftLog, ObservedShapes, ParsedBody, findings_for
from .known import KnownDeviations, KnownOutcome
from .operations import OperationRow, items_at, shipped_table
from .redaction import Redactor
from .settings import Settings
from .severity import SeverityPolicy
from .target import Exchange

__all__ = ["RunRecord", "Tally", "Traffic", "Unchecked"]

_NOT_JSON = object()
KNOWN_FINDINGS = 256  # distinct answers whose findings are kept: the findings are small, the answers are not
RECENT_EXCHANGES = 3  # of the test running now, kept for its failure's attachments (each may hold a large body)


@dataclass
class Tally:
    """Tests of one operation and check family: how many passed, failed, and could not be checked."""

    passed: int = 0
    failed: int = 0
    not_checked: int = 0
    skipped: int = 0


@dataclass(frozen=True)
class Unchecked:
    """A documented behaviour this run could not check, and what would let it run."""

    check: str
    operations: tuple[str, ...]
    docs: tuple[str, ...]
    reason: str
    test: str
    outcome: str = "not_checked"  # or "skipped": it did not run at all


@dataclass
class Traffic:
    """How the run's requests used their time: how many, from the first sent to the last answered,
    and the seconds they spent in flight, summed (their ratio to the span is the mean in flight)."""

    requests: int = 0
    busy: float = 0.0
    first: float = float("inf")  # time.monotonic(): one clock for every process on the machine
    last: float = float("-inf")

    def add(self, elapsed: float, *, answered: float) -> None:
        """One request that took `elapsed` seconds and was answered at `answered` (time.monotonic())."""
        self.requests += 1
        self.busy += elapsed
        self.first = min(self.first, answered - elapsed)
        self.last = max(self.last, answered)

    def export(self) -> dict[str, float]:
        """As plain data, for the controller of worker processes."""
        return {"requests": self.requests, "busy": self.busy, "first": self.first, "last": self.last}

    def merge(self, data: dict[str, float]) -> None:
        """Add another process's traffic (its `export()`)."""
        self.requests += int(data["requests"])
        self.busy += data["busy"]
        self.first, self.last = min(self.first, data["first"]), max(self.last, data["last"])

    def summary(self) -> dict[str, float]:
        """For reports: requests, span seconds, mean requests in flight and mean latency (ms)."""
        span = self.last - self.first if self.requests else 0.0
        return {
            "requests": self.requests,
            "seconds": round(span, 2),
            "mean_in_flight": round(self.busy / span, 2) if span > 0 else 0.0,
            "mean_latency_ms": round(self.busy / self.requests * 1000, 1) if self.requests else 0.0,
        }


@dataclass
class RunRecord:
    """The state of one conformance run."""

    exit_reason: str | None = None  # "usage" or "target" when the plugin ended the run
    exit_message: str = ""
    settings: Settings | None = None
    contract: Contract | None = None
    redactor: Redactor | None = None
    target_label: str = ""
    drift: DriftLog = field(default_factory=DriftLog)
    shapes: ObservedShapes = field(default_factory=ObservedShapes)
    family: str = "setup"  # the check family of the test running now ("setup": discovery)
    mode: str = "positive"  # the generation mode of the schema test running now
    test_hits: int = 0  # answers of the test running now that carried real data
    operations: tuple[str, ...] = ()  # the operations the test running now exercises
    current: deque[Exchange] = field(default_factory=lambda: deque(maxlen=RECENT_EXCHANGES))  # this test's last exchanges, for its attachments
    requests: Counter[tuple[str, str]] = field(default_factory=Counter)  # (operationId, family) -> requests sent
    tallies: dict[tuple[str, str], Tally] = field(default_factory=dict)
    outcomes: Counter[str] = field(default_factory=Counter)  # "passed", "failed", "not_checked", "skipped": tests, not operations
    unchecked: list[Unchecked] = field(default_factory=list)
    failed_checks: set[str] = field(default_factory=set)
    failed_tests: Counter[str] = field(default_factory=Counter)  # check id -> its tests that failed
    ran: set[str] = field(default_factory=set)  # check ids with an outcome in this run
    silences: dict[str, dict[str, str]] = field(default_factory=dict)  # what the target does where the docs are silent
    verdict: Any = None  # the Verdict, once the run is finished
    data: dict[str, Any] = field(default_factory=dict)  # data health: what the test customers let the suite reach
    positive_cases: Counter[tuple[str, str]] = field(default_factory=Counter)  # (operationId, "hit" or "miss"): positive schema cases on real data
    parameters_seen: dict[str, set[str]] = field(default_factory=dict)
    flaky: list[dict[str, object]] = field(default_factory=list)  # requests that passed only after retries
    known_deviations: KnownDeviations | None = None  # the run's file, once read
    known: KnownOutcome = field(default_factory=KnownOutcome)  # what its entries matched, once the run has ended
    skipped_for_budget: int = 0
    pending: list[Future[Any]] = field(default_factory=list)  # this test's checks still running on request lanes
    traffic: Traffic = field(default_factory=Traffic)
    _known_findings: dict[tuple[str, int, str, bytes], list[DriftFinding]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def observe(self, exchange: Exchange) -> None:
        """Hold one response against the contract and count it (from any request lane)."""
        answered = time.monotonic()
        row = (self.contract.table if self.contract is not None else shipped_table()).get(exchange.operation_id)
        parameters = set(exchange.request.url.params.keys()) | (set(row.customer_parameters) if row is not None and row.customer_in_path else set())
        findings: list[DriftFinding] = []
        document: Any = None
        parsed = ParsedBody()
        judged = self.contract is not None and self.redactor is not None
        if judged:
            response = exchange.response
            content_type = response.headers.get("content-type", "")
            parsed = exchange.parsed
            findings = self._findings_of(exchange, content_type, parsed)
            if findings and self.redactor is not None:
                request = self.redactor.curl(exchange.request)
                for finding in findings:
                    finding.request = request
            document = _NOT_JSON if parsed.shape is None else parsed.document
        with self._lock:  # lanes observe side by side; the record changes one exchange at a time
            self.current.append(exchange)
            self.traffic.add(exchange.elapsed, answered=answered)
            self.requests[(exchange.operation_id, self.family)] += 1
            self.parameters_seen.setdefault(exchange.operation_id, set()).update(parameters)
            if self.family == "schema" and self.mode == "positive":
                hit = _reaches_data(exchange, document, row)
                self.positive_cases[(exchange.operation_id, "hit" if hit else "miss")] += 1
                self.test_hits += hit
            if not judged:
                return
            self.drift.responses += 1
            for finding in findings:
                self.drift.add(finding)
            if document is not _NOT_JSON and self.contract is not None:
                operation = self.contract.operations.get(exchange.operation_id)
                self.shapes.observe(operation.label if operation else exchange.operation_id, exchange.response.status_code, document, shape=parsed.shape)

    def _findings_of(self, exchange: Exchange, content_type: str, parsed: ParsedBody) -> list[DriftFinding]:
        """`findings_for` the exchange; the same answer (its digest) to the same operation is held once per run."""
        assert self.contract is not None
        response = exchange.response
        key = (exchange.operation_id, response.status_code, content_type, parsed.digest)
        known = self._known_findings.get(key) if parsed.digest else None
        if known is None:
            known = findings_for(self.contract, exchange.operation_id, response.status_code, content_type, response.content, refused=exchange.refused, parsed=parsed)
            if parsed.digest:
                with self._lock:
                    if len(self._known_findings) >= KNOWN_FINDINGS:
                        self._known_findings.pop(next(iter(self._known_findings)))
                    self._known_findings[key] = known
        return [dataclasses.replace(finding) for finding in known]  # each its own count and request

    def adopt(self, settings: Settings) -> None:
        """Judge this run by `settings`: its severities, also for findings merged from workers or shards before."""
        self.settings = settings
        self.drift.policy = SeverityPolicy(dict(settings.severity))
        for finding in self.drift.findings.values():
            finding.severity = self.drift.policy.of(finding.kind.value)

    @property
    def unexcused_failures(self) -> set[str]:
        """Failed checks no known deviation excuses: they make NO-GO."""
        return self.failed_checks - self.known.known_checks

    def not_run(self, catalog: Iterable[str]) -> list[str]:
        """Checks of the catalog that no test of this run held (deselected, or never collected)."""
        return sorted(set(catalog) - self.ran)

    def note_silence(self, key: str, *, entry: str, observed: str) -> None:
        """Record what the target does where the docs are silent (register `entry`): reported, never failed on."""
        with self._lock:
            self.silences[key] = {"entry": entry, "observed": observed}

    def begin_test(self, family: str, *, mode: str = "positive") -> None:
        """A test starts: its exchanges are collected afresh."""
        self.family, self.mode = family, mode
        self.current, self.test_hits = deque(maxlen=RECENT_EXCHANGES), 0

    def record(self, check: Check, outcome: str, *, reason: str = "", test: str = "") -> None:
        """One test of `check` ended: `passed`, `failed`, `not_checked` or `skipped` (the last two with the reason)."""
        self.outcomes[outcome] += 1
        self.ran.add(check.id)
        if outcome == "failed":
            self.failed_checks.add(check.id)
            self.failed_tests[check.id] += 1
        for operation in check.operations:
            tally = self.tallies.setdefault((operation, check.family.value), Tally())
            setattr(tally, outcome, getattr(tally, outcome) + 1)
        if outcome in ("not_checked", "skipped"):
            self.unchecked.append(Unchecked(check.id, check.operations, check.docs, reason, test, outcome))

    def export(self) -> dict[str, object]:
        """What a parallel worker saw, as plain data for the controller (PII included: same machine)."""
        redactor = self.redactor
        return {
            "exit_reason": self.exit_reason,
            "exit_message": self.exit_message,
            "target_label": self.target_label,
            "responses": self.drift.responses,
            "findings": [{**f.as_dict(), "kind": f.kind.value} for f in self.drift.findings.values()],
            "shapes": self.shapes.export(),
            "requests": [[op, family, n] for (op, family), n in self.requests.items()],
            "parameters_seen": {op: sorted(names) for op, names in self.parameters_seen.items()},
            "flaky": self.flaky,
            "skipped_for_budget": self.skipped_for_budget,
            "traffic": self.traffic.export(),
            "data": self.data,
            "silences": self.silences,
            "positive_cases": [[op, hit, n] for (op, hit), n in self.positive_cases.items()],
            "secrets": sorted(redactor.secrets) if redactor else [],
            "pii": redactor.pii if redactor else {},
        }

    def merge(self, data: dict[str, Any]) -> None:
        """Add a worker's export to this record."""
        if data.get("exit_reason") and not self.exit_reason:
            self.exit_reason, self.exit_message = data["exit_reason"], data["exit_message"]
        self.target_label = self.target_label or data["target_label"]
        self.drift.responses += data["responses"]
        for f in data["findings"]:
            finding = DriftFinding(f["operation"], f["status"], f["path"], DriftKind(f["kind"]), f["expected"], f["observed"], f["count"], f["request"], f.get("docs", []))
            known = self.drift.findings.get(finding.key)
            if known is None:
                finding.severity = self.drift.policy.of(finding.kind.value)
                self.drift.findings[finding.key] = finding
            else:
                known.count += finding.count
        self.shapes.merge(data["shapes"])
        for op, family, n in data["requests"]:
            self.requests[(op, family)] += n
        for op, names in data["parameters_seen"].items():
            self.parameters_seen.setdefault(op, set()).update(names)
        self.flaky += data["flaky"]
        self.skipped_for_budget += data["skipped_for_budget"]
        self.traffic.merge(data["traffic"])
        self.data = self.data or data.get("data", {})
        self.silences.update(data.get("silences", {}))
        for op, hit, n in data.get("positive_cases", []):
            self.positive_cases[(op, hit)] += n
        if self.redactor is None:  # the controller of workers builds its own later: keep these for it
            self.redactor = Redactor()
        self.redactor.secrets.update(data["secrets"])
        self.redactor.pii.update(data["pii"])


def _reaches_data(exchange: Exchange, document: Any, row: OperationRow | None) -> bool:
    """A 2xx answer that carries a coupon (or, from isredeemable, which lists none, a successful item):
    the case reached real data, not "not found"."""
    if not 200 <= exchange.response.status_code < 300 or not isinstance(document, dict) or row is None:
        return False
    if row.coupons_at:
        return bool(row.coupons_in(document))
    items = items_at(document, "response.coupons.redeemable")  # one item or a list of them: the page prints one
    items = [i for item in items for i in (item if isinstance(item, list) else [item])]
    return any(isinstance(i, dict) and (i.get("item_status") or {}).get("success") == "true" for i in items)
