"""Where the shipped contract, schemas, examples and conformance suite are.

In a checkout (and its editable install) they are the repository's own `contracts/`, `schemas/` and
`tests/conformance/`; in an installed wheel they travel inside the package, under `shipped/`, laid
out the same way (the contract's `../schemas/` references resolve in both).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["conformance_suite", "contract_path", "home", "is_checkout", "tool_schema"]

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parents[1]  # src/coupon_contracts -> the repository


def is_checkout() -> bool:
    """True when the package runs from a source checkout (an editable install or `src` on the path)."""
    return (_CHECKOUT / "contracts" / "openapi.yaml").is_file() and (_CHECKOUT / "tests" / "conformance").is_dir()


def home() -> Path:
    """The folder holding `contracts/` and `schemas/`: the checkout, or the installed package's copy."""
    return _CHECKOUT if is_checkout() else _PACKAGE / "shipped"


def contract_path() -> Path:
    """The shipped `contracts/openapi.yaml`."""
    return home() / "contracts" / "openapi.yaml"


def conformance_suite() -> Path:
    """The folder of the conformance tests `coupon-contracts run` hands to pytest."""
    return _CHECKOUT / "tests" / "conformance" if is_checkout() else _PACKAGE / "shipped" / "conformance"


def tool_schema(name: str) -> Any:
    """A JSON Schema of one of the tool's own files (`known-deviations.json`, `observed-shapes.json`), shipped in schemas/."""
    return json.loads((home() / "schemas" / name).read_text(encoding="utf-8"))
