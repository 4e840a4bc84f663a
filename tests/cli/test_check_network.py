"""`linkwatch check` on real networks: proxies from the environment and --proxy."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from linkwatch.cli.app import app
from loopback import closed_port, respond


def run_cli(*args: str):
    return CliRunner().invoke(app, list(args))


def links_file(tmp_path, *urls: str) -> str:
    entries = "".join(f"  - name: link {i}\n    url: {u}\n" for i, u in enumerate(urls))
    path = tmp_path / "links.yaml"
    path.write_text(f"version: 1\nlinks:\n{entries}", encoding="utf-8")
    return str(path)


async def _ok(request, reader, writer):
    await respond(writer, 200, head=request.method == "HEAD")


def test_http_proxy_from_the_environment_is_used(tmp_path, server, proxy_server, monkeypatch):
    """HTTP_PROXY is honoured: the request reaches the site through the proxy."""
    server.route("/env")(_ok)
    monkeypatch.setenv("HTTP_PROXY", proxy_server.url)
    path = links_file(tmp_path, server.url("/env"))
    result = run_cli("check", "-c", path, "--allow-private", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["links"][0]["status"] == "ok"
    proxy_server.wait_for(f"GET 127.0.0.1:{server.port}/env - 200 OK")


def test_no_env_proxy_ignores_the_environment(tmp_path, server, monkeypatch):
    """--no-env-proxy connects directly, whatever HTTP_PROXY says."""
    server.route("/direct")(_ok)
    monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{closed_port()}")
    path = links_file(tmp_path, server.url("/direct"))
    result = run_cli("check", "-c", path, "--allow-private", "--no-env-proxy")
    assert result.exit_code == 0, result.output
    assert server.hits["/direct"] == 1


def test_explicit_proxy_down_says_network_unavailable_naming_it(tmp_path, server):
    """--proxy that cannot be reached: exit 3, the proxy named, its password never."""
    port = closed_port()
    path = links_file(tmp_path, server.url("/a"), f"http://localhost:{server.port}/b")
    result = run_cli(
        "check", "-c", path, "--allow-private", "--format", "json",
        "--proxy", f"http://bob:hunter2@127.0.0.1:{port}",
    )  # fmt: skip
    assert result.exit_code == 3
    assert result.stderr == (
        "error: network unavailable: none of the 2 links checked got past DNS or a connection;"
        f" check this machine's network and the proxy http://127.0.0.1:{port}, and run again"
        " (nothing was judged)\n"
    )
    assert "hunter2" not in result.output
    assert server.hits == {}


def test_unusable_proxy_variable_is_exit_2_before_any_request(tmp_path, server, monkeypatch):
    """A proxy variable linkwatch cannot use stops the run with a located message."""
    monkeypatch.setenv("HTTPS_PROXY", "socks5://bob:hunter2@127.0.0.1:1080")
    path = links_file(tmp_path, server.url("/a"))
    result = run_cli("check", "-c", path, "--allow-private")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: HTTPS_PROXY: socks5:// proxies are not supported; give an http:// proxy"
        " (HTTPS links go through it in a CONNECT tunnel, verified end to end)\n"
    )
    assert server.hits == {}


def test_ssl_cert_file_from_the_environment_is_trusted(tmp_path, ca, monkeypatch):
    """SSL_CERT_FILE: a site signed by a CA found only there is ok; unset, it is refused."""
    import ssl  # noqa: PLC0415

    from loopback import Server  # noqa: PLC0415

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(context)
    site = Server(ssl_context=context)
    site.route("/")(_ok)
    site.start()
    bundle = tmp_path / "root.pem"
    ca.cert_pem.write_to_path(str(bundle))
    path = links_file(tmp_path, site.url("/", host="localhost"))
    try:
        refused = run_cli("check", "-c", path, "--allow-private", "--format", "json")
        monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
        trusted = run_cli("check", "-c", path, "--allow-private", "--format", "json")
    finally:
        site.stop()
    assert refused.exit_code == 1
    assert json.loads(refused.stdout)["links"][0]["reason"] == (
        "secure connection failed: certificate rejected: unable to get local issuer certificate"
    )
    assert trusted.exit_code == 0, trusted.output
    assert json.loads(trusted.stdout)["links"][0]["status"] == "ok"


def test_exclude_option_reports_the_link_as_skipped(tmp_path, server):
    """--exclude (repeatable) skips matching links and says which pattern did it."""
    server.route("/ok")(_ok)
    path = links_file(tmp_path, server.url("/ok"), server.url("/private/x"), server.url("/y"))
    result = run_cli(
        "check", "-c", path, "--allow-private", "--format", "json",
        "--exclude", "/private/", "--exclude", "/y$",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    reasons = [r["reason"] for r in json.loads(result.stdout)["links"]]
    assert reasons == [
        "HTTP 200",
        "skipped: excluded by --exclude: /private/",
        "skipped: excluded by --exclude: /y$",
    ]
    assert dict(server.hits) == {"/ok": 1}


def test_validate_reports_an_unset_header_variable(tmp_path, monkeypatch):
    """validate reads the environment as check does: an unset ${NAME} is exit 2, located."""
    path = tmp_path / "links.yaml"
    path.write_text(
        "version: 1\nhosts:\n  intranet.example.org:\n    headers:\n"
        "      Authorization: Bearer ${INTRANET_TOKEN}\nlinks: []\n",
        encoding="utf-8",
    )
    monkeypatch.delenv("INTRANET_TOKEN", raising=False)
    result = run_cli("validate", str(path))
    assert result.exit_code == 2
    assert result.stderr == (
        f"{path}:5:22: hosts.intranet.example.org.headers.Authorization: the environment"
        " variable INTRANET_TOKEN is not set; set it (a CI secret, say) or remove the header\n"
        "1 problem found\n"
    )
    monkeypatch.setenv("INTRANET_TOKEN", "hunter2")
    result = run_cli("validate", str(path))
    assert (result.exit_code, result.stdout) == (0, "ok: 0 links\n")
    assert "hunter2" not in result.output
