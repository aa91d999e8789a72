"""The embedded mock: an ASGI app (Starlette) serving the five coupon APIs as the docs describe them.

Faults are named deviations (see faults.py): behaviour faults are checked where the behaviour is
decided, shape faults rewrite the finished body, security faults relax the credential check.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Any, Awaitable, Callable, Iterable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import representation as wire
from .dataset import Coupon, Customer, Dataset, build_dataset
from .faults import FAULTS, FaultSet
from .hostile import HOSTILE_FAULTS, HostileTarget

__all__ = ["MockCredentials", "create_app"]


@dataclass(frozen=True)
class MockCredentials:
    """What the mock accepts: Basic username + password (sent MD5-hashed) or the OAuth token."""

    username: str = "coupon.qa"
    password: str = "mock-secret-1"
    oauth_token: str = "mock-oauth-token-7f3a"

    @property
    def password_md5(self) -> str:
        """The hex MD5 the vendor expects in place of the password."""
        return hashlib.md5(self.password.encode()).hexdigest()  # noqa: S324 - the vendor's scheme, not ours


class BadRequest(Exception):
    """A request the docs say the API rejects; the handler turns it into the family's 400."""


Handler = Callable[[Request, "MockState"], Awaitable[Response]]


@dataclass
class MockState:
    """What every handler needs: the data, the accepted credentials and the active faults."""

    dataset: Dataset
    credentials: MockCredentials
    faults: FaultSet


def create_app(
    *,
    seed: int = 7,
    customers: int = 8,
    faults: Iterable[str] = (),
    credentials: MockCredentials | None = None,
    now: datetime | None = None,
    latency_ms: int = 0,
) -> Starlette:
    """The mock as an ASGI app; unknown fault names raise `ValueError` listing the known ones.

    `latency_ms` delays every answer; hostile faults (hostile.py) wrap the app in `HostileTarget`.
    """
    state = MockState(build_dataset(seed=seed, customers=customers, now=now), credentials or MockCredentials(), FaultSet(faults))
    routes = [
        Route("/v1.1/customer/coupons", _endpoint("getCustomerCouponsV11", v11_customer_coupons, state)),
        Route("/v1.1/coupon/isredeemable", _endpoint("isCouponRedeemableV11", v11_isredeemable, state)),
        Route("/v2/coupon", _endpoint("getCouponsV2", v2_coupon, state)),
        Route("/v2/customers/coupons", _endpoint("getCustomerCouponsV2", v2_customer_coupons, state)),
        Route("/v2/customers/{customerId}/coupons", _endpoint("getCustomerCouponsByIdV2", v2_customer_coupons_by_id, state)),
    ]
    app = Starlette(routes=routes)
    app.state.mock = state
    if latency_ms or state.faults.names & set(HOSTILE_FAULTS):
        app.add_middleware(HostileTarget, faults=state.faults, latency_ms=latency_ms)
    return app


def _endpoint(operation_id: str, handler: Handler, state: MockState) -> Callable[[Request], Awaitable[Response]]:
    is_v11 = operation_id.endswith("V11")

    async def endpoint(request: Request) -> Response:
        if not _is_authorized(request, state, is_v11=is_v11):
            return _unauthorized(is_v11)
        try:
            response = await handler(request, state)
        except BadRequest as exc:
            if is_v11:
                return JSONResponse({"response": {"status": wire.v11_status(False, 400, str(exc))}}, status_code=400)
            return JSONResponse(wire.v2_error("INVALID_REQUEST", str(exc)), status_code=400)
        return state.faults.reshape(operation_id, response, request)

    return endpoint


# -- authentication -----------------------------------------------------------------------------


def _is_authorized(request: Request, state: MockState, *, is_v11: bool) -> bool:
    faults, creds = state.faults, state.credentials
    if faults.has("all-credentials-unchecked"):
        return True
    token = request.headers.get("x-cap-api-oauth-token")
    if token is not None:
        return (not is_v11 and faults.has("v2-token-unchecked")) or hmac.compare_digest(token, creds.oauth_token)
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        username, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return False
    if not hmac.compare_digest(username, creds.username):
        return False
    if is_v11 and faults.has("v11-password-unchecked"):
        return True
    accepted = [creds.password_md5] + ([creds.password] if faults.has("all-password-not-hashed") else [])
    return any(hmac.compare_digest(secret, candidate) for candidate in accepted)


def _unauthorized(is_v11: bool) -> Response:
    if is_v11:
        return JSONResponse({"response": {"status": wire.v11_status(False, 401, "Unauthorized")}}, status_code=401)
    return JSONResponse(wire.v2_error("UNAUTHORIZED", "Missing or invalid credentials"), status_code=401)


