"""A check against "all of a customer's coupons" reads them all, or says it could not: never a page
taken for the whole (a customer with 5,000 coupons once gave a false NO-GO against a 1,000-coupon page)."""

from __future__ import annotations

import httpx
import pytest

from coupon_contracts.discovery import KnownCustomer
from coupon_contracts.lanes import Lanes
from coupon_contracts.listing import ALL, Listing
from coupon_contracts.properties import NotChecked, Undecidable, check_examples
from coupon_contracts.settings import CustomerRef
from coupon_contracts.target import Target

CUSTOMER = KnownCustomer(CustomerRef("id", "7"), 7, mobile="919900000007")


def _v2_list(total: int, *, honours_offset: bool = True, says_total: bool = True):
    calls: list[dict[str, str]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        query = dict(request.url.params)
        calls.append(query)
        offset = int(query.get("offset", 0)) if honours_offset else 0
        limit = int(query.get("limit", 10))
        coupons = [{"id": n, "code": f"C{n:05d}"} for n in range(offset, min(total, offset + limit))]
        pagination = {"limit": str(limit), "offset": str(offset)} | ({"total": total} if says_total else {})
        return httpx.Response(200, json={"entity": {"pagination": pagination, "customers": [{"id": 7, "coupons": coupons}]}})

    client = httpx.Client(base_url="http://target.invalid", transport=httpx.MockTransport(answer))
    return Listing(Target("http://target.invalid", client, (CUSTOMER.ref,), "test")), calls


def _v11_list(total: int, *, most: int):
    calls: list[dict[str, str]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        query = dict(request.url.params)
        calls.append(query)
        coupons = [{"id": n, "code": f"C{n:05d}"} for n in range(min(total, int(query.get("limit", 100)), most))]
        entry = {"id": 7, "item_status": {"code": 1000}, "coupons": {"coupon": coupons}}
        return httpx.Response(200, json={"response": {"pagination": {"total": total}, "customers": {"customer": [entry]}}})

    client = httpx.Client(base_url="http://target.invalid", transport=httpx.MockTransport(answer))
    return Listing(Target("http://target.invalid", client, (CUSTOMER.ref,), "test")), calls


def test_the_v2_list_is_read_page_after_page_to_its_total() -> None:
    listing, calls = _v2_list(2 * ALL + 500)
    whole = listing.coupons("getCustomerCouponsV2", CUSTOMER)
    assert len(whole.keys) == 2 * ALL + 500 and len(set(whole.keys)) == len(whole.keys)
    assert [c.get("offset", "0") for c in calls] == ["0", str(ALL), str(2 * ALL)] and whole.pages == 3


def test_a_target_that_ignores_offset_leaves_the_check_undecidable() -> None:
    listing, _ = _v2_list(ALL + 1, honours_offset=False)
    with pytest.raises(Undecidable, match=r"offset=1000 answered coupons of the first page again \(1000 of the 1001"):
        listing.coupons("getCustomerCouponsV2", CUSTOMER)


def test_a_full_page_without_a_total_is_read_on_until_a_short_page() -> None:
    listing, calls = _v2_list(ALL + 3, says_total=False)
    assert len(listing.coupons("getCustomerCouponsV2", CUSTOMER).keys) == ALL + 3 and len(calls) == 2


def test_the_v11_list_takes_no_offset_so_it_is_asked_for_its_total() -> None:
    listing, calls = _v11_list(1500, most=5000)
    assert len(listing.coupons("getCustomerCouponsV11", CUSTOMER).keys) == 1500
    assert [c["limit"] for c in calls] == [str(ALL), "1500"]


def test_a_v11_list_capped_below_its_total_is_undecidable() -> None:
    listing, _ = _v11_list(1500, most=1200)
    with pytest.raises(Undecidable):
        listing.coupons("getCustomerCouponsV11", CUSTOMER)


def test_a_short_first_page_is_the_whole_list_whatever_its_total_counts() -> None:
    """A target whose total counts all the customer's coupons, not the filter's, is not read on."""

    def answer(request: httpx.Request) -> httpx.Response:
        coupons = [{"id": n, "code": f"C{n:05d}"} for n in range(10)]
        return httpx.Response(200, json={"entity": {"pagination": {"total": 50}, "customers": [{"id": 7, "coupons": coupons}]}})

    client = httpx.Client(base_url="http://target.invalid", transport=httpx.MockTransport(answer))
    listing = Listing(Target("http://target.invalid", client, (CUSTOMER.ref,), "test"))
    assert len(listing.coupons("getCustomerCouponsV2", CUSTOMER, status="ACTIVE").keys) == 10


def test_a_page_the_query_asks_for_is_not_read_on() -> None:
    listing, calls = _v2_list(50)
    assert len(listing.coupons("getCustomerCouponsV2", CUSTOMER, limit=5).keys) == 5 and len(calls) == 1


def test_undecidable_examples_make_the_check_not_checked_never_passed() -> None:
    def check(n: int) -> bool:
        raise Undecidable(f"example {n}: the whole list could not be read")

    with pytest.raises(NotChecked, match=r"example 0: the whole list could not be read \(2 examples could not decide\); otherwise: no data"):
        check_examples(check, [(0,), (1,)], Lanes(1), unchecked="no data")


def test_one_decided_example_is_enough_and_a_failure_still_fails() -> None:
    assert check_examples(lambda n: n == 1 or (_ for _ in ()).throw(Undecidable("no")), [(0,), (1,)], Lanes(1), unchecked="x") == 1

    def failing(n: int) -> bool:
        if n == 0:
            raise Undecidable("no")
        raise AssertionError("the filter is wrong")

    with pytest.raises(AssertionError, match="the filter is wrong"):
        check_examples(failing, [(0,), (1,)], Lanes(1), unchecked="x")

