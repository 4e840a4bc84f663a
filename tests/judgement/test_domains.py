"""The domain watch's pure part: RDAP bodies read into records, records judged against links."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from conftest import DATA
from linkwatch.judgement import domains
from linkwatch.judgement.domains import MalformedAnswerError, Vetted, findings, read_answer
from linkwatch.models import DomainRecord, DomainState, Flag, Note

NOW = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
RDAP = DATA / "rdap"


def answer(name: str) -> object:
    return json.loads((RDAP / name).read_text("utf-8"))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("www.nspcc.org.uk", "nspcc.org.uk"),
        ("WWW.Stop-CSE.org.", "stop-cse.org"),
        ("alice.github.io", None),  # a shared host's customer: no registration of its own
        ("127.0.0.1", None),
        ("[::1]", None),
        ("localhost", None),
        ("intranet.internal", None),
        ("co.uk", None),
    ],
)
def test_the_watched_domain_is_the_registrable_one(host, expected):
    """Each host maps to the domain its registry holds, or to nothing to look up."""
    assert domains.watched_domain(host) == expected


def test_verisign_record_gives_its_events():
    """Verisign's .com shape: registration and expiration read, the RDAP database update not."""
    record = read_answer(answer("verisign-com.json"), "expiring-soon.com", NOW)
    assert record == DomainRecord(
        "expiring-soon.com",
        DomainState.REGISTERED,
        NOW,
        registered=at("2009-12-16T04:00:00+00:00"),
        expires=at("2026-12-16T04:00:00+00:00"),
        last_changed=at("2025-12-01T09:12:44+00:00"),
        statuses=("client transfer prohibited",),
    )


def test_a_redacted_pir_record_still_gives_its_dates():
    """A redacted .org record (RFC 9537) keeps its events; fractional seconds are read."""
    record = read_answer(answer("pir-org-redacted.json"), "stop-cse.org", NOW)
    assert record.registered == at("2024-05-01T10:21:07+00:00")
    assert record.expires == at("2027-05-01T10:21:07+00:00")
    assert record.statuses == ("client transfer prohibited", "active")


def test_a_nominet_record_and_one_without_expiry():
    """Nominet's .uk record has an expiry; SIDN's shape has none, and that is not an error."""
    uk = read_answer(answer("nominet-uk.json"), "nspcc.org.uk", NOW)
    assert uk.expires == at("2028-08-01T00:00:00+00:00")
    nl = read_answer(answer("sidn-nl-no-expiry.json"), "veilig-online.nl", NOW)
    assert (nl.registered, nl.expires) == (at("2011-03-02T00:00:00+00:00"), None)


def test_transfer_and_reregistration_count_as_transfers_the_latest_wins():
    """Both events say a new holder; the latest is kept."""
    doc = {
        "objectClassName": "domain",
        "events": [
            {"eventAction": "transfer", "eventDate": "2020-01-01T00:00:00Z"},
            {"eventAction": "reregistration", "eventDate": "2025-03-04T00:00:00Z"},
        ],
    }
    assert read_answer(doc, "a.org", NOW).transferred == at("2025-03-04T00:00:00+00:00")


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([], "not a JSON object"),
        ({"objectClassName": "entity"}, "not a domain object ('entity')"),
        ({"objectClassName": ["domain"]}, "not a domain object (['domain'])"),
        ({"events": {}}, "events is not a list"),
        ({"events": ["x"]}, "an event that is not an object"),
        (
            {"events": [{"eventAction": "expiration", "eventDate": "soon"}]},
            "an event date that is not RFC 3339: 'soon'",
        ),
        (
            {"events": [{"eventAction": "expiration", "eventDate": 5}]},
            "an event date that is not text",
        ),
        ({"status": "active"}, "status is not a list of text"),
    ],
)
def test_a_malformed_body_says_what_is_wrong(doc, message):
    """An answer that is not a readable domain object raises, with the reason."""
    with pytest.raises(MalformedAnswerError) as caught:
        read_answer(doc, "a.org", NOW)
    assert str(caught.value) == message


# ------------------------------------------------------------------------ findings


def record(**fields) -> DomainRecord:
    fields.setdefault("state", DomainState.REGISTERED)
    return DomainRecord(domain="example.org", looked_up=NOW, **fields)


REVIEWED = Vetted(date(2019, 3, 18), "reviewed")


def test_expiring_in_ten_days_is_a_warning_with_its_date():
    """An expiry within the window gives domain_expiring, with the date and the days left."""
    notes = findings(
        record(expires=at("2026-12-16T04:00:00+00:00")), now=NOW, vetted=REVIEWED, expiring_days=30
    )
    assert notes == (
        Note(
            "domain",
            "example.org expires on 2026-12-16 (in 10 days).",
            "Tell the domain's owner to renew it before it lapses.",
            Flag.DOMAIN_EXPIRING,
        ),
    )


