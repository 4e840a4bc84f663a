"""Scripted nights: check with --state, then sync github, against the fake tracker."""

from __future__ import annotations

import pytest

from factories import lid, link, night, run
from linkwatch.errors import RateLimitedError
from linkwatch.history import statefile
from linkwatch.models import Status
from linkwatch.tracker import body
from linkwatch.tracker.github import GitHub, Token
from linkwatch.tracker.plan import Failure, wanted
from linkwatch.tracker.sync import sync
from tracker.fakegithub import API, TOKEN, FakeGitHub

OK, BROKEN, ERROR = Status.OK, Status.BROKEN, Status.ERROR
A, B, C = link("Alpha", index=0), link("Beta", index=1), link("Gamma", index=2)


class Nights:
    """Runs check (history) then sync each night, like the nightly workflow."""

    def __init__(self, tmp_path, fake, *, fail_after=2, recover_after=1):
        self.state_path = tmp_path / "state.json"
        self.fake = fake
        self.fail_after = fail_after
        self.recover_after = recover_after
        self.n = 0
        self.sleeps: list[float] = []

    def github(self):
        return GitHub(
            self.fake.repo,
            Token(TOKEN),
            api_url=API,
            transport=self.fake.transport(),
            sleep=self.sleeps.append,
            clock=lambda: 1_800_000_000.0 + len(self.sleeps),
        )

    def check(self, statuses):
        rep = run(statuses, night(self.n))
        remembered = statefile.remember(
            rep,
            self.state_path,
            now=night(self.n),
            fail_after=self.fail_after,
            recover_after=self.recover_after,
        )
        self.n += 1
        return wanted(rep, remembered.state)

    def sync(self, wanted_now):
        with self.github() as gh:
            return sync(gh, wanted_now, "linkwatch")

    def night(self, statuses):
        """One night: check, sync, then prove a second sync has nothing left to do."""
        wanted_now = self.check(statuses)
        the_plan = self.sync(wanted_now)
        assert self.sync(wanted_now).steps == ()
        return the_plan


def by_link(fake):
    """Issues by link id; fails on any duplicate."""
    found = {}
    for issue in fake.ours():
        parsed = body.parse(issue.body)
        assert parsed is not None
        assert parsed[0] not in found, f"duplicate issue for {parsed[0]}"
        found[parsed[0]] = issue
    return found


def test_the_done_when_script_at_fail_after_two(tmp_path):
    """Links fail and recover over six nights; exactly the expected issues open, change and close."""
    fake = FakeGitHub()
    nights = Nights(tmp_path, fake, fail_after=2)

    nights.night({A: BROKEN, B: OK, C: BROKEN})  # both pending: nothing yet
    assert fake.issues == {}

    nights.night({A: BROKEN, B: BROKEN, C: OK})  # A is a problem; B pending; C reset
    issues = by_link(fake)
    assert set(issues) == {lid(A)}
    assert issues[lid(A)].title == "Link broken: Alpha"
    assert "failing since 2026-11-20" in issues[lid(A)].body

    nights.night({A: ERROR, B: BROKEN, C: OK})  # A changes status; B becomes a problem
    issues = by_link(fake)
    assert set(issues) == {lid(A), lid(B)}
    assert issues[lid(A)].title == "Link error: Alpha"
    assert len(issues[lid(A)].comments) == 1
    assert "from **broken** to **error**" in issues[lid(A)].comments[0]

    nights.night({A: OK, B: BROKEN, C: BROKEN})  # A recovers; B persists; C pending
    issues = by_link(fake)
    assert issues[lid(A)].state == "closed"
    assert "Recovered" in issues[lid(A)].comments[-1]
    assert issues[lid(B)].state == "open"
    assert issues[lid(B)].comments == []

    nights.night({A: BROKEN, B: OK})  # A pending again; B recovers; C removed from the list
    issues = by_link(fake)
    assert [issues[lid(x)].state for x in (A, B)] == ["closed", "closed"]
    assert lid(C) not in issues

    nights.night({A: BROKEN, B: OK})  # A relapses: its issue is reopened, not duplicated
    issues = by_link(fake)
    assert set(issues) == {lid(A), lid(B)}
    assert issues[lid(A)].state == "open"
    assert issues[lid(A)].number == 1
    assert "Failing again" in issues[lid(A)].comments[-1]
    assert len(fake.issues) == 2
    assert [i.labels for i in fake.issues.values()] == [["linkwatch"], ["linkwatch"]]


