"""The embedded mock: an ASGI app (Starlette) serving the five coupon APIs as the docs describe them.

Faults are named deviations (see faults.py): behaviour faults are checked where the behaviour is
decided, shape faults rewrite the finished body, security faults relax the credential check.
Readings (readings.py) are answers to what the docs leave open, checked the same way, here and in
representation.py.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Awaitable, Callable, Iterable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import representation as wire
from .dataset import Coupon, Customer, Dataset, build_dataset, ordered
from .faults import FAULTS, FaultSet
from .hostile import HOSTILE_FAULTS, HostileSizes, HostileTarget
from .readings import ReadingSet

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
    """What every handler needs: the data, the accepted credentials, the active faults and readings."""

    dataset: Dataset
    credentials: MockCredentials
    faults: FaultSet
    readings: ReadingSet = field(default_factory=ReadingSet)

    @property
    def ties(self) -> str | None:
        """How coupons with equal sort keys are ordered: None (by id, in the sort's direction), "asc" or "desc"."""
        return "asc" if self.readings.has("order-ties-id-asc") else "desc" if self.readings.has("order-ties-id-desc") else None


def create_app(
    *,
    seed: int = 7,
    customers: int = 8,
    faults: Iterable[str] = (),
    credentials: MockCredentials | None = None,
    now: datetime | None = None,
    latency_ms: int = 0,
    readings: Iterable[str] | ReadingSet = (),
    readings_seed: int | None = None,
    last_customer_coupons: int | None = None,
    hostile_sizes: HostileSizes | None = None,
) -> Starlette:
    """The mock as an ASGI app; unknown fault or reading names raise `ValueError` listing the known ones.

    `latency_ms` delays every answer; hostile faults (hostile.py) wrap the app in `HostileTarget`.
    `readings_seed` seeds the `random` reading (a ReadingSet passed in already carries its own);
    `last_customer_coupons`: how many coupons the last customer holds (default: over 100);
    `hostile_sizes`: how large the over-limit hostile answers are (default: the catalog's).
    """
    chosen = readings if isinstance(readings, ReadingSet) else ReadingSet(readings, seed=readings_seed)
    dataset = build_dataset(seed=seed, customers=customers, now=now, list_every_store=chosen.has("v2-series-stores-listed"), last_customer_coupons=last_customer_coupons)
    state = MockState(dataset, credentials or MockCredentials(), FaultSet(faults), chosen)
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
        app.add_middleware(HostileTarget, faults=state.faults, latency_ms=latency_ms, sizes=hostile_sizes)
    return app


def _endpoint(operation_id: str, handler: Handler, state: MockState) -> Callable[[Request], Awaitable[Response]]:
    is_v11 = operation_id.endswith("V11")

    async def endpoint(request: Request) -> Response:
        if not _is_authorized(request, state, is_v11=is_v11):
            return _unauthorized(is_v11, state)
        try:
            response = await handler(request, state)
        except BadRequest as exc:
            if is_v11:
                return JSONResponse({"response": {"status": wire.v11_status(False, 400, str(exc))}}, status_code=400)
            return _v2_error(state, 400, "INVALID_REQUEST", str(exc))
        return state.faults.reshape(operation_id, response, request)

    return endpoint


# -- authentication -----------------------------------------------------------------------------


def _is_authorized(request: Request, state: MockState, *, is_v11: bool) -> bool:
    faults, creds, readings = state.faults, state.credentials, state.readings
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
    accepted = [creds.password_md5] + ([creds.password] if readings.has("auth-plain-password-accepted") else [])
    return any(hmac.compare_digest(secret, candidate) for candidate in accepted)


def _unauthorized(is_v11: bool, state: MockState) -> Response:
    if is_v11:
        return JSONResponse({"response": {"status": wire.v11_status(False, 401, "Unauthorized")}}, status_code=401)
    return _v2_error(state, 401, "UNAUTHORIZED", "Missing or invalid credentials")


def _v2_error(state: MockState, status: int, code: str, message: str) -> Response:
    flat = state.readings.has("v2-error-body-flat")
    return JSONResponse(wire.v2_flat_error(status, code, message) if flat else wire.v2_error(code, message), status_code=status)


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
    ds, faults, readings = state.dataset, state.faults, state.readings
    status = _enum(request, "status", ("unredeemed", "redeemed", "expired", "active"))
    start, end = _date(request, "start_date"), _date(request, "end_date")
    series_id = _int(request, "series_id", minimum=1)
    store_id = request.query_params.get("store_id")
    order_by = _enum(request, "order_by", tuple(V11_ORDER_KEYS)) or "created_date"
    sort_order = _enum(request, "sort_order", ("asc", "desc")) or "desc"
    limit = _int(request, "limit", minimum=1) or (50 if faults.has("v11-default-limit-50") else 100)
    offset = (_int(request, "offset", minimum=0) or 0) if readings.has("v11-offset-applied") else 0
    customer = _find_customer(request, ds, V11_CUSTOMER_FIELDS)
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
        coupons = _spoiled(coupons, faults, "v11-status-filter")
    if (start or end) and not faults.has("v11-date-window-ignored"):
        coupons = [c for c in coupons if _in_window(c, start, end, end_inclusive=readings.has("v11-end-date-inclusive"))]
        coupons = _spoiled(coupons, faults, "v11-date-window")
    if series_id is not None and not faults.has("v11-series-filter-ignored"):
        coupons = _spoiled([c for c in coupons if c.series.id == series_id], faults, "v11-series-filter")
    if store_id is not None:
        by_code = readings.has("v11-store-id-is-code")
        coupons = [c for c in coupons if _redeemable_at(c, store_id, ds, ignore_restriction=faults.has("v11-store-restriction-ignored"), by_code=by_code)]
        coupons = _spoiled(coupons, faults, "v11-store-filter")
    descending = (sort_order == "desc") != faults.has("v11-sort-order-reversed")
    coupons = ordered(coupons, V11_ORDER_KEYS[order_by], descending=descending, ties=state.ties)
    total = len(coupons)
    page = coupons[offset:] if faults.has("v11-limit-ignored") else coupons[offset : offset + limit]
    if faults.has("v11-total-counts-page"):
        total = len(page)
    case = None if readings.has("v11-code-case-param-ignored") else _code_case(request)  # not a parameter of this page
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
    ds, faults, readings = state.dataset, state.faults, state.readings
    codes = [c for c in request.query_params.get("code", "").split(",") if c]
    if not codes:
        raise BadRequest("code is required: one coupon code or several separated by commas")
    if readings.has("isredeemable-mobile-required") and not request.query_params.get("mobile"):
        raise BadRequest("mobile is required")
    case = _code_case(request)
    customer = _find_customer(request, ds, REDEEMABLE_CUSTOMER_FIELDS)
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


def _values(request: Request, name: str, *, comma_separated: bool) -> list[str]:
    """Several values of one parameter: comma-joined (the mock's default reading) or repeated only."""
    if comma_separated:
        return [v for v in request.query_params.get(name, "").split(",") if v]
    return [v for v in request.query_params.getlist(name) if v]


def _unpaged(request: Request, items: list[Any], readings: ReadingSet) -> list[Any]:
    """An operation without pagination; as a reading, undocumented limit/offset still cut the list (D-59)."""
    if not readings.has("v2-unpaged-limit-offset-applied"):
        return items
    limit, offset = _int(request, "limit", minimum=1), _int(request, "offset", minimum=0) or 0
    return items[offset : offset + limit if limit else None]


# -- GET /v2/coupon -------------------------------------------------------------------------------


async def v2_coupon(request: Request, state: MockState) -> Response:
    """Coupons by ids, by codes (any case), or issued to customers; the union of what is asked."""
    ds, faults, readings = state.dataset, state.faults, state.readings
    comma = not readings.has("v2-coupon-lists-repeated-not-comma")
    lists = {name: _values(request, name, comma_separated=comma) for name in ("issuedToIds", "couponIds", "couponCodes")}
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
    fold: Callable[[str], str] = _as_sent if faults.has("v2-coupon-lookup-case-sensitive") else str.casefold
    codes = {fold(c) for c in lists["couponCodes"]}
    found = [c for c in ds.coupons if c.customer_id in customer_ids or c.id in coupon_ids or fold(c.code) in codes]
    found = _unpaged(request, ordered(found, lambda c: c.created_date, descending=True, ties=state.ties), readings)
    case = _code_case(request)
    return JSONResponse({"data": [wire.v2_coupon_lookup(c, case, readings) for c in found], "warnings": [], "errors": []})


# -- GET /v2/customers/coupons ----------------------------------------------------------------------

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
    raw_status = _values(request, "status", comma_separated=not readings.has("v2-list-status-repeated-not-comma"))
    statuses = [s.strip().upper() for s in raw_status]
    if any(s not in V2_STATUSES for s in statuses):
        raise BadRequest(f"status must be among {', '.join(V2_STATUSES)}")
    sort_order = _enum(request, "sort_order", ("ASC", "DESC"), case_sensitive=False) or "DESC"
    limit, offset = _int(request, "limit", minimum=1), _int(request, "offset", minimum=0) or 0
    case = None if faults.has("v2-list-code-case-ignored") else _code_case(request)
    customer = _find_customer(request, ds, V2_CUSTOMER_FIELDS)
    if customer is None and readings.has("v2-list-unknown-customer-empty"):
        pagination = {"limit": str(limit or 100), "offset": str(offset), "total": 0}
        return JSONResponse({"entity": {"pagination": pagination, "customers": []}, "warnings": [], "errors": [], "success": True})
    if customer is None:
        return _v2_error(state, 404, "CUSTOMER_NOT_FOUND", "No customer matches the identifiers")
    coupons = ds.coupons_of(customer)
    if statuses:
        if faults.has("v2-list-status-combination-first-only"):
            statuses = statuses[:1]
        active = readings.has("v2-redeemable-means-active")
        coupons = [c for c in coupons if any(v2_status_matches(c, s, ds.now, redeemable_means_active=active) for s in statuses)]
        coupons = _spoiled(coupons, faults, "v2-list-status-filter")
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


# -- GET /v2/customers/{customerId}/coupons ---------------------------------------------------------


async def v2_customer_coupons_by_id(request: Request, state: MockState) -> Response:
    """One customer's coupons in detail; the documented 400/404 cases."""
    ds, faults = state.dataset, state.faults
    raw = request.path_params["customerId"]
    is_negative = re.fullmatch(r"-[0-9]+", raw) is not None
    if not re.fullmatch(r"[0-9]+", raw) and not (is_negative and faults.has("v2-by-id-negative-id-accepted")):
        return _v2_error(state, 400, "INVALID_CUSTOMER_ID", f"customerId must be a non-negative number, got {raw!r}")
    case = _code_case(request)
    if case == "AS_IT_IS" and faults.has("v2-by-id-as-it-is-upper"):
        case = "UPPER"
    customer = ds.customer_by_id(int(raw))
    if customer is None:
        status = 410 if faults.has("v2-by-id-not-found-410") else 404
        return _v2_error(state, status, "CUSTOMER_NOT_FOUND", "No customer exists with that id")
    coupons = ordered(ds.coupons_of(customer), lambda c: c.created_date, descending=True, ties=state.ties)
    if faults.has("v2-by-id-no-coupons-for-everyone"):
        coupons = []
    if not coupons and not faults.has("v2-by-id-no-coupons-200"):
        return _v2_error(state, 404, "NO_COUPONS_FOUND", "The customer has no coupons")
    coupons = _unpaged(request, coupons, state.readings)
    body = {"entity": [wire.v2_coupon_detail(c, case) for c in coupons], "warnings": [], "errors": [], "success": True}
    return JSONResponse(body)


def _spoiled(coupons: list[Any], faults: FaultSet, filter_name: str) -> list[Any]:
    """A filter's answer as the `<filter>-empty` or `<filter>-partial` fault spoils it (the last match left out)."""
    if faults.has(f"{filter_name}-empty"):
        return []
    if faults.has(f"{filter_name}-partial") and coupons:
        return coupons[:-1]
    return coupons


def known_faults() -> list[str]:
    """Names of every fault in the catalog, hostile-target ones included."""
    return sorted(set(FAULTS) | set(HOSTILE_FAULTS))


def _as_sent(code: str) -> str:
    """A coupon code compared as sent, letter case and all (the case-sensitive lookup fault)."""
    return code
