"""Settings: defaults, env/toml/override parsing and priority, one-line errors, secrets kept out of sight."""

from __future__ import annotations

from pathlib import Path

import pytest

from coupon_contracts.settings import DEFAULT_SEED, PROFILES, CustomerRef, Secret, Settings, SettingsError

PASSWORD = "hunter2-XYZ"
REMOTE = {
    "COUPON_API_BASE_URL": "https://eu.api.example.com",
    "COUPON_API_USERNAME": "qa-bot",
    "COUPON_API_PASSWORD": PASSWORD,
    "COUPON_API_CUSTOMERS": "mobile:919900000001,id:5001",
}


def load(tmp_path: Path, env: dict[str, str] | None = None, **kwargs) -> Settings:
    """Settings from an explicit env, with tmp_path as the working directory (no stray toml file)."""
    return Settings.load(env=env or {}, cwd=tmp_path, **kwargs)


def failure(tmp_path: Path, env: dict[str, str] | None = None, **kwargs) -> str:
    """The message of the SettingsError a load raises; checked to be one line without the password."""
    with pytest.raises(SettingsError) as caught:
        load(tmp_path, env, **kwargs)
    message = str(caught.value)
    assert "\n" not in message and PASSWORD not in message
    return message


def test_defaults_are_the_mock_with_the_ci_profile(tmp_path) -> None:
    settings = load(tmp_path)
    assert settings.is_mock and settings.base_url is None
    assert (settings.username, settings.password, settings.oauth_token, settings.customers) == (None, None, None, ())
    assert settings.profile is PROFILES["ci"] and settings.seed == DEFAULT_SEED
    assert (settings.timeout, settings.rate_limit, settings.reports, settings.config_file) == (10.0, 0.0, Path("reports"), None)


def test_profiles_table() -> None:
    rows = {n: (p.max_examples, p.property_examples, p.is_deterministic, p.coverage_phase, p.fuzzing_phase) for n, p in PROFILES.items()}
    assert rows == {"quick": (8, 5, True, False, True), "ci": (30, 15, True, True, True), "thorough": (300, 100, False, True, True)}


def test_env_sets_every_setting(tmp_path) -> None:
    env = {
        **REMOTE,
        "COUPON_API_BASE_URL": "https://eu.api.example.com/gateway/",
        "COUPON_API_OAUTH_TOKEN": "tok-123",
        "COUPON_API_CUSTOMERS": " mobile:919900000001 , email:a@b.example,externalId:EXT-1 , external_id:EXT-2,id:5001 ",
        "COUPON_CONTRACTS_PROFILE": "thorough",
        "COUPON_CONTRACTS_SEED": "42",
        "COUPON_API_TIMEOUT": "2.5",
        "COUPON_API_RATE_LIMIT": "0",
        "COUPON_CONTRACTS_REPORTS": "out/run-1",
    }
    settings = load(tmp_path, env)
    assert not settings.is_mock and settings.base_url == "https://eu.api.example.com/gateway"
    assert settings.username == "qa-bot" and settings.password == Secret(PASSWORD) and settings.oauth_token == Secret("tok-123")
    assert settings.customers == (
        CustomerRef("mobile", "919900000001"),
        CustomerRef("email", "a@b.example"),
        CustomerRef("external_id", "EXT-1"),
        CustomerRef("external_id", "EXT-2"),
        CustomerRef("id", "5001"),
    )
    assert (settings.profile.name, settings.seed, settings.timeout, settings.rate_limit) == ("thorough", 42, 2.5, 0.0)
    assert settings.reports == Path("out/run-1")


def test_remote_target_defaults_to_5_requests_per_second_and_token_alone_is_enough(tmp_path) -> None:
    env = {**REMOTE, "COUPON_API_USERNAME": "", "COUPON_API_PASSWORD": "", "COUPON_API_OAUTH_TOKEN": "tok"}
    settings = load(tmp_path, env)
    assert settings.rate_limit == 5.0 and settings.username is None and settings.oauth_token == Secret("tok")


TOML_BODY = """base_url = "https://toml.example.com/"
username = "toml-user"
password = "hunter2-XYZ"
customers = ["mobile:919900000001", " externalId:EXT-9 "]
profile = "quick"
seed = 7
timeout = 3
rate_limit = 1.5
reports = "toml-reports"
"""


