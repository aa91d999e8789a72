"""What a run adds to allure-pytest's results: labels, failure attachments, a drift summary, a scrub.

Labels: epic = API version, feature = operation, story = check family, severity from the family.
On a failure the test's requests are attached as curl lines (credentials removed), their bodies
(PII masked), their drift findings and the response schema. After the run every result file is
passed through the redactor once more: the write boundary has no side door.
"""

from __future__ import annotations

import html
import json
import time
import uuid
from pathlib import Path
from typing import Any

import allure
import pytest

from ..contract import Contract
from ..drift import findings_for
from ..redaction import Redactor
from ..target import Exchange

__all__ = ["DRIFT_SUMMARY_ID", "KNOWN_TAG", "SEVERITIES", "attach_failure", "label_markers", "scrub_folder", "write_drift_summary"]

CHECK_TAG = "check: "  # the tag that names a result's check, for marking known deviations after the run
KNOWN_TAG = "known deviation: "
DRIFT_SUMMARY_ID = "coupon-contracts-drift-summary"  # the historyId of the run's drift summary result
SEVERITIES = {"schema": "critical", "security": "critical", "errors": "normal", "filters": "normal", "consistency": "normal"}
MAX_ATTACHED_EXCHANGES = 3


def label_markers(family: str | None, operation_ids: tuple[str, ...], contract: Contract, *, docs: tuple[str, ...] = (), check: str = "") -> list[pytest.MarkDecorator]:
    """allure-pytest label marks for a test of `family` over `operation_ids`; each doc citation a tag, and its check."""
    marks = [pytest.mark.allure_label(f"docs: {citation}", label_type="tag") for citation in docs]
    marks += [pytest.mark.allure_label(f"{CHECK_TAG}{check}", label_type="tag")] if check else []
    operations = [contract.operations[o] for o in operation_ids if o in contract.operations]
    for version in sorted({op.api_version for op in operations}):
        marks.append(pytest.mark.allure_label(version, label_type="epic"))
    for op in operations:
        marks.append(pytest.mark.allure_label(op.label, label_type="feature"))
    if family:
        marks.append(pytest.mark.allure_label(family, label_type="story"))
        marks.append(pytest.mark.allure_label(SEVERITIES.get(family, "normal"), label_type="severity"))
    return marks


def mark_known(results_dir: Path, known: dict[str, Any]) -> int:
    """Mark the results of failed checks a known deviation excuses (check id -> entry): Allure's `known`
    status detail, and a tag with the entry and its ticket. Returns how many results were marked.

    Marks already there (a shard's, judged by its own file) are replaced: the merging run's file decides."""
    marked = 0
    for path in results_dir.glob("*-result.json"):
        result = json.loads(path.read_text(encoding="utf-8"))
        labels = result.get("labels", [])
        checks = [label["value"].removeprefix(CHECK_TAG) for label in labels if str(label.get("value", "")).startswith(CHECK_TAG)]
        entry = next((known[c] for c in checks if c in known), None)
        earlier = [label for label in labels if str(label.get("value", "")).startswith(KNOWN_TAG)]
        was_marked = bool(earlier) or bool((result.get("statusDetails") or {}).get("known"))
        result["labels"] = [label for label in labels if label not in earlier]
        (result.get("statusDetails") or {}).pop("known", None)
        mark = entry is not None and result.get("status") in ("failed", "broken")
        if entry is not None and mark:
            result.setdefault("statusDetails", {})["known"] = True
            result["labels"].append({"name": "tag", "value": f"{KNOWN_TAG}{entry.id} ({entry.ticket}, until {entry.expires.isoformat()})"})
            marked += 1
        if mark or was_marked:
            path.write_text(json.dumps(result), encoding="utf-8")
    return marked


