"""`linkwatch sync github` as a user runs it, against the fake API."""

from __future__ import annotations

import json
from dataclasses import replace

import httpx
import pytest
from typer.testing import CliRunner

from factories import lid, link, night, run
from linkwatch.cli import sync as cli_sync
from linkwatch.cli.app import app
from linkwatch.history import statefile
from linkwatch.history import streaks as history
from linkwatch.models import Status
from linkwatch.tracker import body
from linkwatch.tracker import plan as tracker_plan
from linkwatch.tracker.github import GitHub
from tracker.checks import Checks
from tracker.fakegithub import TOKEN, FakeGitHub

runner = CliRunner()
A, B = link("Alpha", index=0), link("Beta", index=1)
C, D = link("Gamma", index=2), link("Delta", index=3)


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
        'create         #1    "Alpha" https://alpha.example.org/ (links.yaml:3): broken, HTTP 404',
        "synced: 1 create",
    ]
    second = sync("--report", str(report))
    assert second.stdout == "synced: nothing to do\n"
    assert len(fake.issues) == 1


def test_state_applies_fail_after(fake, tmp_path):
    """With a state, a link failing once (pending) gets no issue; twice, it does."""
    once = state_file(tmp_path, {A: Status.BROKEN})
    assert sync("--state", str(once)).stdout == "synced: nothing to do\n"
    checks = Checks(fail_after=2)
    checks.night({A: Status.BROKEN})
    checks.night({A: Status.BROKEN})
    report, state = checks.save(tmp_path)
    result = sync("--state", str(state), "--report", str(report))
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        'create         #1    "Alpha" https://alpha.example.org/ (links.yaml:3): broken, HTTP 404',
        "synced: 1 create",
    ]


@pytest.mark.parametrize("inputs", ["report", "state", "both"])
def test_first_failure_in_a_report_with_history_opens_nothing(fake, tmp_path, inputs):
    """At --fail-after 2 the first failing night is pending: with --report alone too."""
    checks = Checks(fail_after=2)
    checks.night({A: Status.BROKEN, B: Status.OK})
    report, state = checks.save(tmp_path)
    args = {
        "report": ("--report", str(report)),
        "state": ("--state", str(state)),
        "both": ("--report", str(report), "--state", str(state)),
    }[inputs]
    result = sync(*args)
    assert (result.exit_code, result.stdout) == (0, "synced: nothing to do\n")
    assert fake.issues == {}
    checks.night({A: Status.BROKEN, B: Status.OK})
    report, state = checks.save(tmp_path)
    result = sync(*args)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "synced: 1 create"
    assert [i.title for i in fake.ours()] == ["Link broken: Alpha"]


def test_report_alone_does_not_reopen_on_a_first_re_failure(fake, tmp_path):
    """A closed issue stays closed, without a comment, on the first failing night after it."""
    checks = Checks(fail_after=2)
    for statuses in ({A: Status.BROKEN}, {A: Status.BROKEN}, {A: Status.OK}):
        checks.night(statuses)
        assert sync("--report", str(checks.save(tmp_path)[0])).exit_code == 0
    (closed,) = fake.ours()
    assert (closed.state, len(closed.comments)) == ("closed", 1)
    checks.night({A: Status.BROKEN})
    result = sync("--report", str(checks.save(tmp_path)[0]))
    assert result.stdout == "synced: nothing to do\n"
    assert (closed.state, len(closed.comments)) == ("closed", 1)
    checks.night({A: Status.BROKEN})
    result = sync("--report", str(checks.save(tmp_path)[0]))
    assert result.stdout.splitlines() == [
        (
            'comment+update+reopen #1    "Alpha" https://alpha.example.org/ (links.yaml:3):'
            " failing again, broken, HTTP 404"
        ),
        "synced: 1 update, 1 comment, 1 reopen",
    ]
    assert closed.state == "open"
    assert "is failing since 2026-11-23." in (closed.body or "")


