"""Compare two runs' observed shapes: what changed between a baseline and this run, errors first.

Each change has a kind (severity.ChangeKind) and the run's severity for it: by default an error for a
field that was always present and is now gone or only sometimes there ("became optional"), a new JSON
type, a new null, a date in a new format, a value outside a set the contract closes, a new 5xx, a new
status the contract does not document (the run calls it an error too); a warning for an optional field
gone or carried by markedly fewer objects; info for a new field, a value never seen before or no longer
seen, a new status the contract documents.

Presence is a share of the enclosing objects, and a share says something only of enough of them: both
runs must have seen at least MIN_OBJECTS objects at the path, else its presence is not compared. A
share that fell by PRESENCE_DROP or more (20 points: two seeds of the same faithful run differ by less
than 10) is a warning.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..severity import ChangeKind, Severity, SeverityPolicy
from .shapes import parent_path

__all__ = ["MIN_OBJECTS", "PRESENCE_DROP", "Closed", "ShapeChange", "ShapesError", "closed_value_fields", "compare_shapes", "load_shapes", "seen_there"]

DATE_FORMATS = {"date-time", "date-time-no-zone", "date"}
MIN_OBJECTS = 20  # objects at a path, in each run, before its presence is compared
PRESENCE_DROP = 0.2  # a fall in the share of objects carrying an optional field that is a warning


class ShapesError(Exception):
    """A baseline or run that cannot be read; the message names the file."""


@dataclass(frozen=True)
class ShapeChange:
    """One difference between two runs."""

    operation: str
    status: str
    path: str
    kind: ChangeKind
    old: str
    new: str
    severity: Severity

    @property
    def change(self) -> str:
        """What changed, as the severity table names it (`became optional`)."""
        return self.kind.value

    @property
    def is_breaking(self) -> bool:
        """An error: it blocks GO and makes `diff` exit 1."""
        return self.severity is Severity.ERROR

    def line(self) -> str:
        """One printable line."""
        where = f"{self.operation} {self.status}" + (f"  {self.path}" if self.path else "")
        return f"{self.severity.value.upper():<7}  {where}: {self.change} ({self.old} -> {self.new})"


def load_shapes(location: Path) -> dict[str, Any]:
    """observed-shapes.json from a run folder, or the file itself."""
    path = location / "observed-shapes.json" if location.is_dir() else location
    if not location.exists():
        raise ShapesError(f"{location}: no such file or folder; give a run's reports folder or its observed-shapes.json")
    if not path.is_file():
        raise ShapesError(f"{path}: no observed-shapes.json here; pass a run's reports folder or the file")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ShapesError(f"{path}: not JSON ({exc})") from None
    except RecursionError:  # thousands of nested brackets: no observed shape is that deep
        raise ShapesError(f"{path}: nested too deep to be observed shapes; give a run's observed-shapes.json") from None
    if not isinstance(document, dict) or not isinstance(document.get("operations"), dict):
        raise ShapesError(f"{path}: not an observed-shapes file (no 'operations')")
    if document.get("format", 1) not in (1, 2):
        raise ShapesError(f"{path}: observed shapes of format {document.get('format')!r}, which this version does not read (1 or 2): a newer coupon-contracts wrote it?")
    error = next(iter(sorted(_shapes_validator().iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])), None)
    if error is not None:
        where = ".".join(map(str, error.absolute_path)) or "(the file)"
        raise ShapesError(f"{path}: not an observed-shapes file at {where}: {error.message[:200]} (format: schemas/observed-shapes.json)")
    return document


def _shapes_validator() -> Any:
    from jsonschema import Draft202012Validator

    from ..shipped_files import tool_schema

    return Draft202012Validator(tool_schema("observed-shapes.json"))


@dataclass(frozen=True)
class Closed:
    """What the contract closes to a set: the values at each enum path of a response, and the statuses
    each operation documents (labels as in observed shapes)."""

    values: dict[tuple[str, str], dict[str, list[Any]]] = field(default_factory=dict)  # (operation, status) -> path -> allowed
    statuses: dict[str, set[str]] = field(default_factory=dict)  # operation -> documented statuses (`200`, `4XX`, `default`)
    types: dict[tuple[str, str], dict[str, set[str]]] = field(default_factory=dict)  # (operation, status) -> path -> documented JSON types

    def documents(self, operation: str, status: str) -> bool:
        """Whether the contract documents `status` for `operation` (unknown operations: yes, nothing to say)."""
        documented = self.statuses.get(operation)
        return documented is None or bool({status, f"{status[:1]}XX", "default"} & documented)


def compare_shapes(
    old: dict[str, Any], new: dict[str, Any], *, operations: set[str] | None = None, closed: Closed | None = None,
    policy: SeverityPolicy | None = None,
) -> list[ShapeChange]:
    """Every change from `old` to `new` (restricted to `operations` if given), errors first.

    `closed`: what the contract closes (`closed_value_fields`): a new value or status outside it is an
    error. `policy`: the run's severities.
    """
    policy, closed = policy or SeverityPolicy(), closed or Closed()
    changes: list[ShapeChange] = []
    for operation, statuses in sorted(new["operations"].items()):
        if operations is not None and operation not in operations:
            continue
        before = old["operations"].get(operation)
        if before is None:
            continue  # an operation the baseline did not exercise says nothing about drift
        for status, observed in sorted(statuses.items()):
            if status not in before:
                kind = (ChangeKind.NEW_SERVER_ERROR if status.startswith("5") else ChangeKind.NEW_UNDOCUMENTED_STATUS if not closed.documents(operation, status)
                        else ChangeKind.NEW_STATUS)  # fmt: skip
                changes.append(ShapeChange(operation, status, "", kind, "-", status, policy.of(kind.value)))
                continue
            changes += _compare_fields(operation, status, before[status]["fields"], observed["fields"], closed.values.get((operation, status), {}), policy,
                                       documented=closed.types.get((operation, status), {}))  # fmt: skip
    return sorted(changes, key=lambda c: (c.severity.rank, c.operation, c.status, c.path))


def closed_value_fields(contract: Any) -> Closed:
    """What `contract` closes: each enum path of each response and the values it allows, and each operation's statuses."""
    from ..fields import documented_fields

    closed = Closed()
    for op in contract.operations.values():
        closed.statuses[op.label] = set(op.responses)
        for status, response in op.responses.items():
            if response.schema_uri:
                fields = documented_fields(contract, response.schema_uri)
                closed.values[(op.label, status)] = {p: f.enum for p, f in fields.items() if f.enum is not None}
                closed.types[(op.label, status)] = {p: set(f.types) for p, f in fields.items() if f.types}
    return closed


