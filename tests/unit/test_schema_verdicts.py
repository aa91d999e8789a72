"""Proof that the schemas can fail, and that they accept every reading the docs allow.

Each row edits one doc example: REJECT rows must produce a schema error at (or under) the edited
path; ACCEPT rows are the decisions of contracts/discrepancies.md (D-NN in the id) and must pass.
"""

from __future__ import annotations

import copy
import json
from typing import Any, Callable

import pytest

from coupon_contracts.contract import Contract

from .conftest import ROOT

Edit = Callable[[Any], None]

V11 = "v1.1-customer-coupons.200.json"
V11_COUPON = ("response", "customers", "customer", 0, "coupons", "coupon", 0)
RED = "v1.1-coupon-isredeemable.200.upper.json"
RED_ITEM = ("response", "coupons", "redeemable")
LOOKUP = "v2-coupon.200.upper.json"
LIST = "v2-customers-coupons.200.2.json"
LIST_COUPON = ("entity", "customers", 0, "coupons", 0)
BYID = "v2-customers-customerId-coupons.200.json"
BYID_COUPON = ("entity", 0)

OPERATION_OF = {
    V11: "getCustomerCouponsV11",
    RED: "isCouponRedeemableV11",
    LOOKUP: "getCouponsV2",
    LIST: "getCustomerCouponsV2",
    BYID: "getCustomerCouponsByIdV2",
}


def at(doc: Any, path: tuple) -> Any:
    for key in path:
        doc = doc[key]
    return doc


def set_(path: tuple, value: Any) -> Edit:
    return lambda doc: at(doc, path[:-1]).__setitem__(path[-1], value)


def delete(path: tuple) -> Edit:
    return lambda doc: at(doc, path[:-1]).pop(path[-1])


def rename(path: tuple, new: str) -> Edit:
    return lambda doc: at(doc, path[:-1]).__setitem__(new, at(doc, path[:-1]).pop(path[-1]))


def wrap_in_list(path: tuple) -> Edit:
    return lambda doc: at(doc, path[:-1]).__setitem__(path[-1], [at(doc, path), copy.deepcopy(at(doc, path))])