def test_expiry_beyond_the_window_or_unknown_says_nothing():
    """31 days out with a 30-day window, or no expiry event at all: no note."""
    far = record(expires=at("2027-01-06T04:00:00+00:00"))
    assert findings(far, now=NOW, vetted=REVIEWED, expiring_days=30) == ()
    assert findings(record(), now=NOW, vetted=REVIEWED, expiring_days=30) == ()


def test_unregistered_needs_a_404_and_no_dns():
    """Not found without DNS fails; not found with DNS (or DNS unknown) raises no alarm."""
    gone = record(state=DomainState.NOT_FOUND, dns=False)
    [note] = findings(gone, now=NOW, vetted=REVIEWED, expiring_days=30)
    assert note.flag is Flag.DOMAIN_UNREGISTERED
    assert note.text == (
        "example.org is not registered: its registry has no record of it and it has no DNS,"
        " so anyone can buy it."
    )
    assert note.action == domains.LAPSED_ACTION
    for dns in (True, None):
        still = record(state=DomainState.NOT_FOUND, dns=dns)
        assert findings(still, now=NOW, vetted=REVIEWED, expiring_days=30) == ()


def test_expired_and_pending_delete_is_lapsed_but_a_grace_period_is_a_warning():
    """Past expiry in redemption is domain_unregistered; past expiry without it is a warning."""
    expired = at("2026-11-20T00:00:00+00:00")
    [lapsed] = findings(
        record(expires=expired, statuses=("redemption period",)),
        now=NOW,
        vetted=REVIEWED,
        expiring_days=30,
    )
    assert lapsed.flag is Flag.DOMAIN_UNREGISTERED
    assert lapsed.text == (
        "example.org expired on 2026-11-20 and is in its redemption period: once the registry"
        " releases it, anyone can buy it."
    )
    [grace] = findings(record(expires=expired), now=NOW, vetted=REVIEWED, expiring_days=30)
    assert grace.flag is Flag.DOMAIN_EXPIRING
    assert grace.text == (
        "example.org expired on 2026-11-20 (16 days ago); the registry still holds it for its"
        " owner (a grace period)."
    )


def test_registered_after_the_review_date_changed_hands():
    """A registration later than `reviewed:` fails, saying both dates."""
    [note] = findings(
        record(registered=at("2024-05-01T10:21:07+00:00")),
        now=NOW,
        vetted=REVIEWED,
        expiring_days=30,
    )
    assert note == Note(
        "domain",
        "example.org was registered on 2024-05-01, after this link was reviewed on 2019-03-18:"
        " the domain may have changed hands.",
        domains.CHANGED_HANDS_ACTION,
        Flag.DOMAIN_CHANGED_HANDS,
    )


def test_a_transfer_after_first_sight_changed_hands_the_same_day_did_not():
    """A transfer after the state file first saw the link counts; one on that very day not."""
    seen = Vetted(date(2026, 1, 10), "first seen")
    later = record(
        registered=at("2001-01-01T00:00:00+00:00"), transferred=at("2026-06-01T00:00:00+00:00")
    )
    [note] = findings(later, now=NOW, vetted=seen, expiring_days=30)
    assert note.text == (
        "example.org was transferred on 2026-06-01, after this link was first seen by linkwatch"
        " on 2026-01-10: the domain may have changed hands."
    )
    same_day = record(transferred=at("2026-01-10T23:00:00+00:00"))
    assert findings(same_day, now=NOW, vetted=seen, expiring_days=30) == ()


def test_nothing_known_gives_nothing():
    """An unknown record (an outage) never raises a flag."""
    unknown = record(state=DomainState.UNKNOWN, detail="the registry did not answer")
    assert findings(unknown, now=NOW, vetted=REVIEWED, expiring_days=30) == ()


def test_review_is_due_once_the_interval_has_passed():
    """A year after `reviewed:` the reminder comes, not a day before; no interval, no reminder."""
    reviewed = Vetted(date(2025, 12, 6), "reviewed")
    note = domains.review_note(reviewed, now=NOW, every_days=365)
    assert note == Note(
        "review",
        "Due for review since 2026-12-06: reviewed on 2025-12-06, and the list asks for a look"
        " every 365 days.",
        domains.REVIEW_ACTION,
        Flag.REVIEW_DUE,
    )
    assert domains.review_note(reviewed, now=NOW, every_days=366) is None
    assert domains.review_note(reviewed, now=NOW, every_days=None) is None


def test_a_cached_record_is_refreshed_when_old_or_close_to_an_alarm():
    """Fresh and quiet: kept; a week old, expiring soon, not found or unknown: asked again."""
    week = timedelta(days=7)

    def stale(r):
        return domains.needs_refresh(r, now=NOW, max_age=week, expiring_days=30)

    assert not stale(record(expires=at("2028-01-01T00:00:00+00:00")))
    assert stale(DomainRecord("example.org", DomainState.REGISTERED, NOW - week))
    assert stale(record(expires=at("2026-12-20T00:00:00+00:00")))
    assert stale(record(state=DomainState.NOT_FOUND, dns=False))
    assert stale(record(state=DomainState.UNKNOWN))
