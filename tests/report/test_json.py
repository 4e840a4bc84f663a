"""The json format: schema, round trip, and located errors when reading it back."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from linkwatch.errors import ConfigError
from linkwatch.models import Flag, Status
from linkwatch.report import OutputFormat, render, render_pieces
from linkwatch.report import json as json_format
from linkwatch.report.json import SCHEMA, load_report
from samples import sample_report

SCHEMA_FILE = Path(__file__).parents[2] / "schema" / "report.schema.json"


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def test_real_output_validates_against_the_schema(report, validator):
    """The sample report, hostile strings and all, matches schema/report.schema.json."""
    doc = json.loads(render(report, OutputFormat.JSON))
    validator.validate(doc)
    assert doc["schema"] == SCHEMA


def test_clean_and_empty_reports_validate(clean_report, validator):
    """A clean run and a run over no links also match the schema."""
    validator.validate(json.loads(render(clean_report, OutputFormat.JSON)))
    validator.validate(json.loads(render(sample_report(outcomes=()), OutputFormat.JSON)))


def test_a_shard_report_validates_and_reads_back(validator):
    """`shard` is {index, count} for a shard's run and null for a whole one, both ways."""
    sharded = sample_report(shard=(2, 4))
    doc = json.loads(render(sharded, OutputFormat.JSON))
    validator.validate(doc)
    assert doc["shard"] == {"index": 2, "count": 4}
    assert json.loads(render(sample_report(), OutputFormat.JSON))["shard"] is None
    assert load_report(render(sharded, OutputFormat.JSON), "r.json").shard == (2, 4)
    del doc["shard"]  # a report written before shards were marked
    assert load_report(json.dumps(doc), "r.json").shard is None


def test_schema_lists_every_status_and_flag():
    """The schema's enums are the models' enums (a new flag must be documented)."""
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    link = schema["$defs"]["link"]["properties"]
    assert link["status"]["enum"] == [s.value for s in Status]
    assert link["flags"]["items"]["enum"] == [f.value for f in Flag]


def test_record_carries_every_documented_field(report):
    """Each link record has id, line, URLs, redirects with codes, TLS expiry and more."""
    doc = json.loads(render(report, OutputFormat.JSON))
    hijacked = next(r for r in doc["links"] if r["name"] == "Hijacked charity")
    assert hijacked["redirects"] == [
        {"url": "https://charity.example/", "status": 302},
        {"url": "https://casino.example/landing", "status": 200},
    ]
    assert hijacked["flags"] == ["cross_site_redirect", "parked_domain"]
    assert hijacked["line"] == 19
    assert len(hijacked["id"]) == 12
    assert doc["summary"]["statuses"]["redirected"] == 2
    assert doc["summary"]["problems"] == 6
    assert doc["duration_s"] == 2.34


def test_id_is_stable_across_renames_and_moves(report):
    """Renaming a link or moving it in the file keeps its id."""
    first = json.loads(render(report, OutputFormat.JSON))["links"][2]
    outcome = report.outcomes[2]
    moved = type(outcome.link)(
        **{
            **{f: getattr(outcome.link, f) for f in outcome.link.__slots__},
            "name": "Renamed",
            "line": 99,
            "index": 40,
        }
    )
    again = type(outcome)(**{**{f: getattr(outcome, f) for f in outcome.__slots__}, "link": moved})
    second = json.loads(render(sample_report(outcomes=(again,)), OutputFormat.JSON))["links"][0]
    assert first["id"] == second["id"]


def test_round_trip(report):
    """A saved report loads back into the same Report."""
    assert load_report(render(report, OutputFormat.JSON), "r.json") == report


def _problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_report(text, "r.json")
    return [str(p) for p in info.value.problems]


def test_not_json_is_located():
    """A syntax error gives file, line and column."""
    assert _problems('{\n  "schema": }') == [
        "r.json:2:13: not JSON: Expecting value",
    ]


def test_other_schemas_are_refused():
    """A report of another schema version, or no report at all, is refused."""
    assert _problems('{"schema": "linkwatch.report/2"}') == [
        "r.json: schema: expected 'linkwatch.report/1', found 'linkwatch.report/2'"
    ]
    assert _problems("[1]") == ["r.json:1:1: not a linkwatch report: expected an object"]


