"""The system under test: the only module that knows whether requests go to staging or to the mock.

A `Target` sends read-only GETs through one `httpx.Client` (remote over the network, or the embedded
mock in-process) and tells every observer about each exchange, so drift and reports see every
response of every test without the tests knowing about them.
"""

from __future__ import annotations

import random
import sys
import time
import warnings
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable
from urllib.parse import urlsplit

import httpx

from .answer import PAST_DEADLINE, AnswerLimits, AnswerRefused, OperationWithheld, as_read, read_within
from .auth import OAuthTokenAuth, VendorBasicAuth
from .contract import Contract
from .observed_shape import BodyMemo, ParsedBody, parse_body
from .operations import OperationRow, shipped_table
from .pacing import Pacer, SharedPace
from .retries import FlakyRequest, RetryPolicy, page_hint, retry_after
from .settings import CustomerRef, Settings

__all__ = ["Exchange", "FlakyRequest", "RetryPolicy", "Target", "TargetUnavailable", "open_target"]

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
    refused: str = ""  # why the body was read no further (a limit), '' when it was read whole
    memo: BodyMemo | None = field(default=None, repr=False, compare=False)  # the target's: identical answers share one parse

    @cached_property
    def parsed(self) -> ParsedBody:
        """The body parsed and its shape walked, once for the record, the drift check and the tests."""
        if self.refused:
            return ParsedBody(problem="refused")
        return self.memo.parse(self.response.content) if self.memo is not None else parse_body(self.response.content)

    @property
    def json(self) -> Any:
        """The body as JSON (ValueError when it is not JSON; AnswerRefused when a limit stopped it).

        Every reader gets the same parsed document: it is read, never changed."""
        if self.refused:
            raise AnswerRefused(f"{self.operation_id}: {self.refused}")
        parsed = self.parsed
        if parsed.problem == "too deep":
            raise AnswerRefused(f"{self.operation_id}: JSON nested deeper than the parser's limit of {sys.getrecursionlimit()} levels")
        if parsed.shape is None:
            raise ValueError(f"{self.operation_id}: the body is not JSON")
        return parsed.document


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
    pacer: Pacer = field(default_factory=lambda: Pacer(0))
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    flaky: list[FlakyRequest] = field(default_factory=list)
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    outage: TargetUnavailable | None = None  # once the target is found down, nothing more is sent
    limits: AnswerLimits = field(default_factory=AnswerLimits)
    bodies: BodyMemo = field(default_factory=BodyMemo, repr=False)
    withheld: dict[str, str] = field(default_factory=dict)  # operation -> why its requests are no longer sent
    operations: dict[str, OperationRow] = field(default_factory=lambda: shipped_table(), repr=False)  # where each operation is sent

    def get(self, operation_id: str, params: dict[str, Any] | None = None, *, customer_id: int | str | None = None, auth: httpx.Auth | None | str = "default") -> Exchange:
        """GET `operation_id` at the contract's path (with `customer_id` in it, for the operation that takes
        one there); `auth=None` sends no credentials, another Auth replaces them."""
        path = self.operations[operation_id].path_for(customer_id)
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
        if self.outage is not None:  # other lanes found it down: do not hammer it
            raise self.outage
        if operation_id in self.withheld:  # a trickling operation would hold every later request as long
            raise OperationWithheld(f"{operation_id}: not sent: an earlier answer was {self.withheld[operation_id]}; each of its requests would wait as long")
        try:
            return self._send_with_retries(operation_id, request, auth)
        except TargetUnavailable as outage:
            self.outage = outage
            raise

    def _send_with_retries(self, operation_id: str, request: httpx.Request, auth: httpx.Auth | None | str) -> Exchange:
        reasons: list[str] = []
        where = f"{self.label}: {request.method} {request.url.path}"
        for attempt in range(1, self.retry.attempts + 1):
            try:
                with self.pacer.turn():
                    started = time.perf_counter()
                    options: dict[str, Any] = {"stream": True} | ({"auth": _NoAuth() if auth is None else auth} if auth != "default" else {})
                    streamed = self.client.send(request, **options)
                    try:
                        body, refused = read_within(streamed, self.limits, started=started)
                    finally:
                        streamed.close()
                    response = as_read(streamed, body)
            except httpx.TransportError as exc:
                reasons.append(type(exc).__name__)
                if attempt == self.retry.attempts:
                    raise TargetUnavailable(f"{where} failed {attempt} times in a row ({', '.join(reasons)}): the target looks down") from None
                self.sleep(self.retry.delay(attempt, self.rng))
                continue
            if response.is_redirect:
                location = response.headers.get("location", "?")
                raise TargetUnavailable(f"{where} was redirected ({response.status_code}) to {location}: a gateway or login page, not the API; check COUPON_API_BASE_URL and the credentials")
            if response.status_code in self.retry.statuses:
                reasons.append(str(response.status_code))
                wait = retry_after(response)
                if wait is not None and wait > self.retry.max_retry_after:
                    raise TargetUnavailable(f"{where} answered {response.status_code} with Retry-After {wait:.0f} s (more than {self.retry.max_retry_after:.0f} s): the target asks the suite to stay away")
                if attempt == self.retry.attempts:
                    raise TargetUnavailable(f"{where} answered {', '.join(reasons)} on {attempt} tries{page_hint(response)}: persistent {'throttling' if response.status_code == 429 else 'gateway or server errors'}")
                self.sleep(wait if wait is not None else self.retry.delay(attempt, self.rng))
                continue
            exchange = Exchange(operation_id, request, response, time.perf_counter() - started, refused, self.bodies)
            if PAST_DEADLINE in refused:
                self.withheld.setdefault(operation_id, refused)
            if reasons:
                self.flaky.append(FlakyRequest(operation_id, request, attempt, reasons))
            for observer in self.observers:
                observer(exchange)
            return exchange
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def close(self) -> None:
        """Close the connection pool."""
        self.client.close()
        self.pacer.close()


