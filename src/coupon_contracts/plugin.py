"""The pytest face of the suite: options, session fixtures and the exit codes of a run.

`coupon-contracts run` and plain `pytest tests/conformance` both come through here; the tests only
ask for fixtures (`target`, `discovery`, `contract`, `redactor`, `positive_schema`, `negative_schema`, `lanes`,
`suite_settings`).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from concurrent.futures import Future, wait
from pathlib import Path
from typing import Any, NoReturn

import pytest

from . import __version__
from .answer import OperationWithheld
from .bundle import bundled
from .checks import CHECKS, Check
from .contract import Contract, ContractError
from .discovery import CustomerNotFound, Discovery, discover
from .drift import write_drift_report
from .lanes import Lanes
from .pacing import BudgetSpent, SharedPace
from .properties import NOT_CHECKED, NotChecked, Undecidable, settle
from .redaction import Redactor
from .reporting.allure_report import write_categories, write_environment
from .reporting.allure_results import attach_failure, label_markers, scrub_folder, write_drift_summary
from .reporting.junit import drop_subtests
from .reporting.signoff import build_signoff, write_signoff
from .run_record import RunRecord
from .settings import Settings, SettingsError
from .shared_discovery import SharedDiscovery, read_shared
from .target import Target, TargetUnavailable, open_target
from .verdict import EXIT_INCOMPLETE, Verdict

__all__ = ["EXIT_TARGET_UNAVAILABLE", "EXIT_USAGE", "defer", "run_state"]

EXIT_USAGE, EXIT_TARGET_UNAVAILABLE = 2, 3
SHARED_PACE = pytest.StashKey[SharedPace]()
SHARED_DISCOVERY = pytest.StashKey[SharedDiscovery]()
OPTIONS = {
    "base_url": "target base URL (COUPON_API_BASE_URL); unset: the embedded mock",
    "username": "Basic username (COUPON_API_USERNAME)",
    "password": "Basic password, sent MD5-hashed (COUPON_API_PASSWORD; prefer the variable)",
    "oauth_token": "token for X-CAP-API-OAUTH-TOKEN (COUPON_API_OAUTH_TOKEN; prefer the variable)",
    "customers": "test customers, field:value,... (COUPON_API_CUSTOMERS)",
    "profile": "quick, ci or thorough (COUPON_CONTRACTS_PROFILE)",
    "seed": "seed of generation (COUPON_CONTRACTS_SEED)",
    "timeout": "seconds per read of an answer (COUPON_API_TIMEOUT)",
    "deadline": "seconds for one whole answer, however slowly it comes (COUPON_API_DEADLINE)",
    "max_body_mb": "largest answer read, on the wire and decompressed, in MiB (COUPON_API_MAX_BODY_MB)",
    "rate_limit": "requests per second, 0 for none (COUPON_API_RATE_LIMIT)",
    "reports": "folder for reports (COUPON_CONTRACTS_REPORTS)",
    "mock_faults": "faults of the embedded mock, comma-separated (COUPON_CONTRACTS_MOCK_FAULTS)",
    "mock_readings": "readings of the embedded mock where the docs are silent, comma-separated or random (COUPON_CONTRACTS_MOCK_READINGS; random is seeded by COUPON_CONTRACTS_MOCK_READINGS_SEED)",
    "operations": "check only these operationIds, comma-separated (COUPON_CONTRACTS_OPERATIONS)",
    "mask_pii": "mask mobiles and e-mails in outputs: true (default) or false for local debugging (COUPON_CONTRACTS_MASK_PII)",
    "max_requests": "request budget of the whole run (COUPON_API_MAX_REQUESTS)",
    "workers": "requests in flight at once, for the whole run: request lanes in up to one pytest-xdist process per core (COUPON_CONTRACTS_WORKERS)",
    "contract": "path of the OpenAPI contract, default contracts/openapi.yaml (COUPON_CONTRACTS_CONTRACT)",
}


run_state = RunRecord()


def stop(reason: str, message: str) -> NoReturn:
    """End the session: a usage error (exit 2) or an unusable target (exit 3), one line."""
    run_state.exit_reason = reason
    run_state.exit_message = message
    if _session is not None:
        # Not pytest.exit: in an xdist worker it reads as a crash to the controller, and everywhere it prints
        # pytest's own `_pytest.outcomes.Exit` banner. Ask the session to stop after this test instead;
        # pytest_sessionfinish turns the reason into exit 2 or 3, and the CLI prints the one line.
        _session.shouldstop = f"coupon-contracts: {message}"
        pytest.skip(f"not run: {message}")
    pytest.exit(f"coupon-contracts: {message}", returncode=EXIT_USAGE if reason == "usage" else EXIT_TARGET_UNAVAILABLE)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("coupon-contracts")
    for name, text in OPTIONS.items():
        group.addoption(f"--{name.replace('_', '-')}", dest=f"coupon_{name}", default=None, help=text)


_config: pytest.Config | None = None
_session: pytest.Session | None = None


def pytest_sessionstart(session: pytest.Session) -> None:
    global _session
    _session = session


def _is_worker(config: pytest.Config | None) -> bool:
    """A pytest-xdist worker process (it reports to a controller)."""
    return config is not None and hasattr(config, "workerinput")


def _has_workers(config: pytest.Config | None) -> bool:
    """The controller of pytest-xdist workers (it runs no test itself)."""
    return config is not None and not _is_worker(config) and bool(getattr(config.option, "numprocesses", None))


def pytest_configure(config: pytest.Config) -> None:
    global run_state, _config
    run_state, _config = RunRecord(), config
    _read_settings.cache_clear()  # a new session may carry other options
    if _has_workers(config):  # one rate limit, one budget and one cap on requests in flight for every worker
        settings = _settings()  # when None, the workers' suite_settings fixture reports why
        config.stash[SHARED_PACE] = SharedPace.create(settings.workers if settings else 1)
        if settings is not None and not settings.is_mock:  # the workers boot while the controller discovers
            _share_discovery(config, settings)
    config.addinivalue_line("markers", "check(id): the catalog entry (coupon_contracts.checks) a conformance test holds: family, operations, doc lines")
    config.addinivalue_line("markers", "silence(entry): a conformance test that only records what the target does where the docs are silent (register entry)")


def _share_discovery(config: pytest.Config, settings: Settings) -> None:
    try:
        contract = _contract_once()
    except ContractError:
        return  # every worker's contract fixture says what is wrong
    redactor = run_state.redactor = _redactor_of(settings)
    run_state.contract = contract
    shared = SharedDiscovery(settings, contract, redactor, config.stash[SHARED_PACE], run_state.observe)
    config.stash[SHARED_DISCOVERY] = shared.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    if SHARED_DISCOVERY in config.stash:
        config.stash[SHARED_DISCOVERY].close()
    if SHARED_PACE in config.stash:
        config.stash[SHARED_PACE].close()


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist: hand each worker the folder of the shared pace."""
    node.workerinput["coupon_shared_pace"] = str(node.config.stash[SHARED_PACE].folder)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist: merge what a worker saw into the controller's record."""
    data = getattr(node, "workeroutput", {}).get("coupon_contracts")
    if data:
        run_state.merge(json.loads(data))


