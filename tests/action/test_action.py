"""action.yml's steps, run here against a site on 127.0.0.1 and a fake GitHub API on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from action.runner import Run, run_action
from linkwatch.listfile import config
from loopback import Server, respond
from tracker.fakegithub import TOKEN, FakeGitHub, serve

pytestmark = pytest.mark.skipif(
    sys.platform == "win32" or shutil.which("bash") is None,
    reason="the composite's steps are bash scripts; Windows runners run them under Git Bash,"
    " which this test does not drive (the venv's Scripts/ layout)",
)

BIN = Path(sys.executable).parent
# The install step needs a package index; the test's own environment stands in for it.
INSTALLED = {"install": {"bin": str(BIN)}}
SKIPPED_ACTIONS = ["actions/setup-python", "actions/upload-artifact"]


@pytest.fixture
def site():
    """/ok answers 200, /gone 404 (until fixed), /moved a 301 to /ok."""
    server = Server()
    state = {"gone": 404}

    @server.route("/ok")
    async def ok(request, reader, writer):
        await respond(writer, 200, head=request.method == "HEAD")

    @server.route("/gone")
    async def gone(request, reader, writer):
        await respond(writer, state["gone"], head=request.method == "HEAD")

    @server.route("/moved")
    async def moved(request, reader, writer):
        await respond(writer, 301, {"Location": "/ok"}, head=request.method == "HEAD")

    server.start()
    server.state = state
    yield server
    server.stop()


def write_list(workspace: Path, site: Server) -> None:
    workspace.mkdir(exist_ok=True)
    entries = "".join(
        f"  - name: {name}\n    url: {site.url(path)}\n"
        for name, path in (("Helpline", "/ok"), ("Old leaflet", "/gone"), ("Advice", "/moved"))
    )
    (workspace / "links.yaml").write_text(f"version: 1\nlinks:\n{entries}", encoding="utf-8")


def linkwatch(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        [str(BIN / "linkwatch"), *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    return done.stdout


def action(workspace: Path, **inputs: str) -> Run:
    return run_action(
        {"args": "--allow-private", **inputs}, workspace, replace=INSTALLED, github={"token": "x"}
    )


def test_checks_the_list_and_sets_outputs_summary_and_annotations(tmp_path, site):
    """One broken, one redirected, one ok: outputs, the Markdown summary, annotations, exit 0."""
    workspace = tmp_path / "repo"
    write_list(workspace, site)
    run = action(workspace, fail="false")
    assert run.failed is None, run.stdout
    assert run.outputs == {
        "exit-code": "1",
        "report": "linkwatch-report.json",
        "total": "3",
        "problems": "2",
        "ok": "1",
        "redirected": "1",
        "broken": "1",
        "blocked": "0",
        "error": "0",
        "skipped": "0",
        "counts": '{"ok":1,"redirected":1,"broken":1,"blocked":0,"error":0,"skipped":0}',
    }
    assert run.skipped_uses == SKIPPED_ACTIONS
    saved = workspace / "linkwatch-report.json"
    expected_summary = linkwatch("report", str(saved), "--format", "markdown", cwd=workspace)
    assert run.summary == expected_summary
    assert "\n## linkwatch: 1 link fails · 1 worth a look\n" in run.summary
    url = site.url("")
    assert (
        "::error file=links.yaml,line=6,col=10,title=linkwatch%3A broken%3A Old leaflet::"
        f"{url}/gone: the page is not found (404). Find the page's new address on the site,"
        " or remove the link.\n"
        "::warning file=links.yaml,line=8,col=10,title=linkwatch%3A redirected%3A Advice::"
        f"{url}/moved: moved permanently to {url}/ok (now {url}/ok). Update the URL in"
        " links.yaml to the final address.\n"
    ) in run.stdout
    assert not (workspace / ".linkwatch").exists()  # no history unless asked
    assert run.steps["prepare"]["cache-key"] == "linkwatch-state-links.yaml-all-"


def test_fail_true_fails_last_after_the_summary(tmp_path, site):
    """With fail (the default), exit 1 fails the last step; the summary is written first."""
    workspace = tmp_path / "repo"
    write_list(workspace, site)
    run = action(workspace)
    assert run.failed == ("policy", 1)
    assert run.ran[-1] == "policy"
    assert "linkwatch: links failed the policy (exit code 1)" in run.stdout
    assert "\n## linkwatch: 1 link fails · 1 worth a look\n" in run.summary


def test_fail_on_none_passes(tmp_path, site):
    """fail-on none: exit code 0, the job passes, counts are still set."""
    workspace = tmp_path / "repo"
    write_list(workspace, site)
    run = action(workspace, **{"fail-on": "none"})
    assert run.failed is None
    assert (run.outputs["exit-code"], run.outputs["broken"]) == ("0", "1")


def test_history_and_one_issue_per_link_over_three_nights(tmp_path, site):
    """fail-after 2: no issue on night one, one on night two, closed when the link is fixed."""
    workspace = tmp_path / "repo"
    write_list(workspace, site)
    fake = FakeGitHub()
    with serve(fake) as api:
        inputs = {
            "history": "true",
            "issues": "per-link",
            "fail": "false",
            "token": TOKEN,
            "api-url": api,
        }
        first = action(workspace, **inputs)
        assert first.failed is None, first.stdout
        assert fake.ours() == []
        assert (workspace / ".linkwatch" / "state.json").is_file()
        assert "synced: nothing to do" in first.stdout, first.stdout

        second = action(workspace, **inputs)
        assert second.failed is None, second.stdout
        issues = fake.ours()
        assert [(i.state, i.title) for i in issues] == [("open", "Link broken: Old leaflet")]

        site.state["gone"] = 200
        third = action(workspace, **inputs)
        assert third.failed is None, third.stdout
        assert third.outputs["broken"] == "0"
        assert [i.state for i in fake.ours()] == ["closed"]
    # The Actions cache would restore and save the state; here it simply stays in the workspace.
    assert "actions/cache/restore" in second.skipped_uses
    assert "actions/cache/save" in second.skipped_uses


def test_summary_issue_runs_the_issue_script_with_gh(tmp_path, site):
    """issues: summary opens one issue through gh with the report's Markdown as its body."""
    if shutil.which("jq") is None:
        pytest.skip("the fake gh answers `issue list --jq` with the real jq")
    from report.test_nightly_issue import FAKE_GH  # noqa: PLC0415

    workspace = tmp_path / "repo"
    write_list(workspace, site)
    fake_bin = tmp_path / "fake-bin"
    fake_bin.mkdir()
    gh = fake_bin / "gh"
    gh.write_text(FAKE_GH.format(python=sys.executable), encoding="utf-8")
    gh.chmod(0o755)
    log = tmp_path / "gh.log"
    run = run_action(
        {"args": "--allow-private", "issues": "summary", "fail": "false", "token": "t0k"},
        workspace,
        replace=INSTALLED,
        env={"PATH": f"{fake_bin}:{BIN}:/usr/bin:/bin", "FAKE_GH_LOG": str(log)},
    )
    assert run.failed is None, run.stdout
    calls = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [c["args"][:2] for c in calls] == [
        ["issue", "list"],
        ["label", "create"],
        ["issue", "create"],
    ]
    assert calls[2]["body"] == linkwatch(
        "report",
        "linkwatch-report.json",
        "--format",
        "markdown",
        "--fail-on",
        "broken,error,blocked,redirected,tracking_params,cross_site_redirect,https_downgrade,"
        "expect_text_missing,parked_domain,tls_expiring",
        cwd=workspace,
    )
    assert "nightly-issue: opened a new issue" in run.stdout


