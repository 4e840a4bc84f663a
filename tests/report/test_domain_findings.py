"""The domain watch's flags, reasons and actions, and its run notes, in every format."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import jsonschema
import pytest

from conftest import REPO
from linkwatch.judgement import domains
from linkwatch.judgement.policy import DEFAULT_FAIL_ON, fails
from linkwatch.models import DomainInfo, DomainState, Flag, Note, Status
from linkwatch.report import OutputFormat, render
from linkwatch.report.json import load_report
from linkwatch.report.neutralise import markdown_text
from samples import make_link, make_outcome, sample_report

CHANGED = Note(
    "domain",
    "stop-cse.org was registered on 2024-05-01, after this link was reviewed on 2019-03-18:"
    " the domain may have changed hands.",
    domains.CHANGED_HANDS_ACTION,
    Flag.DOMAIN_CHANGED_HANDS,
)
GONE = Note(
    "domain",
    "gone.org is not registered: its registry has no record of it and it has no DNS, so"
    " anyone can buy it.",
    domains.LAPSED_ACTION,
    Flag.DOMAIN_UNREGISTERED,
)
SOON = Note(
    "domain",
    "soon.com expires on 2026-12-07 (in 10 days).",
    domains.EXPIRING_ACTION,
    Flag.DOMAIN_EXPIRING,
)
REVIEW = Note(
    "review",
    "Due for review since 2020-03-17: reviewed on 2019-03-18, and the list asks for a look"
    " every 365 days.",
    domains.REVIEW_ACTION,
    Flag.REVIEW_DUE,
)
OUTAGE = "nspcc.org.uk: the registry's RDAP server answered 503; not judged this run"


def flagged(index, name, url, note, **kw):
    link = make_link(index, name, url, reviewed=date(2019, 3, 18))
    info = DomainInfo(
        domain=note.text.split(" ", 1)[0],
        state=DomainState.NOT_FOUND if note is GONE else DomainState.REGISTERED,
        registered=datetime(2024, 5, 1, 10, 21, 7, tzinfo=UTC) if note is CHANGED else None,
    )
    outcome = make_outcome(link, Status.OK, http_status=200, **kw)
    return domains.annotate(outcome, (note,), info)


@pytest.fixture
def watched():
    return sample_report(
        outcomes=(
            flagged(0, "CSE campaign", "http://www.stop-cse.org/live/", CHANGED),
            flagged(1, "Gone", "https://gone.org/", GONE),
            flagged(2, "Soon", "https://soon.com/", SOON),
            flagged(3, "Old", "https://old.org.uk/", REVIEW),
        ),
        domain_notes=(OUTAGE,),
    )


def test_the_failing_domain_flags_fail_by_default_the_others_do_not(watched):
    """Changed hands and unregistered fail the default policy; expiring and review_due warn."""
    assert [fails(o, DEFAULT_FAIL_ON) for o in watched.outcomes] == [True, True, False, False]


def test_an_ok_link_takes_its_findings_action(watched):
    """An ok link whose only flag is the domain's says what to do about the domain."""
    assert [o.action for o in watched.outcomes] == [
        domains.CHANGED_HANDS_ACTION,
        domains.LAPSED_ACTION,
        domains.EXPIRING_ACTION,
        domains.REVIEW_ACTION,
    ]


def test_table_shows_each_finding_and_the_run_notes(watched):
    """Each finding is a line under the link's own (its action said once, as the link's to-do);
    the outage is one line before the summary."""
    text = render(watched, OutputFormat.TABLE, width=300)
    assert (
        "  ok reason · do: Open the link and check the site still belongs to the organisation"
        " you vetted. If it does, set `reviewed:` to today's date; if not, remove the link.\n"
        "  domain: stop-cse.org was registered on 2024-05-01, after this link was reviewed on"
        " 2019-03-18: the domain may have changed hands.\n"
        "  flags: domain_changed_hands\n"
    ) in text
    assert "flags: domain_unregistered" in text
    assert "flags: domain_expiring" in text
    assert "  review: Due for review since 2020-03-17" in text
    assert text.endswith(f"domain watch: {OUTAGE}\n4 links: 4 ok · 2.3 s\n")
    assert text.index("2 links fail") < text.index("2 links worth a look")


def test_markdown_shows_each_finding_and_the_run_notes(watched):
    """Each item has its finding with its to-do; the notes close the body."""
    text = render(watched, OutputFormat.MARKDOWN)
    assert (
        f"  - To do: {markdown_text(domains.LAPSED_ACTION)}\n"
        f"  - Domain: {markdown_text(GONE.text)}\n"
        "  - Flags: `domain_unregistered`\n"
    ) in text
    assert "  - Flags: `domain_expiring`" in text
    assert "  - Review: Due for review since 2020-03-17" in text
    assert text.endswith(f"Domain watch (not judged, not failing):\n\n- {markdown_text(OUTAGE)}\n")


def test_github_annotations_carry_the_finding_and_a_notice_for_the_outage(watched):
    """Errors for the failing findings, warnings for the others, a notice for the outage."""
    lines = render(watched, OutputFormat.GITHUB).splitlines()
    assert [line.split(" ", 1)[0] for line in lines[:5]] == [
        "::error",
        "::error",
        "::warning",
        "::warning",
        "::notice",
    ]
    assert "[domain_changed_hands]" in lines[0]
    assert "Domain: stop-cse.org was registered on 2024-05-01" in lines[0]
    assert lines[4] == f"::notice title=linkwatch domain watch::{OUTAGE}"


def test_json_validates_reads_back_and_counts_the_new_flags(watched):
    """The JSON has reviewed, domain, findings and domain_notes, valid and read back whole."""
    text = render(watched, OutputFormat.JSON)
    doc = json.loads(text)
    schema = json.loads((REPO / "schema" / "report.schema.json").read_text("utf-8"))
    jsonschema.validate(doc, schema, format_checker=jsonschema.FormatChecker())
    first = doc["links"][0]
    assert first["reviewed"] == "2019-03-18"
    assert first["domain"] == {
        "name": "stop-cse.org",
        "state": "registered",
        "registered": "2024-05-01T10:21:07+00:00",
        "expires": None,
        "transferred": None,
    }
    assert first["findings"] == [
        {
            "topic": "domain",
            "text": CHANGED.text,
            "action": CHANGED.action,
            "flag": "domain_changed_hands",
        }
    ]
    assert doc["domain_notes"] == [OUTAGE]
    counts = doc["summary"]["flags"]
    assert [counts[f] for f in ("domain_unregistered", "domain_changed_hands")] == [1, 1]
    assert [counts[f] for f in ("domain_expiring", "review_due")] == [1, 1]
    assert load_report(text, "r.json") == watched


def test_schema_lists_the_new_flags_in_flag_order():
    """The flags enum and summary.flags properties follow the Flag enum, new ones included."""
    schema = json.loads((REPO / "schema" / "report.schema.json").read_text("utf-8"))
    names = [f.value for f in Flag]
    assert schema["$defs"]["link"]["properties"]["flags"]["items"]["enum"] == names
    assert list(schema["properties"]["summary"]["properties"]["flags"]["properties"]) == names
