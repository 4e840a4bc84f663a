"""Merging the reports of a sharded run."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from linkwatch.errors import UsageError
from linkwatch.report.merge import merge
from samples import STARTED, sample_outcomes, sample_report


def test_shards_merge_into_one_run():
    """Outcomes are concatenated and the run spans every shard."""
    outcomes = sample_outcomes()
    a = sample_report(outcomes=outcomes[:3], finished=STARTED + timedelta(seconds=5))
    b = sample_report(
        outcomes=outcomes[3:],
        started=STARTED - timedelta(seconds=1),
        finished=STARTED + timedelta(seconds=3),
        network_unavailable=True,
    )
    merged = merge([("a.json", a), ("b.json", b)])
    assert merged.outcomes == outcomes
    assert merged.started == STARTED - timedelta(seconds=1)
    assert merged.finished == STARTED + timedelta(seconds=5)
    # One shard that reached no server is not an outage when another shard did reach one.
    assert not merged.network_unavailable
    both = merge([("a.json", replace(a, network_unavailable=True)), ("b.json", b)])
    assert both.network_unavailable


def test_a_link_in_two_shards_is_refused():
    """The same stable id in two reports is an error naming both files."""
    outcomes = sample_outcomes()
    a = sample_report(outcomes=outcomes[:3])
    b = sample_report(outcomes=outcomes[2:])
    with pytest.raises(UsageError, match=r"b\.json: link .*helpline.* is also in a\.json"):
        merge([("a.json", a), ("b.json", b)])


def test_reports_of_different_files_are_refused():
    """Annotations point into one links.yaml, so shards must share it."""
    a = sample_report(outcomes=())
    b = sample_report(outcomes=(), config_path="other.yaml")
    with pytest.raises(UsageError, match="different files"):
        merge([("a.json", a), ("b.json", b)])


def test_one_report_is_returned_as_is(report):
    """A single report needs no merging."""
    assert merge([("a.json", report)]) is report


def test_interleaved_shards_merge_in_file_order():
    """Shards split by site interleave in the file; the merge lists links as the file does."""
    outcomes = sample_outcomes()
    odd = sample_report(outcomes=outcomes[1::2])
    even = sample_report(outcomes=outcomes[::2])
    merged = merge([("odd.json", odd), ("even.json", even)])
    assert merged.outcomes == outcomes


# ------------------------------------------------------------- which shards are there
def _shards(*marks):
    """One report per (K, N) mark (None: a whole run), each with its own links."""
    outcomes = sample_outcomes()
    return [
        (f"s{i}.json", sample_report(outcomes=outcomes[i : i + 1], shard=mark))
        for i, mark in enumerate(marks)
    ]


def test_every_shard_once_merges():
    """All N shards, in any order, merge into one whole run (no shard mark left)."""
    merged = merge(_shards((2, 3), (1, 3), (3, 3)))
    assert len(merged.outcomes) == 3
    assert merged.shard is None


@pytest.mark.parametrize(
    ("marks", "message"),
    [
        (((1, 3), (3, 3)), r"missing shard 2/3: merge the reports of all 3 shards"),
        (((1, 4), (2, 4)), r"missing shard 3/4, 4/4"),
        (((1, 2), (1, 2)), r"shard 1/2 is given twice: s0\.json and s1\.json"),
        (((1, 2), (2, 3)), r"s1\.json is shard 2/3 but s0\.json is one of 2"),
        (((1, 2), None), r"s1\.json is a whole run but s0\.json is shard 1/2"),
    ],
)
def test_incomplete_or_mixed_shards_are_refused(marks, message):
    """A shard whose CI job failed is not silently left out of the merged report."""
    with pytest.raises(UsageError, match=message):
        merge(_shards(*marks))


def test_one_shard_alone_is_rendered_as_it_is():
    """`linkwatch report shard-2.json` re-renders that shard; only a merge needs them all."""
    [(name, report)] = _shards((2, 4))
    assert merge([(name, report)]) is report
