"""The mock's data: customers, series, stores, coupons and redemptions, generated from a seed.

One in-memory model serves all five operations, so the same coupon has the same id, code, series,
validity and redemption counts in every answer. Validity is laid out relative to `now`, so an
"expired" coupon stays expired and an "active" one stays active whenever the suite runs.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

__all__ = ["Coupon", "Customer", "Dataset", "Redemption", "Series", "Store", "build_dataset", "ordered"]

UNLIMITED = -1


@dataclass(frozen=True)
class Store:
    """A store (org unit) where coupons are issued or redeemed."""

    id: int
    code: str
    name: str


@dataclass(frozen=True)
class Series:
    """A coupon series: the discount, the validity and the redemption rules its coupons share."""

    id: int
    description: str
    discount_type: str
    discount_value: int
    discount_upto: int
    discount_code: str
    valid_till: datetime
    created_on: datetime
    max_redemptions_per_coupon: int  # UNLIMITED (-1) or a positive count
    store_ids: tuple[int, ...]  # () means every store
    custom_properties: tuple[tuple[str, str], ...] = ()

    def is_redeemable_at(self, store: Store) -> bool:
        """Whether coupons of this series may be redeemed at `store`."""
        return not self.store_ids or store.id in self.store_ids


@dataclass(frozen=True)
class Redemption:
    """One redemption of a coupon."""

    id: int
    date: datetime
    transaction_number: str
    store: Store


@dataclass
class Coupon:
    """A coupon issued to a customer."""

    id: int
    code: str  # as created, mixed case allowed; the API upper-cases it by default
    series: Series
    customer_id: int
    created_date: datetime
    valid_till: datetime
    issued_at: Store
    issued_by: int
    transaction_number: str | None
    redemptions: list[Redemption] = field(default_factory=list)

    @property
    def redemption_count(self) -> int:
        """Times the coupon was redeemed."""
        return len(self.redemptions)

    @property
    def redemptions_left(self) -> int:
        """Redemptions left: -1 when the series allows unlimited redemptions."""
        limit = self.series.max_redemptions_per_coupon
        return UNLIMITED if limit == UNLIMITED else max(limit - self.redemption_count, 0)

    def is_expired(self, now: datetime) -> bool:
        """Whether valid_till is in the past."""
        return self.valid_till < now

    def is_redeemable(self, now: datetime) -> bool:
        """Live and with redemptions left."""
        return not self.is_expired(now) and self.redemptions_left != 0


@dataclass(frozen=True)
class Customer:
    """A loyalty customer and every identifier the APIs look customers up by."""

    id: int
    mobile: str
    email: str | None
    external_id: str | None
    firstname: str
    lastname: str
    card_number: str
    card_external_id: str


@dataclass
class Dataset:
    """Everything the mock serves, with the lookups the handlers need."""

    now: datetime
    stores: list[Store]
    series: list[Series]
    customers: list[Customer]
    coupons: list[Coupon]

    def coupons_of(self, customer: Customer) -> list[Coupon]:
        """The customer's coupons, newest first (the vendor's default order)."""
        own = [c for c in self.coupons if c.customer_id == customer.id]
        return sorted(own, key=lambda c: (c.created_date, c.id), reverse=True)

    def series_by_id(self, series_id: int) -> Series | None:
        """The series with that id, if any."""
        return next((s for s in self.series if s.id == series_id), None)

    def coupon_by_code(self, code: str) -> Coupon | None:
        """Case-insensitive code lookup, as the docs promise."""
        wanted = code.casefold()
        return next((c for c in self.coupons if c.code.casefold() == wanted), None)

    def customer_by_id(self, customer_id: int) -> Customer | None:
        """The customer with that id, if any."""
        return next((c for c in self.customers if c.id == customer_id), None)


FIRST_NAMES = ["Asha", "Ravi", "Meera", "Tom", "Lena", "Kofi", "Yuki", "Omar", "Ines", "Arjun"]
LAST_NAMES = ["Rao", "Sawyer", "Iyer", "Mensah", "Sato", "Haddad", "Costa", "Nair", "Berg", "Das"]


BULK_COUPONS = 101  # with its random ones, the last customer holds more than the documented default page


def ordered(coupons: list[Coupon], key: Callable[[Coupon], Any], *, descending: bool, ties: str | None = None) -> list[Coupon]:
    """Coupons sorted by `key`; equal keys by id in the sort's direction, or always `ties` ("asc"/"desc")."""
    if ties is None:
        return sorted(coupons, key=lambda c: (key(c), c.id), reverse=descending)
    by_id = sorted(coupons, key=lambda c: c.id, reverse=ties == "desc")
    return sorted(by_id, key=key, reverse=descending)  # stable, also reversed: equal keys keep the id order


