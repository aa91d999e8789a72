"""The contract as one file: every schema of `schemas/*.json` inlined under `components/schemas`.

Tools that import a single OpenAPI file (Postman's importer, Prism, Swagger UI from a URL) cannot
follow `../schemas/*.json`. The bundle rewrites each reference to a file, or to a definition inside
one (`common.json#/$defs/isoDateTime`), into a component of its own, named after the file and the
definition (`common--isoDateTime`), and each file's `$schema` and `$defs` are dropped from its
component (every definition used is a component). The multi-file contract stays the source.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from .contract import Contract, ContractError

__all__ = ["bundled"]

COMPONENTS = "#/components/schemas/"


def bundled(contract: Contract) -> dict[str, Any]:
    """The contract's OpenAPI document with every external schema inlined as a component."""
    document = copy.deepcopy(contract.document)
    schemas: dict[str, Any] = document.setdefault("components", {}).setdefault("schemas", {})
    names: dict[tuple[Path, str], str] = {}
    files: dict[Path, Any] = {}

    def component(file: Path, pointer: str) -> str:
        key = (file, pointer)
        if key not in names:
            name = file.name.removesuffix(".json") + "".join(f"--{part}" for part in pointer.split("/") if part and part != "$defs")
            if name in schemas:
                raise ContractError(f"{file}: bundling would give two schemas the component name {name!r}")
            names[key] = name
            schemas[name] = {}  # taken before the walk, so a schema that refers to itself ends
            node = _at(files.setdefault(file, _read(file)), pointer, file)
            schemas[name] = rewrite(copy.deepcopy(node), file)
        return COMPONENTS + names[key]

    def rewrite(node: Any, base: Path | None) -> Any:
        if isinstance(node, list):
            return [rewrite(item, base) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and not (base is None and ref.startswith("#")):
            target, _, pointer = ref.partition("#")
            origin = base or contract.openapi_path
            node = {**node, "$ref": component((origin.parent / unquote(target)).resolve() if target else origin, pointer)}
        return {key: rewrite(value, base) for key, value in node.items() if key not in ("$schema", "$defs", "$id") or base is None}

    for name in list(schemas):  # the contract's own components, if it has any
        schemas[name] = rewrite(schemas[name], None)
    document["paths"] = rewrite(document.get("paths", {}), None)
    for kind in [k for k in document["components"] if k != "schemas"]:
        document["components"][kind] = rewrite(document["components"][kind], None)
    return document


def _read(file: Path) -> Any:
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ContractError(f"{file}: cannot be bundled ({exc})") from None


def _at(document: Any, pointer: str, file: Path) -> Any:
    node = document
    for part in (p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/") if p):
        if not isinstance(node, dict) or part not in node:
            raise ContractError(f"{file}#{pointer}: no such definition to bundle")
        node = node[part]
    return node
