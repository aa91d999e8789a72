"""The suite's settings, from defaults < coupon-contracts.toml < environment < overrides (CLI flags, pytest options).

Every bad value becomes a one-line `SettingsError` that names where the value came from (the env var,
`file:line: key`, or `--flag`) and how to fix it. Passwords and tokens live in `Secret`, so no repr
and no message ever shows them.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from . import setting_values as parse
from .setting_values import DEFAULT_SEED, MAX_WORKERS, OPERATION_IDS, PROFILES, CustomerRef, Given, Profile, Secret, SettingsError
from .settings_file import find_config_file, flag, read_config_file
from .settings_table import ENV_VARS as _ENV_VARS
from .severity import Severity

__all__ = ["DEFAULT_SEED", "OPERATION_IDS", "PROFILES", "CustomerRef", "Profile", "Secret", "Settings", "SettingsError"]

_CUSTOMERS_EXAMPLE = "mobile:919900000001,id:5001"


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know about its target, its effort and its outputs."""

    base_url: str | None
    username: str | None
    password: Secret | None
    oauth_token: Secret | None
    customers: tuple[CustomerRef, ...]
    profile: Profile
    seed: int
    timeout: float
    rate_limit: float
    reports: Path
    config_file: Path | None
    mock_faults: tuple[str, ...] = ()  # faults of the embedded mock: demos and the suite's own proof
    mock_readings: tuple[str, ...] = ()  # readings of the embedded mock where the docs are silent; `random` allowed
    # Seeds `random` among the readings. Fixed by default, not the run's seed: every xdist worker builds its
    # own mock and must draw the same readings, and `thorough` draws a fresh run seed in each process.
    mock_readings_seed: int = DEFAULT_SEED
    operations: tuple[str, ...] = ()  # operationIds to check; empty: all five
    mask_pii: bool = True  # False only for local debugging: secrets are removed regardless
    max_requests: int | None = None  # the run's request budget; None: no budget
    workers: int = 1  # requests in flight at once, for the whole run: lanes in each of `processes`, one shared cap
    contract: Path | None = None  # another contracts/openapi.yaml (its schemas/ beside contracts/)
    deadline: float = 30.0  # seconds for one whole answer, however slowly it trickles in (timeout is per read)
    max_body_mb: float = 32.0  # the largest body read, on the wire and after decompression (MiB)

    shard: tuple[int, int] | None = None  # (K, N): this job runs the K-th of N shares of the checks
    known_deviations: Path | None = None  # None: known-deviations.yaml beside the contract, if there is one
    release: str = ""  # the vendor release checked: labels the run in the history ("" when not given)
    history: Path | None = None  # the history folder; None: REPORTS/history
    severity: tuple[tuple[str, Severity], ...] = ()  # (kind, severity): kinds of finding raised or lowered from their default

    @property
    def history_folder(self) -> Path:
        """Where the runs' history is kept."""
        return self.history or self.reports / "history"

    @property
    def shares(self) -> int:
        """How many jobs share the run (N of --shard K/N; 1 without it)."""
        return self.shard[1] if self.shard else 1

    @property
    def job_rate_limit(self) -> float:
        """This job's requests per second: its share of the run's rate limit."""
        return self.rate_limit / self.shares

    @property
    def job_max_requests(self) -> int | None:
        """This job's share of the run's request budget."""
        return None if self.max_requests is None else max(1, self.max_requests // self.shares)

    @property
    def is_mock(self) -> bool:
        """True when the target is the embedded mock, in-process."""
        return self.base_url is None

    @property
    def processes(self) -> int:
        """pytest-xdist processes for the `workers` lanes: one more than the CPU cores, at most one per lane.

        A process waits at the end of each test until its last answers are in, its lanes idle; the
        other processes' tests fill them. On 2 cores, 8 workers at 200 ms latency: 2 processes keep
        7.4 requests in flight (1.19x the ideal), 3 keep 7.9 (1.13x), 4 no more and cost start-up CPU."""
        return max(1, min(self.workers, (os.cpu_count() or 1) + 1))

    @classmethod
    def load(
        cls,
        *,
        env: Mapping[str, str] | None = None,
        overrides: Mapping[str, object] | None = None,
        config_file: Path | None = None,
        cwd: Path | None = None,
    ) -> "Settings":
        """Read defaults, the toml file, the environment and overrides (in rising priority) and check them."""
        env = os.environ if env is None else env
        given: dict[str, Given] = {}
        path = find_config_file(env, config_file, cwd)
        if path is not None:
            given.update(read_config_file(path))
        for name, var in _ENV_VARS.items():
            text = env.get(var)
            if text and text.strip():  # shells export empty variables to mean "unset"
                given[name] = Given(text, var)
        for key, value in (overrides or {}).items():
            if key not in _ENV_VARS:
                raise SettingsError(f"{flag(key)}: unknown setting; known: {', '.join(_ENV_VARS)}")
            if value is not None:  # an option the user did not pass arrives as None
                given[key] = Given(value, flag(key))
        return _build(given, path)


def _build(given: Mapping[str, Given], config_file: Path | None) -> Settings:
    base_url = parse.base_url(given["base_url"]) if "base_url" in given else None
    username = parse.username(given["username"]) if "username" in given else None
    password = parse.secret(given["password"]) if "password" in given else None
    oauth_token = parse.secret(given["oauth_token"]) if "oauth_token" in given else None
    customers = parse.customers(given["customers"]) if "customers" in given else ()
    profile = parse.profile(given["profile"]) if "profile" in given else PROFILES["ci"]
    if "seed" in given:
        seed = parse.seed(given["seed"])
    elif profile.is_deterministic:
        seed = DEFAULT_SEED
    else:
        seed = secrets.randbits(32)  # not `random`: tests and Hypothesis reseed the global generator
    timeout = 10.0
    if "timeout" in given:
        timeout = parse.number(given["timeout"], allow_zero=False, fix="is not a number of seconds > 0; use e.g. 10 or 2.5")
    deadline = parse.number(given["deadline"], allow_zero=False, fix="is not a number of seconds > 0; use e.g. 30") if "deadline" in given else 30.0
    max_body_mb = parse.number(given["max_body_mb"], allow_zero=False, fix="is not a number of MiB > 0; use e.g. 32") if "max_body_mb" in given else 32.0
    if "rate_limit" in given:
        fix = "is not a number of requests per second >= 0; use e.g. 5, or 0 for no limit"
        rate_limit = parse.number(given["rate_limit"], allow_zero=True, fix=fix)
    else:
        # Be gentle with a shared staging; the mock, in-process or on this machine, needs no care.
        rate_limit = 0.0 if base_url is None or parse.is_loopback(base_url) else 5.0
    reports = parse.reports(given["reports"]) if "reports" in given else Path("reports")
    mock_faults = parse.mock_faults(given["mock_faults"]) if "mock_faults" in given else ()
    mock_readings_seed = parse.seed(given["mock_readings_seed"]) if "mock_readings_seed" in given else DEFAULT_SEED
    mock_readings = parse.mock_readings(given["mock_readings"], mock_readings_seed) if "mock_readings" in given else ()
    operations = parse.operations(given["operations"]) if "operations" in given else ()
    mask_pii = parse.flag_value(given["mask_pii"]) if "mask_pii" in given else True
    max_requests = parse.whole(given["max_requests"], minimum=1) if "max_requests" in given else None
    workers = parse.whole(given["workers"], minimum=1, maximum=MAX_WORKERS) if "workers" in given else 1
    contract = Path(str(given["contract"].value)) if "contract" in given else None
    known_deviations = parse.existing_file(given["known_deviations"]) if "known_deviations" in given else None
    release = parse.release(given["release"]) if "release" in given else ""
    history = Path(str(given["history"].value)) if "history" in given else None
    shard = parse.shard(given["shard"]) if "shard" in given else None
    severity = tuple(parse.severity(given["severity"]).items()) if "severity" in given else ()

    # A half pair of Basic credentials is a mistake even for the mock: say so rather than ignore it.
    if username is not None and password is None:
        where = given["username"].where
        raise SettingsError(f"{where} is set but no password: set COUPON_API_PASSWORD too, or use COUPON_API_OAUTH_TOKEN alone")
    if password is not None and username is None:
        raise SettingsError(f"{given['password'].where} is set but no username: set COUPON_API_USERNAME too")
    if base_url is not None:
        where = given["base_url"].where
        if password is None and oauth_token is None:
            raise SettingsError(
                f"{where} is set but no credentials: set COUPON_API_USERNAME and COUPON_API_PASSWORD, or COUPON_API_OAUTH_TOKEN"
            )
        if not customers:
            raise SettingsError(f"{where} is set but no customers: set COUPON_API_CUSTOMERS, e.g. {_CUSTOMERS_EXAMPLE}")
        if mock_faults:
            raise SettingsError(f"{given['mock_faults'].where}: mock faults apply to the embedded mock only; unset it or {where}")
        for name in ("mock_readings", "mock_readings_seed"):
            if name in given:
                raise SettingsError(f"{given[name].where}: mock readings apply to the embedded mock only; unset it or {where}")
    return Settings(
        base_url=base_url,
        username=username,
        password=password,
        oauth_token=oauth_token,
        customers=customers,
        profile=profile,
        seed=seed,
        timeout=timeout,
        deadline=deadline,
        max_body_mb=max_body_mb,
        rate_limit=rate_limit,
        reports=reports,
        config_file=config_file,
        mock_faults=mock_faults,
        mock_readings=mock_readings,
        mock_readings_seed=mock_readings_seed,
        operations=operations,
        mask_pii=mask_pii,
        max_requests=max_requests,
        workers=workers,
        contract=contract,
        shard=shard,
        severity=severity,
        known_deviations=known_deviations,
        release=release,
        history=history,
    )


