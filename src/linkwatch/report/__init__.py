"""Reports: a ``Report`` into text, one module per format, ``OutputFormat`` the only registry.

Owns the table, JSON (and reading it back), Markdown and GitHub annotation formats, merging
shard reports, summaries, and neutralising hostile text for each medium. Pure: formats
return strings (files are written by ``pipeline.deliver``). May import ``judgement.policy``,
``urls``, ``models`` and ``errors``; never httpx; only ``report.table`` imports rich.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, assert_never

from linkwatch.judgement.policy import DEFAULT_FAIL_ON, FailOn

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from linkwatch.models import Report


class OutputFormat(StrEnum):
    """Every format linkwatch writes; ``--format`` takes these names."""

    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"
    GITHUB = "github"


def render(
    report: Report,
    fmt: OutputFormat,
    *,
    color: bool = False,
    width: int | None = None,
    fail_on: FailOn = DEFAULT_FAIL_ON,
    verbose: bool = False,
) -> str:
    """The report as text in the chosen format, ending in a newline.

    ``fail_on`` decides what each format shows as failing (and so the counts it gives);
    ``color``, ``width`` and ``verbose`` (list healthy links too) only shape the table.
    """
    # Imported here so that asking for one format does not load rich for the others.
    match fmt:
        case OutputFormat.TABLE:
            from linkwatch.report import table  # noqa: PLC0415

            return table.render(report, color=color, width=width, fail_on=fail_on, verbose=verbose)
        case OutputFormat.JSON:
            from linkwatch.report import json  # noqa: PLC0415

            return json.render(report)
        case OutputFormat.MARKDOWN:
            from linkwatch.report import markdown  # noqa: PLC0415

            return markdown.render(report, fail_on=fail_on)
        case OutputFormat.GITHUB:
            from linkwatch.report import github  # noqa: PLC0415

            return github.render(report, fail_on=fail_on)
        case _:
            assert_never(fmt)


def render_pieces(
    report: Report,
    fmt: OutputFormat,
    *,
    width: int | None = None,
    fail_on: FailOn = DEFAULT_FAIL_ON,
    verbose: bool = False,
) -> Iterator[str]:
    """``render``'s text (never in colour) in pieces: JSON one link at a time, for files.

    A 20,000-link JSON report is tens of megabytes of text; written piece by piece it never
    sits in memory whole (nor its dict of every record, nor its encoded bytes).
    """
    if fmt is OutputFormat.JSON:
        from linkwatch.report import json  # noqa: PLC0415

        yield from json.iter_render(report)
    else:
        yield render(report, fmt, color=False, width=width, fail_on=fail_on, verbose=verbose)


def use_color(is_terminal: bool, environ: Mapping[str, str]) -> bool:
    """Colour only on a terminal, and never when ``NO_COLOR`` is set (https://no-color.org)."""
    return is_terminal and not environ.get("NO_COLOR")
