"""Property tests of every documented filter, order, page and letter-case parameter.

Metamorphic: each property compares the target's answer with an independent request (the
filtered answer against the unfiltered one, a page against the whole list, one operation against
another), so it needs no knowledge of the data beyond discovery. Each returns whether the example
decided anything; a check that decided nothing on any example is "not checked", never passed. The
status rules come from one declared table, coupon_contracts.filters.FILTERS; every check's doc
lines are in coupon_contracts.checks.CHECKS.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import strategies as st

from coupon_contracts.checks import CODE_CASES
from coupon_contracts.filters import FILTERS, CouponFilter, filters_for, in_window, union
from coupon_contracts.listing import Listing, explain, few, selection_problems
from coupon_contracts.operations import RED, V2C, V2ID, V2L, V11
from coupon_contracts.properties import CheckFailed, NotChecked, check_examples, examples_of
from coupon_contracts.strategies import coupon_picks, known_customers

DEFINED_V2_STATUSES = [r.value for r in filters_for(V2L, "status")]


def check(check_id: str):
    """The catalog entry a test holds (coupon_contracts.checks)."""
    return pytest.mark.check(check_id)


@pytest.fixture(scope="module")
def listing(target) -> Listing:
    return Listing(target)


@pytest.fixture
def run_property(suite_settings, discovery, lanes):
    """Check a property on the examples Hypothesis draws for the profile and seed, side by side."""
    if not discovery.with_listed_coupons:
        raise NotChecked("no test customer has coupons on any list operation: filters cannot be observed (add one to COUPON_API_CUSTOMERS)")

    def run(prop, *strategies, unchecked: str):
        check_examples(prop, examples_of(strategies, profile=suite_settings.profile, run_seed=suite_settings.seed), lanes, unchecked=unchecked)

    return run


def check_selection(rule_label, full, got, selects, now, redactor) -> bool:
    """Both directions: all returned qualify, all that qualify are returned. Decides only when the customer
    has coupons on both sides of the rule (else an ignored or an empty filter would pass)."""
    unexpected, missing = selection_problems(full, got, selects, now)
    if unexpected or missing:
        problems = ([f"returned but must not be: {few(unexpected)}"] if unexpected else []) + ([f"qualify but missing: {few(missing)}"] if missing else [])
        raise CheckFailed(explain(f"{rule_label}: the filter does not select what the docs say", redactor, full.exchange, got.exchange, observed="; ".join(problems)), [full.exchange, got.exchange])
    answers = [selects(v, now) for v in full.views]
    return True in answers and False in answers


BOTH_SIDES = "no test customer has coupons on both sides of the rule (some that qualify and some that do not)"


@pytest.mark.parametrize(
    "rule", [pytest.param(r, marks=check(f"filters.status.{r.operation_id}.{r.value}"), id=f"{r.operation_id}-{r.parameter}={r.value}") for r in FILTERS]
)
def test_status_filter_selects_exactly_the_documented_coupons(rule: CouponFilter, listing, discovery, run_property, redactor) -> None:
    def prop(customer):
        full = listing.coupons(rule.operation_id, customer)
        got = listing.coupons(rule.operation_id, customer, **{rule.parameter: rule.value})
        return check_selection(rule.label, full, got, rule.selects, discovery.now, redactor)

    run_property(prop, known_customers(discovery, with_coupons=True), unchecked=f"{rule.parameter}={rule.value}: {BOTH_SIDES}")


@check("filters.v11-redeemed-and-unredeemed-make-all")
def test_v11_redeemed_and_unredeemed_make_all(listing, discovery, run_property, redactor) -> None:
    def prop(customer):
        full = listing.coupons(V11, customer)
        parts = [listing.coupons(V11, customer, status=s) for s in ("redeemed", "unredeemed")]
        together = sorted(k for part in parts for k in part.keys)
        if together != sorted(full.keys):
            twice = sorted(k for k in set(together) if together.count(k) > 1)
            missing, foreign = sorted(set(full.keys) - set(together)), sorted(set(together) - set(full.keys))
            problems = [f"{label}: {few(keys)}" for label, keys in (("in neither", missing), ("in both", twice), ("not the customer's", foreign)) if keys]
            raise CheckFailed(explain("v1.1 redeemed + unredeemed != all", redactor, full.exchange, *(p.exchange for p in parts), observed="; ".join(problems)), [full.exchange, *(p.exchange for p in parts)])
        return bool(full.keys)

    run_property(prop, known_customers(discovery, with_coupons=True), unchecked="no v1.1 list with a coupon")


@check("filters.v2-status-combination-is-union")
def test_v2_status_combination_is_the_union(listing, discovery, run_property, redactor) -> None:
    def prop(customer, statuses):
        full = listing.coupons(V2L, customer)
        got = listing.coupons(V2L, customer, status=list(statuses))
        rules = [r for r in filters_for(V2L, "status") if r.value in statuses]
        return check_selection(f"{V2L} status={','.join(statuses)}", full, got, union(rules), discovery.now, redactor)

    statuses = st.lists(st.sampled_from(DEFINED_V2_STATUSES), min_size=2, max_size=4, unique=True)
    run_property(prop, known_customers(discovery, with_coupons=True), statuses, unchecked=BOTH_SIDES)


@check("filters.v11-series")
def test_v11_series_filter_keeps_that_series_only(listing, discovery, run_property, redactor) -> None:
    def prop(customer, series_id):
        full = listing.coupons(V11, customer)
        got = listing.coupons(V11, customer, series_id=series_id)
        return check_selection(f"{V11} series_id={series_id}", full, got, lambda c, now: c.series_id == str(series_id), discovery.now, redactor)

    if not discovery.series_ids:
        raise NotChecked("no series discovered: the by-id list gave no seriesId")
    run_property(prop, known_customers(discovery, with_coupons=True), st.sampled_from(discovery.series_ids), unchecked="no test customer has coupons of two series")


@check("filters.v11-store")
def test_v11_store_filter_returns_active_coupons_redeemable_there(listing, discovery, run_property, redactor) -> None:
    """Active coupons only; and a coupon whose series lists its stores (by-id redeemAtStore) only there.

    A series whose store list is `[-1]` (an undocumented sentinel, D-46) is not judged. "Store ID" of a
    String parameter may be the store's id or its code (D-30): a store is asked by id, then by code.
    """
    codes = {c.store_id: c.store_code for c in discovery.coupons if c.store_id is not None and c.store_code}
    stores = [s for s in discovery.store_ids if s in codes] or discovery.store_ids
    if not stores:
        raise NotChecked("no store id discovered (by-id issuedAt.id or series.redeemAtStore)")
    restrictions = {str(c.id): c.redeemable_at for c in discovery.coupons}

    def prop(customer, store_id):
        full = listing.coupons(V11, customer)

        def selects(coupon, now):
            if coupon.is_expired(now) is True:
                return False
            allowed = restrictions.get(coupon.key)
            if allowed is not None and store_id not in allowed:
                return False
            return True if allowed is not None and coupon.is_expired(now) is False else None

        got = listing.coupons(V11, customer, store_id=store_id)
        if any(selection_problems(full, got, selects, discovery.now)) and store_id in codes:
            by_code = listing.coupons(V11, customer, store_id=codes[store_id])
            got = by_code if not any(selection_problems(full, by_code, selects, discovery.now)) else got
        return check_selection(f"{V11} store_id={store_id} (or its code)", full, got, selects, discovery.now, redactor)

    unchecked = "no test customer has both a live coupon redeemable at a store and one that is not (a store-restricted series)"
    run_property(prop, known_customers(discovery, with_coupons=True), st.sampled_from(stores), unchecked=unchecked)


# (which of the customer's days, days before or after it, days the window spans, which sides are set)
WINDOW_PICKS = st.tuples(st.integers(0, 999), st.integers(-3, 3), st.integers(1, 400), st.sampled_from(["both", "start", "end"]))


def window_around(moments, pick):
    """start_date/end_date around one of the customer's own issue and redemption days, one side or both."""
    index, shift, span, shape = pick
    days = sorted({d.date() for d in moments}) or [datetime.now(timezone.utc).date()]
    start = days[index % len(days)] + timedelta(days=shift)
    end = start + timedelta(days=span)
    return (start if shape != "end" else None), (end if shape != "start" else None)


