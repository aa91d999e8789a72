"""A run split across a CI's parallel jobs: each job (`--shard K/N`) writes what it saw as
`share.json` beside its reports; `coupon-contracts merge DIR...` reads every share back into one
record and writes the reports of the whole run from it, with one verdict.

A share is written through the redactor, with no credential and no PII (the merge builds its own
redactor from its own settings): it is an artifact like any other report.
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .checks import CHECKS
from .redaction import Redactor
from .run_record import RunRecord, Tally, Unchecked
from .usage import stopped_code

__all__ = ["SHARE_FILE", "ShareError", "merge_files", "merge_run", "merge_shares", "write_share"]

SHARE_FILE = "share.json"
SHARE_VERSION = 1


class ShareError(Exception):
    """The shares cannot make one run (missing, repeated, from other runs): the message names the folder."""


def write_share(record: RunRecord, folder: Path, *, shard: tuple[int, int], contract: str, profile: str, seed: int, redactor: Redactor, release: str = "") -> None:
    """This job's record as `share.json`: what the merge needs to write the whole run's reports."""
    data = {k: v for k, v in record.export().items() if k not in ("secrets", "pii")}
    data |= {
        "version": SHARE_VERSION,
        "shard": list(shard),
        "contract": contract,
        "profile": profile,
        "seed": seed,
        "release": release,  # COUPON_API_RELEASE of the shard: the merge's label when it has none of its own
        "outcomes": dict(record.outcomes),
        "tallies": [[op, family, asdict(tally)] for (op, family), tally in record.tallies.items()],
        "unchecked": [asdict(u) for u in record.unchecked],
        "failed_checks": sorted(record.failed_checks),
        "failed_tests": dict(record.failed_tests),
        "ran": sorted(record.ran),
    }
    (folder / SHARE_FILE).write_text(redactor.text(json.dumps(data, indent=1, default=str)), encoding="utf-8")


def merge_shares(folders: list[Path]) -> tuple[RunRecord, dict[str, Any]]:
    """One record from every share of a run, and the run's facts (contract, profile, seed, shares)."""
    shares = [_read(folder) for folder in folders]
    first = shares[0][1]
    n = first["shard"][1]
    seen: dict[int, Path] = {}
    for folder, share in shares:
        for key in ("contract", "profile", "seed", "release"):
            if share.get(key) != first.get(key):
                raise ShareError(f"{folder / SHARE_FILE}: {key} {share.get(key)!r}, but {folders[0] / SHARE_FILE} has {first.get(key)!r}: shares of different runs")
        k, total = share["shard"]
        if total != n:
            raise ShareError(f"{folder / SHARE_FILE}: shard {k}/{total}, but {folders[0] / SHARE_FILE} is one of {n}")
        if k in seen:
            raise ShareError(f"{folder / SHARE_FILE}: shard {k}/{n} again (also in {seen[k]})")
        seen[k] = folder
    missing = sorted(set(range(1, n + 1)) - set(seen))
    if missing:
        raise ShareError(f"shard {', '.join(f'{k}/{n}' for k in missing)} missing: give every job's reports folder")
    record = RunRecord()
    for _, share in sorted(shares, key=lambda pair: pair[1]["shard"][0]):
        record.merge(share | {"secrets": [], "pii": {}})
        record.outcomes.update(share["outcomes"])
        for op, family, counts in share["tallies"]:
            tally = record.tallies.setdefault((op, family), Tally())
            for outcome, count in counts.items():
                setattr(tally, outcome, getattr(tally, outcome) + count)
        record.unchecked += [Unchecked(u["check"], tuple(u["operations"]), tuple(u["docs"]), u["reason"], u["test"], u["outcome"]) for u in share["unchecked"]]
        record.failed_checks.update(share["failed_checks"])
        record.failed_tests.update(share.get("failed_tests", {}))
        record.ran.update(c for c in share["ran"] if c in CHECKS)
    record.redactor = None
    return record, {"contract": first["contract"], "profile": first["profile"], "seed": first["seed"], "shares": n, "release": first.get("release") or ""}


