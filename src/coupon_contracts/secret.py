"""A credential that never shows: `Secret` prints as asterisks everywhere and compares in constant time."""

from __future__ import annotations

import hmac

__all__ = ["Secret"]


class Secret:
    """A password or token that shows as '**********' in every repr, str and message."""

    __slots__ = ("_value",)
    _MASK = "**********"

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"Secret holds a str, not {type(value).__name__}")
        self._value = value

    def reveal(self) -> str:
        """The secret itself; call it only where the value goes on the wire."""
        return self._value

    def __repr__(self) -> str:
        return self._MASK

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        # Constant-time, so a comparison against a live credential leaks nothing through timing.
        return hmac.compare_digest(self._value.encode("utf-8"), other._value.encode("utf-8"))

    def __hash__(self) -> int:
        return hash(self._value)
