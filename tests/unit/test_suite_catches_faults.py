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

from coupon_contracts.contract import Contract
from coupon_contracts.drift import closed_value_fields, compare_shapes
from coupon_contracts.mock import FAULTS

from .conftest import ROOT, clean_env

FAITHFUL = "(faithful)"
# The relevant part of the suite for each family of fault (pytest -k over the conformance tests).
PART = {"shape": "honours_the_contract", "security": "bad_credentials", "behaviour": "not honours_the_contract and not bad_credentials"}
LABELS = {op.operation_id: op.label for op in Contract.load().operations.values()}
CLOSED = closed_value_fields(Contract.load())


def _run(name: str, reports: Path) -> tuple[int, dict, str, dict]:
    extra = {"COUPON_CONTRACTS_PROFILE": "quick"}
    if name.startswith(FAITHFUL):
        part = name.removeprefix(FAITHFUL).strip() or None
    else:
        part = FAULTS[name].family
        extra |= {"COUPON_CONTRACTS_MOCK_FAULTS": name, "COUPON_CONTRACTS_OPERATIONS": ",".join(FAULTS[name].operations)}
    selection = ["--", "-k", PART[part]] if part else []
    completed = subprocess.run(
        [sys.executable, "-m", "coupon_contracts.cli", "run", "--reports", str(reports), *selection],
        cwd=ROOT, env=clean_env(**extra), capture_output=True, text=True, timeout=600,
    )
    drift_file, shapes_file = reports / "drift.json", reports / "observed-shapes.json"
    drift = json.loads(drift_file.read_text()) if drift_file.is_file() else {}
    shapes = json.loads(shapes_file.read_text()) if shapes_file.is_file() else {"operations": {}}
    return completed.returncode, drift, completed.stdout[-3000:] + completed.stderr[-2000:], shapes


@pytest.fixture(scope="session")
def outcomes(tmp_path_factory) -> dict[str, tuple[int, dict, str, dict]]:
    base = tmp_path_factory.mktemp("fault-runs")
    names = [FAITHFUL, *(f"{FAITHFUL} {part}" for part in PART), *sorted(FAULTS)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = pool.map(lambda n: _run(n, base / n.replace(" ", "-").strip("()")), names)
        return dict(zip(names, results, strict=True))


@pytest.mark.parametrize("part", ["", *(f" {p}" for p in PART)], ids=["whole suite", *PART])
def test_faithful_mock_gives_no_false_alarm(outcomes, part) -> None:
    code, drift, output, _ = outcomes[FAITHFUL + part]
    assert code == 0, output
    assert drift["findings"] == [] and drift["responses"] > 20


def test_the_same_part_of_the_suite_against_the_faithful_mock_shows_no_change(outcomes) -> None:
    """The baseline of the diff proofs: an unchanged mock diffs clean against itself, part for part."""
    shape = outcomes[f"{FAITHFUL} shape"][3]
    assert compare_shapes(shape, shape, closed=CLOSED) == []
    whole = outcomes[FAITHFUL][3]
    assert not [c for c in compare_shapes(whole, outcomes[f"{FAITHFUL} shape"][3], closed=CLOSED) if c.change != "optional field gone" and c.change != "field gone" and c.change != "value gone"]


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_fault_is_caught(name: str, outcomes) -> None:
    fault = FAULTS[name]
    code, drift, output, shapes = outcomes[name]
    severities = {f["severity"] for f in drift.get("findings", [])}
    if fault.is_breaking:
        assert code == 1, f"{name}: exit {code}, expected 1\n{output}"
        if fault.family == "shape":
            assert "breaking" in severities, f"{name}: no breaking drift finding"
    elif name == "v2-list-discount-type-new-value":
        # A value never seen before is visible against a baseline: the faithful run's shapes.
        assert code == 0, f"{name}: a new value of an open field must not fail the run\n{output}"
        changes = compare_shapes(outcomes[f"{FAITHFUL} shape"][3], shapes, operations={LABELS["getCustomerCouponsV2"]})
        assert any(c.change == "value new" and c.new == "BOGO" for c in changes), [c.line() for c in changes]
    else:
        assert code == 0, f"{name}: a non-breaking fault failed the run\n{output}"
        assert severities == {"non-breaking"}, f"{name}: not reported as a non-breaking finding: {drift.get('findings')}"
        assert [f["path"] for f in drift["findings"]] == ["entity.customers[].coupons[].tier"]


def test_a_retyping_fault_is_a_breaking_finding_naming_the_field(outcomes) -> None:
    code, drift, _, _ = outcomes["v11-coupon-id-as-number"]
    assert code == 1
    assert [(f["path"], f["kind"], f["severity"]) for f in drift["findings"]] == [
        ("response.customers.customer[].coupons.coupon[].id", "type changed", "breaking")
    ]


def test_caught_figure(outcomes) -> None:
    """The README's figure: 45 of 46 faults caught by a run alone, the last one by `diff` against a baseline."""
    caught = [n for n in FAULTS if outcomes[n][0] == 1 or (not FAULTS[n].is_breaking and outcomes[n][1].get("findings"))]
    assert sorted(set(FAULTS) - set(caught)) == ["v2-list-discount-type-new-value"]


@pytest.mark.parametrize("name", sorted(n for n in FAULTS if FAULTS[n].family == "shape" and n != "all-content-type-text"))
def test_shape_fault_shows_in_a_diff_against_the_faithful_baseline(name: str, outcomes) -> None:
    """The vendor-release check: every shape fault is a change `coupon-contracts diff` reports."""
    labels = {LABELS[op] for op in FAULTS[name].operations}
    changes = compare_shapes(outcomes[f"{FAITHFUL} shape"][3], outcomes[name][3], operations=labels, closed=CLOSED)
    assert changes, f"{name}: no change between the faithful run and the faulty one"
    if FAULTS[name].is_breaking:
        assert any(c.is_breaking for c in changes), [c.line() for c in changes]
