"""Hypothesis strategies and case rewrites built from discovered data, so requests reach real data.

Schemathesis draws values from the contract; left alone it would almost only ask about customers
that do not exist. `with_real_values` rewrites a positive case with a discovered customer's
identifiers, coupon codes, coupon ids, series and stores (four cases in five), and leaves negative
cases alone: their invalid part must stay invalid. It is a function of the case and the run's seed,
not a Hypothesis hook, because Schemathesis' coverage and examples phases bypass case hooks.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from .discovery import Discovery, KnownCoupon, KnownCustomer
from .operations import RED, V2C, V11, OperationRow

__all__ = ["code_cases", "coupon_codes", "coupon_picks", "known_customers", "with_real_values"]



def known_customers(discovery: Discovery, *, with_coupons: bool = False) -> st.SearchStrategy[KnownCustomer]:
    """One of the discovered test customers (only those with coupons, if asked)."""
    pool = discovery.with_listed_coupons if with_coupons else discovery.customers  # by-id or the v1.1 list: either may be the broken one
    return st.sampled_from(pool)


def code_cases(code: str) -> st.SearchStrategy[str]:
    """The same code in upper, lower, as-created or mixed letter case (the lookup ignores case)."""
    return st.sampled_from(_cases(code))


def _cases(code: str) -> list[str]:
    return [code, code.upper(), code.lower(), code.swapcase()]


def _any_case(code: str, rng: random.Random) -> str:
    return rng.choice(_cases(code))


def coupon_picks(coupons: Sequence[KnownCoupon], *, most: int = 3) -> st.SearchStrategy[tuple[list[KnownCoupon], list[str]]]:
    """One to `most` distinct coupons, and each one's code in some letter case."""
    picked = st.lists(st.sampled_from(list(coupons)), min_size=1, max_size=most, unique_by=lambda c: c.id)
    return picked.flatmap(lambda chosen: st.tuples(st.just(chosen), st.tuples(*(code_cases(c.code) for c in chosen)).map(list)))


def coupon_codes(discovery: Discovery) -> st.SearchStrategy[str]:
    """A discovered coupon code, in any letter case."""
    return st.sampled_from([c.code for c in discovery.coupons]).flatmap(code_cases)


def with_real_values(case: Any, discovery: Discovery, *, seed: int, table: dict[str, OperationRow]) -> Any:
    """`case` with discovered values in place of generated ones (positive cases, four in five)."""
    if not discovery.customers or (case.meta is not None and case.meta.generation.mode.is_negative):
        return case
    rng = random.Random(f"{seed}|{case.operation.label}|{sorted((case.query or {}).items(), key=str)}|{case.path_parameters}")
    if rng.random() < 0.2:
        return case
    # Customers with coupons: a case on one without reaches only "not found" (the data-health share says how often).
    return _rewrite(case, discovery, rng.choice(discovery.with_coupons or discovery.customers), rng, table.get(case.operation.definition.raw.get("operationId")))


def _rewrite(case: Any, discovery: Discovery, customer: KnownCustomer, rng: random.Random, row: OperationRow | None) -> Any:
    operation_id = row.operation_id if row is not None else None
    query: dict[str, Any] = dict(case.query or {})
    # The operations that name their customer by one of several identifiers (the contract's exploded
    # `customer`). One the discovery did not find (card_number) is dropped, or the customer it names
    # would not match and the answer would only ever be "not found".
    keys = row.identifier_attributes() if row is not None and len(row.customer_parameters) > 1 else {}
    if keys:
        known = customer.identifiers()
        for wire_name, attr in keys.items():
            if wire_name in query:
                if attr in known:
                    query[wire_name] = known[attr]
                else:
                    query.pop(wire_name)
        if not any(k in query for k in keys):
            query["id"] = str(customer.id)
        if operation_id == RED and "mobile" in known:
            query["mobile"] = known["mobile"]  # the page marks mobile* required (D-03): a case with it reaches data under either reading
    live = [c.code for c in customer.coupons if c.is_expired(discovery.now) is False and c.redemptions_left != 0]
    codes = (live if live and rng.random() < 0.75 else [c.code for c in customer.coupons]) or [c.code for c in discovery.coupons]
    if operation_id == RED and codes:
        picked = rng.sample(codes, k=min(len(codes), rng.randint(1, 3)))
        query["code"] = [_any_case(c, rng) for c in picked]
    if operation_id == V11:
        if "series_id" in query and discovery.series_ids:
            query["series_id"] = rng.choice(discovery.series_ids)
        if "store_id" in query and discovery.store_ids:
            query["store_id"] = str(rng.choice(discovery.store_ids))
    if operation_id == V2C:
        coupons = customer.coupons or discovery.coupons
        if "issuedToIds" in query or not coupons:
            query["issuedToIds"] = str(customer.id)
        if "couponIds" in query and coupons:
            query["couponIds"] = ",".join(str(c.id) for c in coupons[:3])
        if "couponCodes" in query and coupons:
            query["couponCodes"] = ",".join(_any_case(c.code, rng) for c in coupons[:3])
    path_parameters = dict(case.path_parameters or {})
    if "customerId" in path_parameters:
        path_parameters["customerId"] = customer.id
    case.query = query or case.query
    case.path_parameters = path_parameters or case.path_parameters
    return case
