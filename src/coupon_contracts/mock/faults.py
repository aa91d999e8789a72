"""The fault catalog: named ways the mock can deviate from the docs, one at a time or several.

Three families. *shape* faults rewrite the finished JSON body (a field removed, renamed, retyped,
reformatted, added, a new value); *behaviour* faults are switches the handlers read where the
behaviour is decided (a filter ignored, a page shifted), plus rewrites that make two endpoints
disagree; *security* faults relax the credential check. Each fault also names a probe: the request
that shows it, which the tests send to the faithful and to the faulty mock.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from starlette.requests import Request
from starlette.responses import Response

from ..operations import RED, V2C, V2ID, V2L, V11, OperationId, shipped_table

if TYPE_CHECKING:
    from .dataset import Coupon, Dataset

__all__ = ["FAULTS", "Fault", "FaultSet", "Probe"]

SHAPE, BEHAVIOUR, SECURITY = "shape", "behaviour", "security"
ALL_OPERATIONS = tuple(OperationId)


@dataclass(frozen=True)
class Probe:
    """The request that makes a fault visible. `auth`: md5 (valid), none, plain, wrong-password, wrong-token."""

    ask: Callable[["Dataset"], tuple[Any, ...]]  # (operationId, query) or, by id, (operationId, query, customerId)
    auth: str = "md5"

    def request(self, ds: "Dataset") -> tuple[str, str, dict[str, str]]:
        """The probe's operation, path and query on this dataset."""
        operation_id, params, *customer = self.ask(ds)
        return operation_id, shipped_table()[operation_id].path_for(*customer), params


@dataclass(frozen=True)
class Fault:
    """One named deviation from the docs."""

    name: str
    family: str
    operations: tuple[str, ...]
    summary: str
    probe: Probe
    edit: Callable[[Any], None] | None = None  # rewrites the JSON body of the operations' 2xx answers
    is_breaking: bool = True  # False: an added field or value, reported but not failed on


FAULTS: dict[str, Fault] = {}
OTHER_NAMES: set[str] = set()  # the hostile-target faults (hostile.py) add their names here


def fault(name: str, family: str, operations: Iterable[str] | str, summary: str, probe: Probe, *,
          edit: Callable[[Any], None] | None = None, is_breaking: bool = True) -> None:  # fmt: skip
    """Add a fault to the catalog."""
    ops = (operations,) if isinstance(operations, str) else tuple(operations)
    FAULTS[name] = Fault(name, family, ops, summary, probe, edit, is_breaking)


