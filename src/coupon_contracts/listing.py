"""A customer's coupons as each operation lists them, read once per run and compared with care.

Property and consistency tests ask the same base questions many times ("all coupons of this
customer"); the answers are cached per run so staging is asked once. `Selection` compares what a
filter returned with what the declared rule says it must return, and explains a mismatch with the
reproducing requests.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from .discovery import KnownCustomer
from .filters import CouponView, coupon_view
from .operations import V2L, V11
from .properties import Undecidable
from .redaction import Redactor
from .target import Exchange, Target

__all__ = ["CouponList", "Listing", "explain", "few", "selection_problems"]

ALL = 1000  # "everything" for lists whose default page may be smaller: one page of a whole list
MOST_PAGES = 60  # of ALL each: a whole list is read up to 60,000 coupons, then it is undecidable


@dataclass
class CouponList:
    """One answer of a list operation: the coupons (raw and normalised) and the pagination."""

    exchange: Exchange  # the first page's, for the reproducing request
    coupons: list[dict[str, Any]]
    views: list[CouponView]
    pagination: dict[str, Any]
    pages: int = 1

    @property
    def keys(self) -> list[str]:
        """Coupon ids in answer order."""
        return [v.key for v in self.views]

    @property
    def total(self) -> int | None:
        """pagination.total as a number, if the target sent one."""
        total = self.pagination.get("total")
        return int(total) if isinstance(total, (int, str)) and str(total).isdigit() else None

    @property
    def is_short(self) -> bool:
        """The answer lists fewer coupons than its own total says there are."""
        return self.total is not None and len(self.coupons) < self.total


@dataclass
class Listing:
    """Reads coupon lists from the target, each distinct question once per run, from any request lane."""

    target: Target
    cache: dict[tuple[Any, ...], Future[CouponList]] = field(default_factory=dict)
    repeated: set[str] = field(default_factory=set)  # operations that took several values only as repeated parameters
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def coupons(self, operation_id: str, customer: KnownCustomer, *, whole: bool = True, **params: Any) -> CouponList:
        """The customer's coupons from a list operation (v1.1 list, v2 list, v2 by-id, v2/coupon by issuedToIds).

        `whole`: a paginated list is asked with a large limit unless the query sets one, and read to
        its end (`Undecidable` when the target will not give it whole); False sends no limit.
        """
        query = {k: v for k, v in params.items() if v is not None}
        key = (operation_id, customer.id, whole, tuple(sorted((k, ",".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v)) for k, v in query.items())))
        with self._lock:  # lanes asking the same question wait for one answer instead of asking twice
            answer = self.cache.get(key)
            asking = answer is None
            if answer is None:
                answer = self.cache[key] = Future()
        if not asking:
            return answer.result()
        try:
            answer.set_result(self._ask(operation_id, customer, query, whole=whole))
        except Exception as exc:
            answer.set_exception(exc)
            with self._lock:
                del self.cache[key]  # not an answer: a later question may ask again
        return answer.result()

    def get(self, operation_id: str, params: dict[str, Any]) -> Exchange:
        """GET with several values of a parameter (a list) comma-separated; where the target refuses that
        with a 4xx, repeated instead, and so from then on: the pages never say which (D-58)."""
        lists = {k: v for k, v in params.items() if isinstance(v, (list, tuple))}
        several = any(len(v) > 1 for v in lists.values())
        if operation_id in self.repeated and several:
            return self.target.get(operation_id, params)
        exchange = self.target.get(operation_id, {**params, **{k: ",".join(map(str, v)) for k, v in lists.items()}})
        if not several or not 400 <= exchange.response.status_code < 500:
            return exchange
        repeated = self.target.get(operation_id, params)
        if 400 <= repeated.response.status_code < 500:
            return exchange  # refused either way: the 4xx is about something else
        self.repeated.add(operation_id)
        return repeated

    def _ask(self, operation_id: str, customer: KnownCustomer, query: dict[str, Any], *, whole: bool) -> CouponList:
        row = self.target.operations[operation_id]
        if row.customer_in_path:
            return self.parse(operation_id, self.target.get(operation_id, query, customer_id=customer.id))
        identifier = customer.v11_identifier() if row.operation_id is V11 else row.by_id(customer.id)
        defaults = {"limit": ALL} if whole and row.pagination_at and "limit" not in query else {}
        exchange = self.get(operation_id, identifier | defaults | query)
        if defaults:
            return self._to_the_end(operation_id, self.parse(operation_id, exchange), identifier | query)
        return self.parse(operation_id, exchange)

    def _to_the_end(self, operation_id: str, first: CouponList, query: dict[str, Any]) -> CouponList:
        """The rest of a list its first page left out: v2 pages on with `offset` (v2-customers-coupons.txt:67);
        the v1.1 list takes no offset (v1.1-customer-coupons.txt:36), so it is asked once more for its total.
        A full page without a total may have more behind it: read on (v2) or give up (v1.1)."""
        whole, last = first, len(first.coupons)
        if last < ALL:
            return first  # a short first page is the whole list, whatever its total counts (all coupons, or the filter's)
        if operation_id == V2L:
            while (whole.is_short or (whole.total is None and last >= ALL)) and whole.pages < MOST_PAGES:
                page = self.parse(operation_id, self.get(operation_id, query | {"limit": ALL, "offset": len(whole.coupons)}))
                last = len(page.coupons)
                if not page.coupons:
                    break
                if set(page.keys) & set(whole.keys):  # the same coupons again: offset is not applied, the rest is out of reach
                    raise Undecidable(
                        f"{operation_id}: the whole list could not be read: offset={len(whole.coupons)} answered coupons of the first page again "
                        f"({len(whole.coupons)} of the {whole.total if whole.total is not None else 'uncounted'} coupons read): a check against it cannot decide"
                    )
                whole = CouponList(first.exchange, whole.coupons + page.coupons, whole.views + page.views, first.pagination, whole.pages + 1)
        elif first.is_short and first.total is not None and first.total <= ALL * MOST_PAGES:
            whole = self.parse(operation_id, self.get(operation_id, query | {"limit": first.total}))
            whole.pages, last = 2, 0
        if whole.is_short or (whole.total is None and last >= ALL):
            counted = f"of the {whole.total} coupons its total counts" if whole.total is not None else f"and no total to say whether a page of {ALL} was the last"
            raise Undecidable(f"{operation_id}: the whole list could not be read ({len(whole.coupons)} {counted}, in {whole.pages} request(s)): a check against it cannot decide")
        return whole

    def parse(self, operation_id: str, exchange: Exchange) -> CouponList:
        """The coupons and pagination of any answer of a list operation, where the contract's table says
        they sit (tolerant of a broken body; an error answer lists none)."""
        try:
            body = exchange.json if exchange.response.status_code == 200 else None
        except ValueError:  # a non-JSON body is the schema tests' finding; here it lists nothing
            body = None
        row = self.target.operations[operation_id]
        coupons = row.coupons_in(body)
        return CouponList(exchange, coupons, [coupon_view(operation_id, c) for c in coupons], row.pagination_in(body))


def few(items: list[str], shown: int = 5) -> str:
    """A few offending items and their count, never hundreds: `7: a, b, c, d, e and 2 more`."""
    more = f" and {len(items) - shown} more" if len(items) > shown else ""
    return f"{len(items)}: {', '.join(items[:shown])}{more}"


def explain(title: str, redactor: Redactor, *exchanges: Exchange, expected: Any = None, observed: Any = None) -> str:
    """A failure message: what was expected and observed, and each request as a redacted curl line."""
    lines = [title]
    lines += [f"  {label}: {value}" for label, value in (("expected", expected), ("observed", observed)) if value is not None]
    lines += [f"  reproduce: {redactor.curl(e.request)}  -> {e.response.status_code}" for e in exchanges]
    return redactor.text("\n".join(lines))


def selection_problems(
    full: CouponList, got: CouponList, selects: Callable[[CouponView, datetime], bool | None], now: datetime
) -> tuple[list[str], list[str]]:
    """(coupons returned that must not be, coupons missing that must be) for a filter's answer."""
    allowed = {v.key: v for v in full.views}
    unexpected = [k for k in got.keys if k not in allowed or selects(allowed[k], now) is False]
    missing = [v.key for v in full.views if selects(v, now) is True and v.key not in set(got.keys)]
    return unexpected, missing