# -- query parsing --------------------------------------------------------------------------------


def _int(request: Request, name: str, *, minimum: int | None = None) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if not re.fullmatch(r"-?[0-9]+", raw):
        raise BadRequest(f"{name} must be a number, got {raw!r}")
    value = int(raw)
    if minimum is not None and value < minimum:
        raise BadRequest(f"{name} must be at least {minimum}")
    return value


def _enum(request: Request, name: str, allowed: Iterable[str], *, case_sensitive: bool = True) -> str | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    values = {v if case_sensitive else v.upper(): v for v in allowed}
    key = raw if case_sensitive else raw.upper()
    if key not in values:
        raise BadRequest(f"{name} must be one of {', '.join(allowed)}")
    return values[key]


def _date(request: Request, name: str) -> datetime | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        return datetime.combine(date.fromisoformat(raw), time(), tzinfo=timezone.utc)
    except ValueError:
        raise BadRequest(f"{name} must be a date YYYY-MM-DD, got {raw!r}") from None


def _code_case(request: Request) -> str | None:
    return _enum(request, "coupon_code_case", ("LOWER", "UPPER", "AS_IT_IS"), case_sensitive=False)


def _find_customer(request: Request, dataset: Dataset, fields: dict[str, str]) -> Customer | None:
    """The customer matching every identifier given; BadRequest when none is given.

    `fields` maps query names to Customer attributes (external_id vs externalId, card numbers).
    """
    given = {attr: request.query_params[name] for name, attr in fields.items() if request.query_params.get(name)}
    if not given:
        raise BadRequest(f"pass at least one customer identifier: {', '.join(fields)}")
    if "id" in given and not re.fullmatch(r"[0-9]+", given["id"]):
        raise BadRequest(f"id must be a number, got {given['id']!r}")
    for customer in dataset.customers:
        if all(str(getattr(customer, attr)).casefold() == value.casefold() for attr, value in given.items()):
            return customer
    return None


# -- GET /v1.1/customer/coupons ------------------------------------------------------------------

V11_CUSTOMER_FIELDS = {"mobile": "mobile", "email": "email", "external_id": "external_id", "id": "id"}
V11_ORDER_KEYS: dict[str, Callable[[Coupon], Any]] = {
    "created_date": lambda c: c.created_date,
    "created_by": lambda c: c.issued_by,
    "valid_till": lambda c: c.valid_till,
}


async def v11_customer_coupons(request: Request, state: MockState) -> Response:
    """Coupons of one customer, filtered, ordered and limited as the v1.1 page describes."""
    ds, faults = state.dataset, state.faults
    status = _enum(request, "status", ("unredeemed", "redeemed", "expired", "active"))
    start, end = _date(request, "start_date"), _date(request, "end_date")
    series_id = _int(request, "series_id", minimum=1)
    store_id = request.query_params.get("store_id")
    order_by = _enum(request, "order_by", tuple(V11_ORDER_KEYS)) or "created_date"
    sort_order = _enum(request, "sort_order", ("asc", "desc")) or "desc"
    limit = _int(request, "limit", minimum=1) or 100
    customer = _find_customer(request, ds, V11_CUSTOMER_FIELDS)
    if customer is None and not faults.has("v11-unknown-customer-succeeds"):
        return _v11_item_error(701, "Customer could not be found")
    if series_id is not None and ds.series_by_id(series_id) is None:
        return _v11_item_error(707, "Coupon series ID is invalid")
    coupons = ds.coupons_of(customer) if customer else []
    if status and not faults.has("v11-status-filter-ignored"):
        if faults.has("v11-redeemed-filter-inverted") and status in ("redeemed", "unredeemed"):
            status = "unredeemed" if status == "redeemed" else "redeemed"
        coupons = [c for c in coupons if _v11_status_matches(c, status, ds.now)]
    if (start or end) and not faults.has("v11-date-window-ignored"):
        coupons = [c for c in coupons if _in_window(c, start, end)]
    if series_id is not None and not faults.has("v11-series-filter-ignored"):
        coupons = [c for c in coupons if c.series.id == series_id]
    if store_id is not None:
        coupons = [c for c in coupons if _redeemable_at(c, store_id, ds, ignore_restriction=faults.has("v11-store-restriction-ignored"))]
    descending = (sort_order == "desc") != faults.has("v11-sort-order-reversed")
    coupons = sorted(coupons, key=lambda c: (V11_ORDER_KEYS[order_by](c), c.id), reverse=descending)
    total = len(coupons)
    page = coupons if faults.has("v11-limit-ignored") else coupons[:limit]
    if faults.has("v11-total-counts-page"):
        total = len(page)
    case = _code_case(request)
    entries = [wire.v11_customer(customer, [wire.v11_coupon(c, case) for c in page])] if customer else []
    body = {
        "response": {
            "pagination": {"limit": str(limit), "offset": "0", "total": total},
            "status": wire.v11_status(True, 200, "Success"),
            "customers": {"customer": entries},
        }
    }
    return JSONResponse(body)


