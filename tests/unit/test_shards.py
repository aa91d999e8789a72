"""A run split with `--shard K/N` across jobs and merged with `coupon-contracts merge` says what one run
says: the same verdict, the same tallies of every check, the same findings; a share holds no secret."""

from __future__ import annotations

import json
import re

import pytest

from .suite_runs import run_cli

pytestmark = pytest.mark.xdist_group("shards")  # one module fixture of four runs: one worker makes it

FAULT = "isredeemable-redemptions-left-missing"  # one breaking finding and failed checks to compare


def _run(reports, *args: str) -> int:
    done = run_cli(*args, reports=reports, env={"COUPON_CONTRACTS_PROFILE": "quick", "COUPON_CONTRACTS_MOCK_FAULTS": FAULT})
    (reports / "console.txt").write_text(done.output) if reports.is_dir() else None
    return done.code


def _tests(reports) -> int:
    """How many tests the run's verdict line counts (passed, failed, not checked, skipped)."""
    line = next(line for line in (reports / "console.txt").read_text().splitlines() if "(exit " in line)
    return sum(int(n) for n in re.findall(r"(\d+) (?:passed|failed|not checked|skipped)", line))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("shards")
    shard_codes = [_run(base / f"s{k}", "run", "--shard", f"{k}/3") for k in (1, 2, 3)]
    merged = _run(base / "merged", "merge", *(str(base / f"s{k}") for k in (1, 2, 3)))
    single = _run(base / "single", "run")
    return base, shard_codes, merged, single


def _tallies(signoff: dict) -> dict:
    return {(o["operationId"], family): {k: v for k, v in tally.items() if k != "requests"} for o in signoff["operations"] for family, tally in o["checks"].items()}


def test_the_merge_says_what_one_run_says(runs) -> None:
    base, _, merged, single = runs
    one, whole = (json.loads((base / name / "signoff.json").read_text()) for name in ("single", "merged"))
    assert merged == single == 1 and whole["verdict"] == one["verdict"] == "NO-GO"
    assert whole["failed_checks"] == one["failed_checks"] and whole["failed_checks"]
    assert _tallies(whole) == _tallies(one)
    assert [u["check"] for u in whole["not_checked"]] == [u["check"] for u in one["not_checked"]]
    keys = lambda name: sorted((f["operation"], f["status"], f["path"], f["kind"]) for f in json.loads((base / name / "drift.json").read_text())["findings"])  # noqa: E731
    assert keys("merged") == keys("single") and keys("single")


def test_each_shard_runs_its_share_and_leaves_no_secret(runs) -> None:
    base, shard_codes, _, _ = runs
    verdicts = [json.loads((base / f"s{k}" / "signoff.json").read_text())["verdict"] for k in (1, 2, 3)]
    assert shard_codes == [1 if verdict == "NO-GO" else 0 for verdict in verdicts]  # INCOMPLETE alone: the merge decides
    tests_run = [_tests(base / f"s{k}") for k in (1, 2, 3)]
    assert sum(tests_run) == _tests(base / "single") > 0  # every test in one share, none twice
    assert max(tests_run) - min(tests_run) <= 1  # every job a third of them
    text = "".join((base / f"s{k}" / "share.json").read_text() for k in (1, 2, 3))
    assert "mock-secret-1" not in text and "secrets" not in json.loads((base / "s1" / "share.json").read_text())


def test_a_missing_or_foreign_shard_is_one_line_naming_it(runs, capsys) -> None:
    from coupon_contracts.cli import main

    base = runs[0]
    assert main(["merge", str(base / "s1"), str(base / "s2"), "--reports", str(base / "m2")]) == 2
    assert "shard 3/3 missing" in capsys.readouterr().err
    assert main(["merge", str(base / "s1"), str(base / "s1"), str(base / "s2"), "--reports", str(base / "m3")]) == 2
    assert "shard 1/3 again" in capsys.readouterr().err
    assert main(["merge", str(base / "single"), "--reports", str(base / "m4")]) == 2
    assert "share.json: not found" in capsys.readouterr().err


def test_the_merge_judges_the_shares_by_the_runs_severities(runs) -> None:
    """The findings come from the shards; their severity is the merging run's (COUPON_CONTRACTS_SEVERITY)."""
    base = runs[0]
    env = {"COUPON_CONTRACTS_PROFILE": "quick", "COUPON_CONTRACTS_SEVERITY": "missing required field=warning"}
    done = run_cli("merge", *(str(base / f"s{k}") for k in (1, 2, 3)), reports=base / "m-severity", env=env)
    findings = done.report("drift.json")["findings"]
    assert findings and {f["severity"] for f in findings if f["kind"] == "missing required field"} == {"warning"}, findings


def test_the_merge_takes_the_shards_release_label_and_refuses_two(runs, capsys) -> None:
    """Shards run with COUPON_API_RELEASE; a merge step without it still files the run under that release."""
    import shutil

    from coupon_contracts.cli import main

    base = runs[0]
    for k, label in ((1, "S1"), (2, "S1"), (3, "S1")):
        shutil.copytree(base / f"s{k}", base / f"r{k}", dirs_exist_ok=True)
        share = json.loads((base / f"r{k}" / "share.json").read_text())
        (base / f"r{k}" / "share.json").write_text(json.dumps(share | {"release": label}))
    done = run_cli("merge", *(str(base / f"r{k}") for k in (1, 2, 3)), reports=base / "m-release", env={"COUPON_CONTRACTS_PROFILE": "quick"})
    assert done.report("signoff.json")["releases"]["label"] == "S1", done.output[-2000:]
    named = run_cli("merge", *(str(base / f"r{k}") for k in (1, 2, 3)), "--release", "M1", "--history", str(base / "h-m1"), reports=base / "m-named",
                    env={"COUPON_CONTRACTS_PROFILE": "quick"})  # fmt: skip
    assert named.report("signoff.json")["releases"]["label"] == "M1" and (base / "h-m1" / "runs.jsonl").is_file(), named.output[-2000:]
    share = json.loads((base / "r3" / "share.json").read_text())
    (base / "r3" / "share.json").write_text(json.dumps(share | {"release": "S2"}))
    assert main(["merge", *(str(base / f"r{k}") for k in (1, 2, 3)), "--reports", str(base / "m-two")]) == 2
    assert "release 'S2', but" in capsys.readouterr().err


