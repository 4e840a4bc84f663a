"""The domain watch in a run: one RDAP lookup per registrable domain, then notes on the links.

Lookups use the run's client (so its address guard), at most ``PER_SERVER`` at a time per
registry, and a record younger than the cache's age (a week by default) is not asked again,
unless it is close to raising an alarm. Review reminders are added here too: they need the
same "when was this link vetted" as the domain watch.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, timedelta
from typing import TYPE_CHECKING, Final
from urllib.parse import urlsplit

from linkwatch.judgement import domains as judge
from linkwatch.models import DomainRecord, DomainState, Status
from linkwatch.network import rdap
from linkwatch.report.summary import outcome_id

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from datetime import datetime

    import httpx

    from linkwatch.history.streaks import State
    from linkwatch.models import Config, Link, Note, Outcome, Report
    from linkwatch.network.client import Resolver

PER_SERVER: Final = 2  # lookups at once to one registry: RDAP servers rate-limit quickly
DEFAULT_CACHE_DAYS: Final = 7


def by_link(cfg: Config) -> dict[int, str]:
    """Each link's registrable domain by the link's index (skipped links and links without
    a domain of their own left out)."""
    found: dict[int, str] = {}
    for link in cfg.links:
        if link.policy.skip is None:
            domain = judge.watched_domain(urlsplit(link.url).hostname or "")
            if domain is not None:
                found[link.index] = domain
    return found


def watched(cfg: Config) -> list[str]:
    """The registrable domains of the list's links (skipped links left out), each once."""
    return list(dict.fromkeys(by_link(cfg).values()))


async def look_up(
    client: httpx.AsyncClient,
    names: Iterable[str],
    cached: Mapping[str, DomainRecord],
    *,
    now: Callable[[], datetime],
    resolver: Resolver,
    settings: rdap.RdapSettings,
    max_age: timedelta = timedelta(days=DEFAULT_CACHE_DAYS),
    expiring_days: int = 30,
) -> dict[str, DomainRecord]:
    """A record for every name: from the cache when fresh enough, else from its registry."""
    names = list(names)
    records: dict[str, DomainRecord] = {}
    wanted: list[str] = []
    for name in names:
        old = cached.get(name)
        if old is not None and not judge.needs_refresh(
            old, now=now(), max_age=max_age, expiring_days=expiring_days
        ):
            records[name] = old
        else:
            wanted.append(name)
    gates: dict[str | None, asyncio.Semaphore] = {}

    async def one(name: str) -> None:
        gate = gates.setdefault(rdap.server_for(name, settings), asyncio.Semaphore(PER_SERVER))
        async with gate:
            try:
                records[name] = await rdap.lookup(
                    client, name, resolver=resolver, now=now, settings=settings
                )
            except Exception as e:  # noqa: BLE001 - the watch must never stop the run
                # lookup turns every registry behaviour into a record; this is a bug's net.
                detail = (
                    f"the lookup failed inside linkwatch ({type(e).__name__}); please report it"
                )
                records[name] = DomainRecord(name, DomainState.UNKNOWN, now(), detail=detail)

    await asyncio.gather(*(one(name) for name in wanted))
    return {name: records[name] for name in names}  # in the list's order, whatever answered first


def vetted(link: Link, key: str, state: State | None, now: datetime) -> judge.Vetted:
    """The link's ``reviewed:`` date, else when the state file first saw it, else today."""
    if link.reviewed is not None:
        return judge.Vetted(link.reviewed, "reviewed")
    seen = state.links.get(key) if state is not None else None
    first = seen.first_seen if seen is not None and seen.first_seen is not None else now
    return judge.Vetted(first.astimezone(UTC).date(), "first seen")


def annotate(
    report: Report,
    cfg: Config,
    records: Mapping[str, DomainRecord] | None,
    *,
    state: State | None,
    now: datetime,
    domains: Mapping[int, str] | None = None,
) -> Report:
    """The report with each link's domain findings and review reminder, and the run's notes.

    ``records`` None: the domain watch is off (``--no-domains``); reminders still come.
    ``domains``: ``by_link(cfg)`` when the caller has it already.
    """
    if report.network_unavailable:
        return report  # nothing was judged; no alarm may come from a machine offline
    if not records and cfg.defaults.review_every_days is None:
        return report  # --no-domains (or no domain to watch) and no reminders: nothing to add
    domains = domains if domains is not None else by_link(cfg)
    outcomes = tuple(
        _annotated(o, records=records, domains=domains, state=state, now=now, cfg=cfg)
        for o in report.outcomes
    )
    notes = tuple(
        judge.unknown_note(record)
        for record in (records or {}).values()
        if record.state is DomainState.UNKNOWN
        or (record.state is DomainState.NOT_FOUND and record.dns is not False)
    )
    return dataclasses.replace(report, outcomes=outcomes, domain_notes=notes)


def _annotated(
    outcome: Outcome,
    *,
    records: Mapping[str, DomainRecord] | None,
    domains: Mapping[int, str],
    state: State | None,
    now: datetime,
    cfg: Config,
) -> Outcome:
    link = outcome.link
    if link.policy.skip is not None:
        return outcome
    every = cfg.defaults.review_every_days
    domain = domains.get(link.index)
    record = records.get(domain) if records is not None and domain is not None else None
    known = record is not None and record.state is not DomainState.UNKNOWN
    if every is None and not known:
        return outcome  # nothing to say: spare the link's id and dates (a 20,000-link run)
    # The link's id (a hash of its URL) only when the state file must be asked.
    asks_state = link.reviewed is None and state is not None
    when = vetted(link, outcome_id(outcome) if asks_state else "", state, now)
    notes: list[Note] = []
    info = None
    if record is not None and known:
        info = judge.info_of(record)
        notes.extend(
            judge.findings(
                record,
                now=now,
                vetted=when,
                expiring_days=cfg.defaults.domain_expiring_days,
            )
        )
    review = judge.review_note(when, now=now, every_days=every)
    if review is not None:
        notes.append(review)
    if outcome.status is Status.SKIPPED:
        info = None  # a link not requested (a private address) shows no domain data
    return judge.annotate(outcome, tuple(notes), info)
