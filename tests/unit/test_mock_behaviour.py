"""The faithful mock behaves as the doc pages say, and every answer validates against the contract."""

from __future__ import annotations

from datetime import datetime

import pytest

from coupon_contracts.contract import Contract
from coupon_contracts.mock import build_dataset, create_app
from coupon_contracts.operations import RED, V2C, V2ID, V2L, V11

from .conftest import client_for, path_of

PATHS = {op: path_of(op) for op in (V11, RED, V2C, V2L)}


@pytest.fixture(scope="module")
def ds(mock_app):
    return mock_app.state.mock.dataset


def call(client, contract: Contract, operation_id: str, params=None, path=None):
    """GET an operation and assert the answer validates against the contract for its status."""
    response = client.get(path or PATHS[operation_id], params=params or {})
    errors = contract.body_errors(operation_id, response.status_code, response.json())
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]
    return response


def v11_coupons(response) -> list[dict]:
    customers = response.json()["response"]["customers"]["customer"]
    return customers[0]["coupons"]["coupon"] if customers else []


def v2_coupons(response) -> list[dict]:
    return response.json()["entity"]["customers"][0]["coupons"]


# -- the dataset ------------------------------------------------------------------------------------


def test_dataset_is_deterministic_for_a_seed_and_day() -> None:
    now = datetime(2026, 11, 23, 12, 0, 0).astimezone()
    first, second = build_dataset(seed=3, now=now), build_dataset(seed=3, now=now)
    assert [(c.id, c.code, c.valid_till) for c in first.coupons] == [(c.id, c.code, c.valid_till) for c in second.coupons]
    assert [c.code for c in build_dataset(seed=4, now=now).coupons] != [c.code for c in first.coupons]


def test_dataset_covers_every_corner(ds) -> None:
    now = ds.now
    assert not ds.coupons_of(ds.customers[0]), "a customer with no coupons"
    assert ds.customers[1].email is None and ds.customers[1].external_id is None
    coupons = ds.coupons
    assert any(c.code != c.code.upper() for c in coupons), "mixed-case codes"
    assert any(c.redemptions_left == -1 for c in coupons), "unlimited redemptions"
    assert any(c.is_expired(now) for c in coupons) and any(not c.is_expired(now) for c in coupons)
    assert any(c.redemption_count == 0 for c in coupons) and any(c.redemption_count >= 2 for c in coupons)
    assert any(c.series.custom_properties for c in coupons)
    assert len({c.series.id for c in coupons}) >= 3 and len({c.issued_at.id for c in coupons}) >= 3
    assert any(c.series.store_ids for c in coupons), "coupons restricted to some stores"
    assert any(c.redemptions_left == 0 for c in coupons), "a coupon with no redemptions left"


@pytest.mark.parametrize("size", [3, 40])
def test_dataset_size_is_configurable(size: int) -> None:
    assert len(build_dataset(customers=size).customers) == size


def test_dataset_refuses_too_small_a_size() -> None:
    with pytest.raises(ValueError, match="at least 3 customers"):
        build_dataset(customers=2)


# -- identifiers and documented errors --------------------------------------------------------------


@pytest.mark.parametrize(
    ("operation_id", "fields"),
    [
        (V11, {"mobile": "mobile", "email": "email", "external_id": "external_id", "id": "id"}),
        (V2L, {"mobile": "mobile", "email": "email", "externalId": "external_id", "id": "id"}),
        (RED, {"mobile": "mobile", "email": "email", "external_id": "external_id", "id": "id", "card_number": "card_number", "card_external_id": "card_external_id"}),
    ],
)
def test_customer_is_found_by_every_documented_identifier(mock_client, contract, ds, operation_id, fields) -> None:
    customer = ds.customers[2]
    code = ds.coupons_of(customer)[0].code
    for name, attr in fields.items():
        params = {name: str(getattr(customer, attr))} | ({"code": code} if operation_id == RED else {})
        response = call(mock_client, contract, operation_id, params)
        assert str(customer.id) in response.text or customer.mobile in response.text, name


@pytest.mark.parametrize("operation_id", [V11, RED, V2L, V2C])
def test_at_least_one_identifier_is_enforced(mock_client, contract, operation_id) -> None:
    params = {"code": "ABC"} if operation_id == RED else {}
    assert call(mock_client, contract, operation_id, params).status_code == 400


