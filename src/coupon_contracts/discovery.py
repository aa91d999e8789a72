"""What the suite learns about its test customers before it tests: ids, coupons, codes, series, stores.

From each configured identifier (`mobile:...`, `id:...`) two reads find the rest: the v1.1 list
names the customer, the v2 by-id list gives every coupon with its original code, series, validity,
redemptions left and issuing store. Discovery is tolerant on purpose: a malformed answer is for the
tests to report, so here a missing field only means less is known.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .discovery_reads import json_of, read_a_list, require_usable
from .lanes import Lanes
from .operations import V2ID, V2L, V11
from .properties import settle
from .settings import CustomerRef
from .target import Target

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
    is_redeemed: bool | None = None  # by-id `redeemed` (v2-customers-customerId-coupons.txt:72)

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
    listed: int = 0  # coupons the v1.1 list counts (pagination.total): a second opinion beside by-id

    def __repr__(self) -> str:
        # Hypothesis prints drawn values in failure reports: no mobile or e-mail in them.
        return f"KnownCustomer(id={self.id}, via={self.ref.field}, coupons={len(self.coupons)})"

    def v11_identifier(self) -> dict[str, str]:
        """One identifier for the v1.1 operations: mobile first (isredeemable marks it required, D-03), then
        e-mail and external id; id last, as the v1.1 page marks it Optional where the others are Conditional (D-02)."""
        for name, value in (("mobile", self.mobile), ("email", self.email), ("external_id", self.external_id)):
            if value:
                return {name: value}
        return {"id": str(self.id)}

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
    def with_listed_coupons(self) -> list[KnownCustomer]:
        """Customers that have coupons by the v1.1 list or by by-id (either may be the broken one)."""
        return [c for c in self.customers if c.coupons or c.listed]

    @property
    def without_coupons(self) -> list[KnownCustomer]:
        """Customers with no coupon on any list (for NO_COUPONS_FOUND)."""
        return [c for c in self.customers if not c.coupons and not c.listed]

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


    def export(self) -> dict[str, Any]:
        """As plain JSON data, to hand to other processes of the run (`from_export` reads it back)."""
        def coupon(c: KnownCoupon) -> dict[str, Any]:
            return dataclasses.asdict(c) | {"valid_till": c.valid_till.isoformat() if c.valid_till else None}

        customers = [
            {"ref": [c.ref.field, c.ref.value], "id": c.id, "mobile": c.mobile, "email": c.email, "external_id": c.external_id, "listed": c.listed, "coupons": [coupon(k) for k in c.coupons]}
            for c in self.customers
        ]
        return {"now": self.now.isoformat(), "customers": customers}

    @classmethod
    def from_export(cls, data: dict[str, Any]) -> Discovery:
        """The discovery another process of the run made (`export`)."""
        def coupon(k: dict[str, Any]) -> KnownCoupon:
            redeemable = tuple(k["redeemable_at"]) if k.get("redeemable_at") is not None else None
            return KnownCoupon(**(k | {"valid_till": parse_instant(k["valid_till"]), "redeemable_at": redeemable}))

        customers = [
            KnownCustomer(CustomerRef(*c["ref"]), c["id"], c["mobile"], c["email"], c["external_id"], [coupon(k) for k in c["coupons"]], c["listed"])
            for c in data["customers"]
        ]
        return cls(customers, datetime.fromisoformat(data["now"]))

    def health(self) -> dict[str, Any]:
        """What the test customers let the suite reach, and what no customer has (for the sign-off)."""
        customers: list[dict[str, Any]] = [
            {
                "id": c.id,
                "via": c.ref.field,
                "coupons": len(c.coupons),
                "listed": c.listed,
                "live": sum(1 for k in c.coupons if k.is_expired(self.now) is False),
                "expired": sum(1 for k in c.coupons if k.is_expired(self.now) is True),
                "redeemed": sum(1 for k in c.coupons if k.is_redeemed is True),
                "unredeemed": sum(1 for k in c.coupons if k.is_redeemed is False),
                "store_restricted": sum(1 for k in c.coupons if k.redeemable_at),
                "mixed_case": sum(1 for k in c.coupons if k.code != k.code.upper()),
            }
            for c in self.customers
        ]
        needs = {
            "a customer with coupons": any(c["coupons"] or c["listed"] for c in customers),
            "a customer without coupons (NO_COUPONS_FOUND)": any(not c["coupons"] and not c["listed"] for c in customers),
            "a live coupon": any(c["live"] for c in customers),
            "an expired coupon": any(c["expired"] for c in customers),
            "a redeemed coupon": any(c["redeemed"] for c in customers),
            "an unredeemed coupon": any(c["unredeemed"] for c in customers),
            "a store-restricted coupon": any(c["store_restricted"] for c in customers),
            "a coupon code created in lower or mixed case (AS_IT_IS)": any(c["mixed_case"] for c in customers),
            "a customer with more than 100 coupons (the v1.1 default limit)": any(max(c["coupons"], c["listed"]) > 100 for c in customers),
        }
        return {"customers": customers, "lacking": [need for need, met in needs.items() if not met]}


def discover(target: Target, *, now: datetime | None = None, lanes: Lanes | None = None) -> Discovery:
    """Look up every configured customer on the target, side by side on `lanes` when given.

    The most serious problem decides the error, as for any lane work (an outage, a spent budget,
    then the first customer that cannot be used), so the message is the same at any width.
    """
    futures = (lanes or Lanes(1)).map(lambda ref: _discover_customer(target, ref), target.customers)
    settle(futures, what="customers")
    return Discovery([f.result() for f in futures], now or datetime.now(timezone.utc))


def _v11_entry(target: Target, identifier: dict[str, str]) -> tuple[dict[str, Any], Any]:
    """The v1.1 list's customer entry for one identifier (empty if none), and the whole body."""
    exchange, body = read_a_list(target, V11, {**identifier, "limit": 1}, "response")
    entries = _dig(body, "response", "customers", "customer") or []
    entry = entries[0] if isinstance(entries, list) and entries and isinstance(entries[0], dict) else {}
    is_found = _dig(entry, "item_status", "code") in (1000, None) and str(entry.get("id", "")).isdigit()
    return (entry if is_found else {}), body


