"""Fixtures shared by the tool's own tests: the contract, loaded once per session."""

from __future__ import annotations

import functools
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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


@dataclass
class ServedMock:
    """The mock served on a loopback port by `coupon-contracts mock --port`."""

    url: str
    port: int
    output: str = ""  # what the server printed, once it has stopped (with capture_output)


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_listening(port: int, process: subprocess.Popen, what: str) -> None:
    """Wait until `process` listens on the loopback `port` (20 s at most)."""
    deadline = time.monotonic() + 20
    while True:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        if time.monotonic() > deadline or process.poll() is not None:
            raise TimeoutError(f"{what} did not start listening on 127.0.0.1:{port}")
        time.sleep(0.1)


@contextmanager
def served_mock(*args: str, capture_output: bool = False) -> Iterator[ServedMock]:
    """Serve the mock (with extra `mock` arguments, e.g. faults) on a free port while the block runs."""
    port = free_port()
    sink = subprocess.PIPE if capture_output else subprocess.DEVNULL
    process = subprocess.Popen(
        [sys.executable, "-m", "coupon_contracts.cli", "mock", "--port", str(port), *args],
        stdout=sink, stderr=subprocess.STDOUT if capture_output else subprocess.DEVNULL, text=True,
    )
    served = ServedMock(f"http://127.0.0.1:{port}", port)
    try:
        wait_listening(port, process, "the mock")
        yield served
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
        served.output = output or ""


@functools.lru_cache(maxsize=1)
def mock_description() -> dict:
    """What `coupon-contracts mock --describe` prints (default seed and size), read once."""
    completed = subprocess.run([sys.executable, "-m", "coupon_contracts.cli", "mock", "--describe"], capture_output=True, text=True, check=True)
    return json.loads(completed.stdout)


def path_of(operation_id: str, customer_id: int | str | None = None) -> str:
    """The path the shipped contract gives an operation (the customer's id in it, for the by-id one)."""
    from coupon_contracts.operations import shipped_table

    return shipped_table()[operation_id].path_for(customer_id)
