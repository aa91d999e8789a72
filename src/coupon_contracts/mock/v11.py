"""The v1.1 APIs of the mock: getCustomerCouponsV11 and isCouponRedeemableV11."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from . import representation as wire
from .dataset import Coupon, Dataset, ordered
from .query import code_case, date_param, enum_param, find_customer, int_param, spoiled
from .readings import ReadingSet
from .state import BadRequest, MockState

# -- getCustomerCouponsV11 ------------------------------------------------------------------

V11_CUSTOMER_FIELDS = {"mobile": "mobile", "email": "email", "external_id": "external_id", "id": "id"}
V11_ORDER_KEYS: dict[str, Callable[[Coupon], Any]] = {
    "created_date": lambda c: c.created_date,
    "created_by": lambda c: c.issued_by,
    "valid_till": lambda c: c.valid_till,
}


async def v11_customer_coupons(request: Request, state: MockState) -> Response:
    """Coupons of one customer, filtered, ordered and limited as the v1.1 page describes."""
    ds, faults, readings = state.dataset, state.faults, state.readings
    status = enum_param(request, "status", ("unredeemed", "redeemed", "expired", "active"))
    start, end = date_param(request, "start_date"), date_param(request, "end_date")
    series_id = int_param(request, "series_id", minimum=1)
    store_id = request.query_params.get("store_id")
    order_by = enum_param(request, "order_by", tuple(V11_ORDER_KEYS)) or "created_date"
    sort_order = enum_param(request, "sort_order", ("asc", "desc")) or "desc"
    limit = int_param(request, "limit", minimum=1) or (50 if faults.has("v11-default-limit-50") else 100)
    offset = (int_param(request, "offset", minimum=0) or 0) if readings.has("v11-offset-applied") else 0
    customer = find_customer(request, ds, V11_CUSTOMER_FIELDS)
    if readings.has("v11-id-alone-not-enough") and [n for n in V11_CUSTOMER_FIELDS if request.query_params.get(n)] == ["id"]:
        customer = None
    if customer is None and not faults.has("v11-unknown-customer-succeeds"):
        return _v11_item_error(701, "Customer could not be found", readings)
    if series_id is not None and ds.series_by_id(series_id) is None:
        return _v11_item_error(707, "Coupon series ID is invalid", readings)
    coupons = ds.coupons_of(customer) if customer else []
    if status and not faults.has("v11-status-filter-ignored"):
        if faults.has("v11-redeemed-filter-inverted") and status in ("redeemed", "unredeemed"):
            status = "unredeemed" if status == "redeemed" else "redeemed"
        coupons = [c for c in coupons if _v11_status_matches(c, status, ds.now)]
        coupons = spoiled(coupons, faults, "v11-status-filter")
    if (start or end) and not faults.has("v11-date-window-ignored"):
        coupons = [c for c in coupons if _in_window(c, start, end, end_inclusive=readings.has("v11-end-date-inclusive"))]
        coupons = spoiled(coupons, faults, "v11-date-window")
    if series_id is not None and not faults.has("v11-series-filter-ignored"):
        coupons = spoiled([c for c in coupons if c.series.id == series_id], faults, "v11-series-filter")
    if store_id is not None:
        by_code = readings.has("v11-store-id-is-code")
        coupons = [c for c in coupons if _redeemable_at(c, store_id, ds, ignore_restriction=faults.has("v11-store-restriction-ignored"), by_code=by_code)]
        coupons = spoiled(coupons, faults, "v11-store-filter")
    descending = (sort_order == "desc") != faults.has("v11-sort-order-reversed")
    coupons = ordered(coupons, V11_ORDER_KEYS[order_by], descending=descending, ties=state.ties)
    total = len(coupons)
    page = coupons[offset:] if faults.has("v11-limit-ignored") else coupons[offset : offset + limit]
    if faults.has("v11-total-counts-page"):
        total = len(page)
    case = None if readings.has("v11-code-case-param-ignored") else code_case(request)  # not a parameter of this page
    entries = [wire.v11_customer(customer, [wire.v11_coupon(c, case, readings) for c in page])] if customer else []
    body = {
        "response": {
            "pagination": {"limit": str(limit), "offset": str(offset), "total": total},
            "status": wire.v11_status(True, 200, "Success"),
            "customers": {"customer": entries},
        }
    }
    return JSONResponse(body)


def _v11_item_error(code: int, message: str, readings: ReadingSet) -> Response:
    # The docs give no HTTP status for item errors (D-25): the mock answers 200 with the envelope,
    # or, as a reading, 400; status.code follows, being "the HTTP status code" (v1.1-customer-coupons.txt:117).
    http = 400 if readings.has("v11-item-error-http-400") else 200
    item = wire.v11_item_error_entry(code, message, null_customer=readings.has("v11-item-error-customer-null"))
    body = {"response": {"status": wire.v11_status(False, http, message), "customers": {"customer": [item]}}}
    return JSONResponse(body, status_code=http)


def _v11_status_matches(coupon: Coupon, status: str, now: datetime) -> bool:
    return {
        "redeemed": coupon.redemption_count > 0,
        "unredeemed": coupon.redemption_count == 0,
        "expired": coupon.is_expired(now),
        "active": not coupon.is_expired(now),
    }[status]


def _in_window(coupon: Coupon, start: datetime | None, end: datetime | None, *, end_inclusive: bool = False) -> bool:
    """Issued or redeemed on or after start and before end (end exclusive, or its whole day included: D-32)."""
    moments = [coupon.created_date] + [r.date for r in coupon.redemptions]
    if end is not None and end_inclusive:
        end += timedelta(days=1)
    return any((start is None or m >= start) and (end is None or m < end) for m in moments)


def _redeemable_at(coupon: Coupon, store_id: str, dataset: Dataset, *, ignore_restriction: bool, by_code: bool = False) -> bool:
    """Active and redeemable at the store given by id (or, leniently, by code; or, `by_code`, by code only)."""
    store = next((s for s in dataset.stores if store_id in ((s.code,) if by_code else (str(s.id), s.code))), None)
    if store is None or coupon.is_expired(dataset.now):
        return False
    return ignore_restriction or coupon.series.is_redeemable_at(store)


# -- isCouponRedeemableV11 ----------------------------------------------------------------

REDEEMABLE_CUSTOMER_FIELDS = {
    "mobile": "mobile",
    "id": "id",
    "external_id": "external_id",
    "email": "email",
    "card_number": "card_number",
    "card_external_id": "card_external_id",
}


async def v11_isredeemable(request: Request, state: MockState) -> Response:
    """Redeemability of one or several codes for one customer."""
    ds, faults, readings = state.dataset, state.faults, state.readings
    codes = [c for c in request.query_params.get("code", "").split(",") if c]
    if not codes:
        raise BadRequest("code is required: one coupon code or several separated by commas")
    if readings.has("isredeemable-mobile-required") and not request.query_params.get("mobile"):
        raise BadRequest("mobile is required")
    case = code_case(request)
    customer = find_customer(request, ds, REDEEMABLE_CUSTOMER_FIELDS)
    if customer is None:
        return _isredeemable_unknown_customer(request, codes, case, readings)
    items = []
    for asked in codes:
        coupon = ds.coupon_by_code(asked)
        shown = coupon.code if coupon and faults.has("isredeemable-code-case-ignored") else wire.apply_code_case(coupon.code if coupon else asked, case)
        item = wire.v11_redeemable(customer, shown, coupon, ds.now, readings)
        if coupon and coupon.is_expired(ds.now) and faults.has("isredeemable-expired-said-redeemable"):
            item["is_redeemable"] = item["item_status"]["success"] = item["item_status"]["status"] = "true"
        items.append(item)
    if faults.has("isredeemable-several-codes-partial"):
        items = items[:1]
    body = {
        "response": {
            "status": wire.v11_status(True, 200, "Success"),
            "coupons": {"redeemable": items[0] if len(items) == 1 else items},
        }
    }
    return JSONResponse(body)


def _isredeemable_unknown_customer(request: Request, codes: list[str], case: str | None, readings: ReadingSet) -> Response:
    # No error is documented for isredeemable (D-25): the envelope says it, or, as a reading, one item per code.
    http = 400 if readings.has("v11-item-error-http-400") else 200
    body: dict[str, Any] = {"status": wire.v11_status(False, http, "Customer could not be found")}
    if readings.has("isredeemable-unknown-customer-as-item"):
        asked = {name: request.query_params[name] for name in REDEEMABLE_CUSTOMER_FIELDS if request.query_params.get(name)}
        items = [wire.v11_redeemable_unknown_customer(asked, wire.apply_code_case(code, case)) for code in codes]
        body["status"] = wire.v11_status(http == 200, http, "Success" if http == 200 else "Customer could not be found")
        body["coupons"] = {"redeemable": items[0] if len(items) == 1 else items}
    return JSONResponse({"response": body}, status_code=http)