@pytest.mark.parametrize("header", ["", "[coupon-contracts]\n"], ids=["top-level", "table"])
def test_toml_file_in_cwd(tmp_path, header) -> None:
    (tmp_path / "coupon-contracts.toml").write_text(header + TOML_BODY)
    settings = load(tmp_path)
    assert settings.config_file == tmp_path / "coupon-contracts.toml"
    assert (settings.base_url, settings.username, settings.password) == ("https://toml.example.com", "toml-user", Secret(PASSWORD))
    assert settings.customers == (CustomerRef("mobile", "919900000001"), CustomerRef("external_id", "EXT-9"))
    assert (settings.profile.name, settings.seed, settings.timeout, settings.rate_limit) == ("quick", 7, 3.0, 1.5)
    assert settings.reports == Path("toml-reports")


def test_toml_file_named_by_argument_or_env(tmp_path) -> None:
    named = tmp_path / "elsewhere.toml"
    named.write_text('profile = "quick"\ncustomers = "id:1, mobile:2"\n')
    by_env = load(tmp_path, {"COUPON_CONTRACTS_CONFIG": "elsewhere.toml"})
    by_argument = load(tmp_path, config_file=named)
    assert by_env.config_file == by_argument.config_file == named
    assert by_env.profile.name == by_argument.profile.name == "quick"
    assert by_argument.customers == (CustomerRef("id", "1"), CustomerRef("mobile", "2"))


def test_env_beats_toml_and_overrides_beat_env(tmp_path) -> None:
    (tmp_path / "coupon-contracts.toml").write_text('profile = "quick"\ntimeout = 3\nseed = 1\n')
    env = {"COUPON_CONTRACTS_PROFILE": "thorough", "COUPON_API_TIMEOUT": "4", "COUPON_API_RATE_LIMIT": ""}
    from_env = load(tmp_path, env)
    assert (from_env.profile.name, from_env.timeout, from_env.seed, from_env.rate_limit) == ("thorough", 4.0, 1, 0.0)
    overridden = load(tmp_path, env, overrides={"profile": "ci", "timeout": None, "seed": 9, "reports": Path("x")})
    assert (overridden.profile.name, overridden.timeout, overridden.seed, overridden.reports) == ("ci", 4.0, 9, Path("x"))


def test_seed_is_fixed_for_quick_and_ci_and_random_for_thorough(tmp_path) -> None:
    for name in ("quick", "ci"):
        assert load(tmp_path, {"COUPON_CONTRACTS_PROFILE": name}).seed == DEFAULT_SEED
    thorough = load(tmp_path, {"COUPON_CONTRACTS_PROFILE": "thorough"})
    assert isinstance(thorough.seed, int) and 0 <= thorough.seed < 2**32
    assert load(tmp_path, {"COUPON_CONTRACTS_PROFILE": "thorough", "COUPON_CONTRACTS_SEED": "5"}).seed == 5


def test_secret_is_masked_and_compares_by_value(tmp_path) -> None:
    secret = Secret(PASSWORD)
    assert repr(secret) == str(secret) == f"{secret}" == "**********" and secret.reveal() == PASSWORD
    assert secret == Secret(PASSWORD) and secret != Secret("other") and len({secret, Secret(PASSWORD)}) == 1
    settings = load(tmp_path, {**REMOTE, "COUPON_API_OAUTH_TOKEN": "tok-SECRET-1"})
    assert PASSWORD not in repr(settings) and "tok-SECRET-1" not in repr(settings) and "**********" in repr(settings)


NO_CREDENTIALS = "COUPON_API_BASE_URL is set but no credentials: set COUPON_API_USERNAME and COUPON_API_PASSWORD, or COUPON_API_OAUTH_TOKEN"


