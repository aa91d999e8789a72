"""Every example response printed in the docs is a file in contracts/examples/ and validates."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from coupon_contracts.contract import Contract
from coupon_contracts.fields import documented_fields
from coupon_contracts.observed_shape import observed_shape

from .conftest import ROOT

EXAMPLE_FILES = sorted((ROOT / "contracts" / "examples").glob("*.json"))


def _attached(contract: Contract):
    return {path.name: (op, response) for op, response, _name, path in contract.examples()}


def test_every_example_file_is_attached_to_an_operation(contract: Contract) -> None:
    assert {p.name for p in EXAMPLE_FILES} == set(_attached(contract))
    assert len(EXAMPLE_FILES) == 8  # 1 + 2 + 2 + 2 (each printed twice) + 1 distinct doc examples


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.name)
def test_example_validates_against_its_operation(contract: Contract, example: Path) -> None:
    op, response = _attached(contract)[example.name]
    errors = contract.body_errors(op.operation_id, response.status, json.loads(example.read_text()))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.name)
def test_every_example_field_is_declared(contract: Contract, example: Path) -> None:
    """Open objects would let an undeclared field pass validation; this proves none exists."""
    op, response = _attached(contract)[example.name]
    declared = documented_fields(contract, response.schema_uri)
    present = set(observed_shape(json.loads(example.read_text())).fields)
    assert present <= set(declared), sorted(present - set(declared))


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.name)
def test_example_carries_no_unmasked_mobile_and_no_credential(example: Path) -> None:
    text = example.read_text()
    assert not re.search(r"[0-9]{8,}", "".join(json_paths_values(json.loads(text), "mobile")))
    assert "Authorization" not in text and "_cfuvid" not in text


def json_paths_values(document, key: str):
    """Values of every property called `key`, at any depth."""
    if isinstance(document, dict):
        for k, v in document.items():
            if k == key and isinstance(v, str):
                yield v
            yield from json_paths_values(v, key)
    elif isinstance(document, list):
        for v in document:
            yield from json_paths_values(v, key)