def test_shards_then_merge_with_issues(tmp_path, site):
    """Two shard jobs write their own reports; the merging job counts all and, following the
    history the shards' reports carry, opens the issue only on the second failing night."""
    workspace = tmp_path / "repo"
    write_list(workspace, site)
    fake = FakeGitHub()
    opened = []
    for _night in range(2):
        for shard in ("1/2", "2/2"):
            run = action(workspace, shard=shard, history="true", fail="false")
            assert run.failed is None, run.stdout
            k = shard[0]
            assert run.steps["prepare"]["artifact"] == f"linkwatch-report-{k}-of-2"
            assert run.steps["prepare"]["cache-key"] == f"linkwatch-state-links.yaml-{k}-of-2-"
            assert run.outputs["report"] == f"linkwatch-report-{k}-of-2.json"
            assert (workspace / ".linkwatch" / f"state-{k}-of-2.json").is_file()
        with serve(fake) as api:
            merged = action(
                workspace,
                merge="linkwatch-report-*-of-2.json",
                issues="per-link",
                report="merged.json",
                token=TOKEN,
                **{"api-url": api, "fail": "false"},
            )
        assert merged.failed is None, merged.stdout
        assert (merged.outputs["total"], merged.outputs["broken"]) == ("3", "1")
        opened.append([i.title for i in fake.ours()])
    assert opened == [[], ["Link broken: Old leaflet"]]


