"""`linkwatch sync github` as a user runs it, against the fake API."""

from __future__ import annotations

import json

import httpx
import pytest
from typer.testing import CliRunner

from factories import lid, link, night, run
from linkwatch.cli import sync as cli_sync
from linkwatch.cli.app import app
from linkwatch.history import statefile
from linkwatch.history import streaks as history
from linkwatch.models import Status
from linkwatch.tracker.github import GitHub
from tracker.fakegithub import TOKEN, FakeGitHub

runner = CliRunner()
A, B = link("Alpha", index=0), link("Beta", index=1)


@pytest.fixture
def fake(monkeypatch):
    fake = FakeGitHub()

    def connect(repo, token, api_url):
        return GitHub(
            repo,
            token,
            api_url=api_url,
            transport=fake.transport(),
            sleep=lambda seconds: None,
        )

    monkeypatch.setattr(cli_sync, "_github", connect)
    return fake


def sync(*args, token=TOKEN):
    env = {"GITHUB_TOKEN": token, "NO_COLOR": "1", "COLUMNS": "100"}
    return runner.invoke(app, ["sync", "github", "--repo", "safe/links", *args], env=env)


def report_json(tmp_path, statuses, *, offline=False):
    """A saved report in the full linkwatch.report/1 shape (what `check --format json` writes)."""
    rep = run(statuses, night(0))
    records = [
        {
            "id": lid(o.link),
            "index": o.link.index,
            "name": o.link.name,
            "category": o.link.category,
            "tags": list(o.link.tags),
            "owner": o.link.owner,
            "notes": o.link.notes,
            "source": o.link.source,
            "line": o.link.line,
            "column": o.link.column,
            "url_line": o.link.url_line,
            "url_column": o.link.url_column,
            "url": o.link.url,
            "keep_params": list(o.link.keep_params),
            "checked_url": o.checked_url,
            "stripped_params": list(o.stripped_params),
            "status": o.status.value,
            "http_status": o.http_status,
            "final_url": o.final_url,
            "redirects": [],
            "flags": [],
            "reason": o.reason,
            "action": o.action,
            "attempts": o.attempts,
            "elapsed_ms": o.elapsed_ms,
            "tls_expires": None,
            "title": None,
        }
        for o in rep.outcomes
    ]
    statuses_count = {}
    for o in rep.outcomes:
        statuses_count[o.status.value] = statuses_count.get(o.status.value, 0) + 1
    doc = {
        "schema": "linkwatch.report/1",
        "tool": "linkwatch",
        "tool_version": rep.tool_version,
        "config_path": rep.config_path,
        "started": rep.started.isoformat(),
        "finished": rep.finished.isoformat(),
        "duration_s": rep.duration_s,
        "network_unavailable": offline,
        "summary": {
            "total": len(records),
            "problems": sum(o.status is not Status.OK for o in rep.outcomes),
            "statuses": statuses_count,
            "flags": {},
        },
        "links": records,
    }
    path = tmp_path / "report.json"
    path.write_text(json.dumps(doc), "utf-8")
    return path


def state_file(tmp_path, *nights, fail_after=2):
    path = tmp_path / "state.json"
    state = history.State()
    for n, statuses in enumerate(nights):
        state = history.update(
            state, run(statuses, night(n)), night(n), history.Thresholds(fail_after)
        )
    statefile.save(path, state)
    return path


def test_help_has_an_example():
    """--help shows how to call it."""
    result = runner.invoke(
        app, ["sync", "github", "--help"], env={"NO_COLOR": "1", "COLUMNS": "100"}
    )
    assert result.exit_code == 0
    assert "linkwatch sync github --repo OWNER/NAME" in result.stdout


def test_report_creates_one_issue_and_rerun_is_quiet(fake, tmp_path):
    """A failing link in a report gets an issue; running again changes nothing."""
    report = report_json(tmp_path, {A: Status.BROKEN, B: Status.OK})
    first = sync("--report", str(report))
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines() == [
        f"create #1: link {lid(A)}: failing",
        "synced: 1 create",
    ]
    second = sync("--report", str(report))
    assert second.stdout == "synced: nothing to do\n"
    assert len(fake.issues) == 1


def test_state_applies_fail_after(fake, tmp_path):
    """With a state, a link failing once (pending) gets no issue; twice, it does."""
    once = state_file(tmp_path, {A: Status.BROKEN})
    assert sync("--state", str(once)).stdout == "synced: nothing to do\n"
    twice = state_file(tmp_path, {A: Status.BROKEN}, {A: Status.BROKEN})
    result = sync("--state", str(twice), "--report", str(report_json(tmp_path, {A: Status.BROKEN})))
    assert result.exit_code == 0
    assert "synced: 1 create" in result.stdout