def test_flapping_link_never_opens_an_issue(tmp_path):
    """Broken every other night never reaches two in a row at --fail-after 2."""
    fake = FakeGitHub()
    nights = Nights(tmp_path, fake, fail_after=2)
    for n in range(8):
        nights.night({A: BROKEN if n % 2 == 0 else OK})
    assert fake.issues == {}


def test_recover_after_two_keeps_the_issue_open_through_one_good_night(tmp_path):
    """At --recover-after 2 a flapping recovery does not close and reopen the issue."""
    fake = FakeGitHub()
    nights = Nights(tmp_path, fake, fail_after=1, recover_after=2)
    nights.night({A: BROKEN})
    nights.night({A: OK})
    assert by_link(fake)[lid(A)].state == "open"
    nights.night({A: BROKEN})
    nights.night({A: OK})
    nights.night({A: OK})
    issue = by_link(fake)[lid(A)]
    assert issue.state == "closed"
    assert len(issue.comments) == 1  # only the closing comment: no churn while flapping


def test_150_existing_issues_are_paged_and_not_duplicated(tmp_path):
    """With 150 older issues in the tracker, the link's own issue (on page 2) is found."""
    fake = FakeGitHub()
    rep = run({A: BROKEN}, night(0))
    own = wanted(rep, None).failures[lid(A)]
    fake.add(body.title(own), body.body(own))  # number 1: the last page, newest first
    for n in range(150):
        other = Failure(f"old{n:09d}", f"Old {n}", f"https://old{n}.example/", BROKEN, "gone")
        fake.add(body.title(other), body.body(other), state="closed", state_reason="completed")
    with GitHub(fake.repo, Token(TOKEN), api_url=API, transport=fake.transport()) as gh:
        the_plan = sync(gh, wanted(rep, None), "linkwatch")
    assert the_plan.steps == ()
    assert len(fake.issues) == 151
    assert sum(r.method == "GET" for r in fake.requests) == 2


def test_rate_limited_mid_run_then_rerun_converges(tmp_path):
    """A long rate limit stops the run part-way; the next run finishes without duplicates."""
    fake = FakeGitHub()
    nights = Nights(tmp_path, fake, fail_after=1)
    links = [link(f"Link {i}", index=i) for i in range(5)]
    wanted_now = nights.check(dict.fromkeys(links, BROKEN))
    fake.fail_after_writes = 2
    with pytest.raises(RateLimitedError, match="run sync again"):
        nights.sync(wanted_now)
    assert len(fake.issues) == 2
    fake.fail_after_writes = None
    the_plan = nights.sync(wanted_now)
    assert [s.verbs for s in the_plan.steps] == [("create",)] * 3
    assert set(by_link(fake)) == {lid(x) for x in links}
    assert nights.sync(wanted_now).steps == ()


def test_rate_limited_between_comment_and_close_converges(tmp_path):
    """A stop between a closing comment and the close finishes next run (comment repeated)."""
    fake = FakeGitHub()
    nights = Nights(tmp_path, fake, fail_after=1)
    nights.night({A: BROKEN, B: BROKEN})
    wanted_now = nights.check({A: OK, B: OK})
    fake.writes = 0
    fake.fail_after_writes = 3  # comment A, close A, comment B, then the close of B is refused
    with pytest.raises(RateLimitedError):
        nights.sync(wanted_now)
    fake.fail_after_writes = None
    nights.sync(wanted_now)
    issues = by_link(fake)
    assert [issues[lid(x)].state for x in (A, B)] == ["closed", "closed"]
    # At-least-once: the interrupted issue was told twice rather than never.
    assert len(issues[lid(A)].comments) == 1
    assert len(issues[lid(B)].comments) == 2
    assert nights.sync(wanted_now).steps == ()


def test_dry_run_touches_nothing(tmp_path):
    """--dry-run lists and plans, and sends no write."""
    fake = FakeGitHub()
    rep = run({A: BROKEN}, night(0))
    with GitHub(fake.repo, Token(TOKEN), api_url=API, transport=fake.transport()) as gh:
        the_plan = sync(gh, wanted(rep, None), "linkwatch", dry_run=True)
    assert [s.verbs for s in the_plan.steps] == [("create",)]
    assert fake.issues == {}
    assert {r.method for r in fake.requests} == {"GET"}


def test_muted_issue_stays_closed(tmp_path):
    """An issue a maintainer closed as not planned is not reopened by later failures."""
    fake = FakeGitHub()
    nights = Nights(tmp_path, fake, fail_after=1)
    nights.night({A: BROKEN})
    issue = by_link(fake)[lid(A)]
    issue.state, issue.state_reason = "closed", "not_planned"
    nights.night({A: BROKEN})
    nights.night({A: ERROR})
    assert issue.state == "closed"
    assert issue.comments == []
