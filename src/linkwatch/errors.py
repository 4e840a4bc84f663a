"""Every exception linkwatch raises on purpose.

A link that is dead, slow or hijacked is *data* (an ``Outcome``), never an exception.
Exceptions mean linkwatch itself cannot do what was asked::

    LinkwatchError                 base; the CLI prints its message and exits with ``exit_code``
    ├── ConfigError                links.yaml (or another input file) is unusable; exit 2
    │                              carries every ``Problem`` found, each with file, line, column
    ├── UsageError                 options that contradict each other; exit 2
    ├── WriteError                 a file could not be replaced safely (original untouched); exit 2
    ├── TrackerError               the issue tracker refused or failed (401/403/404, …); exit 2
    │   └── RateLimitedError       the tracker asked to wait longer than linkwatch will; exit 2
    └── NetworkUnavailableError    no link could even reach DNS or a socket; exit 3
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input file, located as precisely as it can be."""

    path: str
    line: int | None  # 1-based; None when the whole file is at fault
    column: int | None  # 1-based
    where: str  # the key path, e.g. ``links[3].url``; empty for the file itself
    message: str

    def __str__(self) -> str:
        location = self.path
        if self.line is not None:
            location += f":{self.line}"
            if self.column is not None:
                location += f":{self.column}"
        prefix = f"{self.where}: " if self.where else ""
        return f"{location}: {prefix}{self.message}"


class LinkwatchError(Exception):
    """Base of every error that stops linkwatch; the CLI turns it into a message."""

    exit_code = 2


class ConfigError(LinkwatchError):
    """An input file cannot be used; ``problems`` lists every reason found."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(LinkwatchError):
    """The command line asks for something contradictory or impossible."""


class WriteError(LinkwatchError):
    """A file could not be written safely; the original is left as it was."""


class NetworkUnavailableError(LinkwatchError):
    """Every link failed before reaching a server: the network, not the list, is broken."""

    exit_code = 3


class TrackerError(LinkwatchError):
    """The issue tracker cannot be used as asked. Messages never contain the token."""


class RateLimitedError(TrackerError):
    """The tracker's rate limit asks for a longer wait than allowed; a re-run carries on."""