def _overrides(config: pytest.Config) -> dict[str, Any]:
    return {name: config.getoption(f"coupon_{name}") for name in OPTIONS}


@functools.lru_cache(maxsize=1)
def _read_settings() -> Settings | SettingsError:
    """The run's settings, read once per process from this session's options, or why they cannot be."""
    assert _config is not None, "read before pytest_configure"
    try:
        return Settings.load(overrides=_overrides(_config))
    except SettingsError as exc:
        return exc


def _settings() -> Settings | None:
    """The run's settings; None when they are wrong (the suite_settings fixture reports it, as exit 2)."""
    settings = _read_settings()
    return settings if isinstance(settings, Settings) else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Heaviest tests first (parallel workers then finish together); with `operations`, only those."""
    unknown = sorted({m.args[0] for item in items for m in item.iter_markers("check") if m.args[0] not in CHECKS})
    if unknown:
        raise pytest.UsageError(f"conformance tests name checks missing from coupon_contracts.checks.CHECKS: {', '.join(unknown)}")
    unnamed = [i.nodeid for i in items if i.nodeid.startswith("tests/conformance/") and not (i.get_closest_marker("check") or i.get_closest_marker("silence"))]
    if unnamed:  # a check without a catalog entry would be tallied nowhere and cite nothing
        raise pytest.UsageError(f"conformance tests without @pytest.mark.check(id) or @pytest.mark.silence(entry): {', '.join(unnamed[:5])}")
    items.sort(key=lambda item: _family_of(item) != "schema")  # stable: the rest keep their order
    settings = _settings()
    wanted = set(settings.operations) if settings else set()
    if not wanted:
        return
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        check = _check_of(item)
        (dropped if check is not None and not wanted & set(check.operations) else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def _check_of(item: pytest.Item) -> Check | None:
    marker = item.get_closest_marker("check")
    return CHECKS.get(marker.args[0]) if marker is not None else None


def _operations_of(item: pytest.Item) -> tuple[str, ...]:
    check = _check_of(item)
    return check.operations if check else ()


def _family_of(item: pytest.Item) -> str | None:
    check = _check_of(item)
    return check.family.value if check else None


@pytest.hookimpl(trylast=True)
def pytest_itemcollected(item: pytest.Item) -> None:
    """Allure labels from the test's family and operations: epic, feature, story, severity."""
    family, operations = _family_of(item), _operations_of(item)
    if family is None:
        return
    try:
        contract = _contract_once()
    except ContractError:
        return  # the contract fixture reports it
    check = _check_of(item)
    for mark in label_markers(family, operations, contract, docs=check.docs if check else ()):
        item.add_marker(mark)


