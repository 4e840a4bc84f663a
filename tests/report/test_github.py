"""The github format: annotations on the right line, error or warning by policy."""

from __future__ import annotations

from linkwatch.models import Flag
from linkwatch.report import OutputFormat, render
from linkwatch.report.github import annotation
from samples import sample_report


def _lines(report, **kw):
    return [
        line for line in render(report, OutputFormat.GITHUB, **kw).splitlines() if line[:2] == "::"
    ]


def test_failing_links_are_errors_others_warnings(report):
    """Broken, error and the hijacked link fail the default policy; the rest warn."""
    levels = [line.split(" ", 1)[0] for line in _lines(report)]
    assert levels == ["::error", "::error", "::error", "::warning", "::warning", "::warning"]


def test_naming_a_flag_turns_its_warning_into_an_error(report):
    """--fail-on cross_site_redirect makes the hijacked link an error."""
    lines = _lines(report, fail_on=frozenset({Flag.CROSS_SITE_REDIRECT}))
    hijacked = next(line for line in lines if "Hijacked" in line)
    assert hijacked.startswith("::error ")


def test_annotation_points_at_the_url_line(report):
    """file, line and col are the URL's position in links.yaml."""
    outcome = next(o for o in report.outcomes if o.link.name == "Slow forum")
    line = annotation(outcome, "lists/links.yaml", frozenset())
    assert line.startswith(
        "::warning file=lists/links.yaml,line=24,col=10,title=linkwatch%3A error%3A Slow forum::"
    )
    assert line.endswith("try again later; remove the link if it keeps failing")


def test_file_property_is_escaped(report):
    """A config path with ':' or ',' cannot add properties."""
    outcome = report.outcomes[5]
    line = annotation(outcome, "a,b:c.yaml", frozenset())
    assert "file=a%2Cb%3Ac.yaml,line=" in line


def test_unavailable_network_is_an_error():
    """An unavailable network is reported as its own error annotation."""
    first = _lines(sample_report(network_unavailable=True))[0]
    assert first.startswith("::error title=linkwatch::The network was unavailable")
