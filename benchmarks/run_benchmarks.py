"""Benchmarks of coupon-contracts against the goals of issue 12, measured side by side in one run.

1. Requests per second of `coupon-contracts run` vs cases per second of `schemathesis run` (its CLI)
   on the same contract, checks, phases, seed and mock served on a port; rounds interleaved, because
   this machine's speed drifts by 20% from one minute to the next.
2. Workers: 8 workers against the mock with 200 ms latency, vs the ideal requests x latency / workers;
   and with 50 ms, vs the larger of the ideal and the CPU floor (CPU of the run and the mock / cores).
3. Start-up: seconds from launching `coupon-contracts run` to the first request the target receives.
4. Large answers: validating, drift-checking and recording the shape of one answer with 5,000 and
   50,000 coupons, today's code path beside the node-by-node one it replaced (node_by_node.py).
5. A run whose test customer holds 5,000 coupons against the same run with a customer of 15: CPU.
6. The hostile answers of the issue at their full size (a 300 MB list, a gzip bomb of 4 GiB, a byte
   every 2 s, 200,000 levels, a broken discovery), each a whole run with the default limits: its
   verdict, its wall time, its peak resident memory (os.wait4) and whether any traceback showed.

Usage: .venv/bin/python benchmarks/run_benchmarks.py [--rounds 3] [--sections 1,2,3,4,5,6] > benchmarks/latest.md
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import gc
import hashlib
import json
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

from coupon_contracts.operations import V2ID, V2L, V11, label_of

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CREDENTIALS = {"COUPON_API_USERNAME": "coupon.qa", "COUPON_API_PASSWORD": "mock-secret-1", "COUPON_API_OAUTH_TOKEN": "mock-oauth-token-7f3a"}
SEED = "20261123"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServedMock:
    """The mock on a loopback port for the duration of a `with` block (its CPU is counted once it stops)."""

    def __init__(self, *args: str) -> None:
        self.port = free_port()
        self.args = args

    def __enter__(self) -> str:
        self.process = subprocess.Popen([str(BIN / "coupon-contracts"), "mock", "--port", str(self.port), *self.args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return f"http://127.0.0.1:{self.port}"
            time.sleep(0.1)
        raise RuntimeError("the mock did not start")

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@functools.lru_cache(maxsize=4)
def customers(*mock_args: str) -> str:
    """The test customers of the mock: the first by mobile, five by id, and the last (over 100 coupons)."""
    described = json.loads(subprocess.run([str(BIN / "coupon-contracts"), "mock", *mock_args, "--describe"], capture_output=True, text=True, check=True).stdout)
    people = described["customers"]
    return ",".join([f"mobile:{people[0]['mobile']}"] + [f"id:{p['id']}" for p in people[1:6] + people[-1:]])


def children_cpu() -> float:
    """CPU seconds used so far by finished child processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclasses.dataclass
class Run:
    wall: float
    cpu: float
    count: int  # requests (ours) or cases (the CLI)
    code: int
    traffic: dict


