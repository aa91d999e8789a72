"""Hold one observed response against its operation's contract and name every difference."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Callable

from jsonschema.exceptions import ValidationError

from ..checks import SCHEMA_DOCS
from ..contract import Contract
from ..fields import documented_fields
from ..observed_shape import ParsedBody, parse_body
from .finding import DriftFinding, DriftKind

__all__ = ["findings_for"]


def findings_for(
    contract: Contract,
    operation_id: str,
    status: int,
    content_type: str,
    body: bytes,
    *,
    request: str = "",
    refused: str = "",
    parsed: ParsedBody | None = None,
) -> list[DriftFinding]:
    """Every difference between one response and the contract (empty when it conforms); `refused`: why
    the body was read no further (a limit), which is then the one finding; `parsed`: the body already
    parsed (`parse_body`), so a caller that needs the document too parses it once."""
    operation = contract.operations.get(operation_id)
    if operation is None:
        return []

    def finding(path: str, kind: DriftKind, expected: str, observed: str) -> DriftFinding:
        docs = contract.citations(operation_id, path) or list(SCHEMA_DOCS.get(operation_id, ()))
        return DriftFinding(operation.label, status, path, kind, expected, observed, request=request, docs=docs)

    if refused:
        return [finding("", DriftKind.OVER_A_LIMIT, "an answer within the run's limits", refused)]
    documented = operation.response_for(status)
    if documented is None:
        listed = ", ".join(sorted(operation.responses))
        return [finding("", DriftKind.UNDOCUMENTED_STATUS, f"one of {listed}", str(status))]
    found: list[DriftFinding] = []
    media = content_type.split(";")[0].strip().lower()
    if documented.schema_uri and media != "application/json":
        found.append(finding("", DriftKind.CONTENT_TYPE_CHANGED, "application/json", media or "(none)"))
    parsed = parsed or parse_body(body)
    if parsed.problem == "too deep":
        return found + [finding("", DriftKind.OVER_A_LIMIT, "JSON nested within the parser's limit", "nested deeper")]
    if parsed.shape is None:
        return found + [finding("", DriftKind.BODY_NOT_JSON, "a JSON body", _preview(body))]
    if documented.schema_uri is None:
        return found
    for error in contract.body_errors(operation_id, status, parsed.document):
        found.append(_classify(error, finding))
    declared = _declared(contract, documented.schema_uri)
    for path in sorted(parsed.shape.fields.keys() - declared):
        if not _under_undeclared(path, declared):
            found.append(finding(path, DriftKind.UNDOCUMENTED_FIELD, "not in the contract", parsed.shape.type_at(path)))
    return found


@lru_cache(maxsize=64)
def _declared(contract: Contract, schema_uri: str) -> frozenset[str]:
    """The documented paths of a schema, computed once per run."""
    return frozenset(documented_fields(contract, schema_uri))


def _under_undeclared(path: str, declared: frozenset[str]) -> bool:
    """Report an undocumented object once, not each of its sub-fields."""
    parent = path.rsplit(".", 1)[0] if "." in path else ""
    parent = parent.removesuffix("[]")
    return bool(parent) and parent not in declared and parent.removesuffix("[]") not in declared


def _path_of(error: ValidationError) -> str:
    out = ""
    for part in error.absolute_path:
        out += "[]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _classify(error: ValidationError, finding: Callable[[str, DriftKind, str, str], DriftFinding]) -> DriftFinding:
    path = _path_of(error)
    schema = error.schema if isinstance(error.schema, dict) else {}
    observed = json.dumps(error.instance)[:80]
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else "?"
        return finding(f"{path}.{missing}" if path else missing, DriftKind.MISSING_REQUIRED_FIELD, "present", "absent")
    if error.validator == "type":
        expected = schema.get("type")
        kind = DriftKind.NULLABILITY_CHANGED if error.instance is None else DriftKind.TYPE_CHANGED
        return finding(path, kind, json.dumps(expected), _json_type(error.instance))
    if error.validator in ("pattern", "format"):
        return finding(path, DriftKind.FORMAT_CHANGED, str(schema.get("pattern") or schema.get("format")), observed)
    if error.validator in ("enum", "const"):
        return finding(path, DriftKind.NEW_ENUM_VALUE, json.dumps(schema.get(error.validator)), observed)
    return finding(path, DriftKind.CONSTRAINT_VIOLATED, f"{error.validator}: {json.dumps(error.validator_value)[:60]}", observed)


def _json_type(value: Any) -> str:
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object", type(None): "null"}[type(value)]


def _preview(body: bytes) -> str:
    text = body[:60].decode("utf-8", "replace").replace("\n", " ")
    return f"{text!r}{'...' if len(body) > 60 else ''}"
