"""The pytest face of the suite: its hooks. Loaded by `coupon-contracts run`, by plain `pytest
tests/conformance` (the root conftest) and by any pytest through the `pytest11` entry point.

The run is a `Run` in `config.stash` (run.py); the fixtures live in fixtures.py and generation.py,
the reports and the verdict in finish.py. Loaded into a team's own pytest, the plugin stays out of
the way: it writes reports only for a session that used the `target` fixture.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import wait
from typing import Any

import pytest

from .answer import OperationWithheld
from .checks import CHECKS, check_of, family_of
from .contract import ContractError
from .finish import finish, prepare_controller
from .pacing import BudgetSpent, SharedPace
from .properties import NOT_CHECKED, NotChecked, Undecidable, settle
from .reporting.allure_results import attach_failure, label_markers
from .run import Run, redactor_of, run_of
from .settings import Settings
from .settings_table import OPTION_ROWS
from .shared_discovery import SharedDiscovery
from .target import TargetUnavailable

__all__ = ["ReportHooks"]

pytest_plugins = ["coupon_contracts.fixtures", "coupon_contracts.generation"]

SHARED_PACE = pytest.StashKey[SharedPace]()
SHARED_DISCOVERY = pytest.StashKey[SharedDiscovery]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("coupon-contracts")
    for row in OPTION_ROWS:
        group.addoption(row.flag, dest=f"coupon_{row.name}", default=None, help=f"{row.help} ({row.env})")


def pytest_configure(config: pytest.Config) -> None:
    run = run_of(config)
    config.pluginmanager.register(ReportHooks(run), "coupon-contracts-reports")
    if run.has_workers:  # one rate limit, one budget and one cap on requests in flight for every worker
        settings = run.settings  # when None, the workers' suite_settings fixture reports why
        config.stash[SHARED_PACE] = SharedPace.create(settings.workers if settings else 1)
        if settings is not None and not settings.is_mock:  # the workers boot while the controller discovers
            _share_discovery(run, settings)
    config.addinivalue_line("markers", "check(id): the catalog entry (coupon_contracts.checks) a conformance test holds: family, operations, doc lines")
    config.addinivalue_line("markers", "silence(entry): a conformance test that only records what the target does where the docs are silent (register entry)")


def pytest_sessionstart(session: pytest.Session) -> None:
    run_of(session.config).session = session


def _share_discovery(run: Run, settings: Settings) -> None:
    try:
        contract = run.contract()
    except ContractError:
        return  # every worker's contract fixture says what is wrong
    redactor = run.record.redactor = redactor_of(settings)
    run.record.contract = contract
    shared = SharedDiscovery(settings, contract, redactor, run.config.stash[SHARED_PACE], run.record.observe)
    run.config.stash[SHARED_DISCOVERY] = shared.start()


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
        run_of(node.config).record.merge(json.loads(data))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Heaviest tests first (parallel workers then finish together); with `operations`, only those."""
    unknown = sorted({m.args[0] for item in items for m in item.iter_markers("check") if m.args[0] not in CHECKS})
    if unknown:
        raise pytest.UsageError(f"conformance tests name checks missing from coupon_contracts.checks.CHECKS: {', '.join(unknown)}")
    unnamed = [i.nodeid for i in items if _is_conformance(i) and not (i.get_closest_marker("check") or i.get_closest_marker("silence"))]
    if unnamed:  # a check without a catalog entry would be tallied nowhere and cite nothing
        raise pytest.UsageError(f"conformance tests without @pytest.mark.check(id) or @pytest.mark.silence(entry): {', '.join(unnamed[:5])}")
    items.sort(key=lambda item: family_of(item) != "schema")  # stable: the rest keep their order
    settings = run_of(config).settings
    wanted = set(settings.operations) if settings else set()
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        check = check_of(item)
        (dropped if check is not None and wanted and not wanted & set(check.operations) else kept).append(item)
    if settings is not None and settings.shard is not None:  # every K-th test of one order: the same share in every job, heaviest spread first
        k, n = settings.shard
        dropped += [item for i, item in enumerate(kept) if i % n != k - 1]
        kept = [item for i, item in enumerate(kept) if i % n == k - 1]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def _is_conformance(item: pytest.Item) -> bool:
    """A test of the shipped conformance suite (from the checkout or the installed package)."""
    return item.nodeid.startswith(("tests/conformance/", "conformance/")) or "coupon_contracts/shipped/conformance" in str(item.path)


@pytest.hookimpl(trylast=True)
def pytest_itemcollected(item: pytest.Item) -> None:
    """Allure labels from the test's family and operations: epic, feature, story, severity."""
    check = check_of(item)
    if check is None:
        return
    try:
        contract = run_of(item.config).contract()
    except ContractError:
        return  # the contract fixture reports it
    for mark in label_markers(check.family.value, check.operations, contract, docs=check.docs, check=check.id):
        item.add_marker(mark)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    record = run_of(item.config).record
    check = check_of(item)
    record.begin_test(check.family.value if check else "other", mode="negative" if item.name.split("[")[0].endswith("_negative") else "positive")
    record.operations = check.operations if check else ()
    # Reports travel from workers to the controller: they carry the check with them (before any fixture
    # runs, so a check skipped in a fixture is still counted).
    if check is not None and not any(name == "coupon_check" for name, _ in item.user_properties):
        item.user_properties.append(("coupon_check", check.id))