def _compare_fields(operation: str, status: str, old: dict[str, Any], new: dict[str, Any], closed: dict[str, list[Any]], policy: SeverityPolicy, *,
                    documented: dict[str, set[str]] | None = None) -> list[ShapeChange]:  # fmt: skip
    found: list[ShapeChange] = []

    def add(path: str, kind: ChangeKind, was: Any, now: Any) -> None:
        found.append(ShapeChange(operation, status, path, kind, _show(was), _show(now), policy.of(kind.value)))

    for path, was in old.items():
        if path not in new:
            if not seen_there(path, new):
                continue  # the newer run saw no object to carry it (an empty list, a customer without coupons)
            always = was.get("presence", 0) >= 1
            add(path, ChangeKind.FIELD_GONE if always else ChangeKind.OPTIONAL_FIELD_GONE, "present" if always else f"{was.get('presence'):.0%}", "absent")
    for path, now in new.items():
        was = old.get(path)
        if was is None:
            add(path, ChangeKind.NEW_FIELD, "absent", "/".join(now["types"]))
            continue
        _compare_presence(path, was, now, add)
        old_types, new_types = set(was["types"]) - {"null"}, set(now["types"]) - {"null"}
        if new_types - old_types:
            allowed = (documented or {}).get(path)
            back = allowed is not None and _within(new_types, allowed) and not _within(old_types, allowed)  # a baseline taken while the vendor was wrong
            add(path, ChangeKind.BACK_TO_THE_CONTRACT if back else ChangeKind.RETYPED, sorted(old_types), sorted(new_types))
        if now.get("nullable") and not was.get("nullable"):
            add(path, ChangeKind.NEWLY_NULLABLE, "never null", "null seen")
        old_formats, new_formats = set(was.get("formats", [])), set(now.get("formats", []))
        fresh = new_formats - old_formats
        if fresh and (fresh & DATE_FORMATS or (old_formats and old_formats <= DATE_FORMATS)):
            add(path, ChangeKind.REFORMATTED, sorted(old_formats), sorted(new_formats))
        if "values" in was and "values" in now:
            for value in sorted(set(now["values"]) - set(was["values"]), key=str):
                outside = path in closed and value not in closed[path]  # a new value the contract allows is only news
                add(path, ChangeKind.CLOSED_VALUE_NEW if outside else ChangeKind.VALUE_NEW, sorted(was["values"], key=str), value)
            for value in sorted(set(was["values"]) - set(now["values"]), key=str):
                add(path, ChangeKind.VALUE_GONE, value, sorted(now["values"], key=str))
    return found


def seen_there(path: str, fields: dict[str, Any]) -> bool:
    """Whether a run's fields show an object that could carry `path`: its parent was seen (the document
    always is). Items of a list (`a[]`) need an item: an empty list says nothing of what its items carry."""
    if path.endswith("[]"):
        return False
    parent = parent_path(path)
    return parent == "" or parent in fields


def _compare_presence(path: str, was: dict[str, Any], now: dict[str, Any], add: Any) -> None:
    """A field always there that now sometimes is not, or an optional one markedly rarer; items of a
    list (`a[]`) are counted per parent, not as a share, and are not compared."""
    if path.endswith("[]") or min(_objects(was), _objects(now)) < MIN_OBJECTS:
        return
    before, after = _share(was), _share(now)
    if before >= 1 > after:
        add(path, ChangeKind.BECAME_OPTIONAL, f"in all {_objects(was)} objects", f"in {now.get('present', 0)} of {_objects(now)} ({after:.0%})")
    elif round(before - after, 9) >= PRESENCE_DROP:  # 0.7 - 0.5 is 0.19999999999999996 in floats
        add(path, ChangeKind.PRESENCE_DROPPED, f"{before:.0%} of {_objects(was)} objects", f"{after:.0%} of {_objects(now)}")


def _within(observed: set[str], allowed: set[str]) -> bool:
    """Whether every observed JSON type is one the contract allows (an integer is a number)."""
    return all(t in allowed or (t == "integer" and "number" in allowed) for t in observed)


def _share(field: dict[str, Any]) -> float:
    """The share of objects carrying the field, from the counts where they are kept (`presence` is rounded:
    29,999 of 30,000 reads 1.0)."""
    objects = field.get("objects")
    return field.get("present", 0) / objects if isinstance(objects, int) and objects > 0 and "present" in field else float(field.get("presence", 0))


def _objects(field: dict[str, Any]) -> int:
    """The objects at the field's parent path (written since format 2; derived from the share before)."""
    if "objects" in field:
        return int(field["objects"])
    presence = field.get("presence", 0)
    return round(field.get("present", 0) / presence) if presence else 0


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)
