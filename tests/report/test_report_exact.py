"""The github annotations, the summary and the shard merge, exactly: whole lines and whole
messages, each boundary and each refusal."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from linkwatch.errors import UsageError
from linkwatch.judgement.policy import DEFAULT_FAIL_ON
from linkwatch.models import Flag, HistoryNote, Policy, Report, Status
from linkwatch.report import github, summary
from linkwatch.report.merge import merge
from report.builders import T0, link, outcome


def report(*outcomes, offline=False, shard=None, version="1.2.3", seconds=2.0, start=T0):
    return Report(
        tool_version=version,
        config_path="links.yaml",
        started=start,
        finished=start + timedelta(seconds=seconds),
        outcomes=outcomes,
        network_unavailable=offline,
        shard=shard,
    )


# ----------------------------------------------------------------------------- github
def test_a_full_annotation_exactly():
    hijacked = outcome(
        link("Hijacked: a, b"),
        status=Status.REDIRECTED,
        reason="moved permanently to https://evil.example.com/",
        action="Open it first.",
        final_url="https://evil.example.com/",
        flags=(Flag.CROSS_SITE_REDIRECT, Flag.SLOW),
        history=HistoryNote("new", "new", True),
        archive_url="https://web.archive.org/web/2019/x",
        archive_timestamp=datetime(2019, 3, 18, tzinfo=UTC),
    )
    assert github.annotation(hijacked, "links.yaml", DEFAULT_FAIL_ON) == (
        "::error file=links.yaml,line=4,col=10,title=linkwatch%3A redirected%3A Hijacked%3A a%2C"
        " b::https://0.example.org/help: moved permanently to https://evil.example.com/ (now"
        " https://evil.example.com/) [cross_site_redirect, slow] (new). Open it first. Archived"
        " copy on 2019-03-18: https://web.archive.org/web/2019/x"
    )


def test_a_bare_warning_exactly():
    blocked = outcome(
        link(), status=Status.BLOCKED, reason="denied", action="", final_url=link().url
    )
    assert github.annotation(blocked, "links.yaml", DEFAULT_FAIL_ON) == (
        "::warning file=links.yaml,line=4,col=10,title=linkwatch%3A blocked%3A"
        " Helpline::https://0.example.org/help: denied"
    )


def test_a_long_name_is_clipped_at_80_in_the_title():
    line = github.annotation(outcome(link("n" * 81)), "links.yaml", DEFAULT_FAIL_ON)
    assert ",title=linkwatch%3A broken%3A " + "n" * 79 + "…::" in line
    line = github.annotation(outcome(link("n" * 80)), "links.yaml", DEFAULT_FAIL_ON)
    assert ",title=linkwatch%3A broken%3A " + "n" * 80 + "::" in line


def test_github_render_exactly():
    run = report(
        outcome(link("Ok", index=0), status=Status.OK, reason="HTTP 200", action="None."),
        outcome(link("Gone", index=1)),
        outcome(link("Walled", index=2), status=Status.BLOCKED, reason="denied", action=""),
    )
    assert github.render(run) == (
        "::error file=links.yaml,line=8,col=10,title=linkwatch%3A broken%3A"
        " Gone::https://1.example.org/help: the page is not found (404). Find the page's new"
        " address on the site, or remove the link.\n"
        "::warning file=links.yaml,line=12,col=10,title=linkwatch%3A blocked%3A"
        " Walled::https://2.example.org/help: denied\n"
        "linkwatch: 1 link fails · 1 worth a look · 3 links: 1 ok, 1 blocked, 1 broken · 2.0 s\n"
    )


def test_github_render_offline_exactly():
    assert github.render(report(outcome(link()), offline=True)) == (
        "::error title=linkwatch::The network was unavailable; no link was reached\n"
        "1 link not checked · 2.0 s · network unavailable\n"
    )


# ---------------------------------------------------------------------------- summary
@pytest.mark.parametrize(
    ("statuses", "seconds", "line"),
    [
        ((), 0.0, "0 links · 0.0 s"),
        ((Status.OK,), 2.0, "1 link: 1 ok · 2.0 s"),
        (
            (Status.OK, Status.OK, Status.BROKEN, Status.SKIPPED, Status.REDIRECTED),
            2.34,
            "5 links: 2 ok, 1 skipped, 1 redirected, 1 broken · 2.3 s",
        ),
        ((Status.ERROR,), -1.0, "1 link: 1 error · 0.0 s"),  # a clock that went back
    ],
)
def test_summary_line_exactly(statuses, seconds, line):
    outcomes = [outcome(link(index=i), s) for i, s in enumerate(statuses)]
    assert summary.summary_line(report(*outcomes, seconds=seconds)) == line


def test_status_and_flag_counts_cover_everything_and_count_a_flag_once():
    run = report(
        outcome(link(index=0), flags=(Flag.SLOW, Flag.SLOW)),
        outcome(link(index=1), Status.OK, flags=(Flag.SLOW,)),
    )
    assert summary.status_counts(run) == dict.fromkeys(Status, 0) | {
        Status.BROKEN: 1,
        Status.OK: 1,
    }
    assert list(summary.status_counts(run)) == list(Status)
    assert summary.flag_counts(run) == dict.fromkeys(Flag, 0) | {Flag.SLOW: 2}


@pytest.mark.parametrize(
    ("status", "flags", "history", "problem"),
    [
        (Status.OK, (), None, False),
        (Status.SKIPPED, (), None, False),
        (Status.BLOCKED, (), None, True),
        (Status.REDIRECTED, (), None, True),
        (Status.ERROR, (), None, True),
        (Status.OK, (Flag.SLOW,), None, True),
        (Status.BROKEN, (), HistoryNote("pending", "pending", False), False),
        (Status.OK, (), HistoryNote("recovering", "recovering", True), True),
        (Status.BROKEN, (Flag.SLOW,), HistoryNote("pending", "pending", False), True),
    ],
)
def test_is_problem(status, flags, history, problem):
    assert summary.is_problem(outcome(link(), status, flags=flags, history=history)) is problem


@pytest.mark.parametrize(
    ("status", "history", "skip", "worth"),
    [
        (Status.OK, None, None, False),
        (Status.BLOCKED, None, None, True),
        (Status.OK, HistoryNote("recovered", "recovered", False), None, True),
        (Status.OK, HistoryNote("new", "new", True), None, False),
        (Status.SKIPPED, None, None, True),  # not requested (a private address)
        (Status.SKIPPED, None, "login wall", False),  # skipped on purpose
    ],
)
def test_worth_a_look(status, history, skip, worth):
    lk = replace(link(), policy=Policy(skip=skip))
    assert summary.worth_a_look(outcome(lk, status, history=history)) is worth


def test_sections_rank_worst_first_then_file_order_and_healthy_in_file_order():
    a = outcome(link("A", index=0), Status.OK, reason="HTTP 200")
    b = outcome(link("B", index=1), Status.ERROR)
    c = outcome(link("C", index=2), Status.BROKEN)
    d = outcome(link("D", index=3), Status.BLOCKED)
    e = outcome(link("E", index=4), Status.BROKEN)
    skipped = outcome(replace(link("F", index=5), policy=Policy(skip="x")), Status.SKIPPED)
    split = summary.sections(report(skipped, a, b, c, d, e))
    assert [o.link.name for o in split.failing] == ["C", "E", "B"]
    assert [o.link.name for o in split.notable] == ["D"]
    assert [o.link.name for o in split.healthy] == ["A", "F"]
    assert [o.link.name for o in summary.problems(report(a, b, c, d, e))] == ["C", "E", "B", "D"]


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("links.yaml", "links.yaml:4"),
        ("lists/links.yaml", "links.yaml:4"),
        ("C:\\lists\\mine.yaml", "mine.yaml:4"),
        ("lists/", "lists/:4"),
    ],
)
def test_location(path, shown):
    assert summary.location(outcome(link()), path) == shown


def test_plural_and_archived_on():
    assert [summary.plural(n, "link") for n in (0, 1, 2)] == ["0 links", "1 link", "2 links"]
    dated = outcome(link(), archive_timestamp=datetime(2019, 3, 18, 23, 59, tzinfo=UTC))
    assert summary.archived_on(dated) == " on 2019-03-18"
    assert summary.archived_on(outcome(link())) == ""


# ------------------------------------------------------------------------------ merge
def test_merge_orders_by_index_spans_the_run_and_joins_versions():
    one = report(
        outcome(link(index=2)), outcome(link(index=0)), shard=(1, 2), version="1.0", start=T0
    )
    two = report(
        outcome(link(index=1)),
        shard=(2, 2),
        version="0.9",
        start=T0 - timedelta(seconds=5),
        seconds=10,
    )
    merged = merge([("a.json", one), ("b.json", two)])
    assert [o.link.index for o in merged.outcomes] == [0, 1, 2]
    assert (merged.tool_version, merged.started, merged.finished, merged.shard) == (
        "0.9, 1.0",
        T0 - timedelta(seconds=5),
        T0 + timedelta(seconds=5),
        None,
    )
    assert merged.network_unavailable is False


@pytest.mark.parametrize(
    ("offline", "merged"), [((True, True), True), ((True, False), False), ((False, False), False)]
)
def test_merge_is_offline_only_if_every_shard_was(offline, merged):
    a = report(outcome(link(index=0)), offline=offline[0], shard=(1, 2))
    b = report(outcome(link(index=1)), offline=offline[1], shard=(2, 2))
    assert merge([("a", a), ("b", b)]).network_unavailable is merged


def test_one_report_is_returned_as_is():
    only = report(outcome(link()), shard=(1, 3))
    assert merge([("a", only)]) is only


@pytest.mark.parametrize(
    ("reports", "message"),
    [
        ([], "no report to merge"),
        (
            [
                ("a", report(outcome(link(index=0)))),
                ("b", replace(report(outcome(link(index=1))), config_path="other.yaml")),
            ],
            (
                "cannot merge reports of different files: a checked 'links.yaml', b checked"
                " 'other.yaml'"
            ),
        ),
        (
            [("a", report(outcome(link(index=0)))), ("b", report(outcome(link(index=0))))],
            (
                "b: link 'https://0.example.org/help' (id {id}) is also in a; each link must be"
                " checked by exactly one shard"
            ),
        ),
        (
            [("a", report(shard=(1, 2))), ("b", report())],
            "b is a whole run but a is shard 1/2: merge the reports of one sharded run",
        ),
        (
            [("a", report(shard=(1, 2))), ("b", report(shard=(2, 3)))],
            "b is shard 2/3 but a is one of 2: merge the reports of one sharded run",
        ),
        (
            [("a", report(shard=(1, 2))), ("b", report(shard=(1, 2)))],
            "shard 1/2 is given twice: a and b",
        ),
        (
            [("a", report(shard=(1, 4))), ("b", report(shard=(3, 4)))],
            (
                "missing shard 2/4, 4/4: merge the reports of all 4 shards (a shard whose job failed"
                " must be run again, or its links would be left out silently)"
            ),
        ),
    ],
)
def test_merge_refusals_exactly(reports, message):
    with pytest.raises(UsageError) as info:
        merge(reports)
    # The stable id, computed here rather than by the code under test.
    key = hashlib.sha256(b"https://0.example.org/help").hexdigest()[:12]
    assert str(info.value) == message.format(id=key)


def test_merge_keeps_the_files_path_and_names_a_missing_first_shard():
    a = report(outcome(link(index=0)), shard=(1, 2))
    b = report(outcome(link(index=1)), shard=(2, 2))
    assert merge([("a", a), ("b", b)]).config_path == "links.yaml"
    with pytest.raises(UsageError) as info:
        merge([("b", report(shard=(2, 3))), ("c", report(shard=(3, 3)))])
    assert str(info.value).startswith("missing shard 1/3: merge the reports of all 3 shards")


def test_github_render_follows_the_policy():
    slow = outcome(link(), Status.OK, reason="HTTP 200", action="", flags=(Flag.SLOW,))
    assert github.render(report(slow), fail_on=frozenset({Flag.SLOW})) == (
        "::error file=links.yaml,line=4,col=10,title=linkwatch%3A ok%3A"
        " Helpline::https://0.example.org/help: HTTP 200 [slow]\n"
        "linkwatch: 1 link fails · 1 link: 1 ok · 2.0 s\n"
    )
