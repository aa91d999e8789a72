"""`coupon-contracts diff`: identical runs exit 0; a field gone exits 1 and names it; bad input exits 2."""

from __future__ import annotations

import copy
import json

from coupon_contracts.cli import main
from coupon_contracts.drift import ObservedShapes, compare_shapes
from coupon_contracts.operations import RED, V2C, V2ID, label_of

from .conftest import ROOT

EXAMPLE = json.loads((ROOT / "contracts/examples/v2-customers-customerId-coupons.200.json").read_text())
OP = label_of(V2ID)


def shapes_of(*bodies) -> dict:
    shapes = ObservedShapes()
    for body in bodies:
        shapes.observe(OP, 200, body)
    return shapes.as_dict()


def edited(edit):
    body = copy.deepcopy(EXAMPLE)
    for coupon in body["entity"]:
        edit(coupon)
    return body


def test_a_run_against_itself_has_no_change(tmp_path, capsys) -> None:
    (tmp_path / "observed-shapes.json").write_text(json.dumps(shapes_of(EXAMPLE)))
    assert main(["diff", str(tmp_path), str(tmp_path / "observed-shapes.json")]) == 0
    assert "0 error, 0 warning, 0 info" in capsys.readouterr().out


def test_a_field_gone_is_breaking_and_named(tmp_path, capsys) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir(), new.mkdir()
    (old / "observed-shapes.json").write_text(json.dumps(shapes_of(EXAMPLE)))
    (new / "observed-shapes.json").write_text(json.dumps(shapes_of(edited(lambda c: c.pop("trimmedCode")))))
    assert main(["diff", str(old), str(new)]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("ERROR") and "entity[].trimmedCode: field gone" in out


def test_every_kind_of_change() -> None:
    old = shapes_of(EXAMPLE)
    new = shapes_of(edited(lambda c: c.update(seriesId=str(c["seriesId"]), validTill=c["validTill"][:10], description=None, tier="GOLD", couponDiscountType="PERC")))
    found = {(c.path, c.change, c.is_breaking) for c in compare_shapes(old, new)}
    assert ("entity[].seriesId", "retyped", True) in found
    assert ("entity[].validTill", "reformatted", True) in found
    assert ("entity[].description", "newly nullable", True) in found
    assert ("entity[].tier", "new field", False) in found
    assert ("entity[].couponDiscountType", "value new", False) in found
    assert ("entity[].couponDiscountType", "value gone", False) in found
    statuses = shapes_of(EXAMPLE)
    statuses["operations"][OP]["500"] = {"responses": 1, "fields": {}}
    assert [(c.change, c.is_breaking) for c in compare_shapes(old, statuses)] == [("new 5xx status", True)]


def test_a_new_status_is_an_error_only_where_the_contract_does_not_document_it(contract) -> None:
    """The run calls an undocumented status an error: so does the diff; a documented one is news."""
    from coupon_contracts.drift import closed_value_fields

    old = shapes_of(EXAMPLE)
    new = copy.deepcopy(old)
    new["operations"][OP] |= {"404": {"responses": 1, "fields": {}}, "409": {"responses": 1, "fields": {}}}
    found = [(c.status, c.change, c.severity.value) for c in compare_shapes(old, new, closed=closed_value_fields(contract))]
    assert found == [("409", "new undocumented status", "error"), ("404", "new status code", "info")]


def test_the_docs_table_has_every_kind_at_its_default_as_a_setting_spells_it() -> None:
    """COUPON_CONTRACTS_SEVERITY takes the kinds as docs/drift.md's first cells read, the note in brackets left out."""
    import re

    from coupon_contracts.severity import DEFAULT_SEVERITY

    rows = re.findall(r"^\| ([^|]+?) \| (error|warning|info) \|", (ROOT / "docs/drift.md").read_text(), flags=re.MULTILINE)
    documented = {re.sub(r" \(.*\)$", "", kind): level for kind, level in rows}
    assert documented == {kind: level.value for kind, level in DEFAULT_SEVERITY.items()}


def test_an_optional_field_gone_is_not_breaking() -> None:
    half = edited(lambda c: None)
    half["entity"][1].pop("isRedeemed")
    old = shapes_of(half)
    new = shapes_of(edited(lambda c: c.pop("isRedeemed")))
    (change,) = compare_shapes(old, new)
    assert (change.change, change.is_breaking) == ("optional field gone", False)


def test_unreadable_input_exits_2_with_one_line(tmp_path, capsys) -> None:
    (tmp_path / "bad.json").write_text("{nope")
    assert main(["diff", str(tmp_path / "bad.json"), str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "bad.json: not JSON" in err and len(err.splitlines()) == 1
    assert main(["diff", str(tmp_path / "missing"), str(tmp_path)]) == 2


def test_a_value_outside_a_closed_set_is_breaking(contract) -> None:
    from coupon_contracts.drift import closed_value_fields

    example = json.loads((ROOT / "contracts/examples/v1.1-coupon-isredeemable.200.upper.json").read_text())
    label = label_of(RED)
    old, new = ObservedShapes(), ObservedShapes()
    old.observe(label, 200, example)
    example["response"]["coupons"]["redeemable"]["is_redeemable"] = "maybe"
    new.observe(label, 200, example)
    changes = compare_shapes(old.as_dict(), new.as_dict(), closed=closed_value_fields(contract))
    assert [(c.path, c.change, c.is_breaking) for c in changes if c.change.startswith("value") and c.change != "value gone"] == [
        ("response.coupons.redeemable.is_redeemable", "value outside a closed set", True)
    ]


def test_a_run_that_saw_nothing_is_refused_not_passed(tmp_path, capsys) -> None:
    """An outage leaves an empty shapes file: "0 breaking" would read as a pass."""
    (tmp_path / "old.json").write_text(json.dumps(shapes_of(EXAMPLE)))
    (tmp_path / "new.json").write_text(json.dumps(ObservedShapes().as_dict()))
    assert main(["diff", str(tmp_path / "old.json"), str(tmp_path / "new.json")]) == 2
    assert "observed no answer" in capsys.readouterr().err


def test_an_operation_the_newer_run_skipped_is_named(tmp_path, capsys) -> None:
    old = shapes_of(EXAMPLE)
    old["operations"][label_of(V2C)] = {"200": {"responses": 1, "fields": {}}}
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps(shapes_of(EXAMPLE)))
    assert main(["diff", str(tmp_path / "old.json"), str(tmp_path / "new.json")]) == 0
    out = capsys.readouterr().out
    assert f"not compared: {label_of(V2C)}" in out and "1 operation(s) not compared" in out


def _coupons(count: int, *, without: str = "", every: int = 0) -> dict:
    """Shapes of a v2 by-id answer of `count` coupons; every `every`-th one without the field `without`."""
    body = json.loads((ROOT / "contracts/examples/v2-customers-customerId-coupons.200.json").read_text())
    one = body["entity"][0]
    body["entity"] = [dict(one, id=i) for i in range(count)]
    for i, coupon in enumerate(body["entity"]):
        if without and every and i % every == 0:
            coupon.pop(without)
    shapes = ObservedShapes()
    shapes.observe(OP, 200, body)
    return shapes.as_dict()


def test_a_field_always_there_and_now_only_sometimes_became_optional() -> None:
    """oasdiff's response-property-became-optional (an error there too): present in every one of 40
    baseline coupons, in half of 40 now."""
    (change,) = compare_shapes(_coupons(40), _coupons(40, without="isRedeemed", every=2))
    assert (change.path, change.change, change.severity.value) == ("entity[].isRedeemed", "became optional", "error")
    assert change.old == "in all 40 objects" and change.new == "in 20 of 40 (50%)"


def test_a_share_is_compared_only_over_enough_objects_and_a_drop_is_a_warning() -> None:
    assert compare_shapes(_coupons(10), _coupons(10, without="isRedeemed", every=2)) == []  # 10 < MIN_OBJECTS
    (change,) = compare_shapes(_coupons(40, without="isRedeemed", every=10), _coupons(40, without="isRedeemed", every=2))
    assert (change.change, change.severity.value) == ("presence dropped", "warning")
    assert compare_shapes(_coupons(40, without="isRedeemed", every=4), _coupons(40, without="isRedeemed", every=3)) == []  # 75% -> 67%


def test_a_run_raises_or_lowers_a_kind(monkeypatch, tmp_path, capsys) -> None:
    from coupon_contracts.severity import Severity, SeverityPolicy

    policy = SeverityPolicy({"became optional": Severity.WARNING})
    (change,) = compare_shapes(_coupons(40), _coupons(40, without="isRedeemed", every=2), policy=policy)
    assert change.severity is Severity.WARNING
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(_coupons(40)))
    new.write_text(json.dumps(_coupons(40, without="isRedeemed", every=2)))
    monkeypatch.setenv("COUPON_CONTRACTS_SEVERITY", "became optional=warning")
    assert main(["diff", str(old), str(new)]) == 0
    assert "WARNING  " in capsys.readouterr().out
    for wrong, said in (("became optionl=warning", "not KIND=LEVEL with a known kind"), ("became optional=warning, became optional=error", "given twice")):
        monkeypatch.setenv("COUPON_CONTRACTS_SEVERITY", wrong)
        assert main(["diff", str(old), str(new)]) == 2
        err = capsys.readouterr().err
        assert "COUPON_CONTRACTS_SEVERITY" in err and said in err, err


def test_info_lines_are_the_changelog(tmp_path, capsys) -> None:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(shapes_of(EXAMPLE)))
    new.write_text(json.dumps(shapes_of(edited(lambda c: c.update(tier="GOLD")))))
    assert main(["diff", str(old), str(new)]) == 0
    out = capsys.readouterr().out
    assert "tier" not in out and "0 error, 0 warning, 1 info change(s) (--changelog lists them)" in out
    assert main(["diff", "--changelog", str(old), str(new)]) == 0
    assert "INFO     GET" in capsys.readouterr().out


