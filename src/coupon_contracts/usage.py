"""The exit codes of `coupon-contracts` and the one error a user's own input raises.

0 GO, 1 NO-GO (contract violations), 2 a usage or configuration error (one line on stderr), 3 the
target could not be used, 4 a crash of the tool itself, 5 INCOMPLETE (nothing broke, but documented
behaviour could not be checked).
"""

from __future__ import annotations

__all__ = ["EXIT_INCOMPLETE", "EXIT_INTERNAL_ERROR", "EXIT_OK", "EXIT_TARGET_UNAVAILABLE", "EXIT_USAGE", "EXIT_VIOLATIONS", "UsageError", "stopped_code"]

EXIT_OK, EXIT_VIOLATIONS, EXIT_USAGE, EXIT_TARGET_UNAVAILABLE, EXIT_INTERNAL_ERROR, EXIT_INCOMPLETE = 0, 1, 2, 3, 4, 5


class UsageError(Exception):
    """A wrong flag or setting: printed as one line, exit 2."""


def stopped_code(reason: str) -> int:
    """The exit code of a run stopped early: `usage` (a wrong setting, 2) or `target` (unusable, 3)."""
    return EXIT_USAGE if reason == "usage" else EXIT_TARGET_UNAVAILABLE
