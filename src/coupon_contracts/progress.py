"""Progress of a long run on the console: tests done of all, requests sent and their rate, failures so
far, the estimated time left and the check running now, as a plain line every so often (every 10 s on
a terminal, every 30 s in a CI log), between pytest's own dots."""

from __future__ import annotations

import sys
import time
from typing import Any

import pytest

from .run import run_of

__all__ = ["ProgressLines"]


class ProgressLines:
    """A pytest plugin object `coupon-contracts run` registers: it reads the session's `Run`, never changes it."""

    def __init__(self, *, every: float | None = None, clock: Any = time.monotonic) -> None:
        self.every = every if every is not None else (10.0 if sys.stdout.isatty() else 30.0)
        self.clock = clock
        self.started = self.last = clock()
        self.total = self.done = self.failed = 0
        self.current = ""
        self.config: pytest.Config | None = None

    def pytest_configure(self, config: pytest.Config) -> None:
        self.config = config

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.total = len(session.items)
        self.started = self.last = self.clock()

    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        self.current = nodeid.rsplit("::", 1)[-1]

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if hasattr(report, "context"):  # a Schemathesis case, not a test
            return
        if report.when == "call" or (report.when == "setup" and not report.passed):
            self.done += 1
            self.failed += report.failed
        now = self.clock()
        if now - self.last >= self.every and self.done < self.total:
            self.last = now
            self._write(self.line(now))

    def line(self, now: float) -> str:
        """`coupon-contracts: 30/78 tests, 412 requests (35.1/s), 0 failed, about 25 s left; now test_x`."""
        elapsed = max(now - self.started, 1e-9)
        requests = run_of(self.config).record.traffic.requests if self.config is not None else 0
        sent = f", {requests} requests ({requests / elapsed:.1f}/s)" if requests else ""
        left = f", about {elapsed / self.done * (self.total - self.done):.0f} s left" if self.done else ""
        return f"coupon-contracts: {self.done}/{self.total} tests{sent}, {self.failed} failed{left}; now {self.current}"

    def _write(self, text: str) -> None:
        reporter = self.config.pluginmanager.get_plugin("terminalreporter") if self.config is not None else None
        if reporter is not None:
            reporter.write_line(text)  # on a line of its own: pytest's dots go on below it
        else:
            print(text, flush=True)
