"""The system under test: the only module that knows whether requests go to staging or to the mock.

A `Target` sends read-only GETs through one `httpx.Client` (remote over the network, or the embedded
mock in-process) and tells every observer about each exchange, so drift and reports see every
response of every test without the tests knowing about them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urlsplit

import httpx

from .auth import OAuthTokenAuth, VendorBasicAuth
from .settings import CustomerRef, Settings

__all__ = ["Exchange", "Target", "TargetUnavailable", "open_target"]

MOCK_BASE_URL = "http://coupon-mock.invalid"


class TargetUnavailable(Exception):
    """The target cannot be used (unreachable, credentials rejected, persistent 5xx): exit code 3."""


@dataclass(frozen=True)
class Exchange:
    """One request the suite sent and what came back."""

    operation_id: str
    request: httpx.Request
    response: httpx.Response
    elapsed: float

    @property
    def json(self) -> Any:
        """The body as JSON (raises ValueError when it is not JSON)."""
        return self.response.json()


@dataclass
class Target:
    """Where the suite sends requests, with the credentials and test customers it may use."""

    base_url: str
    client: httpx.Client
    customers: tuple[CustomerRef, ...]
    label: str
    credentials: dict[str, str] = field(repr=False, default_factory=dict)
    observers: list[Callable[[Exchange], None]] = field(default_factory=list)
    mock: Any = None  # the mock's state when the target is the embedded mock

    def get(self, operation_id: str, path: str, params: dict[str, Any] | None = None, *, auth: httpx.Auth | None | str = "default") -> Exchange:
        """GET `path` as `operation_id`; `auth=None` sends no credentials, another Auth replaces them."""
        request = self.client.build_request("GET", path, params=_clean(params or {}))
        return self._send(operation_id, request, auth)

    def send(self, operation_id: str, request_kwargs: dict[str, Any], *, auth: httpx.Auth | None | str = "default") -> Exchange:
        """Send a request built by Schemathesis (`case.as_transport_kwargs()`); only GET is allowed."""
        method = request_kwargs.get("method", "GET").upper()
        if method != "GET":
            raise ValueError(f"{operation_id}: the suite is read-only and refuses to send {method}")
        url = request_kwargs["url"]
        request = self.client.build_request("GET", url, params=request_kwargs.get("params"), headers=request_kwargs.get("headers"))
        return self._send(operation_id, request, auth)

    def _send(self, operation_id: str, request: httpx.Request, auth: httpx.Auth | None | str) -> Exchange:
        started = time.perf_counter()
        try:
            if auth == "default":
                response = self.client.send(request)
            else:
                response = self.client.send(request, auth=auth if auth is not None else _NoAuth())
        except httpx.TransportError as exc:
            raise TargetUnavailable(f"{self.label}: {type(exc).__name__} on {request.method} {request.url.path}: {exc}") from None
        exchange = Exchange(operation_id, request, response, time.perf_counter() - started)
        for observer in self.observers:
            observer(exchange)
        return exchange

    def close(self) -> None:
        """Close the connection pool."""
        self.client.close()


class _NoAuth(httpx.Auth):
    """Strip the client's default credentials from one request."""

    def auth_flow(self, request: httpx.Request):  # type: ignore[no-untyped-def]
        request.headers.pop("Authorization", None)
        request.headers.pop("X-CAP-API-OAUTH-TOKEN", None)
        yield request


def _clean(params: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in params.items() if v is not None}


def open_target(settings: Settings) -> Target:
    """A Target for the settings: the remote base URL, or the embedded mock in-process."""
    timeout = httpx.Timeout(settings.timeout)
    headers = {"Accept": "application/json", "User-Agent": "coupon-contracts"}
    if settings.is_mock:
        return _open_mock(settings, timeout, headers)
    auth: httpx.Auth
    if settings.oauth_token is not None:
        auth = OAuthTokenAuth(settings.oauth_token.reveal())
        credentials = {"oauth_token": settings.oauth_token.reveal()}
    else:
        assert settings.username is not None and settings.password is not None  # Settings.load guarantees it
        auth = VendorBasicAuth(settings.username, settings.password.reveal())
        credentials = {"username": settings.username, "password": settings.password.reveal()}
    client = httpx.Client(base_url=settings.base_url or "", auth=auth, timeout=timeout, headers=headers, follow_redirects=False)
    return Target(settings.base_url or "", client, settings.customers, urlsplit(settings.base_url or "").netloc, credentials)


def _open_mock(settings: Settings, timeout: httpx.Timeout, headers: dict[str, str]) -> Target:
    from starlette.testclient import TestClient

    from .mock import create_app

    app = create_app(faults=settings.mock_faults)
    state = app.state.mock
    creds = state.credentials
    client = TestClient(app, base_url=MOCK_BASE_URL, raise_server_exceptions=False, headers=headers)
    client.auth = VendorBasicAuth(creds.username, creds.password)
    client.timeout = timeout
    customers = settings.customers or mock_customers(state.dataset)
    credentials = {"username": creds.username, "password": creds.password, "oauth_token": creds.oauth_token}
    faults = f" with faults {', '.join(sorted(settings.mock_faults))}" if settings.mock_faults else ""
    return Target(MOCK_BASE_URL, client, customers, f"embedded mock{faults}", credentials, mock=state)


def mock_customers(dataset: Any) -> tuple[CustomerRef, ...]:
    """Test customers of the mock, named by several kinds of identifier so discovery is exercised."""
    people = dataset.customers
    refs = [CustomerRef("mobile", people[0].mobile), CustomerRef("id", str(people[1].id)), CustomerRef("mobile", people[2].mobile)]
    refs += [CustomerRef("email", people[3].email)] if len(people) > 3 and people[3].email else []
    refs += [CustomerRef("external_id", p.external_id) for p in people[4:6] if p.external_id]
    return tuple(refs)
