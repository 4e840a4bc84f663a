"""The checker over a real loopback server: limits, fairness, skips, network-down detection."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest

from linkwatch import urls
from linkwatch.listfile import config
from linkwatch.models import Flag, Status
from linkwatch.network.client import ClientOptions, build_client, mapping_resolver
from linkwatch.network.probe import Prober, ProbeSettings
from linkwatch.pipeline import scheduler
from loopback import closed_port, respond

pytestmark = pytest.mark.anyio


def make_config(urls: list[str], extra: str = "") -> config.Config:
    entries = "".join(f"  - name: link {i}\n    url: {u}\n{extra}" for i, u in enumerate(urls))
    return config.loads(f"version: 1\ndefaults:\n  timeout: 2\nlinks:\n{entries}")


async def run(cfg, *, hosts=None, allow_private=True, events=None, **options):
    resolver = mapping_resolver(hosts) if hosts else None
    client_options = ClientOptions(allow_private=allow_private, resolver=resolver)
    async with build_client(client_options) as client:
        prober = Prober(client, ProbeSettings(backoff_base=0.01))
        return await scheduler.run(
            cfg,
            prober,
            scheduler.CheckOptions(**options),
            progress=events.append if events is not None else None,
        )


def tracking_server(server, delay: dict[str, float]):
    """Answer 200 after a per-host delay, recording the most requests in flight per host."""
    now_in = Counter()
    peak = Counter()

    @server.route("/page")
    async def page(request, reader, writer):
        host = request.headers["host"].split(":")[0]
        now_in[host] += 1
        now_in["*"] += 1
        peak[host] = max(peak[host], now_in[host])
        peak["*"] = max(peak["*"], now_in["*"])
        try:
            await asyncio.sleep(delay.get(host, 0))
            await respond(writer, 200, head=True)
        finally:
            now_in[host] -= 1
            now_in["*"] -= 1

    return peak


async def test_per_host_limit_holds_and_slow_host_does_not_starve_others(server):
    """A slow host gets at most its share of workers; a fast host's links finish first."""
    peak = tracking_server(server, {"slow.test": 0.15})
    urls = [server.url(f"/page?{i}", host="slow.test") for i in range(10)]
    urls += [server.url(f"/page?{i}", host="fast.test") for i in range(6)]
    events: list[scheduler.Progress] = []
    started = time.monotonic()
    report = await run(
        make_config(urls),
        hosts={"slow.test": "127.0.0.1", "fast.test": "127.0.0.1"},
        events=events,
        concurrency=6,
        per_host=2,
    )
    wall = time.monotonic() - started
    assert [o.status for o in report.outcomes] == [Status.OK] * 16
    assert peak["slow.test"] == 2
    order = [urlsplit(e.outcome.checked_url).hostname for e in events]
    last_fast = max(i for i, h in enumerate(order) if h == "fast.test")
    first_slow_done = order.index("slow.test")
    assert last_fast < first_slow_done  # all fast links done before the first slow one
    assert [e.done for e in events] == list(range(1, 17))
    assert wall < 2.0  # 10 slow links, 2 at a time, 0.15 s each: about 0.75 s


async def test_global_limit_holds(server):
    """No more requests are in flight than the global limit, across hosts."""
    peak = tracking_server(server, {"a.test": 0.05, "b.test": 0.05, "c.test": 0.05})
    hosts = ["a.test", "b.test", "c.test"]
    urls = [server.url(f"/page?{i}", host=h) for h in hosts for i in range(4)]
    report = await run(
        make_config(urls), hosts=dict.fromkeys(hosts, "127.0.0.1"), concurrency=3, per_host=4
    )
    assert {o.status for o in report.outcomes} == {Status.OK}
    assert peak["*"] == 3


async def test_outcomes_keep_the_order_of_the_file(server):
    """Outcomes come back in links.yaml order, whatever order they finished in."""

    @server.route("/ok")
    async def ok(request, reader, writer):
        await respond(writer, 200, head=True)

    urls = [server.url("/missing"), server.url("/ok")]
    report = await run(make_config(urls))
    assert [o.status for o in report.outcomes] == [Status.BROKEN, Status.OK]
    assert [o.link.index for o in report.outcomes] == [0, 1]
    assert scheduler.has_failures(report)
    assert scheduler.summary(report).startswith("2 links: 1 broken, 1 ok (")


async def test_skipped_links_are_not_requested(server):
    """A link with skip is reported as skipped and never requested."""
    cfg = make_config([server.url("/ok")], extra="    skip: login wall\n")
    report = await run(cfg)
    assert report.outcomes[0].status is Status.SKIPPED
    assert sum(server.hits.values()) == 0
    assert not report.network_unavailable


