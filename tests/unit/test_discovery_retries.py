"""Discovery asks again after a broken 200 (a glitch may pass), and names the broken answer when it persists."""

from __future__ import annotations

import httpx
import pytest

from coupon_contracts.discovery import KnownCustomer, discover
from coupon_contracts.operations import V11, operation_at
from coupon_contracts.settings import CustomerRef
from coupon_contracts.target import Target, TargetUnavailable

CUSTOMER = KnownCustomer(CustomerRef("id", "7"), 7)


def test_discovery_asks_again_after_a_broken_200_and_names_it_only_when_it_persists() -> None:
    answers = {"calls": 0}

    def answer(request: httpx.Request) -> httpx.Response:
        if operation_at(request.url.path) == V11:
            answers["calls"] += 1
            if answers["calls"] <= answers.get("broken", 1):
                return httpx.Response(200, content=b'{"response": {"customers": ', headers={"content-type": "application/json"})
            entry = {"id": 7, "mobile": "919900000007", "item_status": {"code": 1000}}
            return httpx.Response(200, json={"response": {"pagination": {"total": 0}, "customers": {"customer": [entry]}}})
        return httpx.Response(200, json={"entity": [], "success": True})

    def target() -> Target:
        client = httpx.Client(base_url="http://target.invalid", transport=httpx.MockTransport(answer))
        return Target("http://target.invalid", client, (CUSTOMER.ref,), "staging.test", sleep=lambda _: None)

    assert [c.id for c in discover(target()).customers] == [7] and answers["calls"] == 2
    answers.update(calls=0, broken=99)
    with pytest.raises(TargetUnavailable, match=r"answered 200 with a body that is not JSON .* not COUPON_API_CUSTOMERS \(the same on 4 tries\)"):
        discover(target())
