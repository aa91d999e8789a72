"""The fixtures a conformance test asks for: `suite_settings`, `contract`, `redactor`, `target`,
`lanes`, `discovery`, `silence`, `defer`. Each reads the session's `Run` (run.py), so a team's own
pytest that loads the plugin gets the same ones."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from .checks import family_of
from .contract import Contract, ContractError
from .discovery import CustomerNotFound, Discovery, discover
from .known import KnownDeviationsError
from .lanes import Lanes
from .pacing import BudgetSpent, SharedPace
from .redaction import Redactor
from .run import Run, redactor_of, run_of
from .settings import Settings, SettingsError
from .shared_discovery import read_shared
from .target import Target, TargetUnavailable, open_target

__all__ = ["contract", "defer", "discovery", "lanes", "redactor", "silence", "suite_settings", "target"]


@pytest.fixture(scope="session")
def coupon_run(pytestconfig: pytest.Config) -> Run:
    """The session's run: settings, contract and the record of every exchange and outcome."""
    return run_of(pytestconfig)


@pytest.fixture(scope="session")
def suite_settings(coupon_run: Run) -> Settings:
    """The run's settings: defaults < coupon-contracts.toml < environment < command-line options."""
    settings = coupon_run.read_settings()
    if isinstance(settings, SettingsError):
        coupon_run.stop("usage", str(settings))
    coupon_run.record.adopt(settings)
    return settings


@pytest.fixture(scope="session")
def contract(coupon_run: Run, suite_settings: Settings) -> Contract:
    """The contract, loaded and checked once."""
    try:
        contract = coupon_run.contract()
        coupon_run.known_deviations()  # read now: a defect stops the run before it sends anything
        return contract
    except (ContractError, KnownDeviationsError) as exc:
        coupon_run.stop("usage", str(exc))


@pytest.fixture(scope="session")
def redactor(suite_settings: Settings) -> Redactor:
    """The run's redactor: knows the credentials now, the customers' PII once discovered."""
    return redactor_of(suite_settings)


@pytest.fixture(scope="session")
def target(coupon_run: Run, suite_settings: Settings, redactor: Redactor, contract: Contract, pytestconfig: pytest.Config) -> Iterator[Target]:
    """The system under test; every exchange is held against the contract for the drift report."""
    shared = getattr(pytestconfig, "workerinput", {}).get("coupon_shared_pace")
    target = open_target(suite_settings, shared_pace=SharedPace(Path(shared)) if shared else None, contract=contract)
    redactor.add_credentials(**{k: target.credentials.get(k) for k in ("username", "password", "oauth_token")})
    record = coupon_run.record
    record.contract, record.redactor, record.target_label = contract, redactor, target.label
    target.observers.append(record.observe)
    yield target
    record.flaky += [
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
def discovery(coupon_run: Run, target: Target, redactor: Redactor, lanes: Lanes, suite_settings: Settings, pytestconfig: pytest.Config) -> Discovery:
    """The test customers as the target knows them (in a parallel run, as the controller found them)."""
    shared = getattr(pytestconfig, "workerinput", {}).get("coupon_shared_pace")
    record = coupon_run.record
    family, record.family = record.family, "setup"  # discovery's requests are nobody's check, whichever test asked first
    try:
        found = (read_shared(Path(shared), timeout=suite_settings.deadline * 5 + 60) if shared else None) or discover(target, lanes=lanes)
    except BudgetSpent as exc:
        coupon_run.stop("usage", f"{exc} before discovery finished: raise COUPON_API_MAX_REQUESTS")
    except CustomerNotFound as exc:
        coupon_run.stop("usage", str(exc))
    except TargetUnavailable as exc:
        coupon_run.stop("target", str(exc))
    finally:
        record.family = family
    redactor.add_pii("mobile", [c.mobile for c in found.customers])
    redactor.add_pii("email", [c.email for c in found.customers])
    coupon_run.record.data = found.health()
    return found


@pytest.fixture(scope="session")
def silence(coupon_run: Run) -> Any:
    """`silence(key, entry=..., observed=...)`: record what the target does where the docs are silent."""
    return coupon_run.record.note_silence


@pytest.fixture(scope="session")
def defer(coupon_run: Run) -> Callable[[Future[Any]], None]:
    """`defer(future)`: a check the running test left on a request lane, settled before the test ends
    (its failure the test's)."""
    return coupon_run.record.pending.append


@pytest.fixture(autouse=True)
def _discovery_before_the_schema(request: pytest.FixtureRequest) -> None:
    """Schema tests ask for discovery inside Schemathesis' wrapper, after it builds the schema: ask first,
    so the run's first request leaves before that work (start-up to the first request)."""
    if family_of(request.node) == "schema":
        request.getfixturevalue("discovery")
