"""Tests for the in-place URL rewriter and the atomic file writer."""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from linkwatch import urls
from linkwatch.errors import ConfigError, WriteError
from linkwatch.listfile import clean, fileio, rewrite

DATA = Path(__file__).parents[1] / "data"
BEFORE = (DATA / "clean_before.yaml").read_bytes()
AFTER = (DATA / "clean_after.yaml").read_bytes()


def _doc(*urls: str) -> str:
    entries = "".join(f"  - name: n{i}\n    url: {u}\n" for i, u in enumerate(urls))
    return f"version: 1\nlinks:\n{entries}"


# ------------------------------------------------------------------------ golden files
def test_golden_file_is_what_the_test_says_it_is():
    """The fixture really has a BOM, CRLF line endings and no final newline."""
    assert BEFORE.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in BEFORE
    assert b"\n" not in BEFORE.replace(b"\r\n", b"")
    assert not BEFORE.endswith(b"\n")


def test_golden_file_is_cleaned_byte_for_byte():
    """Only URL scalars change; comments, quoting, CRLF, BOM, missing newline all stay."""
    planned = clean.plan(BEFORE.decode("utf-8"), "clean_before.yaml")
    assert planned.original == BEFORE
    assert planned.updated == AFTER


def test_golden_file_with_lf_endings_gives_the_same_edits():
    """The rewriter does not depend on the line endings."""
    before = BEFORE.replace(b"\r\n", b"\n").decode("utf-8")
    planned = clean.plan(before, "lf.yaml")
    assert planned.updated == AFTER.replace(b"\r\n", b"\n")


def test_golden_file_without_bom_gives_the_same_edits():
    """Without a BOM the faster parser's offsets are used; the result is the same."""
    before = BEFORE.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    planned = clean.plan(before, "no-bom.yaml")
    assert planned.updated == AFTER.removeprefix(b"\xef\xbb\xbf")


def test_golden_file_differs_only_on_url_lines():
    """Every changed line is a url line that the plan reports as written."""
    planned = clean.plan(BEFORE.decode("utf-8"), "clean_before.yaml")
    before_lines = BEFORE.split(b"\r\n")
    after_lines = AFTER.split(b"\r\n")
    assert len(before_lines) == len(after_lines)
    changed = {
        i + 1 for i, (a, b) in enumerate(zip(before_lines, after_lines, strict=True)) if a != b
    }
    assert changed == {c.line for c in planned.writable}
    for number in changed:
        assert b"url: " in before_lines[number - 1]


def test_golden_file_reports_what_it_cannot_edit():
    """Block scalars, multi-line values, tags and unrepresentable values are left alone."""
    planned = clean.plan(BEFORE.decode("utf-8"), "clean_before.yaml")
    stuck = {c.line: c.skipped for c in planned.stuck}
    assert set(stuck) == {37, 41, 45, 48}
    assert "block scalar" in (stuck[37] or "")
    assert "several lines" in (stuck[41] or "")
    assert "tag or anchor" in (stuck[45] or "")
    assert "quoting style" in (stuck[48] or "")
    for line in stuck:
        assert BEFORE.split(b"\r\n")[line - 1] == AFTER.split(b"\r\n")[line - 1]


_SEGMENTS = st.sampled_from(
    ["gclid=1", "utm_source=a%20b", "id=7", "q=a+b", "k=", "bare", "ref=main", "x=it's", "s=%2F"]
)
_STYLES = st.sampled_from(["plain", "single", "double"])


def _written(url: str, style: str) -> str:
    if style == "single":
        return "'" + url.replace("'", "''") + "'"
    return f'"{url}"' if style == "double" else url


@settings(max_examples=300 if os.environ.get("CI") else 60, deadline=None)
@given(
    st.lists(st.tuples(st.lists(_SEGMENTS, max_size=4), _STYLES), min_size=1, max_size=4),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
    st.booleans(),
)
def test_property_rewrite_changes_only_url_values(entries, newline, bom, final_newline):
    """Whatever the styles and line endings, only url values change, and they read back clean."""
    lines = ["# header é", "version: 1", "links:"]
    for i, (segments, style) in enumerate(entries):
        url = f"https://h{i}.example.org/p" + ("?" + "&".join(segments) if segments else "")
        lines += ["", f"  - name: n{i}  # c", f"    url: {_written(url, style)}  # after"]
    text = ("\ufeff" if bom else "") + newline.join(lines) + (newline if final_newline else "")
    planned = clean.plan(text, "p.yaml")
    after = planned.updated.decode("utf-8")
    assert after.startswith("\ufeff") is bom
    assert after.endswith(newline) is final_newline
    before_lines, after_lines = text.split(newline), after.split(newline)
    assert len(before_lines) == len(after_lines)
    changed = {i for i, (a, b) in enumerate(zip(before_lines, after_lines, strict=True)) if a != b}
    assert {c.line - 1 for c in planned.changes} == changed
    loaded = yaml.safe_load(after.removeprefix("\ufeff"))
    for link in loaded["links"]:
        assert urls.strip_tracking(link["url"]) == (link["url"], ())
    assert clean.plan(after, "p.yaml").changes == ()


