"""The contract declares everything the doc pages document, and nothing they do not.

Driven by tests/unit/data/documented-surface.yaml, a hand transcription of the doc tables kept
independent of contracts/openapi.yaml.
"""

from __future__ import annotations

import pytest

from coupon_contracts.contract import Contract
from coupon_contracts.fields import documented_fields

from .conftest import documented_surface

SURFACE = documented_surface()
PARAMETERS = [(op, name, spec) for op, entry in SURFACE.items() for name, spec in entry["parameters"].items()]
FIELDS = [(op, path) for op, entry in SURFACE.items() for path in entry["fields"]]


@pytest.mark.parametrize(("operation_id", "name", "documented"), PARAMETERS, ids=[f"{o}-{n}" for o, n, _ in PARAMETERS])
def test_documented_parameter_is_declared(contract: Contract, operation_id: str, name: str, documented: dict) -> None:
    param = contract.operations[operation_id].parameter(name)
    assert param is not None, f"{operation_id}: documented parameter {name!r} is missing from the contract"
    schema = param["schema"]
    if "enum" in documented:
        declared = schema.get("enum") or schema.get("items", {}).get("enum")
        assert declared == documented["enum"], f"{operation_id}.{name}: enum values differ from the docs"
    if "default" in documented:
        assert schema.get("default") == documented["default"]
    if "format" in documented:
        assert schema.get("format") == documented["format"]


@pytest.mark.parametrize("operation_id", list(SURFACE))
def test_contract_declares_no_undocumented_parameter(contract: Contract, operation_id: str) -> None:
    declared = set()
    for param in contract.operations[operation_id].parameters:
        if param.get("explode") and param["schema"].get("type") == "object":
            declared.update(param["schema"]["properties"])
        else:
            declared.add(param["name"])
    assert declared == set(SURFACE[operation_id]["parameters"])


@pytest.mark.parametrize(("operation_id", "path"), FIELDS, ids=[f"{o}-{p}" for o, p in FIELDS])
def test_documented_response_field_is_declared(contract: Contract, operation_id: str, path: str) -> None:
    schema_uri = contract.operations[operation_id].responses["200"].schema_uri
    declared = documented_fields(contract, schema_uri)
    assert path in declared, f"{operation_id}: documented field {path} is not declared by the 200 schema"
    assert declared[path].types, f"{operation_id}: {path} is declared without a type"


@pytest.mark.parametrize("operation_id", list(SURFACE))
def test_every_operation_documents_401_with_a_body_schema(contract: Contract, operation_id: str) -> None:
    response = contract.operations[operation_id].responses.get("401")
    assert response is not None and response.schema_uri


@pytest.mark.parametrize("operation_id", list(SURFACE))
def test_every_status_has_a_body_schema(contract: Contract, operation_id: str) -> None:
    for status, response in contract.operations[operation_id].responses.items():
        assert response.schema_uri, f"{operation_id} {status} has no body schema"


def test_documented_error_codes_are_declared(contract: Contract) -> None:
    operation = contract.operations["getCustomerCouponsByIdV2"]
    for status, codes in SURFACE["getCustomerCouponsByIdV2"]["error_codes"].items():
        assert set(codes) <= set(operation.responses[status].error_codes), status


def test_every_operation_accepts_both_auth_schemes(contract: Contract) -> None:
    schemes = contract.document["components"]["securitySchemes"]
    assert schemes["basicAuth"] == {**schemes["basicAuth"], "type": "http", "scheme": "basic"}
    assert schemes["oauthToken"]["name"] == "X-CAP-API-OAUTH-TOKEN" and schemes["oauthToken"]["in"] == "header"
    assert contract.document["security"] == [{"basicAuth": []}, {"oauthToken": []}]


@pytest.mark.parametrize(
    ("operation_id", "group"),
    [
        ("getCustomerCouponsV11", "customer"),
        ("isCouponRedeemableV11", "customer"),
        ("getCustomerCouponsV2", "customer"),
        ("getCouponsV2", "selector"),
    ],
)
def test_at_least_one_identifier_is_required(contract: Contract, operation_id: str, group: str) -> None:
    """The rule is a required, form-exploded object with minProperties 1: generation keeps it, negatives break it."""
    param = next(p for p in contract.operations[operation_id].parameters if p["name"] == group)
    assert param["required"] is True and param["style"] == "form" and param["explode"] is True
    assert param["schema"]["minProperties"] == 1
    assert param["schema"]["additionalProperties"] is False
