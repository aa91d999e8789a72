"""The wheel is the product a team installs: it carries the contract, its schemas and examples and the
conformance suite, registers the pytest plugin, and `coupon-contracts run` works from an empty folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT, clean_env

pytestmark = pytest.mark.xdist_group("package")  # one wheel, built once


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--disable-pip-version-check", str(ROOT), "-w", str(out)], check=True, capture_output=True)
    return next(out.glob("coupon_contracts-*.whl"))


def test_the_wheel_carries_everything_a_run_reads(wheel) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = "coupon_contracts/shipped/"
    assert f"{shipped}contracts/openapi.yaml" in names and f"{shipped}contracts/field-docs.json" in names
    for folder, into in (("schemas", "schemas"), ("contracts/examples", "contracts/examples"), ("tests/conformance", "conformance")):
        expected = {p.name for p in (ROOT / folder).iterdir() if p.is_file() and p.suffix in (".json", ".py")}
        assert expected and expected <= {n.rsplit("/", 1)[1] for n in names if n.startswith(f"{shipped}{into}/")}, folder
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "[pytest11]\ncoupon_contracts.plugin = coupon_contracts.plugin" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_installed_it_runs_from_an_empty_folder(wheel, tmp_path) -> None:
    site, empty = tmp_path / "site", tmp_path / "empty"
    empty.mkdir()
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--disable-pip-version-check", "--target", str(site), str(wheel)], check=True)
    env = clean_env(PYTHONPATH=str(site), COUPON_CONTRACTS_PROFILE="quick")  # the wheel's package before the checkout's
    where = subprocess.run([sys.executable, "-c", "import coupon_contracts.shipped_files as f; print(f.is_checkout(), f.contract_path())"], cwd=empty, env=env, capture_output=True, text=True, check=True)
    assert where.stdout.split() == ["False", str(site / "coupon_contracts" / "shipped" / "contracts" / "openapi.yaml")]
    done = subprocess.run([sys.executable, "-m", "coupon_contracts.cli", "run"], cwd=empty, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "GO: the target honours the contract" in done.stdout and (empty / "reports" / "signoff.md").is_file()
    assert sorted(os.listdir(empty)) == ["reports"]  # nothing else written where it ran


def test_a_teams_own_pytest_suite_gets_the_fixtures_and_the_reports(pytester, monkeypatch) -> None:
    """In process: a team's test asks for `target`, `discovery` and `contract` from the pytest11 plugin;
    its request goes through the same record, so the session writes the same reports."""
    for name in [n for n in os.environ if n.startswith("COUPON_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("HYPOTHESIS_STORAGE_DIRECTORY", str(pytester.path / ".hypothesis"))
    pytester.makepyfile(
        test_our_coupons="""
from coupon_contracts.operations import V2C

def test_our_lookup_matches_the_contract(target, discovery, contract):
    customer = discovery.with_coupons[0]
    exchange = target.get(V2C, {"issuedToIds": customer.id})
    assert exchange.response.status_code == 200
    assert not contract.body_errors(V2C, 200, exchange.json)
"""
    )
    reports = pytester.path / "reports"
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-p", "no:randomly", "--reports", str(reports))
    result.assert_outcomes(passed=1)
    signoff = json.loads((reports / "signoff.json").read_text(encoding="utf-8"))
    assert signoff["traffic"]["requests"] > 1 and signoff["verdict"] in ("GO", "INCOMPLETE")
    assert (reports / "drift.json").is_file()


def test_every_module_stays_under_300_lines() -> None:
    """#13's habit: a module does one job; one that grows past 300 lines is split by job."""
    long = {str(p.relative_to(ROOT)): n for p in (ROOT / "src").rglob("*.py") if (n := len(p.read_text(encoding="utf-8").splitlines())) >= 300}
    assert long == {}, long
