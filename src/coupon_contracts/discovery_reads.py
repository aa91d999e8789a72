"""The lists discovery reads, and what a broken one means: a body that is not JSON, cut short, empty
or of another shape is the target's fault (asked again as a glitch may pass, then an unusable target),
never a wrong `COUPON_API_CUSTOMERS`."""

from __future__ import annotations

from typing import Any

from .target import Exchange, Target, TargetUnavailable

__all__ = ["json_of", "read_a_list", "require_a_list", "require_usable"]


def read_a_list(target: Target, operation_id: str, params: dict[str, Any], envelope: str) -> tuple[Exchange, Any]:
    """GET a list discovery needs; a broken 200 (not JSON, cut short, empty, another shape) is asked
    again, as the transport's own retries would (it may be a glitch), and then reported as broken."""
    what = target.operations[operation_id].label
    for attempt in range(1, target.retry.attempts + 1):
        exchange = target.get(operation_id, params)
        require_usable(target, exchange.response, what)
        body = json_of(exchange)
        try:
            require_a_list(target, exchange.response, body, what, envelope, exchange.refused)
            return exchange, body
        except TargetUnavailable as broken:
            if exchange.refused or attempt == target.retry.attempts:  # a limit is no glitch: asking again gets the same
                target.outage = broken if exchange.refused else TargetUnavailable(f"{broken} (the same on {attempt} tries)")
                raise target.outage from None  # and the other customers are not asked: one broken answer decides
            target.sleep(target.retry.delay(attempt, target.rng))
    raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover


def require_a_list(target: Target, response: Any, body: Any, what: str, envelope: str, refused: str = "") -> None:
    """A 200 whose body is not the documented JSON is the target's fault, never a wrong customer setting."""
    if refused:
        raise TargetUnavailable(f"{target.label}: {what} during discovery: {refused}: the target's answer is broken, not COUPON_API_CUSTOMERS")
    if response.status_code != 200 or (isinstance(body, dict) and envelope in body):
        return
    size = len(response.content)
    shape = "an empty body" if not size else f"a body that is not JSON ({size} bytes)" if body is None else f"JSON without `{envelope}`"
    raise TargetUnavailable(
        f"{target.label}: {what} answered 200 with {shape} during discovery: the target's answer is broken "
        "(reported in drift.json as a contract violation), not COUPON_API_CUSTOMERS"
    )


def require_usable(target: Target, response: Any, what: str) -> None:
    """Credentials rejected or a server error during discovery: the target cannot be used (exit 3)."""
    if response.status_code == 401:
        raise TargetUnavailable(f"{target.label}: credentials rejected (401 on {what}); check COUPON_API_USERNAME/PASSWORD or COUPON_API_OAUTH_TOKEN")
    if response.status_code >= 500:
        raise TargetUnavailable(f"{target.label}: {what} answered {response.status_code} during discovery")


def json_of(exchange: Exchange) -> Any:
    """The body as JSON (the exchange's one parse), None when it is not JSON or was read no further."""
    parsed = exchange.parsed
    return parsed.document if parsed.shape is not None else None
