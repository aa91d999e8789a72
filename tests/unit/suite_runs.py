"""`coupon-contracts ...` run inside this test process, as a user's shell would run it, without a new interpreter.

A new interpreter per run cost about a second (imports, pytest's start) of runs that take one to four:
the tool's own tests make some hundred runs. In process, a run gets the environment a shell would give
it (none of the developer's COUPON_* settings, plus the run's own), the checkout as its folder, and its
own stdout and stderr; all three are put back afterwards. The conformance modules it imports are dropped
again, so the next run collects a fresh copy, as a new process would. The few tests that are about the
process itself (the console script, the installed wheel, peak memory) still start one.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .conftest import ROOT

# The environment and the working folder belong to the process: one in-process run at a time.
_ONE_AT_A_TIME = threading.Lock()
_SETTINGS_PREFIXES = ("COUPON_", "HYPOTHESIS_STORAGE_DIRECTORY")


@dataclass(frozen=True)
class SuiteRun:
    """A finished `coupon-contracts` command: its exit code, what it printed, and its reports folder."""

    code: int
    output: str
    reports: Path

    def report(self, name: str) -> dict[str, Any]:
        """A JSON report of the run (`signoff.json`, `drift.json`, ...), or {} when it wrote none."""
        path = self.reports / name
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def run_cli(*args: str, reports: Path | None = None, env: dict[str, str] | None = None, cwd: Path = ROOT) -> SuiteRun:
    """Run `coupon-contracts ARGS [--reports REPORTS]` in this process with `env` as its only settings."""
    from coupon_contracts.cli import main

    argv = [args[0], "--reports", str(reports), *args[1:]] if reports is not None else list(args)
    out = io.StringIO()
    with _ONE_AT_A_TIME, _environment(env or {}), _folder(cwd), _fresh_conformance_modules():
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse's --help and usage errors
                code = exc.code if isinstance(exc.code, int) else 2
    return SuiteRun(int(code), out.getvalue(), reports or cwd)


@contextlib.contextmanager
def _environment(settings: dict[str, str]):
    saved = dict(os.environ)
    for name in [n for n in os.environ if n.startswith(_SETTINGS_PREFIXES)]:
        del os.environ[name]
    os.environ.update(settings)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextlib.contextmanager
def _folder(path: Path):
    saved = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(saved)


@contextlib.contextmanager
def _fresh_conformance_modules():
    suite = str(ROOT / "tests" / "conformance")
    try:
        yield
    finally:
        for name, module in list(sys.modules.items()):
            if name.startswith("tests.conformance") or str(getattr(module, "__file__", "") or "").startswith(suite):
                del sys.modules[name]


class RunsOnDemand:
    """Runs made the first time a test asks for one, then kept: under xdist each worker makes only the
    runs its own tests read, instead of every worker making them all in a session fixture."""

    def __init__(self, make: Any) -> None:
        self._make = make
        self._made: dict[Any, Any] = {}

    def __getitem__(self, key: Any) -> Any:
        """The run for `key`, made now if no test asked for it before."""
        if key not in self._made:
            self._made[key] = self._make(key)
        return self._made[key]