class FaultSet:
    """The faults switched on in one mock instance."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        names = list(names)
        unknown = [n for n in names if n not in FAULTS and n not in OTHER_NAMES]
        if unknown:
            raise ValueError(f"unknown fault(s) {', '.join(unknown)}; see `coupon-contracts mock --list-faults`")
        self.names = frozenset(names)

    def has(self, name: str) -> bool:
        """Whether the fault `name` is on."""
        return name in self.names

    def reshape(self, operation_id: str, response: Response, request: Request) -> Response:
        """Apply the body rewrites of the active faults that concern `operation_id`."""
        if not self.names or not 200 <= response.status_code < 300:
            return response
        shaped = [FAULTS[n] for n in sorted(self.names) if n in FAULTS]  # hostile faults act in their middleware
        edits = [f.edit for f in shaped if f.edit and operation_id in f.operations]
        media_type = "text/plain" if self.has("all-content-type-text") else response.media_type
        if not edits and media_type == response.media_type:
            return response
        body = json.loads(bytes(response.body))
        for edit in edits:
            edit(body)
        return Response(json.dumps(body), status_code=response.status_code, media_type=media_type)


# -- body walking ---------------------------------------------------------------------------------


def each(node: Any, path: str) -> Iterator[dict[str, Any]]:
    """Every object at a dotted path; lists along the way are walked through."""
    if isinstance(node, list):
        for item in node:
            yield from each(item, path)
        return
    if not isinstance(node, dict):
        return
    if not path:
        yield node
        return
    head, _, rest = path.partition(".")
    if head in node:
        yield from each(node[head], rest)


def on(path: str, change: Callable[[dict[str, Any]], None], *, every: int = 1) -> Callable[[Any], None]:
    """An edit applying `change` to every object at `path` (or to every `every`-th of them, from the first)."""

    def edit(body: Any) -> None:
        for i, obj in enumerate(each(body, path)):
            if i % every == 0:
                change(obj)

    return edit


def retype(key: str, convert: Callable[[Any], Any]) -> Callable[[dict[str, Any]], None]:
    return lambda obj: obj.__setitem__(key, convert(obj[key])) if key in obj else None


def remove(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda obj: obj.pop(key, None)


def rename(old: str, new: str) -> Callable[[dict[str, Any]], None]:
    return lambda obj: obj.__setitem__(new, obj.pop(old)) if old in obj else None


def shift_iso(days: int) -> Callable[[str], str]:
    def convert(value: str) -> str:
        moment = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ") + timedelta(days=days)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    return convert


# -- probes ---------------------------------------------------------------------------------------
# The dataset's fixed corners: customers[0] has no coupons, customers[2] one coupon of every kind.


def corner_id(ds: "Dataset") -> str:
    return str(ds.customers[2].id)


def corner_coupon(ds: "Dataset", predicate: Callable[["Coupon"], bool]) -> "Coupon":
    return next(c for c in ds.coupons_of(ds.customers[2]) if predicate(c))


def v11_list(**params: str) -> Probe:
    return Probe(lambda ds: (V11, {"id": corner_id(ds), **params}))


def v2_list(**params: str) -> Probe:
    return Probe(lambda ds: (V2L, {"id": corner_id(ds), **params}))


def redeemable(pick: Callable[["Dataset"], "Coupon"], auth: str = "md5") -> Probe:
    return Probe(lambda ds: (RED, {"id": corner_id(ds), "code": pick(ds).code}), auth)


def live(ds: "Dataset") -> "Coupon":
    return corner_coupon(ds, lambda c: c.is_redeemable(ds.now))


BY_ID = Probe(lambda ds: (V2ID, {}, corner_id(ds)))
LOOKUP = Probe(lambda ds: (V2C, {"issuedToIds": corner_id(ds)}))


# -- the catalog ----------------------------------------------------------------------------------
V11_COUPONS = "response.customers.customer.coupons.coupon"
RED_ITEM = "response.coupons.redeemable"
V2L_COUPONS = "entity.customers.coupons"

fault("v11-coupon-id-as-number", SHAPE, V11, "v1.1 coupon id sent as a number instead of a string", v11_list(),
      edit=on(V11_COUPONS, retype("id", int)))
fault("v11-valid-till-iso", SHAPE, V11, "v1.1 valid_till reformatted to ISO 8601", v11_list(),
      edit=on(V11_COUPONS, retype("valid_till", lambda v: v.replace(" ", "T") + "Z")))
fault("v11-redemption-count-missing", SHAPE, V11, "v1.1 coupon redemption_count removed", v11_list(),
      edit=on(V11_COUPONS, remove("redemption_count")))
fault("v11-series-name-renamed", SHAPE, V11, "v1.1 series_name renamed to seriesName", v11_list(),
      edit=on(V11_COUPONS, rename("series_name", "seriesName")))
fault("v11-total-as-string", SHAPE, V11, "v1.1 pagination.total sent as a string", v11_list(),
      edit=on("response.pagination", retype("total", str)))
fault("isredeemable-is-redeemable-boolean", SHAPE, RED, "is_redeemable sent as a JSON boolean", redeemable(live),
      edit=on(RED_ITEM, retype("is_redeemable", lambda v: v == "true")))
fault("isredeemable-redemptions-left-missing", SHAPE, RED, "redemptions_left removed", redeemable(live),
      edit=on(RED_ITEM, remove("redemptions_left")))
fault("isredeemable-item-status-new-value", SHAPE, RED, "item_status.status gets a value outside \"true\"/\"false\"", redeemable(live),
      edit=on(RED_ITEM + ".item_status", retype("status", lambda v: "PARTIAL")))
fault("v2-coupon-series-id-as-string", SHAPE, V2C, "v2/coupon seriesId sent as a string", LOOKUP,
      edit=on("data", retype("seriesId", str)))
fault("v2-coupon-valid-till-date-only", SHAPE, V2C, "v2/coupon validTill reformatted to a bare date", LOOKUP,
      edit=on("data", retype("validTill", lambda v: v[:10])))
fault("v2-list-redemptions-left-missing", SHAPE, V2L, "v2 list coupon redemptionsLeft removed", v2_list(),
      edit=on(V2L_COUPONS, remove("redemptionsLeft")))
fault("v2-list-coupon-id-renamed", SHAPE, V2L, "v2 list coupon id renamed to coupon_id (neither id nor couponId)", v2_list(),
      edit=on(V2L_COUPONS, rename("id", "coupon_id")))
fault("v2-list-success-as-string", SHAPE, V2L, "v2 list success sent as the string \"true\"", v2_list(),
      edit=on("", retype("success", lambda v: str(v).lower())))
fault("v2-list-field-added", SHAPE, V2L, "v2 list coupons carry an undocumented field `tier`", v2_list(),
      edit=on(V2L_COUPONS, lambda c: c.__setitem__("tier", "GOLD")), is_breaking=False)
# The contract leaves reversedRedemptions optional (the page's first example has none) and the faithful
# mock always sends it: only a diff against a baseline run sees it go missing from half the coupons.
fault("v2-list-reversed-redemptions-sometimes-missing", SHAPE, V2L, "v2 list coupons carry reversedRedemptions one time in two", v2_list(),
      edit=on(V2L_COUPONS, remove("reversedRedemptions"), every=2), is_breaking=False)
fault("v2-list-discount-type-new-value", SHAPE, V2L, "v2 list discountType takes a value never seen (BOGO)", v2_list(),
      edit=on(V2L_COUPONS, retype("discountType", lambda v: "BOGO")), is_breaking=False)
fault("v2-by-id-series-max-create-as-string", SHAPE, V2ID, "by-id series.maxCreate sent as a string", BY_ID,
      edit=on("entity.series", retype("maxCreate", str)))
fault("v2-by-id-issued-at-id-missing", SHAPE, V2ID, "by-id issuedAt.id removed", BY_ID,
      edit=on("entity.issuedAt", remove("id")))
fault("v2-by-id-valid-till-reformatted", SHAPE, V2ID, "by-id validTill sent as `YYYY-MM-DD HH:MM:SS`", BY_ID,
      edit=on("entity", retype("validTill", lambda v: v.replace("T", " ").rstrip("Z"))))
fault("all-content-type-text", SHAPE, ALL_OPERATIONS, "JSON bodies served as text/plain", LOOKUP)

fault("v11-status-filter-ignored", BEHAVIOUR, V11, "status= returns every coupon", v11_list(status="redeemed"))
fault("v11-redeemed-filter-inverted", BEHAVIOUR, V11, "status=redeemed returns the unredeemed ones and back", v11_list(status="redeemed"))
fault("v11-date-window-ignored", BEHAVIOUR, V11, "start_date/end_date ignored", v11_list(start_date="2000-01-01", end_date="2000-01-02"))
fault("v11-series-filter-ignored", BEHAVIOUR, V11, "series_id ignored",
      Probe(lambda ds: (V11, {"id": corner_id(ds), "series_id": str(ds.series[0].id)})))
fault("v11-store-restriction-ignored", BEHAVIOUR, V11, "store_id returns coupons not redeemable at that store",
      Probe(lambda ds: (V11, {"id": corner_id(ds), "store_id": str(ds.stores[2].id)})))
fault("v11-sort-order-reversed", BEHAVIOUR, V11, "sort_order=asc sorts descending and back", v11_list(order_by="created_date", sort_order="asc"))
fault("v11-limit-ignored", BEHAVIOUR, V11, "limit ignored: every coupon returned", v11_list(limit="1"))
fault("v11-total-counts-page", BEHAVIOUR, V11, "pagination.total counts the page, not the matches", v11_list(limit="1"))
fault("v11-unknown-customer-succeeds", BEHAVIOUR, V11, "an unknown customer gets success instead of item code 701",
      Probe(lambda ds: (V11, {"id": "1"})))
fault("isredeemable-code-case-ignored", BEHAVIOUR, RED, "codes come back as created whatever coupon_code_case says",
      redeemable(lambda ds: corner_coupon(ds, lambda c: c.code != c.code.upper())))
fault("isredeemable-expired-said-redeemable", BEHAVIOUR, RED, "an expired coupon is said redeemable",
      redeemable(lambda ds: corner_coupon(ds, lambda c: c.is_expired(ds.now))))
fault("v2-coupon-ids-ignored", BEHAVIOUR, V2C, "couponIds finds nothing",
      Probe(lambda ds: (V2C, {"couponIds": str(live(ds).id)})))
fault("v2-coupon-lookup-case-sensitive", BEHAVIOUR, V2C, "couponCodes lookup became case sensitive",
      Probe(lambda ds: (V2C, {"couponCodes": live(ds).code.lower()})))
fault("v2-coupon-valid-till-disagrees", BEHAVIOUR, V2C, "v2/coupon validTill a day later than the other endpoints say", LOOKUP,
      edit=on("data", retype("validTill", shift_iso(1))))
fault("v2-list-code-case-ignored", BEHAVIOUR, V2L, "coupon_code_case ignored: codes always upper case", v2_list(coupon_code_case="LOWER"))
fault("v2-list-status-combination-first-only", BEHAVIOUR, V2L, "several statuses: only the first is applied", v2_list(status="REDEEMED,UNREDEEMED"))
fault("v2-list-default-order-ascending", BEHAVIOUR, V2L, "without sort_order the list comes oldest first", v2_list())
fault("v2-list-offset-shifted", BEHAVIOUR, V2L, "offset skips one row too many", v2_list(limit="2", offset="1"))
fault("v2-list-total-counts-page", BEHAVIOUR, V2L, "pagination.total counts the page, not the matches", v2_list(limit="1"))
fault("v2-by-id-redemptions-left-disagrees", BEHAVIOUR, V2ID, "by-id redemptionsLeft one more than the other endpoints say", BY_ID,
      edit=on("entity", lambda c: c.__setitem__("redemptionsLeft", c["redemptionsLeft"] + 1) if c.get("redemptionsLeft", -1) >= 0 else None))
fault("v2-by-id-negative-id-accepted", BEHAVIOUR, V2ID, "a negative customerId gives 404 instead of 400 INVALID_CUSTOMER_ID",
      Probe(lambda ds: (V2ID, {}, "-5")))
fault("v2-by-id-not-found-410", BEHAVIOUR, V2ID, "an unknown customer gives 410, a status the docs do not list",
      Probe(lambda ds: (V2ID, {}, "1")))
fault("v2-by-id-no-coupons-200", BEHAVIOUR, V2ID, "a customer without coupons gets 200 instead of 404 NO_COUPONS_FOUND",
      Probe(lambda ds: (V2ID, {}, ds.customers[0].id)))

# Answers a vacuous check would pass: empty or partial where the docs define a set, a default not
# applied, a wrong answer that only the request under test would agree with, a failure that hides data.
fault("v11-status-filter-empty", BEHAVIOUR, V11, "status= returns no coupon at all", v11_list(status="unredeemed"))
fault("v11-status-filter-partial", BEHAVIOUR, V11, "status= leaves out the last coupon that qualifies", v11_list(status="unredeemed"))
fault("v11-series-filter-partial", BEHAVIOUR, V11, "series_id leaves out the last coupon of that series",
      Probe(lambda ds: (V11, {"id": corner_id(ds), "series_id": str(corner_coupon(ds, lambda c: True).series.id)})))
fault("v11-store-filter-empty", BEHAVIOUR, V11, "store_id returns no coupon at all",
      Probe(lambda ds: (V11, {"id": corner_id(ds), "store_id": str(ds.stores[0].id)})))
fault("v11-date-window-empty", BEHAVIOUR, V11, "start_date/end_date return no coupon at all", v11_list(start_date="2000-01-01"))
fault("v11-default-limit-50", BEHAVIOUR, V11, "without limit, 50 coupons instead of the documented 100",
      Probe(lambda ds: (V11, {"id": str(ds.customers[-1].id)})))
fault("v2-list-status-filter-empty", BEHAVIOUR, V2L, "status= returns no coupon at all", v2_list(status="UNREDEEMED"))
fault("v2-list-status-filter-partial", BEHAVIOUR, V2L, "status= leaves out the last coupon that qualifies", v2_list(status="UNREDEEMED"))
fault("v2-coupon-codes-partial", BEHAVIOUR, V2C, "several couponCodes: only the first is found",
      Probe(lambda ds: (V2C, {"couponCodes": ",".join(c.code for c in ds.coupons_of(ds.customers[2])[:2])})))
fault("v2-coupon-by-customer-empty", BEHAVIOUR, V2C, "issuedToIds finds no coupon", LOOKUP)
fault("isredeemable-several-codes-partial", BEHAVIOUR, RED, "several codes: only the first is answered",
      Probe(lambda ds: (RED, {"id": corner_id(ds), "code": ",".join(c.code for c in ds.coupons_of(ds.customers[2])[:2])})))
fault("v2-by-id-as-it-is-upper", BEHAVIOUR, V2ID, "by-id answers coupon_code_case=AS_IT_IS in upper case (discovery reads codes there)",
      Probe(lambda ds: (V2ID, {"coupon_code_case": "AS_IT_IS"}, corner_id(ds))))
fault("v2-by-id-no-coupons-for-everyone", BEHAVIOUR, V2ID, "every customer gets 404 NO_COUPONS_FOUND, hiding the coupons other checks need", BY_ID)

fault("all-credentials-unchecked", SECURITY, ALL_OPERATIONS, "requests without credentials are served", Probe(LOOKUP.ask, auth="none"))
fault("v2-token-unchecked", SECURITY, (V2C, V2L, V2ID), "any X-CAP-API-OAUTH-TOKEN is accepted on v2", Probe(LOOKUP.ask, auth="wrong-token"))
fault("v11-password-unchecked", SECURITY, (V11, RED), "v1.1 checks the username only", Probe(v11_list().ask, auth="wrong-password"))
