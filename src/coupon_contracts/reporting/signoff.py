"""signoff.md and signoff.json: what a release sign-off needs on one page, ending in GO, NO-GO or INCOMPLETE."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .. import __version__
from ..checks import CHECKS, CheckFamily
from ..contract import Contract
from ..fields import documented_fields
from ..history import NO_LABEL
from ..redaction import Redactor
from ..run_record import RunRecord
from ..verdict import Verdict

__all__ = ["build_signoff", "documented_parameters", "write_signoff"]

FAMILIES = tuple(f.value for f in CheckFamily)


def documented_parameters(contract: Contract, operation_id: str) -> set[str]:
    """Wire names of every documented parameter of an operation (exploded objects' properties too)."""
    names: set[str] = set()
    for param in contract.operations[operation_id].parameters:
        schema = param.get("schema", {})
        if param.get("explode") and schema.get("type") == "object":
            names.update(schema.get("properties", {}))
        else:
            names.add(param["name"])
    return names


def build_signoff(record: RunRecord, contract: Contract, *, exit_code: int, outage: str | None = None) -> dict[str, Any]:
    """The sign-off document of a finished run."""
    settings = record.settings
    operations = []
    for op in contract.operations.values():
        families = {}
        for family in FAMILIES:
            tally = record.tallies.get((op.operation_id, family))
            requests = record.requests.get((op.operation_id, family), 0)
            if tally or requests:
                families[family] = {
                    "requests": requests,
                    "passed": tally.passed if tally else 0,
                    "failed": tally.failed if tally else 0,
                    "not_checked": tally.not_checked if tally else 0,
                    "skipped": tally.skipped if tally else 0,
                }
        findings = [f for f in record.drift.findings.values() if f.operation == op.label]
        documented = documented_parameters(contract, op.operation_id)
        seen_params = documented & record.parameters_seen.get(op.operation_id, set())
        schema_uri = op.responses["200"].schema_uri if "200" in op.responses else None
        fields = set(documented_fields(contract, schema_uri)) if schema_uri else set()
        observed = set(record.shapes.operations.get(op.label, {}).get("200", {}))
        operations.append(
            {
                "operation": op.label,
                "operationId": op.operation_id,
                "checks": families,
                "drift": {level: sum(1 for f in findings if f.severity is not None and f.severity.value == level) for level in ("error", "warning", "info")},
                "parameters_exercised": {"share": _share(seen_params, documented), "missing": sorted(documented - seen_params)},
                "fields_observed": {"share": _share(fields & observed, fields), "missing": sorted(fields - observed)},
            }
        )
    reasons = _reasons(record, operations, exit_code, outage)
    if record.skipped_for_budget:
        reasons.append(f"the request budget ran out: {record.skipped_for_budget} test(s) skipped (COUPON_API_MAX_REQUESTS)")
    verdict = record.verdict or Verdict.of(record, exit_code)
    left_out = record.not_run(CHECKS)
    if verdict is Verdict.INCOMPLETE:
        reasons = [f"{len(record.unchecked)} documented behaviour(s) could not be checked: see 'Not checked'"] if record.unchecked else []
        if left_out:
            reasons.append(f"{len(left_out)} check(s) did not run (left out with COUPON_CONTRACTS_OPERATIONS or pytest -k, or not collected): {', '.join(left_out[:5])}{' ...' if len(left_out) > 5 else ''}")
    return {
        "format": 2,
        "verdict": verdict.value,
        "reasons": reasons or [_all_held(record)],
        "failed_checks": sorted(record.failed_checks),
        "excused_checks": sorted(record.failed_checks & record.known.known_checks),  # failed, and a known deviation
        "known_deviations": record.known.as_dict(str(record.known_deviations.source) if record.known_deviations and record.known_deviations.source else ""),
        "not_checked": [{"check": u.check, "operations": list(u.operations), "docs": list(u.docs), "reason": u.reason, "test": u.test, "outcome": u.outcome} for u in record.unchecked],
        "left_out": left_out,
        "data_health": _data_health(record),
        "docs_silent": [{"observation": key, **value} for key, value in sorted(record.silences.items())],
        "target": record.target_label,
        "time": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "contract": contract.fingerprint,
        "severity_overrides": {kind: level.value for kind, level in settings.severity} if settings else {},  # COUPON_CONTRACTS_SEVERITY
        "profile": settings.profile.name if settings else None,
        "seed": settings.seed if settings else None,
        "suite_version": __version__,
        "responses": record.drift.responses,
        "traffic": record.traffic.summary() | {"workers": settings.workers if settings else 1},
        "operations": operations,
        "flaky": record.flaky,
    }


def _release_sections(releases: dict[str, Any] | None) -> list[str]:
    """Since the last release (new, fixed, unchanged) and the releases before, from the history."""
    if not releases:
        return []
    this = f"This run: release {releases['label']}." if releases.get("label") else "This run has no release label (COUPON_API_RELEASE gives one)."
    lines = ["", "## Since the last release", "", this, ""]
    since = releases["since_last_release"]
    if since is None:
        lines.append(f"The first run in the history (`{releases['history']}`): nothing to compare with yet.")
    else:
        before = since["previous"]
        named = f"release {_md(before['release'])}" if before["release"] != NO_LABEL else "the unlabelled run"
        differs = f" It used profile {before['profile']}, this run {since['profile']}: counts and shapes differ by design." if before.get("profile") and before["profile"] != since.get("profile") else ""
        lines += [f"Compared with {named} of {before['time']} ({before['verdict']}).{differs}", ""]
        for title, key in (("Findings (errors and warnings)", "findings"), ("Failed checks", "failed_checks")):
            part, known = since[key], set(since[key].get("known", []))
            unseen = f", {len(part['not_compared'])} not compared (this run did not check them again)" if part.get("not_compared") else ""
            lines.append(f"- {title}: {len(part['new'])} new, {len(part['fixed'])} fixed, {len(part['unchanged'])} unchanged{unseen}")
            lines += [f"  - {label.replace('_', ' ')}: {item}{' (known deviation)' if item in known else ''}" for label in ("new", "fixed", "not_compared") for item in part.get(label, [])[:20]]
            lines += [f"  - unchanged, a known deviation: {item}" for item in part["unchanged"][:20] if item in known]
        shapes, back = since["shape_changes"], since.get("back_to_the_contract", [])
        lines.append("- Shape changes (errors and warnings): " + ("the previous run's shapes are no longer kept" if shapes is None else f"{len(shapes)}" + (":" if shapes else "")))
        lines += [f"  - {line}" for line in (shapes or [])[:20]]
        lines += [f"- Back to the contract (a finding of that run fixed): {len(back)}:"] + [f"  - {line}" for line in back[:20]] if back else []
        lines += [f"- Not compared: {operation} (this run did not exercise it)" for operation in since.get("not_compared", [])]
    lines += ["", "## Release after release", "", "| release | time | verdict | failed tests | drift error | warning | info |", "|---|---|---|---|---|---|---|"]
    lines += [f"| {_md(r['release'])} | {r['time']} | {r['verdict']} | {r['failed']} | {r['error']} | {r['warning']} | {r['info']} |" for r in releases["releases"]]
    return lines


def _known_section(known: dict[str, Any]) -> list[str]:
    """The known deviations: matched (with tickets), expired (NO-GO), stale (matched nothing)."""
    if not (known["matched"] or known["expired"] or known["stale"] or known.get("not_exercised") or known.get("for_diff")):
        return []
    def say(d: dict[str, Any], day: str = "until") -> str:
        return f"`{_md(d['id'])}` ({_md(d['ticket'])}, {day} {d['expires']}): {_md(d['reason'])}"

    lines = ["", "## Known deviations", "", f"From `{known['file']}`.", ""]
    lines += [f"- known, matched {d['count']}x: {say(d)}" for d in known["matched"]]
    lines += [f"- **expired** (makes NO-GO): {say(d, 'due')}" for d in known["expired"]]
    lines += [f"- stale (matched nothing in this run): {say(d)}" for d in known["stale"]]
    lines += [f"- not exercised (its check or operation did not run here: neither matched nor stale): {say(d)}" for d in known.get("not_exercised", [])]
    lines += [f"- for `diff` (a change between runs, which a run does not meet): {say(d)}" for d in known.get("for_diff", [])]
    return lines


def _md(text: object) -> str:
    """Text from a file a person wrote (a ticket, a reason, a release in the history) as markdown shows it:
    a `|` would end a table cell, a `<b>` would be read as HTML."""
    return str(text).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _all_held(record: RunRecord) -> str:
    """The reason of a GO: every check held, or failed only as a known deviation (said, never hidden)."""
    excused = sorted(record.failed_checks & record.known.known_checks)
    known_errors = sum(1 for f in record.drift.findings.values() if f.is_error and f.known is not None)
    if not excused and not known_errors:
        return f"all {len(CHECKS)} checks ran on real data and held; no breaking drift was found"
    aside = [f"{len(excused)} failed check(s) ({', '.join(excused[:5])}{' ...' if len(excused) > 5 else ''})"] if excused else []
    aside += [f"{known_errors} error finding(s)"] if known_errors else []
    return f"all {len(CHECKS)} checks ran on real data; {' and '.join(aside)} are known deviations (see Known deviations), the rest held"


def _data_health(record: RunRecord) -> dict[str, Any]:
    """What share of positive generated cases reached real data, and what the test customers lack."""
    cases: dict[str, dict[str, int]] = {}
    for (operation, hit), count in record.positive_cases.items():
        cases.setdefault(operation, {"hit": 0, "miss": 0})[hit] += count
    reach = {op: {**c, "share": round(c["hit"] / (c["hit"] + c["miss"]), 4) if c["hit"] + c["miss"] else 0.0} for op, c in sorted(cases.items())}
    return {"positive_cases": reach, "customers": record.data.get("customers", []), "lacking": record.data.get("lacking", [])}


def _share(part: set[str], whole: set[str]) -> float:
    return round(len(part) / len(whole), 4) if whole else 1.0


def _reasons(record: RunRecord, operations: list[dict[str, Any]], exit_code: int, outage: str | None) -> list[str]:
    reasons = []
    if outage:
        reasons.append(f"the target could not be used: {outage}")
    for op in operations:
        failed = sorted(c for c in record.unexcused_failures if c in {c.id for c in CHECKS.values() if op["operationId"] in c.operations})
        if failed:
            reasons.append(f"{op['operation']}: failed checks: {', '.join(failed)}")
        blocking = sum(1 for f in record.drift.breaking if f.operation == op["operation"])
        if blocking:
            reasons.append(f"{op['operation']}: {blocking} drift finding(s) of severity error")
    for entry in record.known.expired:
        reasons.append(f"known deviation {entry.id} ({entry.ticket}) expired on {entry.expires.isoformat()}: the vendor was to fix it by then; fix, extend or remove the entry")
    if exit_code not in (0, 1) and not outage:
        reasons.append(f"the run did not complete (exit {exit_code})")
    if exit_code == 1 and not reasons:
        reasons.append("checks failed (see junit.xml)")
    return reasons


def write_signoff(document: dict[str, Any], folder: Path, redactor: Redactor) -> None:
    """Write signoff.json and signoff.md (through the redactor)."""
    document = redactor.json(document)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "signoff.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    (folder / "signoff.md").write_text(_markdown(document), encoding="utf-8")


def _markdown(doc: dict[str, Any]) -> str:
    lines = [
        f"# Sign-off: {doc['verdict']}",
        "",
        f"- Target: {doc['target']}",
        f"- Time: {doc['time']}",
        f"- Contract: `{doc['contract'][:12]}` (coupon-contracts {doc['suite_version']})",
        f"- Profile: {doc['profile']}, seed {doc['seed']}",
        f"- Responses checked: {doc['responses']}",
        "",
        "## Verdict",
        "",
        f"**{doc['verdict']}**",
        "",
        *[f"- {reason}" for reason in doc["reasons"]],
        *([f"- Judged with severities changed by the severity setting (COUPON_CONTRACTS_SEVERITY, --severity or coupon-contracts.toml): {', '.join(f'{k}={v}' for k, v in doc['severity_overrides'].items())}"
           " (the defaults are in docs/drift.md)"] if doc.get("severity_overrides") else []),
        "",
        "## Per operation",
        "",
        "| operation | family | requests | passed | failed | not checked | skipped |",
        "|---|---|---|---|---|---|---|",
    ]
    for op in doc["operations"]:
        for family, c in op["checks"].items():
            lines.append(f"| {op['operation']} | {family} | {c['requests']} | {c['passed']} | {c['failed']} | {c['not_checked']} | {c['skipped']} |")
    if doc["not_checked"]:
        lines += ["", f"## Not checked ({len(doc['not_checked'])})", "", "Documented behaviour this run could not check (or skipped), and what would let it run:", ""]
        lines += [f"- `{u['check']}` ({', '.join(u['operations'])}){' skipped' if u['outcome'] == 'skipped' else ''}: {u['reason']} (docs: {', '.join(u['docs'])})" for u in doc["not_checked"]]
    if doc["left_out"]:
        lines += ["", f"## Did not run ({len(doc['left_out'])})", "", *[f"- `{c}`" for c in doc["left_out"]]]
    lines += _known_section(doc["known_deviations"])
    lines += _release_sections(doc.get("releases"))
    if doc["docs_silent"]:
        lines += ["", "## Where the docs are silent (observed, not judged)", ""]
        lines += [f"- {s['observation']} ({s['entry']}): {s['observed']}" for s in doc["docs_silent"]]
    health = doc["data_health"]
    if health["positive_cases"] or health["customers"]:
        lines += ["", "## Data health", "", "| operation | positive cases on real data | share |", "|---|---|---|"]
        lines += [f"| {op} | {c['hit']} of {c['hit'] + c['miss']} | {c['share']:.0%} |" for op, c in health["positive_cases"].items()]
        lines += ["", *[f"- customer {c['id']} ({c['via']}): {c['coupons']} coupons by-id, {c['listed']} on the v1.1 list, {c['live']} live, {c['redeemed']} redeemed, "
                        f"{c['store_restricted']} store-restricted, {c['mixed_case']} with lower/mixed-case codes" for c in health["customers"]]]  # fmt: skip
        lines += [f"- lacking: {item}" for item in health["lacking"]]
    lines += ["", "| operation | drift error | warning | info | parameters exercised | response fields observed |", "|---|---|---|---|---|---|"]
    for op in doc["operations"]:
        params, fields = op["parameters_exercised"], op["fields_observed"]
        drift = op["drift"]
        lines.append(f"| {op['operation']} | {drift['error']} | {drift['warning']} | {drift['info']} | {params['share']:.0%} | {fields['share']:.0%} |")
    unexercised = [f"- {op['operation']}: parameters never sent: {', '.join(op['parameters_exercised']['missing'])}" for op in doc["operations"] if op["parameters_exercised"]["missing"]]
    unobserved = [f"- {op['operation']}: {len(op['fields_observed']['missing'])} documented 200 fields never seen (e.g. {', '.join(op['fields_observed']['missing'][:3])})" for op in doc["operations"] if op["fields_observed"]["missing"]]
    if unexercised or unobserved:
        lines += ["", "## Not exercised", "", *unexercised, *unobserved]
    if doc["flaky"]:
        lines += ["", f"## Flaky requests ({len(doc['flaky'])})", "", "Passed, but only after retries:", ""]
        lines += [f"- {f['operation']}: {f['attempts']} tries ({', '.join(f['reasons'])}): `{f['request']}`" for f in doc["flaky"][:50]]
    return "\n".join(lines) + "\n"
