"""The table of operations: read from the contract, the one place the code learns a path, a customer
parameter, a doc page or where an answer keeps its coupons."""

from __future__ import annotations

import re
import shutil

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coupon_contracts.contract import Contract, ContractError
from coupon_contracts.operations import V2C, V2ID, V2L, OperationId, items_at, operation_at

from .conftest import ROOT

API_PATH = re.compile(r"/v(?:1\.1|2)/[a-z{]")


def test_every_operation_of_the_contract_is_a_row(contract: Contract) -> None:
    table = contract.table
    assert set(table) == set(OperationId) == set(contract.operations)
    assert {row.page for row in table.values()} == set(contract.document["info"]["x-source-docs"])
    assert table[V2ID].customer_in_path and table[V2ID].path_for(5).endswith("/5/coupons")
    assert table[V2L].by_id(5) == {"id": 5} and table[V2C].by_id(5) == {"issuedToIds": 5}
    assert table[V2L].identifier_attributes()["externalId"] == "external_id"


def test_each_path_is_found_again_from_a_request(contract: Contract) -> None:
    for row in contract.table.values():
        assert operation_at(row.path_for(123) if row.customer_in_path else row.path) == row.operation_id
    assert operation_at("/nowhere") is None


def test_the_coupons_and_the_pagination_of_every_doc_example_are_found(contract: Contract) -> None:
    import json

    for operation, response, _, path in contract.examples():
        row = contract.table[operation.operation_id]
        if response.status == "200" and row.coupons_at:
            body = json.loads(path.read_text(encoding="utf-8"))
            assert row.coupons_in(body), f"{path.name}: no coupon at {row.coupons_at}"
            assert bool(row.pagination_in(body)) == bool(row.pagination_at), path.name


@given(st.recursive(st.none() | st.integers() | st.text(max_size=3), lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("abc"), inner, max_size=3)))
def test_items_at_never_raises_on_any_json(document) -> None:
    assert isinstance(items_at(document, "a.b[].c[]"), list)


def test_a_contract_without_the_extension_is_refused_naming_the_operation(tmp_path) -> None:
    shutil.copytree(ROOT / "contracts", tmp_path / "contracts")
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    path = tmp_path / "contracts" / "openapi.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("        customer: issuedToIds\n", "", 1), encoding="utf-8")
    with pytest.raises(ContractError, match=r"openapi\.yaml: GET \S+: x-coupon-contracts needs `page` and `customer`"):
        Contract.load(path)
    path.write_text(text.replace("customer: issuedToIds", "customer: issuedTo", 1), encoding="utf-8")
    with pytest.raises(ContractError, match=r"names the customer parameter 'issuedTo'"):
        Contract.load(path)


def test_no_api_path_is_written_outside_the_contract() -> None:
    """The table is built from the contract: code and tests ask it (tests/cleanroom, the independent
    server written from the pages alone, keeps its own)."""
    where = [ROOT / "src", ROOT / "tests" / "unit", ROOT / "tests" / "conformance", ROOT / "benchmarks"]
    found = [f"{p.relative_to(ROOT)}:{n}" for d in where for p in d.rglob("*.py") for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if API_PATH.search(line)]
    assert found == [], found[:10]
