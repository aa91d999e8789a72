"""The values of the settings: one parser per setting, and the types they make (`Secret`, `CustomerRef`,
`Profile`). Each bad value is a one-line `SettingsError` naming where it came from and the fix."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable
from urllib.parse import urlsplit

from .operations import OperationId
from .secret import Secret
from .severity import Severity, parse_overrides

__all__ = ["DEFAULT_SEED", "OPERATION_IDS", "PROFILES", "CustomerRef", "Given", "Profile", "Secret", "SettingsError"]

DEFAULT_SEED = 20261123
CONFIG_FILE_NAME = "coupon-contracts.toml"
CONFIG_ENV_VAR = "COUPON_CONTRACTS_CONFIG"
CONFIG_TABLE = "coupon-contracts"
CUSTOMER_FIELDS = ("mobile", "email", "external_id", "id")
MAX_WORKERS = 64  # requests in flight at once: more would be a load test of somebody else's staging, and a thread each

OPERATION_IDS = tuple(OperationId)
_FIELD_ALIASES = {"externalId": "external_id"}  # the v2 APIs spell it so on the wire
_CUSTOMERS_EXAMPLE = "mobile:919900000001,id:5001"
_URL_EXAMPLE = "https://eu.api.capillarytech.com"


class SettingsError(Exception):
    """A missing or invalid setting; the message is one line naming the setting and the fix."""


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
class Given:
    """A setting's raw value and where it came from: an env var, `file:line: key` or `--flag`."""

    value: object
    where: str


# -- one parser per setting ------------------------------------------------------------------


def base_url(given: Given) -> str:
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


def username(given: Given) -> str:
    if isinstance(given.value, str) and given.value.strip():
        return given.value
    raise SettingsError(f"{given.where}: must be a non-empty string, the API user name")


def secret(given: Given) -> Secret:
    value = given.value
    if isinstance(value, Secret):
        value = value.reveal()
    if isinstance(value, str) and value:
        return Secret(value)
    # The type, never the value: a wrongly typed secret is still a secret.
    raise SettingsError(f"{given.where}: must be a non-empty string, got {type(value).__name__}")


def customers(given: Given) -> tuple[CustomerRef, ...]:
    value = given.value
    if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        value = ",".join(value)
    if not isinstance(value, str):
        raise SettingsError(f"{given.where}: must be 'field:value,...' or a list of 'field:value' strings, e.g. {_CUSTOMERS_EXAMPLE}")
    if not value.strip():
        return ()
    return tuple(customer(item.strip(), number, given.where) for number, item in enumerate(value.split(","), 1))


def customer(item: str, number: int, where: str) -> CustomerRef:
    if not item:
        raise SettingsError(f"{where}: item {number} is empty; separate field:value items with single commas")
    name, colon, value = item.partition(":")
    name, value = name.strip(), value.strip()
    shown = f"item {number} {item!r}"
    if not colon:
        raise SettingsError(f"{where}: {shown} is not field:value; write e.g. mobile:919900000001")
    field = _FIELD_ALIASES.get(name, name)
    if field not in CUSTOMER_FIELDS:
        raise SettingsError(f"{where}: {shown} has an unknown field {name!r}; use {one_of(CUSTOMER_FIELDS)}")
    if not value:
        raise SettingsError(f"{where}: {shown} has no value; write {field}:<value>")
    if field == "id" and not (value.isascii() and value.isdigit()):
        raise SettingsError(f"{where}: {shown} has a non-numeric id; an id is digits only, e.g. id:5001")
    return CustomerRef(field, value)


def profile(given: Given) -> Profile:
    value = given.value
    name = value.strip().lower() if isinstance(value, str) else ""
    if name not in PROFILES:
        raise SettingsError(f"{given.where}: unknown profile {value!r}; use {one_of(PROFILES)}")
    return PROFILES[name]


def seed(given: Given) -> int:
    value = given.value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise SettingsError(f"{given.where}: {value!r} is not a whole number >= 0; use e.g. {DEFAULT_SEED}")


def number(given: Given, *, allow_zero: bool, fix: str) -> float:
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


def reports(given: Given) -> Path:
    value = given.value
    if isinstance(value, (str, Path)) and str(value).strip():
        return Path(value)
    raise SettingsError(f"{given.where}: {value!r} is not a folder path; use e.g. reports")


def mock_faults(given: Given) -> tuple[str, ...]:
    from .mock.app import known_faults  # the catalog is the list of valid names

    return known_names(given, known_faults(), kind="fault", fix="see `coupon-contracts mock --list-faults`")


def mock_readings(given: Given, seed: int) -> tuple[str, ...]:
    from .mock.readings import ReadingSet, known_readings  # the catalog is the list of valid names

    names = known_names(given, known_readings(), kind="reading", fix="see `coupon-contracts mock --list-readings`")
    try:
        ReadingSet(names, seed=seed)  # two readings answering the same question: refused here, not mid-run
    except ValueError as exc:
        raise SettingsError(f"{given.where}: {exc}") from None
    return names


def operations(given: Given) -> tuple[str, ...]:
    return known_names(given, OPERATION_IDS, kind="operation", fix=f"use {one_of(OPERATION_IDS)}")


def known_names(given: Given, known: Iterable[str], *, kind: str, fix: str) -> tuple[str, ...]:
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


def is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host in ("localhost", "::1") or host.startswith("127.")


def whole(given: Given, *, minimum: int, maximum: int | None = None) -> int:
    value = given.value
    text = str(value).strip() if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
    if not (text.isascii() and text.isdigit()) or int(text) < minimum:
        raise SettingsError(f"{given.where}: {value!r} is not a whole number >= {minimum}")
    if maximum is not None and int(text) > maximum:
        raise SettingsError(f"{given.where}: {value!r} is more than {maximum}")
    return int(text)


def shard(given: Given) -> tuple[int, int]:
    """`2/3` as (2, 3): the second of three shares of the checks."""
    text = str(given.value).strip()
    k, _, n = text.partition("/")
    if not (k.isdigit() and n.isdigit()) or not 1 <= int(k) <= int(n):
        raise SettingsError(f"{given.where}: {given.value!r} is not K/N with 1 <= K <= N; use e.g. 1/3")
    return int(k), int(n)


def release(given: Given) -> str:
    """COUPON_API_RELEASE: a label as a build number or version is (letters, digits, ` ._+-/:#()`): it stands
    in the reports' tables and file names, where `|` or `<` would break them."""
    text = str(given.value).strip()
    if not text or len(text) > 100 or not re.fullmatch(r"[\w .+\-/:#()]+", text, flags=re.ASCII):
        raise SettingsError(f"{given.where}: {text[:40]!r} is not a release label: give the vendor's build number or version, "
                            "at most 100 letters, digits and ` ._+-/:#()`")  # fmt: skip
    return text


def existing_file(given: Given) -> Path:
    """A file the run reads (COUPON_CONTRACTS_KNOWN_DEVIATIONS)."""
    path = Path(str(given.value))
    if not path.is_file():
        raise SettingsError(f"{given.where}: {path} is not a file; give the path of a known-deviations.yaml")
    return path


def severity(given: Given) -> dict[str, Severity]:
    """COUPON_CONTRACTS_SEVERITY: kinds of finding and their severity in this run."""
    try:
        return parse_overrides(str(given.value))
    except ValueError as exc:
        raise SettingsError(f"{given.where}: {exc}") from None


def flag_value(given: Given) -> bool:
    value = given.value
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{given.where}: {value!r} is not true or false")


def one_of(names: Iterable[str]) -> str:
    listed = list(names)
    return f"{', '.join(listed[:-1])} or {listed[-1]}"