def test_bad_fields_are_located_at_their_link(report):
    """Each bad field names its key path and the line where that link's record starts."""
    doc = json.loads(render(report, OutputFormat.JSON))
    doc["links"][2]["status"] = "fine"
    doc["links"][3]["line"] = 0
    doc["links"][4]["flags"] = ["made_up"]
    text = json.dumps(doc, indent=2)
    problems = _problems(text)
    starts = [i + 1 for i, line in enumerate(text.splitlines()) if line == "    {"]
    assert problems == [
        (
            f"r.json:{starts[2]}:5: links[2].status: must be one of broken, error, blocked,"
            " redirected, skipped, ok, not 'fine'"
        ),
        f"r.json:{starts[3]}:5: links[3].line: must be an integer ≥ 1, not 0",
        (
            f"r.json:{starts[4]}:5: links[4].flags: must be a list of tracking_params,"
            " cross_site_redirect, https_downgrade, expect_text_missing, parked_domain,"
            " moved_to_home, soft_404, tls_expiring, slow, flaky, domain_unregistered,"
            " domain_changed_hands, domain_expiring, review_due, cached, not ['made_up']"
        ),
    ]


def test_times_need_an_offset(report):
    """A time without a UTC offset cannot be compared with other shards, so it is refused."""
    doc = json.loads(render(report, OutputFormat.JSON))
    doc["started"] = "2026-11-27T03:17:00"
    doc["finished"] = "yesterday"
    assert _problems(json.dumps(doc)) == [
        "r.json: started: must carry a UTC offset, not '2026-11-27T03:17:00'",
        "r.json: finished: must be an ISO 8601 date-time, not 'yesterday'",
    ]


def test_unknown_fields_are_ignored_and_derived_ones_recomputed(report):
    """Fields from a newer linkwatch are ignored; a tampered summary is not trusted."""
    doc = json.loads(render(report, OutputFormat.JSON))
    doc["links"][0]["future_field"] = 1
    doc["summary"]["total"] = 999
    doc["duration_s"] = -5
    loaded = load_report(json.dumps(doc), "r.json")
    assert loaded == report
    assert loaded.finished - loaded.started == timedelta(seconds=2.34)


def test_missing_fields_and_non_objects_are_located(report):
    """A missing required field and a link that is not an object are both reported."""
    doc = json.loads(render(report, OutputFormat.JSON))
    del doc["links"][0]["checked_url"]
    doc["links"][1] = 5
    problems = _problems(json.dumps(doc, indent=2))
    assert problems[0].endswith("links[0].checked_url: is missing")
    assert problems[0].startswith("r.json:")
    assert problems[0].split(":")[1].isdigit()
    assert problems[1] == "r.json: links[1]: must be an object, not int"


def test_absurd_nesting_is_refused():
    """A document nested too deeply for the parser is a config error, not a crash."""
    assert _problems("[" * 100_000) == ["r.json: not JSON: nested too deeply"]


def test_characters_beyond_the_bmp_are_escaped_as_surrogate_pairs(report):
    """An invisible tag character (U+E0041) is escaped, and reads back unchanged."""
    outcome = report.outcomes[0]
    tagged = type(outcome)(
        **{**{f: getattr(outcome, f) for f in outcome.__slots__}, "title": "a\U000e0041b😀"}
    )
    text = render(sample_report(outcomes=(tagged,)), OutputFormat.JSON)
    assert "a\\udb40\\udc41b😀" in text
    assert load_report(text, "r.json").outcomes[0].title == "a\U000e0041b😀"


@pytest.mark.parametrize("kind", ["sample", "clean", "empty"])
def test_pieces_are_exactly_the_whole_document(report, clean_report, kind):
    """Rendered piece by piece, the text is byte for byte json.dumps of the whole document."""
    chosen = {"sample": report, "clean": clean_report, "empty": sample_report(outcomes=())}[kind]
    whole = json_format._escape_unsafe(
        json.dumps(json_format.report_document(chosen), indent=2, ensure_ascii=False)
    )
    pieces = list(render_pieces(chosen, OutputFormat.JSON))
    assert "".join(pieces) == whole + "\n"
    assert len(pieces) == (len(chosen.outcomes) + 2 if chosen.outcomes else 1)


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_every_format_renders_the_same_text_in_pieces(report, fmt):
    """render_pieces joins to render's text (without colour) for every format."""
    assert "".join(render_pieces(report, fmt, width=100)) == render(report, fmt, width=100)


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(_JSON_VALUES, st.integers(min_value=0, max_value=3))
def test_indented_writes_what_json_dumps_writes(value, level):
    """The report's fast indenter gives json.dumps(indent=2)'s text, at any nesting level."""
    expected = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * level)
    assert json_format.indented(value, level) == expected
