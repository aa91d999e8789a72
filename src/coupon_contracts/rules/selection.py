"""Rules that select coupons: status, several statuses, the v1.1 partition, series, store and date window.

Each is held both ways (everything returned qualifies, everything that qualifies is returned) against
the unfiltered list, and decides only when the customer has coupons on both sides of the rule, else an
ignored or an empty filter would pass.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from ..filters import FILTERS, CouponFilter, filters_for, in_window, union
from ..listing import CouponList, explain, few, selection_problems
from ..operations import V2L, V11
from ..properties import CheckFailed, NotChecked
from ..redaction import Redactor
from ..strategies import known_customers
from . import FilterRule, RuleContext

BOTH_SIDES = "no test customer has coupons on both sides of the rule (some that qualify and some that do not)"
DEFINED_V2_STATUSES = [r.value for r in filters_for(V2L, "status")]


def check_selection(rule_label: str, full: CouponList, got: CouponList, selects: Any, now: datetime, redactor: Redactor) -> bool:
    """Both directions: all returned qualify, all that qualify are returned; True when the answer decided."""
    unexpected, missing = selection_problems(full, got, selects, now)
    if unexpected or missing:
        problems = ([f"returned but must not be: {few(unexpected)}"] if unexpected else []) + ([f"qualify but missing: {few(missing)}"] if missing else [])
        raise CheckFailed(explain(f"{rule_label}: the filter does not select what the docs say", redactor, full.exchange, got.exchange, observed="; ".join(problems)), [full.exchange, got.exchange])
    answers = [selects(v, now) for v in full.views]
    return True in answers and False in answers


def customers(ctx: RuleContext) -> tuple[Any, ...]:
    """A test customer with coupons: the example of most rules."""
    return (known_customers(ctx.discovery, with_coupons=True),)


def _status(rule: CouponFilter) -> FilterRule:
    def holds(ctx: RuleContext, customer: Any) -> bool:
        full = ctx.listing.coupons(rule.operation_id, customer)
        query: dict[str, Any] = {rule.parameter: rule.value}
        got = ctx.listing.coupons(rule.operation_id, customer, **query)
        return check_selection(rule.label, full, got, rule.selects, ctx.discovery.now, ctx.redactor)

    return FilterRule(f"filters.status.{rule.operation_id}.{rule.value}", rule.operation_id, rule.docs, f"status={rule.value} returns exactly the coupons that qualify",
                      holds, customers, f"{rule.parameter}={rule.value}: {BOTH_SIDES}")  # fmt: skip


def _partition(ctx: RuleContext, customer: Any) -> bool:
    full = ctx.listing.coupons(V11, customer)
    parts = [ctx.listing.coupons(V11, customer, status=s) for s in ("redeemed", "unredeemed")]
    together = sorted(k for part in parts for k in part.keys)
    if together != sorted(full.keys):
        twice = sorted(k for k in set(together) if together.count(k) > 1)
        missing, foreign = sorted(set(full.keys) - set(together)), sorted(set(together) - set(full.keys))
        problems = [f"{label}: {few(keys)}" for label, keys in (("in neither", missing), ("in both", twice), ("not the customer's", foreign)) if keys]
        exchanges = [full.exchange, *(p.exchange for p in parts)]
        raise CheckFailed(explain("v1.1 redeemed + unredeemed != all", ctx.redactor, *exchanges, observed="; ".join(problems)), exchanges)
    return bool(full.keys)


def _combination(ctx: RuleContext, customer: Any, statuses: list[str]) -> bool:
    full = ctx.listing.coupons(V2L, customer)
    got = ctx.listing.coupons(V2L, customer, status=list(statuses))
    rules = [r for r in filters_for(V2L, "status") if r.value in statuses]
    return check_selection(f"{V2L} status={','.join(statuses)}", full, got, union(rules), ctx.discovery.now, ctx.redactor)


def _series(ctx: RuleContext, customer: Any, series_id: Any) -> bool:
    full = ctx.listing.coupons(V11, customer)
    got = ctx.listing.coupons(V11, customer, series_id=series_id)
    return check_selection(f"{V11} series_id={series_id}", full, got, lambda c, now: c.series_id == str(series_id), ctx.discovery.now, ctx.redactor)


def _series_examples(ctx: RuleContext) -> tuple[Any, ...]:
    if not ctx.discovery.series_ids:
        raise NotChecked("no series discovered: the by-id list gave no seriesId")
    return (*customers(ctx), st.sampled_from(ctx.discovery.series_ids))


def _store_codes(ctx: RuleContext) -> dict[Any, str]:
    return {c.store_id: c.store_code for c in ctx.discovery.coupons if c.store_id is not None and c.store_code}


def _store(ctx: RuleContext, customer: Any, store_id: Any) -> bool:
    """Active coupons only; and a coupon whose series lists its stores (by-id redeemAtStore) only there.

    A series whose store list is `[-1]` (an undocumented sentinel, D-46) is not judged. "Store ID" of a
    String parameter may be the store's id or its code (D-30): a store is asked by id, then by code.
    """
    restrictions = {str(c.id): c.redeemable_at for c in ctx.discovery.coupons}
    codes, now = _store_codes(ctx), ctx.discovery.now
    full = ctx.listing.coupons(V11, customer)

    def selects(coupon: Any, now: datetime) -> bool | None:
        if coupon.is_expired(now) is True:
            return False
        allowed = restrictions.get(coupon.key)
        if allowed is not None and store_id not in allowed:
            return False
        return True if allowed is not None and coupon.is_expired(now) is False else None

    got = ctx.listing.coupons(V11, customer, store_id=store_id)
    if any(selection_problems(full, got, selects, now)) and store_id in codes:
        by_code = ctx.listing.coupons(V11, customer, store_id=codes[store_id])
        got = by_code if not any(selection_problems(full, by_code, selects, now)) else got
    return check_selection(f"{V11} store_id={store_id} (or its code)", full, got, selects, now, ctx.redactor)


def _store_examples(ctx: RuleContext) -> tuple[Any, ...]:
    codes = _store_codes(ctx)
    stores = [s for s in ctx.discovery.store_ids if s in codes] or ctx.discovery.store_ids
    if not stores:
        raise NotChecked("no store id discovered (by-id issuedAt.id or series.redeemAtStore)")
    return (*customers(ctx), st.sampled_from(stores))


# (which of the customer's days, days before or after it, days the window spans, which sides are set)
WINDOW_PICKS = st.tuples(st.integers(0, 999), st.integers(-3, 3), st.integers(1, 400), st.sampled_from(["both", "start", "end"]))


def window_around(moments: list[datetime], pick: tuple[int, int, int, str]) -> tuple[Any, Any]:
    """start_date/end_date around one of the customer's own issue and redemption days, one side or both."""
    index, shift, span, shape = pick
    days = sorted({d.date() for d in moments}) or [datetime.now(timezone.utc).date()]
    start = days[index % len(days)] + timedelta(days=shift)
    end = start + timedelta(days=span)
    return (start if shape != "end" else None), (end if shape != "start" else None)


