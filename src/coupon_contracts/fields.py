"""The documented fields of a response schema, as flat JSON paths (`entity[].series.discountType`).

Response objects in the contract are open (an undocumented field is drift to report, not a schema
failure), so "the example validates" does not prove "every field is documented". This walk does:
it lists every property path a schema declares, with the JSON types it allows there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .contract import Contract

__all__ = ["DocumentedField", "documented_fields"]

_COMBINATORS = ("allOf", "anyOf", "oneOf", "then", "else")


@dataclass
class DocumentedField:
    """A property path a schema declares, with the JSON types it allows and whether it is required."""

    path: str
    types: set[str] = field(default_factory=set)
    is_required: bool = False
    enum: list[Any] | None = None  # the closed set of values the contract allows here, if any


def documented_fields(contract: Contract, schema_uri: str) -> dict[str, DocumentedField]:
    """Every property path declared by the schema at `schema_uri`, `$ref`s followed."""
    fields: dict[str, DocumentedField] = {}
    resolver = contract.registry.resolver()
    resolved = resolver.lookup(schema_uri)
    _walk(resolved.contents, resolved.resolver, "", fields, required=True, seen=frozenset())
    return fields


def _walk(  # resolver: a referencing Resolver, a type the package does not export
    schema: Any, resolver: Any, path: str, out: dict[str, DocumentedField], *, required: bool, seen: frozenset[str]
) -> None:
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if isinstance(ref, str):
        resolved = resolver.lookup(ref)
        key = f"{id(resolved.contents)}|{path}"  # guards against recursive schemas
        if key not in seen:
            _walk(resolved.contents, resolved.resolver, path, out, required=required, seen=seen | {key})
    if path:
        entry = out.setdefault(path, DocumentedField(path))
        entry.is_required = entry.is_required or required
        if "enum" in schema:
            entry.enum = list(schema["enum"])
        declared = schema.get("type")
        if isinstance(declared, str):
            entry.types.add(declared)
        elif isinstance(declared, list):
            entry.types.update(declared)
    must = set(schema.get("required", ()))
    for name, sub in (schema.get("properties") or {}).items():
        _walk(sub, resolver, f"{path}.{name}" if path else name, out, required=name in must, seen=seen)
    items = schema.get("items")
    if isinstance(items, dict):
        _walk(items, resolver, f"{path}[]", out, required=True, seen=seen)
    for keyword in _COMBINATORS:
        subs = schema.get(keyword)
        for sub in subs if isinstance(subs, list) else [subs] if isinstance(subs, dict) else []:
            _walk(sub, resolver, path, out, required=False, seen=seen)

