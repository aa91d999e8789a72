"""signoff.md and signoff.json: what a release sign-off needs on one page, ending in GO or NO-GO."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .. import __version__
from ..contract import Contract
from ..fields import documented_fields
from ..redaction import Redactor
from ..run_record import RunRecord

__all__ = ["build_signoff", "documented_parameters", "write_signoff"]

FAMILIES = ("schema", "filters", "consistency", "errors", "security")


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
                families[family] = {"requests": requests, "passed": tally.passed if tally else 0, "failed": tally.failed if tally else 0}
        findings = [f for f in record.drift.findings.values() if f.operation == op.label]
        documented = documented_parameters(contract, op.operation_id)
        seen_params = documented & record.parameters_seen.get(op.operation_id, set())
        fields = set(documented_fields(contract, op.responses["200"].schema_uri)) if "200" in op.responses else set()
        observed = set(record.shapes.operations.get(op.label, {}).get("200", {}))
        operations.append(
            {
                "operation": op.label,
                "operationId": op.operation_id,
                "checks": families,
                "drift": {
                    "breaking": sum(1 for f in findings if f.severity.value == "breaking"),
                    "non-breaking": sum(1 for f in findings if f.severity.value == "non-breaking"),
                },
                "parameters_exercised": {"share": _share(seen_params, documented), "missing": sorted(documented - seen_params)},
                "fields_observed": {"share": _share(fields & observed, fields), "missing": sorted(fields - observed)},
            }
        )
    reasons = _reasons(operations, exit_code, outage)
    if record.skipped_for_budget:
        reasons.append(f"the request budget ran out: {record.skipped_for_budget} test(s) skipped (COUPON_API_MAX_REQUESTS)")
    return {
        "format": 1,
        "verdict": "GO" if not reasons else "NO-GO",
        "reasons": reasons or ["every check passed and no breaking drift was found"],
        "target": record.target_label,
        "time": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "contract": contract.fingerprint,
        "profile": settings.profile.name if settings else None,
        "seed": settings.seed if settings else None,
        "suite_version": __version__,
        "responses": record.drift.responses,
        "traffic": record.traffic.summary() | {"workers": settings.workers if settings else 1},
        "operations": operations,
        "flaky": record.flaky,
    }


def _share(part: set[str], whole: set[str]) -> float:
    return round(len(part) / len(whole), 4) if whole else 1.0


def _reasons(operations: list[dict[str, Any]], exit_code: int, outage: str | None) -> list[str]:
    reasons = []
    if outage:
        reasons.append(f"the target could not be used: {outage}")
    for op in operations:
        failed = {family: c["failed"] for family, c in op["checks"].items() if c["failed"]}
        if failed:
            reasons.append(f"{op['operation']}: failed checks ({', '.join(f'{k} {v}' for k, v in failed.items())})")
        if op["drift"]["breaking"]:
            reasons.append(f"{op['operation']}: {op['drift']['breaking']} breaking drift finding(s)")
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
        "",
        "## Per operation",
        "",
        "| operation | family | requests | passed | failed |",
        "|---|---|---|---|---|",
    ]
    for op in doc["operations"]:
        for family, c in op["checks"].items():
            lines.append(f"| {op['operation']} | {family} | {c['requests']} | {c['passed']} | {c['failed']} |")
    lines += ["", "| operation | drift breaking | drift non-breaking | parameters exercised | response fields observed |", "|---|---|---|---|---|"]
    for op in doc["operations"]:
        params, fields = op["parameters_exercised"], op["fields_observed"]
        lines.append(f"| {op['operation']} | {op['drift']['breaking']} | {op['drift']['non-breaking']} | {params['share']:.0%} | {fields['share']:.0%} |")
    unexercised = [f"- {op['operation']}: parameters never sent: {', '.join(op['parameters_exercised']['missing'])}" for op in doc["operations"] if op["parameters_exercised"]["missing"]]
    unobserved = [f"- {op['operation']}: {len(op['fields_observed']['missing'])} documented 200 fields never seen (e.g. {', '.join(op['fields_observed']['missing'][:3])})" for op in doc["operations"] if op["fields_observed"]["missing"]]
    if unexercised or unobserved:
        lines += ["", "## Not exercised", "", *unexercised, *unobserved]
    if doc["flaky"]:
        lines += ["", f"## Flaky requests ({len(doc['flaky'])})", "", "Passed, but only after retries:", ""]
        lines += [f"- {f['operation']}: {f['attempts']} tries ({', '.join(f['reasons'])}): `{f['request']}`" for f in doc["flaky"][:50]]
    return "\n".join(lines) + "\n"
