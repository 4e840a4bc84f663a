"""The GitHub client against a fake API: pagination, errors, rate limits, and a token that never leaks."""

from __future__ import annotations

import logging
import traceback

import httpx
import pytest

from linkwatch.errors import RateLimitedError, TrackerError, UsageError
from linkwatch.tracker.github import GitHub, Token, check_api_url, parse_repo
from linkwatch.tracker.plan import IssueState
from tracker.fakegithub import API, TOKEN, FakeGitHub


class Clock:
    """Time that moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake():
    return FakeGitHub()


@pytest.fixture
def clock():
    return Clock()


def client(fake, clock, token=TOKEN, **kw):
    return GitHub(
        fake.repo,
        Token(token) if token is not None else None,
        api_url=API,
        transport=fake.transport(),
        sleep=clock.sleep,
        clock=clock.time,
        **kw,
    )


def test_lists_150_issues_across_two_pages(fake, clock):
    """Listing follows Link rel=next, 100 per page, open and closed, only the label."""
    for n in range(150):
        fake.add(f"issue {n}", "body", state="closed" if n % 3 else "open")
    fake.add("other", "body", labels=["bug"])
    fake.add("a pull request", "body", pull_request=True)
    issues = client(fake, clock).list_issues("linkwatch")
    assert len(issues) == 150
    assert len({i.number for i in issues}) == 150
    gets = [r for r in fake.requests if r.method == "GET"]
    assert len(gets) == 2
    assert gets[0].url.params["per_page"] == "100"
    assert gets[0].url.params["state"] == "all"
    assert gets[0].url.params["labels"] == "linkwatch"
    assert sum(i.open for i in issues) == 50


def test_null_body_reads_as_empty(fake, clock):
    """GitHub's null body is an empty string, not a crash."""
    fake.add("no body", None)
    (issue,) = client(fake, clock).list_issues("linkwatch")
    assert issue.body == ""


def test_create_edit_comment_round_trip(fake, clock):
    """Create, comment, retitle and close reach the fake as the real API expects them."""
    gh = client(fake, clock)
    number = gh.create_issue("t", "b", "linkwatch")
    gh.add_comment(number, "hello")
    gh.edit_issue(number, title="t2", state=IssueState.CLOSED)
    issue = fake.issues[number]
    assert (issue.title, issue.body, issue.state, issue.state_reason) == (
        "t2",
        "b",
        "closed",
        "completed",
    )
    assert issue.comments == ["hello"]
    assert issue.labels == ["linkwatch"]


def test_can_assign_asks_github_per_login(fake, clock):
    """204 means assignable, 404 not; a login GitHub could not have is not even asked about."""
    fake.assignable = {"alice"}
    gh = client(fake, clock)
    assert [gh.can_assign(x) for x in ("alice", "bob", "-x", "a/b", "a" * 40)] == [
        True,
        False,
        False,
        False,
        False,
    ]
    assert [r.url.path for r in fake.requests] == [
        f"/repos/{fake.repo}/assignees/alice",
        f"/repos/{fake.repo}/assignees/bob",
    ]


def test_can_assign_reports_other_refusals(fake, clock):
    """A refusal other than 404 (a bad token) is still a tracker error, not a quiet no."""
    with pytest.raises(TrackerError, match="HTTP 401"):
        client(fake, clock, token="ghp_wrong").can_assign("alice")


def test_create_with_assignees(fake, clock):
    """Assignees go with the new issue."""
    fake.assignable = {"alice"}
    number = client(fake, clock).create_issue("t", "b", "linkwatch", assignees=("alice",))
    assert fake.issues[number].assignees == ["alice"]


def test_writes_are_paced_a_second_apart(fake, clock):
    """Mutations wait for GitHub's one-second spacing; reads do not."""
    gh = client(fake, clock)
    gh.list_issues("linkwatch")
    gh.create_issue("a", "b", "linkwatch")
    gh.create_issue("c", "d", "linkwatch")
    assert clock.sleeps == [1.0]


def test_dropped_label_stops_the_run(fake, clock):
    """An issue created without the label would be invisible next run: stop, say why."""
    fake.label_dropping = True
    with pytest.raises(TrackerError, match="without the label 'linkwatch'"):
        client(fake, clock).create_issue("t", "b", "linkwatch")


@pytest.mark.parametrize(
    ("status", "message", "expected"),
    [
        (401, "Bad credentials", "GitHub rejected the token (HTTP 401): check GITHUB_TOKEN"),
        (403, "Resource not accessible by integration", "refused access to safe/links (HTTP 403)"),
        (404, "Not Found", "safe/links not found at https://api.github.test"),
        (410, "Issues are disabled for this repo", "issues are disabled in safe/links (HTTP 410)"),
        (
            422,
            "Validation Failed",
            "GitHub answered HTTP 422 to GET (GitHub said: Validation Failed)",
        ),
    ],
)
def test_http_errors_become_clear_messages(fake, clock, status, message, expected):
    """Each refusal names the repository and what to check."""
    path = f"/repos/{fake.repo}/issues"
    fake.respond[("GET", path)] = httpx.Response(status, json={"message": message})
    with pytest.raises(TrackerError) as info:
        client(fake, clock).list_issues("linkwatch")
    assert expected in str(info.value)
    assert info.value.exit_code == 2