def suite_run(base_url: str, profile: str, *, workers: int = 1, people: str = "", extra: tuple[str, ...] = ()) -> Run:
    """One `coupon-contracts run`: wall and CPU seconds, requests (drift.json), exit code, traffic."""
    reports = Path(tempfile.mkdtemp(prefix="bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("COUPON_")}
    env |= CREDENTIALS | {"COUPON_API_BASE_URL": base_url, "COUPON_API_CUSTOMERS": people or customers(), "COUPON_CONTRACTS_PROFILE": profile, "COUPON_CONTRACTS_SEED": SEED}
    cpu, started = children_cpu(), time.perf_counter()
    done = subprocess.run([str(BIN / "coupon-contracts"), "run", "--reports", str(reports), "--workers", str(workers), *extra], cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    traffic = json.loads((reports / "signoff.json").read_text())["traffic"]
    return Run(wall, children_cpu() - cpu, json.loads((reports / "drift.json").read_text())["responses"], done.returncode, traffic)


def schemathesis_run(base_url: str, max_examples: int) -> Run:
    """The Schemathesis CLI on the same contract, checks, phases, seed and target."""
    md5 = hashlib.md5(CREDENTIALS["COUPON_API_PASSWORD"].encode()).hexdigest()  # noqa: S324 - the vendor's scheme
    checks = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance"
    command = [
        str(BIN / "schemathesis"), "run", str(ROOT / "contracts" / "openapi.yaml"), "--url", base_url,
        "--auth", f"{CREDENTIALS['COUPON_API_USERNAME']}:{md5}", "--max-examples", str(max_examples),
        "--mode", "all", "--phases", "examples,coverage,fuzzing", "--checks", checks, "--seed", SEED,
    ]  # fmt: skip
    cpu, started = children_cpu(), time.perf_counter()
    done = subprocess.run(command, cwd=tempfile.mkdtemp(prefix="bench-st-"), capture_output=True, text=True)  # its .schemathesis/ cache lands there
    wall = time.perf_counter() - started
    found = re.findall(r"(\d+) (?:generated|test cases?)", done.stdout)
    return Run(wall, children_cpu() - cpu, max((int(n) for n in found), default=0), done.returncode, {})


def requests_per_second(rounds: int) -> None:
    """Section 1."""
    print("## 1. Requests per second: `coupon-contracts run` vs `schemathesis run`, same contract and mock\n")
    print("| round | run: wall s | requests | per second | CPU ms / request | exit | CLI: wall s | cases | per second | CPU ms / case | exit |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    ours_rate, theirs_rate = [], []
    with ServedMock() as url:
        for n in range(1, rounds + 1):
            ours, theirs = suite_run(url, "ci"), schemathesis_run(url, 30)
            ours_rate.append(ours.count / ours.wall)
            theirs_rate.append(theirs.count / theirs.wall)
            print(f"| {n} | {ours.wall:.1f} | {ours.count} | {ours_rate[-1]:.1f} | {ours.cpu / ours.count * 1000:.2f} | {ours.code} "
                  f"| {theirs.wall:.1f} | {theirs.count} | {theirs_rate[-1]:.1f} | {theirs.cpu / theirs.count * 1000:.2f} | {theirs.code} |")  # fmt: skip
    ratio = statistics.median(ours_rate) / statistics.median(theirs_rate)
    print(f"\nMedians: the run {statistics.median(ours_rate):.1f} requests/s, the CLI {statistics.median(theirs_rate):.1f} cases/s: **ratio {ratio:.2f}** (goal >= 1.0).\n")


def workers(latency_ms: int, profile: str = "ci", width: int = 8) -> None:
    """Section 2, one row: `width` workers against a freshly served mock with `latency_ms`."""
    cores = os.cpu_count() or 1
    cpu_before = children_cpu()
    with ServedMock("--latency-ms", str(latency_ms)) as url:
        run = suite_run(url, profile, workers=width)
    cpu = children_cpu() - cpu_before  # the run and the mock, now stopped
    ideal, floor = run.count * latency_ms / 1000 / width, cpu / cores
    bound = max(ideal, floor)
    print(f"| {latency_ms} ms | {width} | {run.wall:.1f} | {run.count} | {ideal:.1f} | {cpu:.1f} | {floor:.1f} | {run.wall / ideal:.2f} | {run.wall / bound:.2f} "
          f"| {run.traffic.get('mean_in_flight', 0):.2f} | {run.traffic.get('mean_latency_ms', 0):.0f} | {run.code} |")  # fmt: skip


def startup(rounds: int) -> None:
    """Section 3: the mock served in this process, timing the first request it receives."""
    import uvicorn

    from coupon_contracts.mock import create_app

    first: list[float] = []
    app = create_app()

    async def probe(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] == "http" and not first:
            first.append(time.monotonic())
        await app(scope, receive, send)

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(probe, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    env = {k: v for k, v in os.environ.items() if not k.startswith("COUPON_")} | CREDENTIALS
    env |= {"COUPON_API_BASE_URL": f"http://127.0.0.1:{port}", "COUPON_API_CUSTOMERS": customers(), "COUPON_CONTRACTS_PROFILE": "quick"}
    seconds = []
    for _ in range(rounds):
        first.clear()
        launched = time.monotonic()
        subprocess.run([str(BIN / "coupon-contracts"), "run", "--reports", tempfile.mkdtemp(prefix="bench-"), "--workers", "1"], env=env, capture_output=True)
        seconds.append(first[0] - launched)
    server.should_exit = True
    print("## 3. Start-up: launching `coupon-contracts run` to the first request the target receives\n")
    print(f"{', '.join(f'{s:.2f} s' for s in seconds)}: median **{statistics.median(seconds):.2f} s** (goal <= 1 s).\n")


def big_answer(count: int) -> tuple[bytes, bytes]:
    """The by-id and v2-list answers of a customer with `count` coupons, as the mock writes them."""
    from coupon_contracts.mock import build_dataset
    from coupon_contracts.mock import representation as wire

    dataset = build_dataset()
    template = dataset.coupons_of(dataset.customers[2])[0]
    coupons = [dataclasses.replace(template, id=50_000_000 + i, code=f"BIG{i:07d}", redemptions=list(template.redemptions)) for i in range(count)]
    by_id = {"entity": [wire.v2_coupon_detail(c, None) for c in coupons], "warnings": [], "errors": [], "success": True}
    customer = wire.v2_customer(dataset.customers[2], [wire.v2_coupon_summary(c, None) for c in coupons])
    listing = {"entity": {"pagination": {"limit": str(count), "offset": "0", "total": count}, "customers": [customer]}, "warnings": [], "errors": [], "success": True}
    return json.dumps(by_id).encode(), json.dumps(listing).encode()


def _today(contract, operation_id: str, label: str, body: bytes) -> None:  # type: ignore[no-untyped-def]
    from coupon_contracts.drift import ObservedShapes, findings_for, parse_body

    parsed = parse_body(body)
    assert findings_for(contract, operation_id, 200, "application/json", body, parsed=parsed) == []
    ObservedShapes().observe(label, 200, parsed.document, shape=parsed.shape)


def _before(contract, operation_id: str, label: str, body: bytes) -> None:  # type: ignore[no-untyped-def]
    from node_by_node import check_answer

    assert check_answer(contract, operation_id, body)[0] == 0


def measured(check, *args) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """(seconds, peak MiB) of `check(*args)`: timed alone, then its peak traced in a second pass
    (tracemalloc slows allocation-heavy code down several times)."""
    gc.collect()
    started = time.perf_counter()
    check(*args)
    seconds = time.perf_counter() - started
    gc.collect()
    tracemalloc.start()
    check(*args)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return seconds, peak


def large_answers() -> None:
    """Section 4."""
    from coupon_contracts.contract import Contract

    sys.path.insert(0, str(Path(__file__).parent))
    contract = Contract.load()
    from coupon_contracts.drift import findings_for

    for operation_id in ("getCustomerCouponsByIdV2", "getCustomerCouponsV2"):  # validators compiled first, as in a run
        findings_for(contract, operation_id, 200, "application/json", b"{}")
    print("## 4. One large answer: validate, drift-check, record its shape\n")
    print("| answer | coupons | body MiB | today: s | today: peak MiB | node by node: s | node by node: peak MiB |")
    print("|---|---|---|---|---|---|---|")
    for count in (5_000, 50_000):
        by_id, listing = big_answer(count)
        for label, operation_id, body in ((label_of(V2ID), V2ID, by_id), (label_of(V2L), V2L, listing)):
            now, before = measured(_today, contract, operation_id, label, body), measured(_before, contract, operation_id, label, body)
            print(f"| {label} | {count:,} | {len(body) / 2**20:.1f} | {now[0]:.2f} | {now[1]:.0f} | {before[0]:.2f} | {before[1]:.0f} |")
    print("\nGoals: 5,000 coupons by id within 1.0 s and 100 MiB; 50,000 within 10 s.\n")


def large_customer(rounds: int) -> None:
    """Section 5: the quick run on the by-id operation, the last customer holding 15 or 5,000 coupons."""
    print("## 5. A test customer with 5,000 coupons against one with 15: the same quick run on the by-id operation\n")
    print("| round | 15 coupons: CPU s | exit | 5,000 coupons: CPU s | exit | ratio |\n|---|---|---|---|---|---|")
    ratios = []
    for n in range(1, rounds + 1):
        cpu = {}
        for size in (15, 5000):
            args = ("--last-customer-coupons", str(size))
            last = customers(*args).rsplit(",", 1)[1]
            with ServedMock(*args) as url:
                run = suite_run(url, "quick", people=last, extra=("--operations", "getCustomerCouponsByIdV2"))
            cpu[size] = (run.cpu, run.code)
        ratios.append(cpu[5000][0] / cpu[15][0])
        print(f"| {n} | {cpu[15][0]:.2f} | {cpu[15][1]} | {cpu[5000][0]:.2f} | {cpu[5000][1]} | {ratios[-1]:.2f} |")
    print(f"\nMedian ratio **{statistics.median(ratios):.2f}** (goal <= 4). The CPU counted is the run's alone (the mock runs apart).\n")


HOSTILE_AT_FULL_SIZE = [  # (the answer, the mock's arguments, the operation the run is held to)
    ("a 300 MB JSON list (streamed)", ("--fault", "hostile-huge-body", "--huge-mib", "300"), "getCouponsV2"),
    ("gzip that inflates to 4 GiB", ("--fault", "hostile-gzip-bomb", "--bomb-mib", "4096"), "getCouponsV2"),
    ("a 200 whose body trickles in a byte every 2 s", ("--fault", "hostile-trickle", "--trickle-seconds", "2"), "getCouponsV2"),
    ("JSON nested 200,000 levels deep", ("--fault", "hostile-deep-json", "--deep-levels", "200000"), "getCouponsV2"),
    (f"a truncated 200 from {label_of(V11)} during discovery", ("--fault", "hostile-truncated-discovery"), "getCouponsV2"),
]


def _read_all(process: subprocess.Popen[bytes], into: list[bytes]) -> None:
    into.append(process.stdout.read() if process.stdout else b"")


def _watch_peak(pid: int, peak: list[int]) -> None:
    """The process's own high-water mark of resident memory (VmHWM, KiB), read until it exits.

    Not os.wait4's ru_maxrss: a child started from this process inherits its high-water mark at exec,
    and section 4 has made this process large by then."""
    while True:
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as status:
                line = next((row for row in status if row.startswith("VmHWM:")), "")
        except OSError:
            return
        if not line:  # a zombie: the memory is gone, the peak was read before
            return
        peak[0] = max(peak[0], int(line.split()[1]))
        time.sleep(0.05)


def hostile_at_full_size() -> None:
    """Section 6: each hostile answer of the issue at full size, a whole quick run with the default limits."""
    print("## 6. The issue's hostile answers at full size: a quick run each, default limits\n")
    print("| answer | exit | verdict line | wall s | peak resident MiB | traceback |\n|---|---|---|---|---|---|")
    for label, mock_args, operation_id in HOSTILE_AT_FULL_SIZE:
        with ServedMock(*mock_args) as url:
            env = {k: v for k, v in os.environ.items() if not k.startswith("COUPON_")} | CREDENTIALS
            env |= {"COUPON_API_BASE_URL": url, "COUPON_API_CUSTOMERS": customers(), "COUPON_CONTRACTS_PROFILE": "quick", "COUPON_CONTRACTS_OPERATIONS": operation_id}
            command = [str(BIN / "coupon-contracts"), "run", "--reports", tempfile.mkdtemp(prefix="bench-"), "--workers", "1"]
            started = time.perf_counter()
            process = subprocess.Popen(command, cwd=tempfile.mkdtemp(prefix="bench-cwd-"), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            output: list[bytes] = []
            reader = threading.Thread(target=_read_all, args=(process, output))
            reader.start()
            killer = threading.Timer(600, process.kill)
            killer.start()
            peak: list[int] = [0]
            watcher = threading.Thread(target=_watch_peak, args=(process.pid, peak), daemon=True)
            watcher.start()
            _, status, _ = os.wait4(process.pid, 0)
            killer.cancel()
            wall = time.perf_counter() - started
            reader.join()
        text = b"".join(output).decode("utf-8", "replace")
        lines = [line.strip() for line in text.splitlines()]
        verdict = next((line for line in lines if line.startswith("coupon-contracts: ") and "(exit " in line), lines[-1] if lines else "")
        cause = next((line for line in lines if line.startswith("coupon-contracts: breaking")), "")
        shown = re.sub(r"; reports in \S+", "", f"{verdict} {cause}").replace("|", "/")
        print(f"| {label} | {os.waitstatus_to_exitcode(status)} | {shown[:400]} | {wall:.1f} | {peak[0] / 1024:.0f} | {'yes' if 'Traceback' in text else 'no'} |")
    print("\nGoal: each a named verdict within 60 s, below 1 GiB resident, no traceback; the bomb and the list refused at the limit.\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the sections that compare two runs")
    parser.add_argument("--sections", default="1,2,3,4,5,6", help="which sections, comma-separated")
    args = parser.parse_args()
    sections = {s.strip() for s in args.sections.split(",")}
    print(f"# coupon-contracts benchmarks ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, {args.rounds} rounds)\n")
    customers()
    if "1" in sections:
        requests_per_second(args.rounds)
    if "2" in sections:
        print("## 2. Workers: profile ci, 8 workers, the mock with latency\n")
        print("| latency | workers | wall s | requests | ideal s | CPU s (run + mock) | CPU floor s | wall / ideal | wall / max(ideal, floor) | in flight, mean | ms per request | exit |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
        workers(200)
        workers(50)
        print("\nGoals: at 200 ms, wall / ideal <= 1.15; at 50 ms, wall / max(ideal, floor) <= 1.2.\n")
    if "3" in sections:
        startup(args.rounds)
    if "4" in sections:
        large_answers()
    if "5" in sections:
        large_customer(args.rounds)
    if "6" in sections:
        hostile_at_full_size()


if __name__ == "__main__":
    main()
