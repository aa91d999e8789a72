"""The suite's settings, from defaults < coupon-contracts.toml < environment < overrides (CLI flags, pytest options).

Every bad value becomes a one-line `SettingsError` that names where the value came from (the env var,
`file:line: key`, or `--flag`) and how to fix it. Passwords and tokens live in `Secret`, so no repr
and no message ever shows them.
"""

from __future__ import annotations

import hmac
import math
import os
import re
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping
from urllib.parse import urlsplit

from .settings_table import ENV_VARS

__all__ = ["DEFAULT_SEED", "PROFILES", "CustomerRef", "Profile", "Secret", "Settings", "SettingsError"]

DEFAULT_SEED = 20261123
CONFIG_FILE_NAME = "coupon-contracts.toml"
CONFIG_ENV_VAR = "COUPON_CONTRACTS_CONFIG"
CONFIG_TABLE = "coupon-contracts"
CUSTOMER_FIELDS = ("mobile", "email", "external_id", "id")
MAX_WORKERS = 64  # requests in flight at once: more would be a load test of somebody else's staging, and a thread each

_ENV_VARS = ENV_VARS  # the one table of settings: settings_table.py
OPERATION_IDS = ("getCustomerCouponsV11", "isCouponRedeemableV11", "getCouponsV2", "getCustomerCouponsV2", "getCustomerCouponsByIdV2")
_FIELD_ALIASES = {"externalId": "external_id"}  # the v2 APIs spell it so on the wire
_CUSTOMERS_EXAMPLE = "mobile:919900000001,id:5001"
_URL_EXAMPLE = "https://eu.api.capillarytech.com"


class SettingsError(Exception):
    """A missing or invalid setting; the message is one line naming the setting and the fix."""


class Secret:
    """A password or token that shows as '**********' in every repr, str and message."""

    __slots__ = ("_value",)
    _MASK = "**********"

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"Secret holds a str, not {type(value).__name__}")
        self._value = value

    def reveal(self) -> str:
        """The secret itself; call it only where the value goes on the wire."""
        return self._value

    def __repr__(self) -> str:
        return self._MASK

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        # Constant-time, so a comparison against a live credential leaks nothing through timing.
        return hmac.compare_digest(self._value.encode("utf-8"), other._value.encode("utf-8"))

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class CustomerRef:
    """One configured test customer identifier, e.g. `mobile` = `919900000001`."""

    field: str
    value: str

    def __repr__(self) -> str:
        # Mobile numbers and e-mails are personal data: a repr in a log or report shows a mask.
        shown = self.value if self.field not in ("mobile", "email") else self.value[:2] + "***"
        return f"CustomerRef({self.field}:{shown})"


@dataclass(frozen=True)
class Profile:
    """How hard a run tries: generated examples, determinism and Schemathesis phases."""

    name: str
    max_examples: int
    property_examples: int
    is_deterministic: bool
    coverage_phase: bool
    fuzzing_phase: bool


PROFILES: dict[str, Profile] = {
    "quick": Profile("quick", max_examples=8, property_examples=5, is_deterministic=True, coverage_phase=False, fuzzing_phase=True),
    "ci": Profile("ci", max_examples=30, property_examples=15, is_deterministic=True, coverage_phase=True, fuzzing_phase=True),
    "thorough": Profile(
        "thorough", max_examples=300, property_examples=100, is_deterministic=False, coverage_phase=True, fuzzing_phase=True
    ),
}


@dataclass(frozen=True)
class _Given:
    """A setting's raw value and where it came from: an env var, `file:line: key` or `--flag`."""

    value: object
    where: str


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
        given: dict[str, _Given] = {}
        path = _find_config_file(env, config_file, cwd)
        if path is not None:
            given.update(_read_config_file(path))
        for name, var in _ENV_VARS.items():
            text = env.get(var)
            if text and text.strip():  # shells export empty variables to mean "unset"
                given[name] = _Given(text, var)
        for key, value in (overrides or {}).items():
            if key not in _ENV_VARS:
                raise SettingsError(f"{_flag(key)}: unknown setting; known: {', '.join(_ENV_VARS)}")
            if value is not None:  # an option the user did not pass arrives as None
                given[key] = _Given(value, _flag(key))
        return _build(given, path)


