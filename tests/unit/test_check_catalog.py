"""The check catalog: every check cites the doc lines that state it, and every conformance test names a check."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from coupon_contracts.checks import CHECKS, PAGE_OF, PAGES, citation_problem
from coupon_contracts.filters import FILTERS
from coupon_contracts.operations import V2C, label_of

from .conftest import ROOT, clean_env


@pytest.mark.parametrize("check_id", sorted(CHECKS))
def test_every_check_cites_at_least_one_well_formed_doc_line(check_id: str) -> None:
    check = CHECKS[check_id]
    assert check.docs, f"{check_id} cites no doc line"
    assert [p for p in map(citation_problem, check.docs) if p] == []
    assert check.operations


@pytest.mark.parametrize(("citation", "problem"), [
    ("v2-coupon.txt:22", None),
    ("v2-coupon.txt:20-21", None),
    ("v2-coupon.txt:0", "not page.txt:LINE"),
    ("v2-coupon.txt", "not page.txt:LINE"),
    ("v2-coupon.txt:180", "outside"),
    ("v2-coupon.txt:30-20", "outside"),
    ("nowhere.txt:3", "unknown page"),
])  # fmt: skip
def test_citation_problems_are_named(citation: str, problem: str | None) -> None:
    found = citation_problem(citation)
    assert (found is None) if problem is None else (problem in (found or ""))


def test_the_page_table_names_the_register_pages() -> None:
    register = (ROOT / "contracts" / "discrepancies.md").read_text(encoding="utf-8")
    assert all(f"`{page}`" in register for page in PAGES)


def test_every_filter_rule_is_a_check() -> None:
    assert all(f"filters.status.{r.operation_id}.{r.value}" in CHECKS for r in FILTERS)


def test_checks_json_lists_every_check_with_its_citations() -> None:
    done = subprocess.run([sys.executable, "-m", "coupon_contracts.cli", "checks", "--json"], cwd=ROOT, env=clean_env(), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)
    assert [c["id"] for c in listed] == list(CHECKS)
    assert all(set(c) >= {"id", "family", "operations", "docs"} and c["docs"] for c in listed)


def test_every_conformance_test_names_a_known_check() -> None:
    """Collected as a run collects them: a test without a check would be tallied nowhere."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/conformance", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT, env=clean_env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    source = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests" / "conformance").glob("test_*.py"))
    assert "mark.family" not in source and "mark.operations" not in source
    used = {line.split('"')[1] for line in source.splitlines() if 'mark.check(f"' not in line and 'check("' in line and line.split('"')[1].count(".")}
    assert used <= set(CHECKS)


def test_every_documented_response_field_cites_its_doc_line() -> None:
    """contracts/field-docs.json: each field of every 200 answer, the table row or example line that shows it."""
    from coupon_contracts.contract import Contract
    from coupon_contracts.fields import documented_fields

    contract = Contract.load()
    for operation in contract.operations.values():
        lines = contract.field_docs[operation.operation_id]
        fields = set(documented_fields(contract, operation.responses["200"].schema_uri))
        assert fields <= set(lines), f"{operation.operation_id}: no doc line for {sorted(fields - set(lines))[:5]}"
        assert [c for c in lines.values() if citation_problem(c)] == []
        assert all(c.startswith(PAGE_OF[operation.operation_id] + ":") for c in lines.values())


def test_a_finding_cites_the_line_of_its_field_or_its_parent() -> None:
    from coupon_contracts.contract import Contract

    contract = Contract.load()
    assert contract.citations("getCustomerCouponsV11", "response.customers.customer[].coupons.coupon[].id") == ["v1.1-customer-coupons.txt:129"]
    assert contract.citations("getCustomerCouponsV2", "entity.customers[].coupons[].tier") == contract.citations("getCustomerCouponsV2", "entity.customers[].coupons[]")


def test_junit_lists_one_case_per_test_not_one_more_per_subtest(tmp_path) -> None:
    from coupon_contracts.reporting.junit import drop_subtests

    junit = tmp_path / "junit.xml"
    junit.write_text(
        '<testsuites><testsuite name="pytest" tests="3" skipped="1" failures="0" errors="0">'
        '<testcase classname="t" name="test_a_positive"><skipped message="not checked: no data"/></testcase>'
        f'<testcase classname="t" name="test_a_positive[{label_of(V2C)}]"/>'
        '<testcase classname="t" name="test_b[x-1]"/>'
        "</testsuite></testsuites>",
        encoding="utf-8",
    )
    assert drop_subtests(junit) == 1
    text = junit.read_text(encoding="utf-8")
    assert f"[{label_of(V2C)}]" not in text and 'name="test_b[x-1]"' in text and 'tests="2"' in text and 'skipped="1"' in text
