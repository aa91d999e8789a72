"""The v2 APIs of the mock: getCouponsV2, getCustomerCouponsV2 and getCustomerCouponsByIdV2."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from . import representation as wire
from .dataset import Coupon, ordered
from .query import as_sent, code_case, enum_param, find_customer, int_param, spoiled, unpaged, values
from .state import BadRequest, MockState, v2_error

# -- getCouponsV2 -------------------------------------------------------------------------------


async def v2_coupon(request: Request, state: MockState) -> Response:
    """Coupons by ids, by codes (any case), or issued to customers; the union of what is asked."""
    ds, faults, readings = state.dataset, state.faults, state.readings
    comma = not readings.has("v2-coupon-lists-repeated-not-comma")
    lists = {name: values(request, name, comma_separated=comma) for name in ("issuedToIds", "couponIds", "couponCodes")}
    if not any(lists.values()):
        raise BadRequest("pass at least one of issuedToIds, couponIds, couponCodes")
    if readings.has("v2-coupon-issued-to-ids-required") and not lists["issuedToIds"]:
        raise BadRequest("issuedToIds is required")
    for name in ("issuedToIds", "couponIds"):
        if any(not v.isdigit() for v in lists[name]):
            raise BadRequest(f"{name} must be comma-separated numbers")
    customer_ids = set() if faults.has("v2-coupon-by-customer-empty") else {int(v) for v in lists["issuedToIds"]}
    if faults.has("v2-coupon-codes-partial"):
        lists["couponCodes"] = lists["couponCodes"][:1]
    coupon_ids = set() if faults.has("v2-coupon-ids-ignored") else {int(v) for v in lists["couponIds"]}
    fold: Callable[[str], str] = as_sent if faults.has("v2-coupon-lookup-case-sensitive") else str.casefold
    codes = {fold(c) for c in lists["couponCodes"]}
    found = [c for c in ds.coupons if c.customer_id in customer_ids or c.id in coupon_ids or fold(c.code) in codes]
    found = unpaged(request, ordered(found, lambda c: c.created_date, descending=True, ties=state.ties), readings)
    case = code_case(request)
    return JSONResponse({"data": [wire.v2_coupon_lookup(c, case, readings) for c in found], "warnings": [], "errors": []})


# -- getCustomerCouponsV2 ----------------------------------------------------------------------

V2_CUSTOMER_FIELDS = {"mobile": "mobile", "email": "email", "externalId": "external_id", "id": "id"}
V2_STATUSES = (
    "REDEEMED", "UNREDEEMED", "ACTIVE", "EXPIRED", "ACTIVE_REDEEMED",
    "ACTIVE_UNREDEEMED", "EXPIRED_REDEEMED", "EXPIRED_UNREDEEMED", "REDEEMABLE",
)  # fmt: skip


def v2_status_matches(coupon: Coupon, status: str, now: datetime, *, redeemable_means_active: bool = False) -> bool:
    """The documented meaning of each v2 status value (REDEEMABLE, undefined: live with redemptions left, or live)."""
    expired, redeemed = coupon.is_expired(now), coupon.redemption_count > 0
    return {
        "REDEEMED": redeemed,
        "UNREDEEMED": not redeemed,
        "ACTIVE": not expired,
        "EXPIRED": expired,
        "ACTIVE_REDEEMED": not expired and redeemed,
        "ACTIVE_UNREDEEMED": not expired and not redeemed,
        "EXPIRED_REDEEMED": expired and redeemed,
        "EXPIRED_UNREDEEMED": expired and not redeemed,
        "REDEEMABLE": not expired if redeemable_means_active else coupon.is_redeemable(now),
    }[status]


V2_LIST_SORT_KEYS: dict[str, Callable[[Coupon], Any]] = {
    "v2-list-sort-by-id": lambda c: c.id,
    "v2-list-sort-by-valid-till": lambda c: c.valid_till,
}


async def v2_customer_coupons(request: Request, state: MockState) -> Response:
    """A customer's coupons, filtered by status(es), ordered, and paged by limit/offset."""
    ds, faults, readings = state.dataset, state.faults, state.readings
    raw_status = values(request, "status", comma_separated=not readings.has("v2-list-status-repeated-not-comma"))
    statuses = [s.strip().upper() for s in raw_status]
    if any(s not in V2_STATUSES for s in statuses):
        raise BadRequest(f"status must be among {', '.join(V2_STATUSES)}")
    sort_order = enum_param(request, "sort_order", ("ASC", "DESC"), case_sensitive=False) or "DESC"
    limit, offset = int_param(request, "limit", minimum=1), int_param(request, "offset", minimum=0) or 0
    case = None if faults.has("v2-list-code-case-ignored") else code_case(request)
    customer = find_customer(request, ds, V2_CUSTOMER_FIELDS)
    if customer is None and readings.has("v2-list-unknown-customer-empty"):
        pagination = {"limit": str(limit or 100), "offset": str(offset), "total": 0}
        return JSONResponse({"entity": {"pagination": pagination, "customers": []}, "warnings": [], "errors": [], "success": True})
    if customer is None:
        return v2_error(state, 404, "CUSTOMER_NOT_FOUND", "No customer matches the identifiers")
    coupons = ds.coupons_of(customer)
    if statuses:
        if faults.has("v2-list-status-combination-first-only"):
            statuses = statuses[:1]
        active = readings.has("v2-redeemable-means-active")
        coupons = [c for c in coupons if any(v2_status_matches(c, s, ds.now, redeemable_means_active=active) for s in statuses)]
        coupons = spoiled(coupons, faults, "v2-list-status-filter")
    descending = sort_order == "DESC"
    if "sort_order" not in request.query_params and faults.has("v2-list-default-order-ascending"):
        descending = False
    key = next((k for name, k in V2_LIST_SORT_KEYS.items() if readings.has(name)), lambda c: c.created_date)
    coupons = ordered(coupons, key, descending=descending, ties=state.ties)
    total = len(coupons)
    start = offset + (1 if faults.has("v2-list-offset-shifted") and offset else 0)
    page = coupons[start : start + limit if limit else None]
    if faults.has("v2-list-total-counts-page"):
        total = len(page)
    body = {
        "entity": {
            "pagination": {"limit": str(limit or 100), "offset": str(offset), "total": total},
            "customers": [wire.v2_customer(customer, [wire.v2_coupon_summary(c, case, readings) for c in page], readings)],
        },
        "warnings": [],
        "errors": [],
        "success": True,
    }
    return JSONResponse(body)