def _build(given: Mapping[str, _Given], config_file: Path | None) -> Settings:
    base_url = _base_url(given["base_url"]) if "base_url" in given else None
    username = _username(given["username"]) if "username" in given else None
    password = _secret(given["password"]) if "password" in given else None
    oauth_token = _secret(given["oauth_token"]) if "oauth_token" in given else None
    customers = _customers(given["customers"]) if "customers" in given else ()
    profile = _profile(given["profile"]) if "profile" in given else PROFILES["ci"]
    if "seed" in given:
        seed = _seed(given["seed"])
    elif profile.is_deterministic:
        seed = DEFAULT_SEED
    else:
        seed = secrets.randbits(32)  # not `random`: tests and Hypothesis reseed the global generator
    timeout = 10.0
    if "timeout" in given:
        timeout = _number(given["timeout"], allow_zero=False, fix="is not a number of seconds > 0; use e.g. 10 or 2.5")
    deadline = _number(given["deadline"], allow_zero=False, fix="is not a number of seconds > 0; use e.g. 30") if "deadline" in given else 30.0
    max_body_mb = _number(given["max_body_mb"], allow_zero=False, fix="is not a number of MiB > 0; use e.g. 32") if "max_body_mb" in given else 32.0
    if "rate_limit" in given:
        fix = "is not a number of requests per second >= 0; use e.g. 5, or 0 for no limit"
        rate_limit = _number(given["rate_limit"], allow_zero=True, fix=fix)
    else:
        # Be gentle with a shared staging; the mock, in-process or on this machine, needs no care.
        rate_limit = 0.0 if base_url is None or _is_loopback(base_url) else 5.0
    reports = _reports(given["reports"]) if "reports" in given else Path("reports")
    mock_faults = _mock_faults(given["mock_faults"]) if "mock_faults" in given else ()
    mock_readings_seed = _seed(given["mock_readings_seed"]) if "mock_readings_seed" in given else DEFAULT_SEED
    mock_readings = _mock_readings(given["mock_readings"], mock_readings_seed) if "mock_readings" in given else ()
    operations = _operations(given["operations"]) if "operations" in given else ()
    mask_pii = _flag_value(given["mask_pii"]) if "mask_pii" in given else True
    max_requests = _whole(given["max_requests"], minimum=1) if "max_requests" in given else None
    workers = _whole(given["workers"], minimum=1, maximum=MAX_WORKERS) if "workers" in given else 1
    contract = Path(str(given["contract"].value)) if "contract" in given else None

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
    )


# -- the toml file ---------------------------------------------------------------------------


def _find_config_file(env: Mapping[str, str], config_file: Path | None, cwd: Path | None) -> Path | None:
    base = Path() if cwd is None else cwd  # a relative path keeps messages short in the usual case
    if config_file is not None:
        path = base / config_file
        if not path.is_file():
            raise SettingsError(f"{path}: config file not found; fix the path or leave it out")
        return path
    named = env.get(CONFIG_ENV_VAR, "").strip()
    if named:
        path = base / named
        if not path.is_file():
            raise SettingsError(f"{CONFIG_ENV_VAR}: config file {str(path)!r} not found; fix the path or unset {CONFIG_ENV_VAR}")
        return path
    path = base / CONFIG_FILE_NAME
    return path if path.is_file() else None


