"""One link and its outcome, as the exact-expectation tests of the report formats build them."""

from __future__ import annotations

from datetime import UTC, datetime

from linkwatch.models import Link, Outcome, Status

T0 = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


def link(name="Helpline", index=0, **fields):
    return Link(
        index=index,
        name=name,
        url=f"https://{index}.example.org/help",
        line=3 + 4 * index,
        column=5,
        url_line=4 + 4 * index,
        url_column=10,
        **fields,
    )


def outcome(lk, status=Status.BROKEN, **fields):
    fields.setdefault("reason", "the page is not found (404)")
    fields.setdefault("action", "Find the page's new address on the site, or remove the link.")
    fields.setdefault("stripped_params", ())
    return Outcome(link=lk, checked_url=lk.url, status=status, **fields)
