"""The client survives a misbehaving target: bounded retries, backoff with jitter, Retry-After,
flaky requests listed, outages and login redirects reported as such; the pacer holds its rate."""

from __future__ import annotations

import multiprocessing
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from coupon_contracts.answer import AnswerLimits, OperationWithheld
from coupon_contracts.operations import V2C, label_of
from coupon_contracts.pacing import BudgetSpent, Pacer, SharedPace
from coupon_contracts.target import RetryPolicy, Target, TargetUnavailable

pytestmark = pytest.mark.timing  # rates and sleeps: run alone, not beside a busy xdist worker


def target_with(responses, sleeps: list[float]) -> Target:
    """A Target whose transport plays `responses` in order (an exception is raised, a Response returned)."""
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    client = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://staging.test")
    return Target("http://staging.test", client, (), "staging.test", sleep=sleeps.append, rng=random.Random(1))


def ok() -> httpx.Response:
    return httpx.Response(200, json={"data": []})


def test_retry_after_is_honoured_and_the_request_listed_as_flaky() -> None:
    sleeps: list[float] = []
    target = target_with([httpx.Response(429, headers={"Retry-After": "2"}), ok()], sleeps)
    exchange = target.get("getCouponsV2", {"couponCodes": "A"})
    assert exchange.response.status_code == 200 and sleeps == [2.0]
    assert [(f.attempts, f.reasons) for f in target.flaky] == [(2, ["429"])]


def test_transport_errors_and_gateway_pages_are_retried_with_jittered_backoff() -> None:
    sleeps: list[float] = []
    gateway = httpx.Response(502, text="<html><title>502 Bad Gateway</title></html>", headers={"content-type": "text/html"})
    target = target_with([httpx.ConnectError("refused"), gateway, httpx.ReadTimeout("slow"), ok()], sleeps)
    assert target.get("getCouponsV2").response.status_code == 200
    policy = RetryPolicy()
    for attempt, slept in enumerate(sleeps, 1):
        base = min(policy.max_delay, policy.base_delay * 2 ** (attempt - 1))
        assert 0.5 * base <= slept <= 1.5 * base
    assert target.flaky[0].reasons == ["ConnectError", "502", "ReadTimeout"]


def test_persistent_gateway_errors_are_an_outage_with_a_diagnosis() -> None:
    page = httpx.Response(503, text="<html><title>503 Service Unavailable</title></html>", headers={"content-type": "text/html"})
    target = target_with([page] * 4, [])
    with pytest.raises(TargetUnavailable, match=r"answered 503, 503, 503, 503 on 4 tries \(an HTML page: '503 Service Unavailable'\)"):
        target.get("getCouponsV2")


def test_a_dead_target_is_an_outage_after_the_bounded_retries() -> None:
    target = target_with([httpx.ConnectError("refused")] * 4, [])
    with pytest.raises(TargetUnavailable, match="failed 4 times in a row .*the target looks down"):
        target.get("getCouponsV2")


def test_a_redirect_to_a_login_page_is_not_the_api() -> None:
    target = target_with([httpx.Response(302, headers={"Location": "/login"})], [])
    with pytest.raises(TargetUnavailable, match="redirected \\(302\\) to /login"):
        target.get("getCouponsV2")


def test_a_retry_after_too_long_is_not_waited_for() -> None:
    target = target_with([httpx.Response(503, headers={"Retry-After": "3600"})], [])
    with pytest.raises(TargetUnavailable, match="Retry-After 3600"):
        target.get("getCouponsV2")


def test_only_get_is_ever_sent() -> None:
    target = target_with([], [])
    with pytest.raises(ValueError, match="read-only and refuses to send POST"):
        target.send("getCouponsV2", {"method": "POST", "url": label_of(V2C).split()[1]})


def _measure_rate(pacer: Pacer, threads: int, per_thread: int) -> float:
    def work() -> None:
        for _ in range(per_thread):
            pacer.acquire()

    started = time.monotonic()
    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return (threads * per_thread - 1) / (time.monotonic() - started)


