"""Seeded, deterministic dataset behind the clean-room coupon APIs.

One underlying set of stores, coupon series, customers, coupons and
redemptions; every endpoint renders from these same objects so a coupon is
described consistently everywhere (see READINGS.md, "Data").

All timestamps are UTC.  Expired coupons expire no later than 2025-06-30 and
active ones no earlier than 2032-03-31, so the active/expired split is stable
for any wall clock between those dates.
"""
from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Optional

UTC = timezone.utc
ORG_ID = 50123            # the org the API user belongs to
FOREIGN_ORG_ID = 50999    # another org: its customer exists but is not ours
REDEMPTION_CUTOFF = datetime(2026, 10, 31, 23, 0, 0, tzinfo=UTC)
END_OF_DAY = time(23, 59, 59, tzinfo=UTC)
ISSUERS = [75100011, 75100027, 75100034, 75100052]   # issuing till/user ids


@dataclass
class Store:
    id: int
    code: str
    name: str


@dataclass
class Series:
    key: str
    id: int
    org_id: int
    description: str
    info: str
    discount_code: str
    discount_type: str          # ABS | PERC
    discount_value: float
    discount_upto: float
    discount_on: str            # BILL | ITEM
    expiry_strategy: str        # SERIES_EXPIRY | DAYS_FROM_CREATION
    valid_till_date: date
    valid_days: int
    per_coupon_max: int         # -1 = unlimited
    per_user_max: int           # -1 = unlimited
    multiple_use: bool
    same_user_multiple: bool
    any_user: bool
    redeem_store_ids: list
    redemption_valid_from: date
    created_on: datetime
    created_by: int
    custom_properties: list
    purpose: str
    window: tuple               # (first, last) date coupons of it were issued
    min_bill: int = 0
    max_bill: int = 0
    campaign_id: int = -1
    series_code: str = ""
    max_create: int = 0
    max_redeem: int = 0
    max_vouchers_per_user: int = 5

    @property
    def cap(self) -> int:
        """Redemptions one coupon of this series allows (-1 = unlimited)."""
        caps = [x for x in (self.per_coupon_max, self.per_user_max) if x != -1]
        if not self.multiple_use:
            caps.append(1)
        return min(caps) if caps else -1


@dataclass
class Redemption:
    id: int
    date: datetime
    transaction_number: str
    store: Store
    customer_id: int


@dataclass
class Coupon:
    id: int
    code: str                   # stored exactly as created (mixed case)
    series: Series
    customer_id: int
    org_id: int
    created: datetime
    active_from: datetime
    valid_till: datetime
    issued_by: int
    issued_at: Store
    transaction_number: Optional[str]
    purpose: str
    redemptions: list = field(default_factory=list)

    @property
    def redemption_count(self) -> int:
        return len(self.redemptions)

    @property
    def redemptions_left(self) -> int:
        cap = self.series.cap
        return -1 if cap == -1 else max(0, cap - self.redemption_count)

    def expired(self, now: datetime) -> bool:
        return now > self.valid_till

    def redeemable_check(self, now: datetime, customer_id: int) -> int:
        """700 if `customer_id` may redeem it now, else a reason code."""
        if self.customer_id != customer_id and not self.series.any_user:
            return 705
        if self.expired(now):
            return 703
        if now < self.active_from:
            return 706
        if self.redemptions_left == 0:
            return 704
        own = sum(1 for r in self.redemptions if r.customer_id == customer_id)
        if own and not self.series.same_user_multiple:
            return 704
        return 700


@dataclass
class Customer:
    id: int
    org_id: int
    firstname: str
    lastname: str
    mobile: str
    email: Optional[str]
    external_id: Optional[str]
    card_number: Optional[str] = None
    card_external_id: Optional[str] = None


STORES = [("cr_flagship", "Flagship Store"), ("cr_downtown", "Downtown Store"),
          ("cr_riverside", "Riverside Store"), ("cr_airport", "Airport Kiosk"),
          ("cr_webstore", "Web Store"), ("cr_mall", "City Mall Store")]