class _NoAuth(httpx.Auth):
    """Strip the client's default credentials from one request."""

    def auth_flow(self, request: httpx.Request):  # type: ignore[no-untyped-def]
        request.headers.pop("Authorization", None)
        request.headers.pop("X-CAP-API-OAUTH-TOKEN", None)
        yield request


def _clean(params: dict[str, Any]) -> dict[str, str | list[str]]:
    """Query values as strings; a list is sent as repeated parameters (`?status=A&status=B`)."""
    return {k: [str(x) for x in v] if isinstance(v, (list, tuple)) else str(v) for k, v in params.items() if v is not None}


def open_target(settings: Settings, *, shared_pace: SharedPace | None = None, contract: Contract | None = None) -> Target:
    """A Target for the settings: the remote base URL, or the embedded mock in-process.

    `shared_pace` is what parallel worker processes share so that the rate limit, the request
    budget and the requests in flight (`workers`) hold for the whole run. `contract`: the run's, when
    the caller has loaded it already (else it is loaded from the settings).
    """
    timeout = httpx.Timeout(settings.timeout)
    headers = {"Accept": "application/json", "User-Agent": "coupon-contracts"}
    if shared_pace is not None:
        pacer = shared_pace.pacer(settings.job_rate_limit, max_requests=settings.job_max_requests)
    else:
        pacer = Pacer(settings.job_rate_limit, max_requests=settings.job_max_requests)
    target = _open_mock(settings, timeout, headers) if settings.is_mock else _open_remote(settings, timeout, headers)
    target.pacer = pacer
    target.operations = (contract or Contract.load(settings.contract)).table  # a fork of the contract may move a path
    return target


