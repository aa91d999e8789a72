"""The catalog of checks: what each conformance check holds, over which operations, and the doc lines that state it.

A check asserts only what a vendor doc page states, so every entry cites `page.txt:LINE` (or a
range `page.txt:FIRST-LAST`), with the page files named as in contracts/discrepancies.md. Tests
name their check with `@pytest.mark.check(id)`; the plugin takes family, operations and citations
from here, prints the citations with every failure, and `coupon-contracts checks --json` lists them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Any

from .operations import RED, V2C, V2ID, V2L, V11, OperationId

__all__ = ["CHECKS", "PAGES", "Check", "CheckFamily", "check_of", "citation_problem", "family_of"]

OPERATIONS = tuple(OperationId)

# Each operation's doc page and its length in lines, so a citation can be checked without the page.
PAGES = {
    "v1.1-customer-coupons.txt": 161,
    "v1.1-coupon-isredeemable.txt": 103,
    "v2-coupon.txt": 179,
    "v2-customers-coupons.txt": 774,
    "v2-customers-customerId-coupons.txt": 761,
}
PAGE_OF = {
    V11: "v1.1-customer-coupons.txt",
    RED: "v1.1-coupon-isredeemable.txt",
    V2C: "v2-coupon.txt",
    V2L: "v2-customers-coupons.txt",
    V2ID: "v2-customers-customerId-coupons.txt",
}
_CITATION = re.compile(r"^(?P<page>[a-zA-Z0-9.-]+\.txt):(?P<first>[1-9][0-9]*)(?:-(?P<last>[1-9][0-9]*))?$")


class CheckFamily(str, Enum):
    """The families a sign-off counts checks in."""

    SCHEMA = "schema"
    FILTERS = "filters"
    CONSISTENCY = "consistency"
    ERRORS = "errors"
    SECURITY = "security"


@dataclass(frozen=True)
class Check:
    """One documented behaviour the suite holds a target to."""

    id: str
    family: CheckFamily
    operations: tuple[str, ...]
    docs: tuple[str, ...]
    summary: str

    def as_dict(self) -> dict[str, object]:
        """The public form: id, family, operations, docs (and a summary)."""
        return {"id": self.id, "family": self.family.value, "operations": list(self.operations), "docs": list(self.docs), "summary": self.summary}

    @property
    def citation(self) -> str:
        """`docs: page.txt:12, page.txt:30-31`, as failures print it."""
        return "docs: " + ", ".join(self.docs)


def citation_problem(citation: str) -> str | None:
    """Why a citation is malformed or points past its page; None when it is well-formed."""
    match = _CITATION.match(citation)
    if match is None:
        return f"{citation!r} is not page.txt:LINE or page.txt:FIRST-LAST"
    page, first = match["page"], int(match["first"])
    last = int(match["last"] or first)
    if page not in PAGES:
        return f"{citation!r}: unknown page (known: {', '.join(PAGES)})"
    if last < first or last > PAGES[page]:
        return f"{citation!r}: lines outside 1-{PAGES[page]}"
    return None


SCHEMA_DOCS: dict[str, tuple[str, ...]] = {
    V11: ("v1.1-customer-coupons.txt:37-108", "v1.1-customer-coupons.txt:109-154"),
    RED: ("v1.1-coupon-isredeemable.txt:28-43", "v1.1-coupon-isredeemable.txt:44-103"),
    V2C: ("v2-coupon.txt:23-35", "v2-coupon.txt:36-179"),
    V2L: ("v2-customers-coupons.txt:71-141", "v2-customers-coupons.txt:149-771"),
    V2ID: ("v2-customers-customerId-coupons.txt:41-174", "v2-customers-customerId-coupons.txt:176-744"),
}
# The pages' "Authentication: Basic or OAuth authentication" prerequisite; by-id alone lists 401.
AUTH_DOCS = {
    V11: ("v1.1-customer-coupons.txt:17",),
    RED: ("v1.1-coupon-isredeemable.txt:6",),
    V2C: ("v2-coupon.txt:6",),
    V2L: ("v2-customers-coupons.txt:15",),
    V2ID: ("v2-customers-customerId-coupons.txt:11", "v2-customers-customerId-coupons.txt:750"),
}
BAD_CREDENTIALS = ("none", "wrong-password", "wrong-token")
BY_ID_ERRORS = {
    "non-numeric": ("v2-customers-customerId-coupons.txt:749",),
    "negative": ("v2-customers-customerId-coupons.txt:749",),
    "unknown": ("v2-customers-customerId-coupons.txt:752",),
}


def _rules() -> tuple[Any, ...]:
    from .rules import RULES  # the rules read the listing and the target: imported once the catalog is built

    return RULES


def _catalog() -> dict[str, Check]:
    F, C, E, S = CheckFamily.FILTERS, CheckFamily.CONSISTENCY, CheckFamily.ERRORS, CheckFamily.SECURITY
    checks = [Check(f"schema.{op}", CheckFamily.SCHEMA, (op,), SCHEMA_DOCS[op], "every answer matches the documented status, content type and body") for op in OPERATIONS]
    checks += [Check(rule.check_id, F, (rule.operation_id,), rule.docs, rule.says) for rule in _rules()]
    checks += [
        Check("consistency.same-coupons", C, (V11, V2L, V2ID), ("v1.1-customer-coupons.txt:9", "v2-customers-coupons.txt:3", "v2-customers-customerId-coupons.txt:3"), "the three list operations hold the same coupons"),
        Check("consistency.same-facts", C, (V11, V2C, V2L, V2ID), ("v1.1-customer-coupons.txt:129-135", "v2-customers-coupons.txt:99-117", "v2-customers-customerId-coupons.txt:46-72", "v2-coupon.txt:26-33"), "a coupon has the same id, series, validity, discount and counts everywhere"),
        Check("consistency.isredeemable-agrees", C, (RED, V2ID), ("v1.1-coupon-isredeemable.txt:34", "v2-customers-customerId-coupons.txt:62"), "isredeemable's redemptions left agree with by-id"),
        *(Check(f"security.refused.{op}.{cred}", S, (op,), AUTH_DOCS[op], f"a request with {cred} credentials is refused") for op in OPERATIONS for cred in BAD_CREDENTIALS),
        Check("security.oauth-accepted", S, (V2C,), AUTH_DOCS[V2C], "the configured OAuth token is accepted"),
        Check("errors.v11-unknown-customer-701", E, (V11,), ("v1.1-customer-coupons.txt:158",), "an unknown customer is item code 701"),
        Check("errors.v11-unknown-series-707", E, (V11,), ("v1.1-customer-coupons.txt:160",), "an unknown series is item code 707"),
        *(Check(f"errors.by-id.{case}", E, (V2ID,), docs, f"a {case} customerId gets its documented error") for case, docs in BY_ID_ERRORS.items()),
        Check("errors.by-id-no-coupons", E, (V2ID,), ("v2-customers-customerId-coupons.txt:753",), "a customer without coupons is 404 NO_COUPONS_FOUND"),
    ]
    return {c.id: c for c in checks}


CHECKS: dict[str, Check] = _catalog()


def check_of(item: Any) -> Check | None:
    """The catalog entry a collected test names with `@pytest.mark.check(id)`, if any."""
    marker = item.get_closest_marker("check")
    return CHECKS.get(marker.args[0]) if marker is not None else None


def family_of(item: Any) -> str | None:
    """The check family of a collected test (`schema`, `filters`, ...), None for a test outside the catalog."""
    check = check_of(item)
    return check.family.value if check else None
