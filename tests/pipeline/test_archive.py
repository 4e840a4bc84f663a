"""--suggest-archive's lookups: the availability API's real answers, its failures and its slowness."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from datetime import UTC, datetime

import httpx
import pytest
import respx
from jsonschema import Draft202012Validator, FormatChecker
from typer.testing import CliRunner

from conftest import REPO
from linkwatch.cli import check as cli_check
from linkwatch.cli.app import app
from linkwatch.models import Report, Status
from linkwatch.network.client import ClientOptions, build_client
from linkwatch.network.probe import Prober
from linkwatch.pipeline import archive
from linkwatch.report import OutputFormat, render
from linkwatch.report.json import load_report
from linkwatch.report.neutralise import markdown_link
from loopback import respond
from samples import make_link, make_outcome

API = "https://archive.org/wayback/available"
STARTED = datetime(2026, 11, 27, 3, 17, tzinfo=UTC)
GONE = "https://www.charity.org.uk/old-page"
# The availability API's answers, as it sends them.
FOUND = {
    "url": GONE,
    "archived_snapshots": {
        "closest": {
            "status": "200",
            "available": True,
            "url": f"http://web.archive.org/web/20190318093512/{GONE}",
            "timestamp": "20190318093512",
        }
    },
}
NONE = {"archived_snapshots": {}}


def broken_report(*urls: str, **kw) -> Report:
    outcomes = [
        make_outcome(make_link(i, f"link {i}", url), Status.BROKEN, http_status=404)
        for i, url in enumerate(urls)
    ]
    outcomes.append(make_outcome(make_link(len(urls), "fine", "https://ok.org.uk/"), Status.OK))
    return Report("0", "links.yaml", STARTED, STARTED, tuple(outcomes), **kw)


async def suggest(report: Report, **options) -> Report:
    options.setdefault("timeout", 2.0)
    async with build_client(ClientOptions()) as client:
        prober = Prober(client, archive.PROBE_SETTINGS)
        return await archive.suggest(report, prober, archive.ArchiveOptions(**options))


@pytest.mark.anyio
@respx.mock
async def test_snapshot_is_added_to_the_broken_link_on_https():
    """The closest snapshot's URL (on https) and capture time go into the broken outcome."""
    route = respx.get(API).respond(200, json=FOUND)
    report = await suggest(broken_report(GONE))
    gone, fine = report.outcomes
    assert gone.archive_url == f"https://web.archive.org/web/20190318093512/{GONE}"
    assert gone.archive_timestamp == datetime(2019, 3, 18, 9, 35, 12, tzinfo=UTC)
    assert fine.archive_url is None
    [call] = route.calls
    assert call.request.url.params["url"] == GONE
    assert call.request.url.params["timestamp"] == "20261127"
    assert call.request.headers["user-agent"].startswith("linkwatch")


@pytest.mark.anyio
@respx.mock
async def test_no_snapshot_is_no_suggestion():
    """`{"archived_snapshots": {}}` leaves the outcome as it was."""
    respx.get(API).respond(200, json=NONE)
    report = broken_report(GONE)
    assert await suggest(report) == report


@pytest.mark.anyio
@respx.mock
async def test_only_broken_links_are_asked_once_per_url():
    """Two broken links with one URL cost one request; healthy links cost none."""
    route = respx.get(API).respond(200, json=FOUND)
    report = await suggest(broken_report(GONE, GONE))
    assert route.call_count == 1
    assert [o.archive_url is not None for o in report.outcomes] == [True, True, False]


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(500),
        httpx.Response(404, json=NONE),
        httpx.Response(200, text="<html>not json</html>"),
        httpx.Response(200, json=[1, 2]),
        httpx.Response(200, json={"archived_snapshots": {"closest": "yes"}}),
        httpx.Response(
            200,
            json={
                "archived_snapshots": {
                    "closest": {**FOUND["archived_snapshots"]["closest"], "status": "404"}
                }
            },
        ),
        httpx.Response(
            200,
            json={
                "archived_snapshots": {
                    "closest": {
                        **FOUND["archived_snapshots"]["closest"],
                        "url": "https://evil.example/web/2019/x",
                    }
                }
            },
        ),
        httpx.Response(
            200,
            json={
                "archived_snapshots": {
                    "closest": {**FOUND["archived_snapshots"]["closest"], "timestamp": "soon"}
                }
            },
        ),
    ],
    ids=["500", "404", "html", "list", "odd-closest", "error-snapshot", "other-host", "bad-time"],
)
@pytest.mark.anyio
@respx.mock
async def test_bad_answers_are_no_suggestion(answer):
    """Errors, odd JSON, snapshots of error pages or on other hosts: simply no suggestion."""
    respx.get(API).mock(return_value=answer)
    report = broken_report(GONE)
    assert await suggest(report) == report


