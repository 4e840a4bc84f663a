"""The trust store: SSL_CERT_FILE when set, else the system's (truststore), else certifi;
each against a real TLS site on 127.0.0.1 signed by a CA that only that store holds."""

from __future__ import annotations

import ssl
import sys

import pytest
import trustme
import truststore

from conftest import link
from linkwatch.errors import UsageError
from linkwatch.models import Failure
from linkwatch.network import trust
from linkwatch.network.client import ClientOptions, build_client
from linkwatch.network.probe import Prober, ProbeSettings
from loopback import Server, respond


@pytest.fixture(scope="module")
def corporate_ca():
    """A root certificate of the kind a TLS-inspecting network installs: in no public list."""
    return trustme.CA(organization_name="Example Constabulary Inspection CA")


@pytest.fixture
def ca_file(corporate_ca, tmp_path):
    path = tmp_path / "corporate-root.pem"
    corporate_ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture
def site(corporate_ca):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    corporate_ca.issue_cert("localhost").configure_cert(context)
    srv = Server(ssl_context=context)

    @srv.route("/")
    async def ok(request, reader, writer):
        await respond(writer, 200, head=request.method == "HEAD")

    srv.start()
    yield srv
    srv.stop()


async def probe_with(context: ssl.SSLContext, url: str):
    options = ClientOptions(allow_private=True, ssl_context=context)
    async with build_client(options) as client:
        return await Prober(client, ProbeSettings()).probe(url, link().policy)


@pytest.mark.anyio
async def test_ssl_cert_file_is_trusted(site, ca_file):
    """SSL_CERT_FILE names the bundle to trust: a site signed by its CA is verified."""
    context = trust.ssl_context({"SSL_CERT_FILE": ca_file})
    observation = await probe_with(context, site.url("/", host="localhost"))
    assert (observation.failure, observation.status_code) == (None, 200)


@pytest.mark.anyio
async def test_certifi_alone_rejects_the_corporate_ca(site):
    """Mozilla's list (certifi) knows nothing of a network's own root: the site is refused."""
    observation = await probe_with(trust.certifi_context(), site.url("/", host="localhost"))
    assert observation.failure is Failure.TLS
    assert observation.detail == ("certificate rejected: unable to get local issuer certificate")


LINUX_ONLY = pytest.mark.skipif(
    sys.platform in {"darwin", "win32"}, reason="OpenSSL's bundle is the store on Linux and BSD"
)


@LINUX_ONLY
@pytest.mark.anyio
async def test_linux_system_store_trusts_what_the_system_trusts(site, ca_file, monkeypatch):
    """On Linux the system store is OpenSSL's configured bundle (the corporate root's file
    here, as update-ca-certificates would leave it): the site is verified through it."""
    monkeypatch.setenv("SSL_CERT_FILE", ca_file)  # where OpenSSL looks, for this process
    context = trust.system_context()
    assert type(context) is ssl.SSLContext  # read once, not truststore's per connection
    observation = await probe_with(context, site.url("/", host="localhost"))
    assert (observation.failure, observation.status_code) == (None, 200)


@pytest.mark.anyio
async def test_truststore_as_macos_and_windows_use_it_works_under_the_transport(
    site, ca_file, monkeypatch
):
    """On macOS and Windows the store is truststore's; its context drives the transport's TLS
    (asyncio's start_tls) and verifies what the platform trusts (here, on Linux, truststore
    reads the same OpenSSL bundle, pointed at the corporate root)."""
    monkeypatch.setenv("SSL_CERT_FILE", ca_file)
    context = trust.system_context("darwin")
    assert isinstance(context, truststore.SSLContext)
    observation = await probe_with(context, site.url("/", host="localhost"))
    assert (observation.failure, observation.status_code) == (None, 200)


@LINUX_ONLY
def test_the_system_store_is_the_default():
    """With no SSL_CERT_FILE or SSL_CERT_DIR, the run trusts the system's bundle."""
    context = trust.ssl_context({})
    assert type(context) is ssl.SSLContext
    assert context.get_ca_certs() or ssl.get_default_verify_paths().capath
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname


def test_certifi_when_truststore_is_missing_on_macos_or_windows(monkeypatch):
    """Without truststore there, certifi's bundle is the fallback (not an empty store)."""
    monkeypatch.setitem(sys.modules, "truststore", None)
    context = trust.ssl_context({}, platform="win32")
    assert type(context) is ssl.SSLContext
    assert context.cert_store_stats()["x509_ca"] > 100
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname


def test_certifi_when_linux_has_no_bundle(monkeypatch):
    """A bare container with no CA bundle at all falls back to certifi's."""
    empty = ssl.DefaultVerifyPaths(None, None, "SSL_CERT_FILE", "/none", "SSL_CERT_DIR", "/none")
    monkeypatch.setattr(ssl, "get_default_verify_paths", lambda: empty)
    monkeypatch.setattr(trust, "_SYSTEM_BUNDLES", ())
    context = trust.ssl_context({}, platform="linux")
    assert context.cert_store_stats()["x509_ca"] > 100


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        (
            {"SSL_CERT_FILE": "/nonexistent/root.pem"},
            "SSL_CERT_FILE: /nonexistent/root.pem: no such file",
        ),
        (
            {"SSL_CERT_DIR": "/nonexistent/certs"},
            "SSL_CERT_DIR: /nonexistent/certs: no such directory",
        ),
    ],
)
def test_unusable_bundle_is_a_usage_error(environ, message):
    """SSL_CERT_FILE or SSL_CERT_DIR naming nothing stops the run (exit 2), saying which."""
    with pytest.raises(UsageError) as raised:
        trust.ssl_context(environ)
    assert str(raised.value) == message
    assert raised.value.exit_code == 2


def test_a_file_that_is_not_pem_is_a_usage_error(tmp_path):
    """A bundle that holds no certificate is refused with its name."""
    path = tmp_path / "root.pem"
    path.write_text("not a certificate\n", encoding="utf-8")
    with pytest.raises(UsageError) as raised:
        trust.ssl_context({"SSL_CERT_FILE": str(path)})
    assert str(raised.value) == f"SSL_CERT_FILE: {path}: not a bundle of PEM certificates"


def test_linux_without_openssls_own_paths_finds_the_distributions_bundle(ca_file, monkeypatch):
    """An OpenSSL built for another layout: the usual bundle files are looked for instead."""
    empty = ssl.DefaultVerifyPaths(None, None, "SSL_CERT_FILE", "/none", "SSL_CERT_DIR", "/none")
    monkeypatch.setattr(ssl, "get_default_verify_paths", lambda: empty)
    monkeypatch.setattr(trust, "_SYSTEM_BUNDLES", ("/nonexistent/cert.pem", ca_file))
    context = trust.system_context("linux")
    assert context is not None
    [only] = context.get_ca_certs()
    assert ("organizationName", "Example Constabulary Inspection CA") in [
        pair for rdn in only["subject"] for pair in rdn
    ]
