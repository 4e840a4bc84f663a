"""The sharding check: N links checked whole and in K shards merge to the same outcomes.

One command (from the repository root, with linkwatch installed in the running Python):

    python bench/shards.py                   # 5,000 links, 4 shards
    python bench/shards.py --links 1000 --shards 3

It starts bench/server.py in its own process, writes a links.yaml of N links over its hosts
(the status mix of bench/run.py), runs `linkwatch check --format json` once on the whole list
and once per shard (`--shard K/N`, one after another, as N CI jobs would in parallel), merges
the shard reports with `linkwatch report ... --format json --output merged.json`, and compares
every link's status, HTTP status and reason with the whole run's. Exit 0 when they are equal.

With --parallel the shards run at the same time (as on one machine with several cores) and
the wall times of the whole run and of the sharded run (all shards, then the merge) are
printed: sharding is also how linkwatch uses more than one core.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from run import start_server, write_links


def outcomes(path: Path) -> dict[str, tuple[str, object, str]]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    return {r["url"]: (r["status"], r["http_status"], r["reason"]) for r in doc["links"]}


def main() -> None:
    parser = argparse.ArgumentParser(description="Check that shard reports merge to the whole run.")
    parser.add_argument("--links", type=int, default=5000)
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=128)
    parser.add_argument("--parallel", action="store_true", help="run the shards at once")
    parser.add_argument("--linkwatch", default=str(Path(sys.executable).parent / "linkwatch"))
    args = parser.parse_args()
    server, info = start_server(args.hosts, args.latency)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            config = Path(tmp) / "links.yaml"
            write_links(config, args.links, list(info["hosts"]))  # type: ignore[arg-type]

            def start(output: Path, *extra: str) -> subprocess.Popen[bytes]:
                command = [args.linkwatch, "check", "--config", str(config), "--allow-private"]
                command += ["--format", "json", "--output", str(output)]
                command += ["--concurrency", str(args.concurrency), *extra]
                return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

            def finish(child: subprocess.Popen[bytes]) -> None:
                _, stderr = child.communicate()
                if child.returncode not in {0, 1}:
                    raise SystemExit(f"{child.args} exited {child.returncode}: {stderr.decode()}")

            whole = Path(tmp) / "whole.json"
            started = time.perf_counter()
            finish(start(whole))
            whole_wall = time.perf_counter() - started
            parts = [Path(tmp) / f"shard-{k}.json" for k in range(1, args.shards + 1)]
            started = time.perf_counter()
            if args.parallel:
                for child in [
                    start(part, "--shard", f"{k}/{args.shards}")
                    for k, part in enumerate(parts, start=1)
                ]:
                    finish(child)
            else:
                for k, part in enumerate(parts, start=1):
                    finish(start(part, "--shard", f"{k}/{args.shards}"))
            merged = Path(tmp) / "merged.json"
            subprocess.run(
                [
                    *(args.linkwatch, "report", *map(str, parts), "--format", "json"),
                    *("--output", str(merged), "--fail-on", "none"),
                ],
                check=True,
                capture_output=True,
            )
            sharded_wall = time.perf_counter() - started
            sizes = [len(outcomes(part)) for part in parts]
            want, got = outcomes(whole), outcomes(merged)
    finally:
        server.terminate()
        server.wait(timeout=10)
    differ = [url for url in want if got.get(url) != want[url]]
    statuses = Counter(status for status, _, _ in got.values())
    print(
        f"{args.links:,} links, {args.hosts} hosts, {args.shards} shards of"
        f" {', '.join(map(str, sizes))} links; merged {len(got):,} outcomes"
        f" ({', '.join(f'{n} {s}' for s, n in statuses.most_common())});"
        f" {'same as the unsharded run' if not differ and len(got) == len(want) else 'DIFFERENT'}"
    )
    mode = "at once" if args.parallel else "one after another"
    print(
        f"wall: unsharded {whole_wall:.2f} s; {args.shards} shards {mode} + merge"
        f" {sharded_wall:.2f} s (concurrency {args.concurrency} per process)"
    )
    if differ or len(got) != len(want):
        for url in differ[:5]:
            print(f"  {url}: whole {want[url]}, merged {got.get(url)}", file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
