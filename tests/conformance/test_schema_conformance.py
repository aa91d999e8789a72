"""Schemathesis over the whole contract: every operation, positive and negative generation, the
examples, coverage and fuzzing phases, with discovered customers and coupons mixed into requests.

Checks that fit read-only GETs and that the docs support: no server error, a documented status,
a documented content type, a body matching the schema, documented headers. Rejection of invalid
input is held only where the docs state it (tests/conformance/test_errors_and_security.py).
One test per operation and generation mode, so parallel workers can take them side by side; within
a test, each case is sent and checked on a request lane while Hypothesis generates the next.
"""

from __future__ import annotations

import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from coupon_contracts.drift import findings_for
from coupon_contracts.drift.lowered import lowered_below_error
from coupon_contracts.listing import explain
from coupon_contracts.properties import CheckFailed
from coupon_contracts.settings import OPERATION_IDS
from coupon_contracts.severity import SeverityPolicy
from coupon_contracts.strategies import with_real_values

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance, response_headers_conformance]

SCHEMAS = {mode: schemathesis.pytest.from_fixture(f"{mode}_schema") for mode in ("positive", "negative")}


def check_case(case, target, discovery, suite_settings, redactor, lanes, contract, defer) -> None:
    """Send one generated case on a request lane; the plugin settles its check before the test ends."""
    case = with_real_values(case, discovery, seed=suite_settings.seed, table=target.operations)
    request = case.as_transport_kwargs(base_url=target.base_url)
    policy = SeverityPolicy(dict(suite_settings.severity))
    defer(lanes.submit(_send_and_check, case, request, target, redactor, contract, policy))


def _send_and_check(case, request, target, redactor, contract, policy) -> None:
    """Hold the answer to one case against the contract; a failure is re-told without secrets or PII,
    with the doc line of every field that drifted."""
    operation_id = case.operation.definition.raw["operationId"]
    exchange = target.send(operation_id, request)
    if exchange.refused:
        raise CheckFailed(explain(f"[schema] {operation_id}: {exchange.refused}", redactor, exchange), [exchange])
    try:
        case.validate_response(_with_our_parse(exchange), checks=CHECKS)
    except RecursionError:
        raise CheckFailed(explain(f"[schema] {operation_id}: JSON nested deeper than the parser's limit", redactor, exchange), [exchange]) from None
    except FailureGroup as failure:
        response = exchange.response
        findings = findings_for(contract, operation_id, response.status_code, response.headers.get("content-type", ""), response.content, parsed=exchange.parsed)
        if lowered_below_error(failure.exceptions, findings, policy):
            return  # the team lowered these kinds: the findings stay in the reports, as warnings or info
        fields = list(dict.fromkeys(f"  {f.kind.value} at {f.path or '(body)'}: docs: {', '.join(f.docs)}" for f in findings if f.docs))[:5]
        message = "\n".join([f"[schema] {operation_id}: {failure}", *fields])
        raise CheckFailed(explain(message, redactor, exchange), [exchange]) from None


def _with_our_parse(exchange):
    """The answer as Schemathesis holds it, with the document the run parsed already: its checks would
    parse the body again (`Response.json()` caches in `_deserialized`), which for a 16 MiB answer costs
    more than all the rest of the exchange."""
    response = Response.from_httpx(exchange.response, verify=True)
    if exchange.parsed.shape is not None:
        response._deserialized = exchange.parsed.document
    return response


def _test_for(operation_id: str, mode: str):
    @pytest.mark.check(f"schema.{operation_id}")
    @SCHEMAS[mode].include(operation_id=operation_id).parametrize()
    def test(case, target, discovery, suite_settings, redactor, lanes, contract, defer) -> None:
        check_case(case, target, discovery, suite_settings, redactor, lanes, contract, defer)

    test.__name__ = test.__qualname__ = f"test_{operation_id}_honours_the_contract_{mode}"
    return test


for _operation_id in OPERATION_IDS:
    for _mode in SCHEMAS:
        globals()[f"test_{_operation_id}_honours_the_contract_{_mode}"] = _test_for(_operation_id, _mode)
