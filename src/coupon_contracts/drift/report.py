"""drift.json and drift.md: the run's findings, errors first, every value already redacted."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..redaction import Redactor
from .finding import DriftLog

__all__ = ["write_drift_report"]

FORMAT_VERSION = 2  # 2: three severities (error, warning, info) instead of breaking / non-breaking


def write_drift_report(log: DriftLog, folder: Path, *, target: str, contract_hash: str, redactor: Redactor) -> dict[str, Any]:
    """Write drift.json and drift.md under `folder`; return the JSON document."""
    findings = [redactor.json(f.as_dict()) for f in log.sorted()]
    document = {
        "format": FORMAT_VERSION,
        "generated": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "target": redactor.text(target),
        "contract": contract_hash,
        "responses": log.responses,
        "summary": {**log.counts(), "breaking": len(log.breaking)},  # breaking: the errors, which block GO
        "severities": log.policy.as_dict(),
        "findings": findings,
    }
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "drift.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    (folder / "drift.md").write_text(_markdown(document), encoding="utf-8")
    return document


def _markdown(document: dict[str, Any]) -> str:
    summary = document["summary"]
    lines = [
        "# Schema drift",
        "",
        f"Target: {document['target']}  ",
        f"Contract: `{document['contract'][:12]}`  ",
        f"Responses checked: {document['responses']}; findings: {summary['error']} error, {summary['warning']} warning, {summary['info']} info"
        " (errors block GO; docs/drift.md lists the severity of every kind).",
        "",
    ]
    if not document["findings"]:
        return "\n".join(lines + ["No drift: every response matched the contract.", ""])
    lines += ["| severity | operation | status | field | kind | expected | observed | seen |", "|---|---|---|---|---|---|---|---|"]
    for f in document["findings"]:
        severity = f["severity"] + (f" (known: {f['known']['id']}, {f['known']['ticket']})" if f.get("known") else "")
        cells = [severity, f["operation"], str(f["status"]), f"`{f['path'] or '(body)'}`", f["kind"], f["expected"], f["observed"], str(f["count"])]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    lines += ["", "Reproduce (first occurrence of each finding):", ""]
    lines += [f"- {f['operation']} `{f['path'] or '(body)'}`: `{f['request']}`" for f in document["findings"] if f["request"]]
    lines += ["", "Doc lines (take them to the vendor with the finding):", ""]
    lines += [f"- {f['operation']} `{f['path'] or '(body)'}`: docs: {', '.join(f.get('docs') or ['-'])}" for f in document["findings"]]
    return "\n".join(lines) + "\n"
