"""One discovery for every process of a parallel run, made by the controller while the workers start.

With `--workers N` pytest-xdist starts worker processes, and each used to discover the test customers
itself: the same 20-odd requests to staging once per process, each after that process had imported
and collected everything. The controller runs no test, so it discovers instead, on a thread, as soon
as the run is configured; the workers boot meanwhile and read the result from the run's shared folder.
Its requests keep the run's shared pace (rate limit, request budget, requests in flight).

Not for the embedded mock: each process then has its own mock, whose dates are drawn at its start.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any

from .contract import Contract
from .discovery import CustomerNotFound, Discovery, discover
from .lanes import Lanes
from .pacing import BudgetSpent, SharedPace
from .redaction import Redactor
from .settings import Settings
from .target import Target, TargetUnavailable, open_target

__all__ = ["FILE", "SharedDiscovery", "read_shared"]

FILE, STARTED = "discovery.json", "discovery-started"
# What went wrong travels as its kind, so a worker raises what discovery itself would have raised.
_ERRORS: dict[str, type[Exception]] = {"customer": CustomerNotFound, "budget": BudgetSpent, "target": TargetUnavailable}


class SharedDiscovery:
    """The controller's discovery, running on a thread into `shared.folder / FILE`."""

    def __init__(self, settings: Settings, contract: Contract, redactor: Redactor, shared: SharedPace, observe: Any) -> None:
        self.settings, self.contract, self.redactor, self.shared, self.observe = settings, contract, redactor, shared, observe
        self.target: Target | None = None
        self.found: Discovery | None = None
        self._thread = threading.Thread(target=self._run, name="coupon-discovery", daemon=True)

    def start(self) -> SharedDiscovery:
        """Begin discovering; returns at once. Workers started after this wait for its answer."""
        (self.shared.folder / STARTED).touch()
        self._thread.start()
        return self

    def _run(self) -> None:
        outcome: dict[str, Any]
        lanes = Lanes(self.settings.workers)
        try:
            self.target = open_target(self.settings, shared_pace=self.shared)
            self.redactor.add_credentials(**{k: self.target.credentials.get(k) for k in ("username", "password", "oauth_token")})
            self.target.observers.append(self.observe)
            self.found = discover(self.target, lanes=lanes)
            self.redactor.add_pii("mobile", [c.mobile for c in self.found.customers])
            self.redactor.add_pii("email", [c.email for c in self.found.customers])
            outcome = {"discovery": self.found.export()}
        except tuple(_ERRORS.values()) as exc:
            kind = next(k for k, cls in _ERRORS.items() if isinstance(exc, cls))
            outcome = {"error": kind, "message": str(exc)}
        except Exception as exc:  # noqa: BLE001 - told to every worker, which fails the way discovery would have
            outcome = {"error": "target", "message": f"discovery failed in the controller: {type(exc).__name__}: {exc}"}
        finally:
            lanes.close()
        written = self.shared.folder / f".{FILE}.{os.getpid()}"
        written.write_text(json.dumps(outcome), encoding="utf-8")
        written.replace(self.shared.folder / FILE)  # whole or not at all: a worker never reads half of it

    def close(self) -> None:
        """Wait for the thread (bounded by the target's own timeouts) and close the target."""
        self._thread.join(timeout=self.settings.deadline * 2)
        if self.target is not None:
            self.target.close()


def read_shared(folder: Path, *, timeout: float) -> Discovery | None:
    """The controller's discovery, once written (None when this run shares none: its file never comes
    and the controller did not start one); raises what discovery raised there."""
    path, marker = folder / FILE, folder / STARTED
    if not marker.exists():
        return None
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise TargetUnavailable(f"the controller's discovery gave no answer within {timeout:g} s")
        time.sleep(0.02)
    outcome = json.loads(path.read_text(encoding="utf-8"))
    if "error" in outcome:
        raise _ERRORS[outcome["error"]](outcome["message"])
    return Discovery.from_export(outcome["discovery"])