def test_a_missing_shard_is_exit_2(tmp_path, site):
    """Merging one shard of two is an error: exit code 2, the job fails, no issue is touched."""
    workspace = tmp_path / "repo"
    write_list(workspace, site)
    action(workspace, shard="1/3", fail="false")
    action(workspace, shard="3/3", fail="false")
    run = action(workspace, merge="linkwatch-report-*.json", issues="per-link")
    assert run.outputs["exit-code"] == "2"
    assert "missing shard 2/3" in run.stdout
    assert run.failed == ("policy", 2)
    assert "One issue per failing link" not in run.stdout
    assert run.summary == (
        "## linkwatch: the links were not checked\n\n"
        "the list or the Action's inputs are not valid (see the log of the check step).\n"
    )


def test_an_invalid_list_fails_the_job_with_2(tmp_path):
    """A links.yaml that does not validate: exit code 2, a summary that says so."""
    workspace = tmp_path / "repo"
    workspace.mkdir()
    (workspace / "links.yaml").write_text("version: 1\nlinks:\n  - name: x\n", encoding="utf-8")
    run = action(workspace, issues="per-link")
    assert run.outputs["exit-code"] == "2"
    assert run.outputs["total"] == ""
    assert run.failed == ("policy", 2)
    assert "::error::linkwatch could not check the links (exit code 2)" in run.stdout
    assert "the links were not checked" in run.summary


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"issues": "all"}, "input issues: 'all' is not one of none, summary, per-link"),
        ({"history": "yes"}, "input history: 'yes' is neither true nor false"),
        ({"shard": "3/2"}, "input shard: '3/2' is not K/N with 1 <= K <= N"),
        ({"shard": "1/2", "issues": "per-link"}, "a shard sees part of the list"),
        ({"shard": "1/2", "merge": "a.json"}, "a job either checks one shard or merges them"),
        ({"merge": "a.json", "history": "true"}, "the shard jobs keep the history"),
    ],
)
def test_bad_inputs_stop_at_the_first_step(tmp_path, inputs, message):
    """Inputs are checked before anything is installed or checked: exit 2 and an ::error::."""
    run = action(tmp_path, **inputs)
    assert run.failed == ("prepare", 2)
    assert run.ran == ["prepare"]
    assert "::error title=linkwatch action::" in run.stdout
    assert message in run.stdout


def test_args_are_words_never_shell_code(tmp_path, site):
    """args is split on white space and never evaluated: `;` and `$(...)` stay text."""
    workspace = tmp_path / "repo"
    write_list(workspace, site)
    run = action(workspace, args="--allow-private --timeout 5;touch${IFS}pwned $(touch pwned)")
    assert run.outputs["exit-code"] == "2"
    assert not (workspace / "pwned").exists()


def test_the_loopback_list_is_valid(tmp_path, site):
    """The list the tests write validates (so exit codes above come from the links)."""
    write_list(tmp_path, site)
    assert len(config.load(tmp_path / "links.yaml").links) == 3


def test_every_step_running_linkwatch_is_in_utf8_mode():
    """On Windows a redirected stdout would use the ANSI code page and fail on `→` or `·`."""
    from action.runner import ACTION  # noqa: PLC0415

    steps = [s for s in ACTION["runs"]["steps"] if "LINKWATCH_BIN" in s.get("env", {})]
    assert len(steps) == 5
    assert all(s["env"]["PYTHONUTF8"] == "1" for s in steps)


def test_the_actions_default_policy_is_linkwatchs():
    """`fail-on` left out means what `linkwatch check` does bare, word for word."""
    import yaml  # noqa: PLC0415

    from linkwatch.judgement.policy import DEFAULT_FAIL_ON_TEXT  # noqa: PLC0415

    spec = yaml.safe_load((Path(__file__).parents[2] / "action.yml").read_text(encoding="utf-8"))
    assert spec["inputs"]["fail-on"]["default"] == DEFAULT_FAIL_ON_TEXT
