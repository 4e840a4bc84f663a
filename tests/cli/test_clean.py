"""Tests for `linkwatch clean`: output, exit codes, --check, --write, and the bundled list."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from linkwatch.cli.app import app

ROOT = Path(__file__).parents[2]
BUNDLED = ROOT / "links.yaml"
PACE_LINE = 28
PACE = "https://paceuk.info/?gclid=EAIaIQobChMI2Z6I5vLg4AIVAojVCh0NPQwjEAAYASAAEgIY3vD_BwE"
DIRTY = "version: 1\nlinks:\n  - name: A\n    url: https://e.org/?utm_source=x&id=1\n"
CLEAN = "version: 1\nlinks:\n  - name: A\n    url: https://e.org/?id=1\n"


def run_cli(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_bundled_list_pace_link_is_reported():
    """The seed's PACE link is listed with its line, old and new URL, and gclid."""
    before = BUNDLED.read_bytes()
    result = run_cli("clean", str(BUNDLED))
    assert result.exit_code == 0
    expected = f"{BUNDLED}:{PACE_LINE}: {PACE} \u2192 https://paceuk.info/ (removed: gclid)\n"
    assert result.stdout == expected
    assert BUNDLED.read_bytes() == before


def test_bundled_list_check_exits_1():
    """--check on the bundled list fails, as the PACE link carries gclid."""
    result = run_cli("clean", "--check", str(BUNDLED))
    assert result.exit_code == 1
    assert "1 URL with tracking parameters" in result.stderr