@pytest.mark.anyio
@respx.mock
async def test_connection_errors_are_no_suggestion():
    """A failed connection does not fail the run."""
    respx.get(API).mock(side_effect=httpx.ConnectError("refused"))
    report = broken_report(GONE)
    assert await suggest(report) == report


@pytest.mark.anyio
@respx.mock
async def test_slow_api_is_no_suggestion_within_the_timeout():
    """An API slower than the lookup timeout is given up on, quickly."""

    async def slow(request):
        await asyncio.sleep(5)
        return httpx.Response(200, json=FOUND)

    respx.get(API).mock(side_effect=slow)
    report = broken_report(GONE)
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await suggest(report, timeout=0.2) == report
    assert loop.time() - started < 2


@pytest.mark.anyio
@respx.mock
async def test_the_budget_keeps_what_arrived_in_time():
    """When the whole budget runs out, the snapshots found so far are kept."""

    async def answer(request):
        if request.url.params["url"].endswith("/slow"):
            await asyncio.sleep(5)
        return httpx.Response(200, json=FOUND)

    respx.get(API).mock(side_effect=answer)
    report = await suggest(
        broken_report(GONE, "https://www.charity.org.uk/slow"), timeout=10, budget=0.3
    )
    assert [o.archive_url is not None for o in report.outcomes] == [True, False, False]


@pytest.mark.anyio
@respx.mock
async def test_repeated_failures_stop_the_lookups():
    """After max_failures failed lookups the API is not asked again; 429 stops at once."""
    route = respx.get(API).respond(503)
    urls = [f"https://www.charity.org.uk/{i}" for i in range(10)]
    await suggest(broken_report(*urls), concurrency=1, max_failures=3)
    assert route.call_count == 3
    route.respond(429)
    route.reset()
    await suggest(broken_report(*urls), concurrency=1)
    assert route.call_count == 1


@pytest.mark.anyio
@respx.mock
async def test_offline_run_asks_nothing():
    """A run made without a network has no broken links to ask about."""
    route = respx.get(API).respond(200, json=FOUND)
    report = broken_report(GONE, network_unavailable=True)
    assert await suggest(report) == report
    assert route.call_count == 0


def test_parse_answer_reads_the_documented_shapes():
    """The documented answer gives a snapshot; the empty one gives None."""
    snapshot = archive.parse_answer(json.dumps(FOUND).encode())
    assert snapshot == archive.Snapshot(
        f"https://web.archive.org/web/20190318093512/{GONE}",
        datetime(2019, 3, 18, 9, 35, 12, tzinfo=UTC),
    )
    assert archive.parse_answer(json.dumps(NONE).encode()) is None
    assert archive.parse_answer(b"\xff") is None


def test_lookup_url_encodes_the_link():
    """The link is one query parameter, encoded; the timestamp is the run's day."""
    url = archive.lookup_url(API, "https://a.org.uk/?q=1&r=2#x", STARTED)
    assert url == (
        "https://archive.org/wayback/available?url=https%3A%2F%2Fa.org.uk%2F%3Fq%3D1%26r%3D2%23x"
        "&timestamp=20261127"
    )


def test_outcome_fields_default_to_none():
    """Outcomes made without the archive carry no suggestion."""
    outcome = make_outcome(make_link(0, "a", GONE), Status.BROKEN)
    assert (outcome.archive_url, outcome.archive_timestamp) == (None, None)
    assert dataclasses.replace(outcome, archive_url="x").archive_url == "x"


# ------------------------------------------------------------------ every format shows it
SNAPSHOT = f"https://web.archive.org/web/20190318093512/{GONE}"


def archived_report() -> Report:
    report = broken_report(GONE)
    gone = dataclasses.replace(
        report.outcomes[0],
        archive_url=SNAPSHOT,
        archive_timestamp=datetime(2019, 3, 18, 9, 35, 12, tzinfo=UTC),
    )
    return dataclasses.replace(report, outcomes=(gone, *report.outcomes[1:]))


