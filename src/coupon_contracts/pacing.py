"""Respect for somebody else's staging: one request rate and one request budget for the whole run.

The pace holds across threads and across pytest-xdist worker processes: they share a small state
file (the time the next request may leave, and how many have left so far) under an exclusive lock.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path

__all__ = ["BudgetSpent", "Pacer"]


class BudgetSpent(Exception):
    """The run's request budget (max_requests) is used up: the remaining checks are skipped."""


class Pacer:
    """Spaces requests to at most `rate` per second and stops them after `max_requests` in total."""

    def __init__(self, rate: float, *, max_requests: int | None = None, state_file: Path | None = None) -> None:
        self.interval = 1 / rate if rate > 0 else 0.0
        self.max_requests = max_requests
        self.state_file = state_file
        self._lock = threading.Lock()
        self._next, self._count = 0.0, 0  # used when no state file is shared

    def acquire(self) -> None:
        """Wait for this request's slot; raise BudgetSpent when the budget is used up."""
        if not self.interval and self.max_requests is None:
            return
        with self._lock:
            if self.state_file is None:
                wait, self._next, self._count = self._reserve(self._next, self._count)
            else:
                wait = self._reserve_shared()
        if wait > 0:
            time.sleep(wait)

    def _reserve(self, next_time: float, count: int) -> tuple[float, float, int]:
        if self.max_requests is not None and count >= self.max_requests:
            raise BudgetSpent(f"the request budget of {self.max_requests} is spent (COUPON_API_MAX_REQUESTS)")
        now = time.monotonic()  # CLOCK_MONOTONIC: one clock for every process on the machine
        start = max(now, next_time)
        return start - now, start + self.interval, count + 1

    def _reserve_shared(self) -> float:
        assert self.state_file is not None
        fd = os.open(self.state_file, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            raw = os.read(fd, 64).decode() or "0 0"
            next_time, count = float(raw.split()[0]), int(raw.split()[1])
            wait, next_time, count = self._reserve(next_time, count)
            os.lseek(fd, 0, os.SEEK_SET)
            os.ftruncate(fd, 0)
            os.write(fd, f"{next_time} {count}".encode())
            return wait
        finally:
            os.close(fd)  # closing releases the lock