def _v11_item_error(code: int, message: str) -> Response:
    # The docs give no HTTP status for item errors (D-25): the mock answers 200 with the envelope.
    item = {"item_status": wire.v11_status(False, code, message)}
    body = {"response": {"status": wire.v11_status(False, 200, message), "customers": {"customer": [item]}}}
    return JSONResponse(body)


def _v11_status_matches(coupon: Coupon, status: str, now: datetime) -> bool:
    return {
        "redeemed": coupon.redemption_count > 0,
        "unredeemed": coupon.redemption_count == 0,
        "expired": coupon.is_expired(now),
        "active": not coupon.is_expired(now),
    }[status]


def _in_window(coupon: Coupon, start: datetime | None, end: datetime | None) -> bool:
    """Issued or redeemed on or after start and before end (end exclusive, D-32)."""
    moments = [coupon.created_date] + [r.date for r in coupon.redemptions]
    return any((start is None or m >= start) and (end is None or m < end) for m in moments)


def _redeemable_at(coupon: Coupon, store_id: str, dataset: Dataset, *, ignore_restriction: bool) -> bool:
    """Active and redeemable at the store given by id (or, leniently, by code)."""
    store = next((s for s in dataset.stores if store_id in (str(s.id), s.code)), None)
    if store is None or coupon.is_expired(dataset.now):
        return False
    return ignore_restriction or coupon.series.is_redeemable_at(store)


# -- GET /v1.1/coupon/isredeemable ----------------------------------------------------------------

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
    ds, faults = state.dataset, state.faults
    codes = [c for c in request.query_params.get("code", "").split(",") if c]
    if not codes:
        raise BadRequest("code is required: one coupon code or several separated by commas")
    case = _code_case(request)
    customer = _find_customer(request, ds, REDEEMABLE_CUSTOMER_FIELDS)
    if customer is None:  # no error is documented for isredeemable: the envelope says it (D-25)
        return JSONResponse({"response": {"status": wire.v11_status(False, 200, "Customer could not be found")}})
    items = []
    for asked in codes:
        coupon = ds.coupon_by_code(asked)
        shown = coupon.code if coupon and faults.has("isredeemable-code-case-ignored") else wire.apply_code_case(coupon.code if coupon else asked, case)
        item = wire.v11_redeemable(customer, shown, coupon, ds.now)
        if coupon and coupon.is_expired(ds.now) and faults.has("isredeemable-expired-said-redeemable"):
            item["is_redeemable"] = item["item_status"]["success"] = item["item_status"]["status"] = "true"
        items.append(item)
    body = {
        "response": {
            "status": wire.v11_status(True, 200, "Success"),
            "coupons": {"redeemable": items[0] if len(items) == 1 else items},
        }
    }
    return JSONResponse(body)


# -- GET /v2/coupon -------------------------------------------------------------------------------


async def v2_coupon(request: Request, state: MockState) -> Response:
    """Coupons by ids, by codes (any case), or issued to customers; the union of what is asked."""
    ds, faults = state.dataset, state.faults
    lists = {name: [v for v in request.query_params.get(name, "").split(",") if v] for name in ("issuedToIds", "couponIds", "couponCodes")}
    if not any(lists.values()):
        raise BadRequest("pass at least one of issuedToIds, couponIds, couponCodes")
    for name in ("issuedToIds", "couponIds"):
        if any(not v.isdigit() for v in lists[name]):
            raise BadRequest(f"{name} must be comma-separated numbers")
    customer_ids = {int(v) for v in lists["issuedToIds"]}
    coupon_ids = set() if faults.has("v2-coupon-ids-ignored") else {int(v) for v in lists["couponIds"]}
    if faults.has("v2-coupon-lookup-case-sensitive"):
        codes, fold = set(lists["couponCodes"]), (lambda s: s)
    else:
        codes, fold = {c.casefold() for c in lists["couponCodes"]}, str.casefold
    found = [c for c in ds.coupons if c.customer_id in customer_ids or c.id in coupon_ids or fold(c.code) in codes]
    found.sort(key=lambda c: (c.created_date, c.id), reverse=True)
    case = _code_case(request)
    return JSONResponse({"data": [wire.v2_coupon_lookup(c, case) for c in found], "warnings": [], "errors": []})


