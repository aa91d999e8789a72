"""The contract's files on disk: reading `file://` schemas (never the network), walking `$ref`s, and
telling a validation error by the one union branch that fits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import unquote, urldefrag, urljoin, urlparse

from jsonschema import ValidationError
from referencing import Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT202012

__all__ = ["ContractError", "explain_error", "references_in", "retrieve_contents", "retrieve_file", "urldefrag_join"]


class ContractError(Exception):
    """The contract files cannot be used; the message names the file (and line) and the fix."""


def explain_error(error: ValidationError) -> list[ValidationError]:
    """Replace an anyOf/oneOf failure by the errors of the one branch that fits the instance's type.

    So a finding names the field (`redeemable.is_redeemable`), not the union (`redeemable`). When
    several branches fit, the union error itself is the honest answer and is kept.
    """
    if not error.context:
        return [error]
    branches: dict[Any, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    fitting = [
        subs
        for subs in branches.values()
        if not any(sub.validator == "type" and sub.absolute_path == error.absolute_path for sub in subs)
    ]
    if len(fitting) != 1:
        return [error]
    return [leaf for sub in fitting[0] for leaf in explain_error(sub)]


def urldefrag_join(base: str, ref: str) -> str:
    """Resolve `ref` against `base` the way JSON Schema does (keeps the fragment)."""
    return urljoin(base, ref)


def references_in(node: Any) -> Iterator[str]:
    """Every `$ref` string in a JSON or YAML document, depth first."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield ref
        for value in node.values():
            yield from references_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from references_in(value)


def retrieve_contents(uri: str) -> Any:
    """The JSON of a `file://` schema, for jsonschema_rs."""
    return retrieve_file(uri).contents


def retrieve_file(uri: str) -> Resource[Any]:
    """Load `file://` schemas from disk; the contract never reaches the network."""
    parsed = urlparse(urldefrag(uri).url)
    if parsed.scheme != "file":
        raise NoSuchResource(uri)
    path = Path(unquote(parsed.path))
    if not path.is_file():
        raise NoSuchResource(uri)
    try:
        contents = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ContractError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    return Resource.from_contents(contents, default_specification=DRAFT202012)  # a schema may omit $schema
