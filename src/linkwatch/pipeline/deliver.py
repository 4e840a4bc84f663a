"""Render a report to stdout or a file and decide the exit code: the call check and report share."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from linkwatch.errors import ConfigError, Problem, WriteError
from linkwatch.judgement.policy import DEFAULT_FAIL_ON, FailOn, exit_code
from linkwatch.listfile.fileio import write_atomic
from linkwatch.report import OutputFormat, render, render_pieces
from linkwatch.report.json import load_report
from linkwatch.report.merge import merge
from linkwatch.report.summary import summary_line

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from linkwatch.models import Report


@dataclass(frozen=True, slots=True)
class Emitted:
    """What the CLI still has to do: print ``stdout``, maybe ``summary`` on stderr, exit."""

    stdout: str  # the rendered report, or "" when it went to a file
    summary: str  # ``5 links: 3 ok, … · 2.3 s``; worth a line on stderr when stdout is ""
    exit_code: int  # 0, 1 or 3 per the policy


def emit(
    report: Report,
    fmt: OutputFormat,
    *,
    output: Path | None = None,
    fail_on: FailOn = DEFAULT_FAIL_ON,
    color: bool = False,
    width: int | None = None,
    verbose: bool = False,
) -> Emitted:
    """Render ``report``; with ``output`` write it there atomically (never in colour).

    Raises ``WriteError`` (exit 2) when the file cannot be written.
    """
    if output is not None:
        pieces = render_pieces(report, fmt, width=width, fail_on=fail_on, verbose=verbose)
        write_atomic(output, (piece.encode("utf-8") for piece in pieces))
        text = ""
    else:
        text = render(report, fmt, color=color, width=width, fail_on=fail_on, verbose=verbose)
    return Emitted(stdout=text, summary=summary_line(report), exit_code=exit_code(report, fail_on))


def check_writable(path: Path) -> None:
    """Refuse an output file that can be known unwritable before any work (WriteError, exit 2).

    A run of thousands of links should not end by finding that its report has nowhere to go.
    (The write itself is still checked: a disk can fill up meanwhile.)
    """
    folder = path.parent
    if path.is_dir():
        raise WriteError(f"--output {path}: is a folder; give the path of a file")
    if folder.exists() and not folder.is_dir():
        raise WriteError(f"--output {path}: {folder} is a file, not a folder (nothing was checked)")
    if not folder.is_dir():
        raise WriteError(
            f"--output {path}: the folder {folder} does not exist; create it first"
            " (nothing was checked)"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise WriteError(
            f"--output {path}: the folder {folder} is not writable (nothing was checked)"
        )


def read_reports(paths: Sequence[Path]) -> Report:
    """Load saved JSON reports (``ConfigError`` on a bad one) and merge them into one."""
    named: list[tuple[str, Report]] = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as e:
            raise ConfigError([Problem(str(path), None, None, "", "not UTF-8 text")]) from e
        except OSError as e:
            raise ConfigError(
                [Problem(str(path), None, None, "", f"cannot read: {e.strerror or e}")]
            ) from e
        named.append((str(path), load_report(text, str(path))))
    return merge(named)


def render_saved(
    paths: Sequence[Path],
    fmt: OutputFormat,
    *,
    output: Path | None = None,
    fail_on: FailOn = DEFAULT_FAIL_ON,
    color: bool = False,
    width: int | None = None,
    verbose: bool = False,
) -> Emitted:
    """``linkwatch report``: saved JSON reports merged and rendered again, without a network."""
    if output is not None:
        check_writable(output)
    return emit(
        read_reports(paths),
        fmt,
        output=output,
        fail_on=fail_on,
        color=color,
        width=width,
        verbose=verbose,
    )
