"""The check pipeline as a library call: its steps, their order, and the hooks a caller gets."""

from __future__ import annotations

import json
from contextlib import contextmanager

import pytest

from factories import lid, link, links_file, night, run
from linkwatch.errors import ConfigError, UsageError, WriteError
from linkwatch.history.streaks import MarkKind
from linkwatch.models import Status
from linkwatch.pipeline.check import CheckSettings, Hooks, check, remember, validate
from linkwatch.pipeline.shard import Shard
from linkwatch.report import OutputFormat

A = link("Alpha")


def test_without_state_nothing_is_remembered():
    """No state file, default thresholds: history is off."""
    assert remember(run({A: Status.BROKEN}, night(0)), CheckSettings()) is None


@pytest.mark.parametrize(("fail_after", "recover_after"), [(2, 1), (1, 3)])
def test_thresholds_without_state_are_a_usage_error(fail_after, recover_after):
    """fail_after or recover_after without a state file is refused (exit 2)."""
    settings = CheckSettings(fail_after=fail_after, recover_after=recover_after)
    with pytest.raises(UsageError, match=r"^--fail-after and --recover-after need --state FILE$"):
        validate(settings)


def test_thresholds_below_one_are_a_usage_error(tmp_path):
    """A Python caller cannot ask for zero runs in a row (the CLI's min=1, enforced here too)."""
    with pytest.raises(UsageError, match=r"count runs: 1 or more$"):
        validate(CheckSettings(state=tmp_path / "s.json", fail_after=0))


def test_a_corrupt_state_is_moved_aside_with_a_warning(tmp_path):
    """A corrupt state file gives one warning through the hook; the run carries on with marks."""
    path = tmp_path / "state.json"
    path.write_text("{not json", "utf-8")
    remembered = remember(
        run({A: Status.BROKEN}, night(0)), CheckSettings(state=path, fail_after=2)
    )
    assert remembered is not None
    assert remembered.marks[lid(A)].kind is MarkKind.PENDING
    assert not remembered.failed
    [warning] = remembered.warnings
    assert warning.startswith(f"warning: state file {path} is unusable (not valid JSON")
    assert len(list(tmp_path.glob("state.json.corrupt-*"))) == 1


def test_bad_list_raises_before_any_hook(tmp_path):
    """A broken links.yaml is a ConfigError before the run starts: no progress, no output."""
    bad = tmp_path / "links.yaml"
    bad.write_text("version: 1\nlinks:\n  - name: A\n", encoding="utf-8")
    seen: list[str] = []
    with pytest.raises(ConfigError) as caught:
        check(CheckSettings(config=bad), hooks=Hooks(warn=seen.append, out=seen.append))
    assert [p.message for p in caught.value.problems] == [
        "missing required key 'url'; add `url: https://...`"
    ]
    assert seen == []


def test_hooks_run_in_order_and_the_state_is_saved_after_the_report(tmp_path, site):
    """Progress opens with the link count, each link ticks, the bar closes, the report is out,
    and only then is the state file written."""
    state = tmp_path / "state.json"
    events: list[object] = []

    @contextmanager
    def progress(total):
        events.append(("open", total))
        yield lambda event: events.append(("done", event.done, event.total))
        events.append("close")

    def out(text):
        events.append(("out", state.exists(), json.loads(text)["summary"]["total"]))

    settings = CheckSettings(
        config=links_file(tmp_path, site.url("/ok"), site.url("/ok?second")),
        format=OutputFormat.JSON,
        allow_private=True,
        state=state,
    )
    result = check(settings, hooks=Hooks(progress=progress, out=out))
    assert events == [("open", 2), ("done", 1, 2), ("done", 2, 2), "close", ("out", False, 2)]
    assert result.exit_code == 0
    assert [o.status for o in result.report.outcomes] == [Status.OK, Status.OK]
    assert set(json.loads(state.read_text())["links"]) == {
        lid(link("x", site.url("/ok"))),
        lid(link("x", site.url("/ok?second"))),
    }


def test_an_output_file_gets_the_report_and_out_is_not_called(tmp_path, site):
    """With an output file the text is written there, returned empty, and never printed."""
    target = tmp_path / "report.md"
    printed: list[str] = []
    result = check(
        CheckSettings(
            config=links_file(tmp_path, site.url("/ok")),
            format=OutputFormat.MARKDOWN,
            output=target,
            allow_private=True,
        ),
        hooks=Hooks(out=printed.append),
    )
    assert (result.text, printed, result.exit_code) == ("", [], 0)
    assert target.read_text(encoding="utf-8").startswith(
        "<!-- linkwatch:report -->\n\n## linkwatch: all 1 link healthy\n"
    )
    assert result.summary.startswith("1 link: 1 ok · ")


def test_a_shard_checks_its_sites_and_says_which_it_is(tmp_path, site):
    """Shard 1 of 1 holds every link, and its report says it is shard (1, 1)."""
    result = check(
        CheckSettings(
            config=links_file(tmp_path, site.url("/ok")), shard=Shard(1, 1), allow_private=True
        )
    )
    assert result.report.shard == (1, 1)
    assert [o.link.url for o in result.report.outcomes] == [site.url("/ok")]


def test_private_addresses_are_skipped_without_allow_private(tmp_path, site):
    """The default settings keep the address guard on: a loopback link is skipped, not fetched."""
    result = check(CheckSettings(config=links_file(tmp_path, site.url("/ok"))))
    assert [o.status for o in result.report.outcomes] == [Status.SKIPPED]
    assert site.hits["/ok"] == 0


def test_an_output_path_that_is_a_folder_is_refused_before_the_run(tmp_path, site):
    """A Python caller gets the same early refusal the CLI's option parser gives."""
    with pytest.raises(WriteError, match=r": is a folder; give the path of a file$"):
        check(CheckSettings(config=links_file(tmp_path, site.url("/ok")), output=tmp_path))
    assert site.hits["/ok"] == 0


def test_a_state_file_that_could_not_be_saved_is_refused_before_the_run(tmp_path, site):
    """A --state under a file, or naming a folder, is refused before any request."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    config = links_file(tmp_path, site.url("/ok"))
    with pytest.raises(WriteError) as under_a_file:
        check(CheckSettings(config=config, state=blocker / "sub" / "state.json"))
    assert str(under_a_file.value) == (
        f"--state {blocker / 'sub' / 'state.json'}: {blocker} is a file, not a folder"
        " (nothing was checked)"
    )
    with pytest.raises(WriteError, match=r": is a folder; give the path of a file$"):
        check(CheckSettings(config=config, state=tmp_path))
    assert site.hits["/ok"] == 0
