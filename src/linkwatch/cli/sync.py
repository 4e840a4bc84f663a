"""``linkwatch sync github``: mirror persistently failing links into GitHub issues."""

from __future__ import annotations

import os
from pathlib import Path  # noqa: TC003 - typer reads the annotations at run time
from typing import TYPE_CHECKING, Annotated

import typer

from linkwatch.cli.lazy import lazy_module

if TYPE_CHECKING:
    from linkwatch.pipeline import sync as pipeline
    from linkwatch.tracker import github
    from linkwatch.tracker import plan as tracker_plan
else:
    pipeline = lazy_module("linkwatch.pipeline.sync")
    github = lazy_module("linkwatch.tracker.github")
    tracker_plan = lazy_module("linkwatch.tracker.plan")

GITHUB_EPILOG = (
    "Examples:\n\n  linkwatch sync github --repo OWNER/NAME --report report.json"
    " --state state.json\n\n  linkwatch sync github --repo OWNER/NAME --state state.json"
    " --dry-run"
)
DEFAULT_API_URL = "https://api.github.com"  # tracker.github's, without importing it for --help


def _github(repo: str, token: github.Token | None, api_url: str) -> github.GitHub:
    """The GitHub client (tests replace this to talk to a fake API)."""
    return pipeline.connect(repo, token, api_url)


def sync_github(
    *,
    repo: Annotated[
        str, typer.Option("--repo", help="The repository, OWNER/NAME.", show_default=False)
    ],
    report: Annotated[
        Path | None,
        typer.Option("--report", help="A JSON report from `check --format json`.", dir_okay=False),
    ] = None,
    state: Annotated[
        Path | None,
        typer.Option(
            "--state",
            help="The state file from `check --state`: only links failing --fail-after runs"
            " in a row get an issue (a report made with --state says the same).",
            dir_okay=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the plan; change nothing.")
    ] = False,
    api_url: Annotated[
        str, typer.Option("--api-url", help="The API root, for GitHub Enterprise.")
    ] = DEFAULT_API_URL,
    label: Annotated[
        str, typer.Option("--label", help="The label that marks linkwatch's issues.")
    ] = "linkwatch",
    assign_owners: Annotated[
        bool,
        typer.Option(
            "--assign-owners",
            help="Assign each new issue to its link's owner when links.yaml writes the owner"
            " as a GitHub handle (@someone) that may be assigned in the repository.",
        ),
    ] = False,
) -> None:
    """One GitHub issue per persistently failing link: opened, kept current, closed on recovery.

    The token comes from GITHUB_TOKEN. Issues are found by their label and a hidden marker, so
    a re-run never duplicates one; a run stopped by a rate limit is finished by the next.
    The history the report carries (check --state) decides, as the state file does: a link
    failing fewer than --fail-after runs, or recovering, changes nothing. Given both, the
    report and the state must come from the same check run.
    Exit codes: 0 synced; 2 usage error, report and state disagree, or GitHub refused
    (401/403/404, rate limit); 3 the report was made without a network.
    """
    settings = pipeline.SyncSettings(
        repo=repo,
        report=report,
        state=state,
        token=os.environ.get("GITHUB_TOKEN", "").strip(),
        api_url=api_url,
        label=label,
        dry_run=dry_run,
        assign_owners=assign_owners,
    )

    def done(step: tracker_plan.Step, number: int) -> None:
        typer.echo(tracker_plan.describe_step(step, number))

    the_plan = pipeline.sync_github(settings, on_step=done, client=_github)
    if dry_run:
        for line in tracker_plan.describe(the_plan):
            typer.echo(line)
        typer.echo(f"{tracker_plan.summary(the_plan)} (dry run: nothing changed)")
    else:
        typer.echo(tracker_plan.summary(the_plan).replace("plan:", "synced:", 1))