# (id, example, edit, path the error must point at)
REJECT = [
    ("v11-coupon-id-sent-as-number", V11, set_(V11_COUPON + ("id",), 163267982), V11_COUPON + ("id",)),
    ("v11-total-sent-as-string", V11, set_(("response", "pagination", "total"), "1"), ("response", "pagination", "total")),
    ("v11-limit-sent-as-number", V11, set_(("response", "pagination", "limit"), 100), ("response", "pagination", "limit")),
    ("v11-success-sent-as-boolean", V11, set_(("response", "status", "success"), True), ("response", "status", "success")),
    ("v11-code-sent-as-string", V11, set_(("response", "status", "code"), "200"), ("response", "status", "code")),
    ("v11-valid-till-reformatted-iso", V11, set_(V11_COUPON + ("valid_till",), "2019-12-31T23:59:59Z"), V11_COUPON + ("valid_till",)),
    ("v11-created-date-reformatted", V11, set_(V11_COUPON + ("created_date",), "2019-07-29 16:13:14"), V11_COUPON + ("created_date",)),
    ("v11-coupon-code-missing", V11, delete(V11_COUPON + ("code",)), V11_COUPON),
    ("v11-coupon-code-null", V11, set_(V11_COUPON + ("code",), None), V11_COUPON + ("code",)),
    ("v11-pagination-missing-on-success", V11, delete(("response", "pagination")), ("response",)),
    ("red-is-redeemable-boolean", RED, set_(RED_ITEM + ("is_redeemable",), True), RED_ITEM + ("is_redeemable",)),
    ("red-redemptions-left-string", RED, set_(RED_ITEM + ("redemptions_left",), "-1"), RED_ITEM + ("redemptions_left",)),
    ("red-redemptions-left-below-unlimited", RED, set_(RED_ITEM + ("redemptions_left",), -2), RED_ITEM + ("redemptions_left",)),
    ("red-coupons-missing-on-success", RED, delete(("response", "coupons")), ("response",)),
    ("red-code-missing", RED, delete(RED_ITEM + ("code",)), RED_ITEM),
    ("red-empty-list", RED, set_(RED_ITEM, []), RED_ITEM),
    ("lookup-series-id-string", LOOKUP, set_(("data", 0, "seriesId"), "84093"), ("data", 0, "seriesId")),
    ("lookup-valid-till-date-only", LOOKUP, set_(("data", 0, "validTill"), "2021-05-31"), ("data", 0, "validTill")),
    ("lookup-code-missing", LOOKUP, delete(("data", 0, "code")), ("data", 0)),
    ("lookup-data-not-a-list", LOOKUP, set_(("data",), {}), ("data",)),
    ("list-customer-id-string", LIST, set_(("entity", "customers", 0, "id"), "345635529"), ("entity", "customers", 0, "id")),
    ("list-redemptions-left-missing", LIST, delete(LIST_COUPON + ("redemptionsLeft",)), LIST_COUPON),
    ("list-success-string", LIST, set_(("success",), "true"), ("success",)),
    ("list-no-coupon-id-at-all", LIST, delete(LIST_COUPON + ("id",)), LIST_COUPON),
    ("list-no-issuing-store-at-all", LIST, delete(LIST_COUPON + ("issuedAt",)), LIST_COUPON),
    ("list-discount-value-string", LIST, set_(LIST_COUPON + ("discountValue",), "10.0"), LIST_COUPON + ("discountValue",)),
    ("byid-series-max-create-string", BYID, set_(BYID_COUPON + ("series", "maxCreate"), "20"), BYID_COUPON + ("series", "maxCreate")),
    ("byid-series-store-ids-missing", BYID, delete(BYID_COUPON + ("series", "storeIdsJson")), BYID_COUPON + ("series",)),
    ("byid-is-redeemed-string", BYID, set_(BYID_COUPON + ("isRedeemed",), "false"), BYID_COUPON + ("isRedeemed",)),
    ("byid-code-null", BYID, set_(BYID_COUPON + ("code",), None), BYID_COUPON + ("code",)),
    ("byid-date-format-field-iso", BYID, set_(BYID_COUPON + ("series", "dvsExpiryDateFormat"), "2025-05-21T00:00:00Z"), BYID_COUPON + ("series", "dvsExpiryDateFormat")),
    ("byid-status-code-string", BYID, set_(BYID_COUPON + ("status", "statusCode", "code"), "700"), BYID_COUPON + ("status", "statusCode", "code")),
    ("byid-issued-at-renamed", BYID, rename(BYID_COUPON + ("issuedAt",), "issued_at"), BYID_COUPON),
]

