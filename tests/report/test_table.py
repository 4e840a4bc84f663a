"""The table format: problems first, 80 columns, colour only when asked."""

from __future__ import annotations

import dataclasses
import re

import pytest

from linkwatch.models import Flag, Status
from linkwatch.report import OutputFormat, render, use_color
from linkwatch.report.table import render as render_table
from samples import make_link, make_outcome, sample_report

ANSI = re.compile(r"\x1b\[")


AT_80 = """\
3 links fail
status     link                                                    where
broken     [bold red]Pwned[/] @everyone <img src=x                 links.yaml:16
           onerror=alert(1)> **bold** #1
  server said:  ::warning file=x::injected [link](the URL below) `code` · do:
  replace the link or remove it
  title: \\x1b[2J\\x1b]0;owned\\x07Title\\u202eevil\\u202c ::error::fake %0A
  https://evil.example/@admin?q=<script>
  see: https://evil.example
error      Slow forum                                              links.yaml:24
  timed out after 30 s (3 attempts) · do: try again later; remove the link if it
  keeps failing
  https://forum.example/
redirected Hijacked charity                                        links.yaml:20
  redirects to another site: casino.example · do: check by hand: the domain may
  have lapsed; remove the link if so
  flags: cross_site_redirect, parked_domain
  https://charity.example/
  → https://casino.example/landing

3 links worth a look (not failing)
status     link           where
blocked    Members area   links.yaml:28
  the server refuses automated requests (403) · do: check it in a browser; add
  accept: [403] if it works there
  https://members.example/
redirected Moved helpline links.yaml:12
  moved permanently · do: update the URL to the final one (linkwatch rewrite
  --adopt-redirects)
  http://helpline.example/old
  → https://helpline.example/new-and-much-longer-path/that/does/not/fit/anywhere
ok         NSPCC advice   links.yaml:8
  ok, but the certificate expires in 5 days · do: remove the tracking
  parameters; tell the site owner about the certificate
  flags: tracking_params, tls_expiring · stripped: utm_source
  https://nspcc.example/advice?id=4

1 healthy link, 1 skipped by the list (--verbose lists them)
8 links: 2 ok, 1 skipped, 2 redirected, 1 blocked, 1 error, 1 broken · 2.3 s
"""


def test_the_table_at_80_columns_reads_as_reviewed(report):
    """What fails, what is worth a look, the healthy counted: exactly what a maintainer reads."""
    assert render(report, OutputFormat.TABLE, width=80) == AT_80


@pytest.mark.parametrize("width", [40, 60, 80, 120, 200])
def test_every_url_is_whole_on_a_line_of_its_own_at_any_width(report, width):
    """No URL is ever folded, cut or wrapped; the other lines keep to the width."""
    lines = render(report, OutputFormat.TABLE, width=width, verbose=True).splitlines()
    for outcome in report.outcomes:
        assert f"  {outcome.checked_url}" in lines
    url_lines = [line for line in lines if re.match(r"^  (→ |see: )?https?://", line)]
    assert len(url_lines) == 11
    assert all(len(line) <= width for line in lines if line not in url_lines)
    assert "…" not in "".join(lines)


def test_verbose_lists_the_healthy_links_too(report):
    """--verbose adds a section with every healthy and list-skipped link."""
    text = render(report, OutputFormat.TABLE, width=120, verbose=True)
    section = text[text.index("1 healthy link, 1 skipped by the list\n") :]
    assert section.splitlines()[2:4] == [
        "ok         Childline links.yaml:4",
        "  ok reason · do: ok action",
    ]
    assert "skipped    Intranet  links.yaml:32" in section
    assert "--verbose lists them" not in text


def test_nothing_is_printed_twice(report):
    """A redirected link shows its final URL once, after an arrow, never inside the reason."""
    text = render(report, OutputFormat.TABLE, width=200)
    final = "https://helpline.example/new-and-much-longer-path/that/does/not/fit/anywhere"
    assert text.count(final) == 1


def test_a_clean_run_is_two_lines(clean_report):
    """Nothing to do: the healthy count and the summary, nothing else."""
    assert render(clean_report, OutputFormat.TABLE) == (
        "1 healthy link (--verbose lists them)\n1 link: 1 ok · 2.3 s\n"
    )


def test_colour_changes_no_character_a_reader_sees(report):
    """With colour and hyperlinks removed, the coloured table is the plain one, letter for letter."""
    coloured = render_table(report, color=True, width=80)
    stripped = re.sub(r"\x1b\]8;[^;\x1b]*;[^\x1b]*\x1b\\", "", coloured)
    stripped = re.sub(r"\x1b\[[0-9;]*m", "", stripped)
    assert "".join(line.rstrip() + "\n" for line in stripped.splitlines()) == AT_80


def test_the_policy_decides_what_fails(report):
    """Naming cross_site_redirect moves the hijacked link into the failing section."""
    text = render(
        report, OutputFormat.TABLE, width=80, fail_on=frozenset({Flag.CROSS_SITE_REDIRECT})
    )
    assert text.startswith("1 link fails (--fail-on cross_site_redirect)\n")
    assert text.splitlines()[2].startswith("redirected Hijacked charity")
    default = render(report, OutputFormat.TABLE, width=80)
    assert default.startswith("3 links fail\n")  # the default policy is not spelled out


def test_no_ansi_codes_without_colour(report, monkeypatch):
    """Without colour no escape codes appear, even if the environment asks to force them."""
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("COLUMNS", "200")
    text = render_table(report, color=False)
    assert not ANSI.search(text)
    assert text == AT_80


def test_colour_when_asked(report):
    """With colour on, the statuses are coloured."""
    assert ANSI.search(render_table(report, color=True))


@pytest.mark.parametrize(
    ("is_terminal", "environ", "expected"),
    [
        (True, {}, True),
        (False, {}, False),
        (True, {"NO_COLOR": "1"}, False),
        (True, {"NO_COLOR": ""}, True),  # no-color.org: an empty value does not count
    ],
)
def test_use_color(is_terminal, environ, expected):
    """Colour only on a terminal and never under NO_COLOR."""
    assert use_color(is_terminal, environ) is expected


def test_plain_output_has_no_trailing_spaces(report):
    """Lines written without colour end without padding."""
    assert all(line == line.rstrip() for line in render_table(report).splitlines())


def test_offline_run_is_one_line_not_a_table_of_unjudged_links(report):
    """With the network down, the table says so once instead of listing every link."""
    offline = dataclasses.replace(report, network_unavailable=True)
    text = render_table(offline, width=80)
    assert text.startswith("Network unavailable: no link got past DNS or a connection")
    assert text.splitlines() == [
        "Network unavailable: no link got past DNS or a connection, so none was judged",
        "(Childline, NSPCC advice, Moved helpline, [bold red]Pwned[/] @everyone <img",
        "src=x onerror=alert(1)> **bold** #1, Hijacked charity and 3 more). Run again",
        "when this machine is online.",
        "8 links not checked · 2.3 s · network unavailable",
    ]
    assert text.rstrip().splitlines()[-1].endswith("network unavailable")


def test_short_names_do_not_fold_the_column_heading():
    """Names of three letters still leave room for the word 'link' in the header."""
    nhs = make_outcome(make_link(0, "NHS", "https://www.nhs.uk/x"), Status.BROKEN)
    text = render(sample_report(outcomes=(nhs,)), OutputFormat.TABLE, width=80)
    assert text.splitlines()[1:3] == ["status     link where", "broken     NHS  links.yaml:4"]
