"""Known deviations: recorded once with a ticket and a day; until then known in every report and not
NO-GO, from that day NO-GO naming the entry; an entry that matched nothing is stale; a wrong file is
one line naming its line.
A run's severities excuse or block the same way: a kind lowered below error fails nothing, one raised
to error makes NO-GO."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from coupon_contracts.checks import CHECKS
from coupon_contracts.cli import main
from coupon_contracts.operations import V2C, V2ID, V2L, label_of

from .suite_runs import run_cli

FAULT = "v11-limit-ignored"  # fails filters.v11-limit and filters.v11-default-limit
LATER, PAST = (date.today() + timedelta(days=90)).isoformat(), (date.today() - timedelta(days=1)).isoformat()


def _file(tmp_path, *entries: str) -> str:
    path = tmp_path / "known-deviations.yaml"
    path.write_text("deviations:\n" + "".join(entries) if entries else "deviations: []\n", encoding="utf-8")
    return str(path)


def _entry(entry_id: str, expires: str, **matches: str) -> str:
    lines = [f"  - id: {entry_id}\n", *(f"    {k}: \"{v}\"\n" for k, v in matches.items())]
    return "".join(lines) + f"    reason: the vendor knows\n    ticket: VEND-{entry_id[-1]}\n    expires: {expires}\n"


def _run(tmp_path, known: str, *, faults: str = FAULT, part: str = ""):
    """A quick run; `part`: only that operation's checks (INCOMPLETE at best), where the verdict's GO is not the point."""
    env = {"COUPON_CONTRACTS_PROFILE": "quick", "COUPON_CONTRACTS_KNOWN_DEVIATIONS": known} | ({"COUPON_CONTRACTS_MOCK_FAULTS": faults} if faults else {})
    return run_cli("run", reports=tmp_path / "reports", env=env | ({"COUPON_CONTRACTS_OPERATIONS": part} if part else {}))


def test_a_known_deviation_that_matches_is_known_with_its_ticket_and_not_no_go(tmp_path) -> None:
    known = _file(tmp_path, _entry("KD-1", LATER, check="filters.v11-limit"), _entry("KD-2", LATER, check="filters.v11-default-limit"))
    done = _run(tmp_path, known)
    signoff = done.report("signoff.json")
    assert (done.code, signoff["verdict"]) == (0, "GO"), done.output[-3000:]
    assert signoff["excused_checks"] == ["filters.v11-default-limit", "filters.v11-limit"]
    assert [(m["id"], m["ticket"], m["count"]) for m in signoff["known_deviations"]["matched"]] == [("KD-1", "VEND-1", 1), ("KD-2", "VEND-2", 1)]
    assert "known deviations: 2 matched (KD-1 VEND-1, KD-2 VEND-2)" in done.output and "known deviations aside" in done.output
    assert "## Known deviations" in (tmp_path / "reports" / "signoff.md").read_text()
    assert signoff["reasons"] == [f"all {len(CHECKS)} checks ran on real data; 2 failed check(s) "
                                  "(filters.v11-default-limit, filters.v11-limit) are known deviations (see Known deviations), the rest held"]
    tests = re.search(r"tests: \d+ passed, (\d+) failed \((\d+) known\)", done.output)
    assert tests and tests.group(1) == tests.group(2), done.output[-2000:]  # failed tests, all of them known (tests, not checks)
    junit = (tmp_path / "reports" / "junit.xml").read_text()  # a CI's test report says it too
    assert f'name="known_deviation" value="KD-1 (VEND-1, until {LATER})"' in junit and "[known deviation KD-2 (VEND-2" in junit


def test_the_same_entry_past_its_day_is_no_go_naming_it(tmp_path) -> None:
    known = _file(tmp_path, _entry("KD-1", PAST, check="filters.v11-limit"), _entry("KD-2", LATER, check="filters.v11-default-limit"))
    done = _run(tmp_path, known)
    signoff = done.report("signoff.json")
    assert (done.code, signoff["verdict"]) == (1, "NO-GO")
    assert any(r.startswith(f"known deviation KD-1 (VEND-1) expired on {PAST}") for r in signoff["reasons"]), signoff["reasons"]
    assert f"EXPIRED: KD-1 (VEND-1, {PAST})" in done.output


def test_an_expired_entry_is_no_go_even_when_the_vendor_fixed_it(tmp_path) -> None:
    """The file must be cleaned: a past day is NO-GO whatever the run found."""
    done = _run(tmp_path, _file(tmp_path, _entry("KD-1", PAST, check="filters.v11-limit")), faults="", part="getCustomerCouponsV11")
    assert (done.code, done.report("signoff.json")["verdict"]) == (1, "NO-GO")
    assert "NO-GO: a known deviation is past the day it was to be fixed by" in done.output


def test_an_entry_that_matched_nothing_is_stale(tmp_path) -> None:
    done = _run(tmp_path, _file(tmp_path, _entry("KD-1", LATER, check="filters.v2-paging")), faults="", part="getCustomerCouponsV2")
    signoff = done.report("signoff.json")
    assert (done.code, signoff["verdict"]) == (5, "INCOMPLETE") and not signoff["failed_checks"]
    assert [s["id"] for s in signoff["known_deviations"]["stale"]] == ["KD-1"] and "1 stale, matched nothing: KD-1" in done.output


def test_a_finding_entry_excuses_the_finding_and_the_schema_check_it_failed(tmp_path) -> None:
    path = "response.customers.customer[].coupons.coupon[].id"
    done = _run(tmp_path, _file(tmp_path, _entry("KD-1", LATER, operation="getCustomerCouponsV11", kind="type changed", path=path)), faults="v11-coupon-id-as-number")
    signoff, drift = done.report("signoff.json"), done.report("drift.json")
    assert (done.code, signoff["verdict"]) == (0, "GO"), done.output[-3000:]
    assert signoff["excused_checks"] == ["schema.getCustomerCouponsV11"]
    assert [(f["path"], f["severity"], f["known"]["id"]) for f in drift["findings"]] == [(path, "error", "KD-1")]
    assert "drift: 1 error (1 known), 0 warning" in done.output
    results = [json.loads(p.read_text()) for p in (tmp_path / "reports" / "allure-results").glob("*-result.json")]
    known = [r for r in results if r.get("statusDetails", {}).get("known")]
    assert len(known) == 1 and any(label["value"] == f"known deviation: KD-1 (VEND-1, until {LATER})" for label in known[0]["labels"])


def test_a_kind_lowered_below_error_does_not_fail_the_schema_check_it_is_all_of(tmp_path) -> None:
    """`type changed=warning`: the finding is a warning, and the schema check that failed only on it holds."""
    env = {"COUPON_CONTRACTS_PROFILE": "quick", "COUPON_CONTRACTS_MOCK_FAULTS": "v2-coupon-series-id-as-string", "COUPON_CONTRACTS_OPERATIONS": "getCouponsV2"}
    lowered = run_cli("run", reports=tmp_path / "lowered", env=env | {"COUPON_CONTRACTS_SEVERITY": "type changed=warning"})
    signoff = lowered.report("signoff.json")
    assert (lowered.code, signoff["verdict"], signoff["failed_checks"]) == (5, "INCOMPLETE", []), lowered.output[-3000:]
    assert [(f["path"], f["severity"]) for f in lowered.report("drift.json")["findings"]] == [("data[].seriesId", "warning")]
    assert f"x): {label_of(V2C)} 200 at data[].seriesId: type changed" in lowered.output.split("coupon-contracts: warning (")[1]
    assert "severities changed by the severity setting (COUPON_CONTRACTS_SEVERITY, --severity or coupon-contracts.toml): type changed=warning" in (tmp_path / "lowered" / "signoff.md").read_text()
    as_is = run_cli("run", reports=tmp_path / "as-is", env=env)
    assert (as_is.code, as_is.report("signoff.json")["failed_checks"]) == (1, ["schema.getCouponsV2"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("deviations:\n  - id: KD-1\n    check: [nope\n", r"known-deviations\.yaml:3: invalid YAML"),
        ("deviations:\n" + _entry("KD-1", LATER, check="filters.nope"), r"known-deviations\.yaml:3: check 'filters\.nope' of 'KD-1' does not exist"),
        ("deviations:\n" + _entry("KD-1", LATER, check="filters.v11-limit", kind="type changed"), r"known-deviations\.yaml:2: entry 1: an entry matches either a failed check"),
        ("deviations:\n" + _entry("KD-1", LATER, check="filters.v11-limit") + _entry("KD-1", LATER, check="filters.v2-paging"), r"known-deviations\.yaml:7: id 'KD-1' is used twice"),
        ("deviations:\n" + _entry("KD-1", "31/01/2027", check="filters.v11-limit"), r"known-deviations\.yaml:6: entry 1: expires: '31/01/2027' is not a day"),
        ("deviations:\n" + _entry("KD-1", "2027-02-30", check="filters.v11-limit"), r"known-deviations\.yaml:6: entry 1: expires: '2027-02-30' is not a day of the calendar"),
        ("deviations:\n" + _entry("KD-1", LATER, check="filters.v11-limit").replace("    reason:", "    check: filters.v2-paging\n    reason:"),
         r"known-deviations\.yaml:4: 'check' is written twice here"),
        ("deviations:\n" + _entry("KD-1", LATER, kind="type changed") + _entry("KD-2", LATER, kind="type changed"), r"known-deviations\.yaml:7: 'KD-2' matches what 'KD-1' \(line 2\) matches"),
        ("- KD-1\n", r"known-deviations\.yaml:1: the file is a mapping with `deviations:`"),
        ("deviations:\n" + _entry("KD-1", LATER, check="filters.v11-limit").replace("    ticket: VEND-1\n", ""), r"known-deviations\.yaml:2: entry 1: 'ticket' is missing"),
        ("deviations:\n" + _entry("KD-1", LATER, check="filters.v11-limit").replace("    reason:", "   reason:"), r"known-deviations\.yaml:4: invalid YAML"),
        ("deviations:\n" + _entry("KD-1", LATER, check="filters.v11-limit").replace("    expires:", "    expirs:"),
         r"known-deviations\.yaml:6: entry 1: 'expirs' is not a key of an entry: did you mean 'expires'\?"),
        ("deviations:\n" + _entry("KD-1", LATER, path="*"), r"known-deviations\.yaml:2: path '\*' alone excuses every finding of every operation"),
    ],
    ids=["yaml", "unknown-check", "check-and-kind", "same-id", "bad-day", "no-such-day", "key-twice", "same-match", "a-list", "no-ticket", "indent", "typo", "star"],
)
def test_a_wrong_file_is_one_line_naming_the_line(tmp_path, capsys, monkeypatch, text, message) -> None:
    import re

    (tmp_path / "known-deviations.yaml").write_text(text, encoding="utf-8")
    for name in [n for n in __import__("os").environ if n.startswith("COUPON_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("COUPON_CONTRACTS_KNOWN_DEVIATIONS", str(tmp_path / "known-deviations.yaml"))
    assert main(["run", "--reports", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip()
    assert re.search(message, err) and len(err.splitlines()) == 1, err


def test_known_add_writes_an_entry_from_the_last_run(tmp_path, capsys) -> None:
    run = _run(tmp_path, _file(tmp_path), part="getCustomerCouponsV11")
    assert run.code == 1
    target = tmp_path / "mine.yaml"
    reports = str(tmp_path / "reports")
    args = ["known", "add", "--reports", reports, "--file", str(target), "--ticket", "VEND-9", "--expires", LATER, "--reason", "v1.1 ignores limit"]
    assert main([*args, "--check", "filters.v11-limit"]) == 0 and "added KD-1 (VEND-9" in capsys.readouterr().out
    assert main([*args, "--check", "filters.v2-paging"]) == 2
    assert "filters.v2-paging did not fail in that run" in capsys.readouterr().err
    done = _run(tmp_path, str(target), part="getCustomerCouponsV11")
    assert [m["id"] for m in done.report("signoff.json")["known_deviations"]["matched"]] == ["KD-1"]


def test_an_empty_file_has_no_entries_and_an_operation_alone_is_an_entry(tmp_path, contract) -> None:
    from coupon_contracts.known import known_deviations_for

    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing known yet\n", encoding="utf-8")
    assert known_deviations_for(empty, contract).entries == ()
    (entry,) = known_deviations_for(Path(_file(tmp_path, _entry("KD-1", LATER, operation="getCouponsV2"))), contract).entries
    assert (entry.operation, entry.kind, entry.path, entry.line) == ("getCouponsV2", None, None, 2)


def test_known_add_refuses_a_day_that_has_come_and_a_file_already_wrong(tmp_path, capsys) -> None:
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "signoff.json").write_text(json.dumps({"failed_checks": ["filters.v11-limit"]}), encoding="utf-8")
    target = tmp_path / "mine.yaml"
    args = ["known", "add", "--reports", str(tmp_path / "reports"), "--file", str(target), "--ticket", "V-1", "--reason", "r", "--check", "filters.v11-limit"]
    assert main([*args, "--expires", datetime.now(timezone.utc).date().isoformat()]) == 2
    assert "that day has come" in capsys.readouterr().err and not target.exists()
    target.write_text("deviations:\n" + _entry("KD-1", "2027-02-30", check="filters.v2-paging"), encoding="utf-8")
    assert main([*args, "--expires", LATER]) == 2
    assert "mine.yaml:6: entry 1: expires: '2027-02-30' is not a day" in capsys.readouterr().err
    assert "filters.v11-limit" not in target.read_text()


def test_a_kind_raised_to_error_makes_no_go(tmp_path) -> None:
    """`undocumented field=error`: a field the docs do not list blocks GO, though no check fails on it."""
    env = {"COUPON_CONTRACTS_PROFILE": "quick", "COUPON_CONTRACTS_MOCK_FAULTS": "v2-list-field-added", "COUPON_CONTRACTS_OPERATIONS": "getCustomerCouponsV2"}
    raised = run_cli("run", reports=tmp_path / "raised", env=env | {"COUPON_CONTRACTS_SEVERITY": "undocumented field=error"})
    signoff = raised.report("signoff.json")
    assert (raised.code, signoff["verdict"], signoff["failed_checks"]) == (1, "NO-GO", [])
    assert signoff["reasons"] == [f"{label_of(V2L)}: 1 drift finding(s) of severity error"]
    assert run_cli("run", reports=tmp_path / "as-is", env=env).code == 5  # info by default: only this part ran, so INCOMPLETE


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"deviations: &a\n  - *a\n", r"k\.yaml: nested too deep to check \(an alias that refers to itself\)"),
        (b"deviations: " + b"[" * 100_000 + b"\n", r"k\.yaml: nested too deep to read"),
        (b"deviations:\n  - id: KD-1\n    reason: caf\xe9\n", r"k\.yaml:3: not UTF-8 \(byte 0xe9\); save the file as UTF-8"),
        ("deviations: []\n".encode("utf-16"), r"k\.yaml: written in UTF-16"),
        (b"# x\n" * 300_000, r"k\.yaml: 1\.1 MiB; a known-deviations file is a short list"),
        (b"deviations: []\nother: 1\n", r"k\.yaml:2: 'other': not a key of the file"),
        (_entry("KD-1", LATER, check="filters.v11-limit").replace("the vendor knows", '"two\\nlines"').join(["deviations:\n", ""]).encode(), r"k\.yaml:4: entry 1: reason: one line"),
    ],
    ids=["alias-loop", "deep", "latin-1", "utf-16", "too-big", "extra-key", "two-line-reason"],
)
def test_no_file_ends_in_a_traceback(tmp_path, contract, data, message) -> None:
    import re

    from coupon_contracts.known import KnownDeviationsError, known_deviations_for

    (tmp_path / "k.yaml").write_bytes(data)
    with pytest.raises(KnownDeviationsError) as error:
        known_deviations_for(tmp_path / "k.yaml", contract)
    assert re.search(message, str(error.value)) and "\n" not in str(error.value), error.value


def test_a_bom_is_read_past(tmp_path, contract) -> None:
    from coupon_contracts.known import known_deviations_for

    (tmp_path / "k.yaml").write_bytes(b"\xef\xbb\xbf" + ("deviations:\n" + _entry("KD-1", LATER, check="filters.v11-limit")).encode())
    assert [e.id for e in known_deviations_for(tmp_path / "k.yaml", contract).entries] == ["KD-1"]


BLOCK = "  - id: A\n    check: filters.v2-paging\n    reason: r\n    ticket: T\n    expires: 2099-01-01\n"


@pytest.mark.parametrize(
    "layout",
    ["deviations: []  # none yet\n", "deviations: [ ]\n", "deviations:\n", "deviations: ~\n", "# nothing yet\n", "",
     "deviations:\n" + BLOCK.replace("\n  ", "\n").removeprefix("  "), "deviations:\n" + "".join("  " + line + "\n" for line in BLOCK.splitlines()) + "# the end\n",
     "# head\ndeviations:\n" + BLOCK + "\n# tail\n", "\ufeffdeviations: []\n", "deviations: # c\n", '"deviations":\n'],
    ids=["empty-flow-comment", "empty-flow-space", "null", "tilde", "comment-only", "no-file", "indent-0", "indent-4", "comments-around", "bom",
         "null-comment", "quoted-key"],
)  # fmt: skip
def test_known_add_edits_every_layout_a_run_reads(tmp_path, contract, layout) -> None:
    import yaml

    from coupon_contracts.known_add import add_known_deviation

    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "signoff.json").write_text(json.dumps({"failed_checks": ["filters.v11-limit"]}), encoding="utf-8")
    file = tmp_path / "k.yaml"
    if layout:
        file.write_text(layout, encoding="utf-8")
    add_known_deviation(file, tmp_path / "r", contract, check="filters.v11-limit", finding=None, kind=None, ticket="V-1", expires=LATER, reason="r")
    text = file.read_text(encoding="utf-8")
    document = yaml.safe_load(text.lstrip("\ufeff"))
    kept = [e["id"] for e in document["deviations"]]
    assert kept == (["A", "KD-1"] if "id: A" in layout else ["KD-1"]), text
    assert all(line in text for line in layout.splitlines() if line.startswith("#") or line.startswith("other")), text
    assert [e.id for e in known_deviations_for_(file, contract)] == kept
    assert " :" not in text.split("\n", 1)[0] or not layout.startswith(("deviations:", '"deviations":')), text  # the key as it was written


def known_deviations_for_(file, contract):
    from coupon_contracts.known import known_deviations_for

    return known_deviations_for(file, contract).entries


def test_known_add_gives_the_item_to_paste_into_a_flow_list(tmp_path, contract) -> None:
    from coupon_contracts.known import KnownDeviationsError
    from coupon_contracts.known_add import add_known_deviation

    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "signoff.json").write_text(json.dumps({"failed_checks": ["filters.v11-limit"]}), encoding="utf-8")
    file = tmp_path / "k.yaml"
    file.write_text('deviations: [{id: A, check: filters.v2-paging, reason: r, ticket: T, expires: "2099-01-01"}]\n', encoding="utf-8")
    with pytest.raises(KnownDeviationsError, match=r'k\.yaml:1: known add edits a block list .* by hand: \{"id": "KD-1", "check": "filters\.v11-limit"'):
        add_known_deviation(file, tmp_path / "r", contract, check="filters.v11-limit", finding=None, kind=None, ticket="V-1", expires=LATER, reason="r")


def test_known_add_records_a_finding_on_the_whole_body(tmp_path, contract) -> None:
    """The console names it "at (body)"; drift.json's path is empty: the entry matches by operation and kind."""
    from coupon_contracts.known_add import add_known_deviation

    (tmp_path / "r").mkdir()
    finding = {"operation": label_of(V2ID), "path": "", "kind": "undocumented status code"}
    (tmp_path / "r" / "drift.json").write_text(json.dumps({"findings": [finding]}), encoding="utf-8")
    entry = add_known_deviation(tmp_path / "k.yaml", tmp_path / "r", contract, check=None, finding="(body)", kind=None, ticket="V-1", expires=LATER, reason="r")
    assert (entry["operation"], entry["kind"], "path" in entry) == ("getCustomerCouponsByIdV2", "undocumented status code", False)


