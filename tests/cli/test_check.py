"""`linkwatch check` end to end: options, output, exit codes."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker
from typer.testing import CliRunner

import factories
from linkwatch.cli import check as cli_check
from linkwatch.cli.app import app
from linkwatch.pipeline.check import CheckSettings, Hooks
from linkwatch.pipeline.check import check as pipeline_check
from loopback import respond


def run_cli(*args: str):
    return CliRunner().invoke(app, list(args))


def links_file(tmp_path, *urls: str) -> str:
    return str(factories.links_file(tmp_path, *urls))


def test_bundled_list_offline_says_network_unavailable_once():
    """Without a network, the bundled list exits 3 and says so once, with no per-link errors."""
    result = run_cli("check")
    assert result.exit_code == 3
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "Network unavailable: no link got past DNS or a connection, so none was judged"
    )
    assert re.fullmatch(r"10 links not checked · \d+\.\d s · network unavailable", lines[-1])
    assert result.output.lower().count("network unavailable") == 2  # the message, the summary
    assert " error" not in result.output


def test_offline_json_says_it_on_stderr_too():
    """When the report is not the table on screen, stderr carries the one-line reason."""
    result = run_cli("check", "--format", "json")
    assert result.exit_code == 3
    assert result.stderr == (
        "error: network unavailable: none of the 10 links checked got past DNS or a"
        " connection; check this machine's network, or its proxy settings (HTTPS_PROXY,"
        " --proxy), and run again (nothing was judged)\n"
    )


def test_offline_json_report_records_network_unavailable(tmp_path):
    """The JSON report of an offline run says so, for CI to read."""
    out = tmp_path / "report.json"
    result = run_cli("check", "--format", "json", "--output", str(out))
    assert result.exit_code == 3
    assert json.loads(out.read_text(encoding="utf-8"))["network_unavailable"] is True


def check_json(*args: str):
    result = run_cli("check", "--format", "json", *args)
    return result, json.loads(result.stdout) if result.stdout.startswith("{") else None


def test_all_ok_exits_0(tmp_path, site):
    """Every link fine: exit 0, and the report says ok with its reason."""
    result, doc = check_json("--config", links_file(tmp_path, site.url("/ok")), "--allow-private")
    assert result.exit_code == 0, result.output
    [record] = doc["links"]
    assert (record["status"], record["reason"], record["http_status"]) == ("ok", "HTTP 200", 200)
    assert record["redirects"] == [{"url": site.url("/ok"), "status": 200}]


def test_broken_link_exits_1(tmp_path, site):
    """A broken link makes the run fail with exit 1, and says what to do."""
    path = links_file(tmp_path, site.url("/ok"), site.url("/gone"))
    result, doc = check_json("-c", path, "--allow-private", "--per-host", "1")
    assert result.exit_code == 1
    gone = doc["links"][1]
    assert gone["status"] == "broken"
    assert gone["reason"] == "the page is not found (404)"
    assert gone["action"].startswith("Find the page's new address")


def test_fail_on_none_exits_0_with_broken_links(tmp_path, site):
    """--fail-on none reports but never fails."""
    path = links_file(tmp_path, site.url("/gone"))
    result = run_cli("check", "-c", path, "--allow-private", "--fail-on", "none")
    assert result.exit_code == 0


def test_private_address_is_skipped_without_allow_private(tmp_path, site):
    """Without --allow-private, loopback links are skipped, not requested, exit 0."""
    result, doc = check_json("-c", links_file(tmp_path, site.url("/ok")))
    assert result.exit_code == 0
    [record] = doc["links"]
    assert record["status"] == "skipped"
    assert record["reason"] == "not requested: 127.0.0.1 is a non-public address"
    assert sum(site.hits.values()) == 0


def test_a_private_address_skip_says_how_to_check_it(tmp_path, site):
    """The table shows the skipped loopback link, and names --allow-private."""
    result = run_cli("check", "-c", links_file(tmp_path, site.url("/ok")))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:4] == [
        "1 link worth a look (not failing)",
        "status     link   where",
        "skipped    link 0 links.yaml:4",
        "  not requested: 127.0.0.1 is a non-public address · do: Check the link by hand;",
    ]
    assert "use --allow-private to check internal addresses." in result.stdout


def test_an_output_folder_that_does_not_exist_fails_before_any_request(tmp_path, site):
    """--output into a missing folder is exit 2 before a single link is requested."""
    target = tmp_path / "missing" / "report.json"
    path = links_file(tmp_path, site.url("/ok"))
    result = run_cli("check", "-c", path, "--allow-private", "-f", "json", "-o", str(target))
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: --output {target}: the folder {target.parent} does not exist; create it first"
        " (nothing was checked)\n"
    )
    assert sum(site.hits.values()) == 0


def test_an_output_that_is_a_folder_fails_before_any_request(tmp_path, site):
    """--output naming a folder is exit 2 before any request."""
    path = links_file(tmp_path, site.url("/ok"))
    result = run_cli("check", "-c", path, "--allow-private", "-o", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"Error: Invalid value for '--output' / '-o': file '{tmp_path}' is a directory."
    )
    assert sum(site.hits.values()) == 0


def test_help_names_values_plainly():
    """Options show what they take (N, SECONDS, FILE, PATH), not typer's type names."""
    text = run_cli("check", "--help").stdout
    for shown in (
        "--config PATH",
        "--concurrency N",
        "--per-host N",
        "--timeout SECONDS",
        "--state FILE",
        "--fail-after N",
        "--recover-after M",
        "--format FORMAT",
    ):
        assert shown in text
    assert "range>" not in text
    assert "<path>" not in text
    validate = run_cli("validate", "--help").stdout.splitlines()
    assert validate[0] == "Usage: linkwatch validate [OPTIONS] [PATH]..."
    assert validate[8].startswith("  PATH  The links.yaml files to check.")
    report = run_cli("report", "--help").stdout.splitlines()
    assert report[0] == "Usage: linkwatch report [OPTIONS] REPORT.json..."
    assert "<list[Path]>" not in "\n".join(validate + report)


