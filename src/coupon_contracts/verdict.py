"""The one place a run's verdict is decided: GO, NO-GO or INCOMPLETE, and why.

NO-GO needs a broken documented behaviour (a failed check or a drift finding of severity error that no
known deviation excuses), a known deviation past its day, a spent budget or an unusable target. INCOMPLETE: nothing broke, but a documented behaviour was not
checked (no data for it), or a check of the catalog did not run at all (left out with
`operations` or -k, or a test file not collected). GO: every check in the catalog ran, decided
something, and held.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from .usage import EXIT_INCOMPLETE, EXIT_OK, EXIT_VIOLATIONS

if TYPE_CHECKING:
    from .run_record import RunRecord

__all__ = ["EXIT_INCOMPLETE", "Verdict"]


class Verdict(str, Enum):
    """What a finished run says about the target."""

    GO = "GO"
    NO_GO = "NO-GO"
    INCOMPLETE = "INCOMPLETE"

    @classmethod
    def of(cls, record: RunRecord, exit_code: int) -> Verdict:
        """The verdict of a finished run whose pytest exit code is `exit_code`."""
        from .checks import CHECKS

        if exit_code != 0 or record.exit_reason or record.drift.breaking or record.skipped_for_budget or record.unexcused_failures or record.known.expired:
            return cls.NO_GO
        if record.unchecked or record.not_run(CHECKS):
            return cls.INCOMPLETE
        return cls.GO

    @property
    def exit_code(self) -> int:
        """The CLI's exit code for this verdict (NO-GO: 1; an outage or a usage error has its own)."""
        return {Verdict.GO: EXIT_OK, Verdict.NO_GO: EXIT_VIOLATIONS, Verdict.INCOMPLETE: EXIT_INCOMPLETE}[self]
