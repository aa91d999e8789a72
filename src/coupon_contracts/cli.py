"""`coupon-contracts`: the command line face. It parses flags and calls the core; nothing more.

Exit codes: 0 the target honours the contract (GO), 1 contract violations (NO-GO), 2 usage or
configuration error (one line on stderr), 3 the target could not be used; 4 is kept for a crash of
the tool itself; 5 nothing broke but documented behaviour could not be checked (INCOMPLETE).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, Sequence

from . import __version__

__all__ = ["main"]

from .usage import EXIT_OK, EXIT_USAGE, UsageError


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.command(args))
    except UsageError as exc:
        print(f"coupon-contracts: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `... | head`: the reader left; say nothing more (and not on exit either)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="coupon-contracts", description="Contract and conformance tests for the coupon APIs.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="name", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="check a target (the embedded mock by default) against the contract")
    from .settings_table import OPTION_ROWS

    for row in OPTION_ROWS:
        run.add_argument(row.flag, dest=row.name, default=None, help=f"{row.help} ({row.env})")
    run.add_argument("pytest_args", nargs=argparse.REMAINDER, help="extra arguments passed to pytest after --")
    run.set_defaults(command=_run)

    mock = commands.add_parser("mock", help="serve the embedded mock on a port, or describe it")
    mock.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    mock.add_argument("--port", type=int, default=8080, help="port to serve on (default 8080)")
    mock.add_argument("--seed", type=int, default=7, help="dataset seed, also the draw of --reading random (default 7)")
    mock.add_argument("--customers", type=int, default=8, help="number of customers in the dataset (default 8, at least 3)")
    mock.add_argument("--fault", action="append", default=[], metavar="NAME", help="switch a fault on (repeatable); see --list-faults")
    mock.add_argument("--latency-ms", type=int, default=0, help="delay every answer by this many milliseconds")
    mock.add_argument("--reading", action="append", default=[], metavar="NAME",
                      help="take a reading where the docs are silent (repeatable; `random`: a --seed'ed subset); see --list-readings")
    mock.add_argument("--list-faults", action="store_true", help="list the fault catalog and exit")
    mock.add_argument("--list-readings", action="store_true", help="list the reading catalog and exit")
    mock.add_argument("--last-customer-coupons", type=int, default=None, metavar="N", help="give the last customer exactly N coupons (default: over 100, the v1.1 default page)")
    mock.add_argument("--huge-mib", type=int, default=None, metavar="N", help="hostile-huge-body: stream N MiB of JSON (default 48)")
    mock.add_argument("--bomb-mib", type=int, default=None, metavar="N", help="hostile-gzip-bomb: gzip that inflates to N MiB (default 256)")
    mock.add_argument("--trickle-seconds", type=float, default=None, metavar="S", help="hostile-trickle: one byte every S seconds (default 0.5)")
    mock.add_argument("--deep-levels", type=int, default=None, metavar="N", help="hostile-deep-json: JSON nested N levels deep (default 200,000)")
    mock.add_argument("--describe", action="store_true", help="print credentials and customers as JSON and exit")
    mock.set_defaults(command=_mock)

    from .cli_reports import register as register_reports

    register_reports(commands)  # diff, report

    checks = commands.add_parser("checks", help="list every check: its id, family, operations and the doc lines it holds")
    checks.add_argument("--json", action="store_true", help="print JSON: a list of {id, family, operations, docs, summary}")
    checks.set_defaults(command=_checks)

    contract = commands.add_parser("contract", help="the contract as other tools want it")
    forms = contract.add_subparsers(dest="form", required=True, metavar="FORM")
    bundle = forms.add_parser("bundle", help="one OpenAPI file with every schema inlined (for Postman, Prism, Swagger UI)")
    bundle.add_argument("--contract", type=Path, default=None, help="the contract to bundle (default: the shipped one, or COUPON_CONTRACTS_CONTRACT)")
    bundle.add_argument("--output", "-o", type=Path, default=None, help="write here (.json: JSON, else YAML); default: YAML on stdout")
    bundle.set_defaults(command=_bundle)

    merge = commands.add_parser("merge", help="merge the reports of the shards of a run (--shard K/N) into the reports and the verdict of one run")
    merge.add_argument("folders", type=Path, nargs="+", metavar="DIR", help="every shard's reports folder")
    merge.add_argument("--reports", type=Path, default=Path("reports"), help="where the merged reports go (default: reports/)")
    for flag, meaning in (("--history", "the history folder (COUPON_CONTRACTS_HISTORY)"), ("--release", "the vendor release (COUPON_API_RELEASE; default: the shards')"),
                          ("--known-deviations", "the known deviations (COUPON_CONTRACTS_KNOWN_DEVIATIONS)"), ("--severity", "severities changed (COUPON_CONTRACTS_SEVERITY)")):
        merge.add_argument(flag, help=f"{meaning}, as for run")  # fmt: skip
    merge.set_defaults(command=_merge)

    from .cli_known import register as register_known

    register_known(commands)

    return parser


def _run(args: argparse.Namespace) -> int:
    """Run the conformance suite with pytest; the exit code says honoured, violated, misconfigured or down."""
    import pytest

    from .console import print_verdict
    from .contract import Contract, ContractError
    from .finish import exit_code
    from .history import HistoryError, check_history_folder
    from .known import KnownDeviationsError, known_deviations_for
    from .run import RUN
    from .settings import Settings, SettingsError
    from .settings_table import OPTION_ROWS
    from .shipped_files import conformance_suite, home

    overrides = {row.name: getattr(args, row.name) for row in OPTION_ROWS}

    try:
        settings = Settings.load(overrides=overrides)  # fail fast, before pytest starts
        known_deviations_for(settings.known_deviations, Contract.load(settings.contract))
        check_history_folder(settings.history_folder)
    except (SettingsError, ContractError, KnownDeviationsError, HistoryError) as exc:
        raise UsageError(str(exc)) from None
    reports = settings.reports
    reports.mkdir(parents=True, exist_ok=True)
    # Hypothesis keeps its caches (the charmap, the constants it mines) in ./.hypothesis: in the reports folder
    # instead, so a run leaves nothing in the team's workspace but its reports (hidden: no artifact carries it).
    os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str((reports / ".hypothesis").absolute()))
    target = "the embedded mock" + (f" with faults {', '.join(settings.mock_faults)}" if settings.mock_faults else "") if settings.is_mock else settings.base_url
    print(f"coupon-contracts: checking {target}; profile {settings.profile.name}, seed {settings.seed} (COUPON_CONTRACTS_SEED={settings.seed} reproduces)")
    sys.stdout.flush()
    options = [f"--{name.replace('_', '-')}={value}" for name, value in overrides.items() if value is not None]
    processes = settings.processes
    if processes > 1:
        options += ["-n", str(processes), "--dist", "load", "--maxschedchunk", "1", "--max-worker-restart", "0"]  # an exit is not a crash to retry
    extra = [a for a in args.pytest_args if a != "--"]
    face = _Session()
    from .progress import ProgressLines
    code = pytest.main(
        [
            str(conformance_suite()),
            f"--rootdir={home()}",
            "-c",
            str(Path(__file__).with_name("conformance.ini")),  # not the pytest.ini or pyproject.toml of the folder it runs in
            f"--junitxml={reports / 'junit.xml'}",
            f"--alluredir={reports / 'allure-results'}",
            "--clean-alluredir",
            "-p",
            "no:cacheprovider",
            "--assert=plain",  # every check says what it expected and saw; pytest's rewriting would add the repr of whole answers
            "-p",
            "no:unraisableexception",  # at the end it runs full collections over all the run holds: 4% of a ci run's CPU, for a warning no verdict uses
            *PLUGINS,
            "-W",
            "ignore::pytest.PytestAssertRewriteWarning",  # the CLI imported httpx/anyio before pytest started
            "-W",
            "ignore:Generating overly large repr",  # Hypothesis on a Schemathesis case: noise, no finding
            "-q",
            *options,
            *extra,
        ],
        plugins=[face, ProgressLines()],
    )
    run = face.config.stash.get(RUN, None) if face.config is not None else None
    if run is None:
        return exit_code(int(code), None)
    result = run.exit_code if run.exit_code is not None else exit_code(int(code), run.record.exit_reason)
    print_verdict(result, run.record, reports)
    return result


class _Session:
    """A plugin object that keeps the session's config, so the CLI can read its `Run` after pytest returns."""

    config: Any = None

    def pytest_configure(self, config: Any) -> None:
        self.config = config


