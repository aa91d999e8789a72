"""The rule table: every documented filter, order, page, limit and letter-case rule, with its doc lines.

Each row is one check of the catalog (coupon_contracts.checks): what the pages say, the operation, the
lines that say it, the examples it is held on, and the property that holds a target to it. The
conformance suite has one generic test over the table (tests/conformance/test_filters.py); the
properties are metamorphic, so the expected answer always comes from another request, never from the
answer under test. A property returns whether its example decided anything; one that decided nothing
on every example is "not checked", never passed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..discovery import Discovery
from ..listing import Listing
from ..redaction import Redactor

__all__ = ["RULES", "FilterRule", "RuleContext"]


@dataclass(frozen=True)
class RuleContext:
    """What a property reads: the run's listing (answers asked once), its discovery and its redactor."""

    listing: Listing
    discovery: Discovery
    redactor: Redactor


@dataclass(frozen=True)
class FilterRule:
    """One documented rule and the property that holds a target to it."""

    check_id: str
    operation_id: str
    docs: tuple[str, ...]
    says: str
    holds: Callable[..., bool]  # (context, *example) -> decided; raises CheckFailed or AssertionError when broken
    examples: Callable[[RuleContext], Sequence[Any]]  # the strategies of an example; NotChecked when the data is missing
    unchecked: str  # why nothing was decided, when no example decided
    every_customer: bool = False  # held on every test customer with coupons, not on a draw of them


def _table() -> tuple[FilterRule, ...]:
    from . import cases, ordering, selection

    return (*selection.RULES, *ordering.RULES, *cases.RULES)


RULES: tuple[FilterRule, ...] = _table()
