"""When links finish during a check: where the time between the floor and the wall goes.

    python bench/timeline.py                          # 5,000 links, concurrency 128
    python bench/timeline.py --links 5000 --concurrency 32

Runs the checker in this process (no process start, no links.yaml parse or report in the
times) against bench/server.py, with bench/run.py's list and floor, and prints the time at
which 50 %, 90 %, 99 %, 99.5 % and all of the links were done, and the kinds of the last
links to finish. The gap between 99 % and 100 % is the retry tail: flaky links (503, then
ok) reached near the end wait their backoff after everything else is done.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from pathlib import Path

from run import ideal_seconds, start_server, write_links

from linkwatch.listfile import config
from linkwatch.network.client import ClientOptions, build_client
from linkwatch.network.probe import Prober
from linkwatch.pipeline import checker

QUANTILES = (0.5, 0.9, 0.99, 0.995, 1.0)


async def timeline(
    links: Path, concurrency: int, per_host: int
) -> tuple[float, list[tuple[float, str]]]:
    cfg = config.load(links)
    done: list[tuple[float, str]] = []
    async with build_client(ClientOptions(allow_private=True, max_idle=concurrency * 2)) as client:
        started = time.perf_counter()

        def finished(event: checker.Progress) -> None:
            kind = event.outcome.link.url.split("/")[3]
            done.append((time.perf_counter() - started, kind))

        options = checker.CheckOptions(concurrency=concurrency, per_host=per_host)
        await checker.run(cfg, Prober(client), options, progress=finished)
        return time.perf_counter() - started, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=5000)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=128)
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    server, info = start_server(args.hosts, args.latency)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            links = Path(tmp) / "links.yaml"
            write_links(links, args.links, list(info["hosts"]))  # type: ignore[arg-type]
            total, done = asyncio.run(timeline(links, args.concurrency, args.per_host))
    finally:
        server.terminate()
        server.wait(timeout=10)
    ideal = ideal_seconds(args.links, args.latency, args.hosts, args.concurrency, args.per_host)
    print(
        f"{args.links:,} links, {args.hosts} hosts, concurrency {args.concurrency}, per host"
        f" {args.per_host}, {args.latency * 1000:.0f} ms: ideal {ideal:.2f} s, checked in"
        f" {total:.2f} s"
    )
    for q in QUANTILES:
        at, _ = done[min(int(len(done) * q), len(done) - 1)]
        print(f"  {q * 100:g} % done at {at:.2f} s ({at / ideal:.2f} x ideal)")
    last = Counter(kind for _, kind in done[-10:])
    print("  the last 10 to finish: " + ", ".join(f"{n} {kind}" for kind, n in last.items()))


if __name__ == "__main__":
    main()