def test_an_entry_whose_check_or_operation_did_not_run_is_not_called_stale(tmp_path, contract) -> None:
    """Stale means "the run could have met it and did not": a reader deletes stale entries."""
    from coupon_contracts.drift import DriftFinding, DriftKind
    from coupon_contracts.known import known_deviations_for

    entries = [_entry("KD-1", LATER, check="filters.v11-limit"), _entry("KD-2", LATER, operation="getCustomerCouponsV11", kind="type changed"),
               _entry("KD-3", LATER, check="filters.v2-paging"), _entry("KD-4", LATER, kind="type changed", path="data[].seriesId"),
               _entry("KD-5", LATER, kind="type changed", path="data[].*")]  # fmt: skip
    known = known_deviations_for(Path(_file(tmp_path, *entries)), contract)
    labels = {str(op): row.label for op, row in contract.table.items()}
    finding = DriftFinding(labels["getCouponsV2"], 200, "data[].seriesId", DriftKind.TYPE_CHANGED, "integer", "string")
    outcome = known.apply(set(), [finding], labels, date.today(), ran={"filters.v2-paging", "schema.getCouponsV2"}, exercised={labels["getCouponsV2"]})
    assert [e.id for e in outcome.unexercised] == ["KD-1", "KD-2"] and [e.id for e in outcome.stale] == ["KD-3"]
    assert outcome.matched == {"KD-4": 1, "KD-5": 1} and finding.known.id == "KD-4"  # the overlapping entry matched too