async def test_tracking_parameters_are_stripped_before_the_request(server):
    """The request goes to the cleaned URL, and the removed names are flagged."""

    @server.route("/ok")
    async def ok(request, reader, writer):
        assert "gclid" not in request.path
        await respond(writer, 200, head=True)

    report = await run(make_config([server.url("/ok?gclid=abc&id=3")]))
    outcome = report.outcomes[0]
    assert outcome.status is Status.OK
    assert outcome.checked_url == server.url("/ok?id=3")
    assert outcome.stripped_params == ("gclid",)
    assert outcome.flags == (Flag.TRACKING_PARAMS,)


async def test_network_down_when_every_link_fails_before_a_server():
    """When every link fails at DNS or connect, the run says the network is unavailable."""
    # The test suite's resolver answers every public name as if the machine were offline.
    cfg = make_config(["https://a.example.org/", "https://b.example.net/"])
    report = await run(cfg)
    assert report.network_unavailable
    # Nothing is called broken or lapsed: each link says it was not judged.
    assert {o.status for o in report.outcomes} == {Status.ERROR}
    assert report.outcomes[0].reason == (
        "not checked: the network is unavailable (no link got past DNS or a connection)"
    )
    assert report.outcomes[0].action.startswith("Run again when this machine is online")


async def test_invalid_names_are_broken_not_a_network_outage():
    """.invalid never resolves by definition (RFC 6761): those links are broken, the run judged."""
    report = await run(make_config(["https://a.invalid/", "https://b.invalid/"]))
    assert not report.network_unavailable
    assert [o.status for o in report.outcomes] == [Status.BROKEN, Status.BROKEN]


async def test_one_unresolvable_host_is_a_dead_link_not_an_outage():
    """A single host failing DNS is a broken link; an outage takes two or more hosts failing."""
    report = await run(make_config(["https://a.example.org/", "https://a.example.org/x"]))
    assert not report.network_unavailable
    assert {o.status for o in report.outcomes} == {Status.BROKEN}


async def test_a_refused_connection_proves_the_network_works():
    """Closed ports answer with a refusal: the links are broken, not unjudged."""
    port = closed_port()
    report = await run(
        make_config([f"http://127.0.0.1:{port}/", f"http://127.0.0.2:{port}/"]),
    )
    assert not report.network_unavailable
    assert {o.status for o in report.outcomes} == {Status.BROKEN}


async def test_network_up_when_one_link_reaches_a_server(server):
    """One server answering is enough to judge the dead links as dead."""

    @server.route("/ok")
    async def ok(request, reader, writer):
        await respond(writer, 200, head=True)

    cfg = make_config([server.url("/ok"), f"http://127.0.0.1:{closed_port()}/"])
    report = await run(cfg)
    assert not report.network_unavailable
    assert [o.status for o in report.outcomes] == [Status.OK, Status.BROKEN]


async def test_timeout_option_replaces_link_timeouts(server):
    """--timeout applies to every link, whatever links.yaml says."""

    @server.route("/silent")
    async def silent(request, reader, writer):
        await asyncio.sleep(30)

    started = time.monotonic()
    report = await run(make_config([server.url("/silent")]), timeout=0.3)
    assert report.outcomes[0].status is Status.ERROR
    assert time.monotonic() - started < 1.0


async def test_report_times_come_from_the_clock():
    """The report carries start and finish times and the tool version."""
    report = await run(make_config(["https://a.invalid/"]))
    assert report.started <= report.finished <= datetime.now(UTC)
    assert report.tool_version


async def test_a_bug_on_one_link_does_not_end_the_run():
    """An unexpected exception while probing one link becomes an error outcome for it alone."""

    class Flaky:
        async def probe(self, url, policy, pause=None):
            if "a.invalid" in url:
                raise RuntimeError("boom")
            return await real.probe(url, policy, pause=pause)

    cfg = make_config(["https://a.invalid/", "https://b.invalid/"])
    async with build_client() as client:
        real = Prober(client)
        report = await scheduler.run(cfg, Flaky())
    assert report.outcomes[0].status is Status.ERROR
    assert report.outcomes[0].reason == "linkwatch failed while checking: RuntimeError: boom"
    assert report.outcomes[1].status is Status.BROKEN
    assert not report.network_unavailable


async def test_healthy_links_on_one_host_share_a_connection(server):
    """HEAD answers return their connection to the pool: one connection serves many links."""

    @server.route("/page")
    async def page(request, reader, writer):
        await respond(writer, 200, head=True, keep_alive=True)
        return True

    urls = [server.url(f"/page?{i}") for i in range(5)]
    report = await run(make_config(urls), per_host=1)
    assert {o.status for o in report.outcomes} == {Status.OK}
    assert server.hits["/page"] == 5
    assert server.connections == 1


