"""The code path the one-pass walk replaced (#12), kept to measure against and to test it by.

Until 2026-12-01 a response was parsed twice (once for drift, once for the shapes), its paths were
listed node by node for drift and walked node by node again for the shapes, with the cycle collector
running throughout. `check_answer` repeats exactly that; `shape_of` is the node-by-node walk alone,
the reference `coupon_contracts.observed_shape` must agree with (tests/unit/test_observed_shape.py).
"""

from __future__ import annotations

import json
from typing import Any, Iterator

from coupon_contracts.contract import Contract
from coupon_contracts.observed_shape import MAX_VALUES, VALUE_FIELDS, BodyShape, FieldShape, string_format

__all__ = ["check_answer", "shape_of"]

_JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object", type(None): "null"}


def shape_of(document: Any) -> BodyShape:
    """The shape of one document, one Python call per node."""
    shape = BodyShape()
    _walk(document, "", shape)
    return shape


def _walk(node: Any, path: str, shape: BodyShape) -> None:
    if path:
        field = shape.fields.setdefault(path, FieldShape())
        field.present += 1
        field.types.add(_JSON_TYPES.get(type(node), "?"))
        if isinstance(node, str):
            field.formats.add(string_format(node))
        if isinstance(node, (str, bool, int)) and VALUE_FIELDS.search(path) and not field.has_many_values:
            field.values.add(str(node).lower() if isinstance(node, bool) else node)
            field.has_many_values = len(field.values) > MAX_VALUES
    if isinstance(node, dict):
        shape.objects[path] = shape.objects.get(path, 0) + 1
        for key, value in node.items():
            _walk(value, f"{path}.{key}" if path else key, shape)
    elif isinstance(node, list):
        for value in node:
            _walk(value, f"{path}[]", shape)


def _json_paths(document: Any, prefix: str = "") -> Iterator[str]:
    if isinstance(document, dict):
        for key, value in document.items():
            here = f"{prefix}.{key}" if prefix else key
            yield here
            yield from _json_paths(value, here)
    elif isinstance(document, list):
        for value in document:
            yield from _json_paths(value, f"{prefix}[]")


def check_answer(contract: Contract, operation_id: str, body: bytes) -> tuple[int, set[str], BodyShape]:
    """Validate, list the paths and walk the shape of one 200, as the suite did before: (errors, paths, shape)."""
    document = json.loads(body)  # the drift check's parse
    errors = contract.body_errors(operation_id, 200, document)
    paths = set(_json_paths(document))
    shape = shape_of(json.loads(body))  # the shapes' own parse (response.json())
    return len(errors), paths, shape
