"""Rules of codes and their letter case: coupon_code_case on the v2 operations, the v2/coupon selectors
and issuedToIds, and isredeemable's answer per code.

AS_IT_IS is "as it was created": its oracle is another operation's AS_IT_IS answer, never the answer
under test.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import strategies as st

from ..listing import explain, few
from ..operations import RED, V2C, V2ID, V2L
from ..properties import CheckFailed, NotChecked
from ..strategies import coupon_picks, known_customers
from . import FilterRule, RuleContext
from .selection import customers

CODE_CASES = ("default", "UPPER", "LOWER", "AS_IT_IS")
CASE_DOCS: dict[str, tuple[str, ...]] = {V2C: ("v2-coupon.txt:22",), V2L: ("v2-customers-coupons.txt:61",), V2ID: ("v2-customers-customerId-coupons.txt:39",)}
CASES = {"default": str.upper, "UPPER": str.upper, "LOWER": str.lower}
CREATED_CASE_FROM: dict[str, str] = {V2L: V2ID, V2ID: V2L, V2C: V2ID}


def has_letters(code: str) -> bool:
    """A code whose letter case can be seen."""
    return code.upper() != code.lower()


def _code_case(operation_id: str, case: str) -> FilterRule:
    """Every code in the asked case, and the case changes no coupon: the set is held against another
    operation's AS_IT_IS answer (for getCouponsV2, whose answer may hold live coupons only (D-29), a subset
    with every live one)."""

    def holds(ctx: RuleContext, customer: Any) -> bool:
        got = ctx.listing.coupons(operation_id, customer, coupon_code_case=None if case == "default" else case)
        other = ctx.listing.coupons(CREATED_CASE_FROM[operation_id], customer, coupon_code_case="AS_IT_IS")
        created = {v.code.casefold(): v.code for v in other.views}
        returned = {v.code.casefold() for v in got.views}
        live = {v.code.casefold() for v in other.views if v.is_expired(ctx.discovery.now) is False}
        same = (live <= returned <= set(created)) if operation_id == V2C else returned == set(created)
        if not same:
            missing, foreign = sorted(set(created) - returned), sorted(returned - set(created))
            problems = [f"{label}: {few(keys)}" for label, keys in (("missing", missing), ("not the customer's", foreign)) if keys]
            title = f"{operation_id} coupon_code_case={case}: other coupons than {CREATED_CASE_FROM[operation_id]} lists"
            raise CheckFailed(explain(title, ctx.redactor, got.exchange, other.exchange, observed="; ".join(problems)), [got.exchange, other.exchange])
        wrong, seen = [], False
        for code in (v.code for v in got.views):
            wanted = CASES[case](code) if case in CASES else created.get(code.casefold())
            if wanted is None:
                continue
            seen = seen or (has_letters(code) if case in CASES else wanted != wanted.upper())
            if code != wanted:
                wrong.append(f"{code!r} (expected {wanted!r})")
        if wrong:
            raise CheckFailed(explain(f"{operation_id} coupon_code_case={case}: codes in the wrong case", ctx.redactor, got.exchange, other.exchange, observed=few(wrong)), [got.exchange, other.exchange])
        return seen

    unchecked = (
        "no test customer has a coupon code created in lower or mixed case: AS_IT_IS cannot be told from UPPER (add one to COUPON_API_CUSTOMERS)"
        if case == "AS_IT_IS" else "no coupon code with letters was returned"
    )  # fmt: skip
    return FilterRule(f"filters.code-case.{operation_id}.{case}", operation_id, CASE_DOCS[operation_id], f"coupon_code_case={case} letter case of every code", holds, customers, unchecked)


def _codes_of(ctx: RuleContext, exchange: Any) -> set[str]:
    return {str(c.get("code", "")).casefold() for c in ctx.listing.parse(V2C, exchange).coupons}


def _selectors(ctx: RuleContext, picks: tuple[list[Any], list[str]]) -> bool:
    """couponIds and couponCodes (any case) find exactly those coupons. Where the target requires
    issuedToIds (marked `*`, v2-coupon.txt:19; D-04) the selectors are asked beside the owners' ids,
    and both readings of the pair are accepted: the intersection, or the union of what is asked."""
    listing, redactor = ctx.listing, ctx.redactor
    owner = {c.id: customer for customer in ctx.discovery.customers for c in customer.coupons}

    def selected(how: str, values: list[str], picked: list[Any]) -> bool:
        wanted = {c.code.casefold() for c in picked}
        alone = listing.get(V2C, {how: values})
        if not 400 <= alone.response.status_code < 500:
            assert _codes_of(ctx, alone) == wanted, explain(f"{V2C} by {how}", redactor, alone, expected=sorted(wanted), observed=sorted(_codes_of(ctx, alone)))
            return True
        owners = sorted({owner[c.id].id for c in picked})
        paired = listing.get(V2C, {"issuedToIds": owners, how: values})
        theirs = set().union(*(_codes_of(ctx, listing.coupons(V2C, owner[c.id]).exchange) for c in picked))
        got = _codes_of(ctx, paired)
        if got == wanted:  # the intersection
            return theirs != wanted
        assert got == theirs | wanted, explain(f"{V2C} by {how} with issuedToIds", redactor, alone, paired, expected=f"{sorted(wanted)} or all the owners' coupons", observed=sorted(got))
        stranger = next((c for c in ctx.discovery.customers if c.id not in owners), None)
        if stranger is None:
            return False  # the union: the selector is only seen beside a customer who owns none of the picks
        beside = listing.get(V2C, {"issuedToIds": [stranger.id], how: values})
        expected = _codes_of(ctx, listing.coupons(V2C, stranger).exchange) | wanted
        assert _codes_of(ctx, beside) == expected, explain(f"{V2C} by {how} beside another customer", redactor, beside, expected=sorted(expected), observed=sorted(_codes_of(ctx, beside)))
        return True

    picked, asked = picks
    by_ids = selected("couponIds", [str(c.id) for c in picked], picked)
    by_codes = selected("couponCodes", list(asked), picked)
    return by_ids and by_codes


def _picks(ctx: RuleContext) -> tuple[Any, ...]:
    if not ctx.discovery.coupons:
        raise NotChecked("no coupon discovered")
    return (coupon_picks(ctx.discovery.coupons),)


def _by_customer(ctx: RuleContext, customer: Any) -> bool:
    """Only the customer's coupons, and at least every live one: the docs' own examples return 6 coupons
    here and 7 in the v2 list (D-29), so an answer of live coupons only is a reading they allow."""
    exchange = ctx.listing.target.get(V2C, {"issuedToIds": customer.id})
    found = {str(c.get("code", "")).casefold() for c in ctx.listing.parse(V2C, exchange).coupons}
    own = {c.code.casefold() for c in customer.coupons}
    live = {c.code.casefold() for c in customer.coupons if c.is_expired(ctx.discovery.now) is False}
    assert found <= own, explain(f"{V2C} issuedToIds={customer.id}: foreign coupons", ctx.redactor, exchange, observed=few(sorted(found - own)))
    assert live <= found, explain(f"{V2C} issuedToIds={customer.id}: live coupons missing", ctx.redactor, exchange, observed=f"missing {few(sorted(live - found))}")
    return bool(live)


def _items(exchange: Any) -> list[Any]:
    redeemable = ((exchange.json.get("response") or {}).get("coupons") or {}).get("redeemable")
    return [i for i in (redeemable if isinstance(redeemable, list) else [redeemable]) if isinstance(i, dict)]


def _isredeemable(ctx: RuleContext, customer_and_picks: tuple[Any, tuple[list[Any], list[str]]], case: str | None) -> bool:
    """Each code once, in the asked case (AS_IT_IS: as created, or as provided: the page allows both);
    an expired coupon is never redeemable. When a live coupon is redeemable the docs do not say: not judged."""
    customer, (picked, asked) = customer_and_picks
    exchange = ctx.listing.target.get(RED, {**customer.v11_identifier(), "code": ",".join(asked), "coupon_code_case": case})
    items = {str(i.get("code", "")).casefold(): i for i in _items(exchange)}

    def where(title: str, **kw: Any) -> str:
        return explain(f"{RED}: {title}", ctx.redactor, exchange, **kw)

    wanted = sorted(c.code.casefold() for c in picked)
    assert sorted(items) == wanted, where("one answer per code", expected=wanted, observed=sorted(items))
    for coupon, provided in zip(picked, asked, strict=True):
        item = items[coupon.code.casefold()]
        shown = {None: {coupon.code.upper()}, "UPPER": {coupon.code.upper()}, "LOWER": {coupon.code.lower()}, "AS_IT_IS": {coupon.code, provided}}[case]
        assert item.get("code") in shown, where(f"code case {case}", expected=" or ".join(sorted(shown)), observed=item.get("code"))
        if coupon.valid_till is not None and coupon.valid_till < ctx.discovery.now - timedelta(minutes=5):
            assert item.get("is_redeemable") == "false", where(f"expired coupon {coupon.id} said redeemable", observed=item.get("is_redeemable"))
    return True


def _customer_picks(ctx: RuleContext) -> tuple[Any, ...]:
    with_picks = known_customers(ctx.discovery, with_coupons=True).flatmap(lambda c: st.tuples(st.just(c), coupon_picks(c.coupons)))
    return (with_picks, st.sampled_from([None, "UPPER", "LOWER", "AS_IT_IS"]))


RULES: tuple[FilterRule, ...] = (
    *(_code_case(op, case) for op in (V2L, V2ID, V2C) for case in CODE_CASES),
    FilterRule("filters.v2-coupon-selectors", V2C, ("v2-coupon.txt:20-21",), "couponIds and couponCodes find exactly those coupons, codes in any case",
               _selectors, _picks, "the selectors could not be told apart from issuedToIds (a single test customer)"),
    FilterRule("filters.v2-coupon-by-customer", V2C, ("v2-coupon.txt:19",), "issuedToIds returns that customer's coupons", _by_customer, customers, "no test customer has a live coupon"),
    FilterRule("filters.isredeemable-codes", RED, ("v1.1-coupon-isredeemable.txt:26-27", "v1.1-coupon-isredeemable.txt:33", "v1.1-customer-coupons.txt:134", "v2-customers-customerId-coupons.txt:52"),
               "one answer per code, in the asked case; a coupon past its expiry never redeemable", _isredeemable, _customer_picks, "no coupon discovered"),
)  # fmt: skip
