"""The command line: `mock --describe/--list-faults/--port`, `run`, and one-line errors with exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import httpx
import pytest

from coupon_contracts.auth import VendorBasicAuth
from coupon_contracts.cli import main
from coupon_contracts.contract import Contract
from coupon_contracts.mock import FAULTS
from coupon_contracts.operations import V2C

from .conftest import ROOT, clean_env, mock_description, path_of, served_mock
from .suite_runs import run_cli


def test_mock_describe_prints_credentials_and_customers(capsys) -> None:
    assert main(["mock", "--describe", "--customers", "5"]) == 0
    described = json.loads(capsys.readouterr().out)
    assert set(described) == {"username", "password", "oauth_token", "customers"}
    assert len(described["customers"]) == 5
    assert all(set(c) == {"id", "mobile", "email", "external_id"} for c in described["customers"])


def test_mock_list_faults_lists_the_catalog(capsys) -> None:
    assert main(["mock", "--list-faults"]) == 0
    lines = capsys.readouterr().out.splitlines()
    from coupon_contracts.mock import HOSTILE_FAULTS

    assert len(lines) == len(FAULTS) + len(HOSTILE_FAULTS) and len(FAULTS) >= 25
    assert {line.split()[0] for line in lines} == set(FAULTS) | set(HOSTILE_FAULTS)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["mock", "--describe", "--fault", "no-such-fault"], "--fault: unknown fault(s) no-such-fault"),
        (["mock", "--describe", "--customers", "2"], "--customers must be at least 3"),
    ],
)
def test_bad_mock_flags_exit_2_with_one_line(argv, message, capsys) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_mock_serves_on_a_port(contract: Contract) -> None:
    described = mock_description()
    with served_mock(capture_output=True) as served:
        auth = VendorBasicAuth(described["username"], described["password"])
        response = httpx.get(served.url + path_of(V2C), params={"issuedToIds": described["customers"][2]["id"]}, auth=auth, timeout=5)
        assert response.status_code == 200 and response.json()["data"]
        assert not contract.body_errors("getCouponsV2", 200, response.json())
    assert served.url in served.output and "coupon.qa" in served.output


def test_run_checks_the_embedded_mock_and_exits_0(tmp_path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "coupon_contracts.cli", "run", "--reports", str(tmp_path), "--profile", "quick"], capture_output=True, text=True, cwd=ROOT, env=clean_env()
    )
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]
    assert (tmp_path / "junit.xml").is_file()


def test_run_against_the_mock_served_on_a_port(tmp_path) -> None:
    """The remote path end to end: settings from the environment, httpx over a socket, Basic with MD5."""
    described = mock_description()
    # The last customer holds more than the default page: without it the verdict is INCOMPLETE.
    customers = ",".join([f"mobile:{c['mobile']}" for c in described["customers"][:3]] + [f"id:{c['id']}" for c in described["customers"][3:6] + described["customers"][-1:]])
    with served_mock() as served:
        env = {
            "COUPON_API_BASE_URL": served.url,
            "COUPON_API_USERNAME": described["username"],
            "COUPON_API_PASSWORD": described["password"],
            "COUPON_API_OAUTH_TOKEN": described["oauth_token"],
            "COUPON_API_CUSTOMERS": customers,
            "COUPON_CONTRACTS_PROFILE": "quick",
        }
        started = time.monotonic()
        done = run_cli("run", reports=tmp_path, env=env)
        elapsed = time.monotonic() - started
    assert done.code == 0, done.output[-4000:]
    assert elapsed < 30, f"quick profile over HTTP took {elapsed:.1f}s"
    assert done.report("drift.json")["findings"] == []
    for value in [described["password"], *(c["mobile"] for c in described["customers"][:3])]:
        assert value not in done.output + (tmp_path / "drift.md").read_text()


def _broken_contract(tmp_path, breakage) -> str:
    import shutil

    shutil.copytree(ROOT / "contracts", tmp_path / "contracts")
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    breakage(tmp_path)
    return str(tmp_path / "contracts" / "openapi.yaml")


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda d: (d / "contracts/openapi.yaml").write_text((d / "contracts/openapi.yaml").read_text().replace("paths:", "paths: [", 1)), r"openapi\.yaml:\d+: invalid YAML"),
        (lambda d: (d / "schemas/v2-store.json").write_text('{"type": "object", "properties": {"code": {"$ref": "nope.json"}}}'), r"v2-store\.json: \$ref 'nope\.json' does not resolve"),
        (lambda d: (d / "schemas/v2-store.json").write_text('{"type": '), r"v2-store\.json:1: invalid JSON"),
    ],
    ids=["invalid-yaml", "dangling-ref", "invalid-json"],
)
def test_a_broken_contract_file_exits_2_naming_file_and_line(tmp_path, breakage, message) -> None:
    contract = _broken_contract(tmp_path, breakage)
    completed = subprocess.run(
        [sys.executable, "-m", "coupon_contracts.cli", "run", "--reports", str(tmp_path / "r")],
        cwd=ROOT, env=clean_env(COUPON_CONTRACTS_CONTRACT=contract), capture_output=True, text=True,
    )
    import re

    assert completed.returncode == 2, completed.stdout[-1500:] + completed.stderr[-1500:]
    assert re.search(message, completed.stderr) and len(completed.stderr.strip().splitlines()) == 1, completed.stderr
    assert "Traceback" not in completed.stdout + completed.stderr


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"COUPON_CONTRACTS_PROFILE": "fast"}, "COUPON_CONTRACTS_PROFILE"),
        ({"COUPON_API_BASE_URL": "htp:/staging"}, "COUPON_API_BASE_URL"),
        ({"COUPON_API_BASE_URL": "https://staging.example.com", "COUPON_API_CUSTOMERS": "id:5"}, "no credentials"),
        ({"COUPON_API_CUSTOMERS": "phone:123"}, "COUPON_API_CUSTOMERS"),
        ({"COUPON_CONTRACTS_WORKERS": "0"}, "COUPON_CONTRACTS_WORKERS"),
    ],
    ids=["profile", "url", "no-credentials", "customers", "workers"],
)
def test_bad_settings_exit_2_with_one_line(tmp_path, env, names) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "coupon_contracts.cli", "run", "--reports", str(tmp_path)], cwd=ROOT, env=clean_env(**env), capture_output=True, text=True
    )
    assert completed.returncode == 2 and names in completed.stderr
    assert len(completed.stderr.strip().splitlines()) == 1 and "Traceback" not in completed.stderr
