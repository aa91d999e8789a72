"""The contract: `contracts/openapi.yaml` and `schemas/*.json`, loaded once, validators compiled once.

Every other module asks this one which operations exist, which statuses they document, and whether
a body matches; nothing else reads the contract files.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Iterator

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry
from referencing.exceptions import NoSuchResource, Unresolvable, Unretrievable

from .contract_files import ContractError, explain_error, references_in, retrieve_contents, retrieve_file, urldefrag_join
from .operations import OperationRow, operation_table

__all__ = [
    "Contract",
    "ContractError",
    "DocumentedResponse",
    "Operation",
    "default_contract_path",
    "references_in",
]

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def default_contract_path() -> Path:
    """The shipped `contracts/openapi.yaml`: the checkout's, or the installed package's copy."""
    from .shipped_files import contract_path

    return contract_path()


@dataclass(frozen=True)
class DocumentedResponse:
    """One documented status of an operation: its body schema and the doc examples attached to it."""

    status: str
    description: str
    schema_uri: str | None
    error_codes: tuple[str, ...] = ()
    examples: tuple[tuple[str, Path], ...] = ()


@dataclass(frozen=True)
class Operation:
    """One API operation as the contract declares it."""

    operation_id: str
    method: str
    path: str
    parameters: tuple[dict[str, Any], ...]
    responses: dict[str, DocumentedResponse] = field(hash=False)
    extensions: dict[str, Any] = field(default_factory=dict, hash=False)  # its `x-*` keys

    @property
    def label(self) -> str:
        """The method and path (`GET` and the path as the contract writes it): how reports name the operation."""
        return f"{self.method.upper()} {self.path}"

    @property
    def api_version(self) -> str:
        """`v1.1` or `v2`: the path's version prefix."""
        return self.path.strip("/").split("/")[0]

    def response_for(self, status: int | str) -> DocumentedResponse | None:
        """The documented response for a status: exact code, then `NXX` range, then `default`."""
        code = str(status)
        for key in (code, f"{code[0]}XX", "default"):
            if key in self.responses:
                return self.responses[key]
        return None

    def parameter(self, name: str) -> dict[str, Any] | None:
        """The declared parameter called `name` (wire names inside exploded objects count too)."""
        for param in self.parameters:
            if param["name"] == name:
                return param
            props = param.get("schema", {}).get("properties", {})
            if param.get("explode") and name in props:
                return {**param, "name": name, "schema": props[name]}
        return None


_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built with it: 10x faster, the same safe subset