@pytest.mark.parametrize(
    ("env", "overrides", "expected"),
    [
        ({"COUPON_CONTRACTS_PROFILE": "fast"}, None, "COUPON_CONTRACTS_PROFILE: unknown profile 'fast'; use quick, ci or thorough"),
        ({**REMOTE, "COUPON_API_BASE_URL": "htp:/x"}, None,
         "COUPON_API_BASE_URL: 'htp:/x' is not an http(s) URL with a host, e.g. https://eu.api.capillarytech.com"),
        ({**REMOTE, "COUPON_API_BASE_URL": "https:///v2"}, None, "COUPON_API_BASE_URL: 'https:///v2' is not an http(s) URL"),
        ({**REMOTE, "COUPON_API_BASE_URL": "https://h.example/?x=1"}, None, "COUPON_API_BASE_URL: 'https://h.example/?x=1' has a query"),
        ({**REMOTE, "COUPON_API_BASE_URL": "https://h.example/#top"}, None, "COUPON_API_BASE_URL: 'https://h.example/#top' has a query or fragment"),
        ({**REMOTE, "COUPON_API_BASE_URL": f"https://qa:{PASSWORD}@h.example"}, None, "COUPON_API_BASE_URL: the URL carries credentials"),
        ({**REMOTE, "COUPON_API_BASE_URL": f"htp://qa:{PASSWORD}@h"}, None, "COUPON_API_BASE_URL: 'htp://***@h' is not"),
        ({"COUPON_API_CUSTOMERS": "mobile:1, phone:123"}, None,
         "COUPON_API_CUSTOMERS: item 2 'phone:123' has an unknown field 'phone'; use mobile, email, external_id or id"),
        ({"COUPON_API_CUSTOMERS": "id:50a1"}, None, "COUPON_API_CUSTOMERS: item 1 'id:50a1' has a non-numeric id"),
        ({"COUPON_API_CUSTOMERS": "mobile:"}, None, "COUPON_API_CUSTOMERS: item 1 'mobile:' has no value"),
        ({"COUPON_API_CUSTOMERS": "mobile919900000001"}, None, "COUPON_API_CUSTOMERS: item 1 'mobile919900000001' is not field:value"),
        ({"COUPON_API_CUSTOMERS": "id:1,,id:2"}, None, "COUPON_API_CUSTOMERS: item 2 is empty"),
        ({**REMOTE, "COUPON_API_USERNAME": "", "COUPON_API_PASSWORD": ""}, None, NO_CREDENTIALS),
        ({**REMOTE, "COUPON_API_PASSWORD": ""}, None, "COUPON_API_USERNAME is set but no password: set COUPON_API_PASSWORD"),
        ({"COUPON_API_PASSWORD": PASSWORD}, None, "COUPON_API_PASSWORD is set but no username: set COUPON_API_USERNAME"),
        ({**REMOTE, "COUPON_API_CUSTOMERS": ""}, None,
         "COUPON_API_BASE_URL is set but no customers: set COUPON_API_CUSTOMERS, e.g. mobile:919900000001,id:5001"),
        ({"COUPON_CONTRACTS_SEED": "-1"}, None, "COUPON_CONTRACTS_SEED: '-1' is not a whole number >= 0"),
        ({"COUPON_CONTRACTS_SEED": "abc"}, None, "COUPON_CONTRACTS_SEED: 'abc' is not a whole number >= 0"),
        ({"COUPON_CONTRACTS_WORKERS": "0"}, None, "COUPON_CONTRACTS_WORKERS: '0' is not a whole number >= 1"),
        ({"COUPON_CONTRACTS_WORKERS": "500"}, None, "COUPON_CONTRACTS_WORKERS: '500' is more than 64"),
        ({"COUPON_API_TIMEOUT": "0"}, None, "COUPON_API_TIMEOUT: '0' is not a number of seconds > 0"),
        ({"COUPON_API_TIMEOUT": "soon"}, None, "COUPON_API_TIMEOUT: 'soon' is not a number of seconds > 0"),
        ({"COUPON_API_TIMEOUT": "inf"}, None, "COUPON_API_TIMEOUT: 'inf' is not a number"),
        ({"COUPON_API_DEADLINE": "0"}, None, "COUPON_API_DEADLINE: '0' is not a number of seconds > 0"),
        ({"COUPON_API_MAX_BODY_MB": "lots"}, None, "COUPON_API_MAX_BODY_MB: 'lots' is not a number of MiB > 0"),
        ({"COUPON_API_RATE_LIMIT": "-1"}, None, "COUPON_API_RATE_LIMIT: '-1' is not a number of requests per second >= 0"),
        ({"COUPON_CONTRACTS_PROFILE": "fast"}, {"profile": "nope"}, "--profile: unknown profile 'nope'"),
        (REMOTE, {"base_url": "ftp://h.example"}, "--base-url: 'ftp://h.example' is not an http(s) URL with a host"),
        ({}, {"customers": "phone:1"}, "--customers: item 1 'phone:1' has an unknown field 'phone'"),
        ({}, {"rate_limit": -1}, "--rate-limit: -1 is not a number of requests per second >= 0"),
        ({}, {"seed": True}, "--seed: True is not a whole number"),
        ({}, {"password": 12345}, "--password: must be a non-empty string, got int"),
        ({}, {"retries": 3}, "--retries: unknown setting"),
    ],
)
def test_invalid_settings_fail_with_one_line_naming_the_source(tmp_path, env, overrides, expected) -> None:
    assert expected in failure(tmp_path, env, overrides=overrides)