def merge_run(folders: list[Path], into: Path, *, overrides: dict[str, str] | None = None) -> tuple[int, RunRecord, int]:
    """Merge the shares in `folders` into the reports of one run in `into`: its exit code, record and shares.

    The contract, profile and seed are the shards'; the contract must be the one the merge loads."""
    from .contract import Contract, ContractError
    from .finish import exit_code, write_reports
    from .known import KnownDeviationsError, known_deviations_for
    from .run import redactor_of
    from .settings import Settings, SettingsError

    if any(folder.resolve() == into.resolve() for folder in folders):
        raise ShareError(f"--reports {into}: is also a shard's folder; merge into another one")
    record, facts = merge_shares(folders)
    try:
        run = {"profile": facts["profile"], "seed": str(facts["seed"]), "reports": str(into)} | (overrides or {})
        settings = Settings.load(overrides=run)
        if not settings.release and facts["release"]:  # the shards were labelled, the merge step was not
            settings = Settings.load(overrides=run | {"release": facts["release"]})
        contract = Contract.load(settings.contract)
    except (SettingsError, ContractError) as exc:
        raise ShareError(str(exc)) from None
    if contract.fingerprint != facts["contract"]:
        raise ShareError(f"the shards ran contract {facts['contract']}, this one is {contract.fingerprint}: give the same one (--contract or COUPON_CONTRACTS_CONTRACT)")
    redactor = redactor_of(settings)
    record.contract, record.redactor = contract, redactor
    record.adopt(settings)  # the shards' findings, at the run's severities
    try:
        record.known_deviations = known_deviations_for(settings.known_deviations, contract)
    except KnownDeviationsError as exc:
        raise ShareError(str(exc)) from None
    merge_files(folders, into)
    code = stopped_code(record.exit_reason) if record.exit_reason else 1 if record.failed_checks else 0
    code = write_reports(record, contract, settings, into, code, redactor)
    return exit_code(code, record.exit_reason, record.verdict), record, facts["shares"]


def merge_files(folders: list[Path], into: Path) -> None:
    """The shares' junit.xml as one file and their Allure results in one folder (the names are unique).

    Read whole before anything is written: a file a killed job cut short is a ShareError naming it. The
    merged folder's results are the merge's alone (as `run --clean-alluredir`), and a shard's drift
    summary gives way to the merged run's."""
    from .reporting.allure_results import DRIFT_SUMMARY_ID

    suites = ET.Element("testsuites")
    copied: list[Path] = []
    for folder in folders:
        for path in sorted((folder / "allure-results").glob("*")) if (folder / "allure-results").is_dir() else ():
            if not path.is_file() or path.name in ("categories.json", "environment.properties"):
                continue
            if path.name.endswith("-result.json") and _result_of(path).get("historyId") == DRIFT_SUMMARY_ID:
                continue  # read (and checked) either way: the merged run writes its own summary
            copied.append(path)
        junit = folder / "junit.xml"
        if junit.is_file():
            try:
                root = ET.parse(junit).getroot()
            except ET.ParseError as exc:
                raise ShareError(f"{junit}: not readable XML ({exc}): the shard's job was cut short? run that shard again") from None
            suites.extend(root.iter("testsuite") if root.tag == "testsuites" else [root])
    results = into / "allure-results"
    shutil.rmtree(results, ignore_errors=True)
    results.mkdir(parents=True, exist_ok=True)
    for path in copied:
        shutil.copy2(path, results / path.name)
    ET.ElementTree(suites).write(into / "junit.xml", encoding="utf-8", xml_declaration=True)


def _result_of(path: Path) -> dict[str, Any]:
    """One Allure result of a shard, checked: the merge marks and renders them."""
    try:
        result = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        raise ShareError(f"{path}: not a readable Allure result: the shard's job was cut short? run that shard again") from None
    if not isinstance(result, dict):
        raise ShareError(f"{path}: not an Allure result (a JSON object): run that shard again")
    return result


def _read(folder: Path) -> tuple[Path, dict[str, Any]]:
    path = folder / SHARE_FILE
    if not path.is_file():
        raise ShareError(f"{path}: not found: give the reports folder of a `coupon-contracts run --shard K/N` job")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        raise ShareError(f"{path}: not a share of a run ({str(exc)[:120] or 'nested too deep'})") from None
    if not isinstance(data, dict) or data.get("version") != SHARE_VERSION:
        raise ShareError(f"{path}: a share of another version of coupon-contracts (need version {SHARE_VERSION})")
    return folder, data