# key, description, info, discount_code, type, value, upto, on, strategy,
# valid_till_date, valid_days, per_coupon, per_user, multi, same_user_multi,
# any_user, restricted store indexes, redemption_valid_from, created_on,
# issue window, custom properties, purpose, org
D = date
SERIES = [
    ("welcome", "Welcome Offer 100", "Flat 100 off on first bill", "NO_VALUE",
     "ABS", 100.0, 0.0, "BILL", "SERIES_EXPIRY", D(2032, 12, 31), 0, 1, -1,
     False, False, False, [], None, D(2021, 1, 5), (D(2021, 2, 1), D(2026, 9, 30)),
     [], "", ORG_ID),
    ("spin", "Spin_The_Wheel", "Spin the wheel - 15 percent", "SPIN15",
     "PERC", 15.0, 500.0, "BILL", "SERIES_EXPIRY", D(2033, 6, 30), 0, -1, -1,
     True, True, False, [], None, D(2021, 3, 10), (D(2021, 4, 1), D(2026, 9, 30)),
     [("standard_description", "15 percent off the basket, capped at 500"),
      ("standard_terms_and_conditions", "One coupon per bill")], "", ORG_ID),
    ("downtown", "Downtown Exclusive 250", "City centre stores only", "DTOWN250",
     "ABS", 250.0, 0.0, "BILL", "SERIES_EXPIRY", D(2032, 3, 31), 0, 2, -1,
     True, True, False, [1, 5], None, D(2022, 2, 1), (D(2022, 2, 15), D(2026, 9, 30)),
     [("standard_description", "Valid at Downtown and City Mall stores")], "", ORG_ID),
    ("summer2023", "Summer Sale 2023", "20 percent on selected items", "NO_VALUE",
     "PERC", 20.0, 300.0, "ITEM", "SERIES_EXPIRY", D(2023, 8, 31), 0, 1, -1,
     False, False, False, [], None, D(2023, 4, 1), (D(2023, 4, 15), D(2023, 8, 20)),
     [], "", ORG_ID),
    ("loyalty", "Loyalty Reward 50", "Tier reward, 180 days", "LOYAL50",
     "ABS", 50.0, 0.0, "BILL", "DAYS_FROM_CREATION", D(2035, 12, 31), 180, -1, 4,
     True, True, False, [], None, D(2020, 12, 1), (D(2021, 1, 1), D(2024, 12, 31)),
     [], "", ORG_ID),
    ("anniv", "Anniversary 10", "Anniversary gift, any member may use", "NO_VALUE",
     "PERC", 10.0, 0.0, "BILL", "DAYS_FROM_CREATION", D(2040, 12, 31), 3650, 3, -1,
     True, True, True, [], None, D(2022, 5, 1), (D(2022, 6, 1), D(2026, 9, 30)),
     [("standard_description", "Share it with family")], "anniversary", ORG_ID),
    ("preview", "Festive Preview 500", "Redeemable from 2032", "FEST500",
     "ABS", 500.0, 0.0, "BILL", "SERIES_EXPIRY", D(2034, 12, 31), 0, 1, -1,
     False, False, False, [], D(2032, 1, 1), D(2025, 12, 1), (D(2026, 1, 5), D(2026, 9, 30)),
     [], "", ORG_ID),
    ("winter2022", "Winter Clearance 2022", "Airport kiosk clearance", "NO_VALUE",
     "ABS", 75.5, 0.0, "BILL", "SERIES_EXPIRY", D(2022, 12, 31), 0, -1, -1,
     True, True, False, [3], None, D(2022, 9, 1), (D(2022, 9, 10), D(2022, 12, 20)),
     [], "", ORG_ID),
    ("partner", "Partner Org Offer", "Another org's series", "NO_VALUE",
     "ABS", 30.0, 0.0, "BILL", "SERIES_EXPIRY", D(2032, 12, 31), 0, 1, -1,
     False, False, False, [], None, D(2022, 1, 1), (D(2022, 1, 10), D(2026, 9, 30)),
     [], "", FOREIGN_ORG_ID),
]

