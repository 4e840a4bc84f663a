"""`linkwatch import` and `linkwatch init` from the user's side: real files, exact bytes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import DATA
from linkwatch._version import __version__
from linkwatch.cli.app import app
from linkwatch.listfile import config

runner = CliRunner()
SEED = Path(__file__).parents[1] / "data" / "cleveland-police-2019-03-18.txt"
NAMES = [
    "CSE awareness campaign",
    "Parents Against Child Sexual Exploitation",
    "NSPCC",
    "Get Safe Online",
    "Think You Know",
]


def run_cli(*args: str):
    return runner.invoke(app, list(args))


def test_import_seed_into_a_missing_file_writes_the_five_entries(tmp_path):
    """The press release becomes five valid entries; PACE loses its gclid."""
    target = tmp_path / "links.yaml"
    result = run_cli("import", str(SEED), "--into", str(target), "--write")
    assert result.exit_code == 0, result.output
    cfg = config.load(target)
    assert [link.name for link in cfg.links] == NAMES
    assert cfg.links[1].url == "https://paceuk.info/"
    assert all("cleveland-police-2019-03-18.txt" in (link.source or "") for link in cfg.links)
    assert "5 links added to" in result.stderr


def test_import_into_an_empty_file(tmp_path):
    """An existing but empty file gets `version: 1` and the entries."""
    target = tmp_path / "links.yaml"
    target.write_bytes(b"")
    assert run_cli("import", str(SEED), "--into", str(target), "--write").exit_code == 0
    assert len(config.load(target).links) == 5


def test_import_without_write_prints_yaml_and_touches_nothing(tmp_path):
    """The default is a preview on stdout; the file is not created."""
    target = tmp_path / "links.yaml"
    result = run_cli("import", str(SEED), "--into", str(target))
    assert result.exit_code == 0
    assert not target.exists()
    assert "  - name: Parents Against Child Sexual Exploitation\n" in result.stdout
    assert "    url: https://paceuk.info/\n" in result.stdout
    assert "run again with --write" in result.stderr


def test_import_skips_links_already_listed_and_keeps_existing_bytes(tmp_path):
    """Known links (after cleaning) are reported, not doubled; the old bytes stay as they were."""
    target = tmp_path / "links.yaml"
    before = (
        b"# my list\r\nversion: 1\r\nlinks:\r\n"
        b"    -   name: PACE   # odd indentation is kept\r\n"
        b"        url: 'https://PACEUK.info/?gclid=zzz'\r\n"
    )
    target.write_bytes(before)
    result = run_cli("import", str(SEED), "--into", str(target), "--write")
    assert result.exit_code == 0, result.output
    after = target.read_bytes()
    assert after.startswith(before)
    assert "already in" in result.stderr
    assert "https://paceuk.info/" in result.stderr
    added = after[len(before) :].decode()
    assert "\n" not in added.replace("\r\n", "")  # CRLF kept throughout
    assert "    -   name: Think You Know\r\n" in added or "    - name: Think You Know\r\n" in added
    assert [link.name for link in config.load(target).links] == ["PACE", *NAMES[:1], *NAMES[2:]]


def test_import_markdown_and_html(tmp_path):
    """Link text names the entries from Markdown and HTML documents."""
    md = tmp_path / "help.md"
    md.write_text("# Help\n\n* [Childline](https://www.childline.org.uk/?utm_source=x)\n")
    html = tmp_path / "help.html"
    html.write_text('<title>Help</title><a href="https://www.iwf.org.uk/">IWF</a>')
    target = tmp_path / "links.yaml"
    assert run_cli("import", str(md), "--into", str(target), "--write").exit_code == 0
    assert run_cli("import", str(html), "--into", str(target), "--write").exit_code == 0
    links = config.load(target).links
    assert [(link.name, link.url) for link in links] == [
        ("Childline", "https://www.childline.org.uk/"),
        ("IWF", "https://www.iwf.org.uk/"),
    ]
    assert links[0].source == "Help (help.md)"


def test_import_into_an_invalid_file_exits_2_and_changes_nothing(tmp_path):
    """A broken links.yaml is reported with its location and left untouched."""
    target = tmp_path / "links.yaml"
    target.write_bytes(b"version: 1\nlinks:\n  - name: A\n    ulr: x\n")
    result = run_cli("import", str(SEED), "--into", str(target), "--write")
    assert result.exit_code == 2
    assert "links.yaml:4:5: links[0].ulr: unknown key 'ulr'" in result.stderr
    assert target.read_bytes() == b"version: 1\nlinks:\n  - name: A\n    ulr: x\n"


def test_import_of_a_missing_document_exits_2(tmp_path):
    """A source that does not exist is a clear error."""
    result = run_cli("import", str(tmp_path / "nope.txt"), "--into", str(tmp_path / "l.yaml"))
    assert result.exit_code == 2
    assert "nope.txt: no such file" in result.stderr


def test_init_writes_the_starter_files(tmp_path):
    """A valid links.yaml, its schema, the workflow using the Action, the pre-commit config."""
    result = run_cli("init", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert config.load(tmp_path / "links.yaml").links[0].name == "Childline"
    assert (
        (tmp_path / "links.yaml")
        .read_text()
        .startswith("# yaml-language-server: $schema=links.schema.json\n")
    )
    assert (
        '"$schema": "https://json-schema.org/draft/2020-12/schema"'
        in (tmp_path / "links.schema.json").read_text()
    )
    workflow = (tmp_path / ".github" / "workflows" / "linkwatch.yml").read_text()
    assert f"      - uses: linkwatch/linkwatch@v{__version__}\n" in workflow
    assert not (tmp_path / ".github" / "scripts").exists()
    assert (tmp_path / ".pre-commit-config.yaml").read_text(encoding="utf-8") == (
        "# pre-commit hooks (https://pre-commit.com); written by `linkwatch init`.\n"
        "# linkwatch's hooks come from its repository at the release that wrote this file.\n"
        "repos:\n"
        "  - repo: https://github.com/linkwatch/linkwatch\n"
        f"    rev: v{__version__}\n"
        "    hooks:\n"
        "      - id: linkwatch-validate\n"
        "      - id: linkwatch-clean\n"
    )
    assert result.stdout.splitlines() == [
        f"wrote {tmp_path / 'links.yaml'}: the list, with a starter entry",
        (
            f"wrote {tmp_path / 'links.schema.json'}: JSON Schema, so editors validate"
            " links.yaml as you type"
        ),
        (
            f"wrote {tmp_path / '.github/workflows/linkwatch.yml'}: nightly check with"
            " linkwatch's Action: history, one issue per failing link, job summary,"
            " pull-request annotations"
        ),
        (
            f"wrote {tmp_path / '.pre-commit-config.yaml'}: validate and clean links.yaml"
            " before each commit (hooks from linkwatch's repository)"
        ),
    ]


def test_init_never_overwrites(tmp_path):
    """An existing file is named, skipped, and keeps its bytes."""
    (tmp_path / "links.yaml").write_bytes(b"mine\n")
    result = run_cli("init", str(tmp_path))
    assert result.exit_code == 0
    assert (tmp_path / "links.yaml").read_bytes() == b"mine\n"
    assert f"skipped {tmp_path / 'links.yaml'}: it exists, left as it is" in result.stderr
    again = run_cli("init", str(tmp_path))
    assert again.stdout == ""
    assert again.stderr.count("skipped") == 4


def test_init_on_a_file_exits_2(tmp_path):
    """A target that is a file, not a directory, is refused."""
    target = tmp_path / "f"
    target.write_text("x")
    result = run_cli("init", str(target))
    assert result.exit_code == 2
    assert "is not a directory" in result.stderr


def test_the_workflow_written_by_init_passes_actionlint(tmp_path):
    """The starter workflow is valid GitHub Actions (linted with shellcheck too)."""
    exe = Path(sys.executable).parent / "actionlint"
    tool = str(exe) if exe.exists() else shutil.which("actionlint")
    assert tool is not None, "actionlint comes with the test extra"
    run_cli("init", str(tmp_path))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        [tool, ".github/workflows/linkwatch.yml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("extra", [[], ["a.yaml"]])
def test_validate_takes_several_files(tmp_path, monkeypatch, extra):
    """`validate a b` checks each; one bad file makes the exit code 2."""
    monkeypatch.chdir(tmp_path)
    good = tmp_path / "good.yaml"
    good.write_text("version: 1\nlinks: []\n")
    for name in extra:
        (tmp_path / name).write_text("version: 3\nlinks: []\n")
    result = run_cli("validate", "good.yaml", *extra)
    assert ("good.yaml: ok: 0 links" if extra else "ok: 0 links") in result.stdout
    assert result.exit_code == (2 if extra else 0)


def test_import_into_a_file_whose_links_key_is_still_empty(tmp_path):
    """`links:` with nothing under it is a list to start, as an empty file is."""
    target = tmp_path / "links.yaml"
    target.write_text("# mine\nversion: 1\nlinks:\n", encoding="utf-8")
    result = run_cli("import", str(SEED), "--into", str(target), "--write")
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").startswith("# mine\nversion: 1\nlinks:\n  - name: ")
    assert len(config.load(target).links) == 5


PARENTS_MD = (DATA / "parents.md").read_text(encoding="utf-8")


def test_import_markdown_leaves_code_out_and_counts_in_page_links(tmp_path):
    """Code is not imported, #anchors are only counted, a relative link says how to import it."""
    page = tmp_path / "page.md"
    page.write_text(PARENTS_MD, encoding="utf-8")
    result = run_cli("import", str(page), "--into", str(tmp_path / "links.yaml"))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "  - name: NSPCC\n"
        "    url: https://www.nspcc.org.uk/\n"
        "    source: Help for parents (page.md)\n"
        "\n"
        "  - name: Get Safe Online\n"
        "    url: https://www.getsafeonline.org/\n"
        "    source: Help for parents (page.md)\n"
    )
    assert result.stderr == (
        f"{page}:4: relative link in a local file, skipped: faq.html"
        " (import from the page's URL to resolve it)\n"
        f"2 links new for {tmp_path / 'links.yaml'}; 1 relative, skipped;"
        " 2 in-page links (#...) ignored; run again with --write to add them\n"
    )