def _v2_identifiers(target: Target, customer_id: str) -> dict[str, str]:
    """The identifiers the v2 list gives for an id, for a target whose v1.1 list does not take `id` alone (D-02)."""
    exchange, body = read_a_list(target, V2L, {"id": customer_id, "limit": 1}, "entity")
    customers = _dig(body, "entity", "customers")
    found = customers[0] if isinstance(customers, list) and customers and isinstance(customers[0], dict) else {}
    return {k: str(found[f]) for k, f in (("mobile", "mobile"), ("email", "email"), ("external_id", "externalId")) if found.get(f)}


def _discover_customer(target: Target, ref: CustomerRef) -> KnownCustomer:
    entry, body = _v11_entry(target, {ref.field: ref.value})
    if not entry and ref.field == "id":  # the page marks id Optional beside the Conditional others (D-02)
        other = _v2_identifiers(target, ref.value)
        if other:
            entry, body = _v11_entry(target, dict([next(iter(other.items()))]))
    if not entry:
        raise CustomerNotFound(f"COUPON_API_CUSTOMERS: {ref.field}:{_mask(ref)} is not a customer of {target.label} (the v1.1 list does not know it)")
    customer = KnownCustomer(ref, int(entry["id"]), entry.get("mobile"), entry.get("email"), entry.get("external_id"))
    total = _dig(body, "response", "pagination", "total")
    customer.listed = int(total) if isinstance(total, (int, str)) and str(total).isdigit() else 0
    exchange = target.get(V2ID, {"coupon_code_case": "AS_IT_IS"}, customer_id=customer.id)
    require_usable(target, exchange.response, target.operations[V2ID].label)
    if exchange.response.status_code == 200:
        for item in _dig(json_of(exchange), "entity") or []:
            if isinstance(item, dict) and isinstance(item.get("id"), int) and isinstance(item.get("code"), str):
                store: dict[str, Any] = item["issuedAt"] if isinstance(item.get("issuedAt"), dict) else {}
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
                        is_redeemed=item.get("redeemed") if isinstance(item.get("redeemed"), bool) else None,
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
