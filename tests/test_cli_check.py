"""`linkwatch check` end to end: options, output, exit codes."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from linkwatch.cli import app
from loopback import respond


def run_cli(*args: str):
    return CliRunner().invoke(app, list(args))


def write_config(tmp_path, *urls: str) -> str:
    entries = "".join(f"  - name: link {i}\n    url: {u}\n" for i, u in enumerate(urls))
    path = tmp_path / "links.yaml"
    path.write_text(f"version: 1\nlinks:\n{entries}", encoding="utf-8")
    return str(path)


def test_bundled_list_offline_says_network_unavailable():
    """Without a network, the bundled list exits 3 with one clear line and no traceback."""
    result = run_cli("check")
    assert result.exit_code == 3
    assert "network unavailable" in result.output
    assert "Traceback" not in result.output


@pytest.fixture
def site(server):
    @server.route("/ok")
    async def ok(request, reader, writer):
        await respond(writer, 200, head=True)

    return server


def test_all_ok_exits_0(tmp_path, site):
    """Every link fine: one line per link, a summary, exit 0."""
    result = run_cli(
        "check", "--config", write_config(tmp_path, site.url("/ok")), "--allow-private"
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "ok         link 0: HTTP 200"
    assert lines[-1].startswith("1 link: 1 ok (")


def test_broken_link_exits_1(tmp_path, site):
    """A broken link makes the run fail with exit 1, and says what to do."""
    path = write_config(tmp_path, site.url("/ok"), site.url("/gone"))
    result = run_cli("check", "-c", path, "--allow-private", "--per-host", "1")
    assert result.exit_code == 1
    assert "broken     link 1: the page is not found (404)" in result.output
    assert "Find the page's new address" in result.output


def test_private_address_is_skipped_without_allow_private(tmp_path, site):
    """Without --allow-private, loopback links are skipped, not requested, exit 0."""
    result = run_cli("check", "-c", write_config(tmp_path, site.url("/ok")))
    assert result.exit_code == 0
    assert result.output.startswith("skipped    link 0: not requested: 127.0.0.1")
    assert sum(site.hits.values()) == 0


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


def test_help_lists_the_options():
    """check --help names every option."""
    result = run_cli("check", "--help")
    for option in ("--config", "--allow-private", "--concurrency", "--per-host", "--timeout"):
        assert option in result.output
