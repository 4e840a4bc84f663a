"""Builders for links, outcomes and reports, so history and tracker tests read as scripts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from linkwatch import urls
from linkwatch.models import Hop, Link, Outcome, Report, Status

if TYPE_CHECKING:
    from pathlib import Path

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def night(n: int) -> datetime:
    """The start of the n-th nightly run (0-based), one day apart."""
    return T0 + timedelta(days=n)


def link(name: str, url: str | None = None, index: int = 0) -> Link:
    return Link(
        index=index,
        name=name,
        url=url or f"https://{name.lower().replace(' ', '-')}.example.org/",
        line=3 + 4 * index,
        column=5,
        url_line=4 + 4 * index,
        url_column=10,
    )


def outcome(lk: Link, status: Status = Status.OK, reason: str | None = None) -> Outcome:
    default_reason = {Status.OK: "200 OK", Status.BROKEN: "404 Not Found"}.get(status, "failed")
    return Outcome(
        link=lk,
        checked_url=lk.url,
        stripped_params=(),
        status=status,
        reason=reason or default_reason,
        action="nothing to do" if status is Status.OK else "find the new address",
        http_status=200 if status is Status.OK else 404 if status is Status.BROKEN else None,
    )


def report(*outcomes: Outcome, when: datetime = T0, offline: bool = False) -> Report:
    return Report(
        tool_version="0.0.0",
        config_path="links.yaml",
        started=when,
        finished=when + timedelta(seconds=2),
        outcomes=outcomes,
        network_unavailable=offline,
    )


def run(statuses: dict[Link, Status], when: datetime) -> Report:
    """One run's report: each link with the given status."""
    return report(*(outcome(lk, st) for lk, st in statuses.items()), when=when)


def lid(lk: Link) -> str:
    return urls.stable_id(lk.url)


# A report saved before `fix` reads it.
FIX_STARTED = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


def redirected(link, hops, *, status=Status.REDIRECTED, flags=(), checked=None, **kw) -> Outcome:
    """An outcome as the checker records it: hops from the checked URL to the final one."""
    checked = checked or hops[0][0]
    return Outcome(
        link=link,
        checked_url=checked,
        stripped_params=(),
        status=status,
        reason=kw.pop("reason", "moved"),
        action="",
        flags=tuple(flags),
        http_status=hops[-1][1],
        final_url=hops[-1][0],
        redirects=tuple(Hop(u, c) for u, c in hops),
        **kw,
    )


def links_file(tmp_path: Path, *urls: str) -> Path:
    """A links.yaml with one entry per URL, named ``link 0``, ``link 1``…"""
    entries = "".join(f"  - name: link {i}\n    url: {u}\n" for i, u in enumerate(urls))
    path = tmp_path / "links.yaml"
    path.write_text(f"version: 1\nlinks:\n{entries}", encoding="utf-8")
    return path