async def test_a_link_waiting_to_retry_frees_its_host_slot(server):
    """While one link waits out Retry-After, the host's slot serves the next link."""
    in_flight = Counter()

    @server.route("/busy")
    async def busy(request, reader, writer):
        in_flight["now"] += 1
        in_flight["peak"] = max(in_flight["peak"], in_flight["now"])
        try:
            if server.hits["/busy"] == 1:
                await respond(writer, 503, {"Retry-After": "1"}, head=True)
            else:
                await asyncio.sleep(0.05)
                await respond(writer, 200, head=True)
        finally:
            in_flight["now"] -= 1

    events: list[scheduler.Progress] = []
    urls = [server.url("/busy?first"), server.url("/busy?second"), server.url("/busy?third")]
    started = time.monotonic()
    report = await run(make_config(urls), events=events, per_host=1)
    assert [o.status for o in report.outcomes] == [Status.OK] * 3
    assert report.outcomes[0].attempts == 2
    # The two others finished while the first one waited its second.
    assert [e.outcome.link.index for e in events] == [1, 2, 0]
    assert in_flight["peak"] == 1
    assert time.monotonic() - started < 1.8


async def test_deadline_while_reclaiming_a_slot_leaves_the_host_usable():
    """A link whose deadline passes while it waits to reclaim its host slot frees the host."""
    sched = scheduler._Scheduler([], per_host=1, concurrency=4)
    first = scheduler._Slot("h.test")
    sched._busy["h.test"] = 1  # another link holds the only slot
    sched._active = 1
    waiting = asyncio.create_task(sched.reclaim(scheduler._Slot("h.test", held=False)))
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert "h.test" not in sched._reclaiming
    sched.release(first)
    assert sched._busy["h.test"] == 0
    assert sched._active == 0


async def test_a_link_waiting_to_retry_frees_its_worker(server):
    """While links wait to retry, the global slots they held serve other links."""
    in_flight = Counter()

    @server.route("/busy")
    async def busy(request, reader, writer):
        in_flight["now"] += 1
        in_flight["peak"] = max(in_flight["peak"], in_flight["now"])
        try:
            if request.headers["host"].startswith("h0.") and in_flight["first"] == 0:
                in_flight["first"] += 1
                await respond(writer, 503, {"Retry-After": "1"}, head=True)
            else:
                await asyncio.sleep(0.05)
                await respond(writer, 200, head=True)
        finally:
            in_flight["now"] -= 1

    hosts = [f"h{i}.test" for i in range(6)]
    urls = [server.url("/busy?first", host="h0.test")]
    urls += [server.url(f"/busy?{i}", host=h) for i, h in enumerate(hosts[1:])]
    events: list[scheduler.Progress] = []
    started = time.monotonic()
    report = await run(
        make_config(urls),
        hosts=dict.fromkeys(hosts, "127.0.0.1"),
        events=events,
        concurrency=1,
        per_host=1,
    )
    assert [o.status for o in report.outcomes] == [Status.OK] * 6
    # With one worker, the five others all finished while the first waited its second try.
    assert [e.outcome.link.index for e in events] == [1, 2, 3, 4, 5, 0]
    assert in_flight["peak"] == 1
    assert time.monotonic() - started < 1.8


async def test_reclaim_waits_for_a_global_slot():
    """A link back from its pause waits while the global limit is full, and gets the next slot."""
    sched = scheduler._Scheduler([], per_host=4, concurrency=1)
    other = scheduler._Slot("b.test")
    sched._busy["b.test"] = 1
    sched._active = 1
    paused = scheduler._Slot("a.test", held=False)
    waiting = asyncio.create_task(sched.reclaim(paused))
    await asyncio.sleep(0)
    assert not waiting.done()
    sched.release(other)  # another host's slot frees the global one
    await waiting
    assert paused.held
    assert sched._active == 1
    assert sched._busy["a.test"] == 1


async def test_links_that_failed_last_time_are_checked_first(server):
    """`first` (the ids of last run's failing links) goes ahead of the file's order; the
    report keeps the file's order."""
    asked: list[str] = []

    @server.route("/a")
    @server.route("/b")
    @server.route("/c")
    async def page(request, reader, writer):
        asked.append(request.path)
        await respond(writer, 200, head=True)

    cfg = make_config([server.url(p) for p in ("/a", "/b", "/c")])
    report = await run(
        cfg, concurrency=1, per_host=1, first=frozenset({urls.stable_id(server.url("/c"))})
    )
    assert asked == ["/c", "/a", "/b"]
    assert [o.checked_url for o in report.outcomes] == [server.url(p) for p in ("/a", "/b", "/c")]
