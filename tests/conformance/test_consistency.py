"""Cross-endpoint consistency: the list operations agree on each customer's coupons and their facts.

v1.1 list, v2 list and v2 by-id must hold the same coupons; for every coupon they share, with
v2/coupon too, code, series, validity, discount, redemption count and redemptions left agree, and
isredeemable agrees with them. v2/coupon's coupon set is compared as a subset only (D-29).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from coupon_contracts.filters import coupon_view
from coupon_contracts.listing import Listing, explain, few
from coupon_contracts.operations import RED, V2C, V2ID, V2L, V11
from coupon_contracts.properties import CheckFailed, NotChecked, check_examples


@pytest.fixture(scope="module")
def listing(target) -> Listing:
    return Listing(target)


NO_COUPONS = "no test customer has coupons on any list operation: nothing to compare (add one to COUPON_API_CUSTOMERS)"


def _customers(discovery, *, by_id: bool = False):
    """Customers with coupons on any list (by-id alone, when the check needs its coupons): a list that
    wrongly says "no coupons" must not hide a customer from the comparison."""
    pool = discovery.with_coupons if by_id else discovery.with_listed_coupons
    if not pool:
        raise NotChecked(NO_COUPONS)
    return [(customer,) for customer in pool]


def _by_code(answer) -> dict[str, dict]:
    return {str(c.get("code", "")).casefold(): c for c in answer.coupons}


def _same_instant_up_to_a_zone(v11_valid_till, v2_valid_till) -> bool:
    """v1.1 valid_till has no zone (D-07): equal, or off by a whole zone offset within 14 hours."""
    if v11_valid_till is None or v2_valid_till is None:
        return True  # a malformed date is the schema test's finding
    delta = abs(v11_valid_till - v2_valid_till)
    return delta <= timedelta(hours=14) and delta.total_seconds() % 900 == 0


def _printed_day(coupon: dict, field: str) -> str | None:
    value = coupon.get(field)
    return value[:10] if isinstance(value, str) else None


def _same_validity(*coupons: tuple[dict, str]) -> bool:
    """The same instant, or the same printed day: "the expiry time displayed here can be different"
    (v2-coupon.txt:30, D-38), and the pages print 00:00:00 on one operation, 23:59:59 on another."""
    days = {_printed_day(c, f) for c, f in coupons} - {None}
    return len(days) <= 1


def _discount(coupon: dict, operation_id: str):
    """by-id types discountValue Integer and gives the exact value as discountValueAsDouble
    (v2-customers-customerId-coupons.txt:67-68); the other operations print a decimal."""
    if operation_id == V2ID and isinstance(coupon.get("discountValueAsDouble"), (int, float)):
        return float(coupon["discountValueAsDouble"])
    value = coupon.get("discountValue")
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


@pytest.mark.check("consistency.same-coupons")
def test_list_operations_hold_the_same_coupons(listing, discovery, redactor, lanes) -> None:
    def check(customer):
        answers = {op: listing.coupons(op, customer, coupon_code_case="AS_IT_IS") for op in (V11, V2L, V2ID)}
        sets = {op: sorted(_by_code(a)) for op, a in answers.items()}
        assert sets[V11] == sets[V2L] == sets[V2ID], explain(
            f"customer {customer.id}: the list operations disagree on which coupons exist",
            redactor,
            *(a.exchange for a in answers.values()),
            observed={op: len(codes) for op, codes in sets.items()},
        )
        return bool(sets[V11])

    check_examples(check, _customers(discovery), lanes, unchecked=NO_COUPONS)


@pytest.mark.check("consistency.same-facts")
def test_shared_coupons_have_the_same_facts(listing, discovery, redactor, lanes) -> None:
    def check(customer):
        answers = {op: listing.coupons(op, customer, coupon_code_case="AS_IT_IS") for op in (V11, V2L, V2ID, V2C)}
        v11, v2, by_id, lookup = (_by_code(answers[op]) for op in (V11, V2L, V2ID, V2C))
        exchanges = [answer.exchange for answer in answers.values()]
        problems = []
        shared = sorted(set(v11) & set(v2) & set(by_id))
        for code in shared:
            a, b, c = coupon_view(V11, v11[code]), coupon_view(V2L, v2[code]), coupon_view(V2ID, by_id[code])
            d = lookup.get(code)
            if not (a.key == b.key == c.key):
                problems.append(f"{code}: id {a.key} / {b.key} / {c.key}")
            series = {a.series_id, b.series_id, c.series_id} | ({coupon_view(V2C, d).series_id} if d else set())
            if len(series) > 1:
                problems.append(f"{code}: series {sorted(map(str, series))}")
            v2_validity = [(v2[code], "validTill"), (by_id[code], "validTill")] + ([(d, "validTill")] if d else [])
            instants = {b.valid_till, c.valid_till} | ({coupon_view(V2C, d).valid_till} if d else set())
            v11_agrees = _same_instant_up_to_a_zone(a.valid_till, b.valid_till) or _same_validity((v11[code], "valid_till"), (v2[code], "validTill"))
            if not (len(instants) <= 1 or _same_validity(*v2_validity)) or not v11_agrees:
                problems.append(f"{code}: validity v1.1 {a.valid_till}, v2 {sorted(str(i) for i in instants)}")
            if a.redemption_count is not None and b.redemption_count is not None and a.redemption_count != b.redemption_count:
                problems.append(f"{code}: redemption count v1.1 {a.redemption_count}, v2 {b.redemption_count}")
            if b.redemptions_left != c.redemptions_left:
                problems.append(f"{code}: redemptions left v2 list {b.redemptions_left}, by-id {c.redemptions_left}")
            discounts = {_discount(v2[code], V2L), _discount(by_id[code], V2ID)} | ({_discount(d, V2C)} if d else set())
            if len(discounts - {None}) > 1:
                problems.append(f"{code}: discount {sorted(map(str, discounts - {None}))}")
        if problems:
            raise CheckFailed(explain(f"customer {customer.id}: endpoints disagree about the same coupon", redactor, *exchanges, observed=few(problems)), exchanges)
        return bool(shared)

    check_examples(check, _customers(discovery), lanes, unchecked="no coupon is listed by all three list operations")


@pytest.mark.check("consistency.isredeemable-agrees")
def test_isredeemable_agrees_with_the_lists(listing, discovery, redactor, lanes) -> None:
    def check(customer):
        by_id = _by_code(listing.coupons(V2ID, customer, coupon_code_case="AS_IT_IS"))
        picked = customer.coupons[:5]
        exchange = listing.target.get(RED, {**customer.v11_identifier(), "code": ",".join(c.code for c in picked), "coupon_code_case": "AS_IT_IS"})
        redeemable = ((exchange.json.get("response") or {}).get("coupons") or {}).get("redeemable")
        items = {str(i.get("code", "")).casefold(): i for i in (redeemable if isinstance(redeemable, list) else [redeemable]) if isinstance(i, dict)}
        assert len(items) == len(picked), explain(f"customer {customer.id}: isredeemable answered {len(items)} items for {len(picked)} codes", redactor, exchange)
        problems, compared = [], 0
        for coupon in picked:
            item, detail = items.get(coupon.code.casefold()), by_id.get(coupon.code.casefold())
            if item is None or detail is None:
                continue
            compared += 1
            if item.get("redemptions_left") != detail.get("redemptionsLeft"):
                problems.append(f"{coupon.code}: redemptions left isredeemable {item.get('redemptions_left')}, by-id {detail.get('redemptionsLeft')}")
        if problems:
            raise CheckFailed(explain(f"customer {customer.id}: isredeemable disagrees with the lists", redactor, exchange, observed=few(problems)), [exchange])
        return compared > 0

    check_examples(check, _customers(discovery, by_id=True), lanes, unchecked="no coupon known to both isredeemable and by-id")