def _midnight(day: Any) -> datetime | None:
    return day and datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def _window(ctx: RuleContext, customer: Any, pick: tuple[int, int, int, str]) -> bool:
    full = ctx.listing.coupons(V11, customer)
    start, end = window_around([m for v in full.views for m in (v.issued, *v.redeemed) if m], pick)
    got = ctx.listing.coupons(V11, customer, start_date=start and start.isoformat(), end_date=end and end.isoformat())
    return check_selection(f"{V11} start_date={start} end_date={end}", full, got, lambda c, now: in_window(c, _midnight(start), _midnight(end)), ctx.discovery.now, ctx.redactor)


V11_STATUS = ("v1.1-customer-coupons.txt:31",)
STATUS_SETS = st.lists(st.sampled_from(DEFINED_V2_STATUSES), min_size=2, max_size=4, unique=True)
RULES: tuple[FilterRule, ...] = (
    *(_status(rule) for rule in FILTERS),
    FilterRule("filters.v11-redeemed-and-unredeemed-make-all", V11, V11_STATUS, "redeemed and unredeemed partition the customer's coupons", _partition, customers, "no v1.1 list with a coupon"),
    FilterRule("filters.v2-status-combination-is-union", V2L, ("v2-customers-coupons.txt:59",), "several statuses return the coupons of any of them",
               _combination, lambda ctx: (*customers(ctx), STATUS_SETS), BOTH_SIDES),
    FilterRule("filters.v11-series", V11, ("v1.1-customer-coupons.txt:32",), "series_id returns exactly that series' coupons", _series, _series_examples, "no test customer has coupons of two series"),
    FilterRule("filters.v11-store", V11, ("v1.1-customer-coupons.txt:33", "v2-customers-customerId-coupons.txt:120"), "store_id returns the active coupons redeemable at that store (series redeemAtStore)",
               _store, _store_examples, "no test customer has both a live coupon redeemable at a store and one that is not (a store-restricted series)"),
    FilterRule("filters.v11-date-window", V11, ("v1.1-customer-coupons.txt:29-30",), "start_date/end_date return the coupons issued or redeemed in the window",
               _window, lambda ctx: (*customers(ctx), WINDOW_PICKS), "no test customer has coupons issued on different days"),
)  # fmt: skip