def test_a_drop_of_exactly_twenty_points_is_a_warning() -> None:
    """70% to 50% is 0.19999999999999996 in floats: the shares are compared from the counts."""
    def shape(present: int) -> dict:
        field = {"types": ["string"], "present": present, "objects": 20, "presence": present / 20}
        return {"format": 2, "operations": {OP: {"200": {"responses": 20, "fields": {"entity[].x": field}}}}}

    assert [(c.change, c.severity.value) for c in compare_shapes(shape(14), shape(10))] == [("presence dropped", "warning")]
    assert compare_shapes(shape(14), shape(11)) == []


def test_a_shapes_file_this_version_cannot_read_is_one_line(tmp_path, capsys) -> None:
    good = shapes_of(EXAMPLE)
    (tmp_path / "old.json").write_text(json.dumps(good))
    newer = {**good, "format": 3}
    edited_by_hand = copy.deepcopy(good)
    next(iter(edited_by_hand["operations"][OP]["200"]["fields"].values()))["presence"] = "x"
    for document, said in ((newer, "format 3, which this version does not read"), (edited_by_hand, "not an observed-shapes file at operations.")):
        (tmp_path / "new.json").write_text(json.dumps(document))
        assert main(["diff", str(tmp_path / "old.json"), str(tmp_path / "new.json")]) == 2
        err = capsys.readouterr().err.strip()
        assert said in err and len(err.splitlines()) == 1, err


