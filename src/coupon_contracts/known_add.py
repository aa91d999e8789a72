"""`coupon-contracts known add`: a known deviation written from what the last run found, so nobody types a
check id or a JSON path by hand."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from .known import KnownDeviationsError, known_deviations_for

__all__ = ["add_known_deviation", "error_paths_behind"]


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
    text = file.read_bytes().decode("utf-8-sig") if file.is_file() else ""  # checked above: UTF-8, small
    taken = set(re.findall(r"^\s*-\s*id:\s*[\"']?([^\"'\s]+)", text, flags=re.MULTILINE))
    chosen = entry_id or next(f"KD-{n}" for n in range(1, len(taken) + 2) if f"KD-{n}" not in taken)
    written = {"id": chosen, **entry, "reason": reason, "ticket": ticket, "expires": expires}
    updated = _with_entry(text, written, file)
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(updated, encoding="utf-8")
    try:
        known_deviations_for(file, contract)
    except KnownDeviationsError as exc:
        file.write_text(text, encoding="utf-8") if text else file.unlink()
        problem = str(exc).split(": ", 1)[-1]  # its line was in the text just taken back out
        raise KnownDeviationsError(f"{file}: left unchanged, the entry would not be valid: {problem}") from None
    return written


def _with_entry(text: str, entry: dict[str, str], file: Path) -> str:
    """`text` with `entry` added to its `deviations:` list, the rest of the file (comments too) as it was.

    The list is edited where YAML puts it: after its last item at its own indentation, in place of an
    empty `[]` or `~`, or as a new `deviations:` at the end. A non-empty flow list (`[{...}]`) is not
    edited: the error gives the entry to paste."""
    node = yaml.compose(text) if text.strip() else None
    pair = next(((k, v) for k, v in node.value if k.value == "deviations"), None) if isinstance(node, yaml.MappingNode) else None

    def block(dash: int, keys: int) -> str:
        first = " " * dash + "-" + " " * (keys - dash - 1)
        return "".join(f"{first if i == 0 else ' ' * keys}{key}: {_scalar(key, value)}\n" for i, (key, value) in enumerate(entry.items()))

    ended = text if not text or text.endswith("\n") else text + "\n"
    if pair is None:
        return ended + "deviations:\n" + block(2, 4)
    key, value = pair
    if isinstance(value, yaml.SequenceNode) and value.value and not value.flow_style:
        dash, keys = value.start_mark.column, value.value[0].start_mark.column
        at = _line_start(ended, value.end_mark.index) if value.end_mark.index < len(text) else len(ended)
        return ended[:at] + block(dash, keys) + ended[at:]
    if not (isinstance(value, yaml.SequenceNode) and not value.value) and not (isinstance(value, yaml.ScalarNode) and value.tag.endswith(":null")):
        raise KnownDeviationsError(f"{file}:{key.start_mark.line + 1}: known add edits a block list of entries (`- id: ...`), not this one; add this item by hand: {json.dumps(entry)}")
    start, end = (value.start_mark.index, value.end_mark.index) if isinstance(value, yaml.SequenceNode) or value.value else (ended.index(":", key.end_mark.index) + 1,) * 2
    line_end = ended.find("\n", end)
    rest = ended[end:line_end].strip()  # a comment after `[]` stays on the line
    head = ended[:start].rstrip(" \t") + (f"  {rest}" if rest else "")
    return head + "\n" + block(key.start_mark.column + 2, key.start_mark.column + 4) + ended[line_end + 1 :]


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _scalar(key: str, value: str) -> str:
    """A value as YAML reads it back exactly: the day bare (the schema wants YYYY-MM-DD), the rest quoted."""
    return value if key == "expires" else json.dumps(value)


def _failed_check(reports: Path, check: str) -> str:
    failed = _read(reports, "signoff.json").get("failed_checks", [])
    if not (isinstance(failed, list) and all(isinstance(c, str) for c in failed)):
        raise KnownDeviationsError(f"{reports / 'signoff.json'}: failed_checks is not a list of check ids: {_AGAIN}")
    if check not in failed:
        raise KnownDeviationsError(f"{reports / 'signoff.json'}: {check} did not fail in that run (failed: {', '.join(failed) or 'none'})")
    return check


def _finding(reports: Path, path: str, kind: str | None, contract: Any) -> dict[str, str]:
    body = path in ("(body)", "")  # the console's name for a finding on the whole answer (drift.json: path "")
    listed = _read(reports, "drift.json").get("findings", [])
    where = next((f"findings[{n}]" for n, f in enumerate(listed) if not (isinstance(f, dict) and all(isinstance(f.get(k), str) for k in ("operation", "path", "kind")))),
                 None) if isinstance(listed, list) else "findings"  # fmt: skip
    if where is not None:  # what is read below: a finding's operation, path and kind
        raise KnownDeviationsError(f"{reports / 'drift.json'}: {where} is not a finding with operation, path and kind as this tool writes them: {_AGAIN}")
    findings = [f for f in listed if f["path"] == ("" if body else path) and (kind is None or f["kind"] == kind)]
    distinct = sorted({(f["operation"], f["kind"]) for f in findings})
    if not distinct:
        raise KnownDeviationsError(f"{reports / 'drift.json'}: no finding at {path}{f' of kind {kind}' if kind else ''} in that run")
    if len(distinct) > 1:
        raise KnownDeviationsError(f"{path}: {len(distinct)} findings there ({'; '.join(f'{o}: {k}' for o, k in distinct)}): add --kind")
    label, found_kind = distinct[0]
    operation = next((op for op, row in contract.table.items() if row.label == label), None)
    return {**({"operation": str(operation)} if operation else {}), "kind": found_kind, **({} if body else {"path": path})}


def error_paths_behind(reports: Path, contract: Any, check: str) -> list[str]:
    """For a schema check: the paths of its operation's error findings in that run that no entry knows yet
    (they stay errors when only the check is known); none for another check, or a report it cannot read."""
    row = contract.table.get(check.removeprefix("schema.")) if check.startswith("schema.") else None
    try:
        listed = _read(reports, "drift.json").get("findings", []) if row is not None else []
    except KnownDeviationsError:
        return []
    found = [f for f in (listed if isinstance(listed, list) else []) if isinstance(f, dict) and f.get("operation") == row.label and f.get("severity") == "error" and not f.get("known")] if row else []
    return sorted({str(f.get("path") or "(body)") for f in found})


_AGAIN = "run again, or give --reports the folder of a finished run"


def _read(reports: Path, name: str) -> dict[str, Any]:
    path = reports / name
    if not path.is_file():
        what = "a folder, not a file" if path.is_dir() else "not found"
        raise KnownDeviationsError(f"{path}: {what}; give --reports the folder of the run that found it")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # a run cut short, or another file in its place
        raise KnownDeviationsError(f"{path}: not readable JSON ({str(exc).splitlines()[0][:120]}): {_AGAIN}") from None
    except RecursionError:
        raise KnownDeviationsError(f"{path}: nested too deep to be a report of a run: {_AGAIN}") from None
    if not isinstance(data, dict):
        raise KnownDeviationsError(f"{path}: not a report of a run (a JSON object): {_AGAIN}")
    return data