def test_import_markdown_names_are_plain_words(tmp_path):
    """Bold, code, badges and reference-style links give plain names in links.yaml."""
    page = tmp_path / "resources.md"
    page.write_text(
        "# Resources\n\n"
        "- **Childline**: https://www.childline.org.uk/\n"
        "- [`IWF` reporting][iwf]\n"
        "- [![Shout](https://img.example/shout.svg)](https://giveusashout.org/)\n"
        "- [Think You *Know*][]\n\n"
        "[iwf]: https://report.iwf.org.uk/\n"
        "[think you *know*]: https://www.thinkuknow.co.uk/\n",
        encoding="utf-8",
    )
    target = tmp_path / "links.yaml"
    result = run_cli("import", str(page), "--into", str(target), "--write")
    assert result.exit_code == 0, result.output
    assert [(link.name, link.url, link.line) for link in config.load(target).links] == [
        ("Childline", "https://www.childline.org.uk/", 3),
        ("IWF reporting", "https://report.iwf.org.uk/", 7),
        ("Shout", "https://giveusashout.org/", 11),
        ("Think You Know", "https://www.thinkuknow.co.uk/", 15),
    ]


def test_import_html_file_takes_only_real_anchors(tmp_path):
    """URLs in <pre>, <code>, scripts, styles, templates and comments are not imported;
    an <a href> inside <pre> is."""
    page = tmp_path / "help.html"
    page.write_text(
        "<html><head><title>Help</title>\n"
        '<script>fetch("https://api.example/track")</script>\n'
        "<style>body{background:url(https://cdn.example/bg.png)}</style></head><body>\n"
        '<!-- <a href="https://old.example/">old</a> -->\n'
        '<pre>curl https://api.example/v1 <a href="https://docs.example/">docs</a></pre>\n'
        "<p><code>https://code.example/</code></p>\n"
        '<template><a href="https://template.example/">t</a></template>\n'
        '<a href="#main">Skip to content</a> <a href="tel:+44800">Call</a>\n'
        '<a href="https://www.iwf.org.uk/">IWF</a></body></html>\n',
        encoding="utf-8",
    )
    result = run_cli("import", str(page), "--into", str(tmp_path / "links.yaml"))
    assert result.exit_code == 0, result.output
    assert [line for line in result.stdout.splitlines() if "url:" in line] == [
        "    url: https://docs.example/",
        "    url: https://www.iwf.org.uk/",
    ]
    assert result.stderr == (
        f"{page}:8: not an http(s) link, skipped: tel:+44800\n"
        f"2 links new for {tmp_path / 'links.yaml'}; 1 not http(s), skipped;"
        " 1 in-page link (#...) ignored; run again with --write to add them\n"
    )


