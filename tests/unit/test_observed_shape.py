"""The one-pass shape walk agrees with the node-by-node walk it replaced, on any JSON, at any depth."""

from __future__ import annotations

import json
import sys
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from coupon_contracts.observed_shape import BodyShape, observed_shape, parse_body

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from node_by_node import shape_of  # noqa: E402  (the reference lives beside the benchmark that measures against it)

# Few keys and few scalars, so lists of objects share keys the way coupons do, and value fields
# (`status`, `code`, `success`) are present to be collected.
_KEYS = st.sampled_from(["id", "code", "status", "success", "validTill", "series", "item_status", "coupons", "x"])
_SCALARS = st.none() | st.booleans() | st.integers(-3, 1000) | st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from(
    ["", "ACTIVE", "true", "2026-12-01", "2026-12-01T10:00:00Z", "2026-12-01 10:00:00", "-12.5", "a@b.co", "text"]
)
_JSON = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=6) | st.dictionaries(_KEYS, inner, max_size=5), max_leaves=60)


def _as_data(shape: BodyShape) -> dict[str, Any]:
    return {"fields": {p: f.as_dict(1) | {"many": f.has_many_values} for p, f in shape.fields.items()}, "objects": shape.objects}


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_one_pass_walk_agrees_with_the_node_by_node_walk(document: Any) -> None:
    assert _as_data(observed_shape(document)) == _as_data(shape_of(document))


def test_it_agrees_on_every_doc_example() -> None:
    for example in sorted((ROOT / "contracts" / "examples").glob("*.json")):
        document = json.loads(example.read_text(encoding="utf-8"))
        assert _as_data(observed_shape(document)) == _as_data(shape_of(document)), example.name


def test_lists_of_objects_with_other_keys_are_columns_of_their_own() -> None:
    shape = observed_shape({"items": [{"a": 1, "b": "x"}, {"b": "2026-12-01", "a": None}, {"c": [1, 2]}, {}]})
    assert shape.objects == {"": 1, "items[]": 4}
    assert shape.fields["items[].a"].types == {"integer", "null"} and shape.fields["items[].a"].present == 2
    assert shape.fields["items[].b"].formats == {"text", "date"}
    assert shape.fields["items[].c[]"].present == 2


def test_a_document_as_deep_as_the_parser_takes_is_walked_without_recursion() -> None:
    depth = sys.getrecursionlimit() - 100  # json.loads itself refuses much deeper
    parsed = parse_body(("[" * depth + "]" * depth).encode())
    assert parsed.shape is not None and max(map(len, parsed.shape.fields)) == 2 * (depth - 1)


def test_a_body_too_deep_for_the_parser_is_named_so() -> None:
    assert parse_body(b"[" * 200_000 + b"]" * 200_000).problem == "too deep"
    assert parse_body(b'{"truncated": ').problem == "not JSON"