def test_a_type_going_back_to_the_contract_is_the_fix_not_an_error(contract) -> None:
    """A baseline accepted while seriesId was a string: the vendor's fix is info; the same change the other way is an error."""
    from coupon_contracts.drift import closed_value_fields

    closed = closed_value_fields(contract)
    wrong, right = shapes_of(edited(lambda c: c.update(seriesId=str(c["seriesId"])))), shapes_of(EXAMPLE)
    (fix,) = compare_shapes(wrong, right, closed=closed)
    assert (fix.path, fix.change, fix.severity.value) == ("entity[].seriesId", "back to the contract", "info")
    (broken,) = compare_shapes(right, wrong, closed=closed)
    assert (broken.change, broken.is_breaking) == ("retyped", True)
    assert compare_shapes(wrong, right)[0].change == "retyped"  # without the contract nothing says which type is right


def _known_file(tmp_path, expires: str, **matches: str) -> str:
    lines = "".join(f"    {k}: \"{v}\"\n" for k, v in matches.items())
    (tmp_path / "known.yaml").write_text(f"deviations:\n  - id: KD-1\n{lines}    reason: r\n    ticket: VEND-7\n    expires: {expires}\n", encoding="utf-8")
    return str(tmp_path / "known.yaml")


def test_a_known_deviation_excuses_its_diff_line_until_its_day(tmp_path, capsys) -> None:
    """The entry `known add --finding` wrote (kind type changed) excuses the baseline diff's `retyped` too: the job stays green."""
    from datetime import date, timedelta

    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(shapes_of(EXAMPLE)))
    new.write_text(json.dumps(shapes_of(edited(lambda c: c.update(seriesId=str(c["seriesId"]))))))
    later, past = (date.today() + timedelta(days=30)).isoformat(), (date.today() - timedelta(days=1)).isoformat()
    entry = {"operation": "getCustomerCouponsByIdV2", "kind": "type changed", "path": "entity[].seriesId"}
    assert main(["diff", str(old), str(new), "--known-deviations", _known_file(tmp_path, later, **entry)]) == 0
    out = capsys.readouterr().out
    assert f"retyped ([integer] -> [string])  [known: KD-1 VEND-7, until {later}]" in out and "1 error (1 known)" in out
    assert main(["diff", str(old), str(new), "--known-deviations", _known_file(tmp_path, past, **entry)]) == 1
    assert f"[KD-1 VEND-7 expired on {past}: it no longer excuses this]" in capsys.readouterr().out
    assert main(["diff", str(old), str(new), "--known-deviations", _known_file(tmp_path, later, kind="type changed", path="entity[].other")]) == 1


