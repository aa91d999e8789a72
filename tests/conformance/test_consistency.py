"""Cross-endpoint consistency: the list operations agree on each customer's coupons and their facts.

v1.1 list, v2 list and v2 by-id must hold the same coupons; for every coupon they share, with
v2/coupon too, code, series, validity, discount, redemption count and redemptions left agree, and
isredeemable agrees with them. v2/coupon's coupon set is compared as a subset only (D-29).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from coupon_contracts.filters import coupon_view
from coupon_contracts.listing import Listing, explain
from coupon_contracts.properties import check_examples

V11, RED, V2C, V2L, V2ID = "getCustomerCouponsV11", "isCouponRedeemableV11", "getCouponsV2", "getCustomerCouponsV2", "getCustomerCouponsByIdV2"

pytestmark = [pytest.mark.family("consistency"), pytest.mark.operations(V11, RED, V2C, V2L, V2ID)]


@pytest.fixture(scope="module")
def listing(target) -> Listing:
    return Listing(target)


def _customers(discovery):
    if not discovery.with_coupons:
        pytest.skip("no test customer has coupons: nothing to compare")
    return [(customer,) for customer in discovery.with_coupons]


def _by_code(answer) -> dict[str, dict]:
    return {str(c.get("code", "")).casefold(): c for c in answer.coupons}


def _same_instant_up_to_a_zone(v11_valid_till, v2_valid_till) -> bool:
    """v1.1 valid_till has no zone (D-07): equal, or off by a whole zone offset within 14 hours."""
    if v11_valid_till is None or v2_valid_till is None:
        return True  # a malformed date is the schema test's finding
    delta = abs(v11_valid_till - v2_valid_till)
    return delta <= timedelta(hours=14) and delta.total_seconds() % 900 == 0


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

    check_examples(check, _customers(discovery), lanes)


def test_shared_coupons_have_the_same_facts(listing, discovery, redactor, lanes) -> None:
    def check(customer):
        v11 = _by_code(listing.coupons(V11, customer, coupon_code_case="AS_IT_IS"))
        v2 = _by_code(listing.coupons(V2L, customer, coupon_code_case="AS_IT_IS"))
        by_id = _by_code(listing.coupons(V2ID, customer, coupon_code_case="AS_IT_IS"))
        lookup_answer = listing.target.get(V2C, "/v2/coupon", {"issuedToIds": customer.id, "coupon_code_case": "AS_IT_IS"})
        lookup = _by_code(listing.parse(V2C, lookup_answer))
        exchanges = [listing.coupons(op, customer, coupon_code_case="AS_IT_IS").exchange for op in (V11, V2L, V2ID)] + [lookup_answer]
        problems = []
        for code in sorted(set(v11) & set(v2) & set(by_id)):
            a, b, c = coupon_view(V11, v11[code]), coupon_view(V2L, v2[code]), coupon_view(V2ID, by_id[code])
            d = lookup.get(code)
            if not (a.key == b.key == c.key):
                problems.append(f"{code}: id {a.key} / {b.key} / {c.key}")
            series = {a.series_id, b.series_id, c.series_id} | ({coupon_view(V2C, d).series_id} if d else set())
            if len(series) > 1:
                problems.append(f"{code}: series {sorted(map(str, series))}")
            instants = {b.valid_till, c.valid_till} | ({coupon_view(V2C, d).valid_till} if d else set())
            if len(instants) > 1 or not _same_instant_up_to_a_zone(a.valid_till, b.valid_till):
                problems.append(f"{code}: validity v1.1 {a.valid_till}, v2 {sorted(str(i) for i in instants)}")
            if a.redemption_count is not None and b.redemption_count is not None and a.redemption_count != b.redemption_count:
                problems.append(f"{code}: redemption count v1.1 {a.redemption_count}, v2 {b.redemption_count}")
            if b.redemptions_left != c.redemptions_left:
                problems.append(f"{code}: redemptions left v2 list {b.redemptions_left}, by-id {c.redemptions_left}")
            discounts = {v2[code].get("discountValue"), by_id[code].get("discountValue")} | ({d.get("discountValue")} if d else set())
            if len({float(x) for x in discounts if isinstance(x, (int, float))}) > 1:
                problems.append(f"{code}: discount {sorted(map(str, discounts))}")
        assert not problems, explain(f"customer {customer.id}: endpoints disagree about the same coupon", redactor, *exchanges, observed=problems[:10])

    check_examples(check, _customers(discovery), lanes)


def test_isredeemable_agrees_with_the_lists(listing, discovery, redactor, lanes) -> None:
    def check(customer):
        by_id = _by_code(listing.coupons(V2ID, customer, coupon_code_case="AS_IT_IS"))
        picked = customer.coupons[:5]
        exchange = listing.target.get(RED, "/v1.1/coupon/isredeemable", {"id": customer.id, "code": ",".join(c.code for c in picked), "coupon_code_case": "AS_IT_IS"})
        redeemable = (exchange.json.get("response", {}).get("coupons") or {}).get("redeemable")
        items = redeemable if isinstance(redeemable, list) else [redeemable]
        assert len(items) == len(picked), explain(f"customer {customer.id}: isredeemable answered {len(items)} items for {len(picked)} codes", redactor, exchange)
        problems = []
        for coupon, item in zip(picked, items, strict=True):
            detail = by_id.get(coupon.code.casefold(), {})
            if isinstance(item, dict) and item.get("redemptions_left") != detail.get("redemptionsLeft"):
                problems.append(f"{coupon.code}: redemptions left isredeemable {item.get('redemptions_left')}, by-id {detail.get('redemptionsLeft')}")
        assert not problems, explain(f"customer {customer.id}: isredeemable disagrees with the lists", redactor, exchange, observed=problems)

    check_examples(check, _customers(discovery), lanes)
