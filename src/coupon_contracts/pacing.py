"""Respect for somebody else's staging: one request rate, one request budget and one cap on
requests in flight for the whole run.

The pace holds across threads and across pytest-xdist worker processes: they share a small state
file (the time the next request may leave, and how many have left so far) under an exclusive lock.
The cap is a pipe holding one token per request that may be in flight, as make's jobserver does:
a request takes a token before it leaves and puts it back when its answer is in, so whichever
process has work uses the free places, and a process between tests leaves its share to the others.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["BudgetSpent", "Pacer", "SharedPace"]


class BudgetSpent(Exception):
    """The run's request budget (max_requests) is used up: the remaining checks are skipped."""


class Pacer:
    """Spaces requests to at most `rate` per second and stops them after `max_requests` in total."""

    def __init__(self, rate: float, *, max_requests: int | None = None, state_file: Path | None = None, token_pipe: Path | None = None) -> None:
        self.interval = 1 / rate if rate > 0 else 0.0
        self.max_requests = max_requests
        self.state_file = state_file
        self._lock = threading.Lock()
        self._next, self._count = 0.0, 0  # used when no state file is shared
        self._tokens = os.open(token_pipe, os.O_RDWR) if token_pipe is not None else None

    @contextmanager
    def turn(self) -> Iterator[None]:
        """One request's turn: a place among those in flight (when capped), then its time in the pace."""
        if self._tokens is not None:
            os.read(self._tokens, 1)  # blocks, without the GIL, until another request gives its token back
        try:
            self.acquire()
            yield
        finally:
            if self._tokens is not None:
                os.write(self._tokens, b".")

    def close(self) -> None:
        """Let go of the token pipe."""
        if self._tokens is not None:
            os.close(self._tokens)
            self._tokens = None

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


class SharedPace:
    """The folder the processes of one run share to keep one pace: the pace's state file and the
    token pipe. The process that creates it holds the pipe open until `close` (a pipe forgets its
    tokens once nobody holds it open)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._holder: int | None = None

    @property
    def state_file(self) -> Path:
        """Where the next request's time and the request count are kept."""
        return self.folder / "pace"

    @property
    def token_pipe(self) -> Path:
        """The pipe of in-flight tokens."""
        return self.folder / "in-flight"

    @classmethod
    def create(cls, in_flight: int) -> SharedPace:
        """A new shared folder whose pipe lets `in_flight` requests be on their way at once."""
        shared = cls(Path(tempfile.mkdtemp(prefix="coupon-contracts-pace-")))
        shared.state_file.touch(mode=0o600)
        os.mkfifo(shared.token_pipe, 0o600)
        shared._holder = os.open(shared.token_pipe, os.O_RDWR)  # read-write: opening does not wait for a reader
        os.write(shared._holder, b"." * in_flight)
        return shared

    def pacer(self, rate: float, *, max_requests: int | None = None) -> Pacer:
        """A pacer of this process that keeps the shared pace."""
        return Pacer(rate, max_requests=max_requests, state_file=self.state_file, token_pipe=self.token_pipe)

    def close(self) -> None:
        """Remove the folder (its creator, at the end of the run)."""
        if self._holder is not None:
            os.close(self._holder)
            self._holder = None
        shutil.rmtree(self.folder, ignore_errors=True)
