"""The table format: problems first, 80 columns, colour only when asked."""

from __future__ import annotations

import dataclasses
import re

import pytest

from linkwatch.report import OutputFormat, render, use_color
from linkwatch.report.table import render as render_table

ANSI = re.compile(r"\x1b\[")


def test_fits_80_columns_without_losing_a_url(report):
    """No line is wider than 80 columns, and long URLs fold instead of being cut."""
    text = render(report, OutputFormat.TABLE)
    assert max(len(line) for line in text.splitlines()) <= 80
    squashed = re.sub(r"[│\s]", "", text)
    assert "https://helpline.example/new-and-much-longer-path/that/does/not/fit/anywhere" in (
        squashed
    )
    assert "…" not in text


def test_problems_come_first_grouped_by_status(report):
    """Groups appear worst first, and ok comes last."""
    text = render(report, OutputFormat.TABLE, width=120)
    headings = re.findall(r"^(\w+) \((\d+)\)", text, flags=re.MULTILINE)
    assert headings == [
        ("broken", "1"),
        ("error", "1"),
        ("blocked", "1"),
        ("redirected", "2"),
        ("skipped", "1"),
        ("ok", "2"),
    ]
    ok_section = text[text.index("ok (2)") :]
    assert ok_section.index("NSPCC advice") < ok_section.index("Childline")


def test_stripped_params_and_flags_are_visible(report):
    """A row shows the tracking parameters removed and the flags raised."""
    text = render(report, OutputFormat.TABLE, width=160)
    assert "stripped: utm_source" in text
    assert "flags: tracking_params, tls_expiring" in text
    assert "flags: cross_site_redirect, parked_domain" in text


def test_summary_line_closes_the_table(report):
    """The last line is the summary."""
    last = render(report, OutputFormat.TABLE).splitlines()[-1]
    assert last == "8 links: 2 ok, 1 skipped, 2 redirected, 1 blocked, 1 error, 1 broken · 2.3 s"


def test_no_ansi_codes_without_colour(report, monkeypatch):
    """Without colour no escape codes appear, even if the environment asks to force them."""
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("COLUMNS", "200")
    text = render_table(report, color=False)
    assert not ANSI.search(text)
    assert max(len(line) for line in text.splitlines()) <= 80


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
    assert "┌" not in text
    assert text.rstrip().splitlines()[-1].endswith("network unavailable")