def test_table_output_is_the_default(tmp_path, site):
    """Without --format, the result is the people's table."""
    result = run_cli("check", "-c", links_file(tmp_path, site.url("/ok")), "--allow-private")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "1 healthy link (--verbose lists them)"
    verbose = run_cli(
        "check", "-c", links_file(tmp_path, site.url("/ok")), "--allow-private", "--verbose"
    )
    assert verbose.stdout.splitlines()[2] == "ok         link 0 links.yaml:4"
    assert f"  {site.url('/ok')}" in verbose.stdout.splitlines()


def test_config_error_exits_2(tmp_path):
    """An invalid links.yaml exits 2 with the problem located."""
    path = tmp_path / "links.yaml"
    path.write_text("version: 1\nlinks:\n  - name: x\n", encoding="utf-8")
    result = run_cli("check", "-c", str(path))
    assert result.exit_code == 2
    assert "links.yaml:3" in result.output


def test_options_are_validated():
    """Out-of-range options are refused by the command line."""
    assert run_cli("check", "--concurrency", "0").exit_code == 2
    assert run_cli("check", "--timeout", "0").exit_code == 2
    assert run_cli("check", "--fail-on", "brokn").exit_code == 2


def test_help_lists_the_options():
    """check --help names every option."""
    result = run_cli("check", "--help")
    for option in ("--config", "--allow-private", "--concurrency", "--per-host", "--timeout"):
        assert option in result.output


def test_progress_bar_runs_when_stderr_is_a_terminal(tmp_path, site, monkeypatch):
    """On a terminal, a progress bar is drawn on stderr and the run still completes."""

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    settings = CheckSettings(config=Path(links_file(tmp_path, site.url("/ok"))), allow_private=True)
    result = pipeline_check(settings, hooks=Hooks(progress=cli_check._progress_bar))
    assert [o.status.value for o in result.report.outcomes] == ["ok"]
    assert "checking" in terminal.getvalue()


def test_real_run_json_matches_the_schema_and_reads_back(tmp_path, site):
    """A real run's JSON report (ok, broken, redirected, refused) validates and re-renders."""

    @site.route("/moved")
    async def moved(request, reader, writer):
        await respond(writer, 301, {"Location": "/ok"}, head=True)

    path = links_file(
        tmp_path,
        site.url("/ok?utm_source=x"),
        site.url("/gone"),
        site.url("/moved"),
        "http://127.0.0.1:1/",
    )
    out = tmp_path / "report.json"
    result = run_cli("check", "-c", path, "--allow-private", "-f", "json", "-o", str(out))
    assert result.exit_code == 1
    doc = json.loads(out.read_text(encoding="utf-8"))
    schema = json.loads((Path(__file__).parents[2] / "schema" / "report.schema.json").read_text())
    Draft202012Validator(schema, format_checker=FormatChecker()).validate(doc)
    assert [r["status"] for r in doc["links"]] == ["ok", "broken", "redirected", "broken"]
    assert doc["links"][0]["flags"] == ["tracking_params"]
    again = run_cli("report", str(out), "--format", "markdown")
    assert again.exit_code == 1
    assert "broken" in again.output


