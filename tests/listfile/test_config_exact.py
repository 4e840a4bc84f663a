"""links.yaml validation at its limits, with the exact message a maintainer reads: number
bounds (both ends, upper bounds included), status codes, `skip` spellings YAML reads as
booleans, the version, duplicates under the file's own tracking rules, long and secret values.
"""

from __future__ import annotations

import pytest

from linkwatch.errors import ConfigError, UsageError
from linkwatch.listfile import config
from linkwatch.models import CodeRange

HEAD = "version: 1\n"
ONE = "links:\n  - name: A\n    url: https://a.example.org/\n"
CODES = "use codes 100-599 such as 200, a range such as '200-299', or a class such as '2xx'"


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        config.loads(text, "links.yaml")
    return [str(p) for p in info.value.problems]


def defaults(line: str):
    return config.loads(f"{HEAD}defaults:\n  {line}\n{ONE}").defaults


def defaults_problem(line: str) -> str:
    (only,) = problems(f"{HEAD}defaults:\n  {line}\n{ONE}")
    return only


@pytest.mark.parametrize(
    ("line", "field", "value"),
    [
        ("timeout: 600", "timeout", 600.0),
        ("timeout: 0.001", "timeout", 0.001),
        ("timeout: 1_0", "timeout", 10.0),
        ("concurrency: 4096", "concurrency", 4096),
        ("concurrency: 1", "concurrency", 1),
        ("concurrency: 0x10", "concurrency", 16),
        ("per_host_concurrency: 256", "per_host_concurrency", 256),
        ("per_host_concurrency: 1", "per_host_concurrency", 1),
        ("accept: 100", "accept", (CodeRange(100, 100),)),
        ("accept: 599", "accept", (CodeRange(599, 599),)),
        ("accept: '5xx'", "accept", (CodeRange(500, 599),)),
        ("accept: '1XX'", "accept", (CodeRange(100, 199),)),
        ("accept: ' 200 - 204 '", "accept", (CodeRange(200, 204),)),
        ("accept: '204-204'", "accept", (CodeRange(204, 204),)),
        ("accept: [200, '3xx']", "accept", (CodeRange(200, 200), CodeRange(300, 399))),
        ("user_agent: " + "u" * 500, "user_agent", "u" * 500),
    ],
)
def test_values_at_the_limits_are_accepted(line, field, value):
    assert getattr(defaults(line), field) == value


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "timeout: 0",
            "links.yaml:3:12: defaults.timeout: 0 is out of range; use more than 0 to 600 seconds",
        ),
        (
            "timeout: 600.5",
            (
                "links.yaml:3:12: defaults.timeout: 600.5 is out of range; use more than 0 to 600"
                " seconds"
            ),
        ),
        (
            "timeout: -1",
            "links.yaml:3:12: defaults.timeout: -1 is out of range; use more than 0 to 600 seconds",
        ),
        (
            "timeout: .inf",
            (
                "links.yaml:3:12: defaults.timeout: .inf is out of range; use more than 0 to 600"
                " seconds"
            ),
        ),
        (
            "timeout: .nan",
            (
                "links.yaml:3:12: defaults.timeout: .nan is out of range; use more than 0 to 600"
                " seconds"
            ),
        ),
        ("timeout: '5'", "links.yaml:3:12: defaults.timeout: expected a number, got a string"),
        (
            "concurrency: 4097",
            "links.yaml:3:16: defaults.concurrency: 4097 is out of range; use 1 to 4096",
        ),
        (
            "concurrency: 0",
            "links.yaml:3:16: defaults.concurrency: 0 is out of range; use 1 to 4096",
        ),
        (
            "concurrency: 1.5",
            "links.yaml:3:16: defaults.concurrency: expected a whole number, got a number",
        ),
        (  # YAML 1.1 reads 1e3 (no dot) as a string
            "concurrency: 1e3",
            "links.yaml:3:16: defaults.concurrency: expected a whole number, got a string",
        ),
        (
            "per_host_concurrency: 257",
            "links.yaml:3:25: defaults.per_host_concurrency: 257 is out of range; use 1 to 256",
        ),
        (
            "per_host_concurrency: 0",
            "links.yaml:3:25: defaults.per_host_concurrency: 0 is out of range; use 1 to 256",
        ),
        ("accept: 600", f"links.yaml:3:11: defaults.accept: '600' is not a status code; {CODES}"),
        ("accept: 99", f"links.yaml:3:11: defaults.accept: '99' is not a status code; {CODES}"),
        ("accept: '6xx'", f"links.yaml:3:11: defaults.accept: '6xx' is not a status code; {CODES}"),
        (
            "accept: '299-200'",
            f"links.yaml:3:11: defaults.accept: '299-200' is not a status code; {CODES}",
        ),
        (
            "accept: true",
            f"links.yaml:3:11: defaults.accept: 'true' is not a status code; {CODES}",
        ),
        (
            "accept: []",
            "links.yaml:3:11: defaults.accept: expected status codes such as 200 or '200-299'",
        ),
        (
            "accept: {a: 1}",
            "links.yaml:3:11: defaults.accept: expected status codes such as 200 or '200-299'",
        ),
        (
            "accept: [200, 'x']",
            f"links.yaml:3:17: defaults.accept[1]: 'x' is not a status code; {CODES}",
        ),
        (
            "user_agent: " + "u" * 501,
            "links.yaml:3:15: defaults.user_agent: is longer than 500 characters",
        ),
    ],
)
def test_values_past_the_limits_are_refused_exactly(line, message):
    assert defaults_problem(line) == message


