"""Compare two runs' observed shapes: what changed between a baseline and this run, breaking first.

Breaking: a field that was always present is gone, a field takes a new JSON type, becomes
nullable, or a date changes format; a value outside a set the contract closes; a new 5xx status. Non-breaking: a new field, an optional field
gone, a value never seen before or no longer seen, a new non-5xx status.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["ShapeChange", "ShapesError", "closed_value_fields", "compare_shapes", "load_shapes"]

DATE_FORMATS = {"date-time", "date-time-no-zone", "date"}


class ShapesError(Exception):
    """A baseline or run that cannot be read; the message names the file."""


@dataclass(frozen=True)
class ShapeChange:
    """One difference between two runs."""

    operation: str
    status: str
    path: str
    change: str
    old: str
    new: str
    is_breaking: bool

    def line(self) -> str:
        """One printable line."""
        severity = "BREAKING    " if self.is_breaking else "non-breaking"
        where = f"{self.operation} {self.status}" + (f"  {self.path}" if self.path else "")
        return f"{severity}  {where}: {self.change} ({self.old} -> {self.new})"


def load_shapes(location: Path) -> dict[str, Any]:
    """observed-shapes.json from a run folder, or the file itself."""
    path = location / "observed-shapes.json" if location.is_dir() else location
    if not path.is_file():
        raise ShapesError(f"{path}: no observed-shapes.json here; pass a run's reports folder or the file")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ShapesError(f"{path}: not JSON ({exc})") from None
    if not isinstance(document, dict) or not isinstance(document.get("operations"), dict):
        raise ShapesError(f"{path}: not an observed-shapes file (no 'operations')")
    return document


def compare_shapes(
    old: dict[str, Any], new: dict[str, Any], *, operations: set[str] | None = None, closed: dict[tuple[str, str], set[str]] | None = None
) -> list[ShapeChange]:
    """Every change from `old` to `new` (restricted to `operations` if given), breaking first.

    `closed` maps (operation, status) to the paths whose values the contract closes to a set: a
    new value there is breaking (see `closed_value_fields`).
    """
    changes: list[ShapeChange] = []
    for operation, statuses in sorted(new["operations"].items()):
        if operations is not None and operation not in operations:
            continue
        before = old["operations"].get(operation)
        if before is None:
            continue  # an operation the baseline did not exercise says nothing about drift
        for status, observed in sorted(statuses.items()):
            if status not in before:
                changes.append(ShapeChange(operation, status, "", "new status code", "-", status, status.startswith("5")))
                continue
            changes += _compare_fields(operation, status, before[status]["fields"], observed["fields"], (closed or {}).get((operation, status), set()))
    return sorted(changes, key=lambda c: (not c.is_breaking, c.operation, c.status, c.path))


def closed_value_fields(contract: Any) -> dict[tuple[str, str], set[str]]:
    """(operation label, status) -> paths the contract closes to an enum, for every documented status."""
    from ..fields import documented_fields

    closed: dict[tuple[str, str], set[str]] = {}
    for op in contract.operations.values():
        for status, response in op.responses.items():
            if response.schema_uri:
                closed[(op.label, status)] = {p for p, f in documented_fields(contract, response.schema_uri).items() if f.enum is not None}
    return closed


def _compare_fields(operation: str, status: str, old: dict[str, Any], new: dict[str, Any], closed: set[str]) -> list[ShapeChange]:
    found: list[ShapeChange] = []

    def add(path: str, change: str, was: Any, now: Any, is_breaking: bool) -> None:
        found.append(ShapeChange(operation, status, path, change, _show(was), _show(now), is_breaking))

    for path, was in old.items():
        if path not in new:
            always = was.get("presence", 0) >= 1
            add(path, "field gone" if always else "optional field gone", "present" if always else f"{was.get('presence'):.0%}", "absent", always)
    for path, now in new.items():
        was = old.get(path)
        if was is None:
            add(path, "new field", "absent", "/".join(now["types"]), False)
            continue
        old_types, new_types = set(was["types"]) - {"null"}, set(now["types"]) - {"null"}
        if new_types - old_types:
            add(path, "retyped", sorted(old_types), sorted(new_types), True)
        if now.get("nullable") and not was.get("nullable"):
            add(path, "newly nullable", "never null", "null seen", True)
        old_formats, new_formats = set(was.get("formats", [])), set(now.get("formats", []))
        fresh = new_formats - old_formats
        if fresh and (fresh & DATE_FORMATS or (old_formats and old_formats <= DATE_FORMATS)):
            add(path, "reformatted", sorted(old_formats), sorted(new_formats), True)
        if "values" in was and "values" in now:
            for value in sorted(set(now["values"]) - set(was["values"]), key=str):
                add(path, "value new", sorted(was["values"], key=str), value, path in closed)
            for value in sorted(set(was["values"]) - set(now["values"]), key=str):
                add(path, "value gone", value, sorted(now["values"], key=str), False)
    return found


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)