class Contract:
    """The OpenAPI document plus its JSON Schemas, resolved offline and validated lazily per status."""

    def __init__(self, openapi_path: Path, document: dict[str, Any]) -> None:
        self.openapi_path = openapi_path
        self.document = document
        self.registry: Registry = Registry(retrieve=retrieve_file)  # type: ignore[call-arg]
        self.operations: dict[str, Operation] = {op.operation_id: op for op in self._read_operations()}
        self._validators: dict[str, Draft202012Validator] = {}
        self._fast_validators: dict[str, Any] = {}

    @cached_property
    def field_docs(self) -> dict[str, dict[str, str]]:
        """Per operation, the doc line that documents each response field (field-docs.json beside the contract)."""
        path = self.openapi_path.parent / "field-docs.json"
        try:
            return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        except ValueError as exc:
            raise ContractError(f"{path}: not JSON ({exc})") from None

    def citations(self, operation_id: str, path: str) -> list[str]:
        """The doc line of a field, or of its nearest documented parent; empty when the pages show none."""
        lines = self.field_docs.get(operation_id, {})
        while path:
            if path in lines:
                return [lines[path]]
            path = path.rpartition(".")[0] if "." in path else ""
        return []

    @classmethod
    def load(cls, path: Path | str | None = None) -> "Contract":
        """Read and check the contract; raise `ContractError` with file and line on any defect."""
        openapi_path = Path(path) if path else default_contract_path()
        if not openapi_path.is_file():
            raise ContractError(f"{openapi_path}: contract file not found (set COUPON_CONTRACTS_CONTRACT or run from the project root)")
        try:
            document = yaml.load(openapi_path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"{openapi_path}:{mark.line + 1}" if mark else str(openapi_path)
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise ContractError(f"{where}: invalid YAML: {problem}") from None
        if not isinstance(document, dict) or "paths" not in document:
            raise ContractError(f"{openapi_path}: not an OpenAPI document (no 'paths' at the top level)")
        contract = cls(openapi_path.resolve(), document)
        contract.check_references()
        contract.table  # noqa: B018 - read now, so a defect in it stops the run before it starts
        return contract

    @cached_property
    def table(self) -> dict[str, OperationRow]:
        """The table of operations (operations.py): paths, customer parameters, doc pages, where answers keep what."""
        return operation_table(self)

    # -- reading -----------------------------------------------------------------------------

    @property
    def base_uri(self) -> str:
        """The `file://` URI the document's relative `$ref`s resolve against."""
        return self.openapi_path.as_uri()

    @cached_property
    def schema_dir(self) -> Path:
        """The folder of the response schemas (`schemas/` beside `contracts/`)."""
        return self.openapi_path.parent.parent / "schemas"

    @cached_property
    def fingerprint(self) -> str:
        """SHA-256 over the OpenAPI file and every schema file: names the contract in reports."""
        digest = hashlib.sha256(self.openapi_path.read_bytes())
        for schema in sorted(self.schema_dir.glob("*.json")):
            digest.update(schema.name.encode())
            digest.update(schema.read_bytes())
        return digest.hexdigest()

    def _deref(self, node: dict[str, Any]) -> dict[str, Any]:
        """Follow a local `#/components/...` reference inside the OpenAPI document."""
        ref = node.get("$ref")
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return node
        target: Any = self.document
        for part in ref[2:].split("/"):
            target = target.get(part.replace("~1", "/").replace("~0", "~")) if isinstance(target, dict) else None
        if not isinstance(target, dict):
            raise ContractError(f"{self.openapi_path}: $ref '{ref}' does not resolve")
        return target

    def _read_operations(self) -> Iterator[Operation]:
        for path, item in (self.document.get("paths") or {}).items():
            for method in HTTP_METHODS:
                spec = item.get(method) if isinstance(item, dict) else None
                if not spec:
                    continue
                where = f"{self.openapi_path}: {method.upper()} {path}"
                if "operationId" not in spec:
                    raise ContractError(f"{where}: operationId is missing (every operation needs one)")
                params = tuple(self._deref(p) for p in spec.get("parameters", []))
                responses = {
                    status: self._read_response(status, self._deref(resp)) for status, resp in spec.get("responses", {}).items()
                }
                yield Operation(spec["operationId"], method, path, params, responses, {k: v for k, v in spec.items() if k.startswith("x-")})

    def _read_response(self, status: str, spec: dict[str, Any]) -> DocumentedResponse:
        media = (spec.get("content") or {}).get("application/json") or {}
        schema_ref = (media.get("schema") or {}).get("$ref")
        examples = tuple(
            (name, (self.openapi_path.parent / ex["externalValue"]).resolve())
            for name, ex in (media.get("examples") or {}).items()
            if "externalValue" in ex
        )
        return DocumentedResponse(
            status=str(status),
            description=spec.get("description", ""),
            schema_uri=urldefrag_join(self.base_uri, schema_ref) if schema_ref else None,
            error_codes=tuple(spec.get("x-error-codes", ())),
            examples=examples,
        )

    # -- checking ------------------------------------------------------------------------------

    def schema_files(self) -> list[Path]:
        """Every JSON Schema file of the contract."""
        return sorted(self.schema_dir.glob("*.json"))

    def check_references(self) -> None:
        """Raise `ContractError` naming the file if any `$ref` (document or schema) does not resolve."""
        documents = {path: self._load_json(path) for path in self.schema_files()}  # invalid JSON: named with its line first
        for op in self.operations.values():
            for response in op.responses.values():
                if response.schema_uri:
                    self._resolve(response.schema_uri, where=f"{self.openapi_path}: {op.label} {response.status}")
                for name, example in response.examples:
                    if not example.is_file():
                        raise ContractError(f"{self.openapi_path}: {op.label} {response.status} example '{name}': {example} not found")
        for schema_file, document in documents.items():
            uri = schema_file.resolve().as_uri()
            for ref in references_in(document):
                self._resolve(urldefrag_join(uri, ref), where=f"{schema_file}: $ref '{ref}'")

    def _resolve(self, uri: str, *, where: str) -> None:
        try:
            self.registry.resolver().lookup(uri)
        except Unretrievable as exc:
            if isinstance(exc.__cause__, ContractError):  # the file exists but is not valid JSON
                raise exc.__cause__ from None
            raise ContractError(f"{where} does not resolve ({type(exc).__name__}); fix the path or the JSON pointer") from None
        except (Unresolvable, NoSuchResource) as exc:
            raise ContractError(f"{where} does not resolve ({type(exc).__name__}); fix the path or the JSON pointer") from None

    @staticmethod
    def _load_json(path: Path) -> Any:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ContractError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None

    def validator_for_uri(self, schema_uri: str) -> Draft202012Validator:
        """A compiled validator for one schema URI, built once per contract."""
        if schema_uri not in self._validators:
            self._validators[schema_uri] = Draft202012Validator(
                {"$ref": schema_uri},
                registry=self.registry,
                format_checker=Draft202012Validator.FORMAT_CHECKER,
            )
        return self._validators[schema_uri]

    def fast_validator_for_uri(self, schema_uri: str) -> Any:
        """A jsonschema_rs validator for one schema URI, built once; it checks formats, so it is
        never laxer than the Python validator that explains failures."""
        if schema_uri not in self._fast_validators:
            import jsonschema_rs  # a Schemathesis dependency: the Rust implementation of JSON Schema

            self._fast_validators[schema_uri] = jsonschema_rs.validator_for(
                {"$ref": schema_uri}, retriever=retrieve_contents, validate_formats=True
            )
        return self._fast_validators[schema_uri]

    def body_errors(self, operation_id: str, status: int | str, body: Any) -> list[ValidationError]:
        """Schema violations of `body` as the answer of `operation_id` with `status` ([] if it conforms).

        Raises `KeyError` for an unknown operation and `LookupError` for a status the contract does
        not document (callers report that as its own kind of drift).
        """
        response = self.operations[operation_id].response_for(status)
        if response is None:
            raise LookupError(f"{operation_id}: status {status} is not documented")
        if response.schema_uri is None:
            return []
        if self.fast_validator_for_uri(response.schema_uri).is_valid(body):
            return []  # the common case, in Rust: a 16 MiB answer in milliseconds instead of minutes
        validator = self.validator_for_uri(response.schema_uri)
        errors = [leaf for error in validator.iter_errors(body) for leaf in explain_error(error)]
        return sorted(errors, key=lambda e: [str(p) for p in e.absolute_path])

    def examples(self) -> Iterator[tuple[Operation, DocumentedResponse, str, Path]]:
        """Every doc example attached to the contract: (operation, response, name, file)."""
        for op in self.operations.values():
            for response in op.responses.values():
                for name, path in response.examples:
                    yield op, response, name, path