def test_v11_unknown_customer_is_item_code_701(mock_client, contract) -> None:
    body = call(mock_client, contract, V11, {"id": "1"}).json()["response"]
    assert body["customers"]["customer"][0]["item_status"]["code"] == 701 and body["status"]["success"] == "false"


def test_v11_unknown_series_is_item_code_707(mock_client, contract, ds) -> None:
    body = call(mock_client, contract, V11, {"id": ds.customers[2].id, "series_id": "999"}).json()["response"]
    assert body["customers"]["customer"][0]["item_status"]["code"] == 707


def test_v11_success_is_item_code_1000(mock_client, contract, ds) -> None:
    body = call(mock_client, contract, V11, {"id": ds.customers[2].id}).json()["response"]
    assert body["customers"]["customer"][0]["item_status"]["code"] == 1000 and body["status"]["success"] == "true"


def test_isredeemable_unknown_code_is_item_code_702(mock_client, contract, ds) -> None:
    item = call(mock_client, contract, RED, {"id": ds.customers[2].id, "code": "NOSUCHCODE"}).json()["response"]["coupons"]["redeemable"]
    assert item["item_status"]["code"] == 702 and item["is_redeemable"] == "false"


@pytest.mark.parametrize(("raw", "status", "code"), [("abc", 400, "INVALID_CUSTOMER_ID"), ("-5", 400, "INVALID_CUSTOMER_ID"), ("1", 404, "CUSTOMER_NOT_FOUND")])
def test_v2_by_id_documented_errors(mock_client, contract, raw, status, code) -> None:
    response = call(mock_client, contract, V2ID, path=path_of(V2ID, raw))
    assert response.status_code == status and code in response.text


def test_v2_by_id_customer_without_coupons_is_404_no_coupons_found(mock_client, contract, ds) -> None:
    response = call(mock_client, contract, V2ID, path=path_of(V2ID, ds.customers[0].id))
    assert response.status_code == 404 and "NO_COUPONS_FOUND" in response.text


# -- authentication ---------------------------------------------------------------------------------


@pytest.mark.parametrize("auth", ["none", "plain", "wrong-password", "wrong-token"])
@pytest.mark.parametrize("operation_id", [V11, RED, V2C, V2L, V2ID])
def test_bad_credentials_get_401(mock_app, contract, ds, auth, operation_id) -> None:
    params = {"id": ds.customers[2].id, "code": "X", "issuedToIds": ds.customers[2].id}
    path = path_of(V2ID, ds.customers[2].id) if operation_id == V2ID else None
    response = call(client_for(mock_app, auth), contract, operation_id, params, path)
    assert response.status_code == 401


def test_oauth_token_is_accepted(mock_app, contract, ds) -> None:
    assert call(client_for(mock_app, "token"), contract, V2C, {"issuedToIds": ds.customers[2].id}).status_code == 200


# -- v1.1 filters -----------------------------------------------------------------------------------


def test_v11_status_filters(mock_client, contract, ds) -> None:
    base = {"id": ds.customers[2].id}
    everything = {c["id"] for c in v11_coupons(call(mock_client, contract, V11, base))}
    picked = {s: v11_coupons(call(mock_client, contract, V11, base | {"status": s})) for s in ("redeemed", "unredeemed", "expired", "active")}
    assert all(c["redemption_count"] > 0 for c in picked["redeemed"]) and all(c["redemption_count"] == 0 for c in picked["unredeemed"])
    now = ds.now.strftime("%Y-%m-%d %H:%M:%S")
    assert all(c["valid_till"] < now for c in picked["expired"]) and all(c["valid_till"] >= now for c in picked["active"])
    assert {c["id"] for c in picked["redeemed"] + picked["unredeemed"]} == everything
    assert {c["id"] for c in picked["expired"] + picked["active"]} == everything