def _read_config_file(path: Path) -> dict[str, _Given]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise SettingsError(f"{path}: cannot read the config file: {reason}") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(_syntax_message(path, text, exc)) from None
    table = document.pop(CONFIG_TABLE, {})
    if not isinstance(table, dict):
        raise SettingsError(f"{_where(path, text, CONFIG_TABLE)}: must be a table; write [{CONFIG_TABLE}] with the settings under it")
    twice = sorted(document.keys() & table.keys())
    if twice:
        raise SettingsError(f"{_where(path, text, twice[0])}: set both at the top level and under [{CONFIG_TABLE}]; keep one")
    given: dict[str, _Given] = {}
    for key, value in {**document, **table}.items():
        if key not in _ENV_VARS:
            line = _line_of(text, key)
            at = f"{path}:{line}" if line else str(path)
            raise SettingsError(f"{at}: unknown key {key!r}; known keys: {', '.join(_ENV_VARS)}")
        given[key] = _Given(value, _where(path, text, key))
    return given


def _syntax_message(path: Path, text: str, exc: tomllib.TOMLDecodeError) -> str:
    message = str(exc).splitlines()[0]
    # Python 3.11's TOMLDecodeError carries the position only in its message.
    match = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    if match:
        line, problem = int(match.group(1)), f"{message[: match.start()]} at column {match.group(2)}"
    else:
        line, problem = max(1, len(text.splitlines())), message.replace(" (at end of document)", " at the end of the file")
    return f"{path}:{line}: invalid TOML: {problem}; fix the syntax (https://toml.io)"


