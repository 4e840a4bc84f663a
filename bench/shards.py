"""The sharding check: N links checked whole and in K shards merge to the same outcomes.

One command (from the repository root, with linkwatch installed in the running Python):

    python bench/shards.py                   # 5,000 links, 4 shards
    python bench/shards.py --links 1000 --shards 3

It starts bench/server.py in its own process, writes a links.yaml of N links over its hosts
(the status mix of bench/run.py), runs `linkwatch check --format json` once on the whole list
and once per shard (`--shard K/N`, one after another, as N CI jobs would in parallel), merges
the shard reports with `linkwatch report ... --format json --output merged.json`, and compares
every link's status, HTTP status and reason with the whole run's. Exit 0 when they are equal.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
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
    parser.add_argument("--linkwatch", default=str(Path(sys.executable).parent / "linkwatch"))
    args = parser.parse_args()
    server, info = start_server(args.hosts, args.latency)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            config = Path(tmp) / "links.yaml"
            write_links(config, args.links, list(info["hosts"]))  # type: ignore[arg-type]

            def check(output: Path, *extra: str) -> None:
                command = [args.linkwatch, "check", "--config", str(config), "--allow-private"]
                command += ["--format", "json", "--output", str(output), *extra]
                done = subprocess.run(command, capture_output=True, text=True, check=False)
                if done.returncode not in {0, 1}:
                    raise SystemExit(f"{' '.join(command)} exited {done.returncode}: {done.stderr}")

            whole = Path(tmp) / "whole.json"
            check(whole)
            parts = [Path(tmp) / f"shard-{k}.json" for k in range(1, args.shards + 1)]
            for k, part in enumerate(parts, start=1):
                check(part, "--shard", f"{k}/{args.shards}")
            merged = Path(tmp) / "merged.json"
            subprocess.run(
                [
                    *(args.linkwatch, "report", *map(str, parts), "--format", "json"),
                    *("--output", str(merged), "--fail-on", "none"),
                ],
                check=True,
                capture_output=True,
            )
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
    if differ or len(got) != len(want):
        for url in differ[:5]:
            print(f"  {url}: whole {want[url]}, merged {got.get(url)}", file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
