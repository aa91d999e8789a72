"""The `coupon-contracts known` command: record a known vendor deviation from the last run."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .usage import EXIT_OK, UsageError

__all__ = ["register"]


def register(commands: Any) -> None:
    """Add `known add` to the CLI's commands."""
    known = commands.add_parser("known", help="known vendor deviations: record one from the last run")
    actions = known.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="write an entry for a failed check or a drift finding of the last run")
    what = add.add_mutually_exclusive_group(required=True)
    what.add_argument("--check", help="a check that failed in the run (as signoff.json names it)")
    what.add_argument("--finding", metavar="PATH", help="the JSON path of a drift finding of the run (as drift.json names it)")
    add.add_argument("--kind", help="the finding's kind, when several findings share the path")
    add.add_argument("--ticket", required=True, help="the vendor's ticket")
    add.add_argument("--expires", required=True, type=_day, help="YYYY-MM-DD: the day it must be fixed by")
    add.add_argument("--reason", required=True, help="why it is known, in a line")
    add.add_argument("--id", dest="entry_id", help="the entry's id (default: the next free KD-N)")
    add.add_argument("--reports", type=Path, default=Path("reports"), help="the run's reports folder (default: reports/)")
    add.add_argument("--file", type=Path, help="the file to add to (default: COUPON_CONTRACTS_KNOWN_DEVIATIONS, or the checkout's contracts/known-deviations.yaml)")
    add.set_defaults(command=_add)


def _day(text: str) -> str:
    from datetime import date

    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day: write YYYY-MM-DD, e.g. 2027-01-31") from None


def _add(args: argparse.Namespace) -> int:
    from .contract import Contract, ContractError
    from .known import KnownDeviationsError
    from .known_add import add_known_deviation, error_paths_behind
    from .settings import Settings, SettingsError
    from .shipped_files import is_checkout

    try:
        settings = Settings.load()
        contract = Contract.load(settings.contract)
    except (SettingsError, ContractError) as exc:
        raise UsageError(str(exc)) from None
    file = args.file or settings.known_deviations or (contract.openapi_path.parent / "known-deviations.yaml" if is_checkout() or settings.contract else None)
    if file is None:
        raise UsageError("no file to add to: give --file (or COUPON_CONTRACTS_KNOWN_DEVIATIONS), e.g. --file known-deviations.yaml")
    try:
        entry = add_known_deviation(file, args.reports, contract, check=args.check, finding=args.finding, kind=args.kind,
                                    ticket=args.ticket, expires=args.expires, reason=args.reason, entry_id=args.entry_id)  # fmt: skip
    except KnownDeviationsError as exc:
        raise UsageError(str(exc)) from None
    print(f"coupon-contracts: {file}: added {entry['id']} ({entry['ticket']}, until {entry['expires']}); runs from now on report it as known")
    paths = error_paths_behind(args.reports, contract, entry.get("check", ""))
    if paths:  # the schema check is excused, the findings behind it are not: the run would stay NO-GO
        print(f"coupon-contracts: note: the run's error findings behind it stay errors until each is known too: known add --finding {paths[0]!r}"
              + (f" (and {len(paths) - 1} more path(s), see drift.json)" if len(paths) > 1 else ""))  # fmt: skip
    return EXIT_OK