def test_dry_run_prints_the_plan_and_writes_nothing(fake, tmp_path):
    """--dry-run lists each step and the summary, and sends no write."""
    report = report_json(tmp_path, {A: Status.BROKEN})
    result = sync("--report", str(report), "--dry-run")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"{'create':<24} {'new issue':<10} link {lid(A)}: failing",
        "plan: 1 create (dry run: nothing changed)",
    ]
    assert fake.issues == {}


def test_dry_run_works_without_a_token(fake, tmp_path, monkeypatch):
    """A dry run may list a public repository unauthenticated; no Authorization is sent."""
    seen = []

    def public(request):
        seen.append(request)
        return httpx.Response(200, json=[])

    monkeypatch.setattr(fake, "handle", public)
    report = report_json(tmp_path, {A: Status.BROKEN})
    result = sync("--report", str(report), "--dry-run", token="")
    assert result.exit_code == 0
    assert "plan: 1 create" in result.stdout
    assert len(seen) == 1
    assert "authorization" not in seen[0].headers


@pytest.mark.parametrize(
    ("args", "token", "message"),
    [
        ((), TOKEN, "sync needs --report, --state, or both"),
        (("--state", "missing.json"), TOKEN, "no such state file"),
        (("--report", "missing.json"), TOKEN, "cannot read"),
        (("--state", "x.json"), "", "set GITHUB_TOKEN"),
        (("--state", "x.json", "--label", "a,b"), TOKEN, "--label must be one label"),
    ],
)
@pytest.mark.usefixtures("fake")
def test_usage_errors_exit_2(tmp_path, monkeypatch, args, token, message):
    """Missing inputs, a missing token and bad options are one-line errors, exit 2."""
    monkeypatch.chdir(tmp_path)
    result = sync(*args, token=token)
    assert result.exit_code == 2
    assert message in result.stderr


def test_bad_repo_exits_2(fake, tmp_path):
    """--repo that is not OWNER/NAME is refused."""
    env = {"GITHUB_TOKEN": TOKEN}
    state = state_file(tmp_path, {A: Status.OK})
    result = runner.invoke(
        app, ["sync", "github", "--repo", "nope", "--state", str(state)], env=env
    )
    assert result.exit_code == 2
    assert "OWNER/NAME" in result.stderr


def test_offline_report_exits_3(fake, tmp_path):
    """A report made without a network is not synced (it would close every issue)."""
    report = report_json(tmp_path, {A: Status.ERROR}, offline=True)
    result = sync("--report", str(report))
    assert result.exit_code == 3
    assert "without a network" in result.stderr
    assert fake.requests == []


@pytest.mark.parametrize("status", [401, 403, 404])
def test_refusals_exit_2_without_the_token(fake, tmp_path, status):
    """401/403/404 are a clear message and exit 2, and the token appears nowhere."""
    fake.respond[("GET", f"/repos/{fake.repo}/issues")] = httpx.Response(
        status, json={"message": f"bad {TOKEN}"}
    )
    result = sync("--report", str(report_json(tmp_path, {A: Status.BROKEN})))
    assert result.exit_code == 2
    assert f"HTTP {status}" in result.stderr
    assert TOKEN not in result.output
    assert TOKEN not in result.stderr


def test_rate_limit_exits_2_and_rerun_finishes(fake, tmp_path):
    """A long rate limit stops with a message; the next run completes the work."""
    report = report_json(tmp_path, {A: Status.BROKEN, B: Status.BROKEN})
    fake.fail_after_writes = 1
    first = sync("--report", str(report))
    assert first.exit_code == 2
    assert "rate limit" in first.stderr
    assert "run sync again" in first.stderr
    fake.fail_after_writes = None
    second = sync("--report", str(report))
    assert second.exit_code == 0
    assert "synced: 1 create" in second.stdout
    assert len(fake.issues) == 2


def test_bad_report_is_a_located_error(fake, tmp_path):
    """A report that is not a linkwatch report is refused before any request."""
    path = tmp_path / "report.json"
    path.write_text('{"schema": "something/9"}', "utf-8")
    result = sync("--report", str(path))
    assert result.exit_code == 2
    assert "linkwatch.report/1" in result.stderr
    assert fake.requests == []


def test_api_url_reaches_the_client(monkeypatch, tmp_path):
    """--api-url is passed through for GitHub Enterprise."""
    seen = {}

    def connect(repo, token, api_url):
        seen["api_url"] = api_url
        return GitHub(
            repo,
            token,
            api_url=api_url,
            transport=httpx.MockTransport(lambda r: httpx.Response(200, json=[])),
        )

    monkeypatch.setattr(cli_sync, "_github", connect)
    state = state_file(tmp_path, {A: Status.OK})
    result = sync("--state", str(state), "--api-url", "https://ghe.example/api/v3")
    assert result.exit_code == 0
    assert seen == {"api_url": "https://ghe.example/api/v3"}
