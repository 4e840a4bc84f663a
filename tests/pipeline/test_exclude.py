"""Exclusions: links.yaml's `exclude` and --exclude; excluded links are reported as skipped
with the pattern that matched, never requested, never dropped."""

from __future__ import annotations

import json

import pytest

from linkwatch.errors import ConfigError, UsageError
from linkwatch.listfile import config
from linkwatch.pipeline.check import CheckSettings, check
from linkwatch.report import OutputFormat
from loopback import respond


@pytest.fixture
def site(server):
    @server.route("/ok")
    async def ok(request, reader, writer):
        await respond(writer, 200, head=True)

    return server


def write(tmp_path, text: str):
    path = tmp_path / "links.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_file_and_command_line_patterns_skip_with_their_pattern(tmp_path, site):
    """Both kinds of pattern apply; each skipped link names the pattern and where it came from."""
    path = write(
        tmp_path,
        "version: 1\n"
        "exclude:\n"
        "  - /intranet/\n"
        "links:\n"
        f"  - name: Kept\n    url: {site.url('/ok')}\n"
        f"  - name: Intranet\n    url: {site.url('/intranet/page')}\n"
        f"  - name: Staff\n    url: {site.url('/staff?id=1')}\n",
    )
    result = check(
        CheckSettings(
            config=path,
            allow_private=True,
            exclude=(r"/staff\?",),
            format=OutputFormat.JSON,
        )
    )
    assert result.exit_code == 0
    records = json.loads(result.text)["links"]
    assert [(r["status"], r["reason"]) for r in records] == [
        ("ok", "HTTP 200"),
        ("skipped", f"skipped: excluded by exclude in {path}: /intranet/"),
        ("skipped", r"skipped: excluded by --exclude: /staff\?"),
    ]
    assert records[1]["action"] == "None; remove the pattern when the link should be checked again."
    assert dict(site.hits) == {"/ok": 1}


def test_skip_key_wins_over_a_pattern(tmp_path, site):
    """A link's own `skip` reason is kept when a pattern matches it too."""
    path = write(
        tmp_path,
        f"version: 1\nlinks:\n  - name: A\n    url: {site.url('/ok')}\n    skip: by hand\n",
    )
    result = check(CheckSettings(config=path, exclude=("ok",), format=OutputFormat.JSON))
    [record] = json.loads(result.text)["links"]
    assert (record["status"], record["reason"]) == ("skipped", "skipped: by hand")


def test_bad_pattern_in_the_file_is_located():
    """An `exclude` entry that is not a regular expression is a located validation error."""
    with pytest.raises(ConfigError) as raised:
        config.loads("version: 1\nexclude:\n  - ok\n  - 'intranet('\nlinks: []\n", "links.yaml")
    assert [str(p) for p in raised.value.problems] == [
        (
            "links.yaml:4:5: exclude[1]: 'intranet(' is not a regular expression (missing ),"
            " unterminated subpattern at position 8)"
        )
    ]


def test_bad_command_line_pattern_is_a_usage_error(tmp_path, site):
    """--exclude with a broken pattern stops the run before any request."""
    path = write(tmp_path, f"version: 1\nlinks:\n  - name: A\n    url: {site.url('/ok')}\n")
    with pytest.raises(UsageError) as raised:
        check(CheckSettings(config=path, allow_private=True, exclude=("[a-",)))
    assert str(raised.value) == (
        "--exclude '[a-' is not a regular expression (unterminated character set at position 0)"
    )
    assert site.hits == {}


def test_one_pattern_may_be_written_alone():
    """`exclude: PATTERN` is the same as a list of one."""
    cfg = config.loads("version: 1\nexclude: ^http://\nlinks: []\n", "links.yaml")
    assert [(e.pattern, e.source) for e in cfg.exclude] == [("^http://", "links.yaml")]
