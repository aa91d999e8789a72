"""What a finished run prints: the verdict line, its first causes, what was not checked and why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .usage import EXIT_INCOMPLETE, EXIT_OK, EXIT_TARGET_UNAVAILABLE, EXIT_USAGE, EXIT_VIOLATIONS

__all__ = ["VERDICTS", "print_verdict"]

VERDICTS = {
    EXIT_OK: "GO: the target honours the contract",
    EXIT_VIOLATIONS: "NO-GO: contract violations found",
    EXIT_INCOMPLETE: "INCOMPLETE: nothing broke, but documented behaviour could not be checked",
    EXIT_USAGE: "not run: usage or configuration error",
    EXIT_TARGET_UNAVAILABLE: "not judged: the target could not be used",
}


def print_verdict(result: int, state: Any, reports: Path) -> None:
    """The verdict line of a run whose record is `state`, then its first errors (findings that block GO) and what was not checked."""
    drift = state.drift
    levels = drift.counts()
    known_errors = sum(1 for f in drift.findings.values() if f.is_error and f.known is not None)
    errors = f"{levels['error']} error" + (f" ({known_errors} known)" if known_errors else "")
    counts = f"; drift: {errors}, {levels['warning']} warning, {levels['info']} info in {drift.responses} responses" if drift.responses else ""
    flaky = f"; {len(state.flaky)} flaky request(s) passed after retries" if state.flaky else ""
    budget = f"; the request budget ran out (COUPON_API_MAX_REQUESTS), {state.skipped_for_budget} check(s) not run" if state.skipped_for_budget else ""
    why = f": {state.exit_message}" if state.exit_reason == "target" else ""
    tests = state.outcomes
    skipped = f", {tests['skipped']} skipped" if tests["skipped"] else ""
    excused = len(state.failed_checks & state.known.known_checks)
    known_tests = sum(state.failed_tests[c] for c in state.failed_checks & state.known.known_checks)
    known = f" ({known_tests} known)" if excused else ""  # tests, as the count it qualifies
    checks = f"; tests: {tests['passed']} passed, {tests['failed']} failed{known}, {tests['not_checked']} not checked{skipped}" if tests else ""
    verdict = "NO-GO: the request budget ran out before every check ran" if state.skipped_for_budget and result == EXIT_VIOLATIONS and not state.failed_checks else VERDICTS.get(result, "internal error")
    if result in (EXIT_OK, EXIT_INCOMPLETE) and (excused or any(f.known for f in drift.findings.values() if f.is_error)):
        verdict += ", known deviations aside (see signoff.md)"
    if result == EXIT_VIOLATIONS and state.known.expired and not state.unexcused_failures and not drift.breaking:
        verdict = "NO-GO: a known deviation is past the day it was to be fixed by"
    shard = state.settings.shard if state.settings is not None else None
    if shard is not None and result == EXIT_OK:  # a share of the checks decides nothing alone
        verdict = f"shard {shard[0]}/{shard[1]} done, nothing broke in its share: `coupon-contracts merge` the shards' reports for the verdict"
    print(f"coupon-contracts: {verdict} (exit {result}){why}{checks}{counts}{flaky}{budget}; reports in {reports}/")
    known = state.known
    if known.matched or known.expired or known.stale or known.unexercised:
        matched = [f"{i} {known.entries[i].ticket}" for i in known.matched]
        parts = [f"{len(matched)} matched ({', '.join(matched[:10])}{f' and {len(matched) - 10} more' if len(matched) > 10 else ''})"] if matched else []
        expired = [f"{e.id} ({e.ticket}, {e.expires.isoformat()})" for e in known.expired]
        parts += [f"EXPIRED: {', '.join(expired[:10])}{f' and {len(expired) - 10} more' if len(expired) > 10 else ''}"] if expired else []
        parts += [f"{len(known.stale)} stale, matched nothing: {_ids(known.stale)}"] if known.stale else []
        parts += [f"{len(known.unexercised)} not exercised (check or operation not run): {_ids(known.unexercised)}"] if known.unexercised else []
        print(f"coupon-contracts: known deviations: {'; '.join(parts)}")
    warnings = [f for f in drift.sorted() if f.severity is not None and f.severity.value == "warning"]
    for level, shown in (("error", drift.breaking[:3]), ("warning", warnings[:3])):  # the cause, named on the console: the first errors, then warnings
        for finding in shown:
            where = f"{finding.operation} {finding.status} at {finding.path or '(body)'}"
            observed = state.redactor.text(finding.observed) if state.redactor is not None else finding.observed
            print(f"coupon-contracts: {level} ({finding.count}x): {where}: {finding.kind.value}: {observed[:200]}")
    by_reason: dict[tuple[str, str], list[str]] = {}
    for unchecked in state.unchecked if state.exit_reason is None else ():  # one root cause often leaves many checks unchecked: say it once
        by_reason.setdefault((unchecked.outcome.replace("_", " "), unchecked.reason), []).append(unchecked.check)
    for (outcome, reason), ids in list(by_reason.items())[:8]:
        names = ", ".join(ids[:3]) + (f" and {len(ids) - 3} more" if len(ids) > 3 else "")
        print(f"coupon-contracts: {outcome} ({len(ids)}): {reason} [{names}]")
    if len(by_reason) > 8:
        print(f"coupon-contracts: ... and {len(by_reason) - 8} more reasons: see signoff.md")
    traffic = state.traffic.summary()
    if traffic["requests"] and state.settings is not None and state.settings.workers > 1:  # how well --workers was used
        print(f"coupon-contracts: {traffic['requests']} requests in {traffic['seconds']} s, {traffic['mean_in_flight']} in flight on average "
              f"(--workers {state.settings.workers}), {traffic['mean_latency_ms']} ms each")  # fmt: skip


def _ids(entries: Any) -> str:
    """The first ids of a list of entries: a file of thousands must not make a line of thousands."""
    ids = [e.id for e in entries]
    return ", ".join(ids[:10]) + (f" and {len(ids) - 10} more (signoff.md lists them)" if len(ids) > 10 else "")
