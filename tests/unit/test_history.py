"""Release after release: each run joins the history the CI keeps; the sign-off says what is new, fixed
and unchanged since the last release and lists the releases; the HTML report's trend shows each one."""

from __future__ import annotations

import base64
import json
import re

import pytest

from coupon_contracts.cli import main
from coupon_contracts.history import History

from .suite_runs import run_cli

FAULT = "isredeemable-redemptions-left-missing"  # one error finding, and failed checks
pytestmark = pytest.mark.xdist_group("history")  # one module fixture of three runs: one worker makes it


def _run(tmp_path, name: str, release: str, *, faults: str = ""):
    env = {"COUPON_CONTRACTS_PROFILE": "quick", "COUPON_API_RELEASE": release, "COUPON_CONTRACTS_HISTORY": str(tmp_path / "history")}
    return run_cli("run", reports=tmp_path / name, env=env | ({"COUPON_CONTRACTS_MOCK_FAULTS": faults} if faults else {}))


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    base = tmp_path_factory.mktemp("releases")
    runs = [_run(base, "a", "2026.11.0"), _run(base, "b", "2026.12.0", faults=FAULT), _run(base, "c", "2027.01.0")]
    return base, runs


def test_the_first_run_has_nothing_to_compare_with(releases) -> None:
    releases_of = releases[1][0].report("signoff.json")["releases"]
    assert releases_of["release"] == "2026.11.0" and releases_of["since_last_release"] is None
    assert "nothing to compare with yet" in (releases[0] / "a" / "signoff.md").read_text()


def test_what_a_release_broke_is_new_and_then_fixed(releases) -> None:
    base, (_, broken, mended) = releases
    since = broken.report("signoff.json")["releases"]["since_last_release"]
    assert since["previous"]["release"] == "2026.11.0"
    assert since["findings"]["new"] and not since["findings"]["fixed"] and since["failed_checks"]["new"]
    assert any("field gone" in line or "became optional" in line for line in since["shape_changes"]), since["shape_changes"]
    again = mended.report("signoff.json")["releases"]["since_last_release"]
    assert again["previous"]["release"] == "2026.12.0"
    assert again["findings"]["fixed"] == since["findings"]["new"] and again["failed_checks"]["fixed"] == since["failed_checks"]["new"]
    table = mended.report("signoff.json")["releases"]["releases"]
    assert [(r["release"], r["verdict"]) for r in table] == [("2027.01.0", "GO"), ("2026.12.0", "NO-GO"), ("2026.11.0", "GO")]
    assert "| 2026.12.0 |" in (base / "c" / "signoff.md").read_text()


def test_the_history_holds_counts_and_keys_only(releases) -> None:
    base = releases[0]
    history = History.read(base / "history")
    assert [r.release for r in history.runs] == ["2026.11.0", "2026.12.0", "2027.01.0"]
    text = (base / "history" / "runs.jsonl").read_text()
    assert "mock-secret" not in text and "curl" not in text


@pytest.mark.parametrize("end", ["\n", ""], ids=["line-ended", "cut-mid-line"])
def test_a_torn_history_line_is_skipped_and_counted(tmp_path, end) -> None:
    """A job killed mid-write leaves half a line, perhaps without its newline: the next run's line is still whole."""
    (tmp_path / "history").mkdir()
    (tmp_path / "history" / "runs.jsonl").write_text("[" * 100_000 + "]" * 100_000 + "\n" + '{"release": "x", "tim' + end, encoding="utf-8")
    done = _run(tmp_path, "r", "1")
    assert done.code == 0 and done.report("signoff.json")["releases"]["unreadable_history_lines"] == 2  # a crafted line too deep, and the torn one
    history = History.read(tmp_path / "history")
    assert [r.release for r in history.runs] == ["1"] and history.unreadable == 2


