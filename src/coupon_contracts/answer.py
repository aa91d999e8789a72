"""Reading an answer within limits: however large, compressed, slow or deep staging's answer, the
suite reads no further than its settings allow, and says which limit stopped it.

A body over a limit is not read further: the exchange carries an empty body and the reason, and every
check or finding that needs the body names the limit (a violation for the body of a 200).
"""

from __future__ import annotations

import datetime
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import httpx

__all__ = ["AnswerLimits", "AnswerRefused", "OperationWithheld", "PAST_DEADLINE", "Undecidable", "read_within"]

MIB = 1024 * 1024


PAST_DEADLINE = "the limit for one answer (COUPON_API_DEADLINE)"


class AnswerRefused(AssertionError):
    """An answer the suite read no further: over a size, time or nesting limit. A check that needs it fails."""


class Undecidable(Exception):
    """One example that cannot decide its check (a list the target would not give whole, a request not
    sent): neither a pass nor a failure; when no example decides, the check is not checked, with this as
    the reason. Here, below the target, so the target can raise its own kind."""


class OperationWithheld(Undecidable):
    """A request not sent: an earlier answer of its operation ran past the deadline, and each of the rest
    would wait as long. What needed it is not checked (the first answer is the violation)."""


@dataclass(frozen=True)
class AnswerLimits:
    """The bounds on one answer: bytes (on the wire and decompressed) and seconds for the whole body."""

    max_bytes: int = 32 * MIB
    deadline: float = 30.0

    def describe(self) -> str:
        """`32 MiB, 30 s` for messages."""
        return f"{self.max_bytes / MIB:g} MiB, {self.deadline:g} s"


def read_within(response: httpx.Response, limits: AnswerLimits, *, started: float) -> tuple[bytes, str]:
    """The body of a streamed `response`, and why it was cut short ('' when it was read whole).

    `started` is time.perf_counter() when the request left: the deadline covers the whole answer, where
    httpx's timeout covers one read only (a body trickling in a byte at a time never trips it).
    """
    chunks: list[bytes] = []
    size = 0
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.max_bytes:
        return b"", f"body of {int(declared) / MIB:.1f} MiB announced, over the limit of {limits.max_bytes / MIB:g} MiB (COUPON_API_MAX_BODY_MB)"
    over = f"body over the limit of {limits.max_bytes / MIB:g} MiB (COUPON_API_MAX_BODY_MB), read no further"
    for chunk in _decoded(response, limits.max_bytes):
        size += len(chunk)
        if size > limits.max_bytes or response.num_bytes_downloaded > limits.max_bytes:
            return b"", over
        if time.perf_counter() - started > limits.deadline:
            return b"", f"body still arriving after {limits.deadline:g} s, {PAST_DEADLINE}"
        chunks.append(chunk)
    return b"".join(chunks), ""


def _decoded(response: httpx.Response, most: int) -> Iterator[bytes]:
    """The body's bytes as they arrive, gzip and deflate inflated a bounded piece at a time (a bomb of
    zeros inflates a thousandfold: httpx would hand over a whole read's worth at once)."""
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding not in ("gzip", "deflate", "x-gzip"):
        yield from response.iter_bytes()
        return
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)  # 32: gzip or zlib header, detected
    piece = min(most + 1, 1024 * 1024)
    for raw in response.iter_raw():
        data = raw
        while data:
            out = inflater.decompress(data, piece)
            yield out
            data = inflater.unconsumed_tail
    yield inflater.flush()


def as_read(response: httpx.Response, body: bytes) -> httpx.Response:
    """A finished response holding `body` (already decoded: no content-encoding left to apply)."""
    headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
    read = httpx.Response(response.status_code, headers=headers, content=body, request=response.request, extensions=response.extensions)
    try:
        read.elapsed = response.elapsed  # the streamed one is closed: its time is known
    except RuntimeError:  # a transport that never timed it (httpx.MockTransport)
        read.elapsed = datetime.timedelta(0)
    return read
