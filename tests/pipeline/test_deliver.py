"""emit (render, write, exit code) and write_atomic."""

from __future__ import annotations

import os
import stat
import sys

import pytest

from linkwatch.errors import WriteError
from linkwatch.listfile.fileio import write_atomic
from linkwatch.models import Flag
from linkwatch.pipeline.deliver import emit
from linkwatch.report import OutputFormat


def test_emit_to_stdout(report):
    """Without --output the text is returned for stdout, with the policy's exit code."""
    result = emit(report, OutputFormat.MARKDOWN)
    assert result.stdout.startswith("<!-- linkwatch:report -->")
    assert result.exit_code == 1
    assert result.summary.startswith("8 links:")


def test_emit_to_a_file_never_writes_colour(report, tmp_path):
    """--output writes the file (no ANSI even if colour was asked) and prints nothing."""
    target = tmp_path / "report.txt"
    result = emit(report, OutputFormat.TABLE, output=target, color=True)
    assert result.stdout == ""
    assert "\x1b" not in target.read_text(encoding="utf-8")


def test_emit_uses_the_policy(clean_report, report):
    """The exit code follows --fail-on."""
    assert emit(clean_report, OutputFormat.JSON).exit_code == 0
    assert emit(report, OutputFormat.JSON, fail_on=frozenset()).exit_code == 0
    assert emit(report, OutputFormat.JSON, fail_on=frozenset({Flag.SLOW})).exit_code == 0


@pytest.mark.skipif(
    sys.platform == "win32", reason="Windows keeps no POSIX permission bits, only read-only"
)
def test_write_atomic_replaces_and_keeps_mode(tmp_path):
    """An existing file is replaced whole and keeps its permissions; no temp file remains."""
    target = tmp_path / "out.json"
    target.write_bytes(b"old")
    target.chmod(0o640)
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


@pytest.mark.skipif(
    sys.platform == "win32", reason="Windows keeps no POSIX permission bits, only read-only"
)
def test_write_atomic_new_file_follows_umask(tmp_path):
    """A new file gets the usual permissions, not the 0600 of a temp file."""
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "new.json", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o644


def test_write_atomic_failure_leaves_nothing_behind(tmp_path):
    """Writing into a missing folder raises WriteError and leaves no temp file."""
    with pytest.raises(WriteError, match="nothing was written"):
        write_atomic(tmp_path / "missing" / "out.json", b"x")
    assert list(tmp_path.iterdir()) == []


def test_write_atomic_onto_a_folder_keeps_the_folder(tmp_path):
    """Replacing a directory fails cleanly; the directory and its content stay."""
    folder = tmp_path / "report.json"
    folder.mkdir()
    (folder / "keep").write_bytes(b"k")
    with pytest.raises(WriteError):
        write_atomic(folder, b"x")
    assert (folder / "keep").read_bytes() == b"k"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_write_atomic_writes_pieces_whole(tmp_path):
    """Data given in pieces lands as one file, replaced at once."""
    target = tmp_path / "out.json"
    target.write_bytes(b"old")
    write_atomic(target, (piece for piece in (b"a", b"b", b"c")))
    assert target.read_bytes() == b"abc"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_write_atomic_failing_pieces_leave_the_old_file(tmp_path):
    """If rendering fails halfway, the old file stays as it was and no temp file remains."""
    target = tmp_path / "out.json"
    target.write_bytes(b"old")

    def pieces():
        yield b"half"
        raise RuntimeError("render failed")

    with pytest.raises(RuntimeError, match="render failed"):
        write_atomic(target, pieces())
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]
