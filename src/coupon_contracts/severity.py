"""Three severities for every finding and every diff line, from one table a run's settings may adjust.

`error` blocks GO (and makes `diff` exit 1), `warning` is shown wherever findings are and blocks
nothing, `info` is the changelog: listed in the reports and by `diff --changelog`. The defaults follow
oasdiff's levels for the same change to a response where it has one (docs/drift.md holds the table
and the comparison with oasdiff and Specmatic); COUPON_CONTRACTS_SEVERITY raises or lowers a kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Mapping

__all__ = ["DEFAULT_SEVERITY", "ChangeKind", "Severity", "SeverityPolicy", "parse_overrides"]


class Severity(str, Enum):
    """How much a finding matters: an error blocks GO, a warning is shown, info is the changelog."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for an error: sorts the most serious first."""
        return (Severity.ERROR, Severity.WARNING, Severity.INFO).index(self)


class ChangeKind(str, Enum):
    """What `diff` finds between a baseline's observed shapes and a new run's."""

    FIELD_GONE = "field gone"  # present in every baseline object, absent from every new one
    BECAME_OPTIONAL = "became optional"  # present in every baseline object, missing from some new ones
    PRESENCE_DROPPED = "presence dropped"  # an optional field now carried by markedly fewer objects
    OPTIONAL_FIELD_GONE = "optional field gone"
    NEW_FIELD = "new field"
    RETYPED = "retyped"
    BACK_TO_THE_CONTRACT = "back to the contract"  # retyped from a type the contract refuses to one it documents: a vendor fix
    NEWLY_NULLABLE = "newly nullable"
    REFORMATTED = "reformatted"
    CLOSED_VALUE_NEW = "value outside a closed set"  # where the contract closes the values, one it does not allow
    VALUE_NEW = "value new"
    VALUE_GONE = "value gone"
    NEW_SERVER_ERROR = "new 5xx status"
    NEW_UNDOCUMENTED_STATUS = "new undocumented status"  # one the contract does not document: the run calls it an error too
    NEW_STATUS = "new status code"


_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO
# Every kind of finding (drift against the contract, by DriftKind value) and of diff line, and its default.
DEFAULT_SEVERITY: Mapping[str, Severity] = {
    "missing required field": _E,
    "type changed": _E,
    "format changed": _E,
    "nullability changed": _E,
    "new enum value": _E,
    "constraint violated": _E,
    "undocumented field": _I,
    "undocumented status code": _E,
    "content type changed": _E,
    "body not JSON": _E,
    "answer over a limit": _E,
    ChangeKind.FIELD_GONE.value: _E,
    ChangeKind.BECAME_OPTIONAL.value: _E,
    ChangeKind.PRESENCE_DROPPED.value: _W,
    ChangeKind.OPTIONAL_FIELD_GONE.value: _W,
    ChangeKind.NEW_FIELD.value: _I,
    ChangeKind.RETYPED.value: _E,
    ChangeKind.BACK_TO_THE_CONTRACT.value: _I,
    ChangeKind.NEWLY_NULLABLE.value: _E,
    ChangeKind.REFORMATTED.value: _E,
    ChangeKind.CLOSED_VALUE_NEW.value: _E,
    ChangeKind.VALUE_NEW.value: _I,
    ChangeKind.VALUE_GONE.value: _I,
    ChangeKind.NEW_SERVER_ERROR.value: _E,
    ChangeKind.NEW_UNDOCUMENTED_STATUS.value: _E,
    ChangeKind.NEW_STATUS.value: _I,
}


@dataclass(frozen=True)
class SeverityPolicy:
    """The default table with a run's overrides (COUPON_CONTRACTS_SEVERITY)."""

    overrides: Mapping[str, Severity] = field(default_factory=dict)

    def of(self, kind: str) -> Severity:
        """The severity of a kind of finding or diff line."""
        return self.overrides.get(kind) or DEFAULT_SEVERITY[kind]

    def as_dict(self) -> dict[str, str]:
        """Every kind and its severity in this run, for the reports."""
        return {kind: self.of(kind).value for kind in DEFAULT_SEVERITY}


def parse_overrides(text: str) -> dict[str, Severity]:
    """`undocumented field=warning, became optional=warning` -> the overrides; ValueError saying what is wrong."""
    overrides: dict[str, Severity] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        kind, sep, level = (s.strip() for s in item.partition("="))
        if not sep or kind not in DEFAULT_SEVERITY:
            known = "; ".join(DEFAULT_SEVERITY)
            raise ValueError(f"{item!r} is not KIND=LEVEL with a known kind (kinds: {known})")
        if kind in overrides:
            raise ValueError(f"{kind!r} is given twice; keep one level for it")
        try:
            overrides[kind] = Severity(level)
        except ValueError:
            raise ValueError(f"{item!r}: the level must be error, warning or info") from None
    return overrides
