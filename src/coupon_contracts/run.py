"""The run: one object per pytest session, kept in `config.stash`, that every face reads.

`coupon-contracts run`, plain `pytest tests/conformance` and a team's own pytest (the `pytest11` entry
point) all get a `Run`: its settings, its contract, its record of every exchange and outcome, and, once
`finish` has written the reports, its verdict and exit code. Nothing of a run lives in module globals,
so two sessions in one process (pytester, a team's own suite) never see each other's state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import pytest

from .contract import Contract
from .known import KnownDeviations, known_deviations_for
from .redaction import Redactor
from .run_record import RunRecord
from .settings import Settings, SettingsError
from .settings_table import OPTION_ROWS
from .usage import stopped_code

__all__ = ["RUN", "Run", "redactor_of", "run_of"]


@dataclass
class Run:
    """One conformance run: what it was asked (settings, contract) and what it saw (`record`)."""

    config: pytest.Config
    record: RunRecord = field(default_factory=RunRecord)
    session: pytest.Session | None = None
    exit_code: int | None = None  # decided by `finish`, read by the CLI
    _settings: Settings | SettingsError | None = field(default=None, repr=False)
    _contracts: dict[Path | None, Contract] = field(default_factory=dict, repr=False)
    _known: KnownDeviations | None = field(default=None, repr=False)

    @property
    def is_worker(self) -> bool:
        """A pytest-xdist worker process (it reports to a controller)."""
        return hasattr(self.config, "workerinput")

    @property
    def has_workers(self) -> bool:
        """The controller of pytest-xdist workers (it runs no test itself)."""
        return not self.is_worker and bool(getattr(self.config.option, "numprocesses", None))

    def read_settings(self) -> Settings | SettingsError:
        """The settings from this session's options, read once, or why they cannot be."""
        if self._settings is None:
            overrides = {row.name: self.config.getoption(f"coupon_{row.name}", None) for row in OPTION_ROWS}
            try:
                self._settings = Settings.load(overrides=overrides)
            except SettingsError as exc:
                self._settings = exc
        return self._settings

    @property
    def settings(self) -> Settings | None:
        """The settings; None when they are wrong (the suite_settings fixture reports it, as exit 2)."""
        settings = self.read_settings()
        return settings if isinstance(settings, Settings) else None

    def contract(self) -> Contract:
        """The contract of the settings, loaded once per run (ContractError when it is wrong)."""
        path = self.settings.contract if self.settings else None
        if path not in self._contracts:
            self._contracts[path] = Contract.load(path)
        return self._contracts[path]

    def known_deviations(self) -> KnownDeviations:
        """The known deviations of the run, read and checked once (KnownDeviationsError when the file is wrong)."""
        if self._known is None:
            self._known = known_deviations_for(self.settings.known_deviations if self.settings else None, self.contract())
            self.record.known_deviations = self._known
        return self._known

    def stop(self, reason: str, message: str) -> NoReturn:
        """End the session: a usage error (exit 2) or an unusable target (exit 3), one line."""
        self.record.exit_reason = reason
        self.record.exit_message = message
        if self.session is not None:
            # Not pytest.exit: in an xdist worker it reads as a crash to the controller, and everywhere it prints
            # pytest's own `_pytest.outcomes.Exit` banner. Ask the session to stop after this test instead;
            # finish turns the reason into exit 2 or 3, and the CLI prints the one line.
            self.session.shouldstop = f"coupon-contracts: {message}"
            pytest.skip(f"not run: {message}")
        pytest.exit(f"coupon-contracts: {message}", returncode=stopped_code(reason))

    @property
    def reports(self) -> Path:
        """Where this run writes its reports."""
        return self.settings.reports if self.settings else Path("reports")


RUN = pytest.StashKey[Run]()


def run_of(config: pytest.Config) -> Run:
    """The session's run (made on first use, so any hook may ask first)."""
    if RUN not in config.stash:
        config.stash[RUN] = Run(config)
    return config.stash[RUN]


def redactor_of(settings: Settings) -> Redactor:
    """A redactor that knows the configured credentials and the configured customers' PII."""
    redactor = Redactor(is_masking_pii=settings.mask_pii)
    password = settings.password.reveal() if settings.password else None
    token = settings.oauth_token.reveal() if settings.oauth_token else None
    redactor.add_credentials(username=settings.username, password=password, oauth_token=token)
    for ref in settings.customers:
        if ref.field in ("mobile", "email"):
            redactor.add_pii(ref.field, [ref.value])
    return redactor
