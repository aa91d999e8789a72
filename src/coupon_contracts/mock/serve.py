"""`coupon-contracts mock`: serve the embedded mock on a port, list its faults and readings, or describe it."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..usage import EXIT_OK, UsageError

__all__ = ["describe", "serve"]


def serve(args: argparse.Namespace) -> int:
    """Serve the mock, list its faults or readings, or describe it."""
    from . import FAULTS, HOSTILE_FAULTS, READINGS, ReadingSet, create_app

    if args.list_faults:
        for fault in sorted(FAULTS.values(), key=lambda f: (f.family, f.name)):
            print(f"{fault.name:44} {fault.family:10} {fault.summary}")
        for hostile in HOSTILE_FAULTS.values():
            print(f"{hostile.name:44} {'hostile':10} {hostile.summary} (expected: {hostile.outcome})")
        return EXIT_OK
    if args.list_readings:
        for reading in sorted(READINGS.values(), key=lambda r: r.name):
            print(f"{reading.name:44} {reading.register_entry:10} {reading.summary}")
        return EXIT_OK
    if args.latency_ms < 0:
        raise UsageError(f"--latency-ms must be 0 or more (got {args.latency_ms})")
    if args.customers < 3:
        raise UsageError(f"--customers must be at least 3 (got {args.customers}): the dataset's corners need three customers")
    if args.last_customer_coupons is not None and args.last_customer_coupons < 1:
        raise UsageError(f"--last-customer-coupons must be 1 or more (got {args.last_customer_coupons})")
    sizes = _hostile_sizes(args)
    try:
        readings = ReadingSet(args.reading, seed=args.seed)
    except ValueError as exc:
        raise UsageError(f"--reading: {exc}") from None
    try:
        app = create_app(
            seed=args.seed, customers=args.customers, faults=args.fault, latency_ms=args.latency_ms, readings=readings, last_customer_coupons=args.last_customer_coupons,
            hostile_sizes=sizes,
        )
    except ValueError as exc:
        raise UsageError(f"--fault: {exc}") from None
    state = app.state.mock
    if args.describe:
        print(json.dumps(describe(state), indent=2))
        return EXIT_OK
    import uvicorn

    base_url = f"http://{args.host}:{args.port}"
    taken = ", ".join(sorted(readings.names)) or "none"
    print(f"coupon-contracts mock on {base_url}  (seed {args.seed}, {args.customers} customers, faults: {', '.join(args.fault) or 'none'}, readings: {taken})")
    print(f"  Basic user {state.credentials.username!r}, password {state.credentials.password!r} (sent MD5-hashed)")
    print(f"  OAuth token {state.credentials.oauth_token!r} in X-CAP-API-OAUTH-TOKEN")
    for customer in state.dataset.customers[:3]:
        print(f"  customer id {customer.id}  mobile {customer.mobile}")
    print(f"  suite: COUPON_API_BASE_URL={base_url} COUPON_API_USERNAME={state.credentials.username} ... coupon-contracts run")
    sys.stdout.flush()
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    except OSError as exc:
        raise UsageError(f"--port {args.port}: cannot serve on {args.host}: {exc.strerror or exc}") from None
    return EXIT_OK


def _hostile_sizes(args: argparse.Namespace) -> Any:
    """The over-limit answers' sizes from `--huge-mib` and the rest; each must be above zero."""
    from . import HostileSizes

    given = {name: getattr(args, name) for name in ("huge_mib", "bomb_mib", "trickle_seconds", "deep_levels") if getattr(args, name) is not None}
    for name, value in given.items():
        if value <= 0:
            raise UsageError(f"--{name.replace('_', '-')} must be above 0 (got {value})")
    return HostileSizes(**given)


def describe(state: Any) -> dict[str, Any]:
    """What `mock --describe` prints: credentials and every customer's identifiers."""
    creds = state.credentials
    return {
        "username": creds.username,
        "password": creds.password,
        "oauth_token": creds.oauth_token,
        "customers": [
            {"id": c.id, "mobile": c.mobile, "email": c.email, "external_id": c.external_id} for c in state.dataset.customers
        ],
    }


