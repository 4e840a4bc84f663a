"""Counts and the one-line summary."""

from __future__ import annotations

from datetime import timedelta

from linkwatch.models import Status
from linkwatch.report.summary import is_problem, status_counts, summary_line
from samples import STARTED, make_link, make_outcome, sample_report


def _report(*statuses: Status, seconds: float = 2.3, **kw):
    outcomes = tuple(
        make_outcome(make_link(i, f"link {i}", f"https://e{i}.example/"), status)
        for i, status in enumerate(statuses)
    )
    return sample_report(outcomes=outcomes, finished=STARTED + timedelta(seconds=seconds), **kw)


def test_summary_line_matches_the_documented_example():
    """Best first, only non-zero counts, one decimal of seconds."""
    r = _report(Status.OK, Status.BROKEN, Status.OK, Status.REDIRECTED, Status.OK)
    assert summary_line(r) == "5 links: 3 ok, 1 redirected, 1 broken · 2.3 s"


def test_summary_line_singular_and_empty():
    """One link is singular; no links says so."""
    assert summary_line(_report(Status.OK, seconds=0.04)) == "1 link: 1 ok · 0.0 s"
    assert summary_line(_report()) == "0 links · 2.3 s"


def test_summary_line_mentions_an_unavailable_network():
    """A run without network says so in its summary."""
    line = summary_line(_report(Status.ERROR, network_unavailable=True))
    assert line.endswith("· network unavailable")


def test_status_counts_cover_every_status(report):
    """Every status has a count, zero or not, worst first."""
    counts = status_counts(report)
    assert list(counts) == list(Status)
    assert sum(counts.values()) == len(report.outcomes)


def test_a_flag_makes_an_ok_link_a_problem(report):
    """A flagged ok link is a problem; a clean ok or skipped link is not."""
    by_name = {o.link.name: o for o in report.outcomes}
    assert is_problem(by_name["NSPCC advice"])
    assert not is_problem(by_name["Childline"])
    assert not is_problem(by_name["Intranet"])
