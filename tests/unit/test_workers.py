"""--workers: the run is spread over pytest-xdist processes and the reports still tell one story."""

from __future__ import annotations

import json
import subprocess
import sys

from .conftest import ROOT, clean_env


def _run(tmp_path, *extra: str) -> tuple[int, dict, dict]:
    completed = subprocess.run(
        [sys.executable, "-m", "coupon_contracts.cli", "run", "--reports", str(tmp_path), "--workers", "2", "--profile", "quick", *extra],
        cwd=ROOT, env=clean_env(), capture_output=True, text=True, timeout=300,
    )
    read = lambda name: json.loads((tmp_path / name).read_text())  # noqa: E731
    return completed.returncode, read("signoff.json"), read("drift.json")


def test_two_workers_agree_with_one(tmp_path) -> None:
    code, signoff, drift = _run(tmp_path)
    assert code == 0 and signoff["verdict"] == "GO" and drift["findings"] == []
    assert drift["responses"] > 300  # merged from both workers
    families = {family for op in signoff["operations"] for family in op["checks"]}
    assert families == {"schema", "filters", "consistency", "errors", "security"}
    assert all(op["parameters_exercised"]["share"] == 1.0 for op in signoff["operations"])


def test_faults_found_by_workers_fail_the_run(tmp_path) -> None:
    """A shape fault (a drift finding merged from a worker) and a behaviour fault (a failed test)."""
    code, signoff, drift = _run(tmp_path, "--mock-faults", "v11-coupon-id-as-number,v2-list-offset-shifted")
    assert code == 1 and signoff["verdict"] == "NO-GO"
    assert [f["path"] for f in drift["findings"]] == ["response.customers.customer[].coupons.coupon[].id"]
    failed = {op["operationId"]: op["checks"].get("filters", {}).get("failed", 0) for op in signoff["operations"]}
    assert failed["getCustomerCouponsV2"] >= 1