def build_dataset(
    *, seed: int = 7, customers: int = 8, now: datetime | None = None, list_every_store: bool = False, last_customer_coupons: int | None = None
) -> Dataset:
    """A deterministic dataset: the same seed, size and day give the same data.

    The first customers are fixed corners: #0 has no coupons, #1 has no e-mail and no external id,
    #2 holds one coupon of every kind (unlimited, expired, redeemed several times, mixed-case
    code, store-restricted, with custom properties); the last holds more coupons than the v1.1
    default limit of 100 (v1.1-customer-coupons.txt:36), so that default is exercised; the rest are random.
    `list_every_store` names every store on series open to all of them, where the default leaves the
    list empty (sent as the `[-1]` sentinel, D-46). `last_customer_coupons` gives the last customer
    exactly that many instead (a large answer to measure, or a small one to compare it with).
    """
    if customers < 3:
        raise ValueError("the mock dataset needs at least 3 customers to cover its corners")
    rng = random.Random(seed)
    now = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    stores = [Store(75152700 + i, f"store_{i:03d}", name) for i, name in enumerate(["Main Store", "Downtown", "Webstore", "Airport", "Mall"])]
    series = _series(rng, now, stores, list_every_store=list_every_store)
    people = [_customer(rng, i, has_contact=i != 1) for i in range(customers)]
    ids = iter(range(39004100, 39999999))
    redemption_ids = iter(range(4359500, 9999999))
    coupons: list[Coupon] = []

    def issue(customer: Customer, s: Series, *, expired: bool, redeemed: int, mixed_case: bool = False) -> None:
        created = now - timedelta(days=rng.randint(40, 400), seconds=rng.randint(0, 86399))
        valid_till = (now - timedelta(days=rng.randint(1, 30))) if expired else (now + timedelta(days=rng.randint(5, 365)))
        valid_till = valid_till.replace(hour=23, minute=59, second=59)
        coupon = Coupon(
            id=next(ids),
            code=_code(rng, mixed_case=mixed_case),
            series=s,
            customer_id=customer.id,
            created_date=created,
            valid_till=valid_till,
            issued_at=rng.choice(stores),
            issued_by=75155297,
            transaction_number=None if rng.random() < 0.3 else str(rng.randint(10**9, 10**10)),
        )
        allowed = [st for st in stores if s.is_redeemable_at(st)]
        for _ in range(redeemed):
            when = created + timedelta(days=rng.randint(0, 30), seconds=rng.randint(0, 86399))
            coupon.redemptions.append(Redemption(next(redemption_ids), min(when, now), str(rng.randint(10**9, 10**10)), rng.choice(allowed)))
        coupon.redemptions.sort(key=lambda r: r.date)
        coupons.append(coupon)

    unlimited, limited_one, limited_four, restricted, custom = series[0], series[1], series[2], series[3], series[4]
    corner = people[2]
    issue(corner, unlimited, expired=False, redeemed=3)  # unlimited, redeemed several times, active
    issue(corner, limited_one, expired=True, redeemed=0)  # expired, never redeemed
    issue(corner, limited_one, expired=True, redeemed=1)  # expired and redeemed
    issue(corner, limited_four, expired=False, redeemed=0, mixed_case=True)  # mixed-case code
    issue(corner, limited_one, expired=False, redeemed=1)  # used up: no redemptions left
    issue(corner, restricted, expired=False, redeemed=0)  # redeemable at some stores only
    issue(corner, custom, expired=False, redeemed=0)  # carries custom properties
    for person in people[1:2] + people[3:]:
        if person is people[-1] and last_customer_coupons is not None:
            continue
        for _ in range(rng.randint(1, 12)):
            s = rng.choice(series)
            limit = s.max_redemptions_per_coupon
            redeemed = rng.choice([0, 0, 1, 2]) if limit == UNLIMITED else rng.randint(0, limit)
            issue(person, s, expired=rng.random() < 0.35, redeemed=redeemed, mixed_case=rng.random() < 0.3)
    for _ in range(BULK_COUPONS if last_customer_coupons is None else last_customer_coupons):
        issue(people[-1], rng.choice(series[:3]), expired=rng.random() < 0.35, redeemed=rng.choice([0, 0, 1]), mixed_case=rng.random() < 0.3)
    return Dataset(now=now, stores=stores, series=series, customers=people, coupons=coupons)


def _series(rng: random.Random, now: datetime, stores: list[Store], *, list_every_store: bool) -> list[Series]:
    specs = [
        ("Welcome offer", "PERC", 15, UNLIMITED, (), ()),
        ("Spin the wheel", "ABS", 100, 1, (), ()),
        ("Four visits", "ABS", 250, 4, (), ()),
        ("Downtown only", "PERC", 10, 2, (stores[0].id, stores[1].id), ()),
        (
            "Birthday",
            "ABS",
            500,
            1,
            (),
            (("standard_description", "10% off on next purchase"), ("standard_terms_and_conditions", "One per bill"), ("standard_image_1", "")),
        ),
        ("Mobile push", "PERC", 20, 2, (), ()),
    ]
    return [
        Series(
            id=775650 + i,
            description=desc,
            discount_type=kind,
            discount_value=value,
            discount_upto=0 if kind == "ABS" else 1000,
            discount_code=f"SERIES{i}",
            valid_till=(now + timedelta(days=730)).replace(hour=0, minute=0, second=0),
            created_on=now - timedelta(days=500 + i),
            max_redemptions_per_coupon=limit,
            store_ids=store_ids or (tuple(st.id for st in stores) if list_every_store else ()),
            custom_properties=props,
        )
        for i, (desc, kind, value, limit, store_ids, props) in enumerate(specs)
    ]


def _customer(rng: random.Random, index: int, *, has_contact: bool) -> Customer:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    mobile = f"9199{rng.randint(10**7, 10**8 - 1)}"
    return Customer(
        id=565032100 + index,
        mobile=mobile,
        email=f"{first.lower()}.{last.lower()}{index}@example.com" if has_contact else None,
        external_id=f"EXT{index:05d}" if has_contact else None,
        firstname=first,
        lastname=last,
        card_number=f"7000{rng.randint(10**7, 10**8 - 1)}",
        card_external_id=f"CARD-{index:04d}",
    )


def _code(rng: random.Random, *, mixed_case: bool) -> str:
    code = "".join(rng.choices(string.ascii_uppercase + string.digits, k=10))
    if mixed_case:
        code = "".join(ch.lower() if i % 2 else ch for i, ch in enumerate(code))
        if code == code.upper():  # all digits at odd places: force a lower-case letter
            code = "ab" + code[2:]
    return code
