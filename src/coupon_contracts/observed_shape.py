"""The observed shape of one JSON body: every field path in it and how it looked, in one pass.

Drift detection (which paths the contract does not document) and the run's observed shapes (types,
formats, presence, values per path) both read this, so a body is walked once. The walk goes path by
path, not node by node: the items of a list are taken as columns, so 5,000 coupons of the same
shape cost one visit of each field path plus C-level work on its column (`itemgetter`, `zip`,
`set(map(type, ...))`), not 750,000 Python-level visits. It keeps its own stack, so a document as
deep as the parser accepts cannot overflow the interpreter's.
"""

from __future__ import annotations

import gc
import hashlib
import json
import re
import threading
import weakref
from collections import OrderedDict
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter
from typing import Any, Iterable, Iterator, Sequence

__all__ = ["BodyMemo", "BodyShape", "FieldShape", "ParsedBody", "observed_shape", "parse_body", "string_format"]

FORMATS = (
    ("date-time", re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")),
    ("date-time-no-zone", re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")),
    ("date", re.compile(r"^\d{4}-\d{2}-\d{2}$")),
    ("numeric", re.compile(r"^-?\d+(\.\d+)?$")),
    ("boolean-string", re.compile(r"^(true|false)$")),
    ("email", re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")),
)
_FORMAT_STARTS = frozenset("0123456789-tf")  # the first characters every format but email can start with
QUIET_ABOVE = 2**20  # bodies larger than this are parsed with the cycle collector held (see _no_cycle_collection)
MAX_VALUES = 20  # a field with more distinct values than this is not treated as a set of values
# Fields whose values form a set worth comparing between runs (flags, kinds, status codes), never ids,
# codes of coupons or personal data.
VALUE_FIELDS = re.compile(r"(^|\.)(success|status|is_redeemable|discountType|couponDiscountType|discountOn|discountCode|seriesType|"
                          r"clientHandlingType|expiryStrategyType|redeemStoreType|issuedAt\.type|adminType)$"
                          r"|(item_status|status|statusCode|couponStatus)\.code$")  # fmt: skip
_JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object", type(None): "null"}
_VALUE_TYPES = (str, bool, int)


def string_format(value: str) -> str:
    """The first known format a string matches, or `text`."""
    if not value or (value[0] not in _FORMAT_STARTS and "@" not in value):
        return "text"  # most strings, decided without a regex
    for name, pattern in FORMATS:
        if pattern.match(value):
            return name
    return "text"


@dataclass
class FieldShape:
    """How one field path looked across the responses of one operation and status."""

    types: set[str] = field(default_factory=set)
    formats: set[str] = field(default_factory=set)
    present: int = 0
    values: set[Any] = field(default_factory=set)
    has_many_values: bool = False

    def add_values(self, values: Iterable[Any]) -> None:
        """Remember the values seen here, until there are too many to be a set."""
        if not self.has_many_values:
            self.values.update(values)
            self.has_many_values = len(self.values) > MAX_VALUES

    def merge(self, other: FieldShape) -> None:
        """Add what another observation saw at the same path."""
        self.types |= other.types
        self.formats |= other.formats
        self.present += other.present
        self.has_many_values = self.has_many_values or other.has_many_values
        self.add_values(other.values)

    def as_dict(self, parents: int) -> dict[str, Any]:
        """The JSON form; presence is the share of the enclosing objects that carried the field."""
        data: dict[str, Any] = {
            "types": sorted(self.types),
            "nullable": "null" in self.types,
            "present": self.present,
            "objects": parents,  # the enclosing objects seen: presence says something only of enough of them
            "presence": round(self.present / parents, 4) if parents else 0,
        }
        if self.formats:
            data["formats"] = sorted(self.formats)
        if self.values and not self.has_many_values:
            data["values"] = sorted(self.values, key=lambda v: (isinstance(v, str), v))
        return data


@dataclass
class BodyShape:
    """Every field path of one body (`entity[].series.discountType`) and the objects seen at each path."""

    fields: dict[str, FieldShape] = field(default_factory=dict)
    objects: dict[str, int] = field(default_factory=dict)  # path -> objects there ('' is the document)

    def type_at(self, path: str) -> str:
        """The JSON types seen at `path`, `/`-joined (`string`, `null/string`)."""
        shape = self.fields.get(path)
        return "/".join(sorted(shape.types)) if shape else "?"


@dataclass(frozen=True)
class ParsedBody:
    """A response body parsed once: the document and its shape, or why it is not JSON."""

    document: Any = None
    shape: BodyShape | None = None  # None: not JSON (see `problem`)
    problem: str = ""  # "not JSON" or "too deep"
    digest: bytes = b""  # of the body: answers with the same digest are the same answer


class BodyMemo:
    """A run's recent bodies, by digest: the same answer sent again (one customer asked about in several
    ways, a case Schemathesis draws twice) is parsed and walked once, and its exchanges share one
    read-only document.

    The last bodies up to `keep_bytes` (on the wire) are kept; older ones only while an exchange still
    holds them (weakly), so the memo's memory is bounded by its budget, never by the run.
    """

    def __init__(self, keep_bytes: int = 64 * 2**20) -> None:
        self.keep_bytes = keep_bytes
        self._recent: OrderedDict[bytes, tuple[int, ParsedBody]] = OrderedDict()
        self._kept = 0
        self._live: weakref.WeakValueDictionary[bytes, ParsedBody] = weakref.WeakValueDictionary()
        self._lock = threading.Lock()

    def parse(self, body: bytes) -> ParsedBody:
        """`parse_body(body)`, or the same answer's parse from before."""
        digest = hashlib.blake2b(body, digest_size=16).digest()
        with self._lock:
            known = self._recent.get(digest, (0, None))[1] or self._live.get(digest)
            if known is not None:
                self._keep(digest, len(body), known)
                return known
        parsed = parse_body(body, digest=digest)
        with self._lock:
            self._live[digest] = parsed
            self._keep(digest, len(body), parsed)
        return parsed

    def _keep(self, digest: bytes, size: int, parsed: ParsedBody) -> None:
        if digest in self._recent:
            self._recent.move_to_end(digest)
            return
        self._recent[digest] = (size, parsed)
        self._kept += size
        while self._kept > self.keep_bytes and len(self._recent) > 1:
            _, (dropped, _) = self._recent.popitem(last=False)
            self._kept -= dropped


def parse_body(body: bytes, *, digest: bytes = b"") -> ParsedBody:
    """Parse `body` and walk its shape, each once, for every consumer of one response."""
    with _no_cycle_collection() if len(body) > QUIET_ABOVE else nullcontext():
        try:
            document = json.loads(body)
        except ValueError:
            return ParsedBody(problem="not JSON", digest=digest)
        except RecursionError:
            return ParsedBody(problem="too deep", digest=digest)
        return ParsedBody(document, observed_shape(document), digest=digest)


_quiet = {"depth": 0, "was_enabled": False}
_quiet_lock = threading.Lock()


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Hold the cycle collector while a body is parsed and walked.

    Neither makes reference cycles, so the collector frees nothing there; yet the hundreds of
    thousands of objects a large body allocates trigger it again and again, each time traversing
    every object alive: half the time of a 16 MiB answer, and more than linear as answers grow.
    Request lanes parse side by side, so the last one out turns it back on.
    """
    with _quiet_lock:
        if _quiet["depth"] == 0:
            _quiet["was_enabled"] = gc.isenabled()
            gc.disable()
        _quiet["depth"] += 1
    try:
        yield
    finally:
        with _quiet_lock:
            _quiet["depth"] -= 1
            if _quiet["depth"] == 0 and _quiet["was_enabled"]:
                gc.enable()


def observed_shape(document: Any) -> BodyShape:
    """The shape of one parsed JSON document, each path visited once."""
    shape = BodyShape()
    pending: list[tuple[str, Sequence[Any]]] = [("", (document,))]
    while pending:
        path, nodes = pending.pop()
        kinds = set(map(type, nodes))
        if path:
            _describe(shape.fields.setdefault(path, FieldShape()), path, nodes, kinds)
        if dict in kinds:
            dicts = nodes if len(kinds) == 1 else [n for n in nodes if type(n) is dict]
            shape.objects[path] = shape.objects.get(path, 0) + len(dicts)
            for key, column in _columns(dicts).items():
                pending.append((f"{path}.{key}" if path else key, column))
        if list in kinds:
            lists = nodes if len(kinds) == 1 else [n for n in nodes if type(n) is list]
            items = list(chain.from_iterable(lists))
            if items:
                pending.append((f"{path}[]", items))
    return shape


def _describe(shape: FieldShape, path: str, nodes: Sequence[Any], kinds: set[type]) -> None:
    shape.present += len(nodes)
    shape.types.update(_JSON_TYPES.get(kind, "?") for kind in kinds)
    if str in kinds:
        strings = set(nodes) if len(kinds) == 1 else {n for n in nodes if type(n) is str}
        shape.formats.update(map(string_format, strings))
    if VALUE_FIELDS.search(path) and not shape.has_many_values and kinds.intersection(_VALUE_TYPES):
        shape.add_values(str(n).lower() if type(n) is bool else n for n in nodes if type(n) in _VALUE_TYPES)


def _columns(dicts: Sequence[dict[str, Any]]) -> dict[str, Sequence[Any]]:
    """The values under each key across `dicts`; objects with the same keys are transposed in C."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for node in dicts:
        groups.setdefault(tuple(node), []).append(node)
    pieces: dict[str, list[Sequence[Any]]] = {}
    for keys, members in groups.items():
        if not keys:
            continue
        if len(keys) == 1:
            transposed: Iterable[Sequence[Any]] = ([m[keys[0]] for m in members],)
        else:
            transposed = zip(*map(itemgetter(*keys), members), strict=True)
        for key, column in zip(keys, transposed, strict=True):
            pieces.setdefault(key, []).append(column)
    return {key: parts[0] if len(parts) == 1 else list(chain.from_iterable(parts)) for key, parts in pieces.items()}