def test_import_says_why_an_http_link_is_refused(tmp_path):
    """An http(s) link linkwatch cannot keep (a password in it) is named with the reason."""
    page = tmp_path / "p.html"
    page.write_text('<a href="https://user:secret@example.org/">x</a>', encoding="utf-8")
    result = run_cli("import", str(page), "--into", str(tmp_path / "links.yaml"))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert (
        f"{page}:1: skipped https://***@example.org/: it contains a user name or"
        " password; remove the credentials from the URL\n"
    ) in result.stderr
    assert "1 invalid, skipped" in result.stderr


@pytest.mark.parametrize(
    "html",
    [
        '<html><body><![ x <a href="https://a.example/">a</a>',
        '<html><body><![bogus[ x ]]> <a href="https://a.example/">a</a>',
    ],
)
def test_import_html_that_trips_html_parser_still_yields_its_links(tmp_path, html):
    """A "<![" opening no known section (html.parser raises on it) is text, not a traceback."""
    page = tmp_path / "p.html"
    page.write_text(html, encoding="utf-8")
    result = run_cli("import", str(page), "--into", str(tmp_path / "links.yaml"))
    assert result.exit_code == 0, result.output
    assert "    url: https://a.example/" in result.stdout.splitlines()


def test_import_html_the_parser_fails_on_is_a_clear_error(tmp_path, monkeypatch):
    """Any failure inside html.parser becomes "cannot be read as HTML" and exit 2."""

    def fail(self, rawdata):
        raise AssertionError("we should not get here!")

    monkeypatch.setattr("html.parser.HTMLParser.feed", fail)
    page = tmp_path / "p.html"
    page.write_text('<a href="https://a.example/">a</a>', encoding="utf-8")
    result = run_cli("import", str(page), "--into", str(tmp_path / "links.yaml"))
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "p.html: cannot be read as HTML (we should not get here!)" in result.stderr


