"""A long run says how it is going: tests done of all, failures so far, time left, the test running now,
as a line every so often, and nothing more often than that."""

from __future__ import annotations

from types import SimpleNamespace

from coupon_contracts.progress import ProgressLines


def _report(when: str = "call", outcome: str = "passed") -> SimpleNamespace:
    return SimpleNamespace(when=when, passed=outcome == "passed", failed=outcome == "failed")


def test_a_line_every_period_with_what_is_done_and_left(capsys) -> None:
    now = [100.0]
    progress = ProgressLines(every=10, clock=lambda: now[0])
    progress.pytest_collection_finish(SimpleNamespace(items=[object()] * 4))
    for second, outcome in ((3, "passed"), (6, "failed"), (12, "passed")):
        now[0] = 100.0 + second
        progress.pytest_runtest_logstart(f"tests/conformance/test_filters.py::test_{second}", None)
        progress.pytest_runtest_logreport(_report(outcome=outcome))
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["coupon-contracts: 3/4 tests, 1 failed, about 4 s left; now test_12"]  # only once 10 s had passed


def test_setup_failures_count_and_schemathesis_cases_do_not(capsys) -> None:
    progress = ProgressLines(every=0, clock=lambda: 1.0)
    progress.pytest_collection_finish(SimpleNamespace(items=[object()] * 3))
    progress.pytest_runtest_logreport(SimpleNamespace(when="call", passed=True, failed=False, context="case 1"))
    progress.pytest_runtest_logreport(_report(when="setup", outcome="failed"))
    assert (progress.done, progress.failed) == (1, 1)


def test_on_a_terminal_one_line_is_redrawn_in_place_and_left_at_the_end() -> None:
    import io

    stream, now = io.StringIO(), [0.0]
    progress = ProgressLines(live=True, stream=stream, clock=lambda: now[0], every=3600)
    progress.pytest_collection_finish(SimpleNamespace(items=[object()] * 2))
    progress.pytest_runtest_logstart("t.py::test_a", None)
    now[0] = 4.0
    progress.pytest_runtest_logreport(_report())
    progress.redraw()
    progress.pytest_sessionfinish(SimpleNamespace())
    drawn = stream.getvalue().split("\r\x1b[K")[1:]
    line = "coupon-contracts: 1/2 tests, 0 failed, about 4 s left; now test_a"
    assert drawn == [line, line + "\n"]  # redrawn in place; at the end, left on a line of its own


def test_the_live_line_takes_the_place_of_pytests_dots(pytester) -> None:
    """In process, on a real pytest session: no letter per test, the live line, the summary below it."""
    import io

    pytester.makepyfile("def test_one(): pass\ndef test_two(): assert 0\n")
    stream = io.StringIO()
    result = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider", plugins=[ProgressLines(live=True, stream=stream, every=0.01)])
    assert result.ret == 1
    assert ".F" not in result.stdout.str() and "1 failed, 1 passed" in result.stdout.str()
    assert stream.getvalue().endswith("\r\x1b[Kcoupon-contracts: 2/2 tests, 1 failed\n")