# ---------------------------------------------------------------------------- styles
@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("https://e.org/?a=1&gclid=2", "https://e.org/?a=1"),
        ("'https://e.org/?a=1&gclid=2'", "'https://e.org/?a=1'"),
        ('"https://e.org/?a=1&gclid=2"', '"https://e.org/?a=1"'),
        ("'https://e.org/o''k?gclid=2'", "'https://e.org/o''k'"),
        ('"https://e.org/\\x41?gclid=2"', '"https://e.org/A"'),
    ],
)
def test_each_quoting_style_is_kept(written, expected):
    """Plain stays plain, quoted stays quoted, re-escaped as that style needs."""
    result = clean.plan(_doc(written), "t.yaml")
    assert result.updated.decode() == _doc(expected)


def test_render_escapes_for_its_style():
    """Quotes and backslashes are escaped the way each style requires."""
    assert rewrite.render("'", "a'b") == "'a''b'"
    assert rewrite.render('"', 'a"b\\c\x01') == '"a\\"b\\\\c\\x01"'
    assert rewrite.render(None, "https://e.org/") == "https://e.org/"


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("|-\n      https://e.org/?gclid=1", "block scalar"),
        ("&anchor https://e.org/?gclid=1", "tag or anchor"),
        ("!!str 'https://e.org/?gclid=1'", "tag or anchor"),
    ],
)
def test_unsafe_scalars_are_skipped_untouched(written, reason):
    """Anything the rewriter cannot edit exactly is reported and left as written."""
    text = _doc(written)
    result = rewrite.rewrite_urls(text, {0: "https://e.org/"})
    assert result.text == text
    assert result.applied == ()
    assert len(result.skipped) == 1
    assert reason in result.skipped[0].reason


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("https://e.org/a?b=1", True),
        ("https://e.org/a,b", True),
        ("https://e.org/a:", False),
        ("https://e.org/a #b", False),
        ("https://e.org/a: b", False),
    ],
)
def test_plain_ok_spots_values_that_need_quotes(value, ok):
    """A plain value must read back as itself in block context."""
    assert rewrite.plain_ok(value) is ok


def test_value_unwritable_in_flow_context_is_found_by_reparsing():
    """A comma is fine in a block value but ends a flow one: that edit alone is skipped."""
    text = (
        "version: 1\nlinks:\n  - {name: a, url: https://a.org/}\n"
        "  - name: b\n    url: https://b.org/\n"
    )
    result = rewrite.rewrite_urls(text, {0: "https://a.org/?x=1,2", 1: "https://b.org/?x=1,2"})
    assert result.applied == (1,)
    assert [(s.index, s.line) for s in result.skipped] == [(0, 3)]
    assert "quoting style" in result.skipped[0].reason
    assert result.text == text.replace("url: https://b.org/", "url: https://b.org/?x=1,2")


def test_a_missing_link_is_skipped():
    """Asking for a link that does not exist is reported, not a crash."""
    result = rewrite.rewrite_urls(_doc("https://e.org/"), {5: "https://e.org/x"})
    assert result.skipped == (rewrite.Skipped(5, 0, "links[5] has no url to rewrite"),)


def test_result_that_would_not_validate_is_refused():
    """A rewrite that breaks the file raises WriteError instead of returning it."""
    with pytest.raises(WriteError, match="would not be valid"):
        rewrite.rewrite_urls(_doc("https://e.org/"), {0: "not a url"})


def test_only_the_asked_for_urls_change():
    """Other URLs, even with tracking, are left alone by rewrite_urls (adopting redirects)."""
    text = _doc("https://a.org/?gclid=1", "https://b.org/")
    result = rewrite.rewrite_urls(text, {1: "https://b.org/new"})
    assert result.text == _doc("https://a.org/?gclid=1", "https://b.org/new")
    assert result.applied == (1,)


