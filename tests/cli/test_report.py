"""`linkwatch report`: re-render saved reports offline, with the documented exit codes."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from linkwatch.cli.app import app
from linkwatch.report import OutputFormat, render
from samples import sample_outcomes, sample_report


def run_cli(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)


def _save(tmp_path, report, name="report.json"):
    path = tmp_path / name
    path.write_text(render(report, OutputFormat.JSON), encoding="utf-8")
    return path


def test_exit_0_on_a_clean_report(tmp_path, clean_report):
    """A saved clean run renders and exits 0."""
    result = run_cli("report", str(_save(tmp_path, clean_report)), "--format", "markdown")
    assert result.exit_code == 0
    assert "No problems found." in result.stdout


def test_exit_1_when_problems_fail_the_policy(tmp_path, report):
    """A saved run with a broken link exits 1."""
    result = run_cli("report", str(_save(tmp_path, report)), "--format", "github")
    assert result.exit_code == 1
    assert result.stdout.startswith("::error file=links.yaml,line=16,")


def test_exit_2_on_a_bad_report(tmp_path):
    """An unreadable or invalid report exits 2 with a located message."""
    bad = tmp_path / "bad.json"
    bad.write_text("{\n oops", encoding="utf-8")
    result = run_cli("report", str(bad))
    assert result.exit_code == 2
    assert f"{bad}:2:2: not JSON" in result.stderr


def test_exit_3_when_the_saved_run_had_no_network(tmp_path):
    """A run without network keeps exit 3 when re-rendered."""
    path = _save(tmp_path, sample_report(network_unavailable=True))
    assert run_cli("report", str(path)).exit_code == 3


def test_unknown_fail_on_is_a_usage_error(tmp_path, report):
    """A typo in --fail-on exits 2 before anything is rendered."""
    result = run_cli("report", str(_save(tmp_path, report)), "--fail-on", "brokn")
    assert result.exit_code == 2
    assert "did you mean 'broken'" in result.stderr
    assert result.stdout == ""


def test_fail_on_none_always_exits_0(tmp_path, report):
    """--fail-on none renders problems without failing (for job summaries)."""
    result = run_cli("report", str(_save(tmp_path, report)), "--fail-on", "none", "-f", "markdown")
    assert result.exit_code == 0


def test_missing_report_exits_2(tmp_path):
    """A report that does not exist is a clear error."""
    result = run_cli("report", str(tmp_path / "nope.json"))
    assert result.exit_code == 2
    assert "cannot read" in result.stderr


def test_not_a_terminal_means_no_colour(tmp_path, report):
    """Piped output (the CliRunner is no terminal) has no ANSI codes, FORCE_COLOR or not."""
    result = run_cli("report", str(_save(tmp_path, report)), env={"FORCE_COLOR": "1"})
    assert "\x1b" not in result.stdout
    assert "8 links: 2 ok" in result.stdout


def test_output_file_and_summary_on_stderr(tmp_path, report):
    """--output writes the file and says where on stderr; stdout stays empty."""
    target = tmp_path / "issue.md"
    result = run_cli("report", str(_save(tmp_path, report)), "-f", "markdown", "-o", str(target))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert target.read_text(encoding="utf-8").startswith("<!-- linkwatch:report -->")
    assert str(target) in result.stderr


def test_shards_are_merged(tmp_path):
    """Several reports render as one run."""
    outcomes = sample_outcomes()
    a = _save(tmp_path, sample_report(outcomes=outcomes[:4]), "a.json")
    b = _save(tmp_path, sample_report(outcomes=outcomes[4:]), "b.json")
    result = run_cli("report", str(a), str(b), "-f", "json")
    assert result.exit_code == 1
    assert len(json.loads(result.stdout)["links"]) == len(outcomes)


def test_duplicate_shards_are_refused(tmp_path, report):
    """The same link in two reports exits 2 and names the files."""
    a = _save(tmp_path, report, "a.json")
    b = _save(tmp_path, report, "b.json")
    result = run_cli("report", str(a), str(b))
    assert result.exit_code == 2
    assert "is also in" in result.stderr


def test_report_that_is_not_utf8_exits_2(tmp_path):
    """A binary file is refused with a message, not a traceback."""
    path = tmp_path / "r.json"
    path.write_bytes(b"\xff\xfe{}")
    result = run_cli("report", str(path))
    assert result.exit_code == 2
    assert "not UTF-8" in result.stderr


def test_unwritable_output_exits_2(tmp_path, report):
    """An --output that cannot be written is a clear error."""
    result = run_cli("report", str(_save(tmp_path, report)), "-o", str(tmp_path / "no" / "x.md"))
    assert result.exit_code == 2
    folder = tmp_path / "no"
    assert result.stderr == (
        f"error: --output {folder / 'x.md'}: the folder {folder} does not exist; create it"
        " first (nothing was checked)\n"
    )


def test_terminal_gets_colour_unless_no_color(tmp_path, report, monkeypatch):
    """On a terminal the table is coloured; NO_COLOR turns that off."""
    monkeypatch.setattr("linkwatch.cli.report.stdout_is_terminal", lambda: True)
    path = str(_save(tmp_path, report))
    coloured = CliRunner().invoke(app, ["report", path], env={"NO_COLOR": None}, color=True)
    plain = CliRunner().invoke(app, ["report", path], env={"NO_COLOR": "1"}, color=True)
    assert "\x1b[" in coloured.stdout
    assert "\x1b" not in plain.stdout
    assert "8 links: 2 ok" in plain.stdout


def test_output_dash_means_standard_output(tmp_path, report, monkeypatch):
    """`-o -` prints the report instead of writing a file named '-'."""
    monkeypatch.chdir(tmp_path)
    saved = _save(tmp_path, report)
    result = run_cli("report", str(saved), "--format", "json", "-o", "-")
    assert result.exit_code == 1  # the sample report has broken links
    assert '"schema": "linkwatch.report/1"' in result.stdout
    assert not (tmp_path / "-").exists()


def test_a_missing_shard_exits_2_naming_it(tmp_path):
    """Merging 2 of 3 shard reports is a usage error that says which shard is missing."""
    outcomes = sample_outcomes()
    a = _save(tmp_path, sample_report(outcomes=outcomes[:2], shard=(1, 3)), "a.json")
    c = _save(tmp_path, sample_report(outcomes=outcomes[2:4], shard=(3, 3)), "c.json")
    result = run_cli("report", str(a), str(c))
    assert result.exit_code == 2
    assert "missing shard 2/3" in result.stderr


def test_a_bad_shard_field_exits_2(tmp_path, report):
    """A report whose `shard` is not {index, count} with 1 <= index <= count is refused."""
    path = _save(tmp_path, report)
    document = json.loads(path.read_text(encoding="utf-8"))
    document["shard"] = {"index": 5, "count": 4}
    path.write_text(json.dumps(document), encoding="utf-8")
    result = run_cli("report", str(path))
    assert result.exit_code == 2
    assert "shard" in result.stderr