def _line_of(text: str, key: str) -> int | None:
    match = re.search(rf"^[ \t]*[\"']?{re.escape(key)}[\"']?[ \t]*=", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _where(path: Path, text: str, key: str) -> str:
    line = _line_of(text, key)
    return f"{path}:{line}: {key}" if line else f"{path}: {key}"


def _flag(key: str) -> str:
    return "--" + key.replace("_", "-")


# -- one parser per setting ------------------------------------------------------------------


def _base_url(given: _Given) -> str:
    if not isinstance(given.value, str):
        raise SettingsError(f"{given.where}: must be a string, an http(s) URL with a host, e.g. {_URL_EXAMPLE}")
    text = given.value.strip()
    # Never echo user:password@ from a URL pasted with its credentials in it.
    shown = re.sub(r"(?<=//)[^/?#]*@", "***@", text)
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname or any(c.isspace() for c in text):
        raise SettingsError(f"{given.where}: {shown!r} is not an http(s) URL with a host, e.g. {_URL_EXAMPLE}")
    if parts.username is not None or parts.password is not None:
        raise SettingsError(
            f"{given.where}: the URL carries credentials; remove them and set COUPON_API_USERNAME and COUPON_API_PASSWORD instead"
        )
    if "?" in text or "#" in text:
        raise SettingsError(f"{given.where}: {shown!r} has a query or fragment; give only scheme, host and an optional path prefix")
    return text.rstrip("/")


def _username(given: _Given) -> str:
    if isinstance(given.value, str) and given.value.strip():
        return given.value
    raise SettingsError(f"{given.where}: must be a non-empty string, the API user name")


def _secret(given: _Given) -> Secret:
    value = given.value
    if isinstance(value, Secret):
        value = value.reveal()
    if isinstance(value, str) and value:
        return Secret(value)
    # The type, never the value: a wrongly typed secret is still a secret.
    raise SettingsError(f"{given.where}: must be a non-empty string, got {type(value).__name__}")


def _customers(given: _Given) -> tuple[CustomerRef, ...]:
    value = given.value
    if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        value = ",".join(value)
    if not isinstance(value, str):
        raise SettingsError(f"{given.where}: must be 'field:value,...' or a list of 'field:value' strings, e.g. {_CUSTOMERS_EXAMPLE}")
    if not value.strip():
        return ()
    return tuple(_customer(item.strip(), number, given.where) for number, item in enumerate(value.split(","), 1))


def _customer(item: str, number: int, where: str) -> CustomerRef:
    if not item:
        raise SettingsError(f"{where}: item {number} is empty; separate field:value items with single commas")
    name, colon, value = item.partition(":")
    name, value = name.strip(), value.strip()
    shown = f"item {number} {item!r}"
    if not colon:
        raise SettingsError(f"{where}: {shown} is not field:value; write e.g. mobile:919900000001")
    field = _FIELD_ALIASES.get(name, name)
    if field not in CUSTOMER_FIELDS:
        raise SettingsError(f"{where}: {shown} has an unknown field {name!r}; use {_one_of(CUSTOMER_FIELDS)}")
    if not value:
        raise SettingsError(f"{where}: {shown} has no value; write {field}:<value>")
    if field == "id" and not (value.isascii() and value.isdigit()):
        raise SettingsError(f"{where}: {shown} has a non-numeric id; an id is digits only, e.g. id:5001")
    return CustomerRef(field, value)


def _profile(given: _Given) -> Profile:
    value = given.value
    name = value.strip().lower() if isinstance(value, str) else ""
    if name not in PROFILES:
        raise SettingsError(f"{given.where}: unknown profile {value!r}; use {_one_of(PROFILES)}")
    return PROFILES[name]


def _seed(given: _Given) -> int:
    value = given.value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise SettingsError(f"{given.where}: {value!r} is not a whole number >= 0; use e.g. {DEFAULT_SEED}")


def _number(given: _Given, *, allow_zero: bool, fix: str) -> float:
    value = given.value
    number = math.nan
    if isinstance(value, (int, float, str)) and not isinstance(value, bool):  # True would pass as 1
        try:
            number = float(value)
        except (ValueError, OverflowError):
            pass
    if not math.isfinite(number) or number < 0 or (number == 0 and not allow_zero):
        raise SettingsError(f"{given.where}: {value!r} {fix}")
    return number


def _reports(given: _Given) -> Path:
    value = given.value
    if isinstance(value, (str, Path)) and str(value).strip():
        return Path(value)
    raise SettingsError(f"{given.where}: {value!r} is not a folder path; use e.g. reports")


def _mock_faults(given: _Given) -> tuple[str, ...]:
    from .mock.app import known_faults  # the catalog is the list of valid names

    return _names(given, known_faults(), kind="fault", fix="see `coupon-contracts mock --list-faults`")


def _mock_readings(given: _Given, seed: int) -> tuple[str, ...]:
    from .mock.readings import ReadingSet, known_readings  # the catalog is the list of valid names

    names = _names(given, known_readings(), kind="reading", fix="see `coupon-contracts mock --list-readings`")
    try:
        ReadingSet(names, seed=seed)  # two readings answering the same question: refused here, not mid-run
    except ValueError as exc:
        raise SettingsError(f"{given.where}: {exc}") from None
    return names


def _operations(given: _Given) -> tuple[str, ...]:
    return _names(given, OPERATION_IDS, kind="operation", fix=f"use {_one_of(OPERATION_IDS)}")


def _names(given: _Given, known: Iterable[str], *, kind: str, fix: str) -> tuple[str, ...]:
    """A comma-separated string (or a toml list) of names, each one of `known`."""
    value = given.value
    items = value.split(",") if isinstance(value, str) else value if isinstance(value, (list, tuple)) else None
    if items is None or not all(isinstance(i, str) for i in items):
        raise SettingsError(f"{given.where}: must be {kind} names separated by commas; {fix}")
    names = tuple(i.strip() for i in items if i.strip())
    allowed = set(known)
    unknown = [n for n in names if n not in allowed]
    if unknown:
        raise SettingsError(f"{given.where}: unknown {kind} {unknown[0]!r}; {fix}")
    return names


def _is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host in ("localhost", "::1") or host.startswith("127.")


def _whole(given: _Given, *, minimum: int, maximum: int | None = None) -> int:
    value = given.value
    text = str(value).strip() if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
    if not (text.isascii() and text.isdigit()) or int(text) < minimum:
        raise SettingsError(f"{given.where}: {value!r} is not a whole number >= {minimum}")
    if maximum is not None and int(text) > maximum:
        raise SettingsError(f"{given.where}: {value!r} is more than {maximum}")
    return int(text)


def _flag_value(given: _Given) -> bool:
    value = given.value
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{given.where}: {value!r} is not true or false")


def _one_of(names: Iterable[str]) -> str:
    listed = list(names)
    return f"{', '.join(listed[:-1])} or {listed[-1]}"
