"""The pytest face of the suite: options, session fixtures and the exit codes of a run.

`coupon-contracts run` and plain `pytest tests/conformance` both come through here; the tests only
ask for fixtures (`target`, `discovery`, `contract`, `redactor`, `coupon_schema`, `suite_settings`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .contract import Contract, ContractError
from .discovery import CustomerNotFound, Discovery, discover
from .drift import DriftLog, ObservedShapes, findings_for, write_drift_report
from .redaction import Redactor
from .settings import Settings, SettingsError
from .target import Exchange, Target, TargetUnavailable, open_target

__all__ = ["EXIT_TARGET_UNAVAILABLE", "EXIT_USAGE", "RunState", "run_state"]

EXIT_USAGE, EXIT_TARGET_UNAVAILABLE = 2, 3
OPTIONS = {
    "base_url": "target base URL (COUPON_API_BASE_URL); unset: the embedded mock",
    "username": "Basic username (COUPON_API_USERNAME)",
    "password": "Basic password, sent MD5-hashed (COUPON_API_PASSWORD; prefer the variable)",
    "oauth_token": "token for X-CAP-API-OAUTH-TOKEN (COUPON_API_OAUTH_TOKEN; prefer the variable)",
    "customers": "test customers, field:value,... (COUPON_API_CUSTOMERS)",
    "profile": "quick, ci or thorough (COUPON_CONTRACTS_PROFILE)",
    "seed": "seed of generation (COUPON_CONTRACTS_SEED)",
    "timeout": "seconds per request (COUPON_API_TIMEOUT)",
    "rate_limit": "requests per second, 0 for none (COUPON_API_RATE_LIMIT)",
    "reports": "folder for reports (COUPON_CONTRACTS_REPORTS)",
    "mock_faults": "faults of the embedded mock, comma-separated (COUPON_CONTRACTS_MOCK_FAULTS)",
    "operations": "check only these operationIds, comma-separated (COUPON_CONTRACTS_OPERATIONS)",
}


class RunState:
    """What one session learned that the CLI needs afterwards: why it stopped, what it saw."""

    def __init__(self) -> None:
        self.exit_reason: str | None = None  # "usage" or "target" when the plugin ended the run
        self.exchanges: list[Exchange] = []
        self.settings: Settings | None = None
        self.drift = DriftLog()
        self.shapes = ObservedShapes()
        self.contract: Contract | None = None
        self.redactor: Redactor | None = None
        self.target_label = ""

    def observe(self, exchange: Exchange) -> None:
        """Hold every response of the run against the contract."""
        self.exchanges.append(exchange)
        if self.contract is None or self.redactor is None:
            return
        self.drift.responses += 1
        response = exchange.response
        request = self.redactor.curl(exchange.request)
        content_type = response.headers.get("content-type", "")
        for finding in findings_for(self.contract, exchange.operation_id, response.status_code, content_type, response.content, request=request):
            self.drift.add(finding)
        try:
            document = response.json()
        except ValueError:
            return
        operation = self.contract.operations.get(exchange.operation_id)
        self.shapes.observe(operation.label if operation else exchange.operation_id, response.status_code, document)


run_state = RunState()


def stop(reason: str, message: str) -> None:
    """End the session: a usage error (exit 2) or an unusable target (exit 3), one line."""
    run_state.exit_reason = reason
    pytest.exit(f"coupon-contracts: {message}", returncode=EXIT_USAGE if reason == "usage" else EXIT_TARGET_UNAVAILABLE)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("coupon-contracts")
    for name, text in OPTIONS.items():
        group.addoption(f"--{name.replace('_', '-')}", dest=f"coupon_{name}", default=None, help=text)


def pytest_configure(config: pytest.Config) -> None:
    global run_state
    run_state = RunState()
    config.addinivalue_line("markers", "family(name): check family of a conformance test (schema, filters, consistency, errors, security)")
    config.addinivalue_line("markers", "operations(*ids): the operationIds a conformance test exercises")


def _overrides(config: pytest.Config) -> dict[str, Any]:
    return {name: config.getoption(f"coupon_{name}") for name in OPTIONS}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With `operations` set, keep only the tests that exercise one of them."""
    try:
        wanted = set(Settings.load(overrides=_overrides(config)).operations)
    except SettingsError:
        return  # the suite_settings fixture reports it as exit 2
    if not wanted:
        return
    kept, dropped = [], []
    for item in items:
        marker = item.get_closest_marker("operations")
        (dropped if marker is not None and not wanted & set(marker.args) else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def suite_settings(pytestconfig: pytest.Config) -> Settings:
    """The run's settings: defaults < coupon-contracts.toml < environment < command-line options."""
    try:
        settings = Settings.load(overrides=_overrides(pytestconfig))
    except SettingsError as exc:
        stop("usage", str(exc))
    run_state.settings = settings
    return settings


@pytest.fixture(scope="session")
def contract() -> Contract:
    """The contract, loaded and checked once."""
    try:
        return Contract.load()
    except ContractError as exc:
        stop("usage", str(exc))
        raise  # unreachable: pytest.exit raised


@pytest.fixture(scope="session")
def redactor(suite_settings: Settings) -> Redactor:
    """The run's redactor: knows the credentials now, the customers' PII once discovered."""
    redactor = Redactor()
    password = suite_settings.password.reveal() if suite_settings.password else None
    token = suite_settings.oauth_token.reveal() if suite_settings.oauth_token else None
    redactor.add_credentials(username=suite_settings.username, password=password, oauth_token=token)
    for ref in suite_settings.customers:
        if ref.field in ("mobile", "email"):
            redactor.add_pii(ref.field, [ref.value])
    return redactor


@pytest.fixture(scope="session")
def target(suite_settings: Settings, redactor: Redactor, contract: Contract) -> Iterator[Target]:
    """The system under test; every exchange is held against the contract for the drift report."""
    target = open_target(suite_settings)
    redactor.add_credentials(**{k: target.credentials.get(k) for k in ("username", "password", "oauth_token")})
    run_state.contract, run_state.redactor, run_state.target_label = contract, redactor, target.label
    target.observers.append(run_state.observe)
    yield target
    target.close()


@pytest.fixture(scope="session")
def discovery(target: Target, redactor: Redactor) -> Discovery:
    """The test customers as the target knows them."""
    try:
        found = discover(target)
    except CustomerNotFound as exc:
        stop("usage", str(exc))
    except TargetUnavailable as exc:
        stop("target", str(exc))
    redactor.add_pii("mobile", [c.mobile for c in found.customers])
    redactor.add_pii("email", [c.email for c in found.customers])
    return found


@pytest.fixture(scope="session")
def coupon_schema(suite_settings: Settings, contract: Contract) -> Any:
    """The contract as a Schemathesis schema, set up for the profile and fed discovered values."""
    import schemathesis
    from schemathesis import GenerationMode

    schema = schemathesis.openapi.from_path(str(contract.openapi_path))
    profile = suite_settings.profile
    schema.config.seed = suite_settings.seed
    schema.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        max_examples=profile.max_examples,
        deterministic=profile.is_deterministic,
        with_security_parameters=False,  # credentials come from the target, never from generation
        database="none",
    )
    phases = ["examples"] + (["coverage"] if profile.coverage_phase else []) + (["fuzzing"] if profile.fuzzing_phase else [])
    schema.config.phases.update(phases=phases)
    schema.config.phases.coverage.unexpected_methods = set()  # read-only: never send another method
    return schema


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """A target that stops answering mid-run is an outage (exit 3), not a failed test."""
    try:
        return (yield)
    except TargetUnavailable as exc:
        stop("target", str(exc))
        raise


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write the drift report; a breaking finding fails the run even if no test asserted it."""
    if run_state.contract is None or run_state.redactor is None or run_state.drift.responses == 0:
        return
    folder = reports_dir(run_state.settings)
    write_drift_report(run_state.drift, folder, target=run_state.target_label, contract_hash=run_state.contract.fingerprint, redactor=run_state.redactor)
    run_state.shapes.write(folder / "observed-shapes.json")
    if run_state.drift.breaking and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    if not any("conformance" in str(arg) for arg in config.args):
        return None
    try:
        settings = Settings.load(overrides=_overrides(config))
    except SettingsError:
        return None  # the suite_settings fixture reports it, once, as exit 2
    target = "embedded mock (in-process)" if settings.is_mock else settings.base_url
    faults = f", mock faults: {', '.join(settings.mock_faults)}" if settings.mock_faults else ""
    return [f"coupon-contracts: target {target}{faults}; profile {settings.profile.name}; seed {settings.seed} (COUPON_CONTRACTS_SEED={settings.seed} reproduces)"]


def reports_dir(settings: Settings | None) -> Path:
    """Where this run writes its reports."""
    return settings.reports if settings else Path("reports")