# (id naming the register decision, example, edit)
ACCEPT = [
    ("D-09-list-pagination-limit-as-number", LIST, set_(("entity", "pagination", "limit"), 100)),
    ("D-09-list-pagination-offset-as-number", LIST, set_(("entity", "pagination", "offset"), 0)),
    ("D-10-list-coupon-id-named-couponId", LIST, rename(LIST_COUPON + ("id",), "couponId")),
    ("D-11-list-issuing-store-named-issued", LIST, rename(LIST_COUPON + ("issuedAt",), "issued")),
    ("D-16-isredeemable-several-codes-as-list", RED, wrap_in_list(RED_ITEM)),
    ("D-20-list-customer-without-email-and-external-id", LIST, lambda d: [at(d, ("entity", "customers", 0)).pop(k) for k in ("email", "externalId")]),
    ("D-20-list-coupon-without-reversed-redemptions-and-custom-properties", LIST, delete(LIST_COUPON + ("reversedRedemptions",))),
    ("D-20-list-email-null", LIST, set_(("entity", "customers", 0, "email"), None)),
    ("D-21-byid-without-isRedeemed", BYID, delete(BYID_COUPON + ("isRedeemed",))),
    ("D-25-v11-item-error-without-customer-details", V11, lambda d: at(d, ("response", "customers", "customer")).__setitem__(0, {"item_status": {"success": "false", "code": 701, "message": "Customer not found"}})),
    ("D-25-v11-failed-envelope-without-pagination", V11, lambda d: [at(d, ("response",)).pop("pagination"), set_(("response", "status", "success"), "false")(d)]),
    ("D-25-isredeemable-failed-envelope-without-coupons", RED, lambda d: [at(d, ("response",)).pop("coupons"), set_(("response", "status", "success"), "false")(d)]),
    ("open-objects-undocumented-field-is-not-a-schema-failure", BYID, set_(BYID_COUPON + ("newVendorField",), 1)),
    ("v11-transaction-number-null", V11, set_(V11_COUPON + ("transaction_number",), None)),
    ("v11-empty-custom-properties", V11, set_(V11_COUPON + ("custom_properties", "custom_property"), [])),
    ("red-unlimited-redemptions", RED, set_(RED_ITEM + ("redemptions_left",), -1)),
    ("list-offset-timestamps", LIST, set_(LIST_COUPON + ("validTill",), "2029-09-01T00:00:00+05:30")),
    ("byid-no-coupons", BYID, set_(("entity",), [])),
]


def _example(name: str) -> Any:
    return json.loads((ROOT / "contracts" / "examples" / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize(("case_id", "example", "edit", "error_path"), REJECT, ids=[r[0] for r in REJECT])
def test_invalid_body_is_rejected_at_the_edited_field(contract: Contract, case_id, example, edit, error_path) -> None:
    body = _example(example)
    edit(body)
    errors = contract.body_errors(OPERATION_OF[example], 200, body)
    assert errors, f"{case_id}: the schema accepted an invalid body"
    paths = [tuple(e.absolute_path) for e in errors]
    assert any(p[: len(error_path)] == error_path for p in paths), f"{case_id}: errors at {paths}, expected under {error_path}"


@pytest.mark.parametrize(("case_id", "example", "edit"), ACCEPT, ids=[a[0] for a in ACCEPT])
def test_documented_alternative_is_accepted(contract: Contract, case_id, example, edit) -> None:
    body = _example(example)
    edit(body)
    errors = contract.body_errors(OPERATION_OF[example], 200, body)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]


def test_every_operation_has_rejected_bodies() -> None:
    assert {OPERATION_OF[r[1]] for r in REJECT} == set(OPERATION_OF.values())


@pytest.mark.parametrize(
    ("operation_id", "status", "body", "is_valid"),
    [
        ("getCustomerCouponsByIdV2", 404, {"errors": [{"code": "NO_COUPONS_FOUND", "message": "none"}], "success": False}, True),
        ("getCustomerCouponsByIdV2", 400, {"errors": [{"code": 8015, "message": "Invalid customer id"}], "success": False}, True),
        ("getCustomerCouponsByIdV2", 404, {"errors": "CUSTOMER_NOT_FOUND", "success": False}, False),
        ("getCustomerCouponsByIdV2", 500, {"success": "false"}, False),
        ("getCustomerCouponsV11", 401, {"response": {"status": {"success": "false", "code": 401, "message": "Unauthorized"}}}, True),
        ("getCustomerCouponsV11", 401, {"response": {"status": {"success": False, "code": 401}}}, False),
        ("getCouponsV2", 401, {"errors": [{"code": "UNAUTHORIZED", "message": "Invalid credentials"}]}, True),
        ("getCouponsV2", 401, [], False),
    ],
)
def test_error_bodies(contract: Contract, operation_id: str, status: int, body: Any, is_valid: bool) -> None:
    assert (not contract.body_errors(operation_id, status, body)) is is_valid


def test_undocumented_status_is_reported_not_validated(contract: Contract) -> None:
    with pytest.raises(LookupError, match="status 418 is not documented"):
        contract.body_errors("getCustomerCouponsByIdV2", 418, {})
