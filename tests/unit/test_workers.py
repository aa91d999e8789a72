"""--workers: requests in flight at once, as request lanes in pytest-xdist processes that share one
cap; the reports still tell one story and the faults are still found, whatever the split."""

from __future__ import annotations

import pytest

from .suite_runs import run_cli


def _run(tmp_path, *extra: str, workers: str = "2") -> tuple[int, dict, dict]:
    done = run_cli("run", "--workers", workers, "--profile", "quick", *extra, reports=tmp_path)
    return done.code, done.report("signoff.json"), done.report("drift.json")


def test_two_workers_agree_with_one(tmp_path) -> None:
    code, signoff, drift = _run(tmp_path)
    assert code == 0 and signoff["verdict"] == "GO" and drift["findings"] == []
    assert drift["responses"] > 300  # merged from both workers
    families = {family for op in signoff["operations"] for family in op["checks"]}
    assert families == {"schema", "filters", "consistency", "errors", "security"}
    assert all(op["parameters_exercised"]["share"] == 1.0 for op in signoff["operations"])
    traffic = signoff["traffic"]
    assert traffic["requests"] == drift["responses"] and traffic["workers"] == 2
    assert 0 < traffic["mean_in_flight"] <= 2  # two processes, one cap of two requests in flight between them


def test_faults_found_by_workers_fail_the_run(tmp_path) -> None:
    """A shape fault (a drift finding merged from a worker) and a behaviour fault (a failed test)."""
    code, signoff, drift = _run(tmp_path, "--mock-faults", "v11-coupon-id-as-number,v2-list-offset-shifted")
    assert code == 1 and signoff["verdict"] == "NO-GO"
    assert [f["path"] for f in drift["findings"]] == ["response.customers.customer[].coupons.coupon[].id"]
    failed = {op["operationId"]: op["checks"].get("filters", {}).get("failed", 0) for op in signoff["operations"]}
    assert failed["getCustomerCouponsV2"] >= 1


@pytest.mark.parametrize(
    ("workers", "split"),
    [("4", []), ("3", ["--", "-n", "0"])],
    ids=["two-processes-sharing-four-tokens", "one-process-of-three-lanes"],
)
def test_faults_found_on_request_lanes_fail_the_run(tmp_path, workers: str, split: list[str]) -> None:
    """A schema failure settled from a lane, and a property failure among examples checked side by side."""
    code, signoff, drift = _run(tmp_path, "--mock-faults", "v11-series-name-renamed,v11-status-filter-ignored", *split, workers=workers)
    assert code == 1 and signoff["verdict"] == "NO-GO"
    checks = next(op["checks"] for op in signoff["operations"] if op["operationId"] == "getCustomerCouponsV11")
    assert checks["schema"]["failed"] >= 1 and checks["filters"]["failed"] >= 1, checks
    assert any(f["path"].endswith("seriesName") for f in drift["findings"]), drift["findings"]


def test_a_partial_run_on_workers_is_incomplete_not_go(tmp_path) -> None:
    """Workers collect, so they deselect: the checks they leave out reach the controller's verdict."""
    code, signoff, _ = _run(tmp_path, "--operations", "getCouponsV2")
    assert code == 5 and signoff["verdict"] == "INCOMPLETE"
    assert "filters.v11-series" in signoff["left_out"] and "schema.getCouponsV2" not in signoff["left_out"]


def test_the_controller_applies_the_runs_severities_and_known_deviations(tmp_path) -> None:
    """Workers' findings and failures reach the controller, which judges them by the run's own settings."""
    known = tmp_path / "known.yaml"
    known.write_text("deviations:\n" + "".join(
        f"  - id: KD-{i}\n    check: {check}\n    reason: the vendor knows\n    ticket: VEND-1\n    expires: 2099-01-01\n"
        for i, check in enumerate(("filters.v11-limit", "filters.v11-default-limit"), 1)
    ), encoding="utf-8")  # fmt: skip
    env = {"COUPON_CONTRACTS_KNOWN_DEVIATIONS": str(known), "COUPON_CONTRACTS_SEVERITY": "undocumented field=warning",
           "COUPON_CONTRACTS_MOCK_FAULTS": "v11-limit-ignored,v2-list-field-added"}  # fmt: skip
    done = run_cli("run", "--workers", "2", "--profile", "quick", reports=tmp_path / "r", env=env)
    signoff, drift = done.report("signoff.json"), done.report("drift.json")
    assert (done.code, signoff["verdict"]) == (0, "GO"), done.output[-3000:]
    assert signoff["excused_checks"] == ["filters.v11-default-limit", "filters.v11-limit"]
    assert {f["severity"] for f in drift["findings"]} == {"warning"} and drift["severities"]["undocumented field"] == "warning"
