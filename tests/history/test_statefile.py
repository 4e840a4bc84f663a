"""The state file: round trips, atomic saves, and bad files moved aside instead of lost."""

from __future__ import annotations

import contextlib
import json
import stat
import sys
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factories import lid, link, night, run
from linkwatch.errors import ConfigError, WriteError
from linkwatch.history import statefile
from linkwatch.history import streaks as history
from linkwatch.history.streaks import MarkKind, State
from linkwatch.listfile import fileio
from linkwatch.models import DomainRecord, DomainState, Status

A = link("Alpha", index=0)
B = link("Beta", index=1)
NOW = night(7)


def sample_state():
    state = history.update(State(), run({A: Status.BROKEN, B: Status.OK}, night(0)), night(0))
    return history.update(state, run({A: Status.BROKEN, B: Status.OK}, night(1)), night(1))


def test_round_trip():
    """What is saved is what is loaded, field for field."""
    state = sample_state()
    assert statefile.loads(statefile.dumps(state)) == state


def test_file_is_versioned_sorted_json(tmp_path):
    """The file names its schema and lists ids in order, with UTC times."""
    path = tmp_path / "state.json"
    statefile.save(path, sample_state())
    doc = json.loads(path.read_text("utf-8"))
    assert doc["schema"] == "linkwatch.state/2"
    assert list(doc["links"]) == sorted(doc["links"])
    entry = doc["links"][lid(A)]
    assert entry["first_failed"] == "2026-11-20T02:00:00Z"
    assert entry["first_seen"] == "2026-11-20T02:00:00Z"
    assert doc["domains"] == {}
    assert entry["consecutive_failures"] == 2
    assert entry["problem"] is True


def test_missing_file_starts_fresh_without_warning(tmp_path):
    """No state file yet is the normal first run."""
    loaded = statefile.load(tmp_path / "state.json", NOW)
    assert loaded == statefile.Loaded(State())


BAD_FILES = {
    "not json": b"{oops",
    "truncated": statefile.dumps(sample_state())[:150],
    "empty": b"",
    "not utf-8": b'{"schema": "linkwatch.state/1", "links": {"\xff": 1}}',
    "a list": b"[]",
    "wrong schema": b'{"schema": "other/1", "links": {}}',
    "no schema": b'{"links": {}}',
    "links a list": b'{"schema": "linkwatch.state/1", "links": []}',
    "entry a string": b'{"schema": "linkwatch.state/1", "links": {"x": "y"}}',
    "count as text": statefile.dumps(sample_state()).replace(
        b'"consecutive_failures": 2', b'"consecutive_failures": "2"'
    ),
    "count as bool": statefile.dumps(sample_state()).replace(
        b'"consecutive_failures": 2', b'"consecutive_failures": true'
    ),
    "negative count": statefile.dumps(sample_state()).replace(
        b'"consecutive_failures": 2', b'"consecutive_failures": -2'
    ),
    "unknown status": statefile.dumps(sample_state()).replace(b'"broken"', b'"gone"'),
    "naive time": statefile.dumps(sample_state()).replace(b":00Z", b":00"),
    "bad time": statefile.dumps(sample_state()).replace(
        b'"2026-11-20T02:00:00Z"', b'"yesterday"', 1
    ),
    "problem as text": statefile.dumps(sample_state()).replace(b'"problem": true', b'"problem": 1'),
    "deeply nested": b"[" * 100_000 + b"]" * 100_000,
    "version zero": b'{"schema": "linkwatch.state/0", "links": {}}',
}


