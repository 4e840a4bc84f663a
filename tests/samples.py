"""One sample report with every status, several flags and hostile strings, for every format."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from linkwatch.models import Flag, Hop, Link, Outcome, Policy, Report, Status

STARTED = datetime(2026, 11, 27, 3, 17, tzinfo=UTC)

# Strings a server or a careless (or hostile) editor could put in a report.
HOSTILE_NAME = "[bold red]Pwned[/] @everyone <img src=x onerror=alert(1)> **bold** #1"
HOSTILE_TITLE = "\x1b[2J\x1b]0;owned\x07Title\u202eevil\u202c ::error::fake %0A"
HOSTILE_REASON = "server said:\r\n::warning file=x::injected\n[link](https://evil.example) `code`"


def make_link(index: int, name: str, url: str, **kw) -> Link:
    line = 3 + index * 4
    return Link(
        index=index,
        name=name,
        url=url,
        line=line,
        column=5,
        url_line=line + 1,
        url_column=10,
        **kw,
    )


def make_outcome(link: Link, status: Status, **kw) -> Outcome:
    defaults = {
        "checked_url": link.url,
        "stripped_params": (),
        "reason": f"{status.value} reason",
        "action": f"{status.value} action",
        "attempts": 1,
        "elapsed_ms": 120,
    }
    defaults.update(kw)
    return Outcome(link=link, status=status, **defaults)


def sample_outcomes() -> tuple[Outcome, ...]:
    return (
        make_outcome(
            make_link(0, "Childline", "https://www.childline.example/"),
            Status.OK,
            http_status=200,
            final_url="https://www.childline.example/",
            redirects=(Hop("https://www.childline.example/", 200),),
            tls_expires=datetime(2027, 1, 1, tzinfo=UTC),
            title="Childline | Call 0800 1111",
        ),
        make_outcome(
            make_link(
                1,
                "NSPCC advice",
                "https://nspcc.example/advice?utm_source=news&id=4",
                category="advice",
                tags=("parents",),
            ),
            Status.OK,
            checked_url="https://nspcc.example/advice?id=4",
            stripped_params=("utm_source",),
            flags=(Flag.TRACKING_PARAMS, Flag.TLS_EXPIRING),
            http_status=200,
            reason="ok, but the certificate expires in 5 days",
            action="remove the tracking parameters; tell the site owner about the certificate",
            tls_expires=datetime(2026, 12, 2, tzinfo=UTC),
        ),
        make_outcome(
            make_link(2, "Moved helpline", "http://helpline.example/old"),
            Status.REDIRECTED,
            http_status=200,
            final_url="https://helpline.example/new-and-much-longer-path/that/does/not/fit/anywhere",
            redirects=(
                Hop("http://helpline.example/old", 301),
                Hop(
                    "https://helpline.example/new-and-much-longer-path/that/does/not/fit/anywhere",
                    200,
                ),
            ),
            reason="moved permanently",
            action="update the URL to the final one (linkwatch rewrite --adopt-redirects)",
        ),
        make_outcome(
            make_link(3, HOSTILE_NAME, "https://evil.example/@admin?q=<script>"),
            Status.BROKEN,
            http_status=404,
            reason=HOSTILE_REASON,
            action="replace the link or remove it",
            title=HOSTILE_TITLE,
        ),
        make_outcome(
            make_link(4, "Hijacked charity", "https://charity.example/"),
            Status.REDIRECTED,
            flags=(Flag.CROSS_SITE_REDIRECT, Flag.PARKED_DOMAIN),
            http_status=200,
            final_url="https://casino.example/landing",
            redirects=(
                Hop("https://charity.example/", 302),
                Hop("https://casino.example/landing", 200),
            ),
            reason="redirects to another site: casino.example",
            action="check by hand: the domain may have lapsed; remove the link if so",
        ),
        make_outcome(
            make_link(5, "Slow forum", "https://forum.example/"),
            Status.ERROR,
            reason="timed out after 30 s (3 attempts)",
            action="try again later; remove the link if it keeps failing",
            attempts=3,
            elapsed_ms=30000,
        ),
        make_outcome(
            make_link(6, "Members area", "https://members.example/"),
            Status.BLOCKED,
            http_status=403,
            reason="the server refuses automated requests (403)",
            action="check it in a browser; add accept: [403] if it works there",
        ),
        make_outcome(
            make_link(
                7,
                "Intranet",
                "https://intranet.example/",
                policy=Policy(skip="only reachable from the office"),
            ),
            Status.SKIPPED,
            reason="skipped: only reachable from the office",
            action="",
            attempts=0,
            elapsed_ms=0,
        ),
    )


def sample_report(**kw) -> Report:
    fields = {
        "tool_version": "0.1.0",
        "config_path": "links.yaml",
        "started": STARTED,
        "finished": STARTED + timedelta(seconds=2.34),
        "outcomes": sample_outcomes(),
    }
    fields.update(kw)
    return Report(**fields)