def test_unparseable_text_is_a_config_error():
    """Broken YAML is a ConfigError with a location, as everywhere else."""
    with pytest.raises(ConfigError):
        rewrite.rewrite_urls("links: [", {0: "https://e.org/"})


def test_clean_file_plans_no_change():
    """A file with nothing to strip keeps its exact bytes."""
    text = _doc("https://e.org/?ref=main")
    planned = clean.plan(text)
    assert planned.changes == ()
    assert planned.updated == planned.original == text.encode()


# ---------------------------------------------------------------------- atomic writes
def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.fixture
def target(tmp_path):
    path = tmp_path / "links.yaml"
    path.write_bytes(b"old\r\n")
    path.chmod(0o640)
    return path


@pytest.mark.skipif(
    sys.platform == "win32", reason="Windows keeps no POSIX permission bits, only read-only"
)
def test_write_atomic_replaces_and_keeps_permissions(target):
    """The new bytes are in place, with the old file's mode, and no temp file is left."""
    fileio.write_atomic(target, b"new", b"old\r\n")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert _leftovers(target.parent) == []


def test_write_atomic_creates_a_missing_file(tmp_path):
    """With no expected original, a new file is created."""
    path = tmp_path / "out.json"
    fileio.write_atomic(path, b"{}")
    assert path.read_bytes() == b"{}"


@pytest.mark.skipif(
    sys.platform == "win32", reason="symlinks on Windows need a privilege the suite may lack"
)
def test_write_atomic_writes_through_a_symlink(tmp_path):
    """A symlinked links.yaml stays a symlink; its target gets the new bytes."""
    real = tmp_path / "links.yaml"
    real.write_bytes(b"old")
    (tmp_path / "data").mkdir()
    link = tmp_path / "data" / "links.yaml"
    link.symlink_to(Path("..") / "links.yaml")
    fileio.write_atomic(link, b"new", b"old")
    assert link.is_symlink()
    assert real.read_bytes() == b"new"
    assert _leftovers(tmp_path) == []
    assert _leftovers(tmp_path / "data") == []


def test_write_atomic_refuses_a_file_changed_since_read(target):
    """Someone saved the file meanwhile: nothing is written."""
    with pytest.raises(WriteError, match="changed on disk"):
        fileio.write_atomic(target, b"new", b"something else")
    assert target.read_bytes() == b"old\r\n"


def test_write_atomic_notices_a_change_during_the_write(target, monkeypatch):
    """An edit that lands while the temp file is written is not overwritten."""
    real_fsync = os.fsync

    def fsync_and_edit(fd):
        real_fsync(fd)
        target.write_bytes(b"edited meanwhile")

    monkeypatch.setattr(os, "fsync", fsync_and_edit)
    with pytest.raises(WriteError, match="changed on disk"):
        fileio.write_atomic(target, b"new", b"old\r\n")
    assert target.read_bytes() == b"edited meanwhile"
    assert _leftovers(target.parent) == []


@pytest.mark.parametrize("step", ["replace", "fsync"])
def test_failure_mid_write_leaves_the_original(target, monkeypatch, step):
    """If fsync or the rename fails, the original bytes stay and no temp file is left."""

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, step, boom)
    with pytest.raises(WriteError, match="No space left on device") as caught:
        fileio.write_atomic(target, b"new", b"old\r\n")
    assert "left as it was" in str(caught.value)
    assert target.read_bytes() == b"old\r\n"
    assert _leftovers(target.parent) == []


def test_failure_to_create_the_temp_file_is_a_write_error(target, monkeypatch):
    """A read-only folder (or a full disk) is reported, and nothing changes."""

    def boom(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", boom)
    with pytest.raises(WriteError, match="temporary file"):
        fileio.write_atomic(target, b"new", b"old\r\n")
    assert target.read_bytes() == b"old\r\n"


def test_interrupt_mid_write_removes_the_temp_file(target, monkeypatch):
    """Even Ctrl-C between write and rename leaves no temp file behind."""

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        fileio.write_atomic(target, b"new", b"old\r\n")
    assert target.read_bytes() == b"old\r\n"
    assert _leftovers(target.parent) == []


def test_clean_write_refuses_when_file_changed_after_planning(tmp_path):
    """clean.write compares against the bytes it planned from."""
    path = tmp_path / "links.yaml"
    path.write_text(_doc("https://e.org/?gclid=1"))
    planned = clean.load_plan(path)
    path.write_text(_doc("https://e.org/?gclid=2"))
    with pytest.raises(WriteError, match="changed on disk"):
        clean.write(planned, path)
    assert path.read_text() == _doc("https://e.org/?gclid=2")