def _open_remote(settings: Settings, timeout: httpx.Timeout, headers: dict[str, str]) -> Target:
    auth: httpx.Auth
    if settings.oauth_token is not None:
        auth = OAuthTokenAuth(settings.oauth_token.reveal())
        credentials = {"oauth_token": settings.oauth_token.reveal()}
    else:
        assert settings.username is not None and settings.password is not None  # Settings.load guarantees it
        auth = VendorBasicAuth(settings.username, settings.password.reveal())
        credentials = {"username": settings.username, "password": settings.password.reveal()}
    # One pooled client per process: keep-alive connections are reused by every lane for the whole run.
    limits = httpx.Limits(max_keepalive_connections=max(8, settings.workers), max_connections=max(16, settings.workers))
    client = _Client(base_url=settings.base_url or "", auth=auth, timeout=timeout, headers=headers, follow_redirects=False, limits=limits)
    answers = AnswerLimits(max_bytes=int(settings.max_body_mb * 1024 * 1024), deadline=settings.deadline)
    return Target(settings.base_url or "", client, settings.customers, urlsplit(settings.base_url or "").netloc, credentials, limits=answers)


def _open_mock(settings: Settings, timeout: httpx.Timeout, headers: dict[str, str]) -> Target:
    with warnings.catch_warnings():  # Starlette nags about httpx in its TestClient: a sync client of the in-process mock is what the suite wants
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    from .mock import create_app

    app = create_app(faults=settings.mock_faults, readings=settings.mock_readings, readings_seed=settings.mock_readings_seed)
    state = app.state.mock
    creds = state.credentials
    client = type("_MockClient", (_NoCookieJar, TestClient), {"close": _leave_and_close})(app, base_url=MOCK_BASE_URL, raise_server_exceptions=False, headers=headers)
    # Entered once for the run: outside its `with`, a TestClient starts an event loop in a new thread
    # for every request (a third of a quick run's CPU went there).
    client.__enter__()
    client.auth = VendorBasicAuth(creds.username, creds.password)
    client.timeout = timeout
    customers = settings.customers or mock_customers(state.dataset)
    credentials = {"username": creds.username, "password": creds.password, "oauth_token": creds.oauth_token}
    faults = f" with faults {', '.join(sorted(settings.mock_faults))}" if settings.mock_faults else ""
    readings = f" with readings {', '.join(sorted(state.readings.names))}" if state.readings else ""  # `random` resolved
    return Target(MOCK_BASE_URL, client, customers, f"embedded mock{faults}{readings}", credentials, mock=state)


def _leave_and_close(client: Any) -> None:
    """Stop the mock client's event loop thread (entered by `_open_mock`), then its transport."""
    if client.portal is not None:
        client.__exit__(None, None, None)
    super(type(client), client).close()


class _ForgetfulCookies(httpx.Cookies):
    """A jar that keeps nothing: httpx hands it every response."""

    def extract_cookies(self, response: httpx.Response) -> None:
        """Keep no cookie (the APIs authenticate every request by header, never by session)."""


class _NoCookieJar:
    """Mixed into the client: staging's cookies are neither kept nor sent back. A stateless read-only
    suite has no use for them, a session cookie is a secret better never held, and httpx's cookiejar
    glue (a urllib Request per response) was 5% of a run's CPU."""

    _forgetful = _ForgetfulCookies()

    @property
    def cookies(self) -> httpx.Cookies:
        """Always empty."""
        return self._forgetful

    @cookies.setter
    def cookies(self, value: Any) -> None:
        pass


class _Client(_NoCookieJar, httpx.Client):
    """The pooled client to a remote target."""


def mock_customers(dataset: Any) -> tuple[CustomerRef, ...]:
    """Test customers of the mock, named by several kinds of identifier so discovery is exercised."""
    people = dataset.customers
    refs = [CustomerRef("mobile", people[0].mobile), CustomerRef("id", str(people[1].id)), CustomerRef("mobile", people[2].mobile)]
    refs += [CustomerRef("email", people[3].email)] if len(people) > 3 and people[3].email else []
    refs += [CustomerRef("external_id", p.external_id) for p in people[4:6] if p.external_id]
    refs += [CustomerRef("id", str(people[-1].id))] if len(people) > 6 else []  # the one past the default page
    return tuple(refs)