@pytest.mark.parametrize("spelling", ["false", "False", "FALSE", "no", "NO", "off", "Off"])
def test_skip_spellings_yaml_reads_as_false_mean_check_it(spelling):
    cfg = config.loads(f"{HEAD}{ONE}    skip: {spelling}\n")
    assert cfg.links[0].policy.skip is None


@pytest.mark.parametrize("spelling", ["true", "True", "yes", "Yes", "on", "ON"])
def test_skip_spellings_yaml_reads_as_true_ask_for_a_reason(spelling):
    assert problems(f"{HEAD}{ONE}    skip: {spelling}\n") == [
        (
            "links.yaml:5:11: links[0].skip: give the reason as text, e.g. skip: 'login wall,"
            " checked by hand'"
        )
    ]


@pytest.mark.parametrize(
    ("value", "skip"), [("'true'", "true"), ('"login wall"', "login wall"), ("2019", "2019")]
)
def test_skip_takes_text_as_the_reason(value, skip):
    assert config.loads(f"{HEAD}{ONE}    skip: {value}\n").links[0].policy.skip == skip


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("''", "links.yaml:5:11: links[0].skip: is empty; give a value or remove the key"),
        ("~", "links.yaml:5:11: links[0].skip: expected text, got null (an empty value)"),
    ],
)
def test_skip_without_a_reason(value, message):
    assert problems(f"{HEAD}{ONE}    skip: {value}\n") == [message]


@pytest.mark.parametrize(
    ("version", "message"),
    [
        (
            "2",
            (
                "links.yaml:1:10: version: 2 is not a version this linkwatch reads; use `version: 1`"
                " (or upgrade linkwatch)"
            ),
        ),
        (
            "0",
            (
                "links.yaml:1:10: version: 0 is not a version this linkwatch reads; use `version: 1`"
                " (or upgrade linkwatch)"
            ),
        ),
        ("1.0", "links.yaml:1:10: version: expected `version: 1`, got a number"),
        ("'1'", "links.yaml:1:10: version: expected `version: 1`, got a string"),
        ("[1]", "links.yaml:1:10: version: expected `version: 1`, got a list"),
    ],
)
def test_version_messages(version, message):
    assert problems(f"version: {version}\n{ONE}") == [message]


def test_version_one_in_any_integer_spelling():
    assert config.loads(f"version: 0x1\n{ONE}").version == 1


def test_link_timeout_has_the_same_bounds():
    assert problems(f"{HEAD}{ONE}    timeout: 0\n") == [
        "links.yaml:5:14: links[0].timeout: 0 is out of range; use more than 0 to 600 seconds"
    ]
    assert config.loads(f"{HEAD}{ONE}    timeout: 600\n").links[0].policy.timeout == 600.0


DUPLICATE = (
    "version: 1\n{defaults}links:\n"
    "  - name: A\n    url: https://a.example.org/x?ref=1\n"
    "  - name: B\n    url: https://A.example.org:443/x\n"
)