def _bundle(args: argparse.Namespace) -> int:
    """Write the single-file contract."""
    import yaml

    from .bundle import bundled
    from .contract import Contract, ContractError

    try:
        document = bundled(Contract.load(args.contract or os.environ.get("COUPON_CONTRACTS_CONTRACT") or None))
    except ContractError as exc:
        raise UsageError(str(exc)) from None
    is_json = args.output is not None and args.output.suffix == ".json"
    text = json.dumps(document, indent=2) + "\n" if is_json else yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120)
    if args.output is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        args.output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--output {args.output}: cannot write ({exc.strerror or exc})") from None
    print(f"coupon-contracts: wrote {args.output} ({len(document['components']['schemas'])} schemas inlined)", file=sys.stderr)
    return EXIT_OK


def _checks(args: argparse.Namespace) -> int:
    """Print the check catalog, as a table or as JSON."""
    from .checks import CHECKS

    if args.json:
        print(json.dumps([c.as_dict() for c in CHECKS.values()], indent=2))
        return EXIT_OK
    for c in CHECKS.values():
        print(f"{c.id:55} {c.family.value:12} {', '.join(c.docs)}")
    return EXIT_OK


# Exactly the plugins a run needs, named: with autoload pytest also rewrites the asserts of every module
# of every installed plugin's distribution (377 modules, 3 s of CPU per process when bytecode caching is
# off, as PYTHONDONTWRITEBYTECODE does in many CI images), and a stray plugin cannot change a run.
PLUGINS = [
    "--disable-plugin-autoload",
    *("-p", "_hypothesis_pytestplugin"),
    *("-p", "schemathesis.pytest.plugin"),
    *("-p", "allure_pytest.plugin"),
    *("-p", "xdist.plugin"),
    *("-p", "coupon_contracts.plugin"),
]

def _mock(args: argparse.Namespace) -> int:
    """Serve the mock, list its faults or readings, or describe it (mock/serve.py)."""
    from .mock.serve import serve

    return serve(args)


def _merge(args: argparse.Namespace) -> int:
    """One run's reports and verdict from its shards' (shards.py); the exit code is the run's."""
    from .console import print_verdict
    from .shards import ShareError, merge_run

    try:
        given = {name: getattr(args, name) for name in ("history", "release", "known_deviations", "severity") if getattr(args, name) is not None}
        result, record, shares = merge_run(list(args.folders), args.reports, overrides=given)
    except ShareError as exc:
        raise UsageError(str(exc)) from None
    print(f"coupon-contracts: merged {shares} shards of one run ({', '.join(str(f) for f in args.folders)})")
    print_verdict(result, record, args.reports)
    return result


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
