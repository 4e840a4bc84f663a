"""`linkwatch import URL`: the page is fetched as check fetches a link, then imported."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkwatch.cli.app import app
from linkwatch.importing import webpage
from linkwatch.listfile import config
from linkwatch.network.probe import ProbeSettings
from loopback import respond

SEED = Path(__file__).parents[1] / "data" / "cleveland-police-2019-03-18.txt"
PAGE = b"""<!doctype html>
<html><head><title>Help for parents</title></head><body>
<p><a href="/advice/online-safety">Online safety advice</a></p>
<p><a href="https://paceuk.info/?gclid=abc123">Parents Against Child Sexual Exploitation</a></p>
<p><a href="contact.html">Caf\xc3\xa9 contact</a></p>
<p><a href="mailto:help@example.org">Write to us</a></p>
</body></html>
"""

MARKDOWN = b"""# Guide for parents
- [Contents](#contents)
- See the [FAQ](faq.html), [help](/help) and [top](#top).

```sh
curl ../api/v1
```
"""
BASED = b"""<html><head><base href="/docs/"></head><body>
<a href="#top">Top</a> <a href="faq.html">FAQ</a> <a href="javascript:void(0)">Menu</a>
</body></html>
"""


def run_cli(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def site(server):
    @server.route("/resources/page")
    async def page(request, reader, writer):
        headers = {"Content-Type": "text/html; charset=utf-8"}
        await respond(writer, 200, headers, PAGE, head=request.method == "HEAD")

    @server.route("/old")
    async def old(request, reader, writer):
        await respond(writer, 301, {"Location": "/resources/page"})

    @server.route("/latin1")
    async def latin1(request, reader, writer):
        body = b'<html><title>T</title><a href="https://a.org.uk/">Caf\xe9</a></html>'
        await respond(writer, 200, {"Content-Type": "text/html; charset=ISO-8859-1"}, body)

    @server.route("/press-release")
    async def press(request, reader, writer):
        headers = {"Content-Type": "text/plain"}
        await respond(writer, 200, headers, SEED.read_bytes())

    @server.route("/guide/parents.md")
    async def markdown_page(request, reader, writer):
        headers = {"Content-Type": "text/markdown; charset=utf-8"}
        await respond(writer, 200, headers, MARKDOWN)

    @server.route("/based")
    async def based(request, reader, writer):
        headers = {"Content-Type": "text/html"}
        await respond(writer, 200, headers, BASED)

    return server


def test_import_url_resolves_relative_links_and_cleans(tmp_path, site):
    """Links come out absolute (against the page), cleaned, named, with the URL as source."""
    target = tmp_path / "links.yaml"
    url = site.url("/resources/page?utm_source=newsletter")
    result = run_cli("import", url, "--allow-private", "--into", str(target), "--write")
    assert result.exit_code == 0, result.output
    links = config.load(target).links
    assert [(link.name, link.url) for link in links] == [
        ("Online safety advice", site.url("/advice/online-safety")),
        ("Parents Against Child Sexual Exploitation", "https://paceuk.info/"),
        ("Café contact", site.url("/resources/contact.html")),
    ]
    assert {link.source for link in links} == {f"Help for parents ({site.url('/resources/page')})"}
    assert "not an http(s) link, skipped: mailto:help@example.org" in result.stderr


def test_import_url_follows_redirects_and_resolves_against_the_final_page(tmp_path, site):
    """After a redirect, relative links resolve against where the page really is."""
    result = run_cli(
        "import", site.url("/old"), "--allow-private", "--into", str(tmp_path / "l.yaml")
    )
    assert result.exit_code == 0, result.output
    assert f"    url: {site.url('/resources/contact.html')}\n" in result.stdout


def test_import_url_plain_text_press_release(tmp_path, site):
    """The seed press release served as text/plain gives the same five entries as the file."""
    target = tmp_path / "links.yaml"
    result = run_cli(
        "import", site.url("/press-release"), "--allow-private", "--into", str(target), "--write"
    )
    assert result.exit_code == 0, result.output
    assert len(config.load(target).links) == 5


def test_import_url_uses_the_declared_charset(tmp_path, site):
    """A page in ISO-8859-1 is decoded as it says."""
    result = run_cli(
        "import", site.url("/latin1"), "--allow-private", "--into", str(tmp_path / "l.yaml")
    )
    assert result.exit_code == 0, result.output
    assert "  - name: Café\n" in result.stdout


def test_private_address_is_refused_without_allow_private(tmp_path, site):
    """The guard of check applies: 127.0.0.1 is not fetched unless allowed; exit 2."""
    target = tmp_path / "links.yaml"
    result = run_cli("import", site.url("/resources/page"), "--into", str(target), "--write")
    assert result.exit_code == 2
    assert "127.0.0.1 is a non-public address; use --allow-private" in result.stderr
    assert not target.exists()
    assert site.hits["/resources/page"] == 0


def test_missing_page_exits_2(tmp_path, site):
    """A 404 is a clear one-line error, and nothing is written."""
    result = run_cli(
        "import", site.url("/nope"), "--allow-private", "--into", str(tmp_path / "l.yaml")
    )
    assert result.exit_code == 2
    assert result.stderr == (
        f"{site.url('/nope')}: cannot be imported: the server answered HTTP 404\n1 problem found\n"
    )


def test_unreachable_host_exits_2(tmp_path):
    """A name that does not resolve is said so."""
    result = run_cli("import", "https://nowhere.invalid/page", "--into", str(tmp_path / "l.yaml"))
    assert result.exit_code == 2
    assert "https://nowhere.invalid/page: cannot be fetched: " in result.stderr
    assert "no such host" in result.stderr


def test_oversized_page_is_refused(tmp_path, site, monkeypatch):
    """The body is bounded: a page over the limit is refused, not half imported."""
    monkeypatch.setattr(webpage, "PROBE_SETTINGS", ProbeSettings(max_body=100, inspect_pages=True))
    result = run_cli(
        "import", site.url("/resources/page"), "--allow-private", "--into", str(tmp_path / "l.yaml")
    )
    assert result.exit_code == 2
    assert "is too large to import" in result.stderr


def test_bad_url_is_a_usage_error(tmp_path):
    """A URL linkwatch would not accept in links.yaml is refused before any request."""
    result = run_cli("import", "https://exa mple.org/", "--into", str(tmp_path / "l.yaml"))
    assert result.exit_code == 2
    assert "error: https://exa mple.org/ contains white space" in result.stderr


def test_import_markdown_url_resolves_relative_links(tmp_path, site):
    """From a URL, a Markdown page's relative links are imported whole; #anchors only counted."""
    result = run_cli(
        "import",
        site.url("/guide/parents.md"),
        "--allow-private",
        "--into",
        str(tmp_path / "l.yaml"),
    )
    assert result.exit_code == 0, result.output
    assert [line for line in result.stdout.splitlines() if "url:" in line] == [
        f"    url: {site.url('/guide/faq.html')}",
        f"    url: {site.url('/help')}",
    ]
    assert result.stderr == (
        f"2 links new for {tmp_path / 'l.yaml'}; 2 in-page links (#...) ignored;"
        " run again with --write to add them\n"
    )


def test_import_html_url_follows_base_href_and_ignores_in_page_links(tmp_path, site):
    """<base href> decides where relative links go; #top is not the page itself as a link."""
    result = run_cli(
        "import", site.url("/based"), "--allow-private", "--into", str(tmp_path / "l.yaml")
    )
    assert result.exit_code == 0, result.output
    assert [line for line in result.stdout.splitlines() if "url:" in line] == [
        f"    url: {site.url('/docs/faq.html')}"
    ]
    assert f"{site.url('/based')}:2: not an http(s) link, skipped: javascript:void(0)\n" in (
        result.stderr
    )
    assert "1 in-page link (#...) ignored" in result.stderr
    assert "#top" not in result.output


def test_import_url_goes_through_the_environments_proxy(tmp_path, site, proxy_server, monkeypatch):
    """HTTP_PROXY applies to import as to check: the page is fetched through the proxy."""
    monkeypatch.setenv("HTTP_PROXY", proxy_server.url)
    target = tmp_path / "links.yaml"
    url = site.url("/resources/page?via=proxy")
    result = run_cli("import", url, "--allow-private", "--into", str(target), "--write")
    assert result.exit_code == 0, result.output
    assert len(config.load(target).links) == 3
    proxy_server.wait_for(f"127.0.0.1:{site.port}/resources/page?via=proxy")
