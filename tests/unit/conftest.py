"""Fixtures shared by the tool's own tests: the contract, loaded once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from coupon_contracts.contract import Contract

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def contract() -> Contract:
    """The project's contract (contracts/openapi.yaml + schemas/)."""
    return Contract.load(ROOT / "contracts" / "openapi.yaml")


def documented_surface() -> dict:
    """The doc pages' parameters, fields and error codes, transcribed in tests/unit/data."""
    return yaml.safe_load((DATA / "documented-surface.yaml").read_text(encoding="utf-8"))
