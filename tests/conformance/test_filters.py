"""Every documented filter, order, page, limit and letter-case rule, held by one generic property test.

The rules are rows of one table, coupon_contracts.rules.RULES: each names its check (and so its doc
lines, in coupon_contracts.checks.CHECKS), the examples it is held on and its property. Each property is
metamorphic (the filtered answer against the unfiltered one, a page against the whole list, one
operation against another) and says whether its example decided anything; a rule that decided nothing
on any example is "not checked", never passed.
"""

from __future__ import annotations

import pytest

from coupon_contracts.listing import Listing
from coupon_contracts.properties import NotChecked, check_examples, examples_of
from coupon_contracts.rules import RULES, FilterRule, RuleContext


@pytest.fixture(scope="module")
def listing(target) -> Listing:
    return Listing(target)


@pytest.mark.parametrize("rule", [pytest.param(rule, marks=pytest.mark.check(rule.check_id), id=rule.check_id.removeprefix("filters.")) for rule in RULES])
def test_documented_rule_holds(rule: FilterRule, listing, discovery, suite_settings, lanes, redactor) -> None:
    """Hold the target to one rule on the examples Hypothesis draws for the profile and seed, side by side."""
    if not discovery.with_listed_coupons:
        raise NotChecked("no test customer has coupons on any list operation: filters cannot be observed (add one to COUPON_API_CUSTOMERS)")
    context = RuleContext(listing, discovery, redactor)
    prop = lambda *example: rule.holds(context, *example)  # noqa: E731
    if rule.every_customer:
        examples = [(customer,) for customer in discovery.with_listed_coupons]
    else:
        examples = examples_of(rule.examples(context), profile=suite_settings.profile, run_seed=suite_settings.seed)
    check_examples(prop, examples, lanes, unchecked=rule.unchecked)
