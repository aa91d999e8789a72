"""Clean-room implementation of five read-only loyalty coupon APIs.

Built from the five pages in /work/shared/api-docs/ only; READINGS.md lists
every choice made where they are silent or disagree (cited as page:line).

    python -m tests.cleanroom.server --port 8123 [--seed N]
    python -m tests.cleanroom.server --describe
"""
from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import re
import sys
from datetime import date, datetime, time, timezone
from typing import Callable, Optional

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .dataset import ORG_ID, UTC, Dataset
from .render import CODE_CASES, fmt_code, num_str, v1_coupon, v1_customer, v1_series_info, v2_coupon_brief, v2_detailed_coupon, v2_list_coupon, v2_list_customer

DEFAULT_LIMIT = 100        # v1.1-customer-coupons.txt:36 (and v2 examples :153)


# ------------------------------------------------------------ credentials --
def credentials(seed: int = 7) -> dict:
    tag = hashlib.sha256(f"cleanroom-{seed}".encode()).hexdigest()
    return {"username": f"cleanroom.till{seed}",
            "password": f"Pw-{tag[:10]}",
            "oauth_token": f"oat_{tag[10:42]}"}


def describe(seed: int = 7) -> dict:
    ds = Dataset(seed)
    return {**credentials(seed), "customers": ds.test_customers()}


