"""Each kind of drift finding can be produced, and a conforming answer produces none."""

from __future__ import annotations

import copy
import json

import pytest

from coupon_contracts.contract import Contract
from coupon_contracts.drift import DriftKind, DriftLog, findings_for

from .conftest import ROOT

BYID = json.loads((ROOT / "contracts/examples/v2-customers-customerId-coupons.200.json").read_text())
OP = "getCustomerCouponsByIdV2"


def body_with(edit) -> bytes:
    body = copy.deepcopy(BYID)
    edit(body)
    return json.dumps(body).encode()


def kinds(contract, body: bytes, *, status: int = 200, content_type: str = "application/json") -> dict[str, DriftKind]:
    return {f.path: f.kind for f in findings_for(contract, OP, status, content_type, body)}


def test_the_doc_example_has_no_drift(contract: Contract) -> None:
    assert kinds(contract, json.dumps(BYID).encode()) == {}


@pytest.mark.parametrize(
    ("edit", "path", "kind"),
    [
        (lambda b: b["entity"][0].pop("code"), "entity[].code", DriftKind.MISSING_REQUIRED_FIELD),
        (lambda b: b["entity"][0].__setitem__("seriesId", "775657"), "entity[].seriesId", DriftKind.TYPE_CHANGED),
        (lambda b: b["entity"][0].__setitem__("description", None), "entity[].description", DriftKind.NULLABILITY_CHANGED),
        (lambda b: b["entity"][0].__setitem__("validTill", "2025-05-29"), "entity[].validTill", DriftKind.FORMAT_CHANGED),
        (lambda b: b["entity"][0].__setitem__("redemptionsLeft", -7), "entity[].redemptionsLeft", DriftKind.CONSTRAINT_VIOLATED),
        (lambda b: b["entity"][0].__setitem__("loyaltyTier", {"name": "GOLD"}), "entity[].loyaltyTier", DriftKind.UNDOCUMENTED_FIELD),
    ],
    ids=lambda v: v.value if isinstance(v, DriftKind) else None,
)
def test_schema_differences_become_findings(contract: Contract, edit, path, kind) -> None:
    found = kinds(contract, body_with(edit))
    assert found == {path: kind}, found  # one finding, at the field (a new object is reported once)


def test_new_enum_value(contract: Contract) -> None:
    body = json.loads((ROOT / "contracts/examples/v1.1-coupon-isredeemable.200.upper.json").read_text())
    body["response"]["coupons"]["redeemable"]["is_redeemable"] = "maybe"
    found = findings_for(contract, "isCouponRedeemableV11", 200, "application/json", json.dumps(body).encode())
    assert [(f.path, f.kind) for f in found] == [("response.coupons.redeemable.is_redeemable", DriftKind.NEW_ENUM_VALUE)]


def test_envelope_level_findings(contract: Contract) -> None:
    assert kinds(contract, b"{}", status=418) == {"": DriftKind.UNDOCUMENTED_STATUS}
    assert kinds(contract, json.dumps(BYID).encode(), content_type="text/html") == {"": DriftKind.CONTENT_TYPE_CHANGED}
    found = findings_for(contract, OP, 200, "application/json", b"<html>Bad gateway</html>")
    assert [f.kind for f in found] == [DriftKind.BODY_NOT_JSON] and "Bad gateway" in found[0].observed


def test_the_same_finding_is_counted_not_repeated(contract: Contract) -> None:
    log = DriftLog()
    body = body_with(lambda b: [c.__setitem__("seriesId", str(c["seriesId"])) for c in b["entity"]])
    for _ in range(3):
        for finding in findings_for(contract, OP, 200, "application/json", body, request="curl ..."):
            log.add(finding)
    (finding,) = log.sorted()
    assert finding.count == 12 and finding.severity.value == "error" and finding.request == "curl ..."


def test_drift_json_matches_its_published_schema(contract: Contract, tmp_path) -> None:
    from jsonschema import Draft202012Validator

    from coupon_contracts.drift import write_drift_report
    from coupon_contracts.redaction import Redactor

    log = DriftLog()
    body = body_with(lambda b: b["entity"][0].update(seriesId="1", tier="GOLD"))
    for finding in findings_for(contract, OP, 200, "application/json", body, request="curl -X GET 'http://x'"):
        log.add(finding)
    log.responses = 1
    document = write_drift_report(log, tmp_path, target="embedded mock", contract_hash=contract.fingerprint, redactor=Redactor())
    schema = json.loads((ROOT / "schemas" / "drift-report.json").read_text())
    Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(document)
    assert json.loads((tmp_path / "drift.json").read_text()) == document
    assert [f["severity"] for f in document["findings"]] == ["error", "info"]