def attach_failure(exchanges: list[Exchange], contract: Contract, redactor: Redactor, *, docs: tuple[str, ...] = ()) -> None:
    """Attach the failing test's doc citations, last requests, bodies, findings and response schemas to its result."""
    if docs:
        allure.attach("\n".join(f"docs: {citation}" for citation in docs), name="docs (the vendor's lines this check holds)", attachment_type=allure.attachment_type.TEXT)
    for number, exchange in enumerate(exchanges[-MAX_ATTACHED_EXCHANGES:], 1):
        response = exchange.response
        allure.attach(redactor.curl(exchange.request), name=f"request {number} (curl)", attachment_type=allure.attachment_type.TEXT)
        parsed = exchange.parsed  # the run's one parse: no second one, and no RecursionError on a deep body
        if parsed.shape is not None:
            body, kind = json.dumps(redactor.json(parsed.document), indent=2), allure.attachment_type.JSON
        else:
            body, kind = redactor.text(response.text[:20000]), allure.attachment_type.TEXT
        allure.attach(body, name=f"response {number}: {response.status_code}", attachment_type=kind)
        content_type = response.headers.get("content-type", "")
        findings = findings_for(contract, exchange.operation_id, response.status_code, content_type, response.content, refused=exchange.refused, parsed=exchange.parsed)
        if findings:
            found = [redactor.json(f.as_dict()) for f in findings]
            allure.attach(json.dumps(found, indent=2), name=f"drift findings {number}", attachment_type=allure.attachment_type.JSON)
        documented = contract.operations[exchange.operation_id].response_for(response.status_code) if exchange.operation_id in contract.operations else None
        if documented and documented.schema_uri:
            schema = contract.registry.resolver().lookup(documented.schema_uri).contents
            allure.attach(json.dumps(schema, indent=2), name=f"response schema {number} ({documented.status})", attachment_type=allure.attachment_type.JSON)


def releases_html(rows: list[dict[str, Any]]) -> str:
    """The sign-off's release-after-release rows as an HTML table: the drift counts of each release, in the page."""
    head = ("release", "time", "verdict", "failed tests", "drift error", "warning", "info")
    keys = ("release", "time", "verdict", "failed", "error", "warning", "info")
    cells = "".join("<tr>" + "".join(f"<td>{html.escape(str(row.get(k, '')))}</td>" for k in keys) + "</tr>" for row in rows)
    return f"<p>Release after release (newest first; signoff.md has the same table)</p><table><tr>{''.join(f'<th>{h}</th>' for h in head)}</tr>{cells}</table>"


def write_drift_summary(results_dir: Path, drift_markdown: str, breaking: int, *, releases: list[dict[str, Any]] | None = None) -> None:
    """A result named 'Schema drift summary' carrying drift.md, failed when anything breaking drifted;
    `releases`: the history's rows, shown as its description."""
    results_dir.mkdir(parents=True, exist_ok=True)
    attachment = f"{uuid.uuid4()}-attachment.md"
    (results_dir / attachment).write_text(drift_markdown, encoding="utf-8")
    now = int(time.time() * 1000)
    result: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "historyId": DRIFT_SUMMARY_ID,
        "name": "Schema drift summary",
        "fullName": "coupon-contracts.drift.summary",
        "status": "failed" if breaking else "passed",
        "statusDetails": {"message": f"[schema] {breaking} breaking drift finding(s); see drift.md"} if breaking else {},
        "stage": "finished",
        "start": now,
        "stop": now,
        "labels": [{"name": "story", "value": "schema"}, {"name": "feature", "value": "drift"}, {"name": "severity", "value": "critical"}],
        "attachments": [{"name": "drift.md", "source": attachment, "type": "text/markdown"}],
        **({"descriptionHtml": releases_html(releases)} if releases else {}),
    }
    (results_dir / f"{result['uuid']}-result.json").write_text(json.dumps(result), encoding="utf-8")


def scrub_folder(folder: Path, redactor: Redactor) -> int:
    """Pass every text file under `folder` through the redactor; return how many changed."""
    changed = 0
    for path in folder.rglob("*"):
        if not path.is_file() or path.stat().st_size > 50_000_000:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        scrubbed = redactor.text(text)
        if scrubbed != text:
            path.write_text(scrubbed, encoding="utf-8")
            changed += 1
    return changed
