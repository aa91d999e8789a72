"""The end of a run: every report written, and the verdict and exit code decided, here and only here.

`finish(run, pytest_code)` is called by the plugin when the session ends (in the controller, when
workers ran the tests); the CLI reads `run.record.verdict` and `run.exit_code` after pytest returns.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

from . import __version__
from .contract import Contract, ContractError
from .drift import write_drift_report
from .history import record_release
from .known import KnownDeviationsError
from .operations import labels_by_id
from .redaction import Redactor
from .reporting.allure_report import write_categories, write_environment
from .reporting.allure_results import mark_known, scrub_folder, write_drift_summary
from .reporting.junit import drop_subtests, mark_known_cases
from .reporting.signoff import build_signoff, write_signoff
from .run import Run, redactor_of
from .run_record import RunRecord
from .settings import Settings
from .shards import write_share
from .usage import EXIT_INCOMPLETE, EXIT_INTERNAL_ERROR, EXIT_OK, EXIT_TARGET_UNAVAILABLE, EXIT_USAGE, EXIT_VIOLATIONS, stopped_code
from .verdict import Verdict

__all__ = ["exit_code", "finish", "prepare_controller", "write_reports"]


def finish(run: Run, pytest_code: int) -> int:
    """Decide the verdict and the exit code of a finished run and write every report; returns the code."""
    record = run.record
    if record.exit_reason is not None:  # a worker or a fixture stopped the run: its reason decides the code
        pytest_code = stopped_code(record.exit_reason)
    contract, redactor, settings = record.contract, record.redactor, record.settings
    if contract is None or redactor is None or settings is None or not record.target_label:
        run.exit_code = exit_code(pytest_code, record.exit_reason)
        return pytest_code
    failed = run.session.testsfailed if run.session is not None else None
    pytest_code = write_reports(record, contract, settings, run.reports, pytest_code, redactor, failed_tests=failed)
    run.exit_code = exit_code(pytest_code, record.exit_reason, record.verdict)
    if settings.shard is not None:
        write_share(record, run.reports, shard=settings.shard, contract=contract.fingerprint, profile=settings.profile.name, seed=settings.seed, redactor=redactor,
                    release=settings.release)
        if record.verdict is Verdict.INCOMPLETE:  # the other shares ran the rest: the merge decides GO or INCOMPLETE
            run.exit_code = EXIT_OK
    return pytest_code


def _apply_known_deviations(record: RunRecord, pytest_code: int, failed_tests: int | None) -> int:
    """Mark what the known deviations excuse; failures they all excuse are no failure, an expired entry is one.

    `failed_tests`: pytest's count, when the session is at hand; a failed test outside the catalog (a
    team's own) has no check a deviation could name, so it is never excused."""
    if record.known_deviations is None or record.contract is None:
        return pytest_code
    labels = labels_by_id(record.contract.table)
    chosen = set(record.settings.operations) if record.settings is not None and record.settings.operations else set(labels)
    # an operation the run left out (COUPON_CONTRACTS_OPERATIONS) is not exercised by the reads other checks make of it
    exercised = {labels[op] for op, family in record.requests if op in labels and op in chosen and family != "setup"}
    record.known = record.known_deviations.apply(record.failed_checks, list(record.drift.findings.values()), labels, datetime.now(timezone.utc).date(),
                                                 ran=record.ran, exercised=exercised)  # fmt: skip
    all_in_catalog = failed_tests is None or failed_tests == record.outcomes["failed"]
    if pytest_code == EXIT_VIOLATIONS and record.failed_checks and not record.unexcused_failures and all_in_catalog:
        pytest_code = EXIT_OK  # every failure was a known deviation: the verdict decides GO or INCOMPLETE
    return EXIT_VIOLATIONS if record.known.expired and pytest_code == EXIT_OK else pytest_code


