"""What the mock serves from: its credentials, its dataset, faults and readings, and the error a bad query raises."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from . import representation as wire
from .dataset import Dataset
from .faults import FaultSet
from .readings import ReadingSet

__all__ = ["BadRequest", "Handler", "MockCredentials", "MockState", "v2_error"]


@dataclass(frozen=True)
class MockCredentials:
    """What the mock accepts: Basic username + password (sent MD5-hashed) or the OAuth token."""

    username: str = "coupon.qa"
    password: str = "mock-secret-1"
    oauth_token: str = "mock-oauth-token-7f3a"

    @property
    def password_md5(self) -> str:
        """The hex MD5 the vendor expects in place of the password."""
        return hashlib.md5(self.password.encode()).hexdigest()  # noqa: S324 - the vendor's scheme, not ours


class BadRequest(Exception):
    """A request the docs say the API rejects; the handler turns it into the family's 400."""


Handler = Callable[[Request, "MockState"], Awaitable[Response]]


@dataclass
class MockState:
    """What every handler needs: the data, the accepted credentials, the active faults and readings."""

    dataset: Dataset
    credentials: MockCredentials
    faults: FaultSet
    readings: ReadingSet = field(default_factory=ReadingSet)

    @property
    def ties(self) -> str | None:
        """How coupons with equal sort keys are ordered: None (by id, in the sort's direction), "asc" or "desc"."""
        return "asc" if self.readings.has("order-ties-id-asc") else "desc" if self.readings.has("order-ties-id-desc") else None


def v2_error(state: MockState, status: int, code: str, message: str) -> Response:
    flat = state.readings.has("v2-error-body-flat")
    return JSONResponse(wire.v2_flat_error(status, code, message) if flat else wire.v2_error(code, message), status_code=status)
