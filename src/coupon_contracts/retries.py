"""Retrying a request to staging: bounded attempts, backoff with jitter, Retry-After honoured up to a
cap, and the requests that passed only after retries (listed as flaky, never failed)."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx

__all__ = ["FlakyRequest", "RetryPolicy", "page_hint", "retry_after"]


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries with exponential backoff and jitter; Retry-After is honoured up to a cap."""

    attempts: int = 4  # the first try and three retries
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    statuses: frozenset[int] = frozenset({429, 502, 503, 504})

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Backoff before retry number `attempt` (1-based), with +-50% jitter."""
        return float(min(self.max_delay, self.base_delay * 2 ** (attempt - 1)) * (0.5 + rng.random()))


@dataclass
class FlakyRequest:
    """A request that succeeded only after retries: it counts as passed and is listed as flaky."""

    operation_id: str
    request: httpx.Request
    attempts: int
    reasons: list[str]



def retry_after(response: httpx.Response) -> float | None:
    """Seconds asked by Retry-After (a number or an HTTP date), if any."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def page_hint(response: httpx.Response) -> str:
    """` (an HTML page: '502 Bad Gateway')` for a gateway page, else ''."""
    if "html" not in response.headers.get("content-type", ""):
        return ""
    text = response.text
    start, end = text.find("<title>"), text.find("</title>")
    title = text[start + 7 : end] if 0 <= start < end else text[:60]
    return f" (an HTML page: {title.strip()!r})"