@pytest.mark.parametrize(("name", "text", "message"), [
    ("drift.json", "{", "drift.json: not readable JSON (Expecting property name"),
    ("drift.json", "[1]", "drift.json: not a report of a run"),
    ("drift.json", '{"findings": [{"path": "data[].seriesId", "kind": "type changed"}]}', "drift.json: findings[0] is not a finding with operation, path and kind"),
    ("drift.json", '{"findings": 3}', "drift.json: findings is not a finding"),
    ("drift.json", b"\xff\xfe{", "drift.json: not readable JSON"),
    ("signoff.json", '{"failed', "signoff.json: not readable JSON"),
    ("drift.json", "[" * 200_000 + "]" * 200_000, "drift.json: nested too deep"),
    ("signoff.json", '{"failed_checks": "filters.v2-paging"}', "signoff.json: failed_checks is not a list of check ids"),
])  # fmt: skip
def test_known_add_on_a_report_cut_short_is_one_line(tmp_path, capsys, name, text, message) -> None:
    """A run killed mid-write, or another file in its place: one line naming the file, exit 2, the file untouched."""
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / name).write_bytes(text if isinstance(text, bytes) else text.encode())
    what = ["--check", "filters.v2-paging"] if name == "signoff.json" else ["--finding", "data[].seriesId"]
    args = ["known", "add", "--reports", str(tmp_path / "r"), "--file", str(tmp_path / "k.yaml"), "--ticket", "T", "--expires", LATER, "--reason", "r"]
    assert main([*args, *what]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "run again, or give --reports" in err and len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert not (tmp_path / "k.yaml").exists()


def test_an_operation_the_run_left_out_is_not_exercised_though_other_checks_read_it(tmp_path) -> None:
    """Discovery and the consistency checks read the v2 list in a getCouponsV2-only run: not enough to call its entry stale."""
    known = _file(tmp_path, _entry("KD-1", LATER, operation="getCustomerCouponsV2", path="entity.*"))
    done = _run(tmp_path, known, faults="", part="getCouponsV2")
    section = done.report("signoff.json")["known_deviations"]
    assert [d["id"] for d in section["not_exercised"]] == ["KD-1"] and not section["stale"], section


def test_a_ticket_or_reason_cannot_break_the_sign_off() -> None:
    """A `|` would end a table cell, a `<b>` be read as HTML, in signoff.md as a CI's job summary shows it."""
    from coupon_contracts.reporting.signoff import _known_section

    entry = {"id": "KD-1", "ticket": "T|x", "expires": LATER, "reason": "a|b <b>", "count": 1}
    text = "\n".join(_known_section({"file": "k.yaml", "matched": [entry], "expired": [], "stale": []}))
    assert "(T\\|x, until" in text and "a\\|b &lt;b&gt;" in text and "<b>" not in text


def test_known_add_of_a_schema_check_names_the_findings_that_stay_errors(tmp_path, capsys) -> None:
    from coupon_contracts.operations import V2C, label_of

    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "signoff.json").write_text(json.dumps({"failed_checks": ["schema.getCouponsV2"]}), encoding="utf-8")
    finding = {"operation": label_of(V2C), "path": "data[].seriesId", "kind": "type changed", "severity": "error", "known": None}
    (tmp_path / "r" / "drift.json").write_text(json.dumps({"findings": [finding]}), encoding="utf-8")
    args = ["known", "add", "--reports", str(tmp_path / "r"), "--file", str(tmp_path / "k.yaml"), "--ticket", "T", "--expires", LATER, "--reason", "r"]
    assert main([*args, "--check", "schema.getCouponsV2"]) == 0
    assert "note: the run's error findings behind it stay errors until each is known too: known add --finding 'data[].seriesId'" in capsys.readouterr().out
