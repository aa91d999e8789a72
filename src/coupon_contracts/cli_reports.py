"""The commands about a finished run's reports: `coupon-contracts diff` and `coupon-contracts report`."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .usage import EXIT_OK, EXIT_VIOLATIONS, UsageError

__all__ = ["register"]


def register(commands: Any) -> None:
    """Add `diff` and `report` to the CLI's commands."""
    diff = commands.add_parser("diff", help="what changed between two runs (a baseline and a new run); exit 1 on an error")
    diff.add_argument("old", type=Path, help="the baseline: a run's reports folder or its observed-shapes.json")
    diff.add_argument("new", type=Path, help="the new run: a reports folder or observed-shapes.json")
    diff.add_argument("--changelog", action="store_true", help="list the info-level changes too (new fields, values seen or no longer seen)")
    diff.add_argument("--known-deviations", type=Path, help="the known deviations that excuse a change (default: as the run: COUPON_CONTRACTS_KNOWN_DEVIATIONS, "
                      "or known-deviations.yaml beside the contract)")  # fmt: skip
    diff.set_defaults(command=_diff)

    report = commands.add_parser("report", help="render the HTML report of a run")
    report.add_argument("--reports", type=Path, default=Path("reports"), help="folder of the run (default: reports/)")
    report.set_defaults(command=_report)


def _diff(args: argparse.Namespace) -> int:
    """Print the shape changes between two runs, errors first; info lines only with --changelog."""
    from datetime import datetime, timezone

    from .contract import Contract, ContractError
    from .drift import ShapesError, closed_value_fields, diff_runs, load_shapes
    from .known import KnownDeviationsError, known_deviations_for
    from .operations import labels_by_id
    from .settings import Settings, SettingsError
    from .severity import SeverityPolicy

    try:
        settings = Settings.load(overrides={"known_deviations": str(args.known_deviations)} if args.known_deviations else None)  # as the run is judged
        old, new = load_shapes(args.old), load_shapes(args.new)
        contract = Contract.load(settings.contract)
        closed, known = closed_value_fields(contract), known_deviations_for(settings.known_deviations, contract)
    except (ShapesError, ContractError, SettingsError, KnownDeviationsError) as exc:
        raise UsageError(str(exc)) from None
    if not new["operations"]:  # "no change" here would pass a run that never reached the target
        raise UsageError(f"{args.new}: the run observed no answer (an outage or an empty selection): nothing to compare; see its signoff.md")
    labels = labels_by_id(contract.table)
    changed = diff_runs(old, new, closed=closed, policy=SeverityPolicy(dict(settings.severity)), known=known, labels=labels, today=datetime.now(timezone.utc).date())
    print("\n".join(changed.lines(changelog=args.changelog)) or ("no change" if not changed.changes else "no error or warning"))
    profiles = old.get("profile"), new.get("profile")
    if all(profiles) and profiles[0] != profiles[1]:  # another mix of requests: shares of presence and values seen differ by design
        print(f"note: the baseline ran profile {profiles[0]}, the new run {profiles[1]}: presence and values seen depend on the profile; compare runs of one profile")
    print(f"coupon-contracts diff: {changed.summary(changelog=args.changelog)} from {args.old} to {args.new}")
    return EXIT_VIOLATIONS if changed.errors else EXIT_OK


def _report(args: argparse.Namespace) -> int:
    """Render the run's Allure results into one offline page, reports/allure-report/index.html.

    The page must make no request to another host when opened: it is scanned after rendering, and
    removed with exit 2 if anything (a renderer upgrade bringing analytics back) would phone out.
    """
    from .history import ALLURE_HISTORY
    from .reporting import trend_history
    from .reporting.allure_report import RendererMissing, RenderFailed, render, write_categories
    from .reporting.offline_page import external_references

    results = args.reports / "allure-results"
    if not results.is_dir():
        raise UsageError(f"{results}: no Allure results to render; run `make run` first")
    write_categories(results)
    signoff = args.reports / "signoff.json"
    releases = (json.loads(signoff.read_text(encoding="utf-8")).get("releases") or {}) if signoff.is_file() else {}
    point = f"release {releases['label']}" if releases.get("label") else f"run of {releases.get('time', '')}"
    history = Path(releases["history"]) if releases else None
    if history is not None and not history.is_dir():  # the reports moved (an artifact downloaded): their run's history is elsewhere
        print(f"coupon-contracts: note: the run's history folder {history} is not here; the report has no trend", file=sys.stderr)
        history = None
    trend = history / ALLURE_HISTORY if history is not None else None
    if trend is not None and (torn := trend_history.unreadable_lines(trend)):
        print(f"coupon-contracts: note: {torn} unreadable line(s) of {trend} (a torn write?) left out of the trend", file=sys.stderr)
    try:  # the trend: one point per release (or unlabelled run) in the renderer's history, in the history folder
        page = render(results, args.reports / "allure-report", history=history, point=point if releases else "", run_ms=_ms(releases.get("time")))
    except (RendererMissing, RenderFailed) as exc:
        raise UsageError(str(exc)) from None
    outside = external_references(page.read_text(encoding="utf-8", errors="replace"))
    if outside:
        page.unlink()
        raise UsageError(
            f"{page}: removed, the rendered page would contact other hosts when opened ({len(outside)} reference(s), first: {outside[0]}); "
            "check the renderer's analytics switch"
        )
    print(f"coupon-contracts: offline report in {page}")
    return EXIT_OK


def _ms(stamp: str | None) -> int | None:
    """`2026-12-02T10:15:27Z` (the sign-off's run time) in ms since the epoch, as the renderer stamps points."""
    try:
        return int(datetime.strptime(stamp or "", "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp() * 1000)
    except ValueError:
        return None
