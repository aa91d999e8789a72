"""Every reading of the catalog is visible: its probe gets the answer the reading promises, the faithful mock another.

A reading answers a question the docs leave open (a silence or a self-contradiction recorded in
contracts/discrepancies.md); the suite must pass on each. Here only the mock is proved: the reading
changes what it says, in the intended way, and nothing else switches it on.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import pytest

from coupon_contracts.cli import main
from coupon_contracts.mock import READINGS, ReadingSet, create_app
from coupon_contracts.mock.readings import RANDOM, known_readings
from coupon_contracts.operations import RED, V2C, V2ID, V2L, V11, shipped_table
from coupon_contracts.settings import Settings, SettingsError

from .conftest import ROOT, client_for, path_of

NOW = datetime.now(timezone.utc).replace(microsecond=0)  # both apps of a comparison hold the same data
REGISTER = (ROOT / "contracts" / "discrepancies.md").read_text(encoding="utf-8")
PAGES = {row.page for row in shipped_table().values()}
PATH = {op: path_of(op) for op in (V11, RED, V2C, V2L)}


def corner(ds):
    return ds.customers[2]


def corner_coupon(ds, predicate):
    return next(c for c in ds.coupons_of(corner(ds)) if predicate(c))


def live(ds):
    return corner_coupon(ds, lambda c: c.is_redeemable(ds.now))


def v11_entry(r) -> dict:
    return r.json()["response"]["customers"]["customer"][0]


def v11_coupons(r) -> list[dict]:
    return v11_entry(r)["coupons"]["coupon"]


def v2_coupons(r) -> list[dict]:
    return r.json()["entity"]["customers"][0]["coupons"]


def redeemable(r) -> dict:
    return r.json()["response"]["coupons"]["redeemable"]


def untransacted(ds):
    return next(c for c in ds.coupons if c.transaction_number is None)


Probe = Callable[[Any], tuple[str, Any]]
Expect = Callable[[Any, Any, Any], bool]  # (faithful answer, answer with the reading, dataset)

# name: (the request, what the reading must change)
PROBES: dict[str, tuple[Probe, Expect]] = {
    "auth-plain-password-accepted": (
        lambda ds: (PATH[V2C], {"issuedToIds": str(corner(ds).id)}),
        lambda f, r, ds: f.status_code == 401 and r.status_code == 200,
    ),
    "v11-item-error-customer-null": (
        lambda ds: (PATH[V11], {"id": "1"}),
        lambda f, r, ds: "firstname" not in v11_entry(f) and v11_entry(r)["firstname"] is None and v11_entry(r)["item_status"]["code"] == 701,
    ),
    "v11-item-error-http-400": (
        lambda ds: (PATH[V11], {"id": "1"}),
        lambda f, r, ds: f.status_code == 200 and r.status_code == 400 == r.json()["response"]["status"]["code"] and v11_entry(r)["item_status"]["code"] == 701,
    ),
    "isredeemable-unknown-customer-as-item": (
        lambda ds: (PATH[RED], {"id": "1", "code": live(ds).code}),
        lambda f, r, ds: "coupons" not in f.json()["response"] and redeemable(r)["item_status"]["code"] == 701 and redeemable(r)["is_redeemable"] == "false",
    ),
    "isredeemable-error-item-nulls": (
        lambda ds: (PATH[RED], {"id": str(corner(ds).id), "code": "NOSUCHCODE"}),
        lambda f, r, ds: redeemable(f)["redemptions_left"] == 0 and redeemable(r)["redemptions_left"] is None and redeemable(r)["coupon_value"] is None,
    ),
    "v2-error-body-flat": (
        lambda ds: (path_of(V2ID, 1), {}),
        lambda f, r, ds: f.json()["errors"][0]["code"] == "CUSTOMER_NOT_FOUND" and r.json() == {"status": 404, "code": "CUSTOMER_NOT_FOUND", "message": r.json()["message"]},
    ),
    "v2-list-unknown-customer-empty": (
        lambda ds: (PATH[V2L], {"id": "1"}),
        lambda f, r, ds: f.status_code == 404 and r.status_code == 200 and r.json()["entity"]["customers"] == [] and r.json()["entity"]["pagination"]["total"] == 0,
    ),
    "v11-id-alone-not-enough": (
        lambda ds: (PATH[V11], {"id": str(corner(ds).id)}),
        lambda f, r, ds: v11_entry(f)["item_status"]["code"] == 1000 and v11_entry(r)["item_status"]["code"] == 701,
    ),
    "isredeemable-mobile-required": (
        lambda ds: (PATH[RED], {"id": str(corner(ds).id), "code": live(ds).code}),
        lambda f, r, ds: f.status_code == 200 and r.status_code == 400,
    ),
    "v2-coupon-issued-to-ids-required": (
        lambda ds: (PATH[V2C], {"couponIds": str(live(ds).id)}),
        lambda f, r, ds: len(f.json()["data"]) == 1 and r.status_code == 400,
    ),
    "order-ties-id-asc": (
        lambda ds: (PATH[V11], {"id": str(corner(ds).id), "order_by": "created_by", "sort_order": "desc"}),  # one issuer: every key ties
        lambda f, r, ds: [c["id"] for c in v11_coupons(r)] == sorted((c["id"] for c in v11_coupons(f)), key=int),
    ),
    "order-ties-id-desc": (
        lambda ds: (PATH[V11], {"id": str(corner(ds).id), "order_by": "created_by", "sort_order": "asc"}),
        lambda f, r, ds: [c["id"] for c in v11_coupons(r)] == sorted((c["id"] for c in v11_coupons(f)), key=int, reverse=True),
    ),
    "v2-list-sort-by-id": (
        lambda ds: (PATH[V2L], {"id": str(corner(ds).id)}),
        lambda f, r, ds: [c["id"] for c in v2_coupons(r)] == sorted((c["id"] for c in v2_coupons(f)), reverse=True),
    ),
    "v2-list-sort-by-valid-till": (
        lambda ds: (PATH[V2L], {"id": str(corner(ds).id)}),
        lambda f, r, ds: [c["validTill"] for c in v2_coupons(r)] == sorted((c["validTill"] for c in v2_coupons(f)), reverse=True),
    ),
    "v11-offset-applied": (
        lambda ds: (PATH[V11], {"id": str(corner(ds).id), "offset": "2"}),
        lambda f, r, ds: v11_coupons(r) == v11_coupons(f)[2:] and r.json()["response"]["pagination"]["offset"] == "2" and f.json()["response"]["pagination"]["offset"] == "0",
    ),
    "v2-unpaged-limit-offset-applied": (
        lambda ds: (path_of(V2ID, corner(ds).id), {"limit": "2", "offset": "1"}),
        lambda f, r, ds: len(f.json()["entity"]) == 7 and r.json()["entity"] == f.json()["entity"][1:3],
    ),
    "v11-code-case-param-ignored": (
        lambda ds: (PATH[V11], {"id": str(corner(ds).id), "coupon_code_case": "LOWER"}),
        lambda f, r, ds: all(c["code"] == c["code"].lower() for c in v11_coupons(f)) and all(c["code"] == c["code"].upper() for c in v11_coupons(r)),
    ),
    "v2-list-contact-null": (
        lambda ds: (PATH[V2L], {"id": str(ds.customers[1].id)}),
        lambda f, r, ds: "email" not in f.json()["entity"]["customers"][0] and r.json()["entity"]["customers"][0]["externalId"] is None,
    ),
    "v2-list-custom-property-empty": (
        lambda ds: (PATH[V2L], {"id": str(corner(ds).id)}),
        lambda f, r, ds: sum("customProperty" in c for c in v2_coupons(f)) == 1 and all("customProperty" in c for c in v2_coupons(r)),
    ),
    "v2-list-transaction-number-null": (
        lambda ds: (PATH[V2L], {"id": str(untransacted(ds).customer_id)}),
        lambda f, r, ds: {c["id"]: c["transactionNumber"] for c in v2_coupons(f)}[untransacted(ds).id] == "0"
        and {c["id"]: c["transactionNumber"] for c in v2_coupons(r)}[untransacted(ds).id] is None,
    ),
    "v11-empty-wrappers-without-array": (
        lambda ds: (PATH[V11], {"id": str(corner(ds).id)}),
        lambda f, r, ds: all("redemption" in c["redemptions"] for c in v11_coupons(f)) and {} in [c["redemptions"] for c in v11_coupons(r)]
        and {} in [c["custom_properties"] for c in v11_coupons(r)],
    ),
    "v2-list-coupon-id-as-couponId": (
        lambda ds: (PATH[V2L], {"id": str(corner(ds).id)}),
        lambda f, r, ds: [c["id"] for c in v2_coupons(f)] == [c["couponId"] for c in v2_coupons(r)] and not any("id" in c for c in v2_coupons(r)),
    ),
    "v11-valid-till-local-zone": (
        lambda ds: (PATH[V11], {"id": str(corner(ds).id)}),
        lambda f, r, ds: all(
            datetime.fromisoformat(b["valid_till"]) - datetime.fromisoformat(a["valid_till"]) == timedelta(hours=5, minutes=30)
            for a, b in zip(v11_coupons(f), v11_coupons(r), strict=True)
        ),
    ),
    "v11-end-date-inclusive": (
        lambda ds: (PATH[V11], {"id": str(corner(ds).id), "start_date": live(ds).created_date.date().isoformat(), "end_date": live(ds).created_date.date().isoformat()}),
        lambda f, r, ds: v11_coupons(f) == [] and str(live(ds).id) in [c["id"] for c in v11_coupons(r)],
    ),
    "v2-coupon-valid-till-day-start": (
        lambda ds: (PATH[V2C], {"issuedToIds": str(corner(ds).id)}),
        lambda f, r, ds: all(c["validTill"].endswith("T23:59:59Z") for c in f.json()["data"]) and all(c["validTill"].endswith("T00:00:00Z") for c in r.json()["data"]),
    ),
    "v2-redeemable-means-active": (
        lambda ds: (PATH[V2L], {"id": str(corner(ds).id), "status": "REDEEMABLE"}),
        lambda f, r, ds: {c["id"] for c in v2_coupons(f)} < {c["id"] for c in v2_coupons(r)}
        and corner_coupon(ds, lambda c: not c.is_expired(ds.now) and c.redemptions_left == 0).id in {c["id"] for c in v2_coupons(r)},
    ),
    "v2-list-status-repeated-not-comma": (
        lambda ds: (PATH[V2L], {"id": str(corner(ds).id), "status": "REDEEMED,UNREDEEMED"}),
        lambda f, r, ds: f.status_code == 200 and r.status_code == 400,
    ),
    "v2-coupon-lists-repeated-not-comma": (
        lambda ds: (PATH[V2C], {"couponIds": ",".join(str(c.id) for c in ds.coupons_of(corner(ds))[:2])}),
        lambda f, r, ds: len(f.json()["data"]) == 2 and r.status_code == 400,
    ),
    "v11-store-id-is-code": (
        lambda ds: (PATH[V11], {"id": str(corner(ds).id), "store_id": str(ds.stores[0].id)}),
        lambda f, r, ds: len(v11_coupons(f)) > 0 and v11_coupons(r) == [],
    ),
    "v2-series-stores-listed": (
        lambda ds: (path_of(V2ID, corner(ds).id), {}),
        lambda f, r, ds: "[-1]" in {c["series"]["storeIdsJson"] for c in f.json()["entity"]}
        and {c["series"]["redeemAtStore"] for c in r.json()["entity"]} >= {"[" + ",".join(str(s.id) for s in ds.stores) + "]"}
        and "[-1]" not in {c["series"]["storeIdsJson"] for c in r.json()["entity"]},
    ),
}


@pytest.fixture(scope="module")
def faithful():
    return create_app(now=NOW)


def test_catalog_is_complete_and_every_reading_has_a_probe() -> None:
    assert 15 <= len(READINGS) <= 40
    assert set(PROBES) == set(READINGS)
    for r in READINGS.values():
        assert re.fullmatch(r"D-\d\d", r.register_entry) and r.summary and r.docs, r.name
        for citation in r.docs:
            page, _, line = citation.partition(":")
            assert page in PAGES and line.isdigit() and int(line) >= 1, f"{r.name}: bad citation {citation!r}"


@pytest.mark.parametrize("name", sorted(READINGS))
def test_reading_is_visible_in_its_probe(name: str, faithful) -> None:
    probe, expect = PROBES[name]
    reading_app = create_app(now=NOW, readings=[name])
    path, params = probe(reading_app.state.mock.dataset)
    auth = "plain" if name == "auth-plain-password-accepted" else "md5"
    before = client_for(faithful, auth).get(path, params=params)
    after = client_for(reading_app, auth).get(path, params=params)
    assert (before.status_code, before.text) != (after.status_code, after.text), f"{name}: the probe cannot tell the reading from the faithful mock"
    assert expect(before, after, reading_app.state.mock.dataset), f"{name}: the answer does not change as the reading says\n{before.text[:400]}\n{after.text[:400]}"


def test_repeated_parameters_still_work_where_a_reading_refuses_the_comma() -> None:
    ds = create_app(now=NOW).state.mock.dataset
    app = create_app(now=NOW, readings=["v2-list-status-repeated-not-comma", "v2-coupon-lists-repeated-not-comma"])
    both = client_for(app).get(PATH[V2L], params=[("id", str(corner(ds).id)), ("status", "REDEEMED"), ("status", "UNREDEEMED")])
    assert both.status_code == 200 and len(v2_coupons(both)) == len(ds.coupons_of(corner(ds)))
    two = [c.id for c in ds.coupons_of(corner(ds))[:2]]
    found = client_for(app).get(PATH[V2C], params=[("couponIds", str(i)) for i in two])
    assert found.status_code == 200 and len(found.json()["data"]) == 2


def test_id_with_another_identifier_still_finds_the_customer_under_id_alone_not_enough() -> None:
    app = create_app(now=NOW, readings=["v11-id-alone-not-enough"])
    person = corner(app.state.mock.dataset)
    answer = client_for(app).get(PATH[V11], params={"id": str(person.id), "mobile": person.mobile})
    assert v11_entry(answer)["item_status"]["code"] == 1000


def test_no_reading_leaves_the_mock_faithful(faithful) -> None:
    ds = faithful.state.mock.dataset
    plain, empty = client_for(faithful), client_for(create_app(now=NOW, readings=()))
    for path, params in [probe(ds) for probe, _ in PROBES.values()]:
        assert plain.get(path, params=params).text == empty.get(path, params=params).text


# -- the set: names, random, conflicts ---------------------------------------------------------------


def test_random_is_deterministic_per_seed_and_respects_groups() -> None:
    draws = {seed: ReadingSet([RANDOM], seed=seed).names for seed in range(12)}
    assert all(ReadingSet([RANDOM], seed=seed).names == names for seed, names in draws.items())
    assert len(set(draws.values())) > 1, "the seed does not change the draw"
    for names in draws.values():
        assert names <= set(READINGS) and names
        groups = [READINGS[n].group for n in names if READINGS[n].group]
        assert len(groups) == len(set(groups)), f"two readings of one group drawn: {sorted(names)}"
    assert create_app(now=NOW, readings=[RANDOM], readings_seed=5).state.mock.readings.names == draws[5]


def test_random_keeps_explicit_readings_and_their_groups() -> None:
    for seed in range(12):
        names = ReadingSet([RANDOM, "order-ties-id-desc"], seed=seed).names
        assert "order-ties-id-desc" in names and "order-ties-id-asc" not in names


def test_unknown_and_conflicting_names_are_refused() -> None:
    with pytest.raises(ValueError, match=r"unknown reading\(s\) nope; see `coupon-contracts mock --list-readings`"):
        ReadingSet(["nope"])
    with pytest.raises(ValueError, match="coupon-contracts mock --list-readings"):
        create_app(readings=["nope"])
    with pytest.raises(ValueError, match="answer the same question"):
        ReadingSet(["v2-list-sort-by-id", "v2-list-sort-by-valid-till"])
    assert ReadingSet(["order-ties-id-asc"]).has("order-ties-id-asc") and not ReadingSet().has("order-ties-id-asc")


# -- the register -------------------------------------------------------------------------------------


def register_entries() -> dict[str, str]:
    parts = re.split(r"^## (D-\d\d) ", REGISTER.split("\n## Findings map", 1)[0], flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_every_reading_names_a_register_entry_that_names_it() -> None:
    entries = register_entries()
    for r in READINGS.values():
        assert r.register_entry in entries, f"{r.name}: {r.register_entry} is not in contracts/discrepancies.md"
        assert f"**Mock reading:** `{r.name}`" in entries[r.register_entry], f"{r.register_entry} does not name the reading {r.name}"


def test_every_reading_the_register_names_exists_under_its_entry() -> None:
    for entry, text in register_entries().items():
        for name in re.findall(r"^\*\*Mock reading:\*\* `([^`]+)`$", text, flags=re.M):
            assert name in READINGS and READINGS[name].register_entry == entry, f"{entry} names the reading {name}, which the catalog files elsewhere"


# -- the setting and the command line ---------------------------------------------------------------


def test_setting_reads_names_random_and_its_seed() -> None:
    settings = Settings.load(env={"COUPON_CONTRACTS_MOCK_READINGS": "random, v2-list-sort-by-id", "COUPON_CONTRACTS_MOCK_READINGS_SEED": "3"})
    assert settings.mock_readings == ("random", "v2-list-sort-by-id") and settings.mock_readings_seed == 3
    assert Settings.load(env={}).mock_readings == ()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"COUPON_CONTRACTS_MOCK_READINGS": "nope"}, "COUPON_CONTRACTS_MOCK_READINGS: unknown reading 'nope'; see `coupon-contracts mock --list-readings`"),
        ({"COUPON_CONTRACTS_MOCK_READINGS": "order-ties-id-asc,order-ties-id-desc"}, "COUPON_CONTRACTS_MOCK_READINGS: readings order-ties-id-asc and order-ties-id-desc"),
        ({"COUPON_CONTRACTS_MOCK_READINGS": "random", "COUPON_CONTRACTS_MOCK_READINGS_SEED": "x"}, "COUPON_CONTRACTS_MOCK_READINGS_SEED: 'x' is not a whole number"),
        (
            {"COUPON_CONTRACTS_MOCK_READINGS": "random", "COUPON_API_BASE_URL": "https://eu.api.capillarytech.com", "COUPON_API_OAUTH_TOKEN": "t", "COUPON_API_CUSTOMERS": "id:1"},
            "COUPON_CONTRACTS_MOCK_READINGS: mock readings apply to the embedded mock only",
        ),
    ],
)
def test_bad_reading_settings_are_refused_naming_the_setting(env, message) -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.load(env=env)
    assert str(raised.value).startswith(message)


def test_embedded_target_takes_the_readings() -> None:
    from coupon_contracts.target import open_target

    settings = Settings.load(env={"COUPON_CONTRACTS_MOCK_READINGS": "random", "COUPON_CONTRACTS_MOCK_READINGS_SEED": "4"})
    target = open_target(settings)
    try:
        assert target.mock.readings.names == ReadingSet([RANDOM], seed=4).names
        assert "with readings" in target.label
    finally:
        target.close()


def test_mock_list_readings_prints_the_catalog(capsys) -> None:
    assert main(["mock", "--list-readings"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == sorted(READINGS)
    assert all(line.split()[1] == READINGS[line.split()[0]].register_entry for line in lines)
    assert known_readings() == sorted(READINGS) + [RANDOM]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["mock", "--describe", "--reading", "nope"], "--reading: unknown reading(s) nope"),
        (["mock", "--describe", "--reading", "order-ties-id-asc", "--reading", "order-ties-id-desc"], "--reading: readings order-ties-id-asc and order-ties-id-desc"),
    ],
)
def test_bad_reading_flags_exit_2_with_one_line(argv, message, capsys) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_mock_reading_flag_is_accepted(capsys) -> None:
    assert main(["mock", "--describe", "--reading", "random", "--seed", "7"]) == 0
    assert main(["mock", "--describe", "--reading", "v2-list-sort-by-id"]) == 0
