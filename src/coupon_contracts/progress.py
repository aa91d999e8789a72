"""Progress of a long run on the console: tests done of all, requests sent and their rate, failures so
far, the estimated time left and the check running now.

On a terminal it is one live line, redrawn every second in place of pytest's dots (a Schemathesis
operation can take a minute without a test ending). In a CI log, where a redrawn line is noise, it is a
plain line every 30 s between pytest's dots.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Any, TextIO

import pytest

from .run import run_of

__all__ = ["ProgressLines"]

_CLEAR_LINE = "\r\x1b[K"


class ProgressLines:
    """A pytest plugin object `coupon-contracts run` registers: it reads the session's `Run`, never changes it."""

    def __init__(self, *, every: float | None = None, clock: Any = time.monotonic, live: bool | None = None, stream: TextIO | None = None) -> None:
        self.live = (stream or sys.stdout).isatty() if live is None else live
        # The live line is drawn between and during tests, while pytest's capture holds fd 1: it goes to a
        # copy of the terminal's descriptor taken now, before pytest starts.
        self._owns_stream = stream is None and self.live
        self.stream = stream or (open(os.dup(sys.stdout.fileno()), "w", encoding="utf-8", errors="replace") if self.live else sys.stdout)
        self.every = every if every is not None else (1.0 if self.live else 30.0)
        self.clock = clock
        self.started = self.last = clock()
        self.total = self.done = self.failed = 0
        self.current = ""
        self.config: pytest.Config | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._ticker: threading.Thread | None = None

    def pytest_configure(self, config: pytest.Config) -> None:
        self.config = config
        if config.get_verbosity() > 0:  # -v prints a line per test: that is its own progress
            self.live = False

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.total = len(session.items)
        self.started = self.last = self.clock()
        if self.live and self.total and self._ticker is None:
            self._ticker = threading.Thread(target=self._tick, name="coupon-contracts-progress", daemon=True)
            self._ticker.start()

    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        self.current = nodeid.rsplit("::", 1)[-1]

    @pytest.hookimpl(wrapper=True)
    def pytest_report_teststatus(self, report: pytest.TestReport, config: pytest.Config) -> Any:
        """On a terminal the live line says what the dots would: pytest counts the outcome, prints no letter."""
        status = yield
        return (status[0], "", "") if self.live and status else status

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if hasattr(report, "context"):  # a Schemathesis case, not a test
            return
        if report.when == "call" or (report.when == "setup" and not report.passed):
            self.done += 1
            self.failed += report.failed
        now = self.clock()
        if not self.live and now - self.last >= self.every and self.done < self.total:
            self.last = now
            self._write_plain(self.line(now))

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Stop redrawing and leave the last state on a line of its own, above pytest's summary."""
        if self._ticker is None:
            return
        self._stop.set()
        self._ticker.join(timeout=2)
        with self._lock:
            self.stream.write(f"{_CLEAR_LINE}{self.line(self.clock())}\n")
            self.stream.flush()
        if self._owns_stream:
            self.stream.close()

    def line(self, now: float) -> str:
        """`coupon-contracts: 30/78 tests, 412 requests (35.1/s), 0 failed, about 25 s left; now test_x`."""
        elapsed = max(now - self.started, 1e-9)
        requests = run_of(self.config).record.traffic.requests if self.config is not None else 0
        sent = f", {requests} requests ({requests / elapsed:.1f}/s)" if requests else ""
        left = f", about {elapsed / self.done * (self.total - self.done):.0f} s left" if self.done and self.done < self.total else ""
        now_running = f"; now {self.current}" if self.done < self.total else ""
        return f"coupon-contracts: {self.done}/{self.total} tests{sent}, {self.failed} failed{left}{now_running}"

    def _tick(self) -> None:
        while not self._stop.wait(self.every):
            self.redraw()

    def redraw(self) -> None:
        """Draw the live line again in place (cut to the terminal's width, so it never wraps)."""
        width = _width(self.stream)
        with self._lock:
            self.stream.write(_CLEAR_LINE + self.line(self.clock())[: width - 1])
            self.stream.flush()

    def _write_plain(self, text: str) -> None:
        reporter = self.config.pluginmanager.get_plugin("terminalreporter") if self.config is not None else None
        if reporter is not None:
            reporter.write_line(text)  # on a line of its own: pytest's dots go on below it
        else:
            print(text, file=self.stream, flush=True)


def _width(stream: TextIO) -> int:
    import shutil

    return shutil.get_terminal_size((100, 20)).columns if stream.isatty() else 200