# -- GET /v2/customers/coupons ----------------------------------------------------------------------

V2_CUSTOMER_FIELDS = {"mobile": "mobile", "email": "email", "externalId": "external_id", "id": "id"}
V2_STATUSES = (
    "REDEEMED", "UNREDEEMED", "ACTIVE", "EXPIRED", "ACTIVE_REDEEMED",
    "ACTIVE_UNREDEEMED", "EXPIRED_REDEEMED", "EXPIRED_UNREDEEMED", "REDEEMABLE",
)  # fmt: skip


def v2_status_matches(coupon: Coupon, status: str, now: datetime) -> bool:
    """The documented meaning of each v2 status value (REDEEMABLE: live with redemptions left)."""
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
        "REDEEMABLE": coupon.is_redeemable(now),
    }[status]


async def v2_customer_coupons(request: Request, state: MockState) -> Response:
    """A customer's coupons, filtered by status(es), ordered, and paged by limit/offset."""
    ds, faults = state.dataset, state.faults
    raw_status = request.query_params.get("status")
    statuses = [s.strip().upper() for s in raw_status.split(",")] if raw_status else []
    if any(s not in V2_STATUSES for s in statuses):
        raise BadRequest(f"status must be among {', '.join(V2_STATUSES)}")
    sort_order = _enum(request, "sort_order", ("ASC", "DESC"), case_sensitive=False) or "DESC"
    limit, offset = _int(request, "limit", minimum=1), _int(request, "offset", minimum=0) or 0
    case = None if faults.has("v2-list-code-case-ignored") else _code_case(request)
    customer = _find_customer(request, ds, V2_CUSTOMER_FIELDS)
    if customer is None:
        return JSONResponse(wire.v2_error("CUSTOMER_NOT_FOUND", "No customer matches the identifiers"), status_code=404)
    coupons = ds.coupons_of(customer)
    if statuses:
        if faults.has("v2-list-status-combination-first-only"):
            statuses = statuses[:1]
        coupons = [c for c in coupons if any(v2_status_matches(c, s, ds.now) for s in statuses)]
    descending = sort_order == "DESC"
    if "sort_order" not in request.query_params and faults.has("v2-list-default-order-ascending"):
        descending = False
    coupons = sorted(coupons, key=lambda c: (c.created_date, c.id), reverse=descending)
    total = len(coupons)
    start = offset + (1 if faults.has("v2-list-offset-shifted") and offset else 0)
    page = coupons[start : start + limit if limit else None]
    if faults.has("v2-list-total-counts-page"):
        total = len(page)
    body = {
        "entity": {
            "pagination": {"limit": str(limit or 100), "offset": str(offset), "total": total},
            "customers": [wire.v2_customer(customer, [wire.v2_coupon_summary(c, case) for c in page])],
        },
        "warnings": [],
        "errors": [],
        "success": True,
    }
    return JSONResponse(body)


# -- GET /v2/customers/{customerId}/coupons ---------------------------------------------------------


async def v2_customer_coupons_by_id(request: Request, state: MockState) -> Response:
    """One customer's coupons in detail; the documented 400/404 cases."""
    ds, faults = state.dataset, state.faults
    raw = request.path_params["customerId"]
    is_negative = re.fullmatch(r"-[0-9]+", raw) is not None
    if not re.fullmatch(r"[0-9]+", raw) and not (is_negative and faults.has("v2-by-id-negative-id-accepted")):
        return JSONResponse(wire.v2_error("INVALID_CUSTOMER_ID", f"customerId must be a non-negative number, got {raw!r}"), status_code=400)
    case = _code_case(request)
    customer = ds.customer_by_id(int(raw))
    if customer is None:
        status = 410 if faults.has("v2-by-id-not-found-410") else 404
        return JSONResponse(wire.v2_error("CUSTOMER_NOT_FOUND", "No customer exists with that id"), status_code=status)
    coupons = ds.coupons_of(customer)
    if not coupons and not faults.has("v2-by-id-no-coupons-200"):
        return JSONResponse(wire.v2_error("NO_COUPONS_FOUND", "The customer has no coupons"), status_code=404)
    body = {"entity": [wire.v2_coupon_detail(c, case) for c in coupons], "warnings": [], "errors": [], "success": True}
    return JSONResponse(body)


def known_faults() -> list[str]:
    """Names of every fault in the catalog, hostile-target ones included."""
    return sorted(set(FAULTS) | set(HOSTILE_FAULTS))
