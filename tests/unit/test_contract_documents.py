"""The contract files are valid documents: OpenAPI 3.1, JSON Schema 2020-12, every $ref resolving."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import urljoin

import pytest
import yaml
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from coupon_contracts.contract import Contract, ContractError
from coupon_contracts.operations import V2C, label_of

from .conftest import ROOT

SCHEMA_FILES = sorted((ROOT / "schemas").glob("*.json"))


def test_openapi_document_is_valid_openapi_3_1() -> None:
    spec, base_uri = read_from_filename(str(ROOT / "contracts" / "openapi.yaml"))
    assert spec["openapi"].startswith("3.1")
    validate(spec, base_uri=base_uri)


@pytest.mark.parametrize("schema_file", SCHEMA_FILES, ids=lambda p: p.name)
def test_schema_is_valid_json_schema_2020_12(schema_file: Path) -> None:
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    assert schema.get("$schema") == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_every_ref_resolves(contract: Contract) -> None:
    contract.check_references()  # raises ContractError naming the file otherwise
    assert len(contract.operations) == 5


def test_every_schema_file_is_used(contract: Contract) -> None:
    """No orphan schema: each file is reachable from some response of the OpenAPI document."""
    reachable: set[str] = set()
    pending = [r.schema_uri for op in contract.operations.values() for r in op.responses.values() if r.schema_uri]
    while pending:
        uri = pending.pop().split("#")[0]
        if uri in reachable:
            continue
        reachable.add(uri)
        document = json.loads(Path(uri.removeprefix("file://")).read_text(encoding="utf-8"))
        pending.extend(_refs(document, base=uri))
    unused = {p.name for p in SCHEMA_FILES} - {Path(u).name for u in reachable} - {"drift-report.json", "known-deviations.json", "observed-shapes.json"}  # the tool's own files
    assert not unused, f"schemas not referenced from contracts/openapi.yaml: {sorted(unused)}"


def _refs(node, *, base: str):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield urljoin(base, node["$ref"])
        for value in node.values():
            yield from _refs(value, base=base)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value, base=base)


@pytest.fixture
def contract_copy(tmp_path: Path) -> Path:
    """A throw-away copy of contracts/ and schemas/ to break on purpose."""
    shutil.copytree(ROOT / "contracts", tmp_path / "contracts")
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    return tmp_path


def test_dangling_ref_in_a_schema_names_the_file(contract_copy: Path) -> None:
    target = contract_copy / "schemas" / "v2-coupon-lookup.json"
    schema = json.loads(target.read_text())
    schema["properties"]["validTill"] = {"$ref": "common.json#/$defs/noSuchFormat"}
    target.write_text(json.dumps(schema))
    with pytest.raises(ContractError, match=r"v2-coupon-lookup\.json: \$ref 'common\.json#/\$defs/noSuchFormat'"):
        Contract.load(contract_copy / "contracts" / "openapi.yaml")


def test_dangling_ref_in_the_openapi_document_names_the_operation(contract_copy: Path) -> None:
    target = contract_copy / "contracts" / "openapi.yaml"
    target.write_text(target.read_text().replace("../schemas/v2-coupon.response.json", "../schemas/missing.json"))
    with pytest.raises(ContractError, match=r"openapi\.yaml: " + re.escape(label_of(V2C)) + " 200 does not resolve"):
        Contract.load(target)


def test_invalid_yaml_names_file_and_line(contract_copy: Path) -> None:
    target = contract_copy / "contracts" / "openapi.yaml"
    lines = target.read_text().splitlines()
    lines[40] = lines[40] + " : : ["
    target.write_text("\n".join(lines))
    with pytest.raises(ContractError, match=r"openapi\.yaml:\d+: invalid YAML"):
        Contract.load(target)


def test_missing_contract_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(ContractError, match="contract file not found"):
        Contract.load(tmp_path / "nope.yaml")


def test_yaml_is_plain_data() -> None:
    """The contract parses with a safe loader (no tags), so any OpenAPI tool can read it."""
    assert yaml.safe_load((ROOT / "contracts" / "openapi.yaml").read_text())["openapi"] == "3.1.0"
