"""Property checks over examples drawn up front, so their requests can run side by side.

Hypothesis draws the examples (the run's seed and profile decide which, as always); each example is
then checked on a request lane. Drawing first gives up shrinking, which a read-only check against a
live target does not need: an example here is a customer and a filter value, already small, and
every re-run of a shrink would be one more request to somebody else's staging.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from .answer import Undecidable
from .lanes import Lanes, first_error
from .pacing import BudgetSpent
from .settings import Profile
from .target import Exchange, TargetUnavailable

__all__ = ["CheckFailed", "NotChecked", "Undecidable", "check_examples", "examples_of", "settle"]

NOT_CHECKED = "not checked: "


class NotChecked(pytest.skip.Exception):  # type: ignore[misc,name-defined]
    """A check that decided nothing on any example: never a pass, and the reason says what data would let it run."""

    def __init__(self, reason: str) -> None:
        super().__init__(NOT_CHECKED + reason)



class CheckFailed(AssertionError):
    """A check that failed on a request lane, with the exchanges that show it."""

    def __init__(self, message: str, exchanges: Sequence[Exchange]) -> None:
        super().__init__(message)
        self.exchanges = list(exchanges)


def examples_of(strategies: Sequence[st.SearchStrategy[Any]], *, profile: Profile, run_seed: int) -> list[tuple[Any, ...]]:
    """The distinct examples Hypothesis draws from `strategies` for the profile and seed, in order."""
    drawn: dict[str, tuple[Any, ...]] = {}

    @settings(
        max_examples=profile.property_examples,
        derandomize=profile.is_deterministic,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(st.tuples(*strategies))
    def draw(example: tuple[Any, ...]) -> None:
        drawn.setdefault(repr(example), example)

    seed(run_seed)(draw)()
    return list(drawn.values())


def check_examples(check: Callable[..., bool], examples: Sequence[tuple[Any, ...]], lanes: Lanes, *, unchecked: str) -> int:
    """Run `check(*example)` for every example side by side; raise what the worst one raised.

    A check returns whether the example decided anything (an answer that could have been wrong).
    When none did, the check is not checked (`unchecked` says why), never passed. Returns how many decided.
    """
    futures = lanes.map(lambda example: check(*example), examples)
    undecidable = [error for error in (f.exception() for f in futures) if isinstance(error, Undecidable)]
    settle([f for f in futures if not isinstance(f.exception(), Undecidable)], what="examples")
    decided = sum(1 for f in futures if f.exception() is None and f.result())
    if not decided:
        if undecidable:
            more = f" ({len(undecidable)} examples could not decide)" if len(undecidable) > 1 else ""
            raise NotChecked(f"{undecidable[0]}{more}; otherwise: {unchecked}")
        raise NotChecked(unchecked if examples else f"no example to draw: {unchecked}")
    return decided


def settle(futures: Sequence[Future[Any]], *, what: str = "requests") -> None:
    """Raise the most serious problem among finished lane work: an outage, a spent budget, a failure.

    A failed check is the first in submission order, so the report is the same at any width; when
    more than one failed, its message says how many.
    """
    for kinds in ((TargetUnavailable,), (BudgetSpent,), (Exception,)):
        error = first_error(futures, kinds)
        if error is None:
            continue
        failed = sum(isinstance(f.exception(), AssertionError) for f in futures)
        if isinstance(error, AssertionError) and failed > 1:
            more = f"\n  ({failed} of {len(futures)} {what} failed; the first is shown)"
            raise CheckFailed(f"{error}{more}", getattr(error, "exchanges", ())) from None
        raise error