# Every listed customer gets these (series key, redemptions) first, so each of
# them has active/expired x redeemed/unredeemed, restricted, multi-redeemed,
# not-yet-redeemable and any-user coupons.
BASE_TEMPLATE = [("welcome", 0), ("welcome", 1), ("spin", 3), ("summer2023", 0),
                 ("loyalty", 2), ("downtown", 0), ("preview", 0), ("anniv", 0)]
EXTRA_TEMPLATE = [("downtown", 2), ("winter2022", 1), ("loyalty", 4), ("spin", 5)]
RANDOM_KEYS = ["welcome", "welcome", "spin", "spin", "downtown", "summer2023",
               "loyalty", "loyalty", "anniv", "preview", "winter2022"]

FIRST = ["Maya", "Arjun", "Lena", "Tomas", "Priya", "Owen", "Sara", "Kenji", "Ines", "Noah"]
LAST = ["Okafor", "Varga", "Lindqvist", "Moreau", "Iyer", "Brandt", "Costa", "Haddad"]


class Dataset:
    def __init__(self, seed: int = 7):
        self.seed = seed
        rng = random.Random(seed)
        self.stores = [Store(i, c, n) for i, (c, n) in
                       zip(rng.sample(range(70_000_000, 79_999_999), len(STORES)), STORES, strict=True)]
        self.store_by_id = {s.id: s for s in self.stores}
        self._build_series(rng)
        self._build_customers(rng)
        self._build_coupons(rng)
        self._finish_series()

    # -- construction -------------------------------------------------------
    def _build_series(self, rng):
        self.series = {}
        ids = rng.sample(range(20_000, 99_999), len(SERIES))
        for sid, row in zip(ids, SERIES, strict=True):
            (key, desc, info, dcode, dtype, dval, dupto, don, strat, vtd, vdays,
             pcm, pum, multi, sum_, anyu, stores, rvf, con, window, props,
             purpose, org) = row
            created_on = datetime.combine(con, time(7, 12, 9, tzinfo=UTC)) + \
                timedelta(minutes=rng.randint(0, 600))
            self.series[sid] = Series(
                key=key, id=sid, org_id=org, description=desc, info=info,
                discount_code=dcode, discount_type=dtype, discount_value=dval,
                discount_upto=dupto, discount_on=don, expiry_strategy=strat,
                valid_till_date=vtd, valid_days=vdays, per_coupon_max=pcm,
                per_user_max=pum, multiple_use=multi, same_user_multiple=sum_,
                any_user=anyu, redeem_store_ids=[self.stores[i].id for i in stores],
                redemption_valid_from=rvf or con, created_on=created_on,
                created_by=rng.choice(ISSUERS), custom_properties=list(props),
                purpose=purpose, window=window,
                min_bill=rng.choice([0, 100, 250]), max_bill=rng.choice([20000, 50000]),
                campaign_id=rng.choice([-1, rng.randint(10_000, 99_999)]),
                series_code="".join(rng.choice("0123456789ABCDEF") for _ in range(20)),
                max_create=100_000, max_redeem=100_000)
        self.series_by_key = {s.key: s for s in self.series.values()}

    def _build_customers(self, rng):
        cids = rng.sample(range(300_000_000, 399_999_999), 6)
        used_mobiles = set()

        def person(i, cid, org, email=True, ext=True, card=False):
            fn, ln = rng.choice(FIRST), rng.choice(LAST)
            while True:
                mobile = "91" + str(rng.randint(7_000_000_000, 9_999_999_999))
                if mobile not in used_mobiles:
                    used_mobiles.add(mobile)
                    break
            return Customer(
                id=cid, org_id=org, firstname=fn, lastname=ln, mobile=mobile,
                email=f"{fn}.{ln}{i}{rng.randint(10, 99)}@example.com".lower() if email else None,
                external_id=f"EXT{rng.randint(100000, 999999)}{i}" if ext else None,
                card_number=str(rng.randint(10**15, 10**16 - 1)) if card else None,
                card_external_id=f"CARDX-{rng.randint(10000, 99999)}{i}" if card else None)

        self.customers = [
            person(1, cids[0], ORG_ID, card=True),          # big: >100 coupons
            person(2, cids[1], ORG_ID, card=True),
            person(3, cids[2], ORG_ID, ext=False),
            person(4, cids[3], ORG_ID, email=False),
            person(5, cids[4], ORG_ID),                     # zero coupons
            person(6, cids[5], FOREIGN_ORG_ID),             # other org
        ]
        self.big, self.c2, self.c3, self.c4, self.empty, self.foreign = self.customers

    def _build_coupons(self, rng):
        plan = [  # customer, fixed templates, total wanted
            (self.big, BASE_TEMPLATE + EXTRA_TEMPLATE, 130),
            (self.c2, BASE_TEMPLATE + EXTRA_TEMPLATE[:2], 14),
            (self.c3, BASE_TEMPLATE, 10),
            (self.c4, BASE_TEMPLATE, 8),
            (self.foreign, [("partner", 0), ("partner", 1), ("partner", 0)], 3),
        ]
        drafts = []   # (created, event_no, index, customer, series, n_redemptions, event)
        event_no = 0
        for cust, fixed, total in plan:
            events = [[(k, n)] for k, n in fixed]
            count = len(fixed)
            while count < total:
                k = rng.choice(RANDOM_KEYS)
                size = min(rng.choice([1, 1, 1, 1, 1, 2, 3]), total - count)
                cap = self.series_by_key[k].cap
                ev = []
                for _ in range(size):
                    if k == "preview" or rng.random() < 0.55:
                        n = 0
                    else:
                        n = rng.randint(1, cap if cap != -1 else 4)
                    ev.append((k, n))
                events.append(ev)
                count += size
            for ev in events:
                event_no += 1
                s = self.series_by_key[ev[0][0]]
                lo, hi = s.window
                day = lo + timedelta(days=rng.randint(0, (hi - lo).days))
                created = datetime.combine(day, time(0, 0, tzinfo=UTC)) + \
                    timedelta(seconds=rng.randint(8 * 3600, 21 * 3600))
                meta = {"issued_by": rng.choice(ISSUERS), "store": rng.choice(self.stores),
                        "txn": str(rng.randint(10**9, 10**10 - 1)) if rng.random() < 0.65 else None}
                for idx, (k, n) in enumerate(ev):
                    drafts.append((created, event_no, idx, cust, self.series_by_key[k], n, meta))

        drafts.sort(key=lambda d: (d[0], d[1], d[2]))
        seen_codes = set()
        self.coupons = []
        next_id = 412_000_000
        prev_event = None
        redemptions = []
        for i, (created, ev_no, _idx, cust, s, n, meta) in enumerate(drafts):
            next_id += 1 if ev_no == prev_event else rng.randint(2, 40)
            prev_event = ev_no
            code = self._code(rng, i, seen_codes)
            if s.expiry_strategy == "DAYS_FROM_CREATION":
                valid_till = datetime.combine(created.date() + timedelta(days=s.valid_days), END_OF_DAY)
            else:
                valid_till = datetime.combine(s.valid_till_date, END_OF_DAY)
            active_from = max(created, datetime.combine(s.redemption_valid_from, time(0, 0, tzinfo=UTC)))
            c = Coupon(id=next_id, code=code, series=s, customer_id=cust.id, org_id=s.org_id,
                       created=created, active_from=active_from, valid_till=valid_till,
                       issued_by=meta["issued_by"], issued_at=meta["store"],
                       transaction_number=meta["txn"], purpose=s.purpose)
            last = min(valid_till, REDEMPTION_CUTOFF)
            span = int((last - active_from).total_seconds())
            if n and span > 3600:
                allowed = [self.store_by_id[x] for x in s.redeem_store_ids] or self.stores
                for off in sorted(rng.sample(range(3600, span), n)):
                    redemptions.append((c, Redemption(
                        id=0, date=active_from + timedelta(seconds=off),
                        transaction_number=str(rng.randint(10**11, 10**12 - 1)),
                        store=rng.choice(allowed), customer_id=cust.id)))
            self.coupons.append(c)
        rid = 6_100_000
        for c, r in sorted(redemptions, key=lambda cr: (cr[1].date, cr[0].id)):
            rid += rng.randint(1, 9)
            r.id = rid
            c.redemptions.append(r)
        self.coupon_by_id = {c.id: c for c in self.coupons}
        self.coupon_by_code = {c.code.upper(): c for c in self.coupons}

    @staticmethod
    def _code(rng, i, seen):
        alphabet = string.ascii_uppercase + string.digits
        while True:
            raw = "".join(rng.choice(alphabet) for _ in range(rng.choice([8, 10])))
            if not any(ch.isalpha() for ch in raw) or raw in seen:
                continue
            style = i % 4
            if style == 2:
                code = raw.lower()
            elif style == 3:   # mixed: alternate case of letters, keep >=1 of each
                letters = [j for j, ch in enumerate(raw) if ch.isalpha()]
                if len(letters) < 2:
                    continue
                chars = list(raw)
                for n, j in enumerate(letters):
                    chars[j] = chars[j].lower() if n % 2 == 0 else chars[j]
                code = "".join(chars)
            else:
                code = raw
            seen.add(raw)
            return code

    def _finish_series(self):
        for s in self.series.values():
            mine = [c for c in self.coupons if c.series is s]
            s.num_issued = len(mine)
            s.num_redeemed = sum(1 for c in mine if c.redemptions)
            dates = [r.date for c in mine for r in c.redemptions]
            s.last_used = max(dates) if dates else s.created_on
            per_user = {}
            for c in mine:
                per_user[c.customer_id] = per_user.get(c.customer_id, 0) + 1
            s.max_vouchers_per_user = max([5] + list(per_user.values()))

    # -- lookups (org-scoped: the API user only sees ORG_ID) -------------------
    def find_customer(self, fieldname: str, value: str, org: int = ORG_ID) -> Optional[Customer]:
        value = value.strip()
        for c in self.customers:
            if c.org_id != org:
                continue
            if fieldname == "id":
                if value.isdigit() and c.id == int(value):
                    return c
            elif fieldname == "email":
                if c.email and c.email.lower() == value.lower():
                    return c
            elif getattr(c, fieldname) is not None and getattr(c, fieldname) == value:
                return c
        return None

    def customer_any_org(self, cid: int) -> Optional[Customer]:
        return next((c for c in self.customers if c.id == cid), None)

    def coupons_of(self, customer_id: int) -> list:
        return [c for c in self.coupons if c.customer_id == customer_id]

    def visible_coupon_by_code(self, code: str) -> Optional[Coupon]:
        c = self.coupon_by_code.get(code.strip().upper())
        return c if c and c.org_id == ORG_ID else None

    def visible_coupon_by_id(self, cid: int) -> Optional[Coupon]:
        c = self.coupon_by_id.get(cid)
        return c if c and c.org_id == ORG_ID else None

    def visible_series(self, sid: int) -> Optional[Series]:
        s = self.series.get(sid)
        return s if s and s.org_id == ORG_ID else None

    def test_customers(self) -> list:
        return [f"mobile:{self.big.mobile}", f"id:{self.c2.id}",
                f"email:{self.c3.email}", f"external_id:{self.c4.external_id}"]
