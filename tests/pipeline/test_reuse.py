"""check --reuse-ok AGE: links found healthy less than AGE ago (by the state file) are not
requested again, and are reported as cached with their age; failures are always re-checked."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from linkwatch.errors import UsageError
from linkwatch.judgement.classify import age_text
from linkwatch.pipeline.check import CheckSettings, check, parse_age
from linkwatch.report import OutputFormat
from loopback import respond

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def site(server):
    @server.route("/ok")
    async def ok(request, reader, writer):
        await respond(writer, 200, head=request.method == "HEAD")

    return server


def run_at(tmp_path, site, when: datetime, reuse: str | None):
    links = tmp_path / "links.yaml"
    links.write_text(
        "version: 1\nlinks:\n"
        f"  - name: Fine\n    url: {site.url('/ok')}\n"
        f"  - name: Gone\n    url: {site.url('/gone')}\n"
        f"  - name: Tracked\n    url: {site.url('/ok')}?utm_source=x&page=2\n",
        encoding="utf-8",
    )
    result = check(
        CheckSettings(
            config=links,
            allow_private=True,
            state=tmp_path / "state.json",
            reuse_ok=parse_age(reuse) if reuse else None,
            reuse_ok_text=reuse or "",
            format=OutputFormat.JSON,
            now=lambda: when,
        )
    )
    return result, json.loads(result.text)["links"]


def test_healthy_links_are_reused_and_failures_checked_again(tmp_path, site):
    """30 min later with --reuse-ok 1h: the ok links are cached, the 404 is requested again."""
    run_at(tmp_path, site, START, None)
    assert dict(site.hits) == {"/ok": 2, "/gone": 1}
    result, records = run_at(tmp_path, site, START + timedelta(minutes=30), "1h")
    assert dict(site.hits) == {"/ok": 2, "/gone": 2}
    assert [(r["status"], r["flags"], r["reason"]) for r in records] == [
        ("ok", ["cached"], "ok 30 min ago, not checked again (--reuse-ok 1h)"),
        ("broken", [], "the page is not found (404)"),
        (
            "ok",
            ["tracking_params", "cached"],
            "ok 30 min ago, not checked again (--reuse-ok 1h)",
        ),
    ]
    assert result.exit_code == 1  # the 404 still fails the run


def test_a_cached_run_does_not_make_a_link_younger(tmp_path, site):
    """The age counts from the last real check: after AGE, the link is requested again."""
    run_at(tmp_path, site, START, None)
    run_at(tmp_path, site, START + timedelta(minutes=40), "1h")
    _, records = run_at(tmp_path, site, START + timedelta(minutes=70), "1h")
    assert site.hits["/ok"] == 4
    assert next((r["status"], r["flags"]) for r in records) == ("ok", [])
    state = json.loads((tmp_path / "state.json").read_text(encoding="utf-8"))
    fine = next(v for v in state["links"].values() if v["name"] == "Fine")
    assert fine["last_healthy"] == "2026-12-01T10:10:00Z"
    assert "last_healthy" not in next(v for v in state["links"].values() if v["name"] == "Gone")


def test_reuse_ok_needs_the_state_file(tmp_path, site):
    """Without --state there is nothing to reuse: exit 2 before any request."""
    with pytest.raises(UsageError) as raised:
        check(CheckSettings(config=tmp_path / "x.yaml", reuse_ok=timedelta(hours=1)))
    assert str(raised.value) == (
        "--reuse-ok needs --state FILE (the results it reuses are kept there)"
    )


@pytest.mark.parametrize(
    ("text", "age"),
    [("90s", timedelta(seconds=90)), ("30m", timedelta(minutes=30)), ("1h", timedelta(hours=1)),
     ("1D", timedelta(days=1)), (" 2w ", timedelta(weeks=2))],
)  # fmt: skip
def test_ages(text, age):
    """AGE is a whole number and one unit: s, m, h, d or w."""
    assert parse_age(text) == age


@pytest.mark.parametrize("text", ["1", "h", "0h", "1.5h", "1h30m", "-1h", "1y"])
def test_bad_ages_are_usage_errors(text):
    """Anything else is refused with an example."""
    with pytest.raises(UsageError) as raised:
        parse_age(text)
    assert str(raised.value) == (
        f"--reuse-ok {text!r}: give an age such as 30m, 1h or 1d (s, m, h, d, w)"
    )


@pytest.mark.parametrize(
    ("age", "text"),
    [
        (timedelta(seconds=59), "under a minute"),
        (timedelta(minutes=1), "1 min"),
        (timedelta(minutes=59, seconds=59), "59 min"),
        (timedelta(hours=1), "1 h"),
        (timedelta(hours=5, minutes=12), "5 h 12 min"),
        (timedelta(days=1), "1 d"),
        (timedelta(days=2, hours=4, minutes=30), "2 d 4 h"),
    ],
)
def test_age_text(age, text):
    """An age reads as a person says it."""
    assert age_text(age) == text
