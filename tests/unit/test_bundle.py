"""`coupon-contracts contract bundle`: one file that other tools can import, the same contract inside."""

from __future__ import annotations

import json

import schemathesis
import yaml
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from coupon_contracts.bundle import bundled
from coupon_contracts.cli import main
from coupon_contracts.contract import Contract, references_in

BUNDLE_URI = "urn:coupon-contracts:bundle"


def test_the_bundle_is_valid_openapi_with_no_reference_outside_it(contract: Contract) -> None:
    document = bundled(contract)
    validate(document)
    references = [ref for ref in references_in(document) if not ref.startswith("#/")]
    assert references == []
    assert len(document["components"]["schemas"]) >= 20


def test_schemathesis_finds_the_same_operations_in_both(contract: Contract) -> None:
    def operations(schema) -> set[tuple[str, str, str]]:
        return {(op.method.upper(), op.path, op.definition.raw["operationId"]) for op in (r.ok() for r in schema.get_all_operations())}

    multi = schemathesis.openapi.from_path(str(contract.openapi_path))
    single = schemathesis.openapi.from_dict(bundled(contract))
    assert operations(single) == operations(multi) and len(operations(multi)) == 5


def test_every_doc_example_validates_against_the_bundled_schema(contract: Contract) -> None:
    document = bundled(contract)
    registry = Registry().with_resource(BUNDLE_URI, Resource.from_contents(document, default_specification=DRAFT202012))
    checked = 0
    for op, response, _name, path in contract.examples():
        schema = document["paths"][op.path]["get"]["responses"][response.status]["content"]["application/json"]["schema"]
        validator = Draft202012Validator({"$ref": f"{BUNDLE_URI}#/paths/{_escape(op.path)}/get/responses/{response.status}/content/application~1json/schema"}, registry=registry)
        errors = list(validator.iter_errors(json.loads(path.read_text(encoding="utf-8"))))
        assert errors == [], f"{path.name}: {errors[0].message}"
        assert "$ref" in schema
        checked += 1
    assert checked == 8


def test_the_command_writes_yaml_or_json(tmp_path, capsys) -> None:
    assert main(["contract", "bundle", "-o", str(tmp_path / "coupons.yaml")]) == 0
    assert yaml.safe_load((tmp_path / "coupons.yaml").read_text())["openapi"] == "3.1.0"
    assert main(["contract", "bundle", "-o", str(tmp_path / "coupons.json")]) == 0
    assert json.loads((tmp_path / "coupons.json").read_text())["components"]["schemas"]
    assert main(["contract", "bundle", "-o", str(tmp_path / "missing" / "x.yaml")]) == 2
    assert "--output" in capsys.readouterr().err


def _escape(path: str) -> str:
    return path.replace("~", "~0").replace("/", "~1")