def write_reports(record: RunRecord, contract: Contract, settings: Settings, folder: Path, pytest_code: int, redactor: Redactor, *, failed_tests: int | None = None) -> int:
    """The verdict of a finished record, and every report in `folder`; returns pytest's code as the verdict reads it."""
    pytest_code = _apply_known_deviations(record, pytest_code, failed_tests)
    if record.drift.breaking and pytest_code == 0:
        pytest_code = 1  # a breaking finding fails the run even if no test asserted it
    record.verdict = Verdict.of(record, pytest_code)
    if record.verdict is Verdict.INCOMPLETE and pytest_code == 0:
        pytest_code = EXIT_INCOMPLETE
    document = write_drift_report(record.drift, folder, target=record.target_label, contract_hash=contract.fingerprint, redactor=redactor)
    record.shapes.write(folder / "observed-shapes.json", profile=settings.profile.name)
    outage = record.exit_message if record.exit_reason == "target" else None
    signoff = build_signoff(record, contract, exit_code=pytest_code, outage=outage)
    if settings.shard is None:  # a shard is part of a run: the merge adds the run to the history
        try:
            signoff["releases"] = record_release(record, contract, settings, folder / "observed-shapes.json", redactor)
        except OSError as exc:  # the verdict stands; only the history is missing
            print(f"coupon-contracts: warning: the run was not added to the history ({exc}); check COUPON_CONTRACTS_HISTORY", file=sys.stderr)
    write_signoff(signoff, folder, redactor)
    results = folder / "allure-results"
    if results.is_dir():
        rows = (signoff.get("releases") or {}).get("releases")
        write_drift_summary(results, (folder / "drift.md").read_text(encoding="utf-8"), document["summary"]["breaking"], releases=rows)
        write_categories(results)
        mark_known(results, record.known.by_check)
        write_environment(results, {
            "target": record.target_label,
            "contract": contract.fingerprint,
            "profile": settings.profile.name,
            "seed": str(settings.seed),
            "suite.version": __version__,
            **({"release": settings.release} if settings.release else {}),
        })  # fmt: skip
    if (folder / "junit.xml").is_file():
        drop_subtests(folder / "junit.xml")
        mark_known_cases(folder / "junit.xml", record.known.by_check)
    for written in (results, folder / "junit.xml"):
        if written.is_dir():
            scrub_folder(written, redactor)
        elif written.is_file():
            written.write_text(redactor.text(written.read_text(encoding="utf-8")), encoding="utf-8")
    return pytest_code


def prepare_controller(run: Run) -> None:
    """The controller ran no fixture: load what the reports need, with the workers' secrets and PII."""
    settings = run.settings
    if settings is None:
        return
    try:
        contract = run.contract()
    except ContractError:
        return
    record = run.record
    redactor = redactor_of(settings)
    pending, record.redactor = record.redactor, redactor
    record.contract = contract
    record.adopt(settings)  # the workers' findings were merged before the run's severities were known here
    try:
        run.known_deviations()  # the CLI checked the file before the run started
    except KnownDeviationsError:
        pass
    if pending is not None:  # merged before: carry its secrets and PII over
        redactor.secrets.update(pending.secrets)
        redactor.pii.update(pending.pii)


def exit_code(pytest_code: int, reason: str | None, verdict: Verdict | None = None) -> int:
    """The suite's exit code from pytest's (and why the run was stopped, if it was, and its verdict)."""
    if verdict is not None and pytest_code in (0, 1, EXIT_INCOMPLETE) and reason is None:
        return verdict.exit_code
    if pytest_code == 0:
        return EXIT_OK
    if pytest_code == 1:
        return EXIT_VIOLATIONS
    if reason == "usage":
        return EXIT_USAGE
    if reason == "target":
        return EXIT_TARGET_UNAVAILABLE
    if pytest_code == 2:  # interrupted by the user
        return 130
    if pytest_code == 5:
        print("coupon-contracts: error: no conformance test was collected (check the arguments after --)", file=sys.stderr)
        return EXIT_USAGE
    if pytest_code == 4:
        return EXIT_USAGE  # pytest already printed which argument it refused
    print("coupon-contracts: internal error (a bug in coupon-contracts, not in the target): see the traceback above", file=sys.stderr)
    return EXIT_INTERNAL_ERROR