@pytest.mark.parametrize("content", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_file_is_moved_aside_with_a_warning(tmp_path, content):
    """A damaged state file is kept next to the original, a warning names it, the run starts fresh."""
    path = tmp_path / "state.json"
    path.write_bytes(content)
    loaded = statefile.load(path, NOW)
    assert loaded.state == State()
    assert loaded.moved_to == tmp_path / "state.json.corrupt-20261127T020000Z"
    assert loaded.moved_to.read_bytes() == content
    assert not path.exists()
    assert loaded.warning is not None
    assert str(path) in loaded.warning
    assert "state.json.corrupt-20261127T020000Z" in loaded.warning
    assert "empty history" in loaded.warning


def test_future_version_is_moved_aside_as_newer(tmp_path):
    """A file from a newer linkwatch is kept as .newer-…, not called corrupt."""
    path = tmp_path / "state.json"
    path.write_bytes(b'{"schema": "linkwatch.state/3", "links": {"x": {"new": "shape"}}}')
    loaded = statefile.load(path, NOW)
    assert loaded.moved_to is not None
    assert loaded.moved_to.name == "state.json.newer-20261127T020000Z"
    assert "newer linkwatch (version 3" in (loaded.warning or "")


def test_two_bad_files_in_one_second_both_survive(tmp_path):
    """A second bad file moved aside at the same moment gets its own name."""
    path = tmp_path / "state.json"
    path.write_bytes(b"first")
    first = statefile.load(path, NOW).moved_to
    path.write_bytes(b"second")
    second = statefile.load(path, NOW).moved_to
    assert first is not None
    assert second is not None
    assert second.name == "state.json.corrupt-20261127T020000Z-2"
    assert (first.read_bytes(), second.read_bytes()) == (b"first", b"second")


def test_oversized_file_is_moved_aside(tmp_path, monkeypatch):
    """A file far larger than any state is not read whole, and is moved aside."""
    monkeypatch.setattr(statefile, "MAX_BYTES", 10)
    path = tmp_path / "state.json"
    path.write_bytes(b"{" + b" " * 20 + b"}")
    loaded = statefile.load(path, NOW)
    assert "larger than" in (loaded.warning or "")


def test_bad_file_that_cannot_be_moved_is_an_error(tmp_path, monkeypatch):
    """If moving aside fails, the run stops rather than overwrite the only copy later."""
    path = tmp_path / "state.json"
    path.write_bytes(b"{oops")

    def refuse(self, target):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(type(path), "replace", refuse)
    with pytest.raises(WriteError, match="cannot be moved aside: Permission denied"):
        statefile.load(path, NOW)
    assert path.read_bytes() == b"{oops"


def test_folder_in_place_of_the_state_file_is_an_error(tmp_path):
    """A folder where the file should be is a clear error, not a crash."""
    with pytest.raises(WriteError, match="is a folder"):
        statefile.load(tmp_path, NOW)


def test_unreadable_state_file_is_an_error(tmp_path, monkeypatch):
    """A file linkwatch may not read is reported, and left where it is."""
    path = tmp_path / "state.json"
    statefile.save(path, sample_state())

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(type(path), "open", refuse)
    with pytest.raises(WriteError, match=r"cannot read state file .*Permission denied"):
        statefile.load(path, NOW)
    monkeypatch.undo()
    assert statefile.read(path) == sample_state()


def test_read_for_sync_refuses_missing_and_bad_files(tmp_path):
    """sync must not start fresh: an empty history would close every issue."""
    path = tmp_path / "state.json"
    with pytest.raises(ConfigError, match="run `linkwatch check --state` first"):
        statefile.read(path)
    path.write_bytes(b"{oops")
    with pytest.raises(ConfigError, match="unusable state file: not valid JSON"):
        statefile.read(path)
    assert path.read_bytes() == b"{oops"
    with pytest.raises(ConfigError, match="cannot read"):
        statefile.read(tmp_path)
    statefile.save(path, sample_state())
    assert statefile.read(path) == sample_state()


def test_save_is_atomic_when_the_write_fails(tmp_path, monkeypatch):
    """A failed save leaves the old file whole and no temp file behind."""
    path = tmp_path / "state.json"
    statefile.save(path, sample_state())
    before = path.read_bytes()

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileio.os, "fsync", broken_fsync)
    with pytest.raises(WriteError, match="No space left on device"):
        statefile.save(path, State())
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


@pytest.mark.skipif(
    sys.platform == "win32", reason="Windows keeps no POSIX permission bits, only read-only"
)
def test_save_keeps_permissions(tmp_path):
    """Replacing the file keeps its mode bits."""
    path = tmp_path / "state.json"
    statefile.save(path, State())
    path.chmod(0o600)
    statefile.save(path, sample_state())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_save_creates_a_missing_folder(tmp_path):
    """A first run with `--state .linkwatch/state.json` creates the folder."""
    path = tmp_path / ".linkwatch" / "state.json"
    statefile.save(path, State())
    assert statefile.read(path) == State()


def test_save_under_a_file_is_a_write_error(tmp_path):
    """An impossible destination (a folder that is a file) is a WriteError with the path."""
    (tmp_path / "nowhere").write_text("a file, not a folder")
    with pytest.raises(WriteError, match="nowhere"):
        statefile.save(tmp_path / "nowhere" / "state.json", State())


def test_remember_scripts_the_check_runs(tmp_path):
    """remember() loads, updates, saves and marks: the one call check makes."""
    path = tmp_path / "state.json"
    first = statefile.remember(run({A: Status.BROKEN}, night(0)), path, now=night(0), fail_after=2)
    assert first.marks[lid(A)].kind is MarkKind.PENDING
    assert first.warnings == ()
    second = statefile.remember(run({A: Status.BROKEN}, night(1)), path, now=night(1), fail_after=2)
    assert second.marks[lid(A)].kind is MarkKind.NEW
    assert second.failed
    assert not first.failed
    assert statefile.read(path) == second.state


def test_remember_recovers_from_a_corrupt_file(tmp_path):
    """A corrupt state makes remember() warn, move it aside and carry on from scratch."""
    path = tmp_path / "state.json"
    path.write_bytes(b"\x00garbage")
    result = statefile.remember(run({A: Status.BROKEN}, night(0)), path, now=night(0))
    assert len(result.warnings) == 1
    assert "corrupt-20261120T020000Z" in result.warnings[0]
    assert statefile.read(path) == result.state
    assert (tmp_path / "state.json.corrupt-20261120T020000Z").read_bytes() == b"\x00garbage"


times = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)
link_states = st.builds(
    history.LinkState,
    name=st.text(st.characters(exclude_categories=()), max_size=40),
    url=st.text(max_size=80),
    last_status=st.sampled_from(Status),
    last_reason=st.text(max_size=80),
    last_checked=times,
    consecutive_failures=st.integers(0, 10_000),
    consecutive_successes=st.integers(0, 10_000),
    first_failed=st.none() | times,
    last_ok=st.none() | times,
    problem=st.booleans(),
    first_seen=times,  # always written since version 2
)


def test_lone_surrogates_survive_a_round_trip():
    """A name with a lone surrogate (legal in JSON escapes) is saved, not a crash."""
    loaded = statefile.loads(statefile.dumps(sample_state()).replace(b'"Alpha"', b'"\\ud800x"'))
    assert loaded.links[lid(A)].name == "\ud800x"
    assert statefile.loads(statefile.dumps(loaded)) == loaded


@given(st.dictionaries(st.text(min_size=1, max_size=20), link_states, max_size=5))
def test_any_state_round_trips(links):
    """Every state, whatever its text, is read back exactly as it was written."""
    state = State(links=links)
    assert statefile.loads(statefile.dumps(state)) == state


@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_bytes_either_load_or_say_why(data):
    """Arbitrary bytes never raise anything but StateFileError."""
    with contextlib.suppress(statefile.StateFileError):
        statefile.loads(data)


@given(st.data())
def test_damaged_real_files_say_why(data):
    """A real state file cut short or with a byte flipped loads or is refused cleanly."""
    raw = bytearray(statefile.dumps(sample_state()))
    cut = data.draw(st.integers(0, len(raw)))
    flip = data.draw(st.integers(0, len(raw) - 1))
    raw[flip] ^= data.draw(st.integers(1, 255))
    with contextlib.suppress(statefile.StateFileError):
        statefile.loads(bytes(raw[:cut]))


# ------------------------------------------------------- what to check first, next run
def test_failing_ids_are_the_links_whose_failure_streak_runs():
    """Alpha failed the last two runs, Beta passed: only Alpha is checked first next time."""
    assert history.failing_ids(sample_state()) == frozenset({lid(A)})
    assert history.failing_ids(State()) == frozenset()


def test_prepare_uses_the_state_read_before_the_run(tmp_path):
    """check reads the state once: prepare folds the run into what it was given."""
    path = tmp_path / "state.json"  # no file: had prepare read it, the history would be empty
    loaded = statefile.Loaded(sample_state())
    remembered = statefile.prepare(run({A: Status.BROKEN}, NOW), path, now=NOW, loaded=loaded)
    assert remembered.state.links[lid(A)].consecutive_failures == 3


# ------------------------------------------------------------------ version 2: the domain watch

VERSION_1 = b"""{
  "schema": "linkwatch.state/1",
  "links": {
    "abc": {
      "name": "Alpha", "url": "https://a.example.org/", "last_status": "ok",
      "last_reason": "200 OK", "last_checked": "2026-11-27T02:00:00Z",
      "consecutive_failures": 0, "consecutive_successes": 3, "first_failed": null,
      "last_ok": "2026-11-25T02:00:00Z", "problem": false
    }
  }
}
"""


def test_a_version_1_file_is_read_with_its_earliest_date_as_first_seen():
    """A file from before the domain watch loads; a link's first sighting is its earliest date."""
    state = statefile.loads(VERSION_1)
    assert state.links["abc"].first_seen == datetime(2026, 11, 25, 2, tzinfo=UTC)
    assert state.domains == {}


def test_domain_records_round_trip_and_unknown_ones_are_not_kept():
    """The RDAP cache is saved by domain; a lookup that learned nothing is asked again next run."""
    registered = DomainRecord(
        "nspcc.org.uk",
        DomainState.REGISTERED,
        night(1),
        registered=datetime(1999, 2, 1, tzinfo=UTC),
        expires=datetime(2027, 2, 1, tzinfo=UTC),
        statuses=("active",),
    )
    gone = DomainRecord("stop-cse.org", DomainState.NOT_FOUND, night(1), dns=False)
    unknown = DomainRecord("x.de", DomainState.UNKNOWN, night(1), detail="no RDAP server")
    state = State(domains={r.domain: r for r in (registered, gone, unknown)})
    doc = json.loads(statefile.dumps(state))
    assert doc["domains"]["stop-cse.org"] == {
        "state": "not_found",
        "looked_up": "2026-11-21T02:00:00Z",
        "registered": None,
        "expires": None,
        "last_changed": None,
        "transferred": None,
        "statuses": [],
        "dns": False,
    }
    assert statefile.loads(statefile.dumps(state)).domains == {
        "nspcc.org.uk": registered,
        "stop-cse.org": gone,
    }


def test_a_bad_domain_entry_makes_the_file_unusable():
    """A domain record of the wrong shape is reported like any other damage."""
    data = b'{"schema": "linkwatch.state/2", "links": {}, "domains": {"a.org": {"state": "sold"}}}'
    with pytest.raises(statefile.StateFileError, match=r"domains\['a.org'\].state: unknown state"):
        statefile.loads(data)
