"""Observed shapes: for each operation and status, every field path seen and how it looked.

Types, string formats, nullability, how often the field was present and, for fields the contract
treats as a closed or known set of values, the values seen. Two runs' shapes are what `diff`
compares, so a vendor release can be held against the last good run of staging.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..observed_shape import MAX_VALUES, BodyShape, FieldShape, observed_shape, string_format

__all__ = ["FieldShape", "ObservedShapes", "parent_path", "string_format"]


@dataclass
class ObservedShapes:
    """Every field path seen per `METHOD /path` and status."""

    operations: dict[str, dict[str, dict[str, FieldShape]]] = field(default_factory=dict)
    responses: dict[str, dict[str, int]] = field(default_factory=dict)
    objects: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)  # objects seen at each path

    def observe(self, operation: str, status: int, document: Any, *, shape: BodyShape | None = None) -> None:
        """Record one JSON body (its `observed_shape`, when the caller has it already)."""
        key = str(status)
        self.responses.setdefault(operation, {}).setdefault(key, 0)
        self.responses[operation][key] += 1
        seen = shape if shape is not None else observed_shape(document)
        fields = self.operations.setdefault(operation, {}).setdefault(key, {})
        for path, observed in seen.fields.items():
            fields.setdefault(path, FieldShape()).merge(observed)
        objects = self.objects.setdefault((operation, key), {})
        for path, count in seen.objects.items():
            objects[path] = objects.get(path, 0) + count

    def as_dict(self) -> dict[str, Any]:
        """The JSON document observed-shapes.json holds."""
        return {
            "format": 2,  # 2: each field says how many enclosing objects were seen (objects)
            "operations": {
                op: {
                    status: {
                        "responses": self.responses[op][status],
                        "fields": {p: s.as_dict(self.objects[(op, status)].get(parent_path(p), 0)) for p, s in sorted(fields.items())},
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
            objects = self.objects.setdefault((op, st), {})
            for path, count in counts.items():
                objects[path] = objects.get(path, 0) + count

    def write(self, path: Path, *, profile: str = "") -> None:
        """Write observed-shapes.json (with the run's profile: shares depend on its mix of requests)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.as_dict() | ({"profile": profile} if profile else {}), indent=2) + "\n", encoding="utf-8")


def parent_path(path: str) -> str:
    """`a[].b.c` -> `a[].b`; `a[].b` -> `a[]`; `a` -> `` (the document)."""
    return path.rsplit(".", 1)[0] if "." in path else ""