def _contract_once() -> Contract:
    """The run's contract, loaded once per process (not once per test)."""
    settings = _settings() if _config is not None else None
    return _load_contract(settings.contract if settings else None)


@functools.lru_cache(maxsize=4)
def _load_contract(path: Path | None) -> Contract:
    return Contract.load(path)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    run_state.begin_test(_family_of(item) or "other", mode="negative" if item.name.split("[")[0].endswith("_negative") else "positive")
    run_state.operations = _operations_of(item)
    # Reports travel from workers to the controller: they carry the check with them (before any fixture
    # runs, so a check skipped in a fixture is still counted).
    check = _check_of(item)
    if check is not None and not any(name == "coupon_check" for name, _ in item.user_properties):
        item.user_properties.append(("coupon_check", check.id))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Every failure's text is redacted before the terminal or junit.xml see it; tallies follow.

    A check not checked reads "not checked: <why>", without the exception's module path.
    """
    if report.failed and run_state.redactor is not None:
        report.longrepr = run_state.redactor.text(str(report.longrepr))
    if report.skipped and isinstance(report.longrepr, tuple) and len(report.longrepr) == 3 and NOT_CHECKED in report.longrepr[2]:
        path, line, text = report.longrepr
        report.longrepr = (path, line, NOT_CHECKED + text.split(NOT_CHECKED, 1)[1])
    _tally(report)


def _tally(report: pytest.TestReport) -> None:
    """Tally each test as passed, failed, or not checked (a skip: never a pass), where reports gather (never in a worker)."""
    if _is_worker(_config):
        return
    check = CHECKS.get(str(dict(report.user_properties).get("coupon_check", "")))
    if check is None or hasattr(report, "context"):  # a subtest (one Schemathesis case) is not a check of its own
        return
    if report.when == "call" or (report.when == "setup" and not report.passed):
        # Skipped: it did not run (a spent budget, an outage); not checked: it ran but no data let it decide.
        text = str(report.longrepr) if report.skipped else ""
        outcome = "passed" if report.passed else "failed" if report.failed else "not_checked" if NOT_CHECKED in text else "skipped"
        reason = _skip_reason(report) if report.skipped else ""
        run_state.record(check, outcome, reason=reason, test=report.nodeid)


def _skip_reason(report: pytest.TestReport) -> str:
    """The reason a skipped test gave, without pytest's location prefix."""
    longrepr = report.longrepr
    text = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
    text = text.removeprefix("Skipped: ")
    return text.split(NOT_CHECKED, 1)[1] if NOT_CHECKED in text else text