def test_duplicates_follow_the_files_own_tracking_rules():
    """`ref` is not on linkwatch's list: the two differ, unless the file strips `ref`."""
    cfg = config.loads(DUPLICATE.format(defaults=""))
    assert [lk.url for lk in cfg.links] == [
        "https://a.example.org/x?ref=1",
        "https://A.example.org:443/x",
    ]
    assert problems(DUPLICATE.format(defaults="defaults:\n  tracking:\n    strip: [ref]\n")) == [
        (
            "links.yaml:9:10: links[1].url: the same link as links[0] (line 7) once tracking"
            " parameters are removed and the host lower-cased; remove one of them"
        )
    ]
    per_host = "defaults:\n  tracking:\n    hosts:\n      A.Example.org: [ref]\n"
    assert problems(DUPLICATE.format(defaults=per_host)) == [
        (
            "links.yaml:10:10: links[1].url: the same link as links[0] (line 8) once tracking"
            " parameters are removed and the host lower-cased; remove one of them"
        )
    ]
    kept = "defaults:\n  tracking:\n    strip: [ref]\n    keep: [ref]\n"
    assert len(config.loads(DUPLICATE.format(defaults=kept)).links) == 2


def test_tracking_settings_are_read_with_hosts_lower_cased():
    text = (
        f"{HEAD}defaults:\n  tracking:\n    strip: [a, 'b_*']\n    keep: k\n"
        f"    hosts:\n      Shop.Example.org: [c]\n{ONE}"
    )
    settings = config.loads(text).defaults.tracking
    assert (settings.strip, settings.keep, settings.hosts) == (
        ("a", "b_*"),
        ("k",),
        (("shop.example.org", ("c",)),),
    )


@pytest.mark.parametrize(
    ("length", "shown"),
    [(80, "2" * 80), (81, "2" * 77 + "...")],
)
def test_a_long_value_is_shortened_at_80_characters(length, shown):
    (message,) = problems(f"{HEAD}{ONE}    accept: '{'2' * length}'\n")
    assert message == f"links.yaml:5:13: links[0].accept: '{shown}' is not a status code; {CODES}"


def test_a_value_never_echoes_credentials():
    (message,) = problems(f"{HEAD}{ONE}    accept: 'https://u:pw@x.org/'\n")
    assert message == (
        f"links.yaml:5:13: links[0].accept: 'https://***@x.org/' is not a status code; {CODES}"
    )


def test_empty_and_non_mapping_files():
    assert problems("") == ["links.yaml: is empty; start with `version: 1` and `links:`"]
    assert problems("~\n") == [
        (
            "links.yaml:1:1: the top level must be a mapping with `version` and `links`, not null"
            " (an empty value)"
        )
    ]
    assert problems("- 1\n") == [
        "links.yaml:1:1: the top level must be a mapping with `version` and `links`, not a list"
    ]


def test_defaults_flow_into_each_links_policy():
    text = f"{HEAD}defaults:\n  timeout: 5\n  accept: 200\n{ONE}"
    policy = config.loads(text).links[0].policy
    assert (policy.timeout, policy.accept) == (5.0, (CodeRange(200, 200),))


def test_load_list_names_the_file_as_the_user_gave_it(tmp_path):
    text = f"{HEAD}{ONE}"
    (tmp_path / "links.yaml").write_text(text, encoding="utf-8")
    local = config.load_list(None, tmp_path)
    assert (local.path, local.embedded) == ("links.yaml", False)
    mine = tmp_path / "mine.yaml"
    mine.write_text(text, encoding="utf-8")
    given = config.load_list(mine, tmp_path / "elsewhere")
    assert (given.path, given.embedded) == (str(mine), False)
    bundled = config.load_list(None, tmp_path / "elsewhere")
    assert (bundled.path, bundled.embedded) == (str(config.embedded_path()), True)


def test_editable_path_never_the_bundled_list(tmp_path):
    with pytest.raises(UsageError) as info:
        config.editable_path(None, tmp_path)
    assert str(info.value) == (
        f"no links.yaml here, and the list bundled with linkwatch ({config.embedded_path()}) is"
        " not yours to rewrite; give the PATH of your own links.yaml"
    )
    (tmp_path / "links.yaml").write_text("", encoding="utf-8")
    assert config.editable_path(None, tmp_path) == (tmp_path / "links.yaml", "links.yaml")
    mine = tmp_path / "mine.yaml"
    assert config.editable_path(mine, tmp_path) == (mine, str(mine))


def test_json_schema_head_and_number_bounds():
    schema = config.json_schema()
    assert (schema["$schema"], schema["$id"]) == (
        "https://json-schema.org/draft/2020-12/schema",
        "https://linkwatch.invalid/schema/links.schema.json",
    )
    props = schema["properties"]["defaults"]["properties"]
    assert props["timeout"] == {
        "type": "number",
        "exclusiveMinimum": 0,
        "maximum": 600,
        "description": "Overall deadline for checking one link, in seconds (default 30).",
    }
    assert {k: v for k, v in props["concurrency"].items() if k != "description"} == {
        "type": "integer",
        "minimum": 1,
        "maximum": 4096,
    }