def test_v11_series_store_date_filters(mock_client, contract, ds) -> None:
    customer = ds.customers[2]
    series = ds.series[3]  # the store-restricted series
    by_series = v11_coupons(call(mock_client, contract, V11, {"id": customer.id, "series_id": series.id}))
    assert by_series and {c["series_id"] for c in by_series} == {str(series.id)}
    outside = v11_coupons(call(mock_client, contract, V11, {"id": customer.id, "store_id": ds.stores[2].id}))
    assert str(series.id) not in {c["series_id"] for c in outside}
    inside = v11_coupons(call(mock_client, contract, V11, {"id": customer.id, "store_id": series.store_ids[0]}))
    assert str(series.id) in {c["series_id"] for c in inside}
    assert not v11_coupons(call(mock_client, contract, V11, {"id": customer.id, "start_date": "2000-01-01", "end_date": "2000-01-02"}))
    assert v11_coupons(call(mock_client, contract, V11, {"id": customer.id, "start_date": "2000-01-01"}))


@pytest.mark.parametrize("order_by", ["created_date", "created_by", "valid_till"])
def test_v11_order_and_limit(mock_client, contract, ds, order_by) -> None:
    base = {"id": ds.customers[2].id, "order_by": order_by}
    asc = v11_coupons(call(mock_client, contract, V11, base | {"sort_order": "asc"}))
    desc = v11_coupons(call(mock_client, contract, V11, base | {"sort_order": "desc"}))
    assert [c["id"] for c in asc] == [c["id"] for c in reversed(desc)]
    limited = call(mock_client, contract, V11, base | {"limit": 2}).json()["response"]
    assert len(limited["customers"]["customer"][0]["coupons"]["coupon"]) == 2
    assert limited["pagination"] == {"limit": "2", "offset": "0", "total": len(asc)}


def test_v11_default_limit_is_100(mock_client, contract, ds) -> None:
    assert call(mock_client, contract, V11, {"id": ds.customers[2].id}).json()["response"]["pagination"]["limit"] == "100"


# -- v2 list ----------------------------------------------------------------------------------------


def test_v2_status_values_and_combinations(mock_client, contract, ds) -> None:
    base = {"id": ds.customers[2].id}
    everything = v2_coupons(call(mock_client, contract, V2L, base))
    redeemed = v2_coupons(call(mock_client, contract, V2L, base | {"status": "REDEEMED"}))
    unredeemed = v2_coupons(call(mock_client, contract, V2L, base | {"status": "UNREDEEMED"}))
    both = v2_coupons(call(mock_client, contract, V2L, base | {"status": "REDEEMED,UNREDEEMED"}))
    assert {c["id"] for c in both} == {c["id"] for c in everything} == {c["id"] for c in redeemed + unredeemed}
    redeemable = v2_coupons(call(mock_client, contract, V2L, base | {"status": "REDEEMABLE"}))
    assert redeemable and all(c["redemptionsLeft"] != 0 for c in redeemable)
    for status in ("ACTIVE", "EXPIRED", "ACTIVE_REDEEMED", "ACTIVE_UNREDEEMED", "EXPIRED_REDEEMED", "EXPIRED_UNREDEEMED"):
        call(mock_client, contract, V2L, base | {"status": status})


def test_v2_pages_are_slices_and_total_counts_all(mock_client, contract, ds) -> None:
    base = {"id": ds.customers[2].id}
    full = call(mock_client, contract, V2L, base).json()["entity"]
    ids = [c["id"] for c in full["customers"][0]["coupons"]]
    page = call(mock_client, contract, V2L, base | {"limit": 2, "offset": 3}).json()["entity"]
    assert [c["id"] for c in page["customers"][0]["coupons"]] == ids[3:5]
    assert page["pagination"]["total"] == full["pagination"]["total"] == len(ids)


def test_v2_default_order_is_descending(mock_client, contract, ds) -> None:
    base = {"id": ds.customers[2].id}
    default = [c["id"] for c in v2_coupons(call(mock_client, contract, V2L, base))]
    assert default == [c["id"] for c in v2_coupons(call(mock_client, contract, V2L, base | {"sort_order": "DESC"}))]
    assert default == [c["id"] for c in reversed(v2_coupons(call(mock_client, contract, V2L, base | {"sort_order": "ASC"})))]