# -- getCustomerCouponsByIdV2 ---------------------------------------------------------


async def v2_customer_coupons_by_id(request: Request, state: MockState) -> Response:
    """One customer's coupons in detail; the documented 400/404 cases."""
    ds, faults = state.dataset, state.faults
    raw = request.path_params["customerId"]
    is_negative = re.fullmatch(r"-[0-9]+", raw) is not None
    if not re.fullmatch(r"[0-9]+", raw) and not (is_negative and faults.has("v2-by-id-negative-id-accepted")):
        return v2_error(state, 400, "INVALID_CUSTOMER_ID", f"customerId must be a non-negative number, got {raw!r}")
    case = code_case(request)
    if case == "AS_IT_IS" and faults.has("v2-by-id-as-it-is-upper"):
        case = "UPPER"
    customer = ds.customer_by_id(int(raw))
    if customer is None:
        status = 410 if faults.has("v2-by-id-not-found-410") else 404
        return v2_error(state, status, "CUSTOMER_NOT_FOUND", "No customer exists with that id")
    coupons = ordered(ds.coupons_of(customer), lambda c: c.created_date, descending=True, ties=state.ties)
    if faults.has("v2-by-id-no-coupons-for-everyone"):
        coupons = []
    if not coupons and not faults.has("v2-by-id-no-coupons-200"):
        return v2_error(state, 404, "NO_COUPONS_FOUND", "The customer has no coupons")
    coupons = unpaged(request, coupons, state.readings)
    body = {"entity": [wire.v2_coupon_detail(c, case) for c in coupons], "warnings": [], "errors": [], "success": True}
    return JSONResponse(body)


