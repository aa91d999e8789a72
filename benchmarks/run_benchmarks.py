"""Benchmarks of coupon-contracts, measured side by side in one run (not part of `make test`).

1. Requests per second of `coupon-contracts run` vs `schemathesis run` (its CLI) on the same contract
   and the same mock served on a port.
2. Wall time of a run against the mock with 50 ms latency at 1, 4 and 8 workers vs the ideal bound
   requests x latency / workers, and vs the CPU floor of this machine: the CPU seconds the run and
   the mock used, divided by the cores (on 2 cores both share them); with the run's own traffic
   figures (signoff.json): requests in flight on average, and milliseconds per request. Then 8
   workers once more at 200 ms, where the run waits more than it computes.
3. Time and peak memory of validating and drift-checking one answer with 5,000 coupons.

Usage: .venv/bin/python benchmarks/run_benchmarks.py [--profile quick|ci|thorough] [--workers-profiles ci,thorough] > benchmarks/latest.md
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import hashlib
import json
import os
import re
import resource
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CREDENTIALS = {"COUPON_API_USERNAME": "coupon.qa", "COUPON_API_PASSWORD": "mock-secret-1", "COUPON_API_OAUTH_TOKEN": "mock-oauth-token-7f3a"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServedMock:
    """The mock on a loopback port for the duration of a `with` block."""

    def __init__(self, *args: str) -> None:
        self.port = free_port()
        self.args = args

    def __enter__(self) -> str:
        self.process = subprocess.Popen([str(BIN / "coupon-contracts"), "mock", "--port", str(self.port), *self.args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return f"http://127.0.0.1:{self.port}"
            time.sleep(0.1)
        raise RuntimeError("the mock did not start")

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@functools.lru_cache(maxsize=1)
def customers() -> str:
    """The test customers of the mock (asked once, before any measurement, so no CPU column holds it)."""
    described = json.loads(subprocess.run([str(BIN / "coupon-contracts"), "mock", "--describe"], capture_output=True, text=True, check=True).stdout)
    people = described["customers"]
    return ",".join([f"mobile:{people[0]['mobile']}"] + [f"id:{p['id']}" for p in people[1:6] + people[-1:]])  # the last holds over 100


def suite_run(base_url: str, profile: str, workers: int = 1) -> tuple[float, int, int, dict]:
    """(wall seconds, requests, exit code, traffic from signoff.json) of one `coupon-contracts run`."""
    reports = Path(tempfile.mkdtemp(prefix="bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("COUPON_")}
    env |= CREDENTIALS | {"COUPON_API_BASE_URL": base_url, "COUPON_API_CUSTOMERS": customers(), "COUPON_CONTRACTS_PROFILE": profile}
    env["COUPON_CONTRACTS_SEED"] = "20261123"  # thorough is random by default: the same cases at every width
    started = time.perf_counter()
    done = subprocess.run([str(BIN / "coupon-contracts"), "run", "--reports", str(reports), "--workers", str(workers)], cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    traffic = json.loads((reports / "signoff.json").read_text())["traffic"]
    return wall, json.loads((reports / "drift.json").read_text())["responses"], done.returncode, traffic


def schemathesis_run(base_url: str, max_examples: int) -> tuple[float, int, int]:
    """(wall seconds, test cases, exit code) of the Schemathesis CLI on the same contract."""
    md5 = hashlib.md5(CREDENTIALS["COUPON_API_PASSWORD"].encode()).hexdigest()  # noqa: S324 - the vendor's scheme
    checks = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance"
    command = [
        str(BIN / "schemathesis"), "run", str(ROOT / "contracts" / "openapi.yaml"), "--url", base_url,
        "--auth", f"{CREDENTIALS['COUPON_API_USERNAME']}:{md5}", "--max-examples", str(max_examples),
        "--mode", "all", "--phases", "examples,coverage,fuzzing", "--checks", checks, "--seed", "20261123",
    ]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, cwd=tempfile.mkdtemp(prefix="bench-st-"), capture_output=True, text=True)  # its .schemathesis/ cache lands there
    wall = time.perf_counter() - started
    found = re.findall(r"(\d+) (?:generated|test cases?)", done.stdout)
    cases = max((int(n) for n in found), default=0)
    return wall, cases, done.returncode


def children_cpu() -> float:
    """CPU seconds used so far by finished child processes (the runs and the served mocks)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def workers_section(profile: str, latency_ms: int = 50, widths: tuple[int, ...] = (1, 4, 8)) -> None:
    """Section 2 for one profile: 1, 4 and 8 workers, each against a freshly served slow mock."""
    cores = os.cpu_count() or 1
    print(f"### profile {profile}, mock latency {latency_ms} ms\n")
    print(f"| workers | wall s | requests | ideal s (requests x {latency_ms / 1000} / workers) | wall / ideal | CPU s (run + mock) | CPU floor s (CPU / cores) | in flight, mean | ms per request |")
    print("|---|---|---|---|---|---|---|---|---|")
    for workers in widths:
        cpu_before = children_cpu()
        with ServedMock("--latency-ms", str(latency_ms)) as url:
            wall, requests, code, traffic = suite_run(url, profile, workers)
        cpu = children_cpu() - cpu_before
        ideal = requests * latency_ms / 1000 / workers
        flag = "" if code == 0 else f" (exit {code})"
        print(
            f"| {workers} | {wall:.1f} | {requests} | {ideal:.1f} | {wall / ideal:.2f}{flag} | {cpu:.1f} | {cpu / cores:.1f} "
            f"| {traffic['mean_in_flight'] if workers > 1 else 1.0:.2f} | {traffic['mean_latency_ms']:.0f} |"
        )
    print()


