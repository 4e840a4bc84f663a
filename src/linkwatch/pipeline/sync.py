"""``sync github`` as one call: read the report and the state, plan the issues, apply the plan."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from linkwatch.errors import NetworkUnavailableError, UsageError
from linkwatch.history import statefile
from linkwatch.pipeline.deliver import read_reports
from linkwatch.tracker import github, plan
from linkwatch.tracker import sync as tracker_sync

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path


@dataclass(frozen=True, slots=True)
class SyncSettings:
    """One ``sync github`` run."""

    repo: str  # OWNER/NAME
    report: Path | None = None  # a JSON report from ``check --format json``
    state: Path | None = None  # the state file from ``check --state``
    token: str = ""  # a token allowed to write issues; may be empty only for a dry run
    api_url: str = github.DEFAULT_API_URL
    label: str = "linkwatch"
    dry_run: bool = False
    assign_owners: bool = False  # assign new issues to owners written as @handle


def validate(settings: SyncSettings) -> None:
    """Refuse settings that cannot work (``UsageError``, exit 2) before anything is read."""
    if settings.report is None and settings.state is None:
        raise UsageError("sync needs --report, --state, or both")
    label = settings.label
    if not label or "," in label or len(label) > 50:
        raise UsageError("--label must be one label name, without commas")
    if not settings.token and not settings.dry_run:
        raise UsageError("set GITHUB_TOKEN to a token allowed to write issues (or use --dry-run)")


def connect(repo: str, token: github.Token | None, api_url: str) -> github.GitHub:
    """The real GitHub client."""
    return github.GitHub(repo, token, api_url=api_url)


def sync_github(
    settings: SyncSettings,
    *,
    on_step: Callable[[plan.Step, int], None] | None = None,
    client: Callable[[str, github.Token | None, str], github.GitHub] = connect,
) -> plan.Plan:
    """Mirror the links that fail persistently into GitHub issues; return the plan carried out.

    ``client`` builds the GitHub client (tests hand in one that talks to a fake API).
    Raises ``UsageError`` or ``TrackerError`` (exit 2; also when the report and the state
    disagree), ``NetworkUnavailableError`` (exit 3) when the report was made without a network.
    """
    validate(settings)
    report = read_reports([settings.report]) if settings.report is not None else None
    if report is not None and report.network_unavailable:
        raise NetworkUnavailableError(
            "the report was made without a network, so it says nothing about the links;"
            " nothing was synced"
        )
    state = statefile.read(settings.state) if settings.state is not None else None
    if report is not None and state is not None:
        # Either file alone decides the same way; two that disagree mean one is stale, and
        # following either could open or close an issue a night early.
        why = plan.disagreement(report, state, str(settings.report), str(settings.state))
        if why is not None:
            raise UsageError(why)
    wanted = plan.wanted(report, state)
    token = github.Token(settings.token) if settings.token else None
    with client(settings.repo, token, settings.api_url) as gh:
        return tracker_sync.sync(
            gh,
            wanted,
            settings.label,
            dry_run=settings.dry_run,
            on_step=on_step,
            assign_owners=settings.assign_owners,
        )
