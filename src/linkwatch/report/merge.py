"""Merge the reports of a sharded run into one (pure: the caller reads the files)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from linkwatch.errors import UsageError
from linkwatch.models import Report
from linkwatch.report.summary import outcome_id

if TYPE_CHECKING:
    from collections.abc import Sequence


def merge(named: Sequence[tuple[str, Report]]) -> Report:
    """One report from several ``(shown name, report)`` pairs of the same links.yaml.

    Outcomes come back in links.yaml order (by each link's index; ``--shard`` splits the
    list by site, so shards interleave), as an unsharded run lists them. The run spans the
    earliest start to the latest finish; the network counts as unavailable if it was for
    any shard. A link
    checked in two shards (same stable id) is an error: one of its results would be lost.
    """
    if not named:
        raise UsageError("no report to merge")
    if len(named) == 1:
        return named[0][1]
    first_name, first = named[0]
    seen: dict[str, str] = {}
    outcomes = []
    for name, report in named:
        if report.config_path != first.config_path:
            raise UsageError(
                f"cannot merge reports of different files: {first_name} checked"
                f" {first.config_path!r}, {name} checked {report.config_path!r}"
            )
        for outcome in report.outcomes:
            key = outcome_id(outcome)
            if key in seen:
                raise UsageError(
                    f"{name}: link {outcome.checked_url!r} (id {key}) is also in {seen[key]};"
                    " each link must be checked by exactly one shard"
                )
            seen[key] = name
            outcomes.append(outcome)
    outcomes.sort(key=lambda outcome: outcome.link.index)  # stable: ties keep shard order
    versions = sorted({report.tool_version for _, report in named})
    return Report(
        tool_version=", ".join(versions),
        config_path=first.config_path,
        started=min(report.started for _, report in named),
        finished=max(report.finished for _, report in named),
        outcomes=tuple(outcomes),
        # Offline only if every shard was: a shard that reached only dead sites looks
        # offline on its own, but another shard's answers prove the network worked.
        network_unavailable=all(report.network_unavailable for _, report in named),
    )