@check("filters.v11-date-window")
def test_v11_date_window_keeps_coupons_issued_or_redeemed_in_it(listing, discovery, run_property, redactor) -> None:
    def prop(customer, pick):
        full = listing.coupons(V11, customer)
        start, end = window_around([m for v in full.views for m in (v.issued, *v.redeemed) if m], pick)
        got = listing.coupons(V11, customer, start_date=start and start.isoformat(), end_date=end and end.isoformat())
        as_dt = lambda d: d and datetime(d.year, d.month, d.day, tzinfo=timezone.utc)  # noqa: E731
        return check_selection(f"{V11} start_date={start} end_date={end}", full, got, lambda c, now: in_window(c, as_dt(start), as_dt(end)), discovery.now, redactor)

    run_property(prop, known_customers(discovery, with_coupons=True), WINDOW_PICKS, unchecked="no test customer has coupons issued on different days")


ORDER_KEYS = {"created_date": lambda v: v.issued, "valid_till": lambda v: v.valid_till, "created_by": None}


@pytest.mark.parametrize("order_by", [pytest.param(k, marks=check(f"filters.v11-order.{k}")) for k in ORDER_KEYS])
def test_v11_order_is_monotone_and_asc_reverses_desc(order_by, listing, discovery, run_property, redactor) -> None:
    key = ORDER_KEYS[order_by]

    def prop(customer):
        full = listing.coupons(V11, customer)
        asc = listing.coupons(V11, customer, order_by=order_by, sort_order="asc")
        desc = listing.coupons(V11, customer, order_by=order_by, sort_order="desc")
        where = explain(f"{V11} order_by={order_by}", redactor, full.exchange, asc.exchange, desc.exchange)
        assert sorted(asc.keys) == sorted(desc.keys) == sorted(full.keys), f"asc, desc and the unordered list hold different coupons\n{where}"
        if key is None:
            return bool(full.keys)  # created_by is not in the answer: only the set can be checked
        asc_keys, desc_keys = [key(v) for v in asc.views], [key(v) for v in desc.views]
        if None in asc_keys or None in desc_keys:
            return False  # a malformed date is the schema test's finding
        assert asc_keys == sorted(asc_keys), f"asc is not ascending by {order_by}\n{where}"
        assert desc_keys == sorted(desc_keys, reverse=True), f"desc is not descending by {order_by}\n{where}"
        return len(set(asc_keys)) > 1

    run_property(prop, known_customers(discovery, with_coupons=True), unchecked=f"no test customer has two coupons with different {order_by}")