def test_toml_value_errors_name_file_line_and_key(tmp_path) -> None:
    (tmp_path / "coupon-contracts.toml").write_text('[coupon-contracts]\nseed = 1\nprofile = "fast"\n')
    message = failure(tmp_path)
    assert message == f"{tmp_path / 'coupon-contracts.toml'}:3: profile: unknown profile 'fast'; use quick, ci or thorough"


def test_toml_remote_target_without_credentials_names_the_file(tmp_path) -> None:
    (tmp_path / "coupon-contracts.toml").write_text('customers = "id:1"\nbase_url = "https://h.example"\n')
    assert failure(tmp_path).startswith(f"{tmp_path / 'coupon-contracts.toml'}:2: base_url is set but no credentials")


def test_toml_unknown_key_lists_the_known_keys(tmp_path) -> None:
    (tmp_path / "coupon-contracts.toml").write_text('seed = 1\nprofle = "ci"\n')
    message = failure(tmp_path)
    assert message.startswith(f"{tmp_path / 'coupon-contracts.toml'}:2: unknown key 'profle'")
    assert "base_url, username, password, oauth_token, customers, profile, seed, timeout, deadline, max_body_mb, rate_limit, reports" in message


def test_toml_password_of_the_wrong_type_is_not_echoed(tmp_path) -> None:
    (tmp_path / "coupon-contracts.toml").write_text(f'username = "u"\npassword = ["{PASSWORD}"]\n')
    assert ":2: password: must be a non-empty string, got list" in failure(tmp_path)


@pytest.mark.parametrize(("text", "line"), [('seed = 1\nprofile = \n', 2), ('seed = 1\nreports = "out\n', 2), ("[coupon-contracts\n", 1)])
def test_invalid_toml_names_file_and_line(tmp_path, text, line) -> None:
    (tmp_path / "coupon-contracts.toml").write_text(text)
    message = failure(tmp_path)
    assert message.startswith(f"{tmp_path / 'coupon-contracts.toml'}:{line}: invalid TOML")


def test_missing_config_files_are_errors(tmp_path) -> None:
    assert "COUPON_CONTRACTS_CONFIG: config file" in failure(tmp_path, {"COUPON_CONTRACTS_CONFIG": "nope.toml"})
    assert "nope.toml: config file not found" in failure(tmp_path, config_file=Path("nope.toml"))


def test_mock_faults_are_read_and_checked() -> None:
    settings = Settings.load(env={"COUPON_CONTRACTS_MOCK_FAULTS": "v11-limit-ignored, v2-list-offset-shifted"})
    assert settings.mock_faults == ("v11-limit-ignored", "v2-list-offset-shifted")
    with pytest.raises(SettingsError, match="COUPON_CONTRACTS_MOCK_FAULTS: unknown fault 'nope'"):
        Settings.load(env={"COUPON_CONTRACTS_MOCK_FAULTS": "nope"})
    remote = {"COUPON_API_BASE_URL": "https://staging.example.com", "COUPON_API_OAUTH_TOKEN": "t", "COUPON_API_CUSTOMERS": "id:5"}
    with pytest.raises(SettingsError, match="embedded mock only"):
        Settings.load(env=remote | {"COUPON_CONTRACTS_MOCK_FAULTS": "v11-limit-ignored"})
