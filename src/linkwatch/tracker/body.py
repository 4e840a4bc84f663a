"""Pure text of a tracker issue: title, body, comments, and the hidden markers that find it.

Everything that came from links.yaml or from a server (names, URLs, reasons) is neutralised:
no HTML, no Markdown that changes the layout, no ``@mention`` or ``#123`` that would notify
someone, no control characters, and no way to forge a marker.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Final

from linkwatch.models import Status

if TYPE_CHECKING:
    from linkwatch.tracker.plan import Failure

# The id marker the Markdown report uses too; the sync marker says "one link, one issue",
# so a combined report issue that carries several id markers is never mistaken for ours.
_ID_RE: Final = re.compile(r"<!-- linkwatch:([A-Za-z0-9_-]{1,64}) -->")
_SYNC_RE: Final = re.compile(r"<!-- linkwatch-sync status=([a-z]{1,20}) -->")
_WORD_JOINER: Final = "\u2060"
_MARKDOWN_SPECIAL: Final = re.compile(r"([\\`*_\[\]|~!])")
_SPACE: Final = re.compile(r"\s+")

_FOOTER: Final = (
    "_Kept up to date by `linkwatch sync github` and closed when the link recovers."
    " Close it as **not planned** to stop linkwatch from reopening it._"
)

TITLE_LIMIT: Final = 200
TEXT_LIMIT: Final = 500
URL_LIMIT: Final = 2000


def _plain(text: str, limit: int) -> str:
    """One line, control and format characters removed, clipped with an ellipsis."""
    kept = "".join(
        " " if unicodedata.category(c) in {"Cc", "Zl", "Zp"} else c
        for c in text
        if unicodedata.category(c) not in {"Cf", "Cs", "Co", "Cn"} or c == " "
    )
    line = _SPACE.sub(" ", kept).strip()
    return line if len(line) <= limit else line[: limit - 1] + "…"


def text(value: str, limit: int = TEXT_LIMIT) -> str:
    """Safe Markdown for untrusted text: shown as written, never interpreted."""
    line = _plain(value, limit)
    line = line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    line = _MARKDOWN_SPECIAL.sub(r"\\\1", line)
    # A word joiner after @ and # keeps mentions and issue references from linking.
    line = line.replace("@", "@" + _WORD_JOINER).replace("#", "#" + _WORD_JOINER)
    return line or "(empty)"


def code(value: str, limit: int = URL_LIMIT) -> str:
    """A code span: nothing inside is rendered, linked or mentioned."""
    line = _plain(value, limit)
    longest = max((len(run) for run in re.findall(r"`+", line)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if line.startswith("`") or line.endswith("`") or not line else ""
    return f"{fence}{pad}{line}{pad}{fence}"


def title(failure: Failure) -> str:
    """The issue title; plain text (GitHub does not render Markdown in titles)."""
    return _plain(f"Link {failure.status.value}: {failure.name}", TITLE_LIMIT)


def _status_line(failure: Failure) -> str:
    if failure.http_status is not None:
        return f"{failure.status.value} (HTTP {failure.http_status})"
    return failure.status.value


def body(failure: Failure) -> str:
    """The issue body. It holds no run counter, so it only changes when the details do."""
    lines = [
        f"<!-- linkwatch:{failure.id} -->",
        f"<!-- linkwatch-sync status={failure.status.value} -->",
        f"**{text(failure.name)}** is failing"
        + (f" since {failure.since.date().isoformat()}." if failure.since else "."),
        "",
        f"- **URL:** {code(failure.url)}",
        f"- **Status:** {_status_line(failure)}",
        f"- **Reason:** {text(failure.reason)}",
    ]
    if failure.final_url and failure.final_url != failure.url:
        lines.append(f"- **Ends at:** {code(failure.final_url)}")
    if failure.action:
        lines.append(f"- **What to do:** {text(failure.action)}")
    # The owner is shown, never mentioned: an assigned owner is told by the assignment.
    if failure.owner:
        lines.append(f"- **Owner:** {text(failure.owner, 100)}")
    if failure.category:
        lines.append(f"- **Category:** {text(failure.category, 100)}")
    if failure.place:
        lines.append(f"- **In the list:** {text(failure.place, 300)}")
    lines += [
        "",
        _FOOTER,
        "",
    ]
    return "\n".join(lines)


def parse(body_text: str | None) -> tuple[str, Status | None] | None:
    """The link id and last announced status of one of our issues; None when not ours.

    Ours means exactly one distinct id marker and a sync marker.
    """
    if not body_text:
        return None
    ids = set(_ID_RE.findall(body_text))
    sync = _SYNC_RE.search(body_text)
    if len(ids) != 1 or sync is None:
        return None
    try:
        status: Status | None = Status(sync.group(1))
    except ValueError:
        status = None
    return ids.pop(), status


def changed_comment(old: Status | None, failure: Failure) -> str:
    """Posted when a failing link's status changes."""
    before = old.value if old is not None else "unknown"
    return (
        f"Status changed from **{before}** to **{_status_line(failure)}**: {text(failure.reason)}"
    )


def reopened_comment(failure: Failure) -> str:
    """Posted when a link whose issue was closed fails again."""
    return f"Failing again ({_status_line(failure)}): {text(failure.reason)}"


def recovered_comment(how: str | None) -> str:
    """Posted when closing: the link works again, or is no longer in links.yaml."""
    if how is None:
        return "This link is no longer in links.yaml, so linkwatch stops tracking it. Closing."
    return f"Recovered: the link now answers **{text(how, 100)}**. Closing."


def duplicate_comment(number: int) -> str:
    """Posted when closing a second open issue for the same link."""
    return f"Duplicate of #{number}: linkwatch keeps one issue per link. Closing."