def test_an_entry_of_a_diff_kind_excuses_the_diff_and_is_not_stale_in_a_run(tmp_path, contract) -> None:
    """`became optional` is no finding of a run: the run lists the entry as for diff, neither matched nor stale."""
    from datetime import date, timedelta
    from pathlib import Path

    from coupon_contracts.drift import closed_value_fields, diff_runs
    from coupon_contracts.known import known_deviations_for
    from coupon_contracts.severity import SeverityPolicy

    later = (date.today() + timedelta(days=30)).isoformat()
    known = known_deviations_for(Path(_known_file(tmp_path, later, kind="became optional", path="entity[].trimmedCode")), contract)
    outcome = known.apply(set(), [], {}, date.today())
    assert [e.id for e in outcome.for_diff] == ["KD-1"] and not outcome.stale and not outcome.matched
    bodies = [copy.deepcopy(EXAMPLE["entity"][0]) for _ in range(25)]
    for coupon in bodies[::2]:
        coupon.pop("trimmedCode")
    labels = {str(op): row.label for op, row in contract.table.items()}
    changed = diff_runs(shapes_of({**EXAMPLE, "entity": [EXAMPLE["entity"][0]] * 25}), shapes_of({**EXAMPLE, "entity": bodies}), closed=closed_value_fields(contract),
                        policy=SeverityPolicy(), known=known, labels=labels, today=date.today())  # fmt: skip
    (optional,) = [c for c in changed.changes if c.change == "became optional"]
    assert optional in changed.known and changed.errors == 0


def test_runs_of_two_profiles_are_compared_with_a_note(tmp_path, capsys) -> None:
    """A quick baseline against a ci run: shares differ by the mix of requests, and diff says so."""
    for name, profile in (("old.json", "quick"), ("new.json", "ci")):
        (tmp_path / name).write_text(json.dumps(shapes_of(EXAMPLE) | {"profile": profile}))
    assert main(["diff", str(tmp_path / "old.json"), str(tmp_path / "new.json")]) == 0
    assert "note: the baseline ran profile quick, the new run ci" in capsys.readouterr().out
    (tmp_path / "new.json").write_text(json.dumps(shapes_of(EXAMPLE) | {"profile": "quick"}))
    assert main(["diff", str(tmp_path / "old.json"), str(tmp_path / "new.json")]) == 0
    assert "note:" not in capsys.readouterr().out


def test_what_the_newer_run_saw_no_object_for_is_not_gone() -> None:
    """A customer without coupons answers `entity: []`: no coupon, so no coupon field is gone."""
    assert compare_shapes(shapes_of(EXAMPLE), shapes_of({**EXAMPLE, "entity": []})) == []
    (gone,) = compare_shapes(shapes_of(EXAMPLE), shapes_of({k: v for k, v in EXAMPLE.items() if k != "entity"}))
    assert (gone.path, gone.change) == ("entity", "field gone")  # the list itself gone: said once, at its own path


def test_a_file_nested_too_deep_is_one_line(tmp_path, capsys) -> None:
    (tmp_path / "deep.json").write_text("[" * 200_000 + "]" * 200_000)
    (tmp_path / "ok.json").write_text(json.dumps(shapes_of(EXAMPLE)))
    assert main(["diff", str(tmp_path / "deep.json"), str(tmp_path / "ok.json")]) == 2
    err = capsys.readouterr().err.strip()
    assert "deep.json: nested too deep" in err and len(err.splitlines()) == 1