def authorized(request: Request, creds: dict) -> bool:
    """Basic user:md5hex(password) or OAuth bearer token (READINGS.md, Auth)."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.strip().partition(" ")
    scheme, value = scheme.lower(), value.strip()
    if scheme == "basic" and value:
        try:
            raw = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return False
        user, sep, secret = raw.partition(":")
        digest = hashlib.md5(creds["password"].encode()).hexdigest()
        return bool(sep) and user == creds["username"] and \
            re.fullmatch(r"[0-9a-fA-F]{32}", secret) is not None and secret.lower() == digest
    if scheme == "bearer" and value:
        return value == creds["oauth_token"]
    return False


# ---------------------------------------------------------------- helpers --
class BadParam(Exception):
    def __init__(self, name: str, message: str, code: str = "INVALID_PARAMETER"):
        super().__init__(message)
        self.name, self.message, self.code = name, message, code


def q(request: Request, name: str) -> Optional[str]:
    v = request.query_params.get(name)
    return v.strip() if v is not None and v.strip() != "" else None


def is_digits(value: str) -> bool:
    """ASCII digits only: str.isdigit() also takes superscripts such as "¹", which int() refuses (found by a thorough run)."""
    return re.fullmatch(r"[0-9]+", value) is not None


def q_int(request: Request, name: str, default: int, minimum: int) -> int:
    v = q(request, name)
    if v is None:
        return default
    if not re.fullmatch(r"[0-9]+", v) or int(v) < minimum:
        raise BadParam(name, f"'{name}' must be an integer >= {minimum}")
    return int(v)


def q_enum(request: Request, name: str, allowed, default=None) -> Optional[str]:
    v = q(request, name)
    if v is None:
        return default
    if v.upper() not in allowed:
        raise BadParam(name, f"'{name}' must be one of {', '.join(allowed)}")
    return v.upper()


def q_date(request: Request, name: str) -> Optional[datetime]:
    v = q(request, name)
    if v is None:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
            raise ValueError
        return datetime.combine(date.fromisoformat(v), time(0, 0, tzinfo=UTC))
    except ValueError:
        raise BadParam(name, f"'{name}' must be a date YYYY-MM-DD") from None


def split_list(v: Optional[str]) -> list:
    return [p.strip() for p in (v or "").split(",") if p.strip()]


def first_identifier(request: Request, names) -> Optional[tuple]:
    for param, fieldname in names:
        v = q(request, param)
        if v is not None:
            return param, fieldname, v
    return None


def sort_coupons(coupons, key: Callable, descending: bool) -> list:
    # ties: coupon id ascending whatever the direction (v2-customers-coupons.txt:405-474)
    out = sorted(coupons, key=lambda c: c.id)
    return sorted(out, key=key, reverse=descending)


# v1.1 envelope: {"response": {"status": {...}, ...}}; status.code = HTTP status
# (v1.1-customer-coupons.txt:45-49, 115-118)
def v1_response(http: int, message: str, pagination: Optional[dict] = None, **body) -> JSONResponse:
    status = {"success": "true" if http < 400 else "false", "code": http, "message": message}
    out = {"pagination": pagination} if pagination is not None else {}
    out.update(status=status, **body)
    headers = {"WWW-Authenticate": 'Basic realm="loyalty"'} if http == 401 else None
    return JSONResponse({"response": out}, status_code=http, headers=headers)


def item_status(ok: bool, code: int, message: str, with_status: bool = False) -> dict:
    out = {"success": str(ok).lower()}
    if with_status:   # isredeemable item_status carries "status" too (:64-69)
        out["status"] = str(ok).lower()
    out.update(code=code, message=message)
    return out


# v2 envelope: {<payload>, "warnings": [], "errors": [], ["success"]}
def v2_error(http: int, code: str, message: str, payload_key: str = "entity",
             with_success: bool = True) -> JSONResponse:
    body = {payload_key: [] if payload_key == "data" else None, "warnings": [],
            "errors": [{"code": code, "message": message}]}
    if with_success:
        body["success"] = False
    headers = {"WWW-Authenticate": 'Basic realm="loyalty"'} if http == 401 else None
    return JSONResponse(body, status_code=http, headers=headers)


# -------------------------------------------------------------- endpoints --
V1_IDENTIFIERS = [("mobile", "mobile"), ("email", "email"),            # :25-28
                  ("external_id", "external_id"), ("id", "id")]
ISR_IDENTIFIERS = [("mobile", "mobile"), ("id", "id"), ("external_id", "external_id"),
                   ("email", "email"), ("card_number", "card_number"),   # isredeemable :19-24
                   ("card_external_id", "card_external_id")]
V2_IDENTIFIERS = [("mobile", "mobile"), ("email", "email"),            # v2-customers-coupons :51-57
                  ("externalId", "external_id"), ("id", "id")]
V1_STATUS = ("UNREDEEMED", "REDEEMED", "EXPIRED", "ACTIVE")           # :31
V2_STATUS = ("REDEEMED", "UNREDEEMED", "ACTIVE", "EXPIRED", "ACTIVE_REDEEMED",
             "ACTIVE_UNREDEEMED", "EXPIRED_REDEEMED", "EXPIRED_UNREDEEMED",
             "REDEEMABLE")                                             # :59


def status_match(c, status: str, now: datetime, owner_id: int) -> bool:
    expired, redeemed = c.expired(now), c.redemption_count > 0
    return {
        "REDEEMED": redeemed, "UNREDEEMED": not redeemed,
        "ACTIVE": not expired, "EXPIRED": expired,
        "ACTIVE_REDEEMED": not expired and redeemed,
        "ACTIVE_UNREDEEMED": not expired and not redeemed,
        "EXPIRED_REDEEMED": expired and redeemed,
        "EXPIRED_UNREDEEMED": expired and not redeemed,
        "REDEEMABLE": c.redeemable_check(now, owner_id) == 700,
    }[status]


def make_handlers(ds: Dataset, creds: dict, clock: Callable[[], datetime]):

    async def v11_customer_coupons(request: Request):
        if not authorized(request, creds):
            return v1_response(401, "Unauthorized")
        now = clock()
        try:
            status = q_enum(request, "status", V1_STATUS)
            order_by = q_enum(request, "order_by", ("CREATED_DATE", "CREATED_BY", "VALID_TILL"),
                              "CREATED_DATE")
            sort_order = q_enum(request, "sort_order", ("ASC", "DESC"), "DESC")
            limit = q_int(request, "limit", DEFAULT_LIMIT, 1)
            offset = q_int(request, "offset", 0, 0)
            start, end = q_date(request, "start_date"), q_date(request, "end_date")
        except BadParam as e:
            return v1_response(400, e.message)
        ident = first_identifier(request, V1_IDENTIFIERS)
        if ident is None:
            return v1_response(400, "Pass a customer identifier: mobile, email, external_id or id")
        param, fieldname, value = ident
        cust = ds.find_customer(fieldname, value)
        if cust is None:
            echo = {n: None for n, _ in V1_IDENTIFIERS} | {param: value}
            item = echo | {"coupons": {"coupon": []},
                           "item_status": item_status(False, 701, "Customer could not be found")}
            return v1_response(404, "Customer not found", customers={"customer": [item]})
        coupons = ds.coupons_of(cust.id)
        series_id = q(request, "series_id")
        if series_id is not None:
            if not is_digits(series_id) or ds.visible_series(int(series_id)) is None:
                item = v1_customer(cust) | {"coupons": {"coupon": []},
                                            "item_status": item_status(False, 707, "Coupon series ID is invalid")}
                return v1_response(400, "Invalid series", customers={"customer": [item]})
            coupons = [c for c in coupons if c.series.id == int(series_id)]
        if status:
            coupons = [c for c in coupons if status_match(c, status, now, cust.id)]
        store_id = q(request, "store_id")
        if store_id is not None:   # active coupons redeemable at that store (:33)
            store = ds.store_by_id.get(int(store_id)) if is_digits(store_id) else None
            coupons = [c for c in coupons if store is not None and not c.expired(now) and
                       (not c.series.redeem_store_ids or store.id in c.series.redeem_store_ids)]
        if start or end:           # issued or redeemed in [start, end) (:29-30)
            def in_range(dt):
                return (start is None or dt >= start) and (end is None or dt < end)
            coupons = [c for c in coupons if in_range(c.created) or
                       any(in_range(r.date) for r in c.redemptions)]
        key = {"CREATED_DATE": lambda c: c.created, "CREATED_BY": lambda c: c.issued_by,
               "VALID_TILL": lambda c: c.valid_till}[order_by]
        coupons = sort_coupons(coupons, key, sort_order == "DESC")
        page = coupons[offset:offset + limit]
        item = v1_customer(cust) | {
            "coupons": {"coupon": [v1_coupon(c) for c in page]},
            "item_status": item_status(True, 1000, "Coupons retrieved successfully")}
        return v1_response(200, "Success",
                           pagination={"limit": str(limit), "offset": str(offset), "total": len(coupons)},
                           customers={"customer": [item]})

    async def v11_isredeemable(request: Request):
        if not authorized(request, creds):
            return v1_response(401, "Unauthorized")
        now = clock()
        try:
            case = q_enum(request, "coupon_code_case", CODE_CASES, "UPPER")
        except BadParam as e:
            return v1_response(400, e.message)
        details = (q(request, "details") or "").lower() == "true"
        codes = split_list(q(request, "code"))
        if not codes:
            return v1_response(400, "Pass the coupon code(s) in 'code'")
        ident = first_identifier(request, ISR_IDENTIFIERS)
        if ident is None:
            return v1_response(400, "Pass a customer identifier (mobile, id, external_id, "
                                    "email, card_number or card_external_id)")
        param, fieldname, value = ident
        cust = ds.find_customer(fieldname, value)

        def pack(items):
            return {"redeemable": items[0] if len(items) == 1 else items}

        if cust is None:
            items = [{"mobile": value if param == "mobile" else None,
                      "code": fmt_code(code, case), "is_redeemable": "false",
                      "item_status": item_status(False, 701, "Customer could not be found", True)}
                     for code in codes]
            return v1_response(404, "Customer not found", coupons=pack(items))
        who = {"mobile": cust.mobile, "email": cust.email, "external_id": cust.external_id}
        items = []
        for code in codes:
            c = ds.visible_coupon_by_code(code)
            if c is None:
                items.append({"mobile": cust.mobile, "code": fmt_code(code, case),
                              "is_redeemable": "false", "customer": who,
                              "item_status": item_status(False, 702, "Coupon code is invalid", True)})
                continue
            reason = c.redeemable_check(now, cust.id)
            item = {"mobile": cust.mobile, "code": fmt_code(c.code, case),
                    "is_redeemable": str(reason == 700).lower(),
                    "redemptions_left": c.redemptions_left,
                    "no_of_redemptions_by_user": sum(1 for r in c.redemptions if r.customer_id == cust.id),
                    "coupon_value": num_str(c.series.discount_value),
                    "customer": who,
                    "item_status": item_status(reason == 700, reason, ISR_MESSAGES[reason], True)}
            if details:
                item["series_info"] = v1_series_info(c.series)
            items.append(item)
        return v1_response(200, "Success", coupons=pack(items))

    async def v2_coupon(request: Request):
        if not authorized(request, creds):
            return v2_error(401, "UNAUTHORIZED", "Missing or invalid authentication", "data", False)
        try:
            case = q_enum(request, "coupon_code_case", CODE_CASES, "UPPER")
        except BadParam as e:
            return v2_error(400, e.code, e.message, "data", False)
        to_ids = split_list(q(request, "issuedToIds"))
        c_ids = split_list(q(request, "couponIds"))
        c_codes = split_list(q(request, "couponCodes"))
        if not (to_ids or c_ids or c_codes):
            return v2_error(400, "MISSING_PARAMETER",
                            "Pass issuedToIds, couponIds or couponCodes", "data", False)
        if not all(is_digits(x) for x in to_ids):
            return v2_error(400, "INVALID_CUSTOMER_ID", "issuedToIds must be numeric", "data", False)
        if not all(is_digits(x) for x in c_ids):
            return v2_error(400, "INVALID_PARAMETER", "couponIds must be numeric", "data", False)
        warnings = []
        sets = []
        if to_ids:
            found = set()
            for x in to_ids:
                cust = ds.find_customer("id", x)
                if cust is None:
                    warnings.append({"code": "CUSTOMER_NOT_FOUND", "message": f"No customer with id {x}"})
                else:
                    found.update(c.id for c in ds.coupons_of(cust.id))
            sets.append(found)
        if c_ids:
            found = set()
            for x in c_ids:
                c = ds.visible_coupon_by_id(int(x))
                if c is None:
                    warnings.append({"code": "COUPON_NOT_FOUND", "message": f"No coupon with id {x}"})
                else:
                    found.add(c.id)
            sets.append(found)
        if c_codes:
            found = set()
            for x in c_codes:
                c = ds.visible_coupon_by_code(x)
                if c is None:
                    warnings.append({"code": "COUPON_NOT_FOUND", "message": f"No coupon with code {x}"})
                else:
                    found.add(c.id)
            sets.append(found)
        ids = sorted(set.intersection(*sets))   # every given filter applies; id ascending
        return JSONResponse({"data": [v2_coupon_brief(ds.coupon_by_id[i], case) for i in ids],
                             "warnings": warnings, "errors": []})

    async def v2_customers_coupons(request: Request):
        if not authorized(request, creds):
            return v2_error(401, "UNAUTHORIZED", "Missing or invalid authentication")
        now = clock()
        try:
            case = q_enum(request, "coupon_code_case", CODE_CASES, "UPPER")
            sort_order = q_enum(request, "sort_order", ("ASC", "DESC"), "DESC")   # :63
            limit = q_int(request, "limit", DEFAULT_LIMIT, 1)
            offset = q_int(request, "offset", 0, 0)
            statuses = [s.upper() for s in split_list(q(request, "status"))]
            bad = [s for s in statuses if s not in V2_STATUS]
            if bad:
                raise BadParam("status", f"Unsupported status {bad[0]}; use {', '.join(V2_STATUS)}")
        except BadParam as e:
            return v2_error(400, e.code, e.message)
        ident = first_identifier(request, V2_IDENTIFIERS)
        if ident is None:
            return v2_error(400, "MISSING_PARAMETER", "Pass mobile, email, externalId or id")
        param, fieldname, value = ident
        if param == "id" and not is_digits(value):
            return v2_error(400, "INVALID_CUSTOMER_ID", "id must be a non-negative integer")
        cust = ds.find_customer(fieldname, value)
        if cust is None:
            return v2_error(404, "CUSTOMER_NOT_FOUND", f"No customer with {param} {value}")
        coupons = ds.coupons_of(cust.id)
        if statuses:   # several statuses: a coupon matching any of them
            coupons = [c for c in coupons if any(status_match(c, s, now, cust.id) for s in statuses)]
        coupons = sort_coupons(coupons, lambda c: c.created, sort_order == "DESC")
        page = coupons[offset:offset + limit]
        customer = v2_list_customer(cust) | {"coupons": [v2_list_coupon(c, case) for c in page]}
        return JSONResponse({"entity": {"pagination": {"limit": str(limit), "offset": str(offset),
                                                       "total": len(coupons)},
                                        "customers": [customer]},
                             "warnings": [], "errors": [], "success": True})

    async def v2_customer_id_coupons(request: Request):
        if not authorized(request, creds):   # :750
            return v2_error(401, "UNAUTHORIZED", "Missing or invalid authentication")
        raw = request.path_params["customerId"].strip()
        if not re.fullmatch(r"[0-9]+", raw):    # :749
            return v2_error(400, "INVALID_CUSTOMER_ID", "customerId must be a non-negative integer")
        try:
            case = q_enum(request, "coupon_code_case", CODE_CASES, "UPPER")
        except BadParam as e:
            return v2_error(400, e.code, e.message)
        cust = ds.customer_any_org(int(raw))
        if cust is None:                     # :752
            return v2_error(404, "CUSTOMER_NOT_FOUND", f"No customer with id {raw}")
        if cust.org_id != ORG_ID:            # :751
            return v2_error(403, "FORBIDDEN", "No access to this customer's coupons")
        coupons = ds.coupons_of(cust.id)
        if not coupons:                      # :753
            return v2_error(404, "NO_COUPONS_FOUND", f"Customer {raw} has no coupons")
        coupons = sort_coupons(coupons, lambda c: c.created, True)
        return JSONResponse({"entity": [v2_detailed_coupon(c, ds, case) for c in coupons],
                             "warnings": [], "errors": [], "success": True})

    return [
        Route("/v1.1/customer/coupons", v11_customer_coupons, methods=["GET"]),
        Route("/v1.1/coupon/isredeemable", v11_isredeemable, methods=["GET"]),
        Route("/v2/coupon", v2_coupon, methods=["GET"]),
        Route("/v2/customers/coupons", v2_customers_coupons, methods=["GET"]),
        Route("/v2/customers/{customerId}/coupons", v2_customer_id_coupons, methods=["GET"]),
    ]


ISR_MESSAGES = {700: "Coupon isRedeem successful",          # isredeemable :67-68
                703: "Coupon has expired",
                704: "Coupon has no redemptions left for this customer",
                705: "Coupon is not issued to this customer",
                706: "Coupon is not redeemable yet"}


def create_app(seed: int = 7, now: Optional[datetime] = None) -> Starlette:
    """`now` pins the clock (tests); by default the real UTC time is used."""
    ds = Dataset(seed)
    clock = (lambda: now) if now is not None else (lambda: datetime.now(timezone.utc))
    app = Starlette(routes=make_handlers(ds, credentials(seed), clock))
    app.state.dataset = ds
    return app


def main(argv=None) -> None:
    p = argparse.ArgumentParser(prog="python -m tests.cleanroom.server")
    p.add_argument("--port", type=int, default=8123)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--describe", action="store_true")
    a = p.parse_args(argv)
    info = describe(a.seed)
    if a.describe:
        print(json.dumps(info), flush=True)
        return
    import uvicorn
    print(json.dumps({**info, "base_url": f"http://127.0.0.1:{a.port}"}), flush=True)
    uvicorn.run(create_app(a.seed), host="127.0.0.1", port=a.port, log_level="warning")


if __name__ == "__main__":
    main(sys.argv[1:])