@check("filters.v11-limit")
def test_v11_limit_caps_the_page_and_leaves_total_alone(listing, discovery, run_property, redactor) -> None:
    def prop(customer, limit):
        full = listing.coupons(V11, customer)
        page = listing.coupons(V11, customer, limit=limit)
        where = explain(f"{V11} limit={limit}", redactor, full.exchange, page.exchange)
        assert len(page.keys) <= limit, f"{len(page.keys)} coupons for limit={limit}\n{where}"
        assert len(page.keys) == min(limit, len(full.keys)), f"a short page: {len(page.keys)} of {len(full.keys)}\n{where}"
        assert page.total == full.total, f"total {page.total} with limit, {full.total} without\n{where}"
        return limit < len(full.keys)

    run_property(prop, known_customers(discovery, with_coupons=True), st.integers(1, 12), unchecked="no test customer has more coupons than the limits drawn (1-12)")


@check("filters.v11-default-limit")
def test_v11_default_limit_is_100(listing, discovery, lanes, redactor) -> None:
    """The oracle is the whole list asked with a large limit: a separate request."""

    def prop(customer):
        full = listing.coupons(V11, customer)
        page = listing.coupons(V11, customer, whole=False)
        expected = min(100, len(full.keys))
        foreign = sorted(set(page.keys) - set(full.keys))
        assert len(page.keys) == expected and not foreign, explain(
            f"{V11} without limit: not the documented default of 100", redactor, full.exchange, page.exchange,
            expected=f"{expected} of the customer's {len(full.keys)} coupons", observed=f"{len(page.keys)} coupons" + (f", foreign {few(foreign)}" if foreign else ""),
        )
        return len(full.keys) > 100

    # Every customer, not a draw: the one customer past the default may be the only one that decides.
    if not discovery.with_listed_coupons:
        raise NotChecked("no test customer has coupons on any list operation: filters cannot be observed (add one to COUPON_API_CUSTOMERS)")
    check_examples(prop, [(c,) for c in discovery.with_listed_coupons], lanes, unchecked="no test customer has more than 100 coupons, the default limit (add one to COUPON_API_CUSTOMERS)")


