"""The documented errors and the two authentication schemes, on every operation.

Refused without credentials, with a wrong password, with a wrong token (401 where a page lists it:
by-id; elsewhere the pages require authentication but name no status, so any refusal holds);
701 for an unknown customer (v1.1), 707 for an unknown series; 400 INVALID_CUSTOMER_ID for a
non-numeric or negative id, 404 CUSTOMER_NOT_FOUND and NO_COUPONS_FOUND (v2 by-id).
The unhashed password is not checked: no page says the password is hashed (D-27), so what the
target does with it is observed only.
"""

from __future__ import annotations

import pytest

from coupon_contracts.auth import OAuthTokenAuth, VendorBasicAuth
from coupon_contracts.checks import BAD_CREDENTIALS
from coupon_contracts.listing import explain
from coupon_contracts.operations import RED, V2C, V2ID, V2L, V11
from coupon_contracts.properties import NotChecked

UNKNOWN_CUSTOMER_ID = 987654321012  # twelve digits no test customer has; checked against discovery below
UNKNOWN_SERIES_ID = 987654321


def _request(operation_id, discovery, target) -> dict:
    """The arguments of `target.get` for an ordinary request of the operation about a test customer."""
    customer = (discovery.with_coupons or discovery.customers)[0]
    row = target.operations[operation_id]
    if row.customer_in_path:
        return {"customer_id": customer.id}
    code = {"code": customer.coupons[0].code if customer.coupons else "NOCODE"} if operation_id == RED else {}
    return {"params": (customer.v11_identifier() if operation_id in (V11, RED) else row.by_id(customer.id)) | code}


def _bad_credentials(target):
    username = target.credentials.get("username") or "coupon-contracts"
    password = target.credentials.get("password") or "not-the-password"
    return {
        "none": None,
        "wrong-password": VendorBasicAuth(username, password + "-wrong"),
        "wrong-token": OAuthTokenAuth("coupon-contracts-wrong-token"),
    }


def is_refused(operation_id, exchange) -> bool:
    """Refused: 401 on by-id (its page lists it); elsewhere any 4xx, or an answer that says it failed and lists nothing."""
    status = exchange.response.status_code
    if operation_id == V2ID:
        return status == 401
    if 400 <= status < 500:
        return True
    try:
        body = exchange.json
    except ValueError:
        return False
    if not isinstance(body, dict):
        return False
    flags = [body.get("success"), ((body.get("response") or {}).get("status") or {}).get("success") if isinstance(body.get("response"), dict) else None]
    carries_data = bool(body.get("data") or body.get("entity") or ((body.get("response") or {}).get("customers") if isinstance(body.get("response"), dict) else None)
                        or ((body.get("response") or {}).get("coupons") if isinstance(body.get("response"), dict) else None))  # fmt: skip
    return any(flag in (False, "false") for flag in flags) and not carries_data


@pytest.mark.parametrize(
    ("operation_id", "credentials"),
    [pytest.param(op, cred, marks=pytest.mark.check(f"security.refused.{op}.{cred}"), id=f"{op}-{cred}") for op in (V11, RED, V2C, V2L, V2ID) for cred in BAD_CREDENTIALS],
)
def test_bad_credentials_are_refused(operation_id, credentials, target, discovery, redactor) -> None:
    """The control: the same request with the run's credentials must be served, else a refusal proves nothing."""
    request = _request(operation_id, discovery, target)
    control = target.get(operation_id, **request)
    if is_refused(operation_id, control):
        raise NotChecked(f"{operation_id}: the request is refused with the run's own credentials too (HTTP {control.response.status_code})")
    exchange = target.get(operation_id, **request, auth=_bad_credentials(target)[credentials])
    assert is_refused(operation_id, exchange), explain(
        f"{operation_id} served a request with {credentials} credentials", redactor, exchange, expected="refused (401)" if operation_id == V2ID else "refused", observed=exchange.response.status_code
    )


@pytest.mark.check("security.oauth-accepted")
def test_oauth_token_is_accepted_when_configured(target, discovery, redactor) -> None:
    token = target.credentials.get("oauth_token")
    if not token:
        raise NotChecked("no COUPON_API_OAUTH_TOKEN configured: the OAuth scheme was not exercised")
    exchange = target.get(V2C, **_request(V2C, discovery, target), auth=OAuthTokenAuth(token))
    assert exchange.response.status_code == 200, explain("the OAuth token was refused", redactor, exchange, expected=200)


def _unknown_customer(discovery) -> int:
    assert UNKNOWN_CUSTOMER_ID not in {c.id for c in discovery.customers}
    return UNKNOWN_CUSTOMER_ID


def _item_code(exchange):
    customers = ((exchange.json.get("response") or {}).get("customers") or {}).get("customer") or []
    return (customers[0].get("item_status") or {}).get("code") if customers else None


@pytest.mark.check("errors.v11-unknown-customer-701")
def test_v11_unknown_customer_is_item_code_701(target, discovery, redactor) -> None:
    exchange = target.get(V11, {"id": _unknown_customer(discovery)})
    assert _item_code(exchange) == 701, explain("an unknown customer is not item code 701", redactor, exchange, expected=701, observed=_item_code(exchange))


@pytest.mark.check("errors.v11-unknown-series-707")
def test_v11_unknown_series_is_item_code_707(target, discovery, redactor) -> None:
    if UNKNOWN_SERIES_ID in discovery.series_ids:
        raise NotChecked("the probe series id exists on this target")
    customer = discovery.customers[0]
    exchange = target.get(V11, {**customer.v11_identifier(), "series_id": UNKNOWN_SERIES_ID})
    assert _item_code(exchange) == 707, explain("an unknown series is not item code 707", redactor, exchange, expected=707, observed=_item_code(exchange))


@pytest.mark.parametrize(
    ("customer_id", "status", "code"),
    [
        pytest.param(raw, status, code, marks=pytest.mark.check(f"errors.by-id.{case}"), id=case)
        for case, raw, status, code in (("non-numeric", "abc", 400, "INVALID_CUSTOMER_ID"), ("negative", "-5", 400, "INVALID_CUSTOMER_ID"), ("unknown", "unknown", 404, "CUSTOMER_NOT_FOUND"))
    ],
)
def test_v2_by_id_documented_errors(customer_id, status, code, target, discovery, redactor) -> None:
    raw = str(_unknown_customer(discovery)) if customer_id == "unknown" else customer_id
    exchange = target.get(V2ID, customer_id=raw)
    observed = (exchange.response.status_code, code in exchange.response.text)
    assert observed == (status, True), explain(f"customerId={customer_id}: not {status} {code}", redactor, exchange, expected=(status, code), observed=exchange.response.status_code)


@pytest.mark.check("errors.by-id-no-coupons")
def test_v2_by_id_customer_without_coupons_is_404_no_coupons_found(target, discovery, redactor) -> None:
    if not discovery.without_coupons:
        raise NotChecked("no test customer without coupons (add one to COUPON_API_CUSTOMERS to check NO_COUPONS_FOUND)")
    for customer in discovery.without_coupons:
        exchange = target.get(V2ID, customer_id=customer.id)
        observed = (exchange.response.status_code, "NO_COUPONS_FOUND" in exchange.response.text)
        assert observed == (404, True), explain("a customer without coupons is not 404 NO_COUPONS_FOUND", redactor, exchange, expected=404, observed=exchange.response.status_code)
