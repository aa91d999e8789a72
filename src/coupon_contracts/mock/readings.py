"""The reading catalog: named ways the mock can take a reading the docs leave open, one at a time or several.

Where the discrepancy register records that the doc pages are silent or contradict themselves, a
reading is one plausible answer a real server could give. Unlike a fault, a reading stays within
what the docs state, so the suite must pass on every one of them; running it once per reading
proves it raises no false alarm. The handlers and the wire functions ask `readings.has(name)` where
the behaviour is decided; with no reading on, the mock is exactly the faithful one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Iterable

__all__ = ["RANDOM", "READINGS", "Reading", "ReadingSet", "known_readings"]

RANDOM = "random"  # the special name: a seeded random subset of the catalog


@dataclass(frozen=True)
class Reading:
    """One plausible answer to a question the docs leave open (register entry `register_entry`)."""

    name: str
    register_entry: str  # "D-NN" in contracts/discrepancies.md
    summary: str
    docs: tuple[str, ...]  # "page.txt:LINE": the silent or contradictory doc lines
    group: str | None = None  # readings of one group answer the same question differently: one at a time


READINGS: dict[str, Reading] = {}

V11 = "v1.1-customer-coupons.txt"
RED = "v1.1-coupon-isredeemable.txt"
V2C = "v2-coupon.txt"
V2L = "v2-customers-coupons.txt"
V2ID = "v2-customers-customerId-coupons.txt"


def reading(name: str, entry: str, summary: str, docs: Iterable[str], *, group: str | None = None) -> None:
    """Add a reading to the catalog."""
    READINGS[name] = Reading(name, entry, summary, tuple(docs), group)


# -- authentication (D-27) -------------------------------------------------------------------------
reading("auth-plain-password-accepted", "D-27", "Basic also accepts the plain password beside its MD5: no page says the password is hashed",
        [f"{V11}:17", f"{RED}:6", f"{V2C}:6", f"{V2L}:15", f"{V2ID}:11"])

# -- item errors and error bodies (D-25, D-24, D-53) ------------------------------------------------
reading("v11-item-error-customer-null", "D-25", "v1.1 item-error entries (701, 707) carry every customer field as null",
        [f"{V11}:121", f"{V11}:151", f"{V11}:158"])
reading("v11-item-error-http-400", "D-25", "v1.1 item errors and isredeemable's unknown customer answer HTTP 400 (status.code 400)",
        [f"{V11}:117", f"{V11}:158", f"{RED}:42"])
reading("isredeemable-unknown-customer-as-item", "D-25", "isredeemable answers an unknown customer with one not-redeemable item per code (item code 701)",
        [f"{RED}:2", f"{RED}:40", f"{RED}:42"])
reading("isredeemable-error-item-nulls", "D-25", "isredeemable items for a code that is not the customer's carry null counts and value",
        [f"{RED}:34", f"{RED}:35", f"{RED}:36", f"{RED}:56"])
reading("v2-error-body-flat", "D-24", "v2 error bodies are flat: {status, code, message}, no envelope",
        [f"{V2ID}:746", f"{V2ID}:748", f"{V2ID}:752"])
reading("v2-list-unknown-customer-empty", "D-53", "v2 list answers an unknown customer 200 with no customers and total 0",
        [f"{V2L}:81", f"{V2L}:139"])

# -- identifiers (D-02, D-03, D-04, D-56) -----------------------------------------------------------
reading("v11-id-alone-not-enough", "D-02", "v1.1 list: id is Optional, not an identifier; id alone gets item code 701",
        [f"{V11}:10", f"{V11}:28", f"{V11}:158"])
reading("isredeemable-mobile-required", "D-03", "isredeemable: mobile* is required; a call without mobile gets 400",
        [f"{RED}:19", f"{RED}:20"])
reading("v2-coupon-issued-to-ids-required", "D-04", "v2/coupon: issuedToIds* is required; couponIds or couponCodes alone get 400",
        [f"{V2C}:2", f"{V2C}:19"])

# -- order (D-33) -----------------------------------------------------------------------------------
reading("order-ties-id-asc", "D-33", "coupons with equal sort keys come in ascending id order, whatever the sort order",
        [f"{V11}:34", f"{V11}:35", f"{V2L}:63"], group="ties")
reading("order-ties-id-desc", "D-33", "coupons with equal sort keys come in descending id order, whatever the sort order",
        [f"{V11}:34", f"{V11}:35", f"{V2L}:63"], group="ties")
reading("v2-list-sort-by-id", "D-33", "v2 list sort_order sorts by coupon id, not by creation date",
        [f"{V2L}:63", f"{V2L}:65"], group="v2-sort-key")
reading("v2-list-sort-by-valid-till", "D-33", "v2 list sort_order sorts by validTill, not by creation date",
        [f"{V2L}:63", f"{V2L}:65"], group="v2-sort-key")

# -- undocumented parameters (D-15, D-59, D-06) -----------------------------------------------------
reading("v11-offset-applied", "D-15", "v1.1 list honours an undocumented offset parameter and echoes it",
        [f"{V11}:20", f"{V11}:36", f"{V11}:113"])
reading("v2-unpaged-limit-offset-applied", "D-59", "v2/coupon and by-id (\"Pagination: No\") honour undocumented limit/offset",
        [f"{V2C}:11", f"{V2ID}:18", f"{V2ID}:39"])
reading("v11-code-case-param-ignored", "D-06", "v1.1 list ignores coupon_code_case (not on its page): codes always upper case",
        [f"{V11}:22", f"{V11}:36", f"{V11}:135"])

# -- absent, null and renamed fields (D-10, D-20, D-47, D-62) ---------------------------------------
reading("v2-list-contact-null", "D-20", "v2 list customers without e-mail or external id send them as null (not absent)",
        [f"{V2L}:89", f"{V2L}:95", f"{V2L}:159"])
reading("v2-list-custom-property-empty", "D-20", "v2 list coupons without custom properties send customProperty: [] (not absent)",
        [f"{V2L}:127", f"{V2L}:541"])
reading("v2-list-transaction-number-null", "D-47", "v2 list coupons without an issue transaction send transactionNumber null (not \"0\")",
        [f"{V2L}:121", f"{V2L}:416"])
reading("v11-empty-wrappers-without-array", "D-62", "v1.1 coupons without custom properties or redemptions send the container empty ({})",
        [f"{V11}:141", f"{V11}:142", f"{V11}:143", f"{V11}:144"])
reading("v2-list-coupon-id-as-couponId", "D-10", "v2 list coupons name their id couponId, as the table does",
        [f"{V2L}:117", f"{V2L}:174"])

# -- time and dates (D-07, D-32, D-38) --------------------------------------------------------------
reading("v11-valid-till-local-zone", "D-07", "v1.1 valid_till is written in the org's zone (+05:30), not UTC",
        [f"{V11}:67", f"{V11}:134"])
reading("v11-end-date-inclusive", "D-32", "v1.1 end_date includes the end day",
        [f"{V11}:30"])
reading("v2-coupon-valid-till-day-start", "D-38", "v2/coupon validTill shows the expiry day at 00:00:00Z, as all its examples do",
        [f"{V2C}:30", f"{V2C}:43", f"{V2ID}:267"])

# -- filters and stores (D-30, D-34, D-46, D-58) ----------------------------------------------------
reading("v2-redeemable-means-active", "D-34", "v2 status REDEEMABLE selects every unexpired coupon, redemptions left or not",
        [f"{V2L}:59"])
reading("v2-list-status-repeated-not-comma", "D-34", "v2 list takes several statuses as repeated status= only; a comma is not a separator (400)",
        [f"{V2L}:59"])
reading("v2-coupon-lists-repeated-not-comma", "D-58", "v2/coupon takes several ids/codes as repeated parameters only; a comma is not a separator",
        [f"{V2C}:19", f"{V2C}:20", f"{V2C}:21"])
reading("v11-store-id-is-code", "D-30", "v1.1 store_id matches the store code only, not the numeric store id",
        [f"{V11}:33", f"{V11}:71"])
reading("v2-series-stores-listed", "D-46", "series open to every store list every store id instead of the [-1] sentinel",
        [f"{V2ID}:106", f"{V2ID}:120", f"{V2ID}:213", f"{V2ID}:227"])


class ReadingSet:
    """The readings switched on in one mock instance; `random` adds a subset drawn from `seed` (None: 0)."""

    def __init__(self, names: Iterable[str] = (), *, seed: int | None = None) -> None:
        asked = list(names)
        unknown = [n for n in asked if n not in READINGS and n != RANDOM]
        if unknown:
            raise ValueError(f"unknown reading(s) {', '.join(unknown)}; see `coupon-contracts mock --list-readings`")
        chosen = [n for n in dict.fromkeys(asked) if n != RANDOM]
        taken: dict[str, str] = {}
        for name in chosen:
            group = READINGS[name].group
            if group and group in taken:
                raise ValueError(f"readings {taken[group]} and {name} answer the same question; switch on one of them")
            if group:
                taken[group] = name
        if RANDOM in asked:
            chosen += _random_pick(random.Random(seed if seed is not None else 0), set(taken))
        self.names = frozenset(chosen)
        self.seed = seed

    def has(self, name: str) -> bool:
        """Whether the reading `name` is on."""
        return name in self.names

    def __bool__(self) -> bool:
        return bool(self.names)


def _random_pick(rng: random.Random, taken_groups: set[str]) -> list[str]:
    """Each reading with even odds, then one per group (drawn by the same generator), skipping groups already taken."""
    drawn = [name for name in sorted(READINGS) if rng.random() < 0.5]
    picked: list[str] = []
    groups: dict[str, list[str]] = {}
    for name in drawn:
        group = READINGS[name].group
        if group is None:
            picked.append(name)
        elif group not in taken_groups:
            groups.setdefault(group, []).append(name)
    picked += [rng.choice(members) for _, members in sorted(groups.items())]
    return sorted(picked)


def known_readings() -> list[str]:
    """Names a setting or flag may give: the catalog and `random`."""
    return sorted(READINGS) + [RANDOM]