def test_a_stale_report_is_refused_with_what_to_do(fake, tmp_path):
    """Last night's report with tonight's state: exit 2, the report named as stale."""
    checks = Checks(fail_after=2)
    checks.night({A: Status.BROKEN})
    report, _ = checks.save(tmp_path, report_name="old-report.json")
    checks.night({A: Status.BROKEN})
    _, state = checks.save(tmp_path)
    result = sync("--report", str(report), "--state", str(state))
    assert result.exit_code == 2
    assert result.stderr == (
        f'error: {report} and {state} disagree about 1 link ("Alpha" is pending (1 failing'
        " run) in the report but failing (2 runs in a row) in the state):"
        f" {report} is stale: a later check run (2026-11-21 02:00 UTC) updated {state} after"
        " the report's run (2026-11-20 02:00 UTC). Sync with that run's report, or with"
        f" --state {state} alone\n"
    )
    assert fake.requests == []


def test_a_report_made_without_state_and_a_state_are_refused(fake, tmp_path):
    """A report without history cannot be checked against a state: exit 2, saying how to make one."""
    state = state_file(tmp_path, {A: Status.BROKEN})
    report = report_json(tmp_path, {A: Status.BROKEN})
    result = sync("--report", str(report), "--state", str(state))
    assert result.exit_code == 2
    assert result.stderr == (
        f'error: {report} and {state} disagree about 1 link ("Alpha" is healthy in the'
        f" report but pending (1 failing run) in the state): {report} carries no run history:"
        f" it was made without --state. Make it with `check --state {state} --format json`,"
        " or sync with only one of them\n"
    )


def test_dry_run_prints_the_plan_and_writes_nothing(fake, tmp_path):
    """--dry-run names each link, its issue and the change, and sends no write."""
    fake.add(*_issue_text({C: Status.BROKEN}, C))
    fake.add(*_issue_text({D: Status.BROKEN}, D), state="closed", state_reason="not_planned")
    fake.add(*_issue_text({B: Status.BROKEN}, B), state="closed")
    report = report_json(
        tmp_path, {A: Status.BROKEN, B: Status.ERROR, C: Status.OK, D: Status.BROKEN}
    )
    result = sync("--report", str(report), "--dry-run")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        'create         new   "Alpha" https://alpha.example.org/ (links.yaml:3): broken, HTTP 404',
        (
            'comment+update+reopen #3    "Beta" https://beta.example.org/ (links.yaml:7):'
            " failing again, error"
        ),
        (
            'comment+close  #1    "Gamma" https://gamma.example.org/ (links.yaml:11):'
            " recovered, ok (HTTP 200)"
        ),
        (
            'muted          #2    "Delta" https://delta.example.org/ (links.yaml:15):'
            " closed as not planned, left closed"
        ),
        (
            "plan: 1 create, 1 update, 2 comment, 1 reopen, 1 close (1 muted: closed as not"
            " planned) (dry run: nothing changed)"
        ),
    ]
    assert {r.method for r in fake.requests} == {"GET"}


def _issue_text(statuses, lk):
    failure = tracker_plan.wanted(run(statuses, night(0)), None).failures[lid(lk)]
    return body.title(failure), body.body(failure)


def test_issue_body_names_owner_category_and_line(fake, tmp_path):
    """The issue GitHub receives says who owns the link, its category and its line."""
    owned = replace(A, owner="@safeguarding-team", category="Helplines")
    result = sync("--report", str(report_json(tmp_path, {owned: Status.BROKEN})))
    assert result.exit_code == 0
    (issue,) = fake.ours()
    assert issue.assignees == []
    assert issue.body == (
        f"<!-- linkwatch:{lid(A)} -->\n"
        "<!-- linkwatch-sync status=broken -->\n"
        "**Alpha** is failing.\n"
        "\n"
        "- **URL:** `https://alpha.example.org/`\n"
        "- **Status:** broken (HTTP 404)\n"
        "- **Reason:** 404 Not Found\n"
        "- **What to do:** find the new address\n"
        "- **Owner:** @\u2060safeguarding-team\n"
        "- **Category:** Helplines\n"
        "- **In the list:** links.yaml:3\n"
        "\n"
        "_Kept up to date by `linkwatch sync github` and closed when the link recovers."
        " Close it as **not planned** to stop linkwatch from reopening it._\n"
    )


