"""The embedded mock: an ASGI app (Starlette) serving the five coupon APIs as the docs describe them.

Faults are named deviations (see faults.py): behaviour faults are checked where the behaviour is
decided, shape faults rewrite the finished body, security faults relax the credential check.
Readings (readings.py) are answers to what the docs leave open, checked the same way, here and in
representation.py.
"""

from __future__ import annotations

import base64
import hmac
from datetime import datetime
from typing import Awaitable, Callable, Iterable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..operations import RED, V2C, V2ID, V2L, V11, shipped_table
from . import representation as wire
from .dataset import build_dataset
from .faults import FAULTS, FaultSet
from .hostile import HOSTILE_FAULTS, HostileSizes, HostileTarget
from .readings import ReadingSet
from .state import BadRequest, Handler, MockCredentials, MockState, v2_error
from .v2 import v2_coupon, v2_customer_coupons, v2_customer_coupons_by_id
from .v11 import v11_customer_coupons, v11_isredeemable

__all__ = ["MockCredentials", "create_app", "known_faults"]


def create_app(
    *,
    seed: int = 7,
    customers: int = 8,
    faults: Iterable[str] = (),
    credentials: MockCredentials | None = None,
    now: datetime | None = None,
    latency_ms: int = 0,
    readings: Iterable[str] | ReadingSet = (),
    readings_seed: int | None = None,
    last_customer_coupons: int | None = None,
    hostile_sizes: HostileSizes | None = None,
) -> Starlette:
    """The mock as an ASGI app; unknown fault or reading names raise `ValueError` listing the known ones.

    `latency_ms` delays every answer; hostile faults (hostile.py) wrap the app in `HostileTarget`.
    `readings_seed` seeds the `random` reading (a ReadingSet passed in already carries its own);
    `last_customer_coupons`: how many coupons the last customer holds (default: over 100);
    `hostile_sizes`: how large the over-limit hostile answers are (default: the catalog's).
    """
    chosen = readings if isinstance(readings, ReadingSet) else ReadingSet(readings, seed=readings_seed)
    dataset = build_dataset(seed=seed, customers=customers, now=now, list_every_store=chosen.has("v2-series-stores-listed"), last_customer_coupons=last_customer_coupons)
    state = MockState(dataset, credentials or MockCredentials(), FaultSet(faults), chosen)
    handlers: dict[str, Handler] = {V11: v11_customer_coupons, RED: v11_isredeemable, V2C: v2_coupon, V2L: v2_customer_coupons, V2ID: v2_customer_coupons_by_id}
    routes = [Route(row.path, _endpoint(operation_id, handlers[operation_id], state)) for operation_id, row in shipped_table().items()]
    app = Starlette(routes=routes)
    app.state.mock = state
    if latency_ms or state.faults.names & set(HOSTILE_FAULTS):
        app.add_middleware(HostileTarget, faults=state.faults, latency_ms=latency_ms, sizes=hostile_sizes)
    return app


def _endpoint(operation_id: str, handler: Handler, state: MockState) -> Callable[[Request], Awaitable[Response]]:
    is_v11 = operation_id.endswith("V11")

    async def endpoint(request: Request) -> Response:
        if not _is_authorized(request, state, is_v11=is_v11):
            return _unauthorized(is_v11, state)
        try:
            response = await handler(request, state)
        except BadRequest as exc:
            if is_v11:
                return JSONResponse({"response": {"status": wire.v11_status(False, 400, str(exc))}}, status_code=400)
            return v2_error(state, 400, "INVALID_REQUEST", str(exc))
        return state.faults.reshape(operation_id, response, request)

    return endpoint


# -- authentication -----------------------------------------------------------------------------


def _is_authorized(request: Request, state: MockState, *, is_v11: bool) -> bool:
    faults, creds, readings = state.faults, state.credentials, state.readings
    if faults.has("all-credentials-unchecked"):
        return True
    token = request.headers.get("x-cap-api-oauth-token")
    if token is not None:
        return (not is_v11 and faults.has("v2-token-unchecked")) or hmac.compare_digest(token, creds.oauth_token)
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        username, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return False
    if not hmac.compare_digest(username, creds.username):
        return False
    if is_v11 and faults.has("v11-password-unchecked"):
        return True
    accepted = [creds.password_md5] + ([creds.password] if readings.has("auth-plain-password-accepted") else [])
    return any(hmac.compare_digest(secret, candidate) for candidate in accepted)


def _unauthorized(is_v11: bool, state: MockState) -> Response:
    if is_v11:
        return JSONResponse({"response": {"status": wire.v11_status(False, 401, "Unauthorized")}}, status_code=401)
    return v2_error(state, 401, "UNAUTHORIZED", "Missing or invalid credentials")


def known_faults() -> list[str]:
    """Names of every fault in the catalog, hostile-target ones included."""
    return sorted(set(FAULTS) | set(HOSTILE_FAULTS))