@pytest.mark.parametrize(("case", "expected"), [(None, str.upper), ("UPPER", str.upper), ("LOWER", str.lower), ("AS_IT_IS", lambda s: s)])
def test_coupon_code_case_on_every_operation(mock_client, contract, ds, case, expected) -> None:
    customer = ds.customers[2]
    mixed = next(c for c in ds.coupons_of(customer) if c.code != c.code.upper())
    extra = {"coupon_code_case": case} if case else {}
    v2_codes = {c["code"] for c in v2_coupons(call(mock_client, contract, V2L, {"id": customer.id} | extra))}
    by_id = {c["code"] for c in call(mock_client, contract, V2ID, extra, path=path_of(V2ID, customer.id)).json()["entity"]}
    lookup = {c["code"] for c in call(mock_client, contract, V2C, {"couponCodes": mixed.code.swapcase()} | extra).json()["data"]}
    redeemable = call(mock_client, contract, RED, {"id": customer.id, "code": mixed.code.lower()} | extra).json()
    assert expected(mixed.code) in v2_codes and expected(mixed.code) in by_id and lookup == {expected(mixed.code)}
    assert redeemable["response"]["coupons"]["redeemable"]["code"] == expected(mixed.code)


# -- v2/coupon and isredeemable ---------------------------------------------------------------------


def test_v2_coupon_selectors_find_exactly_those_coupons(mock_client, contract, ds) -> None:
    customer = ds.customers[2]
    own = ds.coupons_of(customer)
    by_customer = call(mock_client, contract, V2C, {"issuedToIds": customer.id}).json()["data"]
    assert sorted(c["code"] for c in by_customer) == sorted(c.code.upper() for c in own)
    two = own[:2]
    by_ids = call(mock_client, contract, V2C, {"couponIds": ",".join(str(c.id) for c in two)}).json()["data"]
    assert sorted(c["code"] for c in by_ids) == sorted(c.code.upper() for c in two)
    by_codes = call(mock_client, contract, V2C, {"couponCodes": ",".join(c.code.lower() for c in two)}).json()["data"]
    assert sorted(c["code"] for c in by_codes) == sorted(c.code.upper() for c in two)


def test_isredeemable_live_expired_and_several_codes(mock_client, contract, ds) -> None:
    customer = ds.customers[2]
    own = ds.coupons_of(customer)
    live = next(c for c in own if c.is_redeemable(ds.now))
    expired = next(c for c in own if c.is_expired(ds.now))
    used_up = next(c for c in own if not c.is_expired(ds.now) and c.redemptions_left == 0)
    items = call(mock_client, contract, RED, {"id": customer.id, "code": f"{live.code},{expired.code},{used_up.code}"}).json()
    verdicts = [i["is_redeemable"] for i in items["response"]["coupons"]["redeemable"]]
    assert verdicts == ["true", "false", "false"]


# -- consistency across endpoints --------------------------------------------------------------------


def test_the_same_coupon_has_the_same_facts_everywhere(mock_client, contract, ds) -> None:
    customer = ds.customers[2]
    v11 = {c["code"]: c for c in v11_coupons(call(mock_client, contract, V11, {"id": customer.id}))}
    v2 = {c["code"]: c for c in v2_coupons(call(mock_client, contract, V2L, {"id": customer.id}))}
    by_id = {c["code"]: c for c in call(mock_client, contract, V2ID, path=path_of(V2ID, customer.id)).json()["entity"]}
    lookup = {c["code"]: c for c in call(mock_client, contract, V2C, {"issuedToIds": customer.id}).json()["data"]}
    assert set(v11) == set(v2) == set(by_id) == set(lookup)
    for code in v11:
        assert int(v11[code]["id"]) == v2[code]["id"] == by_id[code]["id"]
        assert int(v11[code]["series_id"]) == v2[code]["seriesId"] == by_id[code]["seriesId"] == lookup[code]["seriesId"]
        assert v2[code]["validTill"] == by_id[code]["validTill"] == lookup[code]["validTill"]
        assert v11[code]["valid_till"] == v2[code]["validTill"].replace("T", " ").rstrip("Z")
        assert v11[code]["redemption_count"] == v2[code]["redemptionCount"] == len(v2[code]["redemptions"])
        assert v2[code]["redemptionsLeft"] == by_id[code]["redemptionsLeft"]


def test_unknown_fault_is_refused_with_the_catalog_hint() -> None:
    with pytest.raises(ValueError, match="unknown fault.*--list-faults"):
        create_app(faults=["no-such-fault"])