def test_missing_token_401_says_to_set_it(fake, clock):
    """Without GITHUB_TOKEN a 401 asks for one."""
    with pytest.raises(TrackerError, match="GitHub needs a token"):
        client(fake, clock, token=None).list_issues("linkwatch")


def test_wrong_repo_is_404(fake, clock):
    """A repository the fake does not hold answers 404, as GitHub does for private ones."""
    gh = GitHub("someone/else", Token(TOKEN), api_url=API, transport=fake.transport())
    with pytest.raises(TrackerError, match="someone/else not found"):
        gh.list_issues("linkwatch")


@pytest.mark.parametrize(
    "headers",
    [
        {"retry-after": "30"},
        {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(1_800_000_000 + 29)},
    ],
)
def test_short_rate_limit_is_waited_out(fake, clock, headers):
    """A rate limit with a short wait is slept through and the request retried."""
    answers = iter([httpx.Response(403, json={"message": "rate"}, headers=headers)])
    real = fake.handle

    def flaky(request):
        try:
            return next(answers)
        except StopIteration:
            return real(request)

    fake.handle = flaky
    fake.add("x", "y")
    assert len(client(fake, clock).list_issues("linkwatch")) == 1
    assert clock.sleeps == [30.0]


def test_secondary_rate_limit_without_headers_waits_a_minute(fake, clock):
    """A secondary limit that names no time waits GitHub's advised minute."""
    answers = iter(
        [httpx.Response(403, json={"message": "You have exceeded a secondary rate limit."})]
    )
    real = fake.handle
    fake.handle = lambda request: next(answers, None) or real(request)
    client(fake, clock).list_issues("linkwatch")
    assert clock.sleeps == [60.0]


def test_long_rate_limit_stops_with_the_time_it_lifts(fake, clock):
    """A wait beyond max_wait ends the run with when to retry, exit 2."""
    fake.fail_after_writes = 0
    fake.rate_limit_headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1800003600"}
    with pytest.raises(RateLimitedError) as info:
        client(fake, clock).create_issue("t", "b", "linkwatch")
    assert "lifts at 2027-01-15 09:00:01 UTC" in str(info.value)
    assert "run sync again" in str(info.value)
    assert fake.issues == {}


def test_rate_limit_retries_are_bounded(fake, clock):
    """Endless short rate limits give up after a few waits."""
    fake.fail_after_writes = 0
    fake.rate_limit_headers = {"retry-after": "1"}
    with pytest.raises(RateLimitedError):
        client(fake, clock).create_issue("t", "b", "linkwatch")
    assert clock.sleeps.count(1.0) >= 3


def test_server_errors_retry_reads_but_not_creates(fake, clock):
    """A 502 on GET is retried; a 502 on POST is not (it may have created the issue)."""
    path = f"/repos/{fake.repo}/issues"
    fake.respond[("GET", path)] = httpx.Response(502, json={"message": "Bad gateway"})
    with pytest.raises(TrackerError, match="HTTP 502 to GET"):
        client(fake, clock).list_issues("linkwatch")
    assert len(fake.requests) == 3
    fake.requests.clear()
    fake.respond[("POST", path)] = httpx.Response(502, json={"message": "Bad gateway"})
    with pytest.raises(TrackerError, match="HTTP 502 to POST"):
        client(fake, clock).create_issue("t", "b", "linkwatch")
    assert len(fake.requests) == 1


def test_network_failure_is_a_tracker_error(clock):
    """A connection failure names the API, not the token."""

    def refuse(request):
        raise httpx.ConnectError("connection refused", request=request)

    gh = GitHub(
        "safe/links",
        Token(TOKEN),
        api_url=API,
        transport=httpx.MockTransport(refuse),
        sleep=clock.sleep,
        clock=clock.time,
    )
    with pytest.raises(TrackerError, match=r"cannot reach https://api.github.test \(GET\)"):
        gh.list_issues("linkwatch")


def test_next_page_on_another_host_is_refused(fake, clock):
    """The token is never sent to a host a Link header names."""
    path = f"/repos/{fake.repo}/issues"
    fake.respond[("GET", path)] = httpx.Response(
        200, json=[], headers={"link": '<https://evil.example/steal?page=2>; rel="next"'}
    )
    with pytest.raises(TrackerError, match="another host"):
        client(fake, clock).list_issues("linkwatch")
    assert all(r.url.host == "api.github.test" for r in fake.requests)


def test_non_json_answer_is_a_tracker_error(fake, clock):
    """An HTML error page where JSON was expected is reported, not a crash."""
    path = f"/repos/{fake.repo}/issues"
    fake.respond[("GET", path)] = httpx.Response(200, text="<html>proxy</html>")
    with pytest.raises(TrackerError, match="not JSON"):
        client(fake, clock).list_issues("linkwatch")


