"""``linkwatch report``: saved JSON reports merged and rendered again, without a network."""

from __future__ import annotations

import os
from pathlib import Path  # noqa: TC003 - typer reads the annotations at run time
from typing import Annotated

import typer

from linkwatch.cli.common import (
    FailOnOption,
    FormatOption,
    OutputOption,
    VerboseOption,
    output_path,
    show_report,
    stdout_is_terminal,
    terminal_width,
)
from linkwatch.judgement import policy
from linkwatch.report import OutputFormat, use_color

EPILOG = (
    "Examples:\n\n  linkwatch report report.json --format markdown\n\n"
    "  linkwatch report shard-*.json --format github --fail-on broken,error,cross_site_redirect"
)


def report(
    reports: Annotated[
        list[Path],
        typer.Argument(
            help="Saved JSON reports (from --format json); several are merged into one.",
            metavar="REPORT.json",
            dir_okay=False,
            show_default=False,
        ),
    ],
    fmt: FormatOption = OutputFormat.TABLE,
    output: OutputOption = None,
    fail_on: FailOnOption = policy.DEFAULT_FAIL_ON_TEXT,
    verbose: VerboseOption = False,
) -> None:
    """Render saved JSON reports again, in any format, without touching the network.

    Exit codes: 0 nothing failed the policy; 1 problems found; 2 usage or config error;
    3 network unavailable (in the saved run).
    """
    from linkwatch.pipeline import deliver  # noqa: PLC0415

    written_to = output_path(output)
    is_terminal = written_to is None and stdout_is_terminal()
    result = deliver.render_saved(
        reports,
        fmt,
        output=written_to,
        fail_on=policy.parse_fail_on(fail_on),
        color=use_color(is_terminal, os.environ),
        width=terminal_width(is_terminal),
        verbose=verbose,
    )
    show_report(result.stdout, result.summary, written_to)
    raise typer.Exit(result.exit_code)
