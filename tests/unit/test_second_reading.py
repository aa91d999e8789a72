"""The suite against a second, independent reading of the docs: no false alarm, and a verdict that means it.

tests/cleanroom/ is a server written from the five doc pages alone by someone who had not seen the
mock, the suite or the contract (its readings of every silence: tests/cleanroom/READINGS.md). The
suite must give GO against it, at the quick and ci profiles, with no breaking finding; and with test
customers that have no coupons it must say INCOMPLETE, never GO.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.cleanroom.dataset import Dataset

from .conftest import ROOT, free_port, wait_listening
from .suite_runs import RunsOnDemand, run_cli


@contextmanager
def cleanroom_served() -> Iterator[dict]:
    """The clean-room server on a free loopback port; yields its description and base_url."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "tests.cleanroom.server", "--port", str(port)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        described = json.loads(process.stdout.readline())  # type: ignore[union-attr]
        wait_listening(port, process, "the clean-room server")
        yield described
    finally:
        process.terminate()
        process.communicate(timeout=10)


def _run(described: dict, reports, *, customers: str, profile: str) -> tuple[int, str, dict, dict]:
    env = {
        "COUPON_API_BASE_URL": described["base_url"],
        "COUPON_API_USERNAME": described["username"],
        "COUPON_API_PASSWORD": described["password"],
        "COUPON_API_OAUTH_TOKEN": described["oauth_token"],
        "COUPON_API_CUSTOMERS": customers,
        "COUPON_CONTRACTS_PROFILE": profile,
    }
    done = run_cli("run", reports=reports, env=env)
    return done.code, done.output[-6000:], done.report("signoff.json"), done.report("drift.json")


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, tuple[int, str, dict, dict]]:
    base = tmp_path_factory.mktemp("cleanroom")
    empty = Dataset().empty  # the one customer without coupons: for NO_COUPONS_FOUND
    with cleanroom_served() as described:
        everyone = ",".join([*described["customers"], f"id:{empty.id}"])
        return {
            "quick": _run(described, base / "quick", customers=everyone, profile="quick"),
            "ci": _run(described, base / "ci", customers=everyone, profile="ci"),
            "no coupons": _run(described, base / "none", customers=f"id:{empty.id}", profile="quick"),
        }


CLEAN_ROOM = pytest.mark.xdist_group("cleanroom")  # one served clean-room server and its three runs: one worker


@CLEAN_ROOM
@pytest.mark.parametrize("profile", ["quick", "ci"])
def test_the_clean_room_reading_gets_go(runs, profile: str) -> None:
    code, output, signoff, drift = runs[profile]
    assert code == 0 and signoff["verdict"] == "GO", output
    assert drift["summary"]["breaking"] == 0, [f for f in drift["findings"] if f["severity"] == "error"][:5]
    assert signoff["not_checked"] == [] and drift["responses"] > 100


@CLEAN_ROOM
def test_customers_without_coupons_give_incomplete_naming_what_is_missing(runs) -> None:
    code, output, signoff, _ = runs["no coupons"]
    assert code == 5 and signoff["verdict"] == "INCOMPLETE", output
    unchecked = {u["check"]: u["reason"] for u in signoff["not_checked"]}
    assert "filters.v11-series" in unchecked and "consistency.same-coupons" in unchecked
    assert all(reason for reason in unchecked.values())
    assert "a customer with coupons" in signoff["data_health"]["lacking"]
    assert "not checked:" in output and "GO: the target" not in output
    for operation in signoff["operations"]:  # a skip is never counted as passed, anywhere
        for tally in operation["checks"].values():
            assert tally["passed"] + tally["failed"] + tally["not_checked"] > 0
    assert sum(t["not_checked"] for op in signoff["operations"] for t in op["checks"].values()) >= len(unchecked)


# -- the mock under every reading of every silence -------------------------------------------------

from coupon_contracts.mock import READINGS  # noqa: E402
from coupon_contracts.operations import OperationId, shipped_table  # noqa: E402


def _mock_run(readings: str, reports, *, profile: str, seed: str = "20261123", operations: str = "") -> tuple[int, str, dict, dict]:
    env = {"COUPON_CONTRACTS_MOCK_READINGS": readings, "COUPON_CONTRACTS_MOCK_READINGS_SEED": seed, "COUPON_CONTRACTS_PROFILE": profile}
    done = run_cli("run", reports=reports, env=env | ({"COUPON_CONTRACTS_OPERATIONS": operations} if operations else {}))
    return done.code, done.output[-6000:], done.report("signoff.json"), done.report("drift.json")


def _ci_groups(count: int = 3) -> list[str]:
    """Every reading in one of `count` sets, readings that exclude each other in different sets."""
    groups: list[list[str]] = [[] for _ in range(count)]
    for name in sorted(READINGS):
        exclusive = READINGS[name].group
        fits = [g for g in groups if exclusive is None or all(READINGS[n].group != exclusive for n in g)]
        min(fits, key=len).append(name)
    return [",".join(g) for g in groups]


def _operations_of(name: str) -> str:
    """The operations whose pages the reading cites (every one, when it cites every page)."""
    pages = {citation.partition(":")[0] for citation in READINGS[name].docs}
    chosen = [op for op, row in shipped_table().items() if row.page in pages]
    return "" if len(chosen) == len(OperationId) else ",".join(chosen)


# Each reading alone at quick, on the operations of the pages it cites: a false alarm names its reading.
# Every reading at ci too, on the whole suite, in three sets; and two seeded random mixes.
ALONE = [(name, "quick", "20261123", _operations_of(name)) for name in sorted(READINGS)]
MIXES = [("random", "quick", "7", ""), ("random", "ci", "11", ""), *((group, "ci", "20261123", "") for group in _ci_groups())]


@pytest.fixture(scope="module")
def reading_runs(tmp_path_factory) -> RunsOnDemand:
    return RunsOnDemand(lambda r: _mock_run(r[0], tmp_path_factory.mktemp("reading"), profile=r[1], seed=r[2], operations=r[3]))


@pytest.mark.parametrize("run", ALONE + MIXES, ids=lambda r: "-".join(r[:3]) if len(r[0]) < 40 else f"{len(r[0].split(','))}-readings-{r[1]}")
def test_every_reading_of_a_silence_gets_go(reading_runs, run) -> None:
    code, output, signoff, drift = reading_runs[run]
    if run[3]:  # a part of the suite: nothing failed, nothing left unchecked, the rest left out
        assert (code, signoff["verdict"]) == (5, "INCOMPLETE") and signoff["failed_checks"] == [] and signoff["not_checked"] == [], output
        assert signoff["left_out"] and not set(signoff["left_out"]) & {f"schema.{op}" for op in run[3].split(",")}
    else:
        assert code == 0 and signoff["verdict"] == "GO", output
    assert drift["summary"]["breaking"] == 0, [f for f in drift["findings"] if f["severity"] == "error"][:5]
