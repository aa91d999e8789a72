"""The suite proves it can fail: each fault of the mock's catalog is caught by `coupon-contracts run`.

Every fault runs the relevant part of the suite (its operations, the quick profile) against the
embedded mock with that one fault on. A breaking fault must end the run with exit 1 and, for a
shape fault, a breaking drift finding; a non-breaking one (an added field) must leave exit 0 and
be reported as a non-breaking finding. The faithful mock must give exit 0 and no finding at all.
Runs go two at a time: the machine has two cores.
"""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from coupon_contracts.mock import FAULTS

from .conftest import ROOT, clean_env

FAITHFUL = "(faithful)"


def _run(name: str, reports: Path) -> tuple[int, dict, str]:
    extra = {"COUPON_CONTRACTS_PROFILE": "quick"}
    if name != FAITHFUL:
        extra |= {"COUPON_CONTRACTS_MOCK_FAULTS": name, "COUPON_CONTRACTS_OPERATIONS": ",".join(FAULTS[name].operations)}
    completed = subprocess.run(
        [sys.executable, "-m", "coupon_contracts.cli", "run", "--reports", str(reports)],
        cwd=ROOT, env=clean_env(**extra), capture_output=True, text=True, timeout=600,
    )
    drift_file = reports / "drift.json"
    drift = json.loads(drift_file.read_text()) if drift_file.is_file() else {}
    return completed.returncode, drift, completed.stdout[-3000:] + completed.stderr[-2000:]


@pytest.fixture(scope="session")
def outcomes(tmp_path_factory) -> dict[str, tuple[int, dict, str]]:
    base = tmp_path_factory.mktemp("fault-runs")
    names = [FAITHFUL, *sorted(FAULTS)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = pool.map(lambda n: _run(n, base / n.strip("()")), names)
        return dict(zip(names, results))


def test_faithful_mock_gives_no_false_alarm(outcomes) -> None:
    code, drift, output = outcomes[FAITHFUL]
    assert code == 0, output
    assert drift["findings"] == [] and drift["responses"] > 100


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_fault_is_caught(name: str, outcomes) -> None:
    fault = FAULTS[name]
    code, drift, output = outcomes[name]
    severities = {f["severity"] for f in drift.get("findings", [])}
    if fault.is_breaking:
        assert code == 1, f"{name}: exit {code}, expected 1\n{output}"
        if fault.family == "shape":
            assert "breaking" in severities, f"{name}: no breaking drift finding"
    elif name == "v2-list-discount-type-new-value":
        # A value never seen is only visible against a baseline of an earlier run: see test_diff.
        assert code == 0, f"{name}: a new value of an open field must not fail the run\n{output}"
    else:
        assert code == 0, f"{name}: a non-breaking fault failed the run\n{output}"
        assert severities == {"non-breaking"}, f"{name}: not reported as a non-breaking finding: {drift.get('findings')}"


def test_caught_figure(outcomes) -> None:
    """The README's figure: how many faults the suite catches on its own."""
    caught = [n for n in FAULTS if outcomes[n][0] == 1 or (not FAULTS[n].is_breaking and outcomes[n][1].get("findings"))]
    assert len(caught) >= len(FAULTS) - 1, sorted(set(FAULTS) - set(caught))
