"""Wall time of `check` on N links over D domains, with and without the domain watch.

    python bench/domain_watch.py 2000 200      # from the repository root

Loopback only: the links' names resolve to a site on 127.0.0.1, and the registry is a fake
RDAP server on 127.0.0.1 answering Nominet's documented shape for every domain. The four
configurations run interleaved, five times each, so drift hits them alike.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = ["tests"]

from linkwatch.network.client import mapping_resolver, system_resolver  # noqa: E402
from linkwatch.network.rdap import RdapSettings  # noqa: E402
from linkwatch.pipeline.check import CheckSettings, check  # noqa: E402
from linkwatch.report import OutputFormat  # noqa: E402
from loopback import Server, respond  # noqa: E402


def main() -> None:
    n, d = int(sys.argv[1]), int(sys.argv[2])
    site, registry = Server(), Server()

    async def page(_request, _reader, writer):
        await respond(
            writer, 200, {"Content-Type": "text/html"}, b"<title>ok</title>", keep_alive=True
        )
        return True

    body = Path("tests/data/rdap/nominet-uk.json").read_bytes()

    async def rdap(_request, _reader, writer):
        await respond(writer, 200, {"Content-Type": "application/rdap+json"}, body, keep_alive=True)
        return True

    site.route("/p")(page)
    for i in range(d):
        registry.route(f"/rdap/domain/site{i}.org.uk")(rdap)
    site.start()
    registry.start()
    hosts = {f"www.site{i}.org.uk": "127.0.0.1" for i in range(d)}
    tmp = Path(tempfile.mkdtemp())
    lines = "".join(
        f"  - name: l{i}\n    url: http://www.site{i % d}.org.uk:{site.port}/p?{i}\n"
        for i in range(n)
    )
    (tmp / "links.yaml").write_text("version: 1\nlinks:\n" + lines)

    def run(**kw):
        settings = CheckSettings(
            config=tmp / "links.yaml",
            allow_private=True,
            resolver=mapping_resolver(hosts, fallback=system_resolver),
            rdap=RdapSettings(base_url=registry.url("/rdap/")),
            format=OutputFormat.JSON,
            **kw,
        )
        start = time.perf_counter()
        result = check(settings)
        return time.perf_counter() - start, result

    configs = [
        ("--no-domains", {"domains": False}),
        ("domains, cold", {}),
        ("--no-domains, state", {"domains": False, "state": tmp / "s1.json"}),
        ("domains, cached", {"state": tmp / "s2.json"}),
    ]
    run(state=tmp / "s2.json")  # fill the cache once
    run(domains=False, state=tmp / "s1.json")
    times: dict[str, list[float]] = {label: [] for label, _ in configs}
    last = {}
    for _ in range(5):
        for label, kw in configs:
            took, result = run(**kw)
            times[label].append(took)
            last[label] = result
    for label, _ in configs:
        result = last[label]
        runs = ", ".join(f"{x:.2f}" for x in times[label])
        print(
            f"{label:20} N={n} D={d}: median {statistics.median(times[label]):.2f} s ({runs}),"
            f" exit {result.exit_code}, notes {len(result.report.domain_notes)}"
        )
    print("registry requests in all:", sum(registry.hits.values()), "(5 cold runs x D + 1 fill)")
    site.stop()
    registry.stop()


if __name__ == "__main__":
    main()
