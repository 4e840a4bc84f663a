"""The JSON report reader's messages word for word, the defaults it fills in, and the writer's
derived fields and escapes."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from linkwatch.errors import ConfigError
from linkwatch.models import Flag, Status
from linkwatch.report import json as report_json
from report.test_report_exact import link, outcome, report

BASE = json.loads(report_json.render(report(outcome(link()))))


def problems(change) -> list[str]:
    doc = json.loads(json.dumps(BASE))
    change(doc)
    with pytest.raises(ConfigError) as info:
        report_json.load_report(json.dumps(doc, indent=2), "r.json")
    return [str(p) for p in info.value.problems]


def item(**fields):
    return lambda doc: doc["links"][0].update(fields)


AT = "r.json:42:5: links[0]"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            item(status="fine"),
            (
                f"{AT}.status: must be one of broken, error, blocked, redirected, skipped, ok,"
                " not 'fine'"
            ),
        ),
        (
            item(flags=["x"]),
            (
                f"{AT}.flags: must be a list of tracking_params, cross_site_redirect,"
                " https_downgrade, expect_text_missing, parked_domain, moved_to_home, soft_404,"
                " tls_expiring, slow, flaky, domain_unregistered, domain_changed_hands, domain_expiring,"
                " review_due, cached, not ['x']"
            ),
        ),
        (
            item(redirects=[{"url": 1}]),
            (
                f'{AT}.redirects: must be a list of {{"url": string, "status": integer or null}},'
                " not [{'url': 1}]"
            ),
        ),
        (item(redirects=[{"url": "u", "status": "x"}]), None),
        (item(index=-1), f"{AT}.index: must be an integer ≥ 0, not -1"),
        (item(line=0), f"{AT}.line: must be an integer ≥ 1, not 0"),
        (item(line=True), f"{AT}.line: must be an integer ≥ 1, not True"),
        (item(name=None), f"{AT}.name: must be a string, not None"),
        (item(tags=[1]), f"{AT}.tags: must be a list of strings, not [1]"),
        (item(category=5), f"{AT}.category: must be a string or null, not 5"),
        (
            item(http_status="x" * 100),
            f"{AT}.http_status: must be an integer ≥ 0 or null, not '" + "x" * 59,
        ),
        (
            item(tls_expires="2026-01-01T00:00:00"),
            f"{AT}.tls_expires: must carry a UTC offset, not '2026-01-01T00:00:00'",
        ),
        (item(tls_expires="soon"), f"{AT}.tls_expires: must be an ISO 8601 date-time, not 'soon'"),
        (item(history=[]), f"{AT}.history: must be an object or null, not []"),
        (
            item(history={"kind": "new", "counts": True}),
            f"{AT}.history.label: is missing",
        ),
        (
            item(history={"kind": "new", "counts": True, "label": "new", "runs": -1}),
            f"{AT}.history.runs: must be an integer ≥ 0, not -1",
        ),
        (lambda doc: doc["links"][0].pop("reason"), f"{AT}.reason: is missing"),
        (lambda doc: doc["links"].append(3), "r.json: links[1]: must be an object, not int"),
        (
            lambda doc: doc.update(shard={"index": 3, "count": 2}),
            'r.json: shard: expected null or {"index": K, "count": N} with 1 <= K <= N',
        ),
        (
            lambda doc: doc.update(shard={"index": 0, "count": 2}),
            'r.json: shard: expected null or {"index": K, "count": N} with 1 <= K <= N',
        ),
        (
            lambda doc: doc.update(shard={"index": 1, "count": 2, "x": 1}),
            'r.json: shard: expected null or {"index": K, "count": N} with 1 <= K <= N',
        ),
        (
            lambda doc: doc.update(shard={"index": 1.0, "count": 2}),
            'r.json: shard: expected null or {"index": K, "count": N} with 1 <= K <= N',
        ),
        (
            lambda doc: doc.update(network_unavailable="no"),
            "r.json: network_unavailable: must be true or false, not 'no'",
        ),
        (lambda doc: doc.update(links={}), "r.json: links: must be a list, not {}"),
        (lambda doc: doc.pop("started"), "r.json: started: is missing"),
    ],
)
def test_each_bad_field_is_named_exactly(change, message):
    if message is None:  # a redirect's status must be an integer or null
        assert len(problems(change)) == 1
        return
    assert problems(change) == [message]


def test_history_kind_and_counts_are_both_reported():
    assert problems(item(history={"kind": "x", "counts": 1, "label": "l"})) == [
        (
            f"{AT}.history.kind: must be one of new, pending, persisting, recovered, recovering,"
            " not 'x'"
        ),
        f"{AT}.history.counts: must be true or false, not 1",
    ]


def test_optional_fields_take_their_defaults():
    doc = json.loads(json.dumps(BASE))
    record = doc["links"][0]
    for key in ("column", "url_line", "url_column", "flags", "redirects", "tags", "attempts"):
        record.pop(key)
    record["line"] = 7
    doc.pop("shard")
    doc.pop("network_unavailable")
    read = report_json.load_report(json.dumps(doc), "r.json")
    lk = read.outcomes[0].link
    assert (lk.column, lk.url_line, lk.url_column, lk.tags) == (1, 7, 1, ())
    assert (read.outcomes[0].flags, read.outcomes[0].redirects, read.outcomes[0].attempts) == (
        (),
        (),
        0,
    )
    assert (read.shard, read.network_unavailable) == (None, False)


def test_shard_reads_back():
    doc = json.loads(json.dumps(BASE))
    doc["shard"] = {"index": 2, "count": 2}
    assert report_json.load_report(json.dumps(doc), "r.json").shard == (2, 2)


def test_writer_derived_fields():
    run = report(
        outcome(link(index=0), Status.OK, flags=(Flag.SLOW,)),
        outcome(link(index=1), Status.OK),
        outcome(link(index=2)),
        seconds=1.23456,
    )
    doc = json.loads(report_json.render(run))
    assert doc["duration_s"] == 1.235
    assert doc["summary"]["total"] == 3
    assert doc["summary"]["problems"] == 2
    assert doc["summary"]["statuses"] == {
        "broken": 1,
        "error": 0,
        "blocked": 0,
        "redirected": 0,
        "skipped": 0,
        "ok": 2,
    }
    assert doc["summary"]["flags"]["slow"] == 1
    assert doc["shard"] is None
    backwards = report(outcome(link()), seconds=-5)
    assert json.loads(report_json.render(backwards))["duration_s"] == 0.0
    assert json.loads(report_json.render(report(shard=(2, 3))))["shard"] == {
        "index": 2,
        "count": 3,
    }


def test_unsafe_characters_are_escaped_in_the_bmp_and_beyond():
    text = report_json.render(report(outcome(link(name="a\u202eb\U000e0001c\u00e9"))))
    assert '"name": "a\\u202eb\\udb40\\udc01c\u00e9"' in text
    assert json.loads(text)["links"][0]["name"] == "a\u202eb\U000e0001c\u00e9"


def test_times_are_written_with_their_offset():
    run = report(outcome(link(), tls_expires=report().started + timedelta(days=1)))
    record = json.loads(report_json.render(run))["links"][0]
    assert record["tls_expires"] == "2026-11-28T03:00:00+00:00"
    assert record["archive_timestamp"] is None


STRINGS = ("category", "owner", "notes", "source", "skip", "final_url", "title", "archive_url")
TIMES = ("tls_expires", "archive_timestamp")
COUNTS = ("http_status",)
LISTS = ("tags", "keep_params", "stripped_params")


@pytest.mark.parametrize("key", STRINGS)
def test_each_optional_string_is_checked_where_it_is(key):
    assert problems(item(**{key: 5})) == [f"{AT}.{key}: must be a string or null, not 5"]


@pytest.mark.parametrize("key", TIMES)
def test_each_optional_time_is_checked_where_it_is(key):
    assert problems(item(**{key: 5})) == [f"{AT}.{key}: must be a string or null, not 5"]
    assert problems(item(**{key: "x"})) == [f"{AT}.{key}: must be an ISO 8601 date-time, not 'x'"]


@pytest.mark.parametrize("key", LISTS)
def test_each_list_of_strings_is_checked_where_it_is(key):
    assert problems(item(**{key: "x"})) == [f"{AT}.{key}: must be a list of strings, not 'x'"]


@pytest.mark.parametrize(
    ("key", "low"),
    [("column", 1), ("url_line", 1), ("url_column", 1), ("attempts", 0), ("elapsed_ms", 0)],
)
def test_each_count_has_its_lower_bound(key, low):
    assert problems(item(**{key: low - 1})) == [
        f"{AT}.{key}: must be an integer ≥ {low}, not {low - 1}"
    ]


@pytest.mark.parametrize(
    ("key", "value"),
    [("url", 5), ("checked_url", 5), ("action", 5), ("reason", 5)],
)
def test_required_strings_are_checked_where_they_are(key, value):
    assert problems(item(**{key: value})) == [f"{AT}.{key}: must be a string, not 5"]


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("tool_version", "r.json: tool_version: must be a string, not 5"),
        ("config_path", "r.json: config_path: must be a string, not 5"),
        ("started", "r.json: started: must be a string, not 5"),
        ("finished", "r.json: finished: must be a string, not 5"),
    ],
)
def test_top_level_fields_are_named_without_a_prefix(key, message):
    assert problems(lambda doc: doc.update({key: 5})) == [message]


def test_history_fields_are_checked_inside_history():
    note = {"kind": "new", "counts": True, "label": "new"}
    here = f"{AT}.history"
    assert problems(item(history={**note, "since": 5})) == [
        f"{here}.since: must be a string or null, not 5"
    ]
    assert problems(item(history={**note, "label": 5})) == [
        f"{here}.label: must be a string, not 5"
    ]


def test_every_field_round_trips():
    from linkwatch.models import HistoryNote, Hop  # noqa: PLC0415

    t = report().started
    full = outcome(
        replace(
            link(owner="o", category="c", notes="n", source="s"),
            tags=("t1", "t2"),
            keep_params=("k",),
        ),
        Status.REDIRECTED,
        stripped_params=("utm_source",),
        flags=(Flag.SLOW, Flag.FLAKY),
        http_status=200,
        final_url="https://f.org/",
        redirects=(Hop("https://0.example.org/help", 301), Hop("https://f.org/", None)),
        attempts=2,
        elapsed_ms=1234,
        tls_expires=t + timedelta(days=3),
        title="T",
        history=HistoryNote("persisting", "persisting (since x, 2 runs)", True, t, 2),
        archive_url="https://web.archive.org/x",
        archive_timestamp=t - timedelta(days=300),
    )
    run = replace(report(full, shard=(1, 2)), tool_version="9.9", config_path="liste-é.yaml")
    text = report_json.render(run)
    assert '"config_path": "liste-é.yaml"' in text  # written as it is, not \u00e9
    assert report_json.load_report(text, "r.json") == run


def test_no_optional_field_needs_to_be_there():
    doc = json.loads(json.dumps(BASE))
    record = doc["links"][0]
    optional = (*STRINGS, *TIMES, *LISTS, "http_status", "history", "elapsed_ms")
    for key in optional:
        record.pop(key, None)
    lk = report_json.load_report(json.dumps(doc), "r.json").outcomes[0]
    assert (lk.link.owner, lk.link.notes, lk.link.source, lk.link.keep_params) == (
        None,
        None,
        None,
        (),
    )
    assert (lk.final_url, lk.title, lk.archive_url, lk.archive_timestamp, lk.history) == (
        None,
        None,
        None,
        None,
        None,
    )
    assert (lk.stripped_params, lk.elapsed_ms, lk.http_status, lk.tls_expires) == (
        (),
        0,
        None,
        None,
    )


def test_a_history_note_without_since_or_runs():
    doc = json.loads(json.dumps(BASE))
    doc["links"][0]["history"] = {"kind": "pending", "counts": False, "label": "pending"}
    note = report_json.load_report(json.dumps(doc), "r.json").outcomes[0].history
    assert (note.kind, note.label, note.counts, note.since, note.runs) == (
        "pending",
        "pending",
        False,
        None,
        0,
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "r.json:1:2: not JSON: Expecting property name enclosed in double quotes"),
        ("[]", "r.json:1:1: not a linkwatch report: expected an object"),
        ("[" * 100_000, "r.json: not JSON: nested too deeply"),
    ],
)
def test_unreadable_documents_exactly(text, message):
    with pytest.raises(ConfigError) as info:
        report_json.load_report(text, "r.json")
    assert [str(p) for p in info.value.problems] == [message]


def test_a_problem_in_the_second_link_points_at_its_line_and_column():
    doc = json.loads(report_json.render(report(outcome(link(index=0)), outcome(link(index=1)))))
    doc["links"][1]["status"] = "x"
    text = json.dumps(doc, indent=2)
    with pytest.raises(ConfigError) as info:
        report_json.load_report(text, "r.json")
    (problem,) = info.value.problems
    links_at = text.index('"links"')
    first = text.index("\n    {", links_at)
    start = text.index("\n    {", first + 1) + 5  # the second item's "{"
    line = text.count("\n", 0, start) + 1
    column = start - text.rfind("\n", 0, start)
    assert (problem.line, problem.column) == (line, column)
    assert column == 5


@pytest.mark.parametrize(
    "value",
    [False, True, None, 0, -3, 1.5, float("inf"), "é", [], {}, [False, [1.5]], {"a": {"b": 2.0}}],
)
@pytest.mark.parametrize("level", [0, 2])
def test_indented_matches_the_standard_library(value, level):
    expected = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * level)
    assert report_json.indented(value, level) == expected


def test_indented_hands_non_string_keys_to_the_standard_library():
    assert report_json.indented({1: "a"}) == '{\n  "1": "a"\n}'
