"""The settings file, `coupon-contracts.toml`: found, read, and every key placed at its line."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Mapping

from .setting_values import CONFIG_ENV_VAR, CONFIG_FILE_NAME, CONFIG_TABLE, Given, SettingsError
from .settings_table import ENV_VARS as _ENV_VARS

__all__ = ["find_config_file", "flag", "read_config_file"]


def find_config_file(env: Mapping[str, str], config_file: Path | None, cwd: Path | None) -> Path | None:
    """The settings file: the one given, the one COUPON_CONTRACTS_CONFIG names, or ./coupon-contracts.toml if any."""
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


def read_config_file(path: Path) -> dict[str, Given]:
    """Every key of the file's table, each with `file:line: key` as where it came from."""
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
    given: dict[str, Given] = {}
    for key, value in {**document, **table}.items():
        if key not in _ENV_VARS:
            line = _line_of(text, key)
            at = f"{path}:{line}" if line else str(path)
            raise SettingsError(f"{at}: unknown key {key!r}; known keys: {', '.join(_ENV_VARS)}")
        given[key] = Given(value, _where(path, text, key))
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


def flag(key: str) -> str:
    """`--max-body-mb` for `max_body_mb`, as an override names its origin."""
    return "--" + key.replace("_", "-")