def big_answer(count: int = 5000) -> tuple[bytes, bytes]:
    """The by-id and v2-list answers of a customer with `count` coupons, as the mock writes them."""
    from coupon_contracts.mock import build_dataset
    from coupon_contracts.mock import representation as wire

    dataset = build_dataset()
    template = dataset.coupons_of(dataset.customers[2])[0]
    coupons = [dataclasses.replace(template, id=50_000_000 + i, code=f"BIG{i:07d}", redemptions=list(template.redemptions)) for i in range(count)]
    by_id = {"entity": [wire.v2_coupon_detail(c, None) for c in coupons], "warnings": [], "errors": [], "success": True}
    customer = wire.v2_customer(dataset.customers[2], [wire.v2_coupon_summary(c, None) for c in coupons])
    listing = {"entity": {"pagination": {"limit": "5000", "offset": "0", "total": count}, "customers": [customer]}, "warnings": [], "errors": [], "success": True}
    return json.dumps(by_id).encode(), json.dumps(listing).encode()


def check_big_answer(body: bytes, operation_id: str, label: str) -> dict[str, float]:
    """Seconds and peak MiB to validate, drift-check and record the shape of one big answer."""
    from coupon_contracts.contract import Contract
    from coupon_contracts.drift import ObservedShapes, findings_for

    contract = Contract.load()
    findings_for(contract, operation_id, 200, "application/json", b"{}")  # compile the validator first, as a run does
    tracemalloc.start()
    started = time.perf_counter()
    findings = findings_for(contract, operation_id, 200, "application/json", body)
    ObservedShapes().observe(label, 200, json.loads(body))
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    assert findings == [], findings[:3]
    return {"seconds": seconds, "peak_mib": peak, "body_mib": len(body) / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="ci", choices=["quick", "ci", "thorough"], help="profile of section 1")
    parser.add_argument("--workers-profiles", default="ci,thorough", help="profiles of section 2, comma-separated")
    args = parser.parse_args()
    print(f"# coupon-contracts benchmarks ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, profile {args.profile})\n")
    customers()

    with ServedMock() as url:
        ours = suite_run(url, args.profile)
        theirs = schemathesis_run(url, {"quick": 8, "ci": 30, "thorough": 300}[args.profile])
    print("## 1. Requests per second, same contract, same mock on a port\n")
    print("| tool | wall s | requests / cases | per second | exit |\n|---|---|---|---|---|")
    print(f"| coupon-contracts run ({args.profile}) | {ours[0]:.1f} | {ours[1]} requests | {ours[1] / ours[0]:.1f} | {ours[2]} |")
    print(f"| schemathesis run (same checks, phases, max-examples) | {theirs[0]:.1f} | {theirs[1]} cases | {theirs[1] / theirs[0]:.1f} | {theirs[2]} |\n")

    print("## 2. Workers against the mock with 50 ms latency\n")
    for profile in args.workers_profiles.split(","):
        workers_section(profile.strip())
    print("## 2b. The same at 200 ms, where waiting outweighs this machine's CPU\n")
    workers_section("ci", latency_ms=200, widths=(8,))

    print("## 3. One answer with 5,000 coupons: validate, drift-check, record shapes\n")
    by_id, listing = big_answer()
    print("| answer | body MiB | seconds | peak MiB |\n|---|---|---|---|")
    for label, operation_id, body in (("GET /v2/customers/{customerId}/coupons", "getCustomerCouponsByIdV2", by_id), ("GET /v2/customers/coupons", "getCustomerCouponsV2", listing)):
        m = check_big_answer(body, operation_id, label)
        print(f"| {label} | {m['body_mib']:.1f} | {m['seconds']:.2f} | {m['peak_mib']:.0f} |")


if __name__ == "__main__":
    main()
