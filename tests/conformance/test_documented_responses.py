"""Every operation, asked about every test customer, answers with a documented status and body.

Until the full suite (Schemathesis fuzzing, filter properties, consistency; issue #4) lands, this
is the conformance run of `make run`: the embedded mock, in-process.
"""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from coupon_contracts.auth import VendorBasicAuth
from coupon_contracts.contract import Contract
from coupon_contracts.mock import create_app

APP = create_app()
DATASET = APP.state.mock.dataset


@pytest.fixture(scope="module")
def contract() -> Contract:
    return Contract.load()


@pytest.fixture(scope="module")
def client() -> TestClient:
    creds = APP.state.mock.credentials
    client = TestClient(APP, base_url="http://mock")
    client.auth = VendorBasicAuth(creds.username, creds.password)
    return client


def requests_for(customer) -> list[tuple[str, str, dict]]:
    codes = ",".join(c.code for c in DATASET.coupons_of(customer)[:3]) or "NOCODE"
    return [
        ("getCustomerCouponsV11", "/v1.1/customer/coupons", {"id": customer.id}),
        ("isCouponRedeemableV11", "/v1.1/coupon/isredeemable", {"mobile": customer.mobile, "code": codes}),
        ("getCouponsV2", "/v2/coupon", {"issuedToIds": customer.id}),
        ("getCustomerCouponsV2", "/v2/customers/coupons", {"mobile": customer.mobile}),
        ("getCustomerCouponsByIdV2", f"/v2/customers/{customer.id}/coupons", {}),
    ]


CASES = [(op, path, params) for customer in DATASET.customers for op, path, params in requests_for(customer)]


@pytest.mark.parametrize(("operation_id", "path", "params"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_answer_is_documented(client: TestClient, contract: Contract, operation_id: str, path: str, params: dict) -> None:
    response = client.get(path, params=params)
    assert response.headers["content-type"].startswith("application/json")
    assert contract.operations[operation_id].response_for(response.status_code), f"status {response.status_code} is not documented"
    errors = contract.body_errors(operation_id, response.status_code, response.json())
    assert not errors, [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]
