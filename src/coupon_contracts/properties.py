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

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from .lanes import Lanes, first_error
from .pacing import BudgetSpent
from .settings import Profile
from .target import Exchange, TargetUnavailable

__all__ = ["CheckFailed", "check_examples", "examples_of", "settle"]


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


def check_examples(check: Callable[..., None], examples: Sequence[tuple[Any, ...]], lanes: Lanes) -> None:
    """Run `check(*example)` for every example side by side; raise what the worst one raised."""
    settle(lanes.map(lambda example: check(*example), examples), what="examples")


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
