"""What the suite learns about its test customers before it tests: ids, coupons, codes, series, stores.

From each configured identifier (`mobile:...`, `id:...`) two reads find the rest: the v1.1 list
names the customer, the v2 by-id list gives every coupon with its original code, series, validity,
redemptions left and issuing store. Discovery is tolerant on purpose: a malformed answer is for the
tests to report, so here a missing field only means less is known.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .lanes import Lanes
from .properties import settle
from .settings import CustomerRef
from .target import Target, TargetUnavailable

__all__ = ["CustomerNotFound", "Discovery", "KnownCoupon", "KnownCustomer", "discover", "parse_instant"]


class CustomerNotFound(Exception):
    """A configured test customer does not exist on the target (a configuration error, exit 2)."""


@dataclass(frozen=True)
class KnownCoupon:
    """A coupon of a test customer, as the v2 by-id answer describes it."""

    id: int
    code: str  # as created (coupon_code_case=AS_IT_IS)
    series_id: int | None
    valid_till: datetime | None
    redemptions_left: int | None
    store_id: int | None
    store_code: str | None
    redeemable_at: tuple[int, ...] | None = None  # series.redeemAtStore; None: every store or unknown ([-1], D-46)

    def is_expired(self, now: datetime) -> bool | None:
        """Whether valid_till is past; None when unknown."""
        return None if self.valid_till is None else self.valid_till < now


@dataclass
class KnownCustomer:
    """A test customer and everything discovered about it."""

    ref: CustomerRef
    id: int
    mobile: str | None = None
    email: str | None = None
    external_id: str | None = None
    coupons: list[KnownCoupon] = field(default_factory=list)

    def __repr__(self) -> str:
        # Hypothesis prints drawn values in failure reports: no mobile or e-mail in them.
        return f"KnownCustomer(id={self.id}, via={self.ref.field}, coupons={len(self.coupons)})"

    def identifiers(self) -> dict[str, str]:
        """Every identifier known for this customer, by v1.1 query name."""
        found = {"id": str(self.id), "mobile": self.mobile, "email": self.email, "external_id": self.external_id}
        return {k: v for k, v in found.items() if v}


@dataclass
class Discovery:
    """The test customers as the target knows them."""

    customers: list[KnownCustomer]
    now: datetime

    @property
    def with_coupons(self) -> list[KnownCustomer]:
        """Customers that have at least one coupon."""
        return [c for c in self.customers if c.coupons]

    @property
    def without_coupons(self) -> list[KnownCustomer]:
        """Customers with no coupon at all (for NO_COUPONS_FOUND)."""
        return [c for c in self.customers if not c.coupons]

    @property
    def coupons(self) -> list[KnownCoupon]:
        """Every discovered coupon."""
        return [coupon for customer in self.customers for coupon in customer.coupons]

    @property
    def series_ids(self) -> list[int]:
        """Series of the discovered coupons, sorted."""
        return sorted({c.series_id for c in self.coupons if c.series_id is not None})

    @property
    def store_ids(self) -> list[int]:
        """Stores seen: where coupons were issued and where restricted series may be redeemed, sorted."""
        issuing = {c.store_id for c in self.coupons if c.store_id is not None}
        allowed = {s for c in self.coupons for s in c.redeemable_at or ()}
        return sorted(issuing | allowed)


def discover(target: Target, *, now: datetime | None = None, lanes: Lanes | None = None) -> Discovery:
    """Look up every configured customer on the target, side by side on `lanes` when given.

    The most serious problem decides the error, as for any lane work (an outage, a spent budget,
    then the first customer that cannot be used), so the message is the same at any width.
    """
    futures = (lanes or Lanes(1)).map(lambda ref: _discover_customer(target, ref), target.customers)
    settle(futures, what="customers")
    return Discovery([f.result() for f in futures], now or datetime.now(timezone.utc))


def _discover_customer(target: Target, ref: CustomerRef) -> KnownCustomer:
    exchange = target.get("getCustomerCouponsV11", "/v1.1/customer/coupons", {ref.field: ref.value, "limit": 1})
    _require_usable(target, exchange.response, "GET /v1.1/customer/coupons")
    body = _json(exchange.response)
    entries = _dig(body, "response", "customers", "customer") or []
    entry = entries[0] if isinstance(entries, list) and entries else {}
    if _dig(entry, "item_status", "code") not in (1000, None) or not str(entry.get("id", "")).isdigit():
        raise CustomerNotFound(f"COUPON_API_CUSTOMERS: {ref.field}:{_mask(ref)} is not a customer of {target.label} (v1.1 item code {_dig(entry, 'item_status', 'code')})")
    customer = KnownCustomer(ref, int(entry["id"]), entry.get("mobile"), entry.get("email"), entry.get("external_id"))
    exchange = target.get("getCustomerCouponsByIdV2", f"/v2/customers/{customer.id}/coupons", {"coupon_code_case": "AS_IT_IS"})
    _require_usable(target, exchange.response, "GET /v2/customers/{customerId}/coupons")
    if exchange.response.status_code == 200:
        for item in _dig(_json(exchange.response), "entity") or []:
            if isinstance(item, dict) and isinstance(item.get("id"), int) and isinstance(item.get("code"), str):
                store = item.get("issuedAt") if isinstance(item.get("issuedAt"), dict) else {}
                customer.coupons.append(
                    KnownCoupon(
                        id=item["id"],
                        code=item["code"],
                        series_id=item.get("seriesId") if isinstance(item.get("seriesId"), int) else None,
                        valid_till=parse_instant(item.get("validTill")),
                        redemptions_left=item.get("redemptionsLeft") if isinstance(item.get("redemptionsLeft"), int) else None,
                        store_id=store.get("id") if isinstance(store.get("id"), int) else None,
                        store_code=store.get("code") if isinstance(store.get("code"), str) else None,
                        redeemable_at=_store_list((item.get("series") or {}).get("redeemAtStore") if isinstance(item.get("series"), dict) else None),
                    )
                )
    return customer


def _store_list(value: Any) -> tuple[int, ...] | None:
    """`"[75152700,75152701]"` as store ids; None for `"[-1]"` (undocumented sentinel) or anything else."""
    try:
        stores = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        return None
    if not isinstance(stores, list) or not stores or not all(isinstance(s, int) for s in stores) or -1 in stores:
        return None
    return tuple(stores)


def _require_usable(target: Target, response: Any, what: str) -> None:
    if response.status_code == 401:
        raise TargetUnavailable(f"{target.label}: credentials rejected (401 on {what}); check COUPON_API_USERNAME/PASSWORD or COUPON_API_OAUTH_TOKEN")
    if response.status_code >= 500:
        raise TargetUnavailable(f"{target.label}: {what} answered {response.status_code} during discovery")


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _dig(node: Any, *keys: str) -> Any:
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return node


def _mask(ref: CustomerRef) -> str:
    if ref.field in ("mobile", "email"):
        from .redaction import mask_value

        return mask_value(ref.field, ref.value)
    return ref.value


def parse_instant(value: Any) -> datetime | None:
    """An ISO 8601 date-time with offset as an aware datetime; None if it is not one."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None