class ReportHooks:
    """The hooks that see test reports, registered per session with its run (a report carries no config)."""

    def __init__(self, run: Run) -> None:
        self.run = run

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Every failure's text is redacted before the terminal or junit.xml see it; tallies follow.

        A check not checked reads "not checked: <why>", without the exception's module path.
        """
        record = self.run.record
        if report.failed and record.redactor is not None:
            report.longrepr = record.redactor.text(str(report.longrepr))
        if report.skipped and isinstance(report.longrepr, tuple) and len(report.longrepr) == 3 and NOT_CHECKED in report.longrepr[2]:
            path, line, text = report.longrepr
            report.longrepr = (path, line, NOT_CHECKED + text.split(NOT_CHECKED, 1)[1])
        if not self.run.is_worker:  # tallies gather where reports gather
            _tally(self.run, report)


def _tally(run: Run, report: pytest.TestReport) -> None:
    """Tally each test as passed, failed, or not checked (a skip: never a pass)."""
    check = CHECKS.get(str(dict(report.user_properties).get("coupon_check", "")))
    if check is None or hasattr(report, "context"):  # a subtest (one Schemathesis case) is not a check of its own
        return
    if report.when == "call" or (report.when == "setup" and not report.passed):
        # Skipped: it did not run (a spent budget, an outage); not checked: it ran but no data let it decide.
        text = str(report.longrepr) if report.skipped else ""
        outcome = "passed" if report.passed else "failed" if report.failed else "not_checked" if NOT_CHECKED in text else "skipped"
        reason = _skip_reason(report) if report.skipped else ""
        run.record.record(check, outcome, reason=reason, test=report.nodeid)


def _skip_reason(report: pytest.TestReport) -> str:
    """The reason a skipped test gave, without pytest's location prefix."""
    longrepr = report.longrepr
    text = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
    text = text.removeprefix("Skipped: ")
    return text.split(NOT_CHECKED, 1)[1] if NOT_CHECKED in text else text


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """An outage mid-run ends it (exit 3); a failure shows the finding, its doc lines and attachments.

    Checks a test left running on request lanes are settled here, before the next test begins.
    """
    run = run_of(item.config)
    record = run.record
    try:
        try:
            outcome = yield
        finally:
            pending = list(record.pending)
            record.pending.clear()  # in place: the `defer` fixture holds this list's append
            wait(pending)
        withheld = [f.exception() for f in pending if isinstance(f.exception(), OperationWithheld)]
        settle([f for f in pending if not isinstance(f.exception(), OperationWithheld)], what="cases")
        if withheld:  # the operation's first answer past the deadline failed the test that sent it
            raise NotChecked(f"{withheld[0]} ({len(withheld)} cases not sent)")
        if family_of(item) == "schema" and record.mode == "positive" and not record.test_hits:
            # Every answer held, but none carried a real customer or coupon: the documented shape was never seen.
            raise NotChecked("no positive generated case reached a real customer with coupons: add such a customer to COUPON_API_CUSTOMERS (see data health)")
        return outcome
    except TargetUnavailable as exc:
        run.stop("target", str(exc))
    except BudgetSpent as exc:
        record.skipped_for_budget += 1
        pytest.skip(str(exc))
    except Undecidable as exc:  # raised outside check_examples (an observation, a one-off request)
        raise NotChecked(str(exc)) from None
    except AssertionError as failure:
        check = check_of(item)
        if check is None or record.contract is None or record.redactor is None:
            raise
        message = str(failure)
        attach_failure(getattr(failure, "exchanges", None) or list(record.current), record.contract, record.redactor, docs=check.docs)
        if not message.startswith("["):  # the schema test tags its own message
            message = f"[{check.family.value}] {message}"  # Allure categories match on this tag
        message = f"{message}\n  check: {check.id}\n  {check.citation}"
        # The finding, not the plugin's own source: pytrace=False drops the traceback through this hook.
        raise pytest.fail.Exception(record.redactor.text(message), pytrace=False) from None


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write every report of the run and decide its verdict (finish.py)."""
    run = run_of(session.config)
    if run.is_worker:
        session.config.workeroutput["coupon_contracts"] = json.dumps(run.record.export())  # type: ignore[attr-defined]  # xdist sets it on workers
        return
    if run.has_workers:
        prepare_controller(run)
    session.exitstatus = finish(run, int(exitstatus))


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    if not any("conformance" in str(arg) for arg in config.args):
        return None
    settings = run_of(config).settings
    if settings is None:
        return None  # the suite_settings fixture reports it, once, as exit 2
    target = "embedded mock (in-process)" if settings.is_mock else settings.base_url
    faults = f", mock faults: {', '.join(settings.mock_faults)}" if settings.mock_faults else ""
    return [f"coupon-contracts: target {target}{faults}; profile {settings.profile.name}; seed {settings.seed} (COUPON_CONTRACTS_SEED={settings.seed} reproduces)"]
