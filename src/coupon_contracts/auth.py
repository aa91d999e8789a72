"""The vendor's two authentication schemes as `httpx.Auth`.

Basic here is not plain HTTP Basic: the password part is the hex MD5 of the password, i.e.
`Authorization: Basic base64(username:md5hex(password))`, as the one well-formed example header
decodes (D-27). The pages name no header for OAuth (D-68): the token goes both in the platform's
X-CAP-API-OAUTH-TOKEN and as `Authorization: Bearer`, so either reading of the pages is served.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Generator

import httpx

__all__ = ["OAuthTokenAuth", "VendorBasicAuth", "md5_hex"]

TOKEN_HEADER = "X-CAP-API-OAUTH-TOKEN"


def md5_hex(password: str) -> str:
    """The lowercase hex MD5 of a password, as the vendor expects it."""
    return hashlib.md5(password.encode("utf-8")).hexdigest()  # noqa: S324 - the vendor's scheme


class VendorBasicAuth(httpx.Auth):
    """`Authorization: Basic base64(username:md5hex(password))`."""

    def __init__(self, username: str, password: str, *, is_hashed: bool = True) -> None:
        secret = md5_hex(password) if is_hashed else password  # is_hashed=False: the negative test's plain password
        self._header = "Basic " + base64.b64encode(f"{username}:{secret}".encode()).decode("ascii")

    def __repr__(self) -> str:
        return "VendorBasicAuth(<redacted>)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request


class OAuthTokenAuth(httpx.Auth):
    """`X-CAP-API-OAUTH-TOKEN: <token>` and `Authorization: Bearer <token>`."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __repr__(self) -> str:
        return "OAuthTokenAuth(<redacted>)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[TOKEN_HEADER] = self._token
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request
