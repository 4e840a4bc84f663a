"""fix's judgement: which redirect chains a report proves, and which wait for a human."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from factories import FIX_STARTED as STARTED
from factories import redirected as outcome
from linkwatch.listfile import config, fix
from linkwatch.models import Flag, Hop, Outcome, Report, Status


def plan_for(url: str, hops, **kw) -> fix.FixPlan:
    text = f"version: 1\nlinks:\n  - name: A\n    url: {url}\n"
    link = config.loads(text).links[0]
    report = Report("0", "links.yaml", STARTED, STARTED, (outcome(link, hops, **kw),))
    return fix.plan(text, report)


@pytest.mark.parametrize(
    ("start", "final"),
    [
        ("http://nspcc.org.uk/a", "https://www.nspcc.org.uk/a"),  # upgrade and www
        ("https://www.nspcc.org.uk/a", "https://nspcc.org.uk/b"),  # www to the bare domain
        ("https://www.nspcc.org.uk/a", "https://learning.nspcc.org.uk/a"),  # a subdomain
        ("https://www.site.example/a", "https://site.example/a"),  # www on an unlisted suffix
    ],
)
def test_same_site_permanent_moves_are_adopted(start, final):
    """http→https, www↔bare domain and subdomains of one registrable domain are one site."""
    found = plan_for(start, [(start, 301), (final, 200)])
    assert [(f.kind, f.new) for f in found.findings] == [(fix.Kind.ADOPT, final)]
    assert final.encode() in found.updated


@pytest.mark.parametrize(
    ("hops", "why"),
    [
        (
            [("https://alice.github.io/x", 301), ("https://bob.github.io/x", 200)],
            "it leaves the site for bob.github.io",
        ),
        (
            [
                ("https://a.org.uk/x", 301),
                ("https://shortener.example/r", 301),
                ("https://a.org.uk/y", 200),
            ],
            "it leaves the site for shortener.example",
        ),
        (
            [("https://a.org.uk/x", 301), ("https://a.org.uk/y", 307), ("https://a.org.uk/z", 200)],
            "a temporary redirect (307) at https://a.org.uk/y",
        ),
        (
            [("https://a.org.uk/x", 303), ("https://a.org.uk/y", 200)],
            "a temporary redirect (303) at https://a.org.uk/x",
        ),
    ],
)
def test_risky_chains_wait_for_a_human(hops, why):
    """Another customer of a shared host, a detour off-site, any temporary hop: review."""
    found = plan_for(hops[0][0], hops)
    assert [(f.kind, f.why) for f in found.findings] == [(fix.Kind.REVIEW, why)]
    assert found.updated == found.original


def test_chain_ending_broken_is_not_adopted():
    """A permanent move onto a dead page proves nothing worth writing."""
    hops = [("https://a.org.uk/x", 301), ("https://a.org.uk/y", 404)]
    found = plan_for(
        "https://a.org.uk/x", hops, status=Status.BROKEN, reason="the page is not found (404)"
    )
    [finding] = found.findings
    assert finding.kind is fix.Kind.REVIEW
    assert finding.why == "it ends broken: the page is not found (404)"


def test_expect_text_missing_is_suspicious():
    """A same-site 301 whose final page lacks the expected text is listed, not applied."""
    hops = [("https://a.org.uk/x", 301), ("https://a.org.uk/y", 200)]
    found = plan_for("https://a.org.uk/x", hops, flags=[Flag.EXPECT_TEXT_MISSING])
    assert found.findings[0].why == "the expected text is missing from the final page"


def test_move_onto_a_url_already_listed_is_a_merge_for_a_human():
    """Adopting would list the same page twice, so it is left for a person."""
    text = (
        "version: 1\nlinks:\n  - name: A\n    url: https://a.org.uk/old\n"
        "  - name: B\n    url: https://a.org.uk/new\n"
    )
    links = config.loads(text).links
    report = Report(
        "0",
        "links.yaml",
        STARTED,
        STARTED,
        (outcome(links[0], [("https://a.org.uk/old", 301), ("https://a.org.uk/new", 200)]),),
    )
    [finding] = fix.plan(text, report).findings
    assert finding.kind is fix.Kind.REVIEW
    assert finding.why == "the list already has it as links[1] (line 6)"


def test_redirect_back_to_the_same_url_changes_nothing():
    """A chain that ends where it started (a cookie bounce) is neither adopted nor listed."""
    url = "https://a.org.uk/x"
    found = plan_for(url, [(url, 301), (url, 200)])
    assert found.findings == ()


def test_hostile_final_url_is_reviewed_and_printed_harmlessly():
    """A report whose final URL holds a terminal escape is not adopted, nor echoed raw."""
    hops = [("https://a.org.uk/x", 301), ("https://a.org.uk/\x1b[2J", 200)]
    found = plan_for("https://a.org.uk/x", hops)
    [finding] = found.findings
    assert finding.kind is fix.Kind.REVIEW
    assert "contains a control character" in finding.why
    assert "\x1b" not in fix.format_findings(found)
    assert found.updated == found.original


def test_a_doctored_report_cannot_move_a_link_to_another_site():
    """A report whose final URL or chain start disagrees with its hops is listed, not applied."""
    fixing = fix
    cfg = config.loads("version: 1\nlinks:\n  - name: A\n    url: https://example.org/a\n")
    link = cfg.links[0]
    honest = Outcome(
        link=link,
        checked_url="https://example.org/a",
        stripped_params=(),
        status=Status.REDIRECTED,
        reason="moved",
        action="update",
        http_status=200,
        final_url="https://example.org/b",
        redirects=(Hop("https://example.org/a", 301), Hop("https://example.org/b", 200)),
    )
    assert fixing._judge(honest, link, cfg).kind is fixing.Kind.ADOPT
    lying_final = dataclasses.replace(honest, final_url="https://evil.example.net/phish")
    assert fixing._judge(lying_final, link, cfg).kind is fixing.Kind.REVIEW
    lying_start = dataclasses.replace(
        honest,
        redirects=(Hop("https://evil.example.net/a", 301), Hop("https://evil.example.net/b", 200)),
        final_url="https://evil.example.net/b",
    )
    assert fixing._judge(lying_start, link, cfg).kind is fixing.Kind.REVIEW


# ------------------------------------------------------------------ fix --reviewed


def reviewed_plan(text: str, hops, day=date(2026, 12, 6)) -> fix.FixPlan:
    link = config.loads(text).links[0]
    report = Report("0", "links.yaml", STARTED, STARTED, (outcome(link, hops),))
    return fix.plan(text, report, reviewed=day)


MOVE = [("https://www.nspcc.org.uk/a", 301), ("https://www.nspcc.org.uk/b", 200)]


def test_an_adopted_link_gets_a_reviewed_line_after_its_url():
    """A reviewed: line is inserted under the url, at the keys' indentation, comments kept."""
    text = (
        "version: 1\nlinks:\n  - name: A\n    url: https://www.nspcc.org.uk/a  # moved?\n"
        "    source: leaflet\n"
    )
    found = reviewed_plan(text, MOVE)
    assert found.updated.decode() == (
        "version: 1\nlinks:\n  - name: A\n    url: https://www.nspcc.org.uk/b  # moved?\n"
        "    reviewed: 2026-12-06\n    source: leaflet\n"
    )
    assert found.unreviewed == ()


