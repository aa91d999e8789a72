"""Reading a request's query as the pages describe it: numbers, enums, dates, code case, the customer named."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timezone
from typing import Any, Iterable

from starlette.requests import Request

from .dataset import Customer, Dataset
from .faults import FaultSet
from .readings import ReadingSet
from .state import BadRequest

__all__ = ["as_sent", "code_case", "date_param", "enum_param", "find_customer", "int_param", "spoiled", "unpaged", "values"]

# -- query parsing --------------------------------------------------------------------------------


def int_param(request: Request, name: str, *, minimum: int | None = None) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if not re.fullmatch(r"-?[0-9]+", raw):
        raise BadRequest(f"{name} must be a number, got {raw!r}")
    value = int(raw)
    if minimum is not None and value < minimum:
        raise BadRequest(f"{name} must be at least {minimum}")
    return value


def enum_param(request: Request, name: str, allowed: Iterable[str], *, case_sensitive: bool = True) -> str | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    values = {v if case_sensitive else v.upper(): v for v in allowed}
    key = raw if case_sensitive else raw.upper()
    if key not in values:
        raise BadRequest(f"{name} must be one of {', '.join(allowed)}")
    return values[key]


def date_param(request: Request, name: str) -> datetime | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        return datetime.combine(date.fromisoformat(raw), time(), tzinfo=timezone.utc)
    except ValueError:
        raise BadRequest(f"{name} must be a date YYYY-MM-DD, got {raw!r}") from None


def code_case(request: Request) -> str | None:
    return enum_param(request, "coupon_code_case", ("LOWER", "UPPER", "AS_IT_IS"), case_sensitive=False)


def find_customer(request: Request, dataset: Dataset, fields: dict[str, str]) -> Customer | None:
    """The customer matching every identifier given; BadRequest when none is given.

    `fields` maps query names to Customer attributes (external_id vs externalId, card numbers).
    """
    given = {attr: request.query_params[name] for name, attr in fields.items() if request.query_params.get(name)}
    if not given:
        raise BadRequest(f"pass at least one customer identifier: {', '.join(fields)}")
    if "id" in given and not re.fullmatch(r"[0-9]+", given["id"]):
        raise BadRequest(f"id must be a number, got {given['id']!r}")
    for customer in dataset.customers:
        if all(str(getattr(customer, attr)).casefold() == value.casefold() for attr, value in given.items()):
            return customer
    return None


def values(request: Request, name: str, *, comma_separated: bool) -> list[str]:
    """Several values of one parameter: comma-joined (the mock's default reading) or repeated only."""
    if comma_separated:
        return [v for v in request.query_params.get(name, "").split(",") if v]
    return [v for v in request.query_params.getlist(name) if v]


def unpaged(request: Request, items: list[Any], readings: ReadingSet) -> list[Any]:
    """An operation without pagination; as a reading, undocumented limit/offset still cut the list (D-59)."""
    if not readings.has("v2-unpaged-limit-offset-applied"):
        return items
    limit, offset = int_param(request, "limit", minimum=1), int_param(request, "offset", minimum=0) or 0
    return items[offset : offset + limit if limit else None]


def spoiled(coupons: list[Any], faults: FaultSet, filter_name: str) -> list[Any]:
    """A filter's answer as the `<filter>-empty` or `<filter>-partial` fault spoils it (the last match left out)."""
    if faults.has(f"{filter_name}-empty"):
        return []
    if faults.has(f"{filter_name}-partial") and coupons:
        return coupons[:-1]
    return coupons


def as_sent(code: str) -> str:
    """A coupon code compared as sent, letter case and all (the case-sensitive lookup fault)."""
    return code
