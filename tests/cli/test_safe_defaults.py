"""With no flags at all, what would hurt a reader fails the run, each for its own reason, and
what only needs a look does not (issue 14), against real servers on 127.0.0.1."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from linkwatch.cli.app import app
from loopback import respond

PARKED = b"<html><title>example.org</title><h2>This domain is for sale!</h2></html>"
SOFT_404 = b"<html><head><title>Page not found | Charity</title></head><body>Sorry</body></html>"
CHALLENGE = b"<html><head><title>Just a moment...</title></head><body>Checking</body></html>"


@pytest.fixture
def site(server):
    async def page(request, reader, writer, body=b"<title>Help for parents</title>ok"):
        await respond(
            writer, 200, {"Content-Type": "text/html"}, body, head=request.method == "HEAD"
        )

    async def parked(request, reader, writer):
        await respond(writer, 200, {"Content-Type": "text/html"}, PARKED)

    async def soft_404(request, reader, writer):
        await respond(writer, 200, {"Content-Type": "text/html"}, SOFT_404)

    async def to_home(request, reader, writer):
        await respond(writer, 301, {"Location": "/"}, head=True)

    async def to_other_site(request, reader, writer):
        where = server.url("/elsewhere", host="localhost")
        await respond(writer, 301, {"Location": where}, head=True)

    async def to_parking(request, reader, writer):
        where = server.url("/parked", host="localhost")
        await respond(writer, 302, {"Location": where}, head=True)

    async def challenge(request, reader, writer):
        headers = {"Content-Type": "text/html", "Server": "cloudflare"}
        await respond(writer, 403, headers, CHALLENGE)

    async def to_same_site(request, reader, writer):
        await respond(writer, 301, {"Location": "/help/new-address"}, head=True)

    async def temporary(request, reader, writer):
        await respond(writer, 302, {"Location": "/help/for-now"}, head=True)

    stumbled: list[int] = []

    async def stumbles_once(request, reader, writer):
        stumbled.append(1)
        if len(stumbled) == 1:
            await respond(writer, 500, body=b"oops")
        else:
            await page(request, reader, writer)

    server.routes.update(
        {
            "/": page,
            "/elsewhere": page,
            "/help/new-address": page,
            "/help/for-now": page,
            "/help/safety": page,
            "/parked": parked,
            "/help/gone-quietly": soft_404,
            "/help/old-leaflet": to_home,
            "/campaign": to_other_site,
            "/lapsed": to_parking,
            "/walled": challenge,
            "/help/moved": to_same_site,
            "/help/temporary": temporary,
            "/flaky": stumbles_once,
        }
    )
    return server


def check(tmp_path, url):
    path = tmp_path / "links.yaml"
    path.write_text(f"version: 1\nlinks:\n  - name: A link\n    url: {url}\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["check", "-c", str(path), "--allow-private", "--format", "json"]
    )
    [record] = json.loads(result.stdout)["links"]
    return result.exit_code, record


@pytest.mark.parametrize(
    ("path", "status", "flags", "reason"),
    [
        ("/parked", "ok", ["parked_domain"], "HTTP 200"),
        ("/help/gone-quietly", "ok", ["soft_404"], "HTTP 200"),
        ("/help/old-leaflet", "redirected", ["moved_to_home"], "moved permanently to {root}/"),
        (
            "/campaign",
            "redirected",
            ["cross_site_redirect"],
            "moved permanently to {other}/elsewhere",
        ),
        (
            "/lapsed",
            "redirected",
            ["cross_site_redirect", "parked_domain"],
            "temporarily redirected to {other}/parked",
        ),
    ],
)
def test_what_would_hurt_a_reader_fails_with_its_own_reason(  # noqa: PLR0917
    tmp_path, site, path, status, flags, reason
):
    """A parked domain, a parking redirect, a page moved to the home page, a soft 404 and a
    cross-site redirect: exit 1, each with its own flag."""
    code, record = check(tmp_path, site.url(path))
    root, other = site.url(""), site.url("", host="localhost")
    assert code == 1
    assert (record["status"], record["flags"]) == (status, flags)
    assert record["reason"] == reason.format(root=root, other=other)


def test_a_page_moved_to_the_home_page_is_never_adopted_by_fix(tmp_path, site):
    """fix --from lists the vanished page for a person instead of writing the home page in."""
    links = tmp_path / "links.yaml"
    url = site.url("/help/old-leaflet")
    links.write_text(f"version: 1\nlinks:\n  - name: Leaflet\n    url: {url}\n", encoding="utf-8")
    report = tmp_path / "r.json"
    CliRunner().invoke(
        app, ["check", "-c", str(links), "--allow-private", "-f", "json", "-o", str(report)]
    )
    before = links.read_bytes()
    fixed = CliRunner().invoke(app, ["fix", "--from", str(report), str(links), "--write"])
    assert links.read_bytes() == before
    assert fixed.stderr == (
        f"{links}:4: review by hand: {url} → {site.url('/')}: it ends at the site's home page"
        " or a search page: the page is gone, not moved\n"
        f"{links}: adopted 0 URLs; 1 URL to review by hand\n"
    )


def test_a_challenge_page_is_blocked_with_its_provider_and_does_not_fail(tmp_path, site):
    """Cloudflare's challenge: blocked, named, exit 0."""
    code, record = check(tmp_path, site.url("/walled"))
    assert code == 0
    assert record["status"] == "blocked"
    assert record["reason"] == "Cloudflare bot protection answered instead of the page (HTTP 403)"


@pytest.mark.parametrize("path", ["/help/moved", "/help/temporary"])
def test_same_site_and_temporary_redirects_only_warn(tmp_path, site, path):
    """A same-site move or a temporary redirect is visible (redirected) but exits 0."""
    code, record = check(tmp_path, site.url(path))
    assert (code, record["status"], record["flags"]) == (0, "redirected", [])


def test_a_500_once_is_retried_and_reported_ok_and_flaky(tmp_path, site):
    """A passing hiccup is no false alarm: ok, exit 0, with a note that it needed a retry."""
    code, record = check(tmp_path, site.url("/flaky"))
    assert code == 0
    assert (record["status"], record["flags"], record["attempts"]) == ("ok", ["flaky"], 2)
    assert record["action"] == (
        "None now; the site needed a retry. If it keeps stumbling, tell the site's owner."
    )
