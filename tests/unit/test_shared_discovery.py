"""In a parallel run the controller discovers once, and every worker reads what it found, or its failure."""

from __future__ import annotations

import pytest

from coupon_contracts.contract import Contract
from coupon_contracts.discovery import CustomerNotFound, discover
from coupon_contracts.pacing import SharedPace
from coupon_contracts.redaction import Redactor
from coupon_contracts.settings import Settings
from coupon_contracts.shared_discovery import SharedDiscovery, read_shared
from coupon_contracts.target import TargetUnavailable, open_target

from .conftest import mock_description, served_mock


def _settings(url: str, customers: str) -> Settings:
    return Settings.load(env={"COUPON_API_BASE_URL": url, "COUPON_API_USERNAME": "coupon.qa", "COUPON_API_PASSWORD": "mock-secret-1", "COUPON_API_CUSTOMERS": customers})


def _shared(settings: Settings, seen: list) -> tuple[SharedDiscovery, SharedPace]:
    pace = SharedPace.create(4)
    return SharedDiscovery(settings, Contract.load(), Redactor(), pace, seen.append).start(), pace


def test_workers_read_the_controllers_discovery_and_it_is_the_same_discovery() -> None:
    people = mock_description()["customers"]
    with served_mock() as served:
        settings = _settings(served.url, f"mobile:{people[0]['mobile']},id:{people[2]['id']}")
        seen: list = []
        shared, pace = _shared(settings, seen)
        try:
            found = read_shared(pace.folder, timeout=30)
            assert found is not None and found.customers == discover(open_target(settings)).customers
            assert seen, "the controller's requests reach the run's record"
            assert shared.redactor.text(people[0]["mobile"]) != people[0]["mobile"], "discovered PII is masked in the controller's reports"
        finally:
            shared.close()
            pace.close()


def test_a_worker_raises_what_discovery_raised_in_the_controller() -> None:
    with served_mock() as served:
        shared, pace = _shared(_settings(served.url, "id:1"), [])
        try:
            with pytest.raises(CustomerNotFound, match="COUPON_API_CUSTOMERS: id:"):
                read_shared(pace.folder, timeout=30)
        finally:
            shared.close()
            pace.close()


def test_an_unreachable_target_is_an_outage_in_every_worker() -> None:
    shared, pace = _shared(_settings("http://127.0.0.1:9", "id:1"), [])
    try:
        with pytest.raises(TargetUnavailable):
            read_shared(pace.folder, timeout=60)
    finally:
        shared.close()
        pace.close()


def test_without_a_shared_discovery_a_worker_discovers_itself(tmp_path) -> None:
    assert read_shared(tmp_path, timeout=1) is None
