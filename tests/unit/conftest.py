"""Fixtures shared by the tool's own tests: the contract, loaded once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from coupon_contracts.contract import Contract

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def contract() -> Contract:
    """The project's contract (contracts/openapi.yaml + schemas/)."""
    return Contract.load(ROOT / "contracts" / "openapi.yaml")


def documented_surface() -> dict:
    """The doc pages' parameters, fields and error codes, transcribed in tests/unit/data."""
    return yaml.safe_load((DATA / "documented-surface.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def mock_app():
    """The faithful mock, built once (seed 7, 8 customers)."""
    from coupon_contracts.mock import create_app

    return create_app()


def client_for(app, auth: str = "md5"):
    """A sync client on an ASGI app with one of the probe auth modes."""
    from starlette.testclient import TestClient

    from coupon_contracts.auth import OAuthTokenAuth, VendorBasicAuth

    creds = app.state.mock.credentials
    modes = {
        "md5": VendorBasicAuth(creds.username, creds.password),
        "plain": VendorBasicAuth(creds.username, creds.password, is_hashed=False),
        "wrong-password": VendorBasicAuth(creds.username, "not-the-password"),
        "token": OAuthTokenAuth(creds.oauth_token),
        "wrong-token": OAuthTokenAuth("not-the-token"),
        "none": None,
    }
    client = TestClient(app, base_url="http://mock", raise_server_exceptions=True)
    client.auth = modes[auth]
    return client


@pytest.fixture(scope="session")
def mock_client(mock_app):
    """A client of the faithful mock with valid Basic credentials."""
    return client_for(mock_app)


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without any COUPON_* setting of the developer's shell, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COUPON_")}
    return env | extra
