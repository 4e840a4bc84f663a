"""The ``table`` format: what a maintainer reads in a terminal, what fails first, compact.

Three sections, as every format splits a report (``summary.sections``): the links that fail
the policy, the links worth a look that do not fail, and one line counting the healthy ones
(``verbose`` lists them too). Each link is one row of a rich table (status, name, where it
stands in links.yaml, what happened and what to do), followed by its URL on a line of its
own: a URL is never cut, folded or wrapped by linkwatch, at any width, so it can always be
copied whole (and clicked, where the terminal knows OSC 8 hyperlinks).

Every cell is a ``Text`` object, never a markup string, so a ``[bold red]`` in a link's name
is shown as written; ``neutralise.clean`` removes terminal escapes before rich sees the text.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Final

from rich.console import Console
from rich.padding import Padding
from rich.style import Style
from rich.table import Table
from rich.text import Text

from linkwatch.judgement.policy import DEFAULT_FAIL_ON, FailOn, describe
from linkwatch.models import Status
from linkwatch.report.neutralise import clean, clip, url_spans
from linkwatch.report.summary import archived_on, location, plural, sections, summary_line

if TYPE_CHECKING:
    from linkwatch.models import Outcome, Report

DEFAULT_WIDTH: Final = 80
_TITLE_LIMIT: Final = 120  # page titles come from servers and can be any length
_STATUS_WIDTH: Final = 10  # "redirected"
_INDENT: Final = "  "

_STYLES: Final[dict[Status, str]] = {
    Status.BROKEN: "bold red",
    Status.ERROR: "red",
    Status.BLOCKED: "magenta",
    Status.REDIRECTED: "yellow",
    Status.SKIPPED: "dim",
    Status.OK: "green",
}


def _without_urls(text: str, shown: list[str]) -> str:
    """``text`` with each URL replaced by a pointer to its own line below (added to ``shown``).

    A URL inside wrapped text would be broken across lines; on a line of its own it is whole.
    """

    out: list[str] = []
    start = 0
    for url_start, url_end in url_spans(text):
        url = text[url_start:url_end]
        if url not in shown:
            shown.append(url)
        out += [text[start:url_start], "the URL below"]
        start = url_end
    out.append(text[start:])
    return "".join(out)


def _details(outcome: Outcome, shown: list[str]) -> list[Text]:
    """Under the row: what happened and what to do, then history, flags, parameters, title."""
    what = Text(_without_urls(clean(outcome.reason), shown))
    if outcome.action:
        what.append(" · do: ", style="bold")
        what.append(_without_urls(clean(outcome.action), shown), style="italic")
    lines = [what]
    for finding in outcome.notes:
        # The domain watch's and the review reminder's own reason and action.
        said = Text(f"{finding.topic}: ", style="bold")
        said.append(_without_urls(clean(finding.text), shown))
        if finding.action and finding.action != outcome.action:  # said once is enough
            said.append(" · do: ", style="bold")
            said.append(_without_urls(clean(finding.action), shown), style="italic")
        lines.append(said)
    notes: list[str] = []
    if outcome.history is not None:
        notes.append("history: " + clean(outcome.history.label))
    if outcome.flags:
        notes.append("flags: " + ", ".join(f.value for f in outcome.flags))
    if outcome.stripped_params:
        notes.append("stripped: " + ", ".join(clean(p) for p in outcome.stripped_params))
    if outcome.title and outcome.status is not Status.OK:
        notes.append("title: " + clip(clean(outcome.title), _TITLE_LIMIT))
    if notes:
        lines.append(Text(" · ".join(notes), style="dim"))
    return lines


def _row_table(name_width: int, where_width: int, *, header: bool) -> Table:
    # One table per row, all with the same columns and widths, so that each row can be
    # followed by full-width lines (rich tables have no cell spanning every column).
    table = Table(
        box=None,
        show_header=header,
        header_style="bold underline",
        show_edge=False,
        expand=False,
        padding=(0, 1, 0, 0),
        pad_edge=False,
    )
    table.add_column("status", width=_STATUS_WIDTH, no_wrap=True)
    table.add_column("link", width=name_width, overflow="fold")
    table.add_column("where", width=where_width, no_wrap=True)
    return table


def _url_line(prefix: str, url: str, *, link: bool) -> Text:
    """One URL, whole, after a short prefix; a hyperlink where the terminal supports it."""
    shown = clean(url)
    line = Text(_INDENT + prefix)
    # Only a URL as written in links.yaml becomes clickable: one a server redirected to
    # (perhaps a hijacker's) is shown, never offered as a link.
    # Only an http(s) URL, exactly as listed, becomes a hyperlink (never javascript: or a
    # URL with characters clean() had to escape).
    clickable = link and shown == url and url.lower().startswith(("http://", "https://"))
    line.append(shown, style=Style(link=url) if clickable else None)
    return line


def _urls(outcome: Outcome, mentioned: list[str]) -> list[Text]:
    lines = [_url_line("", outcome.checked_url, link=True)]
    if outcome.final_url and outcome.final_url != outcome.checked_url:
        lines.append(_url_line("→ ", outcome.final_url, link=False))
    if outcome.archive_url:
        lines.append(_url_line(f"archived{archived_on(outcome)}: ", outcome.archive_url, link=True))
    known = {outcome.checked_url, outcome.final_url, outcome.archive_url}
    lines.extend(_url_line("see: ", url, link=False) for url in mentioned if url not in known)
    return lines


def _section(console: Console, title: Text, outcomes: tuple[Outcome, ...], path: str) -> None:
    console.print(title)
    where_width = max(len("where"), *(len(location(o, path)) for o in outcomes))
    # As wide as the longest name, within the line: every row table gets the same widths.
    room = max(console.width - _STATUS_WIDTH - where_width - 2, 8)
    name_width = min(max(len("link"), *(len(clean(o.link.name)) for o in outcomes)), room)
    console.print(_row_table(name_width, where_width, header=True))
    for outcome in outcomes:
        row = _row_table(name_width, where_width, header=False)
        row.add_row(
            Text(outcome.status.value, style=_STYLES[outcome.status]),
            Text(clean(outcome.link.name), style="bold"),
            Text(location(outcome, path), style="dim"),
        )
        console.print(row)
        mentioned: list[str] = []
        for line in _details(outcome, mentioned):
            console.print(Padding(line, (0, 0, 0, len(_INDENT))))
        for line in _urls(outcome, mentioned):
            # soft_wrap: rich inserts no line break; a terminal narrower than the URL wraps
            # it on screen only, and copying gives the URL back whole.
            console.print(line, soft_wrap=True, overflow="ignore", crop=False)
    console.print()


def _console(buffer: io.StringIO, *, color: bool, width: int | None) -> Console:
    return Console(
        file=buffer,
        width=width or DEFAULT_WIDTH,
        # Everything explicit: no guessing from the environment (FORCE_COLOR, COLUMNS),
        # so the caller's decision (NO_COLOR, not a terminal) is the only one.
        force_terminal=color,
        color_system="standard" if color else None,
        no_color=not color,
        markup=False,
        emoji=False,
        highlight=False,
        force_jupyter=False,
        force_interactive=False,
        legacy_windows=False,
        soft_wrap=False,
    )


def render(
    report: Report,
    *,
    color: bool = False,
    width: int | None = None,
    fail_on: FailOn = DEFAULT_FAIL_ON,
    verbose: bool = False,
) -> str:
    """What fails, then what is worth a look, then the healthy ones counted; the summary last."""
    buffer = io.StringIO()
    console = _console(buffer, color=color, width=width)
    if report.network_unavailable:
        # Ten identical "not checked" rows say less than one line: nothing was judged.
        names = ", ".join(clean(o.link.name) for o in report.outcomes[:5])
        more = f" and {len(report.outcomes) - 5} more" if len(report.outcomes) > 5 else ""
        console.print(
            Text(
                "Network unavailable: no link got past DNS or a connection, so none was"
                f" judged ({names}{more}). Run again when this machine is online.",
                style="bold red",
            )
        )
    else:
        split = sections(report, fail_on)
        path = report.config_path
        if split.failing:
            verb = "fails" if len(split.failing) == 1 else "fail"
            # The policy is named when it is not the default one, which the README explains.
            named = "" if fail_on == DEFAULT_FAIL_ON else f" (--fail-on {describe(fail_on)})"
            title = f"{plural(len(split.failing), 'link')} {verb}{named}"
            _section(console, Text(title, style="bold red"), split.failing, path)
        if split.notable:
            title = f"{plural(len(split.notable), 'link')} worth a look (not failing)"
            _section(console, Text(title, style="bold yellow"), split.notable, path)
        if split.healthy and verbose:
            _section(console, Text(_healthy(split.healthy), style="green"), split.healthy, path)
        elif split.healthy:
            console.print(Text(_healthy(split.healthy) + " (--verbose lists them)", style="green"))
        for note in report.domain_notes:
            console.print(Text("domain watch: " + clean(note), style="dim"))
    console.print(Text(summary_line(report), style="bold"))
    text = buffer.getvalue()
    if color:
        return text
    # Rich pads lines to the full width; in files and CI logs that is only noise.
    return "".join(line.rstrip() + "\n" for line in text.splitlines())


def _healthy(outcomes: tuple[Outcome, ...]) -> str:
    skipped = sum(o.status is Status.SKIPPED for o in outcomes)
    healthy = plural(len(outcomes) - skipped, "healthy link")
    return healthy + (f", {skipped} skipped by the list" if skipped else "")
