"""Every setting once: its name (also its toml key), environment variable, option and help.

`Settings.load` reads the variables from here, and the CLI (`coupon-contracts run --NAME`) and the
pytest options (`--NAME`) are made from the same rows, so a setting is never typed twice.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SETTINGS_TABLE", "SettingRow", "ENV_VARS", "OPTION_ROWS"]


@dataclass(frozen=True)
class SettingRow:
    """One setting: `name` is the toml key and the override key; `option` says whether a flag sets it."""

    name: str
    env: str
    help: str
    option: bool = True

    @property
    def flag(self) -> str:
        """`--max-body-mb` for `max_body_mb`."""
        return f"--{self.name.replace('_', '-')}"


SETTINGS_TABLE = (
    SettingRow("base_url", "COUPON_API_BASE_URL", "target base URL; unset: the embedded mock"),
    SettingRow("username", "COUPON_API_USERNAME", "Basic username"),
    SettingRow("password", "COUPON_API_PASSWORD", "Basic password, sent MD5-hashed (prefer the variable)"),
    SettingRow("oauth_token", "COUPON_API_OAUTH_TOKEN", "token for X-CAP-API-OAUTH-TOKEN (prefer the variable)"),
    SettingRow("customers", "COUPON_API_CUSTOMERS", "test customers, field:value,..."),
    SettingRow("profile", "COUPON_CONTRACTS_PROFILE", "quick, ci or thorough"),
    SettingRow("seed", "COUPON_CONTRACTS_SEED", "seed of generation"),
    SettingRow("timeout", "COUPON_API_TIMEOUT", "seconds per read of an answer"),
    SettingRow("deadline", "COUPON_API_DEADLINE", "seconds for one whole answer, however slowly it comes"),
    SettingRow("max_body_mb", "COUPON_API_MAX_BODY_MB", "largest answer read, on the wire and decompressed, in MiB"),
    SettingRow("rate_limit", "COUPON_API_RATE_LIMIT", "requests per second, 0 for none"),
    SettingRow("reports", "COUPON_CONTRACTS_REPORTS", "folder for reports"),
    SettingRow("mock_faults", "COUPON_CONTRACTS_MOCK_FAULTS", "faults of the embedded mock, comma-separated"),
    SettingRow("mock_readings", "COUPON_CONTRACTS_MOCK_READINGS", "readings of the embedded mock where the docs are silent, comma-separated or random"),
    SettingRow("mock_readings_seed", "COUPON_CONTRACTS_MOCK_READINGS_SEED", "seed of the `random` mock reading", option=False),
    SettingRow("operations", "COUPON_CONTRACTS_OPERATIONS", "check only these operationIds, comma-separated"),
    SettingRow("mask_pii", "COUPON_CONTRACTS_MASK_PII", "mask mobiles and e-mails in outputs: true (default) or false for local debugging"),
    SettingRow("max_requests", "COUPON_API_MAX_REQUESTS", "request budget of the whole run"),
    SettingRow("workers", "COUPON_CONTRACTS_WORKERS", "requests in flight at once, for the whole run: request lanes in up to one pytest-xdist process per core"),
    SettingRow("shard", "COUPON_CONTRACTS_SHARD", "K/N: run the K-th of N deterministic shares of the checks, at 1/N of the rate limit and budget (then `coupon-contracts merge`)"),
    SettingRow("release", "COUPON_API_RELEASE", "the vendor release this run checks (e.g. its build number): labels the run in the history and the report's trend"),
    SettingRow("history", "COUPON_CONTRACTS_HISTORY", "folder of the runs' history, kept by the CI between runs; default: REPORTS/history"),
    SettingRow("severity", "COUPON_CONTRACTS_SEVERITY", "raise or lower kinds of finding: KIND=error|warning|info, comma-separated (docs/drift.md)"),
    SettingRow("known_deviations", "COUPON_CONTRACTS_KNOWN_DEVIATIONS", "known vendor deviations, with tickets and expiry dates; default: known-deviations.yaml beside the contract"),
    SettingRow("contract", "COUPON_CONTRACTS_CONTRACT", "path of the OpenAPI contract (its schemas/ beside contracts/); default: the shipped one"),
)
ENV_VARS = {row.name: row.env for row in SETTINGS_TABLE}
OPTION_ROWS = tuple(row for row in SETTINGS_TABLE if row.option)