def test_the_merge_marks_known_failures_by_its_own_file_only(runs, tmp_path) -> None:
    """A shard judged with an entry the merge does not have (or that expired since) is not known in the
    merged junit.xml or Allure results; one the merge has is marked once, and counted as known."""
    import shutil
    from datetime import date, timedelta

    from coupon_contracts.known import KnownDeviation
    from coupon_contracts.reporting.allure_results import mark_known
    from coupon_contracts.reporting.junit import mark_known_cases

    base = runs[0]
    failed = json.loads((base / "merged" / "signoff.json").read_text())["failed_checks"][0]
    later = date.today() + timedelta(days=30)
    entry = KnownDeviation("KD-1", "r", "VEND-1", later, check=failed)
    for k in (1, 2, 3):
        shutil.copytree(base / f"s{k}", tmp_path / f"k{k}")
        mark_known_cases(tmp_path / f"k{k}" / "junit.xml", {failed: entry})  # as a shard with that file marks them
        mark_known(tmp_path / f"k{k}" / "allure-results", {failed: entry})
    shards = [str(tmp_path / f"k{k}") for k in (1, 2, 3)]
    plain = run_cli("merge", *shards, reports=tmp_path / "plain", env={"COUPON_CONTRACTS_PROFILE": "quick"})
    assert plain.code == 1 and "known_deviation" not in (tmp_path / "plain" / "junit.xml").read_text()
    results = "".join(p.read_text() for p in (tmp_path / "plain" / "allure-results").glob("*-result.json"))
    assert '"known": true' not in results and "known deviation: KD-1" not in results
    (tmp_path / "kd.yaml").write_text(f"deviations:\n  - id: KD-1\n    check: {failed}\n    reason: r\n    ticket: VEND-1\n    expires: {later}\n")
    known = run_cli("merge", *shards, reports=tmp_path / "known", env={"COUPON_CONTRACTS_PROFILE": "quick", "COUPON_CONTRACTS_KNOWN_DEVIATIONS": str(tmp_path / "kd.yaml")})
    junit = (tmp_path / "known" / "junit.xml").read_text()
    assert junit.count('name="known_deviation"') == junit.count("[known deviation KD-1") >= 1
    assert re.search(r"tests: \d+ passed, \d+ failed \(1 known\)", known.output), known.output[-1500:]  # the shards' failed tests, counted


@pytest.mark.parametrize("cut", ["allure-results", "junit.xml"])
def test_a_shard_file_cut_short_is_one_line_and_nothing_is_written(runs, tmp_path, capsys, cut) -> None:
    """A killed job's half-written file: the merge names it (exit 2) before it writes a report or the history."""
    import shutil

    from coupon_contracts.cli import main

    base = runs[0]
    for k in (1, 2, 3):
        shutil.copytree(base / f"s{k}", tmp_path / f"c{k}")
    victim = next((tmp_path / "c2" / "allure-results").glob("*-result.json")) if cut == "allure-results" else tmp_path / "c2" / "junit.xml"
    victim.write_bytes(victim.read_bytes()[:100])
    assert main(["merge", *(str(tmp_path / f"c{k}") for k in (1, 2, 3)), "--reports", str(tmp_path / "m"), "--history", str(tmp_path / "h")]) == 2
    err = capsys.readouterr().err.strip()
    assert str(victim) in err and "run that shard again" in err and len(err.splitlines()) == 1, err
    assert not (tmp_path / "h").exists() and not (tmp_path / "m" / "signoff.md").exists()


def test_a_merge_has_one_drift_summary_however_often_it_is_merged(runs, tmp_path) -> None:
    shards = [str(runs[0] / f"s{k}") for k in (1, 2, 3)]
    for _ in range(2):
        run_cli("merge", *shards, reports=tmp_path / "m", env={"COUPON_CONTRACTS_PROFILE": "quick"})
    summaries = [p for p in (tmp_path / "m" / "allure-results").glob("*-result.json") if json.loads(p.read_text())["name"] == "Schema drift summary"]
    assert len(summaries) == 1


def test_a_share_written_before_release_labels_is_told_apart_in_one_line(runs, tmp_path, capsys) -> None:
    """A share of an older version has no `release`: against a labelled one, one line, not a KeyError."""
    import shutil

    from coupon_contracts.cli import main

    base = runs[0]
    for k in (1, 2, 3):
        shutil.copytree(base / f"s{k}", tmp_path / f"o{k}")
    share = json.loads((tmp_path / "o1" / "share.json").read_text())
    share.pop("release", None)
    (tmp_path / "o1" / "share.json").write_text(json.dumps(share))
    share = json.loads((tmp_path / "o2" / "share.json").read_text())
    (tmp_path / "o2" / "share.json").write_text(json.dumps(share | {"release": "S1"}))
    assert main(["merge", *(str(tmp_path / f"o{k}") for k in (1, 2, 3)), "--reports", str(tmp_path / "m")]) == 2
    err = capsys.readouterr().err.strip()
    assert "release 'S1', but" in err and "has None" in err and len(err.splitlines()) == 1, err