def test_an_existing_reviewed_date_is_replaced_in_its_style():
    """A quoted reviewed: stays quoted; CRLF line endings are kept."""
    text = (
        "version: 1\r\nlinks:\r\n- url: https://www.nspcc.org.uk/a\r\n  reviewed: '2019-03-18'\r\n"
        "  name: A\r\n"
    )
    found = reviewed_plan(text, MOVE)
    assert found.updated.decode() == (
        "version: 1\r\nlinks:\r\n- url: https://www.nspcc.org.uk/b\r\n  reviewed: '2026-12-06'\r\n"
        "  name: A\r\n"
    )


def test_a_flow_entry_is_moved_but_its_review_date_is_left_to_a_person():
    """{name: A, url: ...} gets its new URL; reviewed: is named in the summary as not set."""
    text = "version: 1\nlinks:\n  - {name: A, url: https://www.nspcc.org.uk/a}\n"
    found = reviewed_plan(text, MOVE)
    assert b"url: https://www.nspcc.org.uk/b}" in found.updated
    assert b"reviewed" not in found.updated
    assert fix.summary(found, wrote=True) == (
        "links.yaml: adopted 1 URL; reviewed: not set on line 3 (the entry is not a block"
        " mapping; add it by hand)"
    )


def test_without_reviewed_nothing_but_the_url_changes():
    """No --reviewed: the file gets no date (the old behaviour, byte for byte)."""
    text = "version: 1\nlinks:\n  - name: A\n    url: https://www.nspcc.org.uk/a\n"
    link = config.loads(text).links[0]
    report = Report("0", "links.yaml", STARTED, STARTED, (outcome(link, MOVE),))
    assert fix.plan(text, report).updated == text.replace("/a\n", "/b\n").encode()