@pytest.mark.parametrize("label", ["1.0\nrm -rf", "a|b", "<script>", "x" * 101])
def test_a_release_label_that_would_break_a_report_is_refused(tmp_path, capsys, monkeypatch, label) -> None:
    """A label stands in markdown tables and the HTML page: one line of a build number's characters."""
    monkeypatch.setenv("COUPON_API_RELEASE", label)
    assert main(["run", "--reports", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "COUPON_API_RELEASE" in err and "is not a release label" in err and len(err.splitlines()) == 1


def test_a_build_number_or_version_is_a_release_label() -> None:
    from coupon_contracts.setting_values import Given, release

    for label in ("2026.12.0", "build 4711", "v2.3.1-rc.1+g1a2b", "nightly-118", "release/2026-12 (EU)"):
        assert release(Given(label, "COUPON_API_RELEASE")) == label


def test_two_releases_render_a_trend_that_shows_both(releases) -> None:
    from coupon_contracts.reporting.allure_report import TOOLS_DIR

    if not (TOOLS_DIR / "node_modules" / "allure" / "package.json").is_file():
        pytest.fail(f"the renderer is not installed in {TOOLS_DIR}: `make test` installs it (make renderer)")
    base = releases[0]
    for name in ("a", "b", "c"):  # the CI renders after each run
        assert main(["report", "--reports", str(base / name)]) == 0
    with (base / "history" / "allure-history.jsonl").open("a") as torn:
        torn.write('{"uuid": "x", "name": "coupon-contracts, rel')  # a job killed mid-write: the next render goes on
    assert main(["report", "--reports", str(base / "b")]) == 0  # again, after c: its point is replaced, in its run's place
    html = (base / "b" / "allure-report" / "index.html").read_text(encoding="utf-8")
    trend = json.loads(base64.b64decode(re.search(r'd\("widgets/history-trend\.json","([^"]+)"\)', html).group(1)))
    assert [point["reportName"] for point in trend] == ["coupon-contracts, release 2026.12.0", "coupon-contracts, release 2026.11.0"]
    kept = [json.loads(line)["name"] for line in (base / "history" / "allure-history.jsonl").read_text().splitlines()]
    assert kept == [f"coupon-contracts, release {r}" for r in ("2026.11.0", "2026.12.0", "2027.01.0")]
    cases = [json.loads(base64.b64decode(data)) for data in re.findall(r'd\("data/test-cases/[^"]+\.json","([^"]+)"\)', html)]
    (summary,) = [case for case in cases if case["name"] == "Schema drift summary"]
    table = summary["descriptionHtml"]  # the drift counts of each release, in the page
    assert table.index("<td>2026.12.0</td><td>") < table.index("<td>2026.11.0</td><td>") and "<th>drift error</th>" in table


def test_a_history_that_is_a_file_stops_the_run_before_it_sends_anything(tmp_path, capsys, monkeypatch) -> None:
    (tmp_path / "history").write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("COUPON_CONTRACTS_HISTORY", str(tmp_path / "history"))
    assert main(["run", "--reports", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip()
    assert "COUPON_CONTRACTS_HISTORY (or --history):" in err and "is a file, not a folder" in err and len(err.splitlines()) == 1


def test_the_sign_off_names_the_history_folder_wherever_report_is_run_from(releases) -> None:
    from pathlib import Path

    recorded = Path(releases[1][0].report("signoff.json")["releases"]["history"])
    assert recorded.is_absolute() and recorded == (releases[0] / "history").absolute()


def _series_id_shapes() -> list[dict]:
    """The by-id example's observed shapes with seriesId sent as a string, then as the integer the contract says."""
    import copy

    from coupon_contracts.drift import ObservedShapes
    from coupon_contracts.operations import V2ID, label_of

    from .conftest import ROOT

    example = json.loads((ROOT / "contracts/examples/v2-customers-customerId-coupons.200.json").read_text())
    broken = copy.deepcopy(example)
    for coupon in broken["entity"]:
        coupon["seriesId"] = str(coupon["seriesId"])
    shapes = []
    for body in (broken, example):
        observed = ObservedShapes()
        observed.observe(label_of(V2ID), 200, body)
        shapes.append(observed.as_dict())
    return shapes


def test_a_release_that_mends_a_finding_is_back_to_the_contract_not_an_error() -> None:
    """Release 1.2 sent seriesId as a string, 1.4 an integer again: the shape changed, and that is the fix."""
    from coupon_contracts.drift import RunDiff, compare_shapes
    from coupon_contracts.history import RunSummary, since_last_release
    from coupon_contracts.operations import V2C, V2ID, label_of

    shapes = _series_id_shapes()
    finding = f"{label_of(V2ID)} 200 entity[].seriesId: type changed"
    before = RunSummary("1.2", "t1", "NO-GO", "staging", {}, {}, [finding], ["schema.getCustomerCouponsByIdV2"], profile="quick")
    after = RunSummary("1.4", "t2", "GO", "staging", {}, {}, [], [], profile="ci")
    since = since_last_release(before, after, RunDiff(compare_shapes(*shapes), [label_of(V2C)]))
    assert since["shape_changes"] == [] and len(since["back_to_the_contract"]) == 1 and "retyped" in since["back_to_the_contract"][0]
    assert since["findings"]["fixed"] == [finding] and since["not_compared"] == [label_of(V2C)]
    assert (since["previous"]["profile"], since["profile"]) == ("quick", "ci")


def _summary(release: str, *, failed=(), known=(), findings=(), known_findings=(), checked=None, answered=None):
    from coupon_contracts.history import RunSummary

    return RunSummary(release, "t", "GO", "staging", {}, {}, sorted(findings), sorted(failed), known_checks=sorted(known),
                      known_findings=sorted(known_findings), checked=checked, answered=answered)  # fmt: skip


def test_a_failure_a_known_deviation_excuses_is_unchanged_not_fixed() -> None:
    """R1 failed filters.v2-paging; R2 fails it too, excused by a known deviation: still failing, never 'fixed'."""
    from coupon_contracts.history import since_last_release

    since = since_last_release(_summary("R1", failed=["filters.v2-paging"]), _summary("R2", known=["filters.v2-paging"]), None)
    assert since["failed_checks"]["unchanged"] == ["filters.v2-paging"] and since["failed_checks"]["known"] == ["filters.v2-paging"]
    assert not since["failed_checks"]["fixed"] and not since["failed_checks"]["new"]
    back = since_last_release(_summary("R2", known=["filters.v2-paging"]), _summary("R3", failed=["filters.v2-paging"]), None)
    assert back["failed_checks"]["unchanged"] == ["filters.v2-paging"] and not back["failed_checks"]["new"]  # its entry expired


def test_what_this_run_did_not_check_again_is_not_compared_not_fixed() -> None:
    """R6 ran one operation only: R5's failures elsewhere are not known to be fixed."""
    from coupon_contracts.history import since_last_release
    from coupon_contracts.operations import V2C, V11, label_of

    finding = f"{label_of(V2C)} 200 data[].seriesId: type changed"
    before = _summary("R5", failed=["filters.v2-paging", "schema.getCustomerCouponsV11"], findings=[finding])
    after = _summary("R6", checked=["schema.getCustomerCouponsV11"], answered=[f"{label_of(V11)} 200"])
    since = since_last_release(before, after, None)
    assert since["failed_checks"]["fixed"] == ["schema.getCustomerCouponsV11"] and since["failed_checks"]["not_compared"] == ["filters.v2-paging"]
    assert since["findings"]["not_compared"] == [finding] and not since["findings"]["fixed"]
    again = since_last_release(before, _summary("R7", checked=["filters.v2-paging"], answered=[f"{label_of(V2C)} 200"]), None)
    assert again["findings"]["fixed"] == [finding] and "filters.v2-paging" in again["failed_checks"]["fixed"]


def test_a_finding_whose_field_this_run_never_saw_is_not_fixed() -> None:
    """R2's customer has no coupon on v2/coupon: data[].seriesId was not seen, so its type is not known to be fixed."""
    from coupon_contracts.drift import ObservedShapes
    from coupon_contracts.history import since_last_release
    from coupon_contracts.operations import V2C, label_of

    from .conftest import ROOT

    example = json.loads((ROOT / "contracts/examples/v2-coupon.200.upper.json").read_text())
    finding = f"{label_of(V2C)} 200 data[].seriesId: type changed"
    empty, full = ObservedShapes(), ObservedShapes()
    empty.observe(label_of(V2C), 200, {**example, "data": []})
    full.observe(label_of(V2C), 200, example)
    before = _summary("N1", findings=[finding])
    since = since_last_release(before, _summary("N2"), None, observed=empty.as_dict())
    assert since["findings"]["not_compared"] == [finding] and not since["findings"]["fixed"]
    since = since_last_release(before, _summary("N3"), None, observed=full.as_dict())
    assert since["findings"]["fixed"] == [finding]


def test_a_type_back_to_the_contract_is_listed_as_such(contract) -> None:
    """S1 sent seriesId as a string, S2 an integer again: the sign-off lists the change as back to the contract."""
    from coupon_contracts.drift import closed_value_fields, diff_runs
    from coupon_contracts.history import since_last_release
    from coupon_contracts.severity import SeverityPolicy

    shapes = _series_id_shapes()
    changes = diff_runs(*shapes, closed=closed_value_fields(contract), policy=SeverityPolicy())
    since = since_last_release(_summary("S1"), _summary("S2"), changes, observed=shapes[1])  # no finding kept: only the contract says it
    assert since["shape_changes"] == [] and len(since["back_to_the_contract"]) == 1 and "back to the contract" in since["back_to_the_contract"][0]


def test_two_runs_in_one_second_keep_their_own_shapes(tmp_path) -> None:
    from coupon_contracts.redaction import Redactor

    history = History(tmp_path / "h")
    for release, body in (("R7", '{"operations": {"a": {}}}'), ("R8", '{"operations": {"b": {}}}')):
        (tmp_path / f"{release}.json").write_text(body)
        history.append(_summary(release), tmp_path / f"{release}.json", Redactor())
    read = History.read(tmp_path / "h")
    assert [list(read.shapes_of(r)["operations"]) for r in read.runs] == [["a"], ["b"]]


def test_what_a_run_did_not_look_at_is_carried_to_the_next() -> None:
    """N2 saw no coupon on v2/coupon: N1's finding is carried, so N3 finds it unchanged, or fixed."""
    from dataclasses import replace

    from coupon_contracts.drift import ObservedShapes
    from coupon_contracts.history import since_last_release
    from coupon_contracts.operations import V2C, label_of

    from .conftest import ROOT

    example = json.loads((ROOT / "contracts/examples/v2-coupon.200.upper.json").read_text())
    empty, full = ObservedShapes(), ObservedShapes()
    empty.observe(label_of(V2C), 200, {**example, "data": []})
    full.observe(label_of(V2C), 200, example)
    finding = f"{label_of(V2C)} 200 data[].seriesId: type changed"
    n1 = _summary("N1", findings=[finding], failed=["schema.getCouponsV2"])
    since = since_last_release(n1, _summary("N2", checked=[]), None, observed=empty.as_dict())
    n2 = replace(_summary("N2", checked=[]), carried_findings=since["findings"]["not_compared"], carried_checks=since["failed_checks"]["not_compared"])
    again = since_last_release(n2, _summary("N3", findings=[finding], failed=["schema.getCouponsV2"]), None, observed=full.as_dict())
    assert again["findings"]["unchanged"] == [finding] and again["failed_checks"]["unchanged"] == ["schema.getCouponsV2"] and not again["findings"]["new"]
    mended = since_last_release(n2, _summary("N3"), None, observed=full.as_dict())
    assert mended["findings"]["fixed"] == [finding] and mended["failed_checks"]["fixed"] == ["schema.getCouponsV2"]
