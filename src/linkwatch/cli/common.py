"""What several commands share: printing an error, the options check and report both take."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from linkwatch.errors import ConfigError, LinkwatchError, UsageError
from linkwatch.judgement import policy
from linkwatch.report import OutputFormat

if TYPE_CHECKING:
    from datetime import date

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="The links.yaml to read. Default: ./links.yaml if present, else the bundled list.",
        show_default=False,
        metavar="PATH",
    ),
]
# Shared by `check` and `report`: the same three options mean the same thing in both.
FormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        "-f",
        help="table (for people), json (schema linkwatch.report/1, for machines),"
        " markdown (an issue body), github (workflow annotations on links.yaml).",
        case_sensitive=False,
        metavar="FORMAT",
    ),
]
VerboseOption = Annotated[
    bool,
    typer.Option(
        "--verbose",
        "-v",
        help="The table lists every link, healthy ones too (by default they are counted).",
    ),
]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write the report to FILE (replaced atomically) instead of standard output.",
        dir_okay=False,
        metavar="FILE",
        show_default=False,
    ),
]
FailOnOption = Annotated[
    str,
    typer.Option(
        "--fail-on",
        help="Comma-separated statuses and flags that make the exit code 1"
        f" ({', '.join(policy.known_names())}). 'none' never fails. Default: what would"
        f" hurt a reader, {policy.DEFAULT_FAIL_ON_TEXT.replace(',', ', ')}.",
        metavar="NAMES",
        # typer would print the default unbroken and fold it mid-word; the help says it.
        show_default=False,
    ),
]


def err(message: str) -> None:
    """A line on standard error."""
    typer.echo(message, err=True)


def print_error(error: LinkwatchError) -> None:
    """Every problem of a bad file with its place, else one ``error: …`` line."""
    if isinstance(error, ConfigError):
        for problem in error.problems:
            err(str(problem))
        count = len(error.problems)
        err(f"{count} problem{'s' if count != 1 else ''} found")
    else:
        err(f"error: {error}")


def parse_day(text: str, option: str) -> date:
    """``2019-03-18``, or ``today`` (UTC), for an option that takes a date."""
    from datetime import UTC, date, datetime  # noqa: PLC0415

    if text.strip().lower() == "today":
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(text.strip())
    except ValueError as e:
        raise UsageError(f"{option}: {text!r} is not a date; write it as 2019-03-18") from e


def stdout_is_terminal() -> bool:
    """Whether a person reads standard output (colour, width, the progress bar)."""
    return sys.stdout.isatty()


def output_path(path: Path | None) -> Path | None:
    """``-o -`` is standard output, as in most tools."""
    return None if path is not None and str(path) == "-" else path


def terminal_width(is_terminal: bool) -> int | None:
    """The table's width: the terminal's, else None (the format's default)."""
    import shutil  # noqa: PLC0415

    return shutil.get_terminal_size().columns if is_terminal else None


def show_report(text: str, summary: str, written_to: Path | None) -> None:
    """Print the rendered report, or, when it went to a file, one line saying so on stderr."""
    if written_to is None:
        typer.echo(text, nl=False)
    else:
        err(f"{summary} → {written_to}")


# History options (see "Remember results across runs" in docs/reference.md).
StateOption = Annotated[
    Path | None,
    typer.Option(
        "--state",
        help="Remember results across runs in this JSON file; marks problems new, persisting"
        " or recovered.",
        dir_okay=False,
        show_default=False,
        metavar="FILE",
    ),
]
FailAfterOption = Annotated[
    int,
    typer.Option(
        "--fail-after",
        min=1,
        metavar="N",
        help="A failing link counts as a problem only after N failing runs in a row (with"
        " --state).",
    ),
]
RecoverAfterOption = Annotated[
    int,
    typer.Option(
        "--recover-after",
        min=1,
        metavar="M",
        help="A problem counts as recovered only after M passing runs in a row (with --state).",
    ),
]