@check("filters.v2-paging")
def test_v2_pages_are_slices_of_the_whole_list(listing, discovery, run_property, redactor) -> None:
    def prop(customer, limit, offset):
        full = listing.coupons(V2L, customer)
        page = listing.coupons(V2L, customer, limit=limit, offset=offset)
        where = explain(f"{V2L} limit={limit} offset={offset}", redactor, full.exchange, page.exchange)
        assert page.keys == full.keys[offset : offset + limit], f"page {few(page.keys)} is not full[{offset}:{offset + limit}]\n{where}"
        assert page.total == full.total == len(full.keys), f"total {page.total} (page), {full.total} (whole), {len(full.keys)} listed\n{where}"
        return offset < len(full.keys) and (offset > 0 or limit < len(full.keys))

    run_property(prop, known_customers(discovery, with_coupons=True), st.integers(1, 6), st.integers(0, 8), unchecked="no test customer has more coupons than a page")


@check("filters.v2-default-order")
def test_v2_default_order_is_descending(listing, discovery, run_property, redactor) -> None:
    """The sort key is undocumented (D-33): the default must equal DESC, ASC hold the same coupons.
    Decides only where ASC and DESC differ (ties under an unknown key would otherwise look alike)."""

    def prop(customer):
        default = listing.coupons(V2L, customer)
        desc = listing.coupons(V2L, customer, sort_order="DESC")
        asc = listing.coupons(V2L, customer, sort_order="ASC")
        where = explain(f"{V2L} default order", redactor, default.exchange, desc.exchange, asc.exchange)
        assert default.keys == desc.keys, f"the default order is not DESC\n{where}"
        assert sorted(asc.keys) == sorted(desc.keys), f"ASC and DESC hold different coupons\n{where}"
        return asc.keys != desc.keys

    run_property(prop, known_customers(discovery, with_coupons=True), unchecked="ASC and DESC came back in the same order for every test customer: the order could not be observed")


CASES = {"default": str.upper, "UPPER": str.upper, "LOWER": str.lower}
# AS_IT_IS is "as it was created": the oracle is another operation's AS_IT_IS answer, never the answer under test.
CREATED_CASE_FROM = {V2L: V2ID, V2ID: V2L, V2C: V2ID}


def has_letters(code: str) -> bool:
    """A code whose letter case can be seen."""
    return code.upper() != code.lower()