def test_with_state_last_runs_failures_are_checked_first(tmp_path, server):
    """A nightly run starts with what failed last night (the slow part: timeouts, retries),
    so it is not the run's tail; the report keeps the file's order."""
    asked: list[str] = []
    alive = {"/a", "/b"}

    @server.route("/a")
    @server.route("/b")
    @server.route("/c")
    async def page(request, reader, writer):
        asked.append(request.path)
        await respond(writer, 200 if request.path in alive else 404, head=True)

    path = links_file(tmp_path, *(server.url(p) for p in ("/a", "/b", "/c")))
    state = tmp_path / "state.json"
    args = ["check", "-c", path, "--allow-private", "--state", str(state)]
    args += ["--concurrency", "1", "--per-host", "1", "--format", "json"]
    assert run_cli(*args).exit_code == 1  # /c is broken tonight
    assert asked == ["/a", "/b", "/c"]
    asked.clear()
    alive.add("/c")
    result = run_cli(*args)
    assert result.exit_code == 0, result.output
    assert asked == ["/c", "/a", "/b"]
    assert [r["url"] for r in json.loads(result.stdout)["links"]] == [
        server.url(p) for p in ("/a", "/b", "/c")
    ]


def test_a_30_link_mixed_list_fits_a_screen_per_10_problems(tmp_path, server):
    """At 80 columns: at most 5 lines a problem, every URL whole on its own line, 1 line for the
    healthy ones."""

    async def ok(request, reader, writer):
        await respond(writer, 200, head=True)

    async def gone(request, reader, writer):
        await respond(writer, 404, head=True)

    async def moved(request, reader, writer):
        await respond(writer, 301, {"Location": "/ok/moved-here"}, head=True)

    async def temporary(request, reader, writer):
        await respond(writer, 302, {"Location": "/ok/for-now"}, head=True)

    for path in ("/ok/moved-here", "/ok/for-now", *(f"/ok/{i}" for i in range(22))):
        server.routes[path] = ok
    long_gone = "/keeping-children-safe/online-safety/social-media/a-page-name-far-too-long-for-80"
    for path in ("/gone/a", "/gone/b", "/gone/c", long_gone):
        server.routes[path] = gone
    for path in ("/moved/a", "/moved/b"):
        server.routes[path] = moved
    for path in ("/temp/a", "/temp/b"):
        server.routes[path] = temporary
    problems = [
        "/gone/a",
        "/gone/b",
        "/gone/c",
        long_gone,
        "/moved/a",
        "/moved/b",
        "/temp/a",
        "/temp/b",
    ]
    urls = [server.url(p) for p in problems] + [server.url(f"/ok/{i}") for i in range(22)]
    path = links_file(tmp_path, *urls)
    result = CliRunner().invoke(
        app, ["check", "-c", path, "--allow-private"], env={"COLUMNS": "80", "NO_COLOR": "1"}
    )
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "4 links fail"
    assert "4 links worth a look (not failing)" in lines
    assert lines[-2] == "22 healthy links (--verbose lists them)"
    assert lines[-1].startswith("30 links: 22 ok, 4 redirected, 4 broken · ")
    assert len(lines) <= 8 * 5 + 6  # 5 lines a problem, 2 headings + 2 headers, 2 closing lines
    for url in urls[:8]:
        assert f"  {url}" in lines
    assert all(len(line) <= 80 for line in lines if not line.startswith(("  http", "  → http")))


def test_help_gives_the_default_policy_unbroken():
    """--fail-on's default is written in words that wrap at commas, never mid-name."""
    text = " ".join(run_cli("check", "--help").stdout.split())
    assert (
        "Default: what would hurt a reader, broken, error, cross_site_redirect,"
        " expect_text_missing, parked_domain, moved_to_home, soft_404, domain_unregistered,"
        " domain_changed_hands."
    ) in text
    assert "[default: broken" not in text
