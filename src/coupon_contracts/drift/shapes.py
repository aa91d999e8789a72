"""Observed shapes: for each operation and status, every field path seen and how it looked.

Types, string formats, nullability, how often the field was present and, for fields the contract
treats as a closed or known set of values, the values seen. Two runs' shapes are what `diff`
compares, so a vendor release can be held against the last good run of staging.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["FieldShape", "ObservedShapes", "string_format"]

FORMATS = (
    ("date-time", re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")),
    ("date-time-no-zone", re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")),
    ("date", re.compile(r"^\d{4}-\d{2}-\d{2}$")),
    ("numeric", re.compile(r"^-?\d+(\.\d+)?$")),
    ("boolean-string", re.compile(r"^(true|false)$")),
    ("email", re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")),
)
MAX_VALUES = 20  # a field with more distinct values than this is not treated as a set of values
# Fields whose values form a set worth comparing between runs (flags, kinds, status codes), never ids,
# codes of coupons or personal data.
VALUE_FIELDS = re.compile(r"(^|\.)(success|status|is_redeemable|discountType|couponDiscountType|discountOn|discountCode|seriesType|"
                          r"clientHandlingType|expiryStrategyType|redeemStoreType|issuedAt\.type|adminType)$"
                          r"|(item_status|status|statusCode|couponStatus)\.code$")  # fmt: skip


def string_format(value: str) -> str:
    """The first known format a string matches, or `text`."""
    for name, pattern in FORMATS:
        if pattern.match(value):
            return name
    return "text"


@dataclass
class FieldShape:
    """How one field path looked across the responses of one operation and status."""

    types: set[str] = field(default_factory=set)
    formats: set[str] = field(default_factory=set)
    present: int = 0
    values: set[str] = field(default_factory=set)
    has_many_values: bool = False

    def as_dict(self, parents: int) -> dict[str, Any]:
        """The JSON form; presence is the share of the enclosing objects that carried the field."""
        data: dict[str, Any] = {
            "types": sorted(self.types),
            "nullable": "null" in self.types,
            "present": self.present,
            "presence": round(self.present / parents, 4) if parents else 0,
        }
        if self.formats:
            data["formats"] = sorted(self.formats)
        if self.values and not self.has_many_values:
            data["values"] = sorted(self.values)
        return data


@dataclass
class ObservedShapes:
    """Every field path seen per `METHOD /path` and status."""

    operations: dict[str, dict[str, dict[str, FieldShape]]] = field(default_factory=dict)
    responses: dict[str, dict[str, int]] = field(default_factory=dict)
    objects: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)  # objects seen at each path

    def observe(self, operation: str, status: int, document: Any) -> None:
        """Record one JSON body."""
        key = str(status)
        self.responses.setdefault(operation, {}).setdefault(key, 0)
        self.responses[operation][key] += 1
        shapes = self.operations.setdefault(operation, {}).setdefault(key, {})
        self._walk(document, "", shapes, self.objects.setdefault((operation, key), {}))

    def _walk(self, node: Any, path: str, shapes: dict[str, FieldShape], objects: dict[str, int]) -> None:
        if path:
            shape = shapes.setdefault(path, FieldShape())
            shape.present += 1
            shape.types.add(_json_type(node))
            if isinstance(node, str):
                shape.formats.add(string_format(node))
            if isinstance(node, (str, bool, int)) and VALUE_FIELDS.search(path) and not shape.has_many_values:
                shape.values.add(str(node).lower() if isinstance(node, bool) else node)
                shape.has_many_values = len(shape.values) > MAX_VALUES
        if isinstance(node, dict):
            objects[path] = objects.get(path, 0) + 1
            for key, value in node.items():
                self._walk(value, f"{path}.{key}" if path else key, shapes, objects)
        elif isinstance(node, list):
            for value in node:
                self._walk(value, f"{path}[]", shapes, objects)

    def as_dict(self) -> dict[str, Any]:
        """The JSON document observed-shapes.json holds."""
        return {
            "format": 1,
            "operations": {
                op: {
                    status: {
                        "responses": self.responses[op][status],
                        "fields": {p: s.as_dict(self.objects[(op, status)].get(_parent(p), 0)) for p, s in sorted(fields.items())},
                    }
                    for status, fields in sorted(statuses.items())
                }
                for op, statuses in sorted(self.operations.items())
            },
        }

    def export(self) -> dict[str, Any]:
        """Everything, as plain data, so a parallel worker can hand it to the controller."""
        return {
            "operations": {op: {st: {p: [sorted(f.types), sorted(f.formats), f.present, sorted(f.values, key=str), f.has_many_values] for p, f in fields.items()}
                                for st, fields in statuses.items()} for op, statuses in self.operations.items()},
            "responses": self.responses,
            "objects": [[op, st, counts] for (op, st), counts in self.objects.items()],
        }  # fmt: skip

    def merge(self, data: dict[str, Any]) -> None:
        """Add a worker's export to these shapes."""
        for op, statuses in data["operations"].items():
            for st, fields in statuses.items():
                mine = self.operations.setdefault(op, {}).setdefault(st, {})
                for path, (types, formats, present, values, many) in fields.items():
                    shape = mine.setdefault(path, FieldShape())
                    shape.types.update(types)
                    shape.formats.update(formats)
                    shape.present += present
                    shape.values.update(values)
                    shape.has_many_values = shape.has_many_values or many or len(shape.values) > MAX_VALUES
        for op, statuses in data["responses"].items():
            for st, count in statuses.items():
                self.responses.setdefault(op, {})[st] = self.responses.get(op, {}).get(st, 0) + count
        for op, st, counts in data["objects"]:
            mine = self.objects.setdefault((op, st), {})
            for path, count in counts.items():
                mine[path] = mine.get(path, 0) + count

    def write(self, path: Path) -> None:
        """Write observed-shapes.json."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.as_dict(), indent=2) + "\n", encoding="utf-8")


def _parent(path: str) -> str:
    """`a[].b.c` -> `a[].b`; `a[].b` -> `a[]`; `a` -> `` (the document)."""
    return path.rsplit(".", 1)[0] if "." in path else ""


def _json_type(value: Any) -> str:
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object", type(None): "null"}.get(type(value), "?")