@pytest.mark.parametrize(
    ("operation_id", "case"),
    [pytest.param(op, case, marks=check(f"filters.code-case.{op}.{case}"), id=f"{op}-{case}") for op in (V2L, V2ID, V2C) for case in CODE_CASES],
)
def test_coupon_code_case_is_applied(operation_id, case, listing, discovery, run_property, redactor) -> None:
    """Every code in the asked case, and the case changes no coupon: the set is held against another
    operation's AS_IT_IS answer (for getCouponsV2, whose answer may hold live coupons only (D-29), a subset
    with every live one)."""

    def prop(customer):
        got = listing.coupons(operation_id, customer, coupon_code_case=None if case == "default" else case)
        other = listing.coupons(CREATED_CASE_FROM[operation_id], customer, coupon_code_case="AS_IT_IS")
        created = {v.code.casefold(): v.code for v in other.views}
        returned = {v.code.casefold() for v in got.views}
        live = {v.code.casefold() for v in other.views if v.is_expired(discovery.now) is False}
        same = (live <= returned <= set(created)) if operation_id == V2C else returned == set(created)
        if not same:
            missing, foreign = sorted(set(created) - returned), sorted(returned - set(created))
            problems = [f"{label}: {few(keys)}" for label, keys in (("missing", missing), ("not the customer's", foreign)) if keys]
            raise CheckFailed(explain(f"{operation_id} coupon_code_case={case}: other coupons than {CREATED_CASE_FROM[operation_id]} lists", redactor, got.exchange, other.exchange, observed="; ".join(problems)), [got.exchange, other.exchange])
        wrong, seen = [], False
        for code in (v.code for v in got.views):
            wanted = CASES[case](code) if case in CASES else created.get(code.casefold())
            if wanted is None:
                continue
            seen = seen or (has_letters(code) if case in CASES else wanted != wanted.upper())
            if code != wanted:
                wrong.append(f"{code!r} (expected {wanted!r})")
        if wrong:
            raise CheckFailed(explain(f"{operation_id} coupon_code_case={case}: codes in the wrong case", redactor, got.exchange, other.exchange, observed=few(wrong)), [got.exchange, other.exchange])
        return seen

    unchecked = (
        "no test customer has a coupon code created in lower or mixed case: AS_IT_IS cannot be told from UPPER (add one to COUPON_API_CUSTOMERS)"
        if case == "AS_IT_IS" else "no coupon code with letters was returned"
    )  # fmt: skip
    run_property(prop, known_customers(discovery, with_coupons=True), unchecked=unchecked)


def _codes_of(listing, exchange) -> set[str]:
    return {str(c.get("code", "")).casefold() for c in listing.parse(V2C, exchange).coupons}


@check("filters.v2-coupon-selectors")
def test_v2_coupon_selectors_find_exactly_those_coupons(listing, discovery, run_property, redactor) -> None:
    """couponIds and couponCodes (any case) find exactly those coupons. Where the target requires
    issuedToIds (marked `*`, v2-coupon.txt:19; D-04) the selectors are asked beside the owners' ids,
    and both readings of the pair are accepted: the intersection, or the union of what is asked."""
    owner = {c.id: customer for customer in discovery.customers for c in customer.coupons}

    def selected(how, values, picked) -> bool:
        wanted = {c.code.casefold() for c in picked}
        alone = listing.get(V2C, {how: values})
        if not 400 <= alone.response.status_code < 500:
            assert _codes_of(listing, alone) == wanted, explain(f"{V2C} by {how}", redactor, alone, expected=sorted(wanted), observed=sorted(_codes_of(listing, alone)))
            return True
        owners = sorted({owner[c.id].id for c in picked})
        paired = listing.get(V2C, {"issuedToIds": owners, how: values})
        theirs = set().union(*(_codes_of(listing, listing.coupons(V2C, owner[c.id]).exchange) for c in picked))
        got = _codes_of(listing, paired)
        if got == wanted:  # the intersection
            return theirs != wanted
        assert got == theirs | wanted, explain(f"{V2C} by {how} with issuedToIds", redactor, alone, paired, expected=f"{sorted(wanted)} or all the owners' coupons", observed=sorted(got))
        stranger = next((c for c in discovery.customers if c.id not in owners), None)
        if stranger is None:
            return False  # the union: the selector is only seen beside a customer who owns none of the picks
        beside = listing.get(V2C, {"issuedToIds": [stranger.id], how: values})
        expected = _codes_of(listing, listing.coupons(V2C, stranger).exchange) | wanted
        assert _codes_of(listing, beside) == expected, explain(f"{V2C} by {how} beside another customer", redactor, beside, expected=sorted(expected), observed=sorted(_codes_of(listing, beside)))
        return True

    def prop(picks):
        picked, asked = picks
        by_ids = selected("couponIds", [str(c.id) for c in picked], picked)
        by_codes = selected("couponCodes", list(asked), picked)
        return by_ids and by_codes

    if not discovery.coupons:
        raise NotChecked("no coupon discovered")
    run_property(prop, coupon_picks(discovery.coupons), unchecked="the selectors could not be told apart from issuedToIds (a single test customer)")


