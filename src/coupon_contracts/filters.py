"""The documented filter semantics, declared once: which coupons each filter value must select.

Every rule cites the doc line it encodes (`page.txt:LINE`). A rule's predicate answers True/False for a coupon,
or None when the docs leave the answer open for that coupon (a valid_till within a day of now,
where the v1.1 time zone is undocumented, D-07). The property tests are generated from this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from .discovery import parse_instant
from .operations import V2L, V11

__all__ = ["CouponFilter", "CouponView", "FILTERS", "coupon_view", "filters_for", "in_window", "union"]

BOUNDARY = timedelta(days=1)  # v1.1 valid_till has no time zone: a day's margin either side
V2_BOUNDARY = timedelta(minutes=5)  # v2 instants carry an offset: only clock skew is left


@dataclass(frozen=True)
class CouponView:
    """The facts a filter looks at, read from a v1.1 or a v2 coupon object."""

    key: str  # the coupon id (v1.1, v2 lists) as a string
    code: str
    series_id: str | None
    redemption_count: int | None
    valid_till: datetime | None
    valid_till_is_zoned: bool
    issued: datetime | None
    redeemed: tuple[datetime, ...]
    redemptions_left: int | None

    def is_expired(self, now: datetime) -> bool | None:
        """valid_till in the past; None near the boundary or when unknown."""
        if self.valid_till is None:
            return None
        margin = V2_BOUNDARY if self.valid_till_is_zoned else BOUNDARY
        if abs(self.valid_till - now) < margin:
            return None
        return self.valid_till < now

    def is_redeemed(self) -> bool | None:
        """Redeemed at least once; None when the count is missing."""
        return None if self.redemption_count is None else self.redemption_count > 0


def _v11_datetime(value: Any) -> datetime | None:
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
    except (TypeError, ValueError):
        return None


def coupon_view(operation_id: str, coupon: dict[str, Any]) -> CouponView:
    """Normalise a coupon object of `operation_id`'s answer."""
    if operation_id == V11:
        redemptions = (coupon.get("redemptions") or {}).get("redemption") or []
        count = coupon.get("redemption_count")
        return CouponView(
            key=str(coupon.get("id")),
            code=str(coupon.get("code")),
            series_id=str(coupon["series_id"]) if "series_id" in coupon else None,
            redemption_count=count if isinstance(count, int) else None,
            valid_till=_v11_datetime(coupon.get("valid_till")),
            valid_till_is_zoned=False,
            issued=parse_instant(coupon.get("created_date")),
            redeemed=tuple(d for d in (parse_instant(r.get("date")) for r in redemptions if isinstance(r, dict)) if d),
            redemptions_left=None,
        )
    count = coupon.get("redemptionCount")
    left = coupon.get("redemptionsLeft")
    return CouponView(
        key=str(coupon.get("id", coupon.get("couponId"))),
        code=str(coupon.get("code")),
        series_id=str(coupon["seriesId"]) if "seriesId" in coupon else None,
        redemption_count=count if isinstance(count, int) else None,
        valid_till=parse_instant(coupon.get("validTill")),
        valid_till_is_zoned=True,
        issued=parse_instant(coupon.get("createdDate")),
        redeemed=tuple(d for d in (parse_instant(r.get("date")) for r in coupon.get("redemptions") or [] if isinstance(r, dict)) if d),
        redemptions_left=left if isinstance(left, int) else None,
    )


Predicate = Callable[[CouponView, datetime], "bool | None"]


def _both(a: bool | None, b: bool | None) -> bool | None:
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def _not(a: bool | None) -> bool | None:
    return None if a is None else not a


@dataclass(frozen=True)
class CouponFilter:
    """One documented filter value and the coupons it must select."""

    operation_id: str
    parameter: str
    value: str
    selects: Predicate
    docs: tuple[str, ...]

    @property
    def label(self) -> str:
        """`getCustomerCouponsV11 status=redeemed`."""
        return f"{self.operation_id} {self.parameter}={self.value}"



V11_STATUS, V2_STATUS = ("v1.1-customer-coupons.txt:31",), ("v2-customers-coupons.txt:59",)
# REDEEMABLE is listed but never defined (D-34): no rule can say what it selects, so it is observed, not checked.
FILTERS: tuple[CouponFilter, ...] = (
    CouponFilter(V11, "status", "redeemed", lambda c, now: c.is_redeemed(), V11_STATUS),
    CouponFilter(V11, "status", "unredeemed", lambda c, now: _not(c.is_redeemed()), V11_STATUS),
    CouponFilter(V11, "status", "expired", lambda c, now: c.is_expired(now), V11_STATUS),
    CouponFilter(V11, "status", "active", lambda c, now: _not(c.is_expired(now)), V11_STATUS),
    CouponFilter(V2L, "status", "REDEEMED", lambda c, now: c.is_redeemed(), V2_STATUS),
    CouponFilter(V2L, "status", "UNREDEEMED", lambda c, now: _not(c.is_redeemed()), V2_STATUS),
    CouponFilter(V2L, "status", "ACTIVE", lambda c, now: _not(c.is_expired(now)), V2_STATUS),
    CouponFilter(V2L, "status", "EXPIRED", lambda c, now: c.is_expired(now), V2_STATUS),
    CouponFilter(V2L, "status", "ACTIVE_REDEEMED", lambda c, now: _both(_not(c.is_expired(now)), c.is_redeemed()), V2_STATUS),
    CouponFilter(V2L, "status", "ACTIVE_UNREDEEMED", lambda c, now: _both(_not(c.is_expired(now)), _not(c.is_redeemed())), V2_STATUS),
    CouponFilter(V2L, "status", "EXPIRED_REDEEMED", lambda c, now: _both(c.is_expired(now), c.is_redeemed()), V2_STATUS),
    CouponFilter(V2L, "status", "EXPIRED_UNREDEEMED", lambda c, now: _both(c.is_expired(now), _not(c.is_redeemed())), V2_STATUS),
)  # fmt: skip


def filters_for(operation_id: str, parameter: str) -> list[CouponFilter]:
    """The declared rules of one parameter of one operation."""
    return [f for f in FILTERS if f.operation_id == operation_id and f.parameter == parameter]


def union(rules: list[CouponFilter]) -> Predicate:
    """Several values of a multi-valued filter select the union."""

    def selects(coupon: CouponView, now: datetime) -> bool | None:
        answers = [r.selects(coupon, now) for r in rules]
        if any(a is True for a in answers):
            return True
        return None if any(a is None for a in answers) else False

    return selects


def in_window(coupon: CouponView, start: datetime | None, end: datetime | None) -> bool | None:
    """start_date/end_date: issued or redeemed on or after start and before end.

    None when a relevant moment falls on a boundary day: "before" may be read inclusive (D-32).
    """
    moments = [m for m in (coupon.issued, *coupon.redeemed) if m is not None]
    if not moments:
        return None
    day = timedelta(days=1)
    undecided = any((start and abs(m - start) < day) or (end and abs(m - end) < day) for m in moments)
    inside = any((start is None or m >= start) and (end is None or m < end) for m in moments)
    if inside and not undecided:
        return True
    return None if undecided else False
