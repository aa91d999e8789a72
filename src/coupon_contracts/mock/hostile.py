"""A hostile staging: latency, gateway pages, throttling, resets, slowness, broken bodies, redirects.

ASGI middleware in front of the mock, switched by the same fault names as the rest of the catalog.
"Sometimes" faults hit a fixed share of requests (every k-th), so a run is reproducible; "always"
faults model an outage. Each fault says what the suite must make of it (`outcome`).
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import struct
import zlib
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from ..operations import V2C, V2ID, V2L, V11, label_of, operation_at
from .faults import OTHER_NAMES, FaultSet

__all__ = ["HOSTILE_FAULTS", "HostileFault", "HostileSizes", "HostileTarget", "SLOW_SECONDS"]

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

SLOW_SECONDS = 3.0  # longer than the timeouts the hostile tests use
GATEWAY_PAGE = b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
UNAVAILABLE_PAGE = b"<html><body><h1>503 Service Temporarily Unavailable</h1><p>Please retry later.</p></body></html>"
HUGE_MIB, BOMB_MIB, TRICKLE_SECONDS, DEEP_LEVELS = 48, 256, 0.5, 200_000  # the catalog's sizes: over the tests' 8 MiB limit, quick to serve
NON_JSON_PAGE = b"<!DOCTYPE html><html><body><h1>Maintenance</h1><p>We'll be back soon.</p></body></html>"


@dataclass(frozen=True)
class HostileSizes:
    """How large, inflated, slow or deep the over-limit answers are (`mock --huge-mib` and the rest)."""

    huge_mib: int = HUGE_MIB
    bomb_mib: int = BOMB_MIB
    trickle_seconds: float = TRICKLE_SECONDS
    deep_levels: int = DEEP_LEVELS


@dataclass(frozen=True)
class HostileFault:
    """One hostile behaviour and the outcome the suite owes it."""

    name: str
    summary: str
    outcome: str  # "passes, flaky-listed" | "exit 1" | "exit 3"


HOSTILE_FAULTS = {
    f.name: f
    for f in [
        HostileFault("hostile-502-html-sometimes", "every 3rd request gets a 502 nginx HTML page", "passes, flaky-listed"),
        HostileFault("hostile-429-retry-after", "every 25th request gets 429 with Retry-After: 1", "passes, flaky-listed"),
        HostileFault("hostile-reset-sometimes", "every 5th connection is reset mid-response", "passes, flaky-listed"),
        HostileFault("hostile-slow-sometimes", f"every 10th request takes {SLOW_SECONDS:.0f} s (longer than the timeout)", "passes, flaky-listed"),
        HostileFault("hostile-503-always", "every request gets 503 with an HTML page and Retry-After: 1", "exit 3"),
        HostileFault("hostile-reset-always", "every connection is reset", "exit 3"),
        HostileFault("hostile-redirect-login", "every request is redirected to a login page", "exit 3"),
        HostileFault("hostile-non-json-200", f"{label_of(V2C)} answers 200 with an HTML page", "exit 1"),
        HostileFault("hostile-truncated-json", f"{label_of(V2L)} answers 200 with JSON cut in half", "exit 1"),
        HostileFault("hostile-empty-body", f"{label_of(V2ID)} answers 200 with an empty body", "exit 1"),
        HostileFault("hostile-huge-body", f"{label_of(V2C)} answers 200 with {HUGE_MIB} MiB of JSON, streamed", "exit 1"),
        HostileFault("hostile-gzip-bomb", f"{label_of(V2C)} answers 200 with gzip that inflates to {BOMB_MIB} MiB", "exit 1"),
        HostileFault("hostile-trickle", f"{label_of(V2C)} answers 200 and sends its body a byte every {TRICKLE_SECONDS} s, forever", "exit 1"),
        HostileFault("hostile-deep-json", f"{label_of(V2C)} answers 200 with JSON nested {DEEP_LEVELS:,} levels deep", "exit 1"),
        HostileFault("hostile-truncated-discovery", f"{label_of(V11)}, which discovery reads first, answers 200 with JSON cut in half", "exit 3"),
    ]
}


OTHER_NAMES.update(HOSTILE_FAULTS)


class HostileTarget:
    """ASGI middleware: the mock as a slow, flaky or broken staging."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], faults: FaultSet, *, latency_ms: int = 0, sizes: HostileSizes | None = None) -> None:
        self.app = app
        self.faults = faults
        self.latency = latency_ms / 1000
        self.sizes = sizes or HostileSizes()
        self.counter = itertools.count()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        n = next(self.counter)
        has = self.faults.has
        if self.latency:
            await asyncio.sleep(self.latency)
        if has("hostile-redirect-login"):
            return await _answer(send, 302, b"", "text/html", [(b"location", b"/login?next=%2Fcoupons")])
        if has("hostile-503-always"):
            return await _answer(send, 503, UNAVAILABLE_PAGE, "text/html", [(b"retry-after", b"1")])
        if has("hostile-502-html-sometimes") and n % 3 == 2:
            return await _answer(send, 502, GATEWAY_PAGE, "text/html")
        if has("hostile-429-retry-after") and n % 25 == 1:
            return await _answer(send, 429, b'{"message": "Too Many Requests"}', "application/json", [(b"retry-after", b"1")])
        if has("hostile-reset-always") or (has("hostile-reset-sometimes") and n % 5 == 4):
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json"), (b"content-length", b"1000")]})
            await send({"type": "http.response.body", "body": b'{"entity": ', "more_body": True})
            raise ConnectionResetError("hostile mock: connection reset mid-response")
        if has("hostile-slow-sometimes") and n % 10 == 9:
            await asyncio.sleep(SLOW_SECONDS)
        operation = operation_at(scope.get("path", ""))
        if has("hostile-non-json-200") and operation == V2C:
            return await self._replace_ok_body(scope, receive, send, lambda body: NON_JSON_PAGE, "text/html")
        if has("hostile-truncated-json") and operation == V2L:
            return await self._replace_ok_body(scope, receive, send, lambda body: body[: len(body) // 2], "application/json")
        if operation == V2C and (over := next((f for f in OVER_LIMITS if has(f)), None)):
            return await OVER_LIMITS[over](send, receive, self.sizes)
        if has("hostile-truncated-discovery") and operation == V11:
            return await self._replace_ok_body(scope, receive, send, lambda body: body[: len(body) // 2], "application/json")
        if has("hostile-empty-body") and operation == V2ID:
            return await self._replace_ok_body(scope, receive, send, lambda body: b"", "application/json")
        await self.app(scope, receive, send)

    async def _replace_ok_body(self, scope: Scope, receive: Receive, send: Send, replace: Callable[[bytes], bytes], media_type: str) -> None:
        """Let the mock answer, then swap a 200's body (other statuses pass through unchanged)."""
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            else:
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        body = b"".join(chunks)
        if start.get("status") == 200:
            return await _answer(send, 200, replace(body), media_type)
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        await send({"type": "http.response.start", "status": start.get("status", 500), "headers": headers + [(b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


async def _answer(send: Send, status: int, body: bytes, media_type: str, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    headers = [(b"content-type", media_type.encode()), (b"content-length", str(len(body)).encode()), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# -- answers over the suite's limits: never held in memory here either -----------------------------


async def _huge(send: Send, receive: Receive, sizes: HostileSizes) -> None:
    item = b'{"code": "HUGE0001", "seriesId": 1, "description": "' + b"x" * 1000 + b'"},'
    chunk = item * (1024 * 1024 // len(item))
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b'{"data": [', "more_body": True})
    for _ in range(sizes.huge_mib):
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b'{}], "warnings": [], "errors": []}'})


@functools.lru_cache(maxsize=1)
def _bomb(mib: int) -> bytes:
    """A gzip body that inflates to `mib` MiB of zeros, built in well under a second for 4 GiB.

    A full flush resets the compressor, so every MiB compresses to the same block: one block is
    computed and repeated, and only the trailer's CRC walks the whole inflated length.
    """
    zeros = b"0" * (1024 * 1024)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)  # -15: a raw deflate stream, the gzip container is written here
    block = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(zeros, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    return header + block * mib + packer.flush(zlib.Z_FINISH) + struct.pack("<II", crc, (mib << 20) & 0xFFFFFFFF)


async def _gzip_bomb(send: Send, receive: Receive, sizes: HostileSizes) -> None:
    body = _bomb(sizes.bomb_mib)
    headers = [(b"content-type", b"application/json"), (b"content-encoding", b"gzip"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _trickle(send: Send, receive: Receive, sizes: HostileSizes) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    gone = asyncio.ensure_future(_disconnect(receive))
    for _ in range(int(600 / sizes.trickle_seconds)):  # until the client gives up (a server sends on to a closed socket)
        if gone.done():
            return
        await send({"type": "http.response.body", "body": b" ", "more_body": True})
        await asyncio.sleep(sizes.trickle_seconds)
    gone.cancel()
    await send({"type": "http.response.body", "body": b"{}"})


async def _disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _deep(send: Send, receive: Receive, sizes: HostileSizes) -> None:
    await _answer(send, 200, b"[" * sizes.deep_levels + b"]" * sizes.deep_levels, "application/json")


OVER_LIMITS: dict[str, Callable[[Send, Receive, HostileSizes], Awaitable[None]]] = {
    "hostile-huge-body": _huge,
    "hostile-gzip-bomb": _gzip_bomb,
    "hostile-trickle": _trickle,
    "hostile-deep-json": _deep,
}