def test_token_never_leaks(fake, clock, caplog):
    """Not in reprs, error messages, chained tracebacks or debug logs, even if echoed back."""
    caplog.set_level(logging.DEBUG)
    gh = client(fake, clock)
    assert TOKEN not in repr(gh)
    assert TOKEN not in repr(Token(TOKEN))
    assert TOKEN not in str(Token(TOKEN))
    path = f"/repos/{fake.repo}/issues"
    fake.respond[("GET", path)] = httpx.Response(403, json={"message": f"token {TOKEN} is bad"})
    with pytest.raises(TrackerError) as info:
        gh.list_issues("linkwatch")
    rendered = "".join(traceback.format_exception(info.value))
    assert TOKEN not in rendered
    assert TOKEN not in repr(info.value)
    assert "***" in str(info.value)

    def refuse(request):
        raise httpx.ConnectError(f"failed with {request.headers['authorization']}", request=request)

    broken = GitHub("safe/links", Token(TOKEN), api_url=API, transport=httpx.MockTransport(refuse))
    broken._sleep = clock.sleep
    with pytest.raises(TrackerError) as info:
        broken.list_issues("linkwatch")
    assert TOKEN not in str(info.value)
    assert TOKEN not in caplog.text
    # The fake did receive it: the test would pass vacuously otherwise.
    assert fake.requests[0].headers["authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize("repo", ["nope", "a/b/c", "/b", "a/", "a b/c", "a/..", "-x/y"])
def test_bad_repo_is_a_usage_error(repo):
    """--repo must be OWNER/NAME."""
    with pytest.raises(UsageError, match="OWNER/NAME"):
        parse_repo(repo)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://x",
        "https://",
        "https://u:p@ghe.example/api",
        "https://x/api?q=1",
        "http://ghe.example/api/v3",
    ],
)
def test_bad_api_url_is_a_usage_error(url):
    """--api-url must be a plain http(s) URL."""
    with pytest.raises(UsageError, match="--api-url"):
        check_api_url(url)


def test_enterprise_api_url_is_used_as_the_root():
    """A GHE root like https://ghe.example/api/v3/ prefixes every path."""
    seen = []

    def record(request):
        seen.append(str(request.url))
        return httpx.Response(200, json=[])

    gh = GitHub(
        "safe/links",
        Token(TOKEN),
        api_url="https://ghe.example/api/v3/",
        transport=httpx.MockTransport(record),
    )
    gh.list_issues("linkwatch")
    assert seen[0].startswith("https://ghe.example/api/v3/repos/safe/links/issues?")


def _answer_once(fake, response):
    """Makes the fake give ``response`` to the next request, then behave normally."""
    answers = iter([response])
    real = fake.handle
    fake.handle = lambda request: next(answers, None) or real(request)


def test_retry_after_as_an_http_date(fake, clock):
    """Retry-After may be a date; the wait is until then."""
    when = "Fri, 15 Jan 2027 08:00:45 GMT"  # 45 s after the fake clock's now
    _answer_once(fake, httpx.Response(429, headers={"retry-after": when}))
    client(fake, clock).list_issues("linkwatch")
    assert clock.sleeps == [45.0]


@pytest.mark.parametrize("headers", [{"retry-after": "soon"}, {"x-ratelimit-remaining": "0"}, {}])
def test_unreadable_rate_limit_waits_a_minute(fake, clock, headers):
    """A 429 whose timing cannot be read waits GitHub's advised minute."""
    _answer_once(fake, httpx.Response(429, headers=headers, text="slow down"))
    client(fake, clock).list_issues("linkwatch")
    assert clock.sleeps == [60.0]


@pytest.mark.parametrize(
    ("method", "answer", "message"),
    [
        ("GET", {"message": "not a list"}, "not a list"),
        ("POST", {"title": "no number"}, "did not say its number"),
    ],
)
def test_malformed_answers_are_tracker_errors(fake, clock, method, answer, message):
    """An answer of the wrong shape stops the run with a message."""
    fake.respond[(method, f"/repos/{fake.repo}/issues")] = httpx.Response(200, json=answer)
    gh = client(fake, clock)
    call = gh.list_issues if method == "GET" else lambda label: gh.create_issue("t", "b", label)
    with pytest.raises(TrackerError, match=message):
        call("linkwatch")


def test_plain_text_error_body_still_gives_the_status(fake, clock):
    """An error page without JSON still yields the HTTP status in the message."""
    fake.respond[("GET", f"/repos/{fake.repo}/issues")] = httpx.Response(404, text="<html>")
    with pytest.raises(TrackerError, match=r"\(HTTP 404\)$"):
        client(fake, clock).list_issues("linkwatch")


def test_plain_http_is_only_for_loopback():
    """http:// is accepted for a local test server, nowhere else."""
    assert check_api_url("http://127.0.0.1:8080/") == "http://127.0.0.1:8080"
    assert check_api_url("http://localhost/api") == "http://localhost/api"


@pytest.mark.parametrize("value", ["", "tok en", "tok\nen", "tök"])
def test_malformed_token_is_refused_without_echo(value):
    """A token that cannot be a header is a usage error that does not repeat it."""
    with pytest.raises(UsageError) as info:
        Token(value)
    assert "GITHUB_TOKEN" in str(info.value)
    assert value not in str(info.value) or not value