def test_every_format_shows_the_archived_copy():
    """Table, json, markdown and github each carry the snapshot URL and its date."""
    report = archived_report()
    table = render(report, OutputFormat.TABLE, width=400)
    assert f"archived on 2019-03-18: {SNAPSHOT}" in table
    doc = json.loads(render(report, OutputFormat.JSON))
    assert doc["links"][0]["archive_url"] == SNAPSHOT
    assert doc["links"][0]["archive_timestamp"] == "2019-03-18T09:35:12+00:00"
    assert doc["links"][1]["archive_url"] is None
    markdown = render(report, OutputFormat.MARKDOWN)
    assert f"  - Archived copy on 2019-03-18: {markdown_link(SNAPSHOT)}\n" in markdown
    github = render(report, OutputFormat.GITHUB)
    assert f" Archived copy on 2019-03-18: {SNAPSHOT}\n" in github


def test_json_with_archive_validates_and_round_trips():
    """The new fields match the schema and load back into the same report."""
    schema = json.loads((REPO / "schema" / "report.schema.json").read_text(encoding="utf-8"))
    report = archived_report()
    text = render(report, OutputFormat.JSON)
    Draft202012Validator(schema, format_checker=FormatChecker()).validate(json.loads(text))
    assert load_report(text, "r.json") == report


def test_reports_without_the_fields_still_load():
    """A report saved before --suggest-archive existed reads back with no suggestion."""
    doc = json.loads(render(broken_report(GONE), OutputFormat.JSON))
    for record in doc["links"]:
        del record["archive_url"], record["archive_timestamp"]
    loaded = load_report(json.dumps(doc), "old.json")
    assert all(o.archive_url is None for o in loaded.outcomes)


# ------------------------------------------------------------------------- the command
@pytest.fixture
def wayback(server, monkeypatch):
    """A dead page and a fake availability API on 127.0.0.1, which check is pointed at."""
    asked: list[str] = []

    @server.route("/gone")
    async def gone(request, reader, writer):
        await respond(writer, 404, head=request.method == "HEAD")

    @server.route("/wayback/available")
    async def available(request, reader, writer):
        asked.append(request.path)
        closest = {**FOUND["archived_snapshots"]["closest"]}
        closest["url"] = f"http://web.archive.org/web/20190318093512/{server.url('/gone')}"
        body = json.dumps({"archived_snapshots": {"closest": closest}}).encode()
        await respond(writer, 200, {"Content-Type": "application/json"}, body)

    api = server.url("/wayback/available")
    monkeypatch.setattr(cli_check, "_archive_options", lambda: archive.ArchiveOptions(api_url=api))
    return server, asked


def test_check_suggest_archive_end_to_end(tmp_path, wayback):
    """`check --suggest-archive` puts the snapshot into the JSON report; the exit code stays 1."""
    server, asked = wayback
    path = tmp_path / "links.yaml"
    path.write_text(f"version: 1\nlinks:\n  - name: Gone\n    url: {server.url('/gone')}\n")
    args = ["check", "-c", str(path), "--allow-private", "--format", "json"]
    result = CliRunner().invoke(app, [*args, "--suggest-archive"])
    assert result.exit_code == 1, result.output
    [record] = json.loads(result.stdout)["links"]
    assert record["status"] == "broken"
    assert record["archive_url"] == (
        f"https://web.archive.org/web/20190318093512/{server.url('/gone')}"
    )
    assert len(asked) == 1
    assert "url=http%3A%2F%2F127.0.0.1" in asked[0]


def test_check_without_the_option_asks_nothing(tmp_path, wayback):
    """Off by default: no request to the archive, no field filled."""
    server, asked = wayback
    path = tmp_path / "links.yaml"
    path.write_text(f"version: 1\nlinks:\n  - name: Gone\n    url: {server.url('/gone')}\n")
    args = ["check", "-c", str(path), "--allow-private", "--format", "json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["links"][0]["archive_url"] is None
    assert asked == []


@pytest.mark.anyio
async def test_guard_refuses_a_private_archive_address(wayback):
    """The lookups go through the run's guard: without --allow-private, 127.0.0.1 is not asked."""
    server, asked = wayback
    options = archive.ArchiveOptions(api_url=server.url("/wayback/available"), timeout=2)
    report = broken_report(GONE)
    for allow_private, expected in ((False, 0), (True, 1)):
        async with build_client(ClientOptions(allow_private=allow_private)) as client:
            prober = Prober(client, archive.PROBE_SETTINGS)
            await archive.suggest(report, prober, options)
        assert len(asked) == expected
