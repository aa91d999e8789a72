"""What the target does where the pages say nothing: recorded in the sign-off, never failed on.

Each of these was a check once; no doc line states the behaviour, so the docs win (D-69): the answer
is written down for the QA team to take to the vendor, and no verdict depends on it.
"""

from __future__ import annotations

import pytest

from coupon_contracts.auth import VendorBasicAuth
from coupon_contracts.listing import Listing
from coupon_contracts.operations import V2L, V11


@pytest.fixture(scope="module")
def listing(target) -> Listing:
    return Listing(target)


def _customer(discovery):
    pool = discovery.with_coupons or discovery.customers
    return pool[0] if pool else None


@pytest.mark.silence("D-27")
def test_what_the_unhashed_password_gets(target, discovery, silence) -> None:
    customer, username, password = _customer(discovery), target.credentials.get("username"), target.credentials.get("password")
    if customer is None or not username or not password:
        return
    exchange = target.get(V2L, {"id": customer.id}, auth=VendorBasicAuth(username, password, is_hashed=False))
    status = exchange.response.status_code
    silence("the unhashed password", entry="D-27", observed=f"HTTP {status}" + (" (accepted beside its MD5)" if status == 200 else " (refused)"))


@pytest.mark.silence("D-69")
def test_what_coupon_code_case_does_on_the_v11_list(listing, discovery, silence) -> None:
    customer = discovery.with_coupons[0] if discovery.with_coupons else None
    if customer is None:
        return
    lower = listing.coupons(V11, customer, coupon_code_case="LOWER")
    codes = [v.code for v in lower.views if v.code.upper() != v.code.lower()]
    applied = bool(codes) and all(code == code.lower() for code in codes)
    silence(f"coupon_code_case on {listing.target.operations[V11].label} (not on its page)", entry="D-69",
            observed="applied: LOWER gave lower-case codes" if applied else "not applied" if codes else "no code with letters to tell")


@pytest.mark.silence("D-69")
def test_what_status_a_refusal_carries(target, discovery, silence) -> None:
    customer = _customer(discovery)
    if customer is None:
        return
    statuses = {}
    for operation_id, params in ((V11, customer.v11_identifier()), (V2L, {"id": customer.id})):
        statuses[operation_id] = target.get(operation_id, params, auth=None).response.status_code
    silence("the HTTP status of a request without credentials (401 documented for by-id only)", entry="D-69",
            observed=", ".join(f"{op} {code}" for op, code in statuses.items()))


@pytest.mark.silence("D-34")
def test_what_redeemable_selects(listing, discovery, silence) -> None:
    customer = discovery.with_coupons[0] if discovery.with_coupons else None
    if customer is None:
        return
    full = listing.coupons(V2L, customer)
    redeemable = listing.coupons(V2L, customer, status="REDEEMABLE")
    live = sum(1 for v in full.views if v.is_expired(discovery.now) is False)
    silence("status=REDEEMABLE on the v2 list (listed, never defined)", entry="D-34",
            observed=f"{len(redeemable.keys)} of {len(full.keys)} coupons ({live} live) for customer {customer.id}")