def test_import_messages_show_hostile_urls_escaped_and_refuse_bidi_overrides(tmp_path):
    """Terminal escapes and bidi overrides in a document's URLs reach the screen as escapes;
    a URL holding a bidi override is not imported."""
    page = tmp_path / "p.txt"
    page.write_text(
        "A: https://a.example/\x1b[2J\nB: https://b.example/\u202egpj.exe\n"
        "C: https://c.example/\nD: https://d.example/\x9b1m\n",
        encoding="utf-8",
    )
    target = tmp_path / "links.yaml"
    target.write_text(
        "version: 1\nlinks:\n  - name: C\n    url: https://c.example/\n", encoding="utf-8"
    )
    result = run_cli("import", str(page), "--into", str(target))
    assert result.exit_code == 0, result.output
    assert not any(char in result.output for char in "\x1b\u202e\x9b")
    assert (
        f"{page}:1: skipped https://a.example/\\x1b[2J: it contains a control character\n"
        in result.stderr
    )
    assert (
        f"{page}:2: skipped https://b.example/\\u202egpj.exe: it contains invisible or control"
        " characters (U+202E); a reader would see another URL than the one checked:"
        " percent-encode them if they belong in it\n" in result.stderr
    )
    assert f"{page}:4: skipped https://d.example/\\x9b1m" in result.stderr
    assert "already in" in result.stderr
    assert "3 invalid, skipped" in result.stderr


def test_import_reviewed_writes_the_vetting_date_in_each_entry(tmp_path):
    """--reviewed 2019-03-18: each new entry says when a person vetted it; the list loads it."""
    target = tmp_path / "links.yaml"
    result = run_cli(
        "import", str(SEED), "--into", str(target), "--write", "--reviewed", "2019-03-18"
    )
    assert result.exit_code == 0, result.output
    text = target.read_text("utf-8")
    assert text.count("    reviewed: 2019-03-18\n") == 5
    assert (
        "    source: Cleveland Police and PCC Support Child Sexual Exploitation Awareness Day 2019"
        in text
    )
    cfg = config.load(target)
    assert {link.reviewed.isoformat() for link in cfg.links if link.reviewed} == {"2019-03-18"}


def test_import_reviewed_refuses_what_is_not_a_date(tmp_path):
    """A review date that is not a day is a usage error (exit 2) before anything is written."""
    target = tmp_path / "links.yaml"
    result = run_cli(
        "import", str(SEED), "--into", str(target), "--write", "--reviewed", "18/03/2019"
    )
    assert result.exit_code == 2
    assert "--reviewed: '18/03/2019' is not a date; write it as 2019-03-18" in result.output
    assert not target.exists()
