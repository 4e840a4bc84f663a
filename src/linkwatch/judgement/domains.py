"""Pure domain watch: an RDAP answer read into a record, and a record judged against a link.

RDAP (RFC 9082/9083) is WHOIS in JSON. A domain object carries ``events`` (registration,
expiration, last changed, transfer…) and ``status`` values (``redemption period``, ``pending
delete`` once it lapses). Everything here takes its clock as an argument (``now``).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Final

from linkwatch.judgement.sites import registered_name
from linkwatch.models import DomainInfo, DomainRecord, DomainState, Flag, Note, Status

if TYPE_CHECKING:
    from collections.abc import Mapping

    from linkwatch.models import Outcome

# RDAP event actions (IANA's "RDAP JSON Values" registry) and the record field each fills.
_EVENTS: Final = {
    "registration": "registered",
    "expiration": "expires",
    "last changed": "last_changed",
    "transfer": "transferred",
    # A domain deleted and registered again is a new owner's as much as a transfer is.
    "reregistration": "transferred",
}
# EPP status values (RFC 8056 spells them as RDAP status) of a domain past its expiry.
LAPSED_STATUSES: Final = frozenset({"redemption period", "pending delete", "pending restore"})
TOPIC: Final = "domain"


@lru_cache(maxsize=1 << 16)  # a list names each host many times; each is asked twice a run
def watched_domain(host: str) -> str | None:
    """The domain a registry holds for ``host``, or None when there is none of its own.

    ``www.nspcc.org.uk`` → ``nspcc.org.uk``. None for IP addresses, bare names, unknown
    suffixes, and sites on a shared host (``alice.github.io``: the public suffix list's
    private section): the registration of github.io says nothing about alice's site.
    """
    icann = registered_name(host)
    if icann is None or registered_name(host, private_suffixes=True) != icann:
        return None
    return icann


# ---------------------------------------------------------------------- reading RDAP


class MalformedAnswerError(ValueError):
    """An RDAP body that is not a domain object we can read."""


def _instant(text: object) -> datetime:
    if not isinstance(text, str):
        raise MalformedAnswerError("an event date that is not text")
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as e:
        raise MalformedAnswerError(f"an event date that is not RFC 3339: {text[:40]!r}") from e
    # RFC 9083 5.2 asks for RFC 3339 (with a zone); a zoneless date is read as UTC.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def read_answer(doc: object, domain: str, looked_up: datetime) -> DomainRecord:
    """A registry's domain object → the record; raises ``MalformedAnswerError`` if unreadable.

    Redacted records (RFC 9537) keep their events; only entities are emptied, which are not
    read. A repeated event keeps its latest date, except the registration (its earliest).
    """
    if not isinstance(doc, dict):
        raise MalformedAnswerError("not a JSON object")
    kind = doc.get("objectClassName", "domain")
    if kind != "domain":
        raise MalformedAnswerError(f"not a domain object ({kind!r:.40})")
    events = doc.get("events", [])
    if not isinstance(events, list):
        raise MalformedAnswerError("events is not a list")
    found: dict[str, datetime] = {}
    for event in events:
        if not isinstance(event, dict):
            raise MalformedAnswerError("an event that is not an object")
        field = _EVENTS.get(str(event.get("eventAction", "")).lower())
        if field is None:
            continue
        when = _instant(event.get("eventDate"))
        earlier = found.get(field)
        if earlier is None:
            found[field] = when
        elif field in {"transferred", "last_changed", "expires"}:
            found[field] = max(earlier, when)
        else:
            found[field] = min(earlier, when)
    statuses = doc.get("status", [])
    if not isinstance(statuses, list) or not all(isinstance(s, str) for s in statuses):
        raise MalformedAnswerError("status is not a list of text")
    return DomainRecord(
        domain=domain,
        state=DomainState.REGISTERED,
        looked_up=looked_up,
        registered=found.get("registered"),
        expires=found.get("expires"),
        last_changed=found.get("last_changed"),
        transferred=found.get("transferred"),
        statuses=tuple(s.lower() for s in statuses),
    )


# ---------------------------------------------------------------------- judging


@dataclasses.dataclass(frozen=True, slots=True)
class Vetted:
    """When a person (or, failing that, linkwatch) first vouched for a link."""

    day: date
    by: str  # "reviewed" (the link's `reviewed:`) or "first seen" (the state file)

    def says(self) -> str:
        if self.by == "reviewed":
            return f"reviewed on {self.day.isoformat()}"
        return f"first seen by linkwatch on {self.day.isoformat()}"


def _day(when: datetime) -> str:
    return when.astimezone(UTC).date().isoformat()


def _in_days(when: datetime, now: datetime) -> int:
    return (when.astimezone(UTC).date() - now.astimezone(UTC).date()).days


LAPSED_ACTION: Final = (
    "Remove the link now, or ask the organisation where its site went: until the domain is"
    " theirs again, anyone can buy it and put anything behind this link."
)
CHANGED_HANDS_ACTION: Final = (
    "Open the link and check the site still belongs to the organisation you vetted. If it"
    " does, set `reviewed:` to today's date; if not, remove the link."
)
EXPIRING_ACTION: Final = "Tell the domain's owner to renew it before it lapses."


def findings(
    record: DomainRecord, *, now: datetime, vetted: Vetted | None, expiring_days: int
) -> tuple[Note, ...]:
    """The notes (each with its flag) a record gives a link vetted at ``vetted``."""
    name = record.domain
    notes: list[Note] = []
    if record.state is DomainState.NOT_FOUND:
        if record.dns is False:
            text = (
                f"{name} is not registered: its registry has no record of it and it has no"
                " DNS, so anyone can buy it."
            )
            notes.append(Note(TOPIC, text, LAPSED_ACTION, Flag.DOMAIN_UNREGISTERED))
        return tuple(notes)
    if record.state is not DomainState.REGISTERED:
        return ()
    lapsed = sorted(LAPSED_STATUSES & set(record.statuses))
    if record.expires is not None and record.expires <= now:
        ago = -_in_days(record.expires, now)
        if lapsed:
            text = (
                f"{name} expired on {_day(record.expires)} and is in its {lapsed[0]}: once"
                " the registry releases it, anyone can buy it."
            )
            notes.append(Note(TOPIC, text, LAPSED_ACTION, Flag.DOMAIN_UNREGISTERED))
        else:
            text = (
                f"{name} expired on {_day(record.expires)} ({ago} days ago); the registry"
                " still holds it for its owner (a grace period)."
            )
            notes.append(Note(TOPIC, text, EXPIRING_ACTION, Flag.DOMAIN_EXPIRING))
    elif record.expires is not None and _in_days(record.expires, now) <= expiring_days:
        days = _in_days(record.expires, now)
        text = f"{name} expires on {_day(record.expires)} (in {days} day{'s' * (days != 1)})."
        notes.append(Note(TOPIC, text, EXPIRING_ACTION, Flag.DOMAIN_EXPIRING))
    elif lapsed:
        text = f"{name} is in its {lapsed[0]}: once the registry releases it, anyone can buy it."
        notes.append(Note(TOPIC, text, LAPSED_ACTION, Flag.DOMAIN_UNREGISTERED))
    if vetted is not None:
        changed = _changed_hands(record, vetted)
        if changed is not None:
            notes.append(Note(TOPIC, changed, CHANGED_HANDS_ACTION, Flag.DOMAIN_CHANGED_HANDS))
    return tuple(notes)


def _changed_hands(record: DomainRecord, vetted: Vetted) -> str | None:
    """Why the domain may belong to someone else now, or None."""
    for when, what in ((record.registered, "registered"), (record.transferred, "transferred")):
        if when is not None and when.astimezone(UTC).date() > vetted.day:
            return (
                f"{record.domain} was {what} on {_day(when)}, after this link was"
                f" {vetted.says()}: the domain may have changed hands."
            )
    return None


REVIEW_ACTION: Final = (
    "Look at the link again; when it is still right, set `reviewed:` to today's date."
)


def review_note(vetted: Vetted | None, *, now: datetime, every_days: int | None) -> Note | None:
    """The review reminder when ``every_days`` have passed since the link was vetted."""
    if every_days is None or vetted is None:
        return None
    due = vetted.day + timedelta(days=every_days)
    if now.astimezone(UTC).date() < due:
        return None
    text = (
        f"Due for review since {due.isoformat()}: {vetted.says()}, and the list asks for a"
        f" look every {every_days} days."
    )
    return Note("review", text, REVIEW_ACTION, Flag.REVIEW_DUE)


def annotate(outcome: Outcome, notes: tuple[Note, ...], info: DomainInfo | None) -> Outcome:
    """The outcome with the notes' flags (each once) and the notes; the page's verdict stays.

    An ok link without flags of its own takes the first note's action, so a report's "to
    do" never says "None." beside a domain that lapsed.
    """
    if not notes and info is None:
        return outcome
    flags = list(outcome.flags)
    for note in notes:
        if note.flag is not None and note.flag not in flags:
            flags.append(note.flag)
    action = outcome.action
    flagged = [n for n in notes if n.flag is not None]
    if flagged and outcome.status is Status.OK and not outcome.flags:
        action = flagged[0].action
    return dataclasses.replace(
        outcome,
        flags=tuple(flags),
        action=action,
        notes=(*outcome.notes, *notes),
        domain=info if info is not None else outcome.domain,
    )


def info_of(record: DomainRecord) -> DomainInfo:
    """What a report shows of a record."""
    return DomainInfo(
        domain=record.domain,
        state=record.state,
        registered=record.registered,
        expires=record.expires,
        transferred=record.transferred,
    )


def unknown_note(record: DomainRecord) -> str:
    """A line for the report's domain notes: why nothing is known of a domain."""
    if record.state is DomainState.NOT_FOUND:
        return (
            f"{record.domain}: its registry has no record of it, but it still has DNS; not"
            " judged (ask the registry, or look again next run)"
        )
    return f"{record.domain}: {record.detail or 'no registration data'}; not judged this run"


def needs_refresh(
    record: DomainRecord, *, now: datetime, max_age: timedelta, expiring_days: int
) -> bool:
    """Whether a cached record is too old, or too close to raising an alarm, to trust."""
    if record.state is not DomainState.REGISTERED:
        return True  # an alarm, or nothing known: ask again
    if now - record.looked_up >= max_age:
        return True
    return record.expires is not None and _in_days(record.expires, now) <= expiring_days


def group(hosts: Mapping[str, str]) -> dict[str, list[str]]:
    """Link ids by watched domain, from each link id's host (links without one left out)."""
    out: dict[str, list[str]] = {}
    for key, host in hosts.items():
        domain = watched_domain(host)
        if domain is not None:
            out.setdefault(domain, []).append(key)
    return out