@pytest.fixture(scope="session")
def suite_settings() -> Settings:
    """The run's settings: defaults < coupon-contracts.toml < environment < command-line options."""
    settings = _read_settings()
    if isinstance(settings, SettingsError):
        stop("usage", str(settings))
    run_state.settings = settings
    return settings


@pytest.fixture(scope="session")
def contract() -> Contract:
    """The contract, loaded and checked once."""
    try:
        return _contract_once()
    except ContractError as exc:
        stop("usage", str(exc))
        raise  # unreachable: pytest.exit raised


@pytest.fixture(scope="session")
def redactor(suite_settings: Settings) -> Redactor:
    """The run's redactor: knows the credentials now, the customers' PII once discovered."""
    return _redactor_of(suite_settings)


def _redactor_of(settings: Settings) -> Redactor:
    """A redactor that knows the configured credentials and the configured customers' PII."""
    redactor = Redactor(is_masking_pii=settings.mask_pii)
    password = settings.password.reveal() if settings.password else None
    token = settings.oauth_token.reveal() if settings.oauth_token else None
    redactor.add_credentials(username=settings.username, password=password, oauth_token=token)
    for ref in settings.customers:
        if ref.field in ("mobile", "email"):
            redactor.add_pii(ref.field, [ref.value])
    return redactor


@pytest.fixture(scope="session")
def target(suite_settings: Settings, redactor: Redactor, contract: Contract, pytestconfig: pytest.Config) -> Iterator[Target]:
    """The system under test; every exchange is held against the contract for the drift report."""
    shared = getattr(pytestconfig, "workerinput", {}).get("coupon_shared_pace")
    target = open_target(suite_settings, shared_pace=SharedPace(Path(shared)) if shared else None)
    redactor.add_credentials(**{k: target.credentials.get(k) for k in ("username", "password", "oauth_token")})
    run_state.contract, run_state.redactor, run_state.target_label = contract, redactor, target.label
    target.observers.append(run_state.observe)
    yield target
    run_state.flaky += [
        {"operation": f.operation_id, "attempts": f.attempts, "reasons": f.reasons, "request": redactor.curl(f.request)} for f in target.flaky
    ]
    target.close()


@pytest.fixture(scope="session")
def lanes(suite_settings: Settings) -> Iterator[Lanes]:
    """This process's request lanes: `workers` threads; with worker processes, the shared pace's
    tokens keep the requests in flight of the whole run at `workers`, whichever process sends them."""
    lanes = Lanes(suite_settings.workers)
    yield lanes
    lanes.close()


@pytest.fixture(scope="session")
def discovery(target: Target, redactor: Redactor, lanes: Lanes, suite_settings: Settings, pytestconfig: pytest.Config) -> Discovery:
    """The test customers as the target knows them (in a parallel run, as the controller found them)."""
    shared = getattr(pytestconfig, "workerinput", {}).get("coupon_shared_pace")
    try:
        found = (read_shared(Path(shared), timeout=suite_settings.deadline * 5 + 60) if shared else None) or discover(target, lanes=lanes)
    except BudgetSpent as exc:
        stop("usage", f"{exc} before discovery finished: raise COUPON_API_MAX_REQUESTS")
    except CustomerNotFound as exc:
        stop("usage", str(exc))
    except TargetUnavailable as exc:
        stop("target", str(exc))
    redactor.add_pii("mobile", [c.mobile for c in found.customers])
    redactor.add_pii("email", [c.email for c in found.customers])
    run_state.data = found.health()
    return found