@pytest.mark.parametrize("threads", [1, 8])
def test_the_rate_limit_holds_across_threads(threads: int) -> None:
    assert abs(_measure_rate(Pacer(50), threads, 40 // threads) - 50) <= 5


def _process_worker(state_file: str, count: int) -> None:
    pacer = Pacer(40, state_file=state_file)
    for _ in range(count):
        pacer.acquire()


def test_the_rate_limit_holds_across_worker_processes(tmp_path) -> None:
    state = str(tmp_path / "pace")
    processes = [multiprocessing.get_context("fork").Process(target=_process_worker, args=(state, 10)) for _ in range(4)]
    started = time.monotonic()
    for p in processes:
        p.start()
    for p in processes:
        p.join()
    rate = 39 / (time.monotonic() - started)
    assert rate <= 40 * 1.1, rate  # never faster than the limit, whatever the number of workers


def test_the_budget_stops_requests_across_the_run(tmp_path) -> None:
    first, second = Pacer(0, max_requests=3, state_file=tmp_path / "p"), Pacer(0, max_requests=3, state_file=tmp_path / "p")
    first.acquire(), second.acquire(), first.acquire()
    with pytest.raises(BudgetSpent, match="budget of 3 is spent"):
        second.acquire()


def _in_flight_at_most(intervals: list[tuple[float, float]]) -> int:
    """The largest number of the (start, end) intervals that overlap at one moment."""
    events = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    most = now = 0
    for _, step in events:
        now += step
        most = max(most, now)
    return most


def _send_in_turns(pacer: Pacer, count: int, seconds: float) -> list[tuple[float, float]]:
    """`count` pretend requests of `seconds` each, from 4 threads, in the pacer's turns."""
    intervals: list[tuple[float, float]] = []

    def one(_: int) -> None:
        with pacer.turn():
            started = time.monotonic()
            time.sleep(seconds)
            intervals.append((started, time.monotonic()))

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(one, range(count)))
    return intervals


def _process_in_turns(folder: str, results: multiprocessing.Queue) -> None:
    results.put(_send_in_turns(SharedPace(Path(folder)).pacer(0), 12, 0.02))


def test_workers_cap_the_requests_in_flight_across_processes() -> None:
    shared = SharedPace.create(in_flight=3)
    try:
        results = multiprocessing.get_context("fork").Queue()
        processes = [multiprocessing.get_context("fork").Process(target=_process_in_turns, args=(str(shared.folder), results)) for _ in range(2)]
        for p in processes:
            p.start()
        intervals = [i for _ in processes for i in results.get(timeout=30)]
        for p in processes:
            p.join()
    finally:
        shared.close()
    assert len(intervals) == 24
    assert _in_flight_at_most(intervals) == 3  # 8 threads want to send; the run lets 3 go at once, and uses all 3


def test_a_process_alone_uses_every_token_of_the_run() -> None:
    shared = SharedPace.create(in_flight=4)
    try:
        assert _in_flight_at_most(_send_in_turns(shared.pacer(0), 16, 0.03)) == 4
    finally:
        shared.close()
    assert not shared.folder.exists()


def test_an_operation_past_the_deadline_is_not_asked_again() -> None:
    """A trickle costs one deadline, not one per request: the first answer is refused (the violation),
    the operation's later requests are withheld, and other operations are still sent."""

    def trickle():
        for _ in range(3):
            time.sleep(0.03)
            yield b" "

    target = target_with([httpx.Response(200, content=trickle()), ok()], [])
    target.limits = AnswerLimits(deadline=0.05)
    first = target.get("getCouponsV2", {"couponCodes": "A"})
    assert "COUPON_API_DEADLINE" in first.refused
    with pytest.raises(OperationWithheld, match=r"getCouponsV2: not sent: an earlier answer was body still arriving after 0.05 s"):
        target.get("getCouponsV2", {"couponCodes": "B"})
    assert target.get("getCustomerCouponsV2", {"id": "1"}).response.status_code == 200
