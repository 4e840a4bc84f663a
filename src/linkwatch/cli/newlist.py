"""Commands that start or grow a list: ``import`` (from a document), ``init`` (a repository)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from linkwatch.cli.common import err, parse_day
from linkwatch.cli.lazy import lazy_module

if TYPE_CHECKING:
    from linkwatch.importing import entries as importing
    from linkwatch.listfile import config, scaffold
else:
    # Loaded on first use: `--help` should not pay for YAML and the importer.
    importing = lazy_module("linkwatch.importing.entries")
    config = lazy_module("linkwatch.listfile.config")
    scaffold = lazy_module("linkwatch.listfile.scaffold")

IMPORT_EPILOG = (
    "Examples:\n\n  linkwatch import press-release.txt\n\n"
    "  linkwatch import resources.md --into links.yaml --write\n\n"
    "  linkwatch import https://www.example.org/resources --write"
)
INIT_EPILOG = "Examples:\n\n  linkwatch init\n\n  linkwatch init path/to/repository"


def import_(  # noqa: PLR0917 - typer passes every option by name
    source: Annotated[
        str,
        typer.Argument(
            help="A plain-text, Markdown or HTML document that mentions links: a file, or an"
            " http(s) URL fetched with the same safety rules as check.",
            show_default=False,
            metavar="SOURCE",
        ),
    ],
    into: Annotated[
        Path | None,
        typer.Option(
            "--into",
            help="The links.yaml to add to (default ./links.yaml; created if missing).",
            show_default=False,
        ),
    ] = None,
    write: Annotated[
        bool, typer.Option("--write", help="Append the new entries to the file.")
    ] = False,
    source_text: Annotated[
        str | None,
        typer.Option(
            "--source",
            help="What to put in each entry's `source:` (default: the document's title and name).",
            show_default=False,
        ),
    ] = None,
    allow_private: Annotated[
        bool,
        typer.Option(
            "--allow-private",
            help="Let a SOURCE URL be on a loopback, private or link-local address.",
        ),
    ] = False,
    reviewed: Annotated[
        str | None,
        typer.Option(
            "--reviewed",
            metavar="DATE",
            help="Write `reviewed: DATE` (YYYY-MM-DD, or `today`) in each entry: the day a"
            " person vetted these links (the domain watch and review reminders count from it).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Build entries from a document people already have: a press release, a web page.

    Each link is named from its context (the label before it, the link text, else the site),
    cleaned of tracking parameters, and given a `source:`. Links already in the list are
    skipped and reported. Code and comments are not read for links; in-page links (#top) are
    only counted; relative ones resolve when SOURCE is a URL. Without --write, prints the YAML
    it would add.
    """
    target = into if into is not None else Path(config.CONFIG_NAME)
    plan = importing.plan_source(source, target, allow_private=allow_private)
    for skipped in plan.already:
        err(f"already in {plan.target_shown}: {skipped}")
    for item in plan.skipped:
        if (message := importing.skip_message(source, item)) is not None:
            err(message)
    if source_text is not None:
        plan = importing.with_source(plan, source_text)
    if reviewed is not None:
        plan = importing.with_reviewed(plan, parse_day(reviewed, "--reviewed"))
    if write:
        importing.write(plan)
    elif plan.entries:
        typer.echo(importing.preview(plan), nl=False)
    err(importing.summary(plan, wrote=write))


def init(
    directory: Annotated[
        Path,
        typer.Argument(help="The repository to set up (default: here).", show_default=False),
    ] = Path(),
) -> None:
    """Set up another repository to watch its own list: links.yaml, workflow, pre-commit.

    Writes a commented starter links.yaml (with its JSON Schema), a nightly GitHub Actions
    workflow that uses linkwatch's Action at this release, and a pre-commit configuration whose
    hooks come from linkwatch's repository. An existing file is never overwritten: it is named
    and left as it is.
    """
    for item, result in scaffold.init(directory):
        shown = directory / item.path
        if result is scaffold.Result.WRITTEN:
            typer.echo(f"wrote {shown}: {item.purpose}")
        else:
            err(f"skipped {shown}: it exists, left as it is")