@pytest.fixture(scope="session")
def silence() -> Any:
    """`silence(key, entry=..., observed=...)`: record what the target does where the docs say nothing."""
    return run_state.note_silence


@pytest.fixture(autouse=True)
def _discovery_before_the_schema(request: pytest.FixtureRequest) -> None:
    """Schema tests ask for discovery inside Schemathesis' wrapper, after it builds the schema: ask first,
    so the run's first request leaves before that work (start-up to the first request)."""
    if _family_of(request.node) == "schema":
        request.getfixturevalue("discovery")


@pytest.fixture(scope="session")
def positive_schema(suite_settings: Settings, contract: Contract) -> Any:
    """The contract as a Schemathesis schema, positive generation only."""
    from schemathesis import GenerationMode

    return _schema(suite_settings, contract, [GenerationMode.POSITIVE])


@pytest.fixture(scope="session")
def negative_schema(suite_settings: Settings, contract: Contract) -> Any:
    """The contract as a Schemathesis schema, negative generation only."""
    from schemathesis import GenerationMode

    return _schema(suite_settings, contract, [GenerationMode.NEGATIVE])


def _schema(suite_settings: Settings, contract: Contract, modes: list[Any]) -> Any:
    """The contract as a Schemathesis schema, set up for the profile."""
    import schemathesis

    # The one-file form: the same schemas, and Schemathesis reads no file (through its YAML loader) for
    # each of the two schemas; relative references (the examples' externalValue) still resolve from here.
    schema = schemathesis.openapi.from_dict(bundled(contract))
    schema.location = contract.openapi_path.absolute().as_uri()
    profile = suite_settings.profile
    schema.config.seed = suite_settings.seed
    schema.config.generation.update(
        modes=modes,
        max_examples=profile.max_examples,
        deterministic=profile.is_deterministic,
        with_security_parameters=False,  # credentials come from the target, never from generation
        database="none",
    )
    phases = ["examples"] + (["coverage"] if profile.coverage_phase else []) + (["fuzzing"] if profile.fuzzing_phase else [])
    schema.config.phases.update(phases=phases)
    schema.config.phases.coverage.unexpected_methods = set()  # read-only: never send another method
    return schema


