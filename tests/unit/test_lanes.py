"""Request lanes: side by side when wide, inline when narrow, and the same verdict either way."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
from hypothesis import strategies as st

from coupon_contracts.discovery import CustomerNotFound, KnownCustomer, discover
from coupon_contracts.lanes import Lanes
from coupon_contracts.listing import Listing
from coupon_contracts.operations import V2ID, V2L, operation_at
from coupon_contracts.pacing import BudgetSpent
from coupon_contracts.properties import CheckFailed, NotChecked, check_examples, examples_of, settle
from coupon_contracts.run_record import Traffic
from coupon_contracts.settings import PROFILES, CustomerRef
from coupon_contracts.target import Target, TargetUnavailable

pytestmark = pytest.mark.timing  # elapsed times of side-by-side calls: run alone


def test_a_wide_lane_set_runs_calls_side_by_side() -> None:
    lanes = Lanes(8)
    started = time.perf_counter()
    futures = lanes.map(lambda i: time.sleep(0.2) or i, range(8))
    elapsed = time.perf_counter() - started
    lanes.close()
    assert [f.result() for f in futures] == list(range(8))
    assert elapsed < 0.2 * 3, f"8 calls of 0.2 s took {elapsed:.2f} s on 8 lanes"


def test_one_lane_runs_inline_on_the_callers_thread() -> None:
    lanes = Lanes(1)
    seen = lanes.map(lambda _: threading.current_thread(), range(3))
    assert {f.result() for f in seen} == {threading.current_thread()}
    with pytest.raises(ValueError, match="width of 1 or more"):
        Lanes(0)


def _failing(kinds: dict[int, BaseException]):
    def call(i: int) -> int:
        if i in kinds:
            raise kinds[i]
        return i

    return call


@pytest.mark.parametrize("width", [1, 4])
def test_settle_raises_the_most_serious_problem_first(width: int) -> None:
    lanes = Lanes(width)
    outage, budget = TargetUnavailable("down"), BudgetSpent("spent")
    with pytest.raises(TargetUnavailable):
        settle(lanes.map(_failing({1: AssertionError("a"), 2: budget, 3: outage}), range(5)))
    with pytest.raises(BudgetSpent):
        settle(lanes.map(_failing({1: AssertionError("a"), 3: budget}), range(5)))
    with pytest.raises(AssertionError, match=r"^first\n  \(2 of 5 examples failed; the first is shown\)$"):
        settle(lanes.map(_failing({1: AssertionError("first"), 3: AssertionError("second")}), range(5)), what="examples")
    settle(lanes.map(_failing({}), range(5)))  # nothing failed: nothing raised
    lanes.close()


def test_a_failed_check_keeps_its_exchanges_when_several_fail() -> None:
    failure = CheckFailed("[schema] broken", ["exchange"])  # type: ignore[list-item]
    lanes = Lanes(2)
    with pytest.raises(CheckFailed) as raised:
        settle(lanes.map(_failing({0: failure, 1: AssertionError("other")}), range(2)))
    lanes.close()
    assert raised.value.exchanges == ["exchange"]


def test_examples_are_drawn_the_same_for_the_same_seed_and_are_distinct() -> None:
    strategies = [st.sampled_from(["a", "b", "c"]), st.integers(0, 3)]
    first = examples_of(strategies, profile=PROFILES["ci"], run_seed=1)
    assert first == examples_of(strategies, profile=PROFILES["ci"], run_seed=1)
    assert len(first) == len(set(first)) and 1 < len(first) <= PROFILES["ci"].property_examples
    thorough = PROFILES["thorough"]  # not derandomized: the run's seed decides
    assert examples_of(strategies, profile=thorough, run_seed=5) == examples_of(strategies, profile=thorough, run_seed=5)


@pytest.mark.parametrize("width", [1, 4])
def test_a_property_fails_on_the_first_failing_example_at_any_width(width: int) -> None:
    def check(number: int) -> None:
        assert number % 3, f"{number} is a multiple of 3"

    with pytest.raises(AssertionError, match=r"^3 is a multiple of 3\n(.|\n)*\(2 of 7 examples failed"):
        check_examples(check, [(n,) for n in (1, 2, 3, 4, 5, 6, 7)], Lanes(width), unchecked="-")


@pytest.mark.parametrize("width", [1, 4])
def test_a_property_that_decided_nothing_is_not_checked_never_passed(width: int) -> None:
    with pytest.raises(NotChecked, match="not checked: no customer has a redeemed coupon"):
        check_examples(lambda n: False, [(n,) for n in range(5)], Lanes(width), unchecked="no customer has a redeemed coupon")
    assert check_examples(lambda n: n == 3, [(n,) for n in range(5)], Lanes(width), unchecked="-") == 1


def test_lanes_asking_the_same_listing_send_one_request() -> None:
    calls: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        time.sleep(0.1)  # long enough for every lane to ask while the first is waiting
        return httpx.Response(200, json={"entity": {"customers": [], "pagination": {}}})

    client = httpx.Client(base_url="http://target.invalid", transport=httpx.MockTransport(answer))
    target = Target("http://target.invalid", client, (CustomerRef("id", "7"),), "test")
    listing = Listing(target)
    customer = KnownCustomer(CustomerRef("id", "7"), 7)
    lanes = Lanes(6)
    futures = lanes.map(lambda _: listing.coupons("getCustomerCouponsV2", customer), range(6))
    lanes.close()
    assert len({id(f.result()) for f in futures}) == 1
    assert len(calls) == 1, calls


def test_once_a_lane_finds_the_target_down_the_others_send_nothing() -> None:
    calls: list[int] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        raise httpx.ConnectError("refused")

    client = httpx.Client(base_url="http://target.invalid", transport=httpx.MockTransport(refuse))
    target = Target("http://target.invalid", client, (), "test", sleep=lambda _: None)
    with pytest.raises(TargetUnavailable):
        target.get("getCouponsV2")
    sent = len(calls)
    with pytest.raises(TargetUnavailable):
        target.get("getCouponsV2")
    assert sent == target.retry.attempts and len(calls) == sent


def test_traffic_tells_the_mean_number_of_requests_in_flight() -> None:
    first, second = Traffic(), Traffic()
    first.add(1.0, answered=11.0)  # in flight from 10 to 11
    second.add(2.0, answered=12.0)  # from 10 to 12, in another process
    first.merge(second.export())
    assert first.summary() == {"requests": 2, "seconds": 2.0, "mean_in_flight": 1.5, "mean_latency_ms": 1500.0}
    assert Traffic().summary()["mean_in_flight"] == 0.0


def _target_of(customers: dict[str, str]) -> Target:
    """A target whose v1.1 list finds customer ids per `customers`: "ok", "unknown" or "down" (500)."""

    def answer(request: httpx.Request) -> httpx.Response:
        if operation_at(request.url.path) in (V2L, V2ID):
            return httpx.Response(200, json={"entity": []})
        kind = customers[request.url.params["id"]]
        if kind == "down":
            return httpx.Response(500, text="error")
        code = 1000 if kind == "ok" else 1012
        return httpx.Response(200, json={"response": {"customers": {"customer": [{"id": request.url.params["id"], "item_status": {"code": code}}]}}})

    client = httpx.Client(base_url="http://target.invalid", transport=httpx.MockTransport(answer))
    refs = tuple(CustomerRef("id", key) for key in customers)
    return Target("http://target.invalid", client, refs, "test", sleep=lambda _: None)


@pytest.mark.parametrize("width", [1, 4])
def test_discovery_on_lanes_finds_everyone_and_reports_as_one_lane_would(width: int) -> None:
    lanes = Lanes(width)
    found = discover(_target_of({"1": "ok", "2": "ok", "3": "ok"}), lanes=lanes)
    assert [c.id for c in found.customers] == [1, 2, 3]  # in the configured order
    with pytest.raises(CustomerNotFound, match="id:2 is not a customer"):  # the first that is missing
        discover(_target_of({"1": "ok", "2": "unknown", "3": "unknown"}), lanes=lanes)
    with pytest.raises(TargetUnavailable, match="during discovery"):  # an outage wins over a missing customer
        discover(_target_of({"1": "ok", "2": "unknown", "3": "down"}), lanes=lanes)
    lanes.close()
