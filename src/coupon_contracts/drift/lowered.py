"""A schema check's failure that the run's severities lower below an error.

Schemathesis fails a schema check on an answer; the same answer's drift findings (`findings_for`, on
the same contract) say what it was. When the team has lowered those kinds (COUPON_CONTRACTS_SEVERITY,
`type changed=warning`), the failure must not make NO-GO while the finding says warning: the check
holds, and the findings stay in every report at their severity. Only failures a finding tells are
lowered; a server error, a missing header or anything else still fails the check.
"""

from __future__ import annotations

from typing import Iterable

from schemathesis.core.failures import MalformedJson
from schemathesis.openapi.checks import JsonSchemaError, MalformedMediaType, MissingContentType, UndefinedContentType, UndefinedStatusCode

from ..severity import Severity, SeverityPolicy
from .finding import DriftFinding, DriftKind

__all__ = ["lowered_below_error"]

_BODY = {DriftKind.MISSING_REQUIRED_FIELD, DriftKind.TYPE_CHANGED, DriftKind.FORMAT_CHANGED, DriftKind.NULLABILITY_CHANGED,
         DriftKind.NEW_ENUM_VALUE, DriftKind.CONSTRAINT_VIOLATED}  # fmt: skip
TOLD_BY = {  # each Schemathesis failure, and the finding kinds of the same answer that tell it
    JsonSchemaError: _BODY,
    UndefinedStatusCode: {DriftKind.UNDOCUMENTED_STATUS},
    UndefinedContentType: {DriftKind.CONTENT_TYPE_CHANGED},
    MissingContentType: {DriftKind.CONTENT_TYPE_CHANGED},
    MalformedMediaType: {DriftKind.CONTENT_TYPE_CHANGED},
    MalformedJson: {DriftKind.BODY_NOT_JSON},
}


def lowered_below_error(failures: Iterable[BaseException], findings: list[DriftFinding], policy: SeverityPolicy) -> bool:
    """Whether every failure is told by a finding of the answer, and none of its findings is an error at `policy`."""
    failures = list(failures)
    if not failures or any(policy.of(f.kind.value) is Severity.ERROR for f in findings):
        return False
    kinds = {f.kind for f in findings}
    return all(any(isinstance(failure, told) and kinds & tellers for told, tellers in TOLD_BY.items()) for failure in failures)
