"""Rules of order and paging: v1.1 order_by x sort_order, its limit and default limit, v2 pages and default order.

Each holds an ordered or paged answer against the same customer's whole list, asked separately.
"""

from __future__ import annotations

from typing import Any, Callable

from hypothesis import strategies as st

from ..listing import explain, few
from ..operations import V2L, V11
from . import FilterRule, RuleContext
from .selection import customers

ORDER_DOCS = ("v1.1-customer-coupons.txt:34-35",)
# created_by is not in the answer: only that asc and desc hold the same coupons can be seen.
ORDER_KEYS: dict[str, Callable[[Any], Any] | None] = {"created_date": lambda v: v.issued, "valid_till": lambda v: v.valid_till, "created_by": None}


def _order(order_by: str) -> FilterRule:
    key = ORDER_KEYS[order_by]

    def holds(ctx: RuleContext, customer: Any) -> bool:
        full = ctx.listing.coupons(V11, customer)
        asc = ctx.listing.coupons(V11, customer, order_by=order_by, sort_order="asc")
        desc = ctx.listing.coupons(V11, customer, order_by=order_by, sort_order="desc")
        where = explain(f"{V11} order_by={order_by}", ctx.redactor, full.exchange, asc.exchange, desc.exchange)
        assert sorted(asc.keys) == sorted(desc.keys) == sorted(full.keys), f"asc, desc and the unordered list hold different coupons\n{where}"
        if key is None:
            return bool(full.keys)
        asc_keys, desc_keys = [key(v) for v in asc.views], [key(v) for v in desc.views]
        if None in asc_keys or None in desc_keys:
            return False  # a malformed date is the schema test's finding
        assert asc_keys == sorted(asc_keys), f"asc is not ascending by {order_by}\n{where}"
        assert desc_keys == sorted(desc_keys, reverse=True), f"desc is not descending by {order_by}\n{where}"
        return len(set(asc_keys)) > 1

    says = f"order_by={order_by} sorts, asc the reverse of desc" if key else f"order_by={order_by} keeps the same coupons, asc and desc (the answer carries no creator to see the order by)"
    return FilterRule(f"filters.v11-order.{order_by}", V11, ORDER_DOCS, says, holds, customers, f"no test customer has two coupons with different {order_by}")


def _limit(ctx: RuleContext, customer: Any, limit: int) -> bool:
    full = ctx.listing.coupons(V11, customer)
    page = ctx.listing.coupons(V11, customer, limit=limit)
    where = explain(f"{V11} limit={limit}", ctx.redactor, full.exchange, page.exchange)
    assert len(page.keys) <= limit, f"{len(page.keys)} coupons for limit={limit}\n{where}"
    assert len(page.keys) == min(limit, len(full.keys)), f"a short page: {len(page.keys)} of {len(full.keys)}\n{where}"
    assert page.total == full.total, f"total {page.total} with limit, {full.total} without\n{where}"
    return limit < len(full.keys)


def _default_limit(ctx: RuleContext, customer: Any) -> bool:
    """The oracle is the whole list asked with a large limit: a separate request."""
    full = ctx.listing.coupons(V11, customer)
    page = ctx.listing.coupons(V11, customer, whole=False)
    expected = min(100, len(full.keys))
    foreign = sorted(set(page.keys) - set(full.keys))
    assert len(page.keys) == expected and not foreign, explain(
        f"{V11} without limit: not the documented default of 100", ctx.redactor, full.exchange, page.exchange,
        expected=f"{expected} of the customer's {len(full.keys)} coupons", observed=f"{len(page.keys)} coupons" + (f", foreign {few(foreign)}" if foreign else ""),
    )
    return len(full.keys) > 100


def _paging(ctx: RuleContext, customer: Any, limit: int, offset: int) -> bool:
    full = ctx.listing.coupons(V2L, customer)
    page = ctx.listing.coupons(V2L, customer, limit=limit, offset=offset)
    where = explain(f"{V2L} limit={limit} offset={offset}", ctx.redactor, full.exchange, page.exchange)
    assert page.keys == full.keys[offset : offset + limit], f"page {few(page.keys)} is not full[{offset}:{offset + limit}]\n{where}"
    assert page.total == full.total == len(full.keys), f"total {page.total} (page), {full.total} (whole), {len(full.keys)} listed\n{where}"
    return offset < len(full.keys) and (offset > 0 or limit < len(full.keys))


def _default_order(ctx: RuleContext, customer: Any) -> bool:
    """The sort key is undocumented (D-33): the default must equal DESC, ASC hold the same coupons.
    Decides only where ASC and DESC differ (ties under an unknown key would otherwise look alike)."""
    default = ctx.listing.coupons(V2L, customer)
    desc = ctx.listing.coupons(V2L, customer, sort_order="DESC")
    asc = ctx.listing.coupons(V2L, customer, sort_order="ASC")
    where = explain(f"{V2L} default order", ctx.redactor, default.exchange, desc.exchange, asc.exchange)
    assert default.keys == desc.keys, f"the default order is not DESC\n{where}"
    assert sorted(asc.keys) == sorted(desc.keys), f"ASC and DESC hold different coupons\n{where}"
    return asc.keys != desc.keys


RULES: tuple[FilterRule, ...] = (
    *(_order(key) for key in ORDER_KEYS),
    FilterRule("filters.v11-limit", V11, ("v1.1-customer-coupons.txt:36", "v1.1-customer-coupons.txt:114"), "limit caps the page; total still counts every match",
               _limit, lambda ctx: (*customers(ctx), st.integers(1, 12)), "no test customer has more coupons than the limits drawn (1-12)"),
    # Every customer, not a draw: the one customer past the default may be the only one that decides.
    FilterRule("filters.v11-default-limit", V11, ("v1.1-customer-coupons.txt:36",), "without limit, 100 coupons when there are more",
               _default_limit, lambda ctx: (), "no test customer has more than 100 coupons, the default limit (add one to COUPON_API_CUSTOMERS)", every_customer=True),
    FilterRule("filters.v2-paging", V2L, ("v2-customers-coupons.txt:65", "v2-customers-coupons.txt:67", "v2-customers-coupons.txt:81"), "limit/offset pages are slices of the whole list",
               _paging, lambda ctx: (*customers(ctx), st.integers(1, 6), st.integers(0, 8)), "no test customer has more coupons than a page"),
    FilterRule("filters.v2-default-order", V2L, ("v2-customers-coupons.txt:63",), "without sort_order the list is in DESC order",
               _default_order, customers, "ASC and DESC came back in the same order for every test customer: the order could not be observed"),
)  # fmt: skip