@check("filters.v2-coupon-by-customer")
def test_v2_coupon_by_customer_returns_only_that_customers_coupons(listing, discovery, run_property, redactor) -> None:
    """Only the customer's coupons, and at least every live one: the docs' own examples return 6 coupons
    here and 7 in the v2 list (D-29), so an answer of live coupons only is a reading they allow."""

    def prop(customer):
        exchange = listing.target.get(V2C, {"issuedToIds": customer.id})
        found = {str(c.get("code", "")).casefold() for c in listing.parse(V2C, exchange).coupons}
        own = {c.code.casefold() for c in customer.coupons}
        live = {c.code.casefold() for c in customer.coupons if c.is_expired(discovery.now) is False}
        assert found <= own, explain(f"{V2C} issuedToIds={customer.id}: foreign coupons", redactor, exchange, observed=few(sorted(found - own)))
        assert live <= found, explain(f"{V2C} issuedToIds={customer.id}: live coupons missing", redactor, exchange, observed=f"missing {few(sorted(live - found))}")
        return bool(live)

    run_property(prop, known_customers(discovery, with_coupons=True), unchecked="no test customer has a live coupon")


def _items(exchange) -> list:
    redeemable = ((exchange.json.get("response") or {}).get("coupons") or {}).get("redeemable")
    return [i for i in (redeemable if isinstance(redeemable, list) else [redeemable]) if isinstance(i, dict)]


@check("filters.isredeemable-codes")
def test_isredeemable_answers_each_code_in_the_asked_case(listing, discovery, run_property, redactor) -> None:
    """Each code once, in the asked case (AS_IT_IS: as created, or as provided: the page allows both);
    an expired coupon is never redeemable. When a live coupon is redeemable the docs do not say: not judged."""
    now = discovery.now

    def prop(customer_and_picks, case):
        customer, (picked, asked) = customer_and_picks
        exchange = listing.target.get(RED, {**customer.v11_identifier(), "code": ",".join(asked), "coupon_code_case": case})
        items = {str(i.get("code", "")).casefold(): i for i in _items(exchange)}
        where = lambda title, **kw: explain(f"{RED}: {title}", redactor, exchange, **kw)  # noqa: E731
        wanted = sorted(c.code.casefold() for c in picked)
        assert sorted(items) == wanted, where("one answer per code", expected=wanted, observed=sorted(items))
        for coupon, provided in zip(picked, asked, strict=True):
            item = items[coupon.code.casefold()]
            shown = {None: {coupon.code.upper()}, "UPPER": {coupon.code.upper()}, "LOWER": {coupon.code.lower()}, "AS_IT_IS": {coupon.code, provided}}[case]
            assert item.get("code") in shown, where(f"code case {case}", expected=" or ".join(sorted(shown)), observed=item.get("code"))
            if coupon.valid_till is not None and coupon.valid_till < now - timedelta(minutes=5):
                assert item.get("is_redeemable") == "false", where(f"expired coupon {coupon.id} said redeemable", observed=item.get("is_redeemable"))
        return True

    with_picks = known_customers(discovery, with_coupons=True).flatmap(lambda c: st.tuples(st.just(c), coupon_picks(c.coupons)))
    run_property(prop, with_picks, st.sampled_from([None, "UPPER", "LOWER", "AS_IT_IS"]), unchecked="no coupon discovered")
