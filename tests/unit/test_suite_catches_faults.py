"""The suite proves it can fail, for the right reason: each fault of the mock's catalog fails the check named for it.

Every fault runs the relevant part of the suite (its operations, the quick profile) against the
embedded mock with that one fault on. A behaviour or security fault must fail exactly the checks
named for it (by check id, from signoff.json); a shape fault must fail its operation's schema check
with a drift finding naming the faulted path; a non-breaking one (an added field) is reported, not
failed on. The faithful mock gives GO and no finding at all.
Each run is made in process (suite_runs), the first time a test asks for it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from coupon_contracts.checks import CHECKS
from coupon_contracts.contract import Contract
from coupon_contracts.drift import closed_value_fields, compare_shapes
from coupon_contracts.mock import FAULTS
from coupon_contracts.operations import RED, V2C, V2ID, V2L, V11, OperationId

from .suite_runs import RunsOnDemand, run_cli

FAITHFUL = "(faithful)"
# The relevant part of the suite for each family of fault (pytest -k over the conformance tests).
PART = {"shape": "honours_the_contract", "security": "bad_credentials", "behaviour": "not honours_the_contract and not bad_credentials"}
LABELS = {op.operation_id: op.label for op in Contract.load().operations.values()}
CLOSED = closed_value_fields(Contract.load())


def _run(name: str, reports: Path) -> tuple[int, dict, str, dict, dict]:
    extra = {"COUPON_CONTRACTS_PROFILE": "quick"}
    if name.startswith(FAITHFUL):
        part = name.removeprefix(FAITHFUL).strip() or None
    else:
        part = FAULTS[name].family
        extra |= {"COUPON_CONTRACTS_MOCK_FAULTS": name, "COUPON_CONTRACTS_OPERATIONS": ",".join(FAULTS[name].operations)}
    selection = ["--", "-k", PART[part]] if part else []
    done = run_cli("run", *selection, reports=reports, env=extra)
    shapes = done.report("observed-shapes.json") or {"operations": {}}
    return done.code, done.report("drift.json"), done.output[-5000:], shapes, done.report("signoff.json")


@pytest.fixture(scope="session")
def outcomes(tmp_path_factory) -> RunsOnDemand:
    base = tmp_path_factory.mktemp("fault-runs")
    return RunsOnDemand(lambda name: _run(name, base / name.replace(" ", "-").strip("()")))


@pytest.mark.parametrize("part", ["", *(f" {p}" for p in PART)], ids=["whole suite", *PART])
def test_faithful_mock_gives_no_false_alarm(outcomes, part) -> None:
    code, drift, output, _, signoff = outcomes[FAITHFUL + part]
    # The whole suite: GO. A part of it (pytest -k): nothing failed, but the rest was left out: INCOMPLETE.
    assert (code, signoff["verdict"]) == ((0, "GO") if not part else (5, "INCOMPLETE")), output
    assert signoff["not_checked"] == [] and signoff["failed_checks"] == []
    assert drift["findings"] == [] and drift["responses"] > 20


def test_the_same_part_of_the_suite_against_the_faithful_mock_shows_no_change(outcomes) -> None:
    """The baseline of the diff proofs: an unchanged mock diffs clean against itself, part for part."""
    shape = outcomes[f"{FAITHFUL} shape"][3]
    assert compare_shapes(shape, shape, closed=CLOSED) == []
    whole = outcomes[FAITHFUL][3]
    assert not [c for c in compare_shapes(whole, outcomes[f"{FAITHFUL} shape"][3], closed=CLOSED) if c.change != "optional field gone" and c.change != "field gone" and c.change != "value gone"]


ALL = tuple(OperationId)
# Each shape fault: the path a drift finding must name (the faulted field), caught by its operation's schema check.
FAULTED_PATH = {
    "v11-coupon-id-as-number": "response.customers.customer[].coupons.coupon[].id",
    "v11-valid-till-iso": "response.customers.customer[].coupons.coupon[].valid_till",
    "v11-redemption-count-missing": "response.customers.customer[].coupons.coupon[].redemption_count",
    "v11-series-name-renamed": "response.customers.customer[].coupons.coupon[].series_name",
    "v11-total-as-string": "response.pagination.total",
    "isredeemable-is-redeemable-boolean": "response.coupons.redeemable.is_redeemable",
    "isredeemable-redemptions-left-missing": "response.coupons.redeemable.redemptions_left",
    "isredeemable-item-status-new-value": "response.coupons.redeemable.item_status.status",
    "v2-coupon-series-id-as-string": "data[].seriesId",
    "v2-coupon-valid-till-date-only": "data[].validTill",
    "v2-list-redemptions-left-missing": "entity.customers[].coupons[].redemptionsLeft",
    "v2-list-coupon-id-renamed": "entity.customers[].coupons[].coupon_id",
    "v2-list-success-as-string": "success",
    "v2-by-id-series-max-create-as-string": "entity[].series.maxCreate",
    "v2-by-id-issued-at-id-missing": "entity[].issuedAt.id",
    "v2-by-id-valid-till-reformatted": "entity[].validTill",
    "all-content-type-text": "",
}
# Each behaviour and security fault: the checks (coupon_contracts.checks) that must fail for it, all of them.
CAUGHT_BY = {
    "v11-status-filter-ignored": {"filters.status.getCustomerCouponsV11.redeemed"},
    "v11-redeemed-filter-inverted": {"filters.status.getCustomerCouponsV11.redeemed", "filters.status.getCustomerCouponsV11.unredeemed"},
    "v11-status-filter-empty": {"filters.status.getCustomerCouponsV11.unredeemed", "filters.v11-redeemed-and-unredeemed-make-all"},
    "v11-status-filter-partial": {"filters.status.getCustomerCouponsV11.unredeemed", "filters.v11-redeemed-and-unredeemed-make-all"},
    "v11-date-window-ignored": {"filters.v11-date-window"},
    "v11-date-window-empty": {"filters.v11-date-window"},
    "v11-series-filter-ignored": {"filters.v11-series"},
    "v11-series-filter-partial": {"filters.v11-series"},
    "v11-store-restriction-ignored": {"filters.v11-store"},
    "v11-store-filter-empty": {"filters.v11-store"},
    "v11-sort-order-reversed": {"filters.v11-order.created_date", "filters.v11-order.valid_till"},
    "v11-limit-ignored": {"filters.v11-limit"},
    "v11-default-limit-50": {"filters.v11-default-limit"},
    "v11-total-counts-page": {"filters.v11-limit"},
    "v11-unknown-customer-succeeds": {"errors.v11-unknown-customer-701"},
    "isredeemable-code-case-ignored": {"filters.isredeemable-codes"},
    "isredeemable-expired-said-redeemable": {"filters.isredeemable-codes"},
    "isredeemable-several-codes-partial": {"filters.isredeemable-codes", "consistency.isredeemable-agrees"},
    "v2-coupon-ids-ignored": {"filters.v2-coupon-selectors"},
    "v2-coupon-codes-partial": {"filters.v2-coupon-selectors"},
    "v2-coupon-lookup-case-sensitive": {"filters.v2-coupon-selectors"},
    "v2-coupon-by-customer-empty": {"filters.v2-coupon-by-customer"},
    "v2-coupon-valid-till-disagrees": {"consistency.same-facts"},
    "v2-list-code-case-ignored": {"filters.code-case.getCustomerCouponsV2.LOWER"},
    "v2-list-status-combination-first-only": {"filters.v2-status-combination-is-union"},
    "v2-list-status-filter-empty": {"filters.status.getCustomerCouponsV2.UNREDEEMED", "filters.v2-status-combination-is-union"},
    "v2-list-status-filter-partial": {"filters.status.getCustomerCouponsV2.UNREDEEMED"},
    "v2-list-default-order-ascending": {"filters.v2-default-order"},
    "v2-list-offset-shifted": {"filters.v2-paging"},
    "v2-list-total-counts-page": {"filters.v2-paging"},
    "v2-by-id-redemptions-left-disagrees": {"consistency.same-facts", "consistency.isredeemable-agrees"},
    "v2-by-id-as-it-is-upper": {"filters.code-case.getCustomerCouponsByIdV2.AS_IT_IS"},
    "v2-by-id-no-coupons-for-everyone": {"consistency.same-coupons"},
    "v2-by-id-negative-id-accepted": {"errors.by-id.negative"},
    "v2-by-id-not-found-410": {"errors.by-id.unknown"},
    "v2-by-id-no-coupons-200": {"errors.by-id-no-coupons"},
    "all-credentials-unchecked": {f"security.refused.{op}.none" for op in ALL},
    "v2-token-unchecked": {f"security.refused.{op}.wrong-token" for op in (V2C, V2L, V2ID)},
    "v11-password-unchecked": {f"security.refused.{op}.wrong-password" for op in (V11, RED)},
}
# Faults that deviate only where the docs are silent would be readings (mock/readings.py), not faults.
DOCS_SILENT: dict[str, str] = {}
NOT_BREAKING = {"v2-list-field-added", "v2-list-discount-type-new-value"}
# Within the contract in every answer, so no run fails on it: the diff against the faithful baseline is what
# catches it, as an error (oasdiff's response-property-became-optional is one too).
DIFF_ONLY = {"v2-list-reversed-redemptions-sometimes-missing": ("entity.customers[].coupons[].reversedRedemptions", "became optional")}


def test_every_fault_names_what_catches_it() -> None:
    assert set(FAULTED_PATH) | set(CAUGHT_BY) | set(DOCS_SILENT) | NOT_BREAKING | set(DIFF_ONLY) == set(FAULTS)
    assert all(check in CHECKS for checks in CAUGHT_BY.values() for check in checks)


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_fault_fails_the_check_named_for_it(name: str, outcomes) -> None:
    fault = FAULTS[name]
    code, drift, output, shapes, signoff = outcomes[name]
    failed = set(signoff.get("failed_checks", []))
    if name in FAULTED_PATH:
        assert code == 1, f"{name}: exit {code}, expected 1\n{output}"
        assert failed == {f"schema.{op}" for op in fault.operations}, f"{name}: failed {sorted(failed)}"
        breaking = {f["path"] for f in drift["findings"] if f["severity"] == "error"}
        named = {f["path"] for f in drift["findings"]}
        assert breaking and FAULTED_PATH[name] in named, f"{name}: no finding names {FAULTED_PATH[name]!r}: {sorted(named)}"
    elif name in CAUGHT_BY:
        assert code == 1, f"{name}: exit {code}, expected 1\n{output}"
        assert CAUGHT_BY[name] <= failed, f"{name}: {sorted(CAUGHT_BY[name] - failed)} did not fail (failed: {sorted(failed)})\n{output}"
    elif name in DIFF_ONLY:
        assert code == 5 and not failed and not drift["findings"], f"{name}: a run must not fail on an answer the contract allows\n{output}"
        path, change = DIFF_ONLY[name]
        changes = compare_shapes(outcomes[f"{FAITHFUL} shape"][3], shapes, operations={LABELS["getCustomerCouponsV2"]}, closed=CLOSED)
        assert [(c.path, c.change, c.severity.value) for c in changes if c.severity.value != "info"] == [(path, change, "error")], [c.line() for c in changes]
    elif name in DOCS_SILENT:
        assert code == 5 and not failed, f"{name}: failed {sorted(failed)} where the docs are silent\n{output}"
    elif name == "v2-list-discount-type-new-value":
        # A value never seen before is visible against a baseline: the faithful run's shapes.
        assert code == 5 and not failed, f"{name}: a new value of an open field must not fail the run\n{output}"
        changes = compare_shapes(outcomes[f"{FAITHFUL} shape"][3], shapes, operations={LABELS["getCustomerCouponsV2"]})
        assert any(c.change == "value new" and c.new == "BOGO" for c in changes), [c.line() for c in changes]
    else:
        assert code == 5 and not failed, f"{name}: a non-breaking fault failed the run\n{output}"
        assert {f["severity"] for f in drift["findings"]} == {"info"}
        assert [f["path"] for f in drift["findings"]] == ["entity.customers[].coupons[].tier"]


def test_a_retyping_fault_is_a_breaking_finding_naming_the_field(outcomes) -> None:
    code, drift, _, _, _ = outcomes["v11-coupon-id-as-number"]
    assert code == 1
    assert [(f["path"], f["kind"], f["severity"]) for f in drift["findings"]] == [
        ("response.customers.customer[].coupons.coupon[].id", "type changed", "error")
    ]


def test_caught_figure() -> None:
    """The figure in docs/checking.md: every fault but the docs-silent and the non-breaking ones fails the
    check named for it (test_fault_fails_the_check_named_for_it holds each of them to exit 1)."""
    caught = set(FAULTED_PATH) | set(CAUGHT_BY)
    assert sorted(set(FAULTS) - caught) == sorted(set(DOCS_SILENT) | NOT_BREAKING | set(DIFF_ONLY))
    assert len(FAULTS) == 59 and len(caught) == 56 and len(DIFF_ONLY) == 1


@pytest.mark.parametrize("name", sorted(n for n in FAULTS if FAULTS[n].family == "shape" and n != "all-content-type-text"))
def test_shape_fault_shows_in_a_diff_against_the_faithful_baseline(name: str, outcomes) -> None:
    """The vendor-release check: every shape fault is a change `coupon-contracts diff` reports."""
    labels = {LABELS[op] for op in FAULTS[name].operations}
    changes = compare_shapes(outcomes[f"{FAITHFUL} shape"][3], outcomes[name][3], operations=labels, closed=CLOSED)
    assert changes, f"{name}: no change between the faithful run and the faulty one"
    if FAULTS[name].is_breaking:
        assert any(c.is_breaking for c in changes), [c.line() for c in changes]


def test_a_faithful_run_against_one_of_another_seed_reports_nothing(outcomes, tmp_path) -> None:
    """Other cases reach other coupons, so values seen may differ (info, the changelog); nothing more."""
    from coupon_contracts.drift import diff_runs
    from coupon_contracts.severity import SeverityPolicy

    other = run_cli("run", reports=tmp_path, env={"COUPON_CONTRACTS_PROFILE": "quick", "COUPON_CONTRACTS_SEED": "11"})
    assert other.code == 0, other.output[-3000:]
    changed = diff_runs(outcomes[FAITHFUL][3], other.report("observed-shapes.json"), closed=CLOSED, policy=SeverityPolicy())
    assert changed.lines() == [] and changed.errors == 0, changed.lines(changelog=True)
