"""Archived copies of broken links: one polite question each to the Internet Archive.

``check --suggest-archive`` asks the Wayback Machine's availability API
(``https://archive.org/wayback/available?url=...&timestamp=YYYYMMDD``) for the snapshot
closest to the run, once per broken URL, a few at a time, through the run's own guarded
client (the archive is a public host, so the private-address guard lets it through). The
answer looks like::

    {"url": "...", "archived_snapshots": {"closest": {"status": "200", "available": true,
     "url": "http://web.archive.org/web/20190318093512/https://...",
     "timestamp": "20190318093512"}}}

and ``{"archived_snapshots": {}}`` when there is none. A lookup that fails in any way (an
error, a timeout, a slow or odd answer, a refusal) is simply no suggestion: it never fails
the run. After a few failures, or one "too many requests", the API is left alone.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from linkwatch.listfile import config
from linkwatch.models import Policy, Status
from linkwatch.network.probe import ProbeSettings

if TYPE_CHECKING:
    from linkwatch.models import Outcome, Report
    from linkwatch.network.probe import Prober

DEFAULT_API_URL = "https://archive.org/wayback/available"
# One request per lookup, no retries (the archive is asked a favour), a small answer.
PROBE_SETTINGS = ProbeSettings(max_body=64 * 1024, max_attempts=1, inspect_pages=True)
_ARCHIVE_HOSTS = ("web.archive.org", "wayback.archive.org")


@dataclass(frozen=True, slots=True)
class ArchiveOptions:
    """How the availability API is asked; tests point ``api_url`` at respx or 127.0.0.1."""

    api_url: str = DEFAULT_API_URL
    timeout: float = 10.0  # seconds per lookup, everything included
    concurrency: int = 2  # lookups at once
    budget: float = 120.0  # seconds for all lookups of a run; what is found by then is kept
    max_failures: int = 3  # failed lookups after which the API is not asked again


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The archived copy closest to the run."""

    url: str
    timestamp: datetime


def lookup_url(api_url: str, url: str, when: datetime) -> str:
    """The availability API request for ``url``, closest to the day ``when``."""
    query = urlencode({"url": url, "timestamp": when.astimezone(UTC).strftime("%Y%m%d")})
    return f"{api_url}?{query}"


def parse_answer(body: bytes) -> Snapshot | None:
    """The snapshot in an availability API answer, or None (no snapshot, or not believable)."""
    try:
        doc: Any = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None
    snapshots = doc.get("archived_snapshots") if isinstance(doc, dict) else None
    closest = snapshots.get("closest") if isinstance(snapshots, dict) else None
    if not isinstance(closest, dict) or closest.get("available") is not True:
        return None
    if str(closest.get("status")) != "200":
        return None  # a snapshot of an error page is no copy of the page
    url, stamp = closest.get("url"), closest.get("timestamp")
    if not isinstance(url, str) or not isinstance(stamp, str):
        return None
    url = _https(url)
    when = _timestamp(stamp)
    if url is None or when is None:
        return None
    return Snapshot(url, when)


def _https(url: str) -> str | None:
    """The snapshot URL on https, or None when it is not a Wayback Machine address."""
    if config.check_url(url) is not None:
        return None
    parts = urlsplit(url)
    if (parts.hostname or "").lower() not in _ARCHIVE_HOSTS or parts.port is not None:
        return None
    # The API answers with http:// addresses; the Wayback Machine serves them on https.
    return urlunsplit(("https", parts.netloc, parts.path, parts.query, parts.fragment))


def _timestamp(stamp: str) -> datetime | None:
    """``20190318093512`` (UTC; shorter forms padded) → a datetime."""
    if not (stamp.isascii() and stamp.isdigit() and 8 <= len(stamp) <= 14):
        return None
    try:
        return datetime.strptime(stamp.ljust(14, "0"), "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None


class _Lookups:
    """Asks for each URL once, a few at a time, and stops asking after repeated failures."""

    def __init__(self, prober: Prober, options: ArchiveOptions, when: datetime) -> None:
        self._prober = prober
        self._options = options
        self._when = when
        self._failures = 0
        self._gate = asyncio.Semaphore(max(options.concurrency, 1))
        self.found: dict[str, Snapshot] = {}

    async def ask(self, url: str) -> None:
        async with self._gate:
            if self._failures >= self._options.max_failures:
                return
            try:
                observation = await self._prober.probe(
                    lookup_url(self._options.api_url, url, self._when),
                    Policy(timeout=self._options.timeout),
                )
            except Exception:  # noqa: BLE001 - a suggestion is never worth failing the run
                self._failures += 1
                return
            if observation.status_code == 429:
                self._failures = self._options.max_failures  # asked to stop: stop
                return
            if observation.failure is not None or observation.status_code != 200:
                self._failures += 1
                return
            if observation.body is None or observation.body_truncated:
                self._failures += 1
                return
            snapshot = parse_answer(observation.body)
            if snapshot is not None:
                self.found[url] = snapshot


async def suggest(report: Report, prober: Prober, options: ArchiveOptions | None = None) -> Report:
    """``report`` with the closest archived copy added to each broken link that has one.

    ``prober`` holds the run's client; give it ``PROBE_SETTINGS``. Never raises for the
    archive's sake: whatever it cannot answer, in time or at all, is no suggestion.
    """
    options = options or ArchiveOptions()
    if report.network_unavailable:
        return report  # nothing is known to be broken, and the archive is out of reach too
    wanted = list(dict.fromkeys(o.checked_url for o in report.outcomes if _wants(o)))
    if not wanted:
        return report
    lookups = _Lookups(prober, options, report.started)
    try:
        async with asyncio.timeout(options.budget), asyncio.TaskGroup() as group:
            for url in wanted:
                group.create_task(lookups.ask(url))
    except TimeoutError:
        pass  # slowness is no suggestion; what arrived in time is kept
    found = lookups.found
    return dataclasses.replace(
        report,
        outcomes=tuple(_with(o, found.get(o.checked_url)) for o in report.outcomes),
    )


def _wants(outcome: Outcome) -> bool:
    return outcome.status is Status.BROKEN


def _with(outcome: Outcome, snapshot: Snapshot | None) -> Outcome:
    if snapshot is None or not _wants(outcome):
        return outcome
    return dataclasses.replace(
        outcome, archive_url=snapshot.url, archive_timestamp=snapshot.timestamp
    )
