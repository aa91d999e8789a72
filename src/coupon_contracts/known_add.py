"""`coupon-contracts known add`: a known deviation written from what the last run found, so nobody types a
check id or a JSON path by hand."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .known import KnownDeviationsError, known_deviations_for

__all__ = ["add_known_deviation"]


def add_known_deviation(file: Path, reports: Path, contract: Any, *, check: str | None, finding: str | None, kind: str | None,
                        ticket: str, expires: str, reason: str, entry_id: str | None = None) -> dict[str, str]:  # fmt: skip
    """Append one entry to `file` for a failed check or a drift finding of the run in `reports`; the entry written.

    KnownDeviationsError when the run did not find it, or the file would not be valid with it (left unchanged)."""
    if expires <= datetime.now(timezone.utc).date().isoformat():  # the day the run judges by (UTC)
        raise KnownDeviationsError(f"--expires {expires}: that day has come; an entry is NO-GO from its day on: give the day the vendor is to fix it by")
    if file.is_file():
        known_deviations_for(file, contract)  # a defect already in the file is told at its own line, before anything is added
    if check:
        entry = {"check": _failed_check(reports, check)}
    elif finding:
        entry = _finding(reports, finding, kind, contract)
    else:
        raise KnownDeviationsError("say what is known: --check ID (a failed check) or --finding PATH (a drift finding)")
    text = file.read_text(encoding="utf-8") if file.is_file() else ""
    taken = set(re.findall(r"^\s*-\s*id:\s*[\"']?([^\"'\s]+)", text, flags=re.MULTILINE))
    chosen = entry_id or next(f"KD-{n}" for n in range(1, len(taken) + 2) if f"KD-{n}" not in taken)
    written = {"id": chosen, **entry, "reason": reason, "ticket": ticket, "expires": expires}
    block = "".join(f"{'  - ' if i == 0 else '    '}{key}: {json.dumps(value) if key != 'expires' else value}\n" for i, (key, value) in enumerate(written.items()))
    if re.search(r"^deviations:\s*\[\]\s*$", text, flags=re.MULTILINE):
        updated = re.sub(r"^deviations:[ \t]*\[\][ \t]*$", "deviations:\n" + block.rstrip("\n"), text, count=1, flags=re.MULTILINE)
    elif re.search(r"^deviations:\s*$", text, flags=re.MULTILINE):
        updated = text.rstrip("\n") + "\n" + block
    else:
        updated = (text + ("\n" if text and not text.endswith("\n") else "")) + "deviations:\n" + block
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(updated if updated.endswith("\n") else updated + "\n", encoding="utf-8")
    try:
        known_deviations_for(file, contract)
    except KnownDeviationsError as exc:
        file.write_text(text, encoding="utf-8") if text else file.unlink()
        problem = str(exc).split(": ", 1)[-1]  # its line was in the text just taken back out
        raise KnownDeviationsError(f"{file}: left unchanged, the entry would not be valid: {problem}") from None
    return written


def _failed_check(reports: Path, check: str) -> str:
    failed = _read(reports, "signoff.json").get("failed_checks", [])
    if check not in failed:
        raise KnownDeviationsError(f"{reports / 'signoff.json'}: {check} did not fail in that run (failed: {', '.join(failed) or 'none'})")
    return check


def _finding(reports: Path, path: str, kind: str | None, contract: Any) -> dict[str, str]:
    findings = [f for f in _read(reports, "drift.json").get("findings", []) if f["path"] == path and (kind is None or f["kind"] == kind)]
    distinct = sorted({(f["operation"], f["kind"]) for f in findings})
    if not distinct:
        raise KnownDeviationsError(f"{reports / 'drift.json'}: no finding at {path}{f' of kind {kind}' if kind else ''} in that run")
    if len(distinct) > 1:
        raise KnownDeviationsError(f"{path}: {len(distinct)} findings there ({'; '.join(f'{o}: {k}' for o, k in distinct)}): add --kind")
    label, found_kind = distinct[0]
    operation = next((op for op, row in contract.table.items() if row.label == label), None)
    return {**({"operation": str(operation)} if operation else {}), "kind": found_kind, "path": path}


def _read(reports: Path, name: str) -> dict[str, Any]:
    path = reports / name
    if not path.is_file():
        raise KnownDeviationsError(f"{path}: not found; give --reports the folder of the run that found it")
    return dict(json.loads(path.read_text(encoding="utf-8")))
