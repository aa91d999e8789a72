"""Every fault of the catalog is visible: its probe gets a different answer from the faulty mock.

Shape faults that break the contract must also make the faulty answer fail the schema while the
faithful one passes; security faults must turn the faithful 401 into a 200. (Once the
conformance suite exists, tests/unit/test_suite_catches_faults.py runs it against each fault.)
"""

from __future__ import annotations

import pytest

from coupon_contracts.contract import Contract
from coupon_contracts.mock import FAULTS, create_app
from coupon_contracts.operations import OperationId

from .conftest import client_for


def test_catalog_has_25_faults_over_every_operation_and_family() -> None:
    assert len(FAULTS) >= 25
    assert {f.family for f in FAULTS.values()} == {"shape", "behaviour", "security"}
    covered = {op for f in FAULTS.values() for op in f.operations}
    assert covered == set(OperationId)
    for family in ("shape", "behaviour"):
        per_op = {op for f in FAULTS.values() if f.family == family for op in f.operations}
        assert len(per_op) == 5, f"{family} faults do not reach every operation: {sorted(per_op)}"


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_fault_is_visible_in_its_probe(name: str, mock_app, contract: Contract) -> None:
    fault = FAULTS[name]
    faulty_app = create_app(faults=[name])
    operation_id, path, params = fault.probe.request(faulty_app.state.mock.dataset)
    faithful = client_for(mock_app, fault.probe.auth).get(path, params=params)
    faulty = client_for(faulty_app, fault.probe.auth).get(path, params=params)
    seen = lambda r: (r.status_code, r.headers.get("content-type"), r.text)  # noqa: E731
    assert seen(faithful) != seen(faulty), f"{name}: the probe cannot tell the faulty mock from the faithful one"

    if fault.family == "security":
        assert faithful.status_code == 401 and faulty.status_code == 200
    assert not contract.body_errors(operation_id, faithful.status_code, faithful.json()), "the faithful answer must conform"
    if fault.family == "shape" and fault.is_breaking and name != "all-content-type-text":
        assert contract.body_errors(operation_id, faulty.status_code, faulty.json()), f"{name}: the contract accepts the faulty body"
    if name == "all-content-type-text":
        assert faulty.headers["content-type"].startswith("text/plain")


def test_faults_combine(mock_app) -> None:
    app = create_app(faults=["v11-coupon-id-as-number", "v11-total-as-string"])
    _, path, params = FAULTS["v11-total-as-string"].probe.request(app.state.mock.dataset)
    body = client_for(app).get(path, params=params).json()["response"]
    assert isinstance(body["pagination"]["total"], str)
    assert isinstance(body["customers"]["customer"][0]["coupons"]["coupon"][0]["id"], int)
