"""The ``table`` format: what a maintainer reads in a terminal, problems first.

Rendered through ``rich`` into a string. Every cell is a ``Text`` object, never a markup
string, so a ``[bold red]`` in a link's name is shown as written; ``neutralise.clean``
removes terminal escapes before rich ever sees the text.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Final

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from linkwatch.models import Status
from linkwatch.report.neutralise import clean, clip
from linkwatch.report.summary import archived_on, grouped, is_problem, summary_line

if TYPE_CHECKING:
    from linkwatch.models import Outcome, Report

DEFAULT_WIDTH: Final = 80
_TITLE_LIMIT: Final = 120  # page titles come from servers and can be any length

_STYLES: Final[dict[Status, str]] = {
    Status.BROKEN: "bold red",
    Status.ERROR: "red",
    Status.BLOCKED: "magenta",
    Status.REDIRECTED: "yellow",
    Status.SKIPPED: "dim",
    Status.OK: "green",
}


def _details(outcome: Outcome) -> Text:
    """The last column: final URL or reason, then title, flags, stripped parameters, action."""
    lines: list[Text] = []
    if outcome.final_url and outcome.final_url != outcome.checked_url:
        lines.append(Text("→ " + clean(outcome.final_url)))
    if outcome.reason:
        lines.append(Text(clean(outcome.reason)))
    if outcome.title and is_problem(outcome):
        lines.append(Text("title: " + clip(clean(outcome.title), _TITLE_LIMIT), style="dim"))
    if outcome.history is not None:
        lines.append(Text("history: " + clean(outcome.history.label), style="bold"))
    if outcome.flags:
        lines.append(Text("flags: " + ", ".join(f.value for f in outcome.flags), style="yellow"))
    if outcome.stripped_params:
        lines.append(
            Text("stripped: " + ", ".join(clean(p) for p in outcome.stripped_params), style="cyan")
        )
    if outcome.action and is_problem(outcome):
        lines.append(Text("do: " + clean(outcome.action), style="italic"))
    if outcome.archive_url:
        lines.append(
            Text(f"archived{archived_on(outcome)}: {clean(outcome.archive_url)}", style="cyan")
        )
    return Text("\n").join(lines)


def _table(status: Status, outcomes: tuple[Outcome, ...]) -> Table:
    table = Table(
        title=Text(f"{status.value} ({len(outcomes)})", style=_STYLES[status]),
        title_justify="left",
        # Every line starts with a border character, so no name or URL can begin a line of
        # CI log output (where ``::command::`` at a line start would be obeyed).
        box=box.SQUARE,
        show_lines=True,
        expand=True,
        padding=(0, 1),
    )
    table.add_column("name", overflow="fold", ratio=2, min_width=8)
    table.add_column("status", no_wrap=True, min_width=6)
    table.add_column("code", no_wrap=True, justify="right", min_width=4)
    table.add_column("checked URL", overflow="fold", ratio=3, min_width=12)
    table.add_column("final URL / reason", overflow="fold", ratio=3, min_width=12)
    # Problems inside a group first (a flagged ok link before a clean one).
    for outcome in sorted(outcomes, key=lambda o: not is_problem(o)):
        table.add_row(
            Text(clean(outcome.link.name)),
            Text(outcome.status.value, style=_STYLES[outcome.status]),
            Text(str(outcome.http_status) if outcome.http_status is not None else "—"),
            Text(clean(outcome.checked_url)),
            _details(outcome),
        )
    return table


def render(report: Report, *, color: bool = False, width: int | None = None) -> str:
    """The report as a table per status, worst first, then the summary line."""
    buffer = io.StringIO()
    console = Console(
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
        for status, outcomes in grouped(report.outcomes):
            console.print(_table(status, outcomes))
    console.print(Text(summary_line(report), style="bold"))
    text = buffer.getvalue()
    if color:
        return text
    # Rich pads titles to the full width; in files and CI logs that is only noise.
    return "".join(line.rstrip() + "\n" for line in text.splitlines())