def test_assign_owners_assigns_handles_on_create_only(fake, tmp_path):
    """--assign-owners: a @handle owner is assigned when the issue opens, and never again."""
    fake.assignable = {"alice"}
    alpha = replace(A, owner="@alice")
    beta = replace(B, owner="@bob")
    gamma = replace(C, owner="Safeguarding team")
    statuses = {alpha: Status.BROKEN, beta: Status.BROKEN, gamma: Status.BROKEN}
    result = sync("--report", str(report_json(tmp_path, statuses)), "--assign-owners")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        (
            'create         #1    "Alpha" https://alpha.example.org/ (links.yaml:3):'
            " broken, HTTP 404; assign @alice"
        ),
        (
            'create         #2    "Beta" https://beta.example.org/ (links.yaml:7):'
            " broken, HTTP 404; not assignable here: @bob"
        ),
        'create         #3    "Gamma" https://gamma.example.org/ (links.yaml:11): broken, HTTP 404',
        "synced: 3 create",
    ]
    assert [(i.number, i.assignees) for i in fake.ours()] == [(1, ["alice"]), (2, []), (3, [])]
    # A maintainer hands #1 to carol; the status changes, then the link recovers.
    fake.issues[1].assignees = ["carol"]
    for status in (Status.ERROR, Status.OK):
        report = report_json(tmp_path, {alpha: status})
        assert sync("--report", str(report), "--assign-owners").exit_code == 0
    assert (fake.issues[1].state, fake.issues[1].assignees) == ("closed", ["carol"])
    writes = [json.loads(r.content) for r in fake.requests if r.method != "GET"]
    assert [w["assignees"] for w in writes if "assignees" in w] == [["alice"]]


def test_owners_are_not_assigned_without_the_flag(fake, tmp_path):
    """Assigning is opt-in: without --assign-owners nobody is asked or assigned."""
    fake.assignable = {"alice"}
    report = report_json(tmp_path, {replace(A, owner="@alice"): Status.BROKEN})
    assert sync("--report", str(report)).exit_code == 0
    assert fake.issues[1].assignees == []
    assert not any("/assignees/" in r.url.path for r in fake.requests)


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


def test_a_stale_state_is_refused_with_what_to_do(fake, tmp_path):
    """Tonight's report with last night's state: exit 2, the state named as stale."""
    checks = Checks(fail_after=2)
    checks.night({A: Status.BROKEN})
    _, state = checks.save(tmp_path, state_name="old-state.json")
    checks.night({A: Status.BROKEN})
    report, _ = checks.save(tmp_path)
    result = sync("--report", str(report), "--state", str(state))
    assert result.exit_code == 2
    assert result.stderr == (
        f'error: {report} and {state} disagree about 1 link ("Alpha" is failing (2 runs in a'
        f" row) in the report but pending (1 failing run) in the state): {state} is stale:"
        " its last check run was at 2026-11-20 02:00 UTC, before the report's run (2026-11-21"
        " 02:00 UTC), so the report was made with another state file. Sync with --report"
        f" {report} alone (its history decides), or pass the report and the state file of"
        f" the same `check --state {state}` run, or only one of them\n"
    )
    assert fake.requests == []


def test_dry_run_with_assign_owners_asks_but_writes_nothing(fake, tmp_path):
    """A dry run says whom it would assign, after asking GitHub (reads only)."""
    fake.assignable = {"alice"}
    statuses = {replace(A, owner="@alice"): Status.BROKEN, replace(B, owner="@bob"): Status.BROKEN}
    result = sync("--report", str(report_json(tmp_path, statuses)), "--assign-owners", "--dry-run")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        (
            'create         new   "Alpha" https://alpha.example.org/ (links.yaml:3):'
            " broken, HTTP 404; assign @alice"
        ),
        (
            'create         new   "Beta" https://beta.example.org/ (links.yaml:7):'
            " broken, HTTP 404; not assignable here: @bob"
        ),
        "plan: 2 create (dry run: nothing changed)",
    ]
    assert {r.method for r in fake.requests} == {"GET"}
    assert fake.issues == {}
