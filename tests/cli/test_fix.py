"""`linkwatch fix` from the user's side: a saved report, a real links.yaml, exact bytes."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factories import FIX_STARTED as STARTED
from factories import redirected as outcome
from linkwatch.cli.app import app
from linkwatch.listfile import config
from linkwatch.models import Flag, Outcome, Report, Status
from linkwatch.report import OutputFormat, render

ROOT = Path(__file__).parents[2]
DATA = Path(__file__).parents[1] / "data" / "fix"
BEFORE = (DATA / "before.yaml").read_bytes()
AFTER = (DATA / "after.yaml").read_bytes()


def run_cli(*args: str):
    return CliRunner().invoke(app, list(args))


def save_report(path: Path, outcomes, config_path="links.yaml") -> Path:
    report = Report("0", config_path, STARTED, STARTED, tuple(outcomes))
    path.write_text(render(report, OutputFormat.JSON), encoding="utf-8")
    return path


def sample_outcomes(text: str) -> list[Outcome]:
    """One of each case, for tests/data/fix/before.yaml."""
    links = config.loads(text).links
    return [
        outcome(
            links[0],
            [
                ("http://www.charity.org.uk/help#phone", 301),
                ("https://www.charity.org.uk/help", 308),
                ("https://charity.org.uk/get-help?utm_source=redirect", 200),
            ],
            checked="http://www.charity.org.uk/help#phone",
        ),
        outcome(
            links[1],
            [("https://old-charity.org/", 301), ("https://new-charity.org/", 200)],
            flags=[Flag.CROSS_SITE_REDIRECT],
        ),
        outcome(
            links[2],
            [
                ("https://www.nspcc.org.uk/advice", 302),
                ("https://www.nspcc.org.uk/advice/", 200),
            ],
        ),
        outcome(
            links[3],
            [
                ("https://secure.example.org/page", 301),
                ("http://secure.example.org/page", 200),
            ],
            flags=[Flag.HTTPS_DOWNGRADE],
        ),
        outcome(links[4], [("https://ok.example.org/", 200)], status=Status.OK),
        outcome(
            links[5],
            [("https://lapsed.example.org/", 301), ("https://lapsed.example.org/sale", 200)],
            flags=[Flag.PARKED_DOMAIN],
        ),
    ]


@pytest.fixture
def files(tmp_path):
    target = tmp_path / "links.yaml"
    target.write_bytes(BEFORE)
    report = save_report(tmp_path / "report.json", sample_outcomes(BEFORE.decode()))
    return target, report


def test_preview_prints_the_diff_and_changes_nothing(files):
    """Without --write: a unified diff of exactly the adopted URL, the file untouched."""
    target, report = files
    result = run_cli("fix", "--from", str(report), str(target))
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == BEFORE
    assert result.stdout == (
        f"--- {target}\n+++ {target}\n@@ -2,7 +2,7 @@\n"
        " version: 1\n links:\n   - name: Moved same site\n"
        "-    url: http://www.charity.org.uk/help?utm_source=news#phone   # trailing comment\n"
        "+    url: https://charity.org.uk/get-help#phone   # trailing comment\n"
        "   - name: Cross-site 301\n"
        '     url: "https://old-charity.org/"\n'
        "   - name: Temporary 302\n"
    )


def test_write_rewrites_exactly_the_same_site_permanent_move(files):
    """--write gives the golden bytes: one URL changed, tracking gone, fragment kept."""
    target, report = files
    result = run_cli("fix", "--from", str(report), "--write", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == AFTER
    assert f"{target}: adopted 1 URL; 4 URLs to review by hand" in result.stderr


def test_risky_redirects_are_listed_with_why_never_applied(files):
    """Cross-site, temporary, downgrading and parked redirects are named with the reason."""
    target, report = files
    result = run_cli("fix", "--from", str(report), str(target))
    err = result.stderr
    assert (
        f"{target}:7: review by hand: https://old-charity.org/ \u2192 https://new-charity.org/:"
        " it leaves the site for new-charity.org\n"
    ) in err
    assert (
        f"{target}:9: review by hand: https://www.nspcc.org.uk/advice \u2192"
        " https://www.nspcc.org.uk/advice/: a temporary redirect (302) at"
        " https://www.nspcc.org.uk/advice\n"
    ) in err
    assert "\u2192 http://secure.example.org/page: it goes from https to http\n" in err
    assert "the final page looks parked or for sale\n" in err
    assert "ok.example.org" not in err
    run_cli("fix", "--from", str(report), "--write", str(target))
    text = target.read_text(encoding="utf-8")
    for kept in (
        '"https://old-charity.org/"',
        "https://www.nspcc.org.uk/advice\n",
        "'https://secure.example.org/page'",
        "https://lapsed.example.org/\n",
    ):
        assert kept in text


def test_nothing_to_fix_prints_nothing_and_exits_0(tmp_path):
    """A report without redirects: no diff, one summary line, exit 0."""
    target = tmp_path / "links.yaml"
    target.write_bytes(BEFORE)
    links = config.loads(BEFORE.decode()).links
    report = save_report(
        tmp_path / "r.json",
        [outcome(links[4], [("https://ok.example.org/", 200)], status=Status.OK)],
    )
    result = run_cli("fix", "--from", str(report), "--write", str(target))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == f"{target}: adopted 0 URLs\n"
    assert target.read_bytes() == BEFORE


def test_link_changed_since_the_report_is_skipped_and_said(tmp_path):
    """A link edited after the report is not touched; the others still are."""
    target = tmp_path / "links.yaml"
    report = save_report(tmp_path / "r.json", sample_outcomes(BEFORE.decode()))
    edited = BEFORE.replace(
        b"http://www.charity.org.uk/help?utm_source=news#phone", b"https://x.org/"
    )
    target.write_bytes(edited)
    result = run_cli("fix", "--from", str(report), "--write", str(target))
    assert result.exit_code == 0
    assert target.read_bytes() == edited
    assert (
        f"{target}: skipped http://www.charity.org.uk/help?utm_source=news#phone: links[0] now"
        " holds https://x.org/: the file changed since the report; run check again"
    ) in result.stderr


def test_report_of_another_file_is_refused(tmp_path):
    """When no link matches by position and URL, fix stops with exit 2 and says why."""
    target = tmp_path / "links.yaml"
    target.write_bytes(b"version: 1\nlinks:\n  - name: A\n    url: https://a.example/\n")
    report = save_report(tmp_path / "r.json", sample_outcomes(BEFORE.decode()), "other.yaml")
    result = run_cli("fix", "--from", str(report), "--write", str(target))
    assert result.exit_code == 2
    assert "error: the report (other.yaml) does not describe" in result.stderr
    assert "none of its 6 links" in result.stderr


def test_bad_report_exits_2(tmp_path):
    """A file that is not a report is a one-line error per problem, exit 2."""
    target = tmp_path / "links.yaml"
    target.write_bytes(BEFORE)
    bad = tmp_path / "r.json"
    bad.write_text("{}", encoding="utf-8")
    result = run_cli("fix", "--from", str(bad), str(target))
    assert result.exit_code == 2
    assert "schema: expected 'linkwatch.report/1'" in result.stderr


def test_bundled_list_is_not_rewritten(tmp_path, monkeypatch):
    """Without a links.yaml here, fix refuses to touch the list shipped with linkwatch."""
    monkeypatch.chdir(tmp_path)
    report = save_report(tmp_path / "r.json", [])
    result = run_cli("fix", "--from", str(report))
    assert result.exit_code == 2
    assert "not yours to rewrite" in result.stderr


def test_crlf_and_no_final_newline_survive(tmp_path):
    """Line endings and a missing final newline are kept; the diff marks the missing newline."""
    text = "version: 1\r\nlinks:\r\n  - name: A\r\n    url: http://a.example/x"
    target = tmp_path / "links.yaml"
    target.write_bytes(text.encode())
    link = config.loads(text).links[0]
    report = save_report(
        tmp_path / "r.json",
        [outcome(link, [("http://a.example/x", 308), ("https://www.a.example/x", 200)])],
    )
    result = run_cli("fix", "--from", str(report), "--write", str(target))
    assert result.exit_code == 0, result.output
    assert (
        target.read_bytes()
        == text.replace("http://a.example/x", "https://www.a.example/x").encode()
    )
    assert result.stdout.endswith(
        "-    url: http://a.example/x\n\\ No newline at end of file\n"
        "+    url: https://www.a.example/x\n\\ No newline at end of file\n"
    )
    assert b"   - name: A\r\n" in result.stdout_bytes


def test_block_scalar_url_is_left_for_a_human_with_exit_1(tmp_path):
    """A proven move the file cannot take in place is named, and --write exits 1."""
    text = "version: 1\nlinks:\n  - name: A\n    url: >-\n      http://a.example/x\n"
    target = tmp_path / "links.yaml"
    target.write_text(text, encoding="utf-8")
    link = config.loads(text).links[0]
    report = save_report(
        tmp_path / "r.json",
        [outcome(link, [("http://a.example/x", 301), ("https://a.example/x", 200)])],
    )
    result = run_cli("fix", "--from", str(report), "--write", str(target))
    assert result.exit_code == 1
    assert target.read_text(encoding="utf-8") == text
    assert "not rewritten: the url is a block scalar" in result.stderr


def test_bundled_list_same_site_301_rewrites_exactly_that_url(tmp_path):
    """On a copy of the bundled list, a saved report with one same-site 301 changes one URL."""
    target = tmp_path / "links.yaml"
    shutil.copy(ROOT / "links.yaml", target)
    before = target.read_bytes()
    links = config.load(target).links
    old = "https://www.getsafeonline.org/safeguarding-children/"
    new = "https://www.getsafeonline.org/personal/articles/safeguarding-children/"
    outcomes = [
        outcome(link, [(link.url, 200)], status=Status.OK) if link.url != old else None
        for link in links
    ]
    [moved] = [link for link in links if link.url == old]
    outcomes[moved.index] = outcome(moved, [(old, 301), (new, 200)])
    report = save_report(tmp_path / "r.json", outcomes)
    result = run_cli("fix", "--from", str(report), "--write", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == before.replace(old.encode(), new.encode())
    assert before.count(old.encode()) == 1


def test_diff_applies_with_patch(tmp_path, monkeypatch):
    """The printed diff is a real patch: `git apply` turns the old file into the new one."""
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "links.yaml").write_bytes(BEFORE)
    save_report(tmp_path / "r.json", sample_outcomes(BEFORE.decode()))
    result = CliRunner().invoke(app, ["fix", "--from", str(tmp_path / "r.json"), "links.yaml"])
    (tmp_path / "fix.patch").write_text(result.stdout, encoding="utf-8")
    subprocess.run([git, "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run([git, "apply", "fix.patch"], cwd=tmp_path, check=True)
    assert (tmp_path / "links.yaml").read_bytes() == AFTER


def test_shard_reports_are_merged(files, tmp_path):
    """Several --from reports (shards of one run) are read as one."""
    target, _ = files
    outcomes = sample_outcomes(BEFORE.decode())
    first = save_report(tmp_path / "shard-1.json", outcomes[:3])
    second = save_report(tmp_path / "shard-2.json", outcomes[3:])
    result = run_cli("fix", "--from", str(first), "--from", str(second), "--write", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == AFTER
    assert "4 URLs to review by hand" in result.stderr


def test_write_reviewed_also_dates_the_adopted_link(files):
    """--write --reviewed 2026-12-06: the golden bytes plus one reviewed: line, nothing else."""
    target, report = files
    result = run_cli(
        "fix", "--from", str(report), "--write", "--reviewed", "2026-12-06", str(target)
    )
    assert result.exit_code == 0, result.output
    expected = AFTER.replace(
        b"#phone   # trailing comment\n",
        b"#phone   # trailing comment\n    reviewed: 2026-12-06\n",
        1,
    )
    assert target.read_bytes() == expected
    assert config.load(target).links[0].reviewed == date(2026, 12, 6)
