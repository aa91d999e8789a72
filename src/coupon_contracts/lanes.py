"""Request lanes: the independent requests of one test in flight side by side, on threads.

A latency-bound run waits, it does not compute; so a test's independent requests (the cases
Schemathesis generates, the examples of a property) are sent on up to `width` threads at once and
their outcomes gathered in submission order, which keeps reports and verdicts the same at any width.
Width 1 sends inline, on the test's own thread, exactly as a plain loop would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any, TypeVar

__all__ = ["Lanes"]

T = TypeVar("T")
R = TypeVar("R")


class Lanes:
    """Up to `width` calls running at once; results and errors come back in submission order."""

    def __init__(self, width: int = 1) -> None:
        if width < 1:
            raise ValueError(f"lanes need a width of 1 or more (got {width})")
        self.width = width
        self._pool = ThreadPoolExecutor(max_workers=width, thread_name_prefix="coupon-lane") if width > 1 else None

    def submit(self, call: Callable[..., R], *args: Any) -> Future[R]:
        """Start `call(*args)` on a free lane (width 1: run it now) and return its future."""
        if self._pool is not None:
            return self._pool.submit(call, *args)
        future: Future[R] = Future()
        try:
            future.set_result(call(*args))
        except Exception as exc:  # noqa: BLE001 - handed to whoever reads the future, as a pool would
            future.set_exception(exc)
        return future

    def map(self, call: Callable[[T], R], items: Iterable[T]) -> list[Future[R]]:
        """`call(item)` for every item, side by side; the futures in the items' order, all done."""
        futures = [self.submit(call, item) for item in items]
        wait(futures)
        return futures

    def close(self) -> None:
        """Finish what is running and stop the threads."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


def first_error(futures: Sequence[Future[Any]], kinds: tuple[type[BaseException], ...]) -> BaseException | None:
    """The first (in submission order) of the futures' exceptions that is one of `kinds`, if any."""
    for future in futures:
        error = future.exception()
        if isinstance(error, kinds):
            return error
    return None