def test_bundled_list_write_on_a_copy_changes_only_the_pace_url(in_tmp):
    """--write touches exactly one line, and on it only the URL."""
    copy = in_tmp / "links.yaml"
    shutil.copyfile(BUNDLED, copy)
    result = run_cli("clean", "--write", "links.yaml")
    assert result.exit_code == 0
    assert "links.yaml: cleaned 1 URL" in result.stderr
    before = BUNDLED.read_bytes().splitlines(keepends=True)
    after = copy.read_bytes().splitlines(keepends=True)
    assert len(before) == len(after)
    differing = [i + 1 for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert differing == [PACE_LINE]
    assert before[PACE_LINE - 1] == f"    url: {PACE}\n".encode()
    assert after[PACE_LINE - 1] == b"    url: https://paceuk.info/\n"
    assert run_cli("clean", "--check", "links.yaml").exit_code == 0


def test_default_path_is_the_local_links_yaml(in_tmp):
    """Without PATH, ./links.yaml is used, as by `validate`."""
    (in_tmp / "links.yaml").write_text(DIRTY)
    result = run_cli("clean")
    assert result.exit_code == 0
    assert result.stdout.startswith("links.yaml:4: https://e.org/?utm_source=x&id=1 \u2192")
    assert (in_tmp / "links.yaml").read_text() == DIRTY


def test_without_local_file_the_bundled_list_is_read(in_tmp):
    """Without PATH or ./links.yaml, the list shipped with linkwatch is shown."""
    result = run_cli("clean")
    assert result.exit_code == 0
    assert "paceuk.info" in result.stdout


def test_write_refuses_the_bundled_list(in_tmp):
    """--write never edits the copy installed with linkwatch."""
    result = run_cli("clean", "--write")
    assert result.exit_code == 2
    assert "bundled with linkwatch" in result.stderr
    assert "give the PATH of your own links.yaml" in result.stderr


def test_check_and_write_together_is_a_usage_error(in_tmp):
    """The two modes contradict each other: exit 2, nothing written."""
    (in_tmp / "links.yaml").write_text(DIRTY)
    result = run_cli("clean", "--check", "--write")
    assert result.exit_code == 2
    assert "cannot be used together" in result.stderr
    assert (in_tmp / "links.yaml").read_text() == DIRTY


def test_check_passes_on_a_clean_file(in_tmp):
    """Nothing to strip: exit 0 and say so."""
    (in_tmp / "links.yaml").write_text(CLEAN)
    result = run_cli("clean", "--check")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "no tracking parameters" in result.stderr


def test_write_then_check_is_clean(in_tmp):
    """--write removes what --check complains about."""
    path = in_tmp / "links.yaml"
    path.write_text(DIRTY)
    assert run_cli("clean", "--write").exit_code == 0
    assert path.read_text() == CLEAN
    assert run_cli("clean", "--check").exit_code == 0


def test_several_paths_are_checked_together(in_tmp):
    """pre-commit passes every matching file; any dirty one fails the hook."""
    (in_tmp / "a.yaml").write_text(CLEAN)
    (in_tmp / "b.yaml").write_text(DIRTY)
    result = run_cli("clean", "--check", "a.yaml", "b.yaml")
    assert result.exit_code == 1
    assert result.stdout.startswith("b.yaml:4:")
    assert "a.yaml: no tracking parameters" in result.stderr


def test_invalid_file_exits_2_with_its_problems(in_tmp):
    """A links.yaml that does not validate is reported like `validate` does."""
    (in_tmp / "links.yaml").write_text("version: 1\nlinks:\n  - name: A\n    url: nope\n")
    result = run_cli("clean", "--write")
    assert result.exit_code == 2
    assert "links.yaml:4:10: links[0].url" in result.stderr


def test_write_with_a_url_it_cannot_edit_exits_1(in_tmp):
    """What can be cleaned is; what cannot is reported and the exit code says so."""
    path = in_tmp / "links.yaml"
    path.write_text(DIRTY + "  - name: B\n    url: >-\n      https://f.org/?gclid=1\n")
    result = run_cli("clean", "--write")
    assert result.exit_code == 1
    assert "not rewritten: the url is a block scalar" in result.stdout
    assert "1 URL must be edited by hand" in result.stderr
    assert path.read_text() == CLEAN + "  - name: B\n    url: >-\n      https://f.org/?gclid=1\n"


def test_write_failure_exits_2_and_leaves_the_file(in_tmp, monkeypatch):
    """A failed rename is a clear error, and the file keeps its bytes."""
    path = in_tmp / "links.yaml"
    path.write_text(DIRTY)

    def boom(*args, **kwargs):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "replace", boom)
    result = run_cli("clean", "--write")
    assert result.exit_code == 2
    assert "error: links.yaml: could not be written (Input/output error)" in result.stderr
    assert path.read_text() == DIRTY
    assert sorted(p.name for p in in_tmp.iterdir()) == ["links.yaml"]


@pytest.mark.skipif(
    sys.platform == "win32", reason="symlinks on Windows need a privilege the suite may lack"
)
def test_write_through_the_packages_symlink_keeps_it_a_symlink(in_tmp):
    """src/linkwatch/data/links.yaml is a symlink to the root list; it must stay one."""
    (in_tmp / "links.yaml").write_text(DIRTY)
    (in_tmp / "data").mkdir()
    link = in_tmp / "data" / "links.yaml"
    link.symlink_to(Path("..") / "links.yaml")
    assert run_cli("clean", "--write", "data/links.yaml").exit_code == 0
    assert link.is_symlink()
    assert (in_tmp / "links.yaml").read_text() == CLEAN


def test_pre_commit_hook_is_declared():
    """Other repositories can run `linkwatch clean --check` as a pre-commit hook."""
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "linkwatch-clean")
    assert hook["entry"] == "linkwatch clean --check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is True
    assert re.search(hook["files"], "links.yaml")
    assert re.search(hook["files"], "docs/links.yaml")
    assert not re.search(hook["files"], "mylinks.yaml.bak")


def test_help_lists_the_modes():
    """`linkwatch clean --help` documents --check and --write."""
    result = run_cli("clean", "--help")
    assert result.exit_code == 0
    assert "--check" in result.stdout
    assert "--write" in result.stdout
