"""The terminal table, line for line: sections, details, URLs on their own lines, the hijacked
URL never a hyperlink, the network-unavailable line, and --verbose."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

from linkwatch.models import Flag, HistoryNote, Policy, Status
from linkwatch.report import table
from report.test_report_exact import link, outcome, report

HIJACKED = outcome(
    link("Hijacked", index=1),
    status=Status.REDIRECTED,
    reason="moved permanently to https://evil.example.com/x.",
    action="Open https://0.example.org/help first.",
    final_url="https://evil.example.com/x",
    flags=(Flag.CROSS_SITE_REDIRECT,),
    stripped_params=("utm_source",),
    title="Win",
    history=HistoryNote("new", "new", True),
    archive_url="https://web.archive.org/web/2019/x",
    archive_timestamp=datetime(2019, 3, 18, tzinfo=UTC),
)
FINE = outcome(link("Fine", index=0), status=Status.OK, reason="HTTP 200", action="None.")
PAPER = outcome(
    replace(link("Paper", index=2), policy=Policy(skip="x")),
    status=Status.SKIPPED,
    reason="skipped: x",
    action="",
)
SLOW = outcome(
    link("Slow", index=3),
    status=Status.OK,
    reason="HTTP 200",
    action="The site answered slowly; check again later.",
    flags=(Flag.SLOW,),
    title="not shown for an ok link",
)
RUN = report(FINE, HIJACKED, PAPER, SLOW)

HIJACKED_ROWS = (
    "redirected Hijacked links.yaml:8\n"
    "  moved permanently to the URL below. · do: Open the URL below first.\n"
    "  history: new · flags: cross_site_redirect · stripped: utm_source · title: Win\n"
    "  https://1.example.org/help\n"
    "  → https://evil.example.com/x\n"
    "  archived on 2019-03-18: https://web.archive.org/web/2019/x\n"
    "  see: https://0.example.org/help\n"
)


def test_default_table_exactly():
    assert table.render(RUN) == (
        "1 link fails\n"
        "status     link     where\n"
        f"{HIJACKED_ROWS}"
        "\n"
        "1 link worth a look (not failing)\n"
        "status     link where\n"
        "ok         Slow links.yaml:16\n"
        "  HTTP 200 · do: The site answered slowly; check again later.\n"
        "  flags: slow\n"
        "  https://3.example.org/help\n"
        "\n"
        "1 healthy link, 1 skipped by the list (--verbose lists them)\n"
        "4 links: 2 ok, 1 skipped, 1 redirected · 2.0 s\n"
    )


def test_verbose_table_with_a_named_policy_exactly():
    assert table.render(RUN, verbose=True, fail_on=frozenset({Flag.SLOW})) == (
        "2 links fail (--fail-on slow)\n"
        "status     link     where\n"
        f"{HIJACKED_ROWS}"
        "ok         Slow     links.yaml:16\n"
        "  HTTP 200 · do: The site answered slowly; check again later.\n"
        "  flags: slow\n"
        "  https://3.example.org/help\n"
        "\n"
        "1 healthy link, 1 skipped by the list\n"
        "status     link  where\n"
        "ok         Fine  links.yaml:4\n"
        "  HTTP 200 · do: None.\n"
        "  https://0.example.org/help\n"
        "skipped    Paper links.yaml:12\n"
        "  skipped: x\n"
        "  https://2.example.org/help\n"
        "\n"
        "4 links: 2 ok, 1 skipped, 1 redirected · 2.0 s\n"
    )


def test_two_failing_links_and_healthy_without_skips():
    run = report(
        outcome(link("A", index=0)),
        outcome(link("B", index=1)),
        FINE,
    )
    text = table.render(run)
    assert text.startswith("2 links fail\n")
    assert "\n1 healthy link (--verbose lists them)\n" in text


def test_network_unavailable_names_five_links_then_counts():
    seven = report(*(outcome(link(f"L{i}", index=i)) for i in range(7)), offline=True)
    assert table.render(seven) == (
        "Network unavailable: no link got past DNS or a connection, so none was judged\n"
        "(L0, L1, L2, L3, L4 and 2 more). Run again when this machine is online.\n"
        "7 links not checked · 2.0 s · network unavailable\n"
    )
    five = report(*(outcome(link(f"L{i}", index=i)) for i in range(5)), offline=True)
    assert "(L0, L1, L2, L3, L4). Run again" in table.render(five, width=200)


def test_colour_links_only_the_listed_and_archived_urls():
    text = table.render(report(HIJACKED), color=True)
    targets = re.findall(r"\x1b\]8;id=\d+;([^\x1b]+)\x1b\\", text)
    assert targets == ["https://1.example.org/help", "https://web.archive.org/web/2019/x"]
    assert "\x1b[33mredirected\x1b[0m" in text
    assert "\x1b[1;31m1 link fails\x1b[0m" in text
    assert text.endswith("\x1b[1m1 link: 1 redirected · 2.0 s\x1b[0m\n")


def test_a_listed_url_with_a_control_character_is_not_a_hyperlink():
    bad = replace(HIJACKED, checked_url="https://1.example.org/\x1bhelp", archive_url=None)
    text = table.render(report(bad), color=True)
    assert re.findall(r"\x1b\]8;id=\d+;([^\x1b]+)\x1b\\", text) == []
    assert "https://1.example.org/\\x1bhelp" in text


def test_each_status_has_its_colour():
    colours = {
        Status.BROKEN: "\x1b[1;31mbroken",
        Status.ERROR: "\x1b[31merror",
        Status.BLOCKED: "\x1b[35mblocked",
        Status.SKIPPED: "\x1b[2mskipped",
    }
    for status, expected in colours.items():
        text = table.render(report(outcome(link(), status)), color=True, verbose=True)
        assert expected in text, status


NARROW = replace(
    outcome(
        link("A [bold]name[/bold] :smile: that is long enough to fold 12345", index=0),
        reason="gone 404",
        action="Fix it.",
        flags=(Flag.SLOW,),
    ),
    checked_url="https://example.org/" + "a" * 70,
)


def test_at_40_columns_the_name_folds_and_the_url_stays_whole():
    """Markup and emoji codes in a name are shown as written; the URL is never cut."""
    assert table.render(report(NARROW), width=40) == (
        "1 link fails\n"
        "status     link             where\n"
        "broken     A                links.yaml:4\n"
        "           [bold]name[/bold\n"
        "           ] :smile: that\n"
        "           is long enough\n"
        "           to fold 12345\n"
        "  gone 404 · do: Fix it.\n"
        "  flags: slow\n"
        "  https://example.org/" + "a" * 70 + "\n"
        "\n"
        "1 link: 1 broken · 2.0 s\n"
    )


def test_colour_output_exactly():
    text = re.sub(r"id=\d+;", "id=N;", table.render(report(NARROW), color=True, width=40))
    url = "https://example.org/" + "a" * 70
    assert text == (
        "\x1b[1;31m1 link fails\x1b[0m\n"
        "\x1b[1;4mstatus    \x1b[0m\x1b[1;4m \x1b[0m\x1b[1;4mlink            \x1b[0m\x1b[1;4m"
        " \x1b[0m\x1b[1;4mwhere       \x1b[0m\n"
        "\x1b[1;31mbroken    \x1b[0m \x1b[1mA               \x1b[0m \x1b[2mlinks.yaml:4\x1b[0m\n"
        "           \x1b[1m[bold]name[/bold\x1b[0m             \n"
        "           \x1b[1m] :smile: that  \x1b[0m             \n"
        "           \x1b[1mis long enough  \x1b[0m             \n"
        "           \x1b[1mto fold 12345   \x1b[0m             \n"
        "  gone 404\x1b[1m · do: \x1b[0m\x1b[3mFix it.\x1b[0m                \n"
        "  \x1b[2mflags: slow\x1b[0m                           \n"
        f"  \x1b]8;id=N;{url}\x1b\\{url}\x1b]8;;\x1b\\\n"
        "\n"
        "\x1b[1m1 link: 1 broken · 2.0 s\x1b[0m\n"
    )


def test_two_stripped_parameters_are_listed_with_a_comma():
    two = outcome(link(), stripped_params=("utm_source", "fbclid"))
    assert "  stripped: utm_source, fbclid\n" in table.render(report(two))


def test_six_links_offline_name_five_and_one_more():
    six = report(*(outcome(link(f"L{i}", index=i)) for i in range(6)), offline=True)
    assert "(L0, L1, L2, L3, L4 and 1 more)" in table.render(six, width=200)


def test_section_titles_in_colour():
    offline = table.render(report(outcome(link()), offline=True), color=True, width=200)
    assert offline.startswith("\x1b[1;31mNetwork unavailable: ")
    text = table.render(report(FINE, SLOW), color=True)
    assert "\x1b[1;33m1 link worth a look (not failing)\x1b[0m\n" in text
    assert "\x1b[32m1 healthy link (--verbose lists them)\x1b[0m\n" in text
    verbose = table.render(report(FINE), color=True, verbose=True)
    assert verbose.startswith("\x1b[32m1 healthy link\x1b[0m\n")
    assert "\x1b[32mok        \x1b[0m" in verbose