def defer(check: Future[Any]) -> None:
    """A check the running test left on a request lane: settled before the test ends, its failure the test's."""
    run_state.pending.append(check)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """An outage mid-run ends it (exit 3); a failure gets its family tag and its attachments.

    Checks a test left running on request lanes are settled here, before the next test begins.
    """
    try:
        try:
            outcome = yield
        finally:
            pending, run_state.pending = run_state.pending, []
            wait(pending)
        withheld = [f.exception() for f in pending if isinstance(f.exception(), OperationWithheld)]
        settle([f for f in pending if not isinstance(f.exception(), OperationWithheld)], what="cases")
        if withheld:  # the operation's first answer past the deadline failed the test that sent it
            raise NotChecked(f"{withheld[0]} ({len(withheld)} cases not sent)")
        if _family_of(item) == "schema" and run_state.mode == "positive" and not run_state.test_hits:
            # Every answer held, but none carried a real customer or coupon: the documented shape was never seen.
            raise NotChecked("no positive generated case reached a real customer with coupons: add such a customer to COUPON_API_CUSTOMERS (see data health)")
        return outcome
    except TargetUnavailable as exc:
        stop("target", str(exc))
        raise
    except BudgetSpent as exc:
        run_state.skipped_for_budget += 1
        pytest.skip(str(exc))
    except (Undecidable, OperationWithheld) as exc:  # raised outside check_examples (an observation, a one-off request)
        raise NotChecked(str(exc)) from None
    except AssertionError as failure:
        family = _family_of(item)
        if family is None or run_state.contract is None or run_state.redactor is None:
            raise
        check = _check_of(item)
        message = str(failure)
        attach_failure(getattr(failure, "exchanges", None) or list(run_state.current), run_state.contract, run_state.redactor, docs=check.docs if check else ())
        if not message.startswith("["):  # the schema test tags its own message
            message = f"[{family}] {message}"  # Allure categories match on this tag
        if check is not None:
            message = f"{message}\n  check: {check.id}\n  {check.citation}"
        # The finding, not the plugin's own source: pytrace=False drops the traceback through this hook.
        raise pytest.fail.Exception(run_state.redactor.text(message), pytrace=False) from None


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write every report of the run; a breaking finding fails the run even if no test asserted it."""
    if _is_worker(session.config):
        session.config.workeroutput["coupon_contracts"] = json.dumps(run_state.export())  # type: ignore[attr-defined]  # xdist sets it on workers
        return
    if _has_workers(session.config):
        _prepare_controller(session)
    if run_state.exit_reason is not None:  # a worker stopped the run: its reason decides the code
        session.exitstatus = exitstatus = EXIT_USAGE if run_state.exit_reason == "usage" else EXIT_TARGET_UNAVAILABLE
    contract, redactor, settings = run_state.contract, run_state.redactor, run_state.settings
    if contract is None or redactor is None or settings is None or not run_state.target_label:
        return
    if run_state.drift.breaking and exitstatus == 0:
        session.exitstatus = exitstatus = pytest.ExitCode.TESTS_FAILED
    run_state.verdict = Verdict.of(run_state, int(exitstatus))
    if run_state.verdict is Verdict.INCOMPLETE and exitstatus == 0:
        session.exitstatus = exitstatus = EXIT_INCOMPLETE
    folder = reports_dir(settings)
    document = write_drift_report(run_state.drift, folder, target=run_state.target_label, contract_hash=contract.fingerprint, redactor=redactor)
    run_state.shapes.write(folder / "observed-shapes.json")
    outage = run_state.exit_message if run_state.exit_reason == "target" else None
    write_signoff(build_signoff(run_state, contract, exit_code=int(exitstatus), outage=outage), folder, redactor)
    results = folder / "allure-results"
    if results.is_dir():
        write_drift_summary(results, (folder / "drift.md").read_text(encoding="utf-8"), document["summary"]["breaking"])
        write_categories(results)
        write_environment(results, {
            "target": run_state.target_label,
            "contract": contract.fingerprint,
            "profile": settings.profile.name,
            "seed": str(settings.seed),
            "suite.version": __version__,
        })  # fmt: skip
    if (folder / "junit.xml").is_file():
        drop_subtests(folder / "junit.xml")
    for written in (results, folder / "junit.xml"):
        if written.is_dir():
            scrub_folder(written, redactor)
        elif written.is_file():
            written.write_text(redactor.text(written.read_text(encoding="utf-8")), encoding="utf-8")


def _prepare_controller(session: pytest.Session) -> None:
    """The controller ran no fixture: load what the reports need, with the workers' secrets and PII."""
    settings = _settings()
    if settings is None:
        return
    try:
        contract = _load_contract(settings.contract)
    except ContractError:
        return
    redactor = _redactor_of(settings)
    pending, run_state.redactor = run_state.redactor, redactor
    run_state.settings, run_state.contract = settings, contract
    if pending is not None:  # merged before: carry its secrets and PII over
        redactor.secrets.update(pending.secrets)
        redactor.pii.update(pending.pii)


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    if not any("conformance" in str(arg) for arg in config.args):
        return None
    settings = _settings()
    if settings is None:
        return None  # the suite_settings fixture reports it, once, as exit 2
    target = "embedded mock (in-process)" if settings.is_mock else settings.base_url
    faults = f", mock faults: {', '.join(settings.mock_faults)}" if settings.mock_faults else ""
    return [f"coupon-contracts: target {target}{faults}; profile {settings.profile.name}; seed {settings.seed} (COUPON_CONTRACTS_SEED={settings.seed} reproduces)"]


def reports_dir(settings: Settings | None) -> Path:
    """Where this run writes its reports."""
    return settings.reports if settings else Path("reports")
