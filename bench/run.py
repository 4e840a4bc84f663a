"""linkwatch's benchmark: how close `linkwatch check` gets to the network's floor, at what cost.

One command (from the repository root, with linkwatch installed in the running Python):

    python bench/run.py                      # sizes 100, 1000, 5000, 20000
    python bench/run.py --sizes 5000 --concurrency 32

For each run it starts bench/server.py in its own process, writes a links.yaml of N links
spread over the server's hosts with a status mix (ok, 404, 301 -> ok, 503 then ok, slow;
every host gets its share of each kind), runs `linkwatch check --allow-private --format json`
as a subprocess, and prints one row: N, hosts, concurrency, per-host limit, latency, wall s,
checking s (the checker's own run, from the report's duration: wall minus process start,
reading links.yaml, writing the report and exit), ideal s, wall/ideal, CPU s (user+sys of
the linkwatch process), CPU ms per link, peak RSS MB, requests the server saw per link, and
whether every link's outcome was the expected one.

The ideal is the floor a perfect scheduler could reach: the sum of the server's response
delays over every request that must be made, divided by the usable concurrency
(min(concurrency, hosts x per-host)), never less than the busiest host's work over its
per-host limit, and never less than the longest single link.
The retry backoff of a `flaky` link (503, then ok) is not part of that work: while a link
waits to retry it holds no slot, so other links fill the time. It only lengthens that
link's own chain (latency + at least BACKOFF_MIN + latency, the floor's "longest single
link"). A flaky link started near the end of the run still adds a tail of up to
BACKOFF_MAX: a scheduler that does not know in advance which links will answer 503 cannot
start them first. Process start, reading links.yaml and writing the report are not in the
floor either: they are what the wall/ideal ratio measures, with the scheduling.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SLOW_FACTOR = 4  # as in server.py
# linkwatch's first retry waits backoff_base (0.5 s) x (0.5 + jitter in [0, 1)).
BACKOFF_MIN = 0.25
BACKOFF_MAX = 0.75

# kind -> (share of links per 100, expected status, requests a correct checker makes)
MIX = {
    "ok": (90, "ok", 1),
    "missing": (4, "broken", 1),
    "moved": (3, "redirected", 2),
    "flaky": (2, "ok", 2),
    "slow": (1, "ok", 1),
}
# `--mix extended`: 5 % of the links answer 500 once, then 200 (a passing server fault). A
# checker that calls them broken or error raises a false alarm for each.
MIX_EXTENDED = {
    "ok": (85, "ok", 1),
    "missing": (4, "broken", 1),
    "moved": (3, "redirected", 2),
    "flaky": (2, "ok", 2),
    "slow": (1, "ok", 1),
    "stumbles": (5, "ok", 2),
}
MIXES = {"standard": MIX, "extended": MIX_EXTENDED}
# Kinds whose first answer is a transient fault: their retry waits a backoff.
RETRIED = frozenset({"flaky", "stumbles"})


@dataclass
class Row:
    n: int
    hosts: int
    concurrency: int
    per_host: int
    latency: float
    wall: float
    checking: float  # the checker's own run, from the report: wall minus start, load, report
    ideal: float
    cpu: float
    rss_mb: float
    requests_per_link: float
    correct: str
    false_failures: int

    def cells(self) -> list[str]:
        return [
            f"{self.n:,}",
            str(self.hosts),
            str(self.concurrency),
            str(self.per_host),
            f"{self.latency * 1000:.0f} ms",
            f"{self.wall:.2f}",
            f"{self.checking:.2f}",
            f"{self.ideal:.2f}",
            f"{self.wall / self.ideal:.2f}",
            f"{self.cpu:.2f}",
            f"{self.cpu * 1000 / self.n:.2f}",
            f"{self.rss_mb:.0f}",
            f"{self.requests_per_link:.3f}",
            self.correct,
            str(self.false_failures),
        ]


HEADER = [
    "N",
    "hosts",
    "concurrency",
    "per host",
    "latency",
    "wall s",
    "checking s",
    "ideal s",
    "wall/ideal",
    "CPU s",
    "CPU ms/link",
    "peak RSS MB",
    "requests/link",
    "correct",
    "false failures",
]


def kind_of(index: int, mix: dict[str, tuple[int, str, int]] = MIX) -> str:
    slot = index % 100
    for kind, (share, _, _) in mix.items():
        if slot < share:
            return kind
        slot -= share
    return "ok"


def host_of(index: int, hosts: int) -> int:
    """The host of link ``index``: hosts in turn, shifted by one every 100 links.

    The kinds repeat every 100 links; without the shift, with 50 hosts, every slow link would
    land on one host and every flaky one on two others, and that host's per-host limit, not
    linkwatch, would set the run's length. Shifted, each host gets its share of each kind.
    """
    return (index + index // 100) % hosts


def write_links(
    path: Path, n: int, hosts: list[str], mix: dict[str, tuple[int, str, int]] = MIX
) -> dict[str, str]:
    """Writes links.yaml; returns checked URL -> expected status."""
    expected: dict[str, str] = {}
    lines = ["version: 1", "links:"]
    for i in range(n):
        kind = kind_of(i, mix)
        url = f"http://{hosts[host_of(i, len(hosts))]}/{kind}/{i}"
        expected[url] = mix[kind][1]
        lines += [f"  - name: link {i}", f"    url: {url}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return expected


def ideal_seconds(  # noqa: PLR0917 - the run's parameters, each needed
    n: int,
    latency: float,
    hosts: int,
    concurrency: int,
    per_host: int,
    mix: dict[str, tuple[int, str, int]] = MIX,
) -> float:
    """The floor: all the work over the usable slots, one host's work over its own slots,
    or the longest single link, whichever is longest."""
    work = 0.0
    per_host_work = [0.0] * hosts
    longest = latency
    for i in range(n):
        kind = kind_of(i, mix)
        requests = mix[kind][2]
        cost = latency * (SLOW_FACTOR if kind == "slow" else 1) * requests
        work += cost
        per_host_work[host_of(i, hosts)] += cost
        chain = cost + (BACKOFF_MIN if kind in RETRIED else 0.0)
        longest = max(longest, chain)
    usable = min(concurrency, hosts * per_host)
    busiest_host = max(per_host_work) / min(per_host, concurrency)
    return max(work / usable, busiest_host, longest)


def start_server(hosts: int, latency: float) -> tuple[subprocess.Popen[str], dict[str, object]]:
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "server.py"), "--hosts", str(hosts), "--latency", str(latency)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    info = json.loads(proc.stdout.readline())
    return proc, info


def server_stats(control: str) -> dict[str, dict[str, int]]:
    with urllib.request.urlopen(f"http://{control}/stats", timeout=10) as response:
        return json.loads(response.read())


def run_once(
    n: int,
    *,
    hosts: int,
    concurrency: int,
    per_host: int,
    latency: float,
    linkwatch: list[str],
    mix: dict[str, tuple[int, str, int]] = MIX,
) -> Row:
    server, info = start_server(hosts, latency)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            config = Path(tmp) / "links.yaml"
            output = Path(tmp) / "report.json"
            expected = write_links(config, n, list(info["hosts"]), mix)  # type: ignore[arg-type]
            command = [
                *linkwatch,
                "check",
                "--config",
                str(config),
                "--allow-private",
                "--format",
                "json",
                "--output",
                str(output),
                "--concurrency",
                str(concurrency),
                "--per-host",
                str(per_host),
            ]
            started = time.perf_counter()
            child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            _, status, usage = os.wait4(child.pid, 0)
            wall = time.perf_counter() - started
            child.returncode = os.waitstatus_to_exitcode(status)
            stderr = child.stderr.read().decode() if child.stderr else ""
            if child.returncode not in (0, 1):
                print(stderr, file=sys.stderr)
                raise SystemExit(f"linkwatch exited {child.returncode}")
            stats = server_stats(str(info["control"]))
            correct, false_failures = check_outcomes(output, expected)
            checking = json.loads(output.read_text(encoding="utf-8"))["duration_s"]
    finally:
        server.terminate()
        server.wait(timeout=10)
    requests = sum(stats["methods"].values())
    return Row(
        n=n,
        hosts=hosts,
        concurrency=concurrency,
        per_host=per_host,
        latency=latency,
        wall=wall,
        checking=checking,
        ideal=ideal_seconds(n, latency, hosts, concurrency, per_host, mix),
        cpu=usage.ru_utime + usage.ru_stime,
        rss_mb=usage.ru_maxrss / 1024,
        requests_per_link=requests / n,
        correct=correct,
        false_failures=false_failures,
    )


def check_outcomes(output: Path, expected: dict[str, str]) -> tuple[str, int]:
    """Whether every outcome is the expected one, and how many healthy links were called
    broken or error (false alarms)."""
    report = json.loads(output.read_text(encoding="utf-8"))
    got = {record["checked_url"]: record["status"] for record in report["links"]}
    wrong = [url for url, status in expected.items() if got.get(url) != status]
    false = sum(
        1
        for url, status in expected.items()
        if status in {"ok", "redirected"} and got.get(url) in {"broken", "error"}
    )
    if not wrong:
        return "yes", false
    sample = ", ".join(f"{u} -> {got.get(u)} (want {expected[u]})" for u in wrong[:3])
    print(f"wrong outcomes: {len(wrong)}: {sample}", file=sys.stderr)
    return f"NO ({len(wrong)} wrong)", false


def compile_bytecode() -> None:
    """Byte-compile the linkwatch this Python imports, as `pip install` does.

    An editable install run with PYTHONDONTWRITEBYTECODE set (as in some sandboxes and CI
    images) would otherwise compile every module from source on every start, which no
    installed linkwatch does.
    """
    spec = importlib.util.find_spec("linkwatch")
    if spec is not None and spec.origin is not None:
        package = Path(spec.origin).parent
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)


def startup(linkwatch: list[str], args: list[str], repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([*linkwatch, *args], capture_output=True, check=True)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark linkwatch check on loopback.")
    parser.add_argument("--sizes", default="100,1000,5000,20000")
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=128)
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument(
        "--mix",
        choices=sorted(MIXES),
        default="standard",
        help="standard, or extended: 5 %% of links answer 500 once, then 200",
    )
    parser.add_argument(
        "--linkwatch",
        default=str(Path(sys.executable).parent / "linkwatch"),
        help="the linkwatch executable to measure",
    )
    args = parser.parse_args()
    if not Path(args.linkwatch).exists():
        raise SystemExit(
            f"no linkwatch executable at {args.linkwatch}: run this with the Python of a venv"
            " where linkwatch is installed (pip install -e .), or pass --linkwatch PATH"
        )
    linkwatch = [args.linkwatch]
    compile_bytecode()
    print(
        f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}"
    )
    print(f"startup: `linkwatch --version` {startup(linkwatch, ['--version']):.3f} s,", end=" ")
    print(f"`linkwatch check --help` {startup(linkwatch, ['check', '--help']):.3f} s (best of 5)")
    print("| " + " | ".join(HEADER) + " |")
    print("|" + "---|" * len(HEADER))
    for size in (int(s) for s in args.sizes.split(",")):
        row = run_once(
            size,
            hosts=args.hosts,
            concurrency=args.concurrency,
            per_host=args.per_host,
            latency=args.latency,
            linkwatch=linkwatch,
            mix=MIXES[args.mix],
        )
        print("| " + " | ".join(row.cells()) + " |", flush=True)


if __name__ == "__main__":
    main()
