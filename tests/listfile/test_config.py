"""Validation of links.yaml: every problem located by line and column, never a traceback."""

from __future__ import annotations

import textwrap

import pytest

from linkwatch.errors import ConfigError
from linkwatch.listfile import config
from linkwatch.models import CodeRange

HEAD = "version: 1\nlinks:\n"


def problems(text: str) -> list[str]:
    """The messages a file produces, as the CLI prints them."""
    with pytest.raises(ConfigError) as info:
        config.loads(textwrap.dedent(text), "links.yaml")
    return [str(p) for p in info.value.problems]


def link(**fields: str) -> str:
    body = "\n".join(f"    {k}: {v}" for k, v in fields.items())
    return "  - " + body.lstrip() + "\n"


def test_minimal_file_loads_with_defaults():
    """A file with one link gets linkwatch's defaults and the link's position."""
    cfg = config.loads(HEAD + link(name="A", url="https://a.example.org/"))
    assert len(cfg.links) == 1
    only = cfg.links[0]
    assert (only.name, only.url, only.line, only.column) == ("A", "https://a.example.org/", 3, 5)
    assert (only.url_line, only.url_column) == (4, 10)
    assert only.policy.timeout == 30.0
    assert only.policy.accepts(204)
    assert not only.policy.accepts(301)


def test_bundled_list_is_valid_and_keeps_gclid(repo):
    """The repository's links.yaml holds the press release links exactly as published."""
    cfg = config.load(repo / "links.yaml")
    urls = [link.url for link in cfg.links]
    assert (
        "https://paceuk.info/?gclid=EAIaIQobChMI2Z6I5vLg4AIVAojVCh0NPQwjEAAYASAAEgIY3vD_BwE" in urls
    )
    assert "https://www.thinkyouknow.co.uk/parents/" in urls
    from_release = [
        entry for entry in cfg.links if entry.source and "Cleveland Police" in entry.source
    ]
    assert len(from_release) == 5
    assert all(entry.category for entry in cfg.links)


def test_embedded_default_is_the_repository_file(repo):
    """The list shipped in the package is the repository's links.yaml, byte for byte."""
    assert config.embedded_path().read_bytes() == (repo / "links.yaml").read_bytes()


def test_defaults_apply_and_links_override():
    """Per-link policy overrides the defaults block; unset fields inherit it."""
    cfg = config.loads(
        textwrap.dedent(
            """\
            version: 1
            defaults:
              timeout: 10
              accept: [200, "300-399"]
              user_agent: test-agent
              concurrency: 8
              per_host_concurrency: 2
              tracking:
                strip: [mkt_tok, "campaign_*"]
                keep: [fbclid]
                hosts:
                  Example.org: [ref]
            links:
              - name: A
                url: https://a.example.org/
              - name: B
                url: https://b.example.org/
                timeout: 2.5
                accept: 2xx
                expect_text: Helpline
                allow_redirect_to: [example.net, "*.example.com", "https://c.example.org/x/"]
                skip: login wall, checked by hand
                keep_params: si
                tags: [a, b]
            """
        )
    )
    a, b = cfg.links
    assert cfg.defaults.user_agent == "test-agent"
    assert (cfg.defaults.concurrency, cfg.defaults.per_host_concurrency) == (8, 2)
    assert cfg.defaults.tracking.strip == ("mkt_tok", "campaign_*")
    assert cfg.defaults.tracking.keep == ("fbclid",)
    assert cfg.defaults.tracking.hosts == (("example.org", ("ref",)),)
    assert a.policy.timeout == 10.0
    assert a.policy.accept == (CodeRange(200, 200), CodeRange(300, 399))
    assert b.policy.timeout == 2.5
    assert b.policy.accept == (CodeRange(200, 299),)
    assert b.policy.expect_text == "Helpline"
    assert b.policy.allow_redirect_to == (
        "example.net",
        "*.example.com",
        "https://c.example.org/x/",
    )
    assert b.policy.skip == "login wall, checked by hand"
    assert b.keep_params == ("si",)
    assert b.tags == ("a", "b")


def test_skip_false_means_checked():
    """`skip: false` is the same as no skip at all."""
    cfg = config.loads(HEAD + link(name="A", url="https://a.org/", skip="false"))
    assert cfg.links[0].policy.skip is None


def test_text_fields_take_numbers_as_written():
    """A name such as 2019 is taken as the text the user wrote."""
    cfg = config.loads(HEAD + link(name="2019", url="https://a.org/", notes="1.50"))
    assert (cfg.links[0].name, cfg.links[0].notes) == ("2019", "1.50")


def test_crlf_and_bom_are_accepted():
    """Windows line endings and a UTF-8 byte-order mark load like any other file."""
    text = "\ufeff" + (HEAD + link(name="A", url="https://a.org/")).replace("\n", "\r\n")
    assert config.loads(text).links[0].url == "https://a.org/"


def test_empty_links_list_is_valid():
    """An empty list is a valid (if idle) configuration."""
    assert config.loads("version: 1\nlinks: []\n").links == ()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("htp://x", "'htp://x' is not an http(s) URL"),
        ("ftp://example.org/file", "is not an http(s) URL"),
        ("javascript:alert(1)", "is not an http(s) URL"),
        ("mailto:help@example.org", "is not an http(s) URL"),
        ("www.example.org/page", "has no scheme"),
        ("/relative/path", "has no scheme"),
        ("https:example.org", "is not an absolute URL"),
        ("https://", "has no host"),
        ("https:///path", "has no host"),
        ("'https://exa mple.org/'", "contains white space"),
        ("'https://example.org/a b'", "contains white space"),
        ("https://example.org:99999/", "invalid port"),
        ("https://example.org:abc/", "invalid port"),
        ("https://example.org:0/", "invalid port"),
        ("https://user:secret@example.org/", "user name or password"),
        ("https://exa_mple.org/", "invalid host name"),
        ("https://-bad.example.org/", "invalid host name"),
        ("https://a..b.org/", "invalid host name"),
        ("'https://[::1/'", "IPv6"),
        ("http://0177.0.0.1/", "invalid IPv4 address '0177.0.0.1'"),
        ("http://2130706433/", "invalid IPv4 address"),
        ("'https://example.org/<script>'", "contains < >"),
        ('"https://example.org/\\u0007"', "control character"),
        ('"https://example.org/\\u202egpj.exe"', "invisible or control characters (U+202E)"),
        ('"https://exa\\u200bmple.org/"', "invisible or control characters (U+200B)"),
        ('"https://example.org/\\u009b"', "invisible or control characters (U+009B)"),
    ],
)
def test_bad_urls_are_located_and_explained(url, message):
    """Each kind of bad URL gets its own message at the url value's line and column."""
    found = problems(HEAD + link(name="A", url=url))
    assert len(found) == 1
    assert found[0].startswith("links.yaml:4:10: links[0].url: ")
    assert message in found[0]


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org",
        "HTTPS://EXAMPLE.ORG/Path?q=1#frag",
        "http://127.0.0.1:8080/x",
        "https://[2001:db8::1]/",
        "https://bücher.example/",
        "https://example.org./trailing-dot",
        "https://example.org/%7Euser/a%20b",
    ],
)
def test_good_urls_pass(url):
    """Ordinary, IP, IPv6, internationalised and percent-encoded URLs are accepted."""
    assert config.loads(HEAD + link(name="A", url=f"'{url}'")).links[0].url == url


def test_unknown_key_suggests_the_right_one():
    """A misspelt key is reported at the key with the closest known name."""
    found = problems(HEAD + "  - name: A\n    ulr: https://a.org/\n")
    assert "links.yaml:4:5: links[0].ulr: unknown key 'ulr' \u2014 did you mean 'url'?" in found
    assert "links.yaml:3:5: links[0]: missing required key 'url'; add `url: https://...`" in found


def test_unknown_key_without_a_close_match_lists_the_known_ones():
    """A key far from every known one lists what is allowed."""
    (message,) = problems("version: 1\nzzz: 1\nlinks: []\n")
    assert message.startswith("links.yaml:2:1: zzz: unknown key 'zzz'; known keys: version")


def test_every_problem_is_reported_at_once():
    """Problems in several links are all listed, in file order."""
    found = problems(
        HEAD
        + link(name="A", url="htp://x")
        + link(name="B", url="https://b.org/", timeout="-1")
        + "  - url: https://c.org/\n"
    )
    assert [p.split(": ")[0] for p in found] == [
        "links.yaml:4:10",
        "links.yaml:7:14",
        "links.yaml:8:5",
    ]
    assert "missing required key 'name'" in found[2]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("links: []\n", "links.yaml:1:1: missing required key 'version'; add `version: 1`"),
        (
            "version: 2\nlinks: []\n",
            "links.yaml:1:10: version: 2 is not a version this linkwatch reads",
        ),
        (
            "version: one\nlinks: []\n",
            "links.yaml:1:10: version: expected `version: 1`, got a string",
        ),
        ("version: 1\n", "links.yaml:1:1: missing required key 'links'"),
        ("version: 1\nlinks:\n", "links.yaml:2:7: links: expected a list, got null"),
        ("version: 1\nlinks: {a: 1}\n", "links.yaml:2:8: links: expected a list, got a mapping"),
        ("version: 1\nlinks:\n  - just a string\n", "links.yaml:3:5: links[0]: expected a mapping"),
        (
            "version: 1\nlinks:\n  - name: [a]\n    url: https://a.org/\n",
            "links[0].name: expected text, got a list",
        ),
        (
            "version: 1\nlinks:\n  - name:\n    url: https://a.org/\n",
            "links[0].name: expected text, got null",
        ),
        ("version: 1\nlinks:\n  - name: ''\n    url: https://a.org/\n", "links[0].name: is empty"),
        (
            "version: 1\nlinks:\n  - name: yes\n    url: https://a.org/\n",
            "expected text, got a boolean",
        ),
        ("version: 1\nlinks:\n  - name: A\n    url: 42\n", "links[0].url: '42' has no scheme"),
        (
            "version: 1\nlinks:\n  - name: A\n    url: https://a.org/\n    timeout: fast\n",
            "links[0].timeout: expected a number, got a string",
        ),
        (
            "version: 1\nlinks:\n  - name: A\n    url: https://a.org/\n    timeout: 0\n",
            "0 is out of range; use more than 0 to 600 seconds",
        ),
        (
            "version: 1\nlinks:\n  - name: A\n    url: https://a.org/\n    timeout: .nan\n",
            "out of range",
        ),
        (
            "version: 1\nlinks:\n  - name: A\n    url: https://a.org/\n    accept: 700\n",
            "'700' is not a status code",
        ),
        (
            "version: 1\nlinks:\n  - name: A\n    url: https://a.org/\n    accept: '299-200'\n",
            "is not a status code",
        ),
        (
            "version: 1\nlinks:\n  - name: A\n    url: https://a.org/\n    accept: [200, ok]\n",
            "links[0].accept[1]: 'ok' is not a status code",
        ),
        (
            "version: 1\nlinks:\n  - name: A\n    url: https://a.org/\n    skip: true\n",
            "give the reason as text",
        ),
        (
            "version: 1\nlinks:\n  - name: A\n    url: https://a.org/\n    tags: {a: 1}\n",
            "links[0].tags: expected a list, got a mapping",
        ),
        (
            "version: 1\nlinks:\n  - name: A\n    url: https://a.org/\n    allow_redirect_to: 'ex ample.org'\n",
            "has an invalid host name 'ex ample.org'",
        ),
        (
            "version: 1\nlinks:\n  - name: A\n    url: https://a.org/\n    keep_params: ['a*b']\n",
            "may only end in one '*'",
        ),
        (
            "version: 1\ndefaults:\n  concurrency: 1.5\nlinks: []\n",
            "defaults.concurrency: expected a whole number, got a number",
        ),
        (
            "version: 1\ndefaults:\n  per_host_concurrency: 0\nlinks: []\n",
            "defaults.per_host_concurrency: 0 is out of range",
        ),
        (
            "version: 1\ndefaults:\n  tracking:\n    hosts:\n      'bad host': [x]\n",
            "has an invalid host name 'bad host'",
        ),
        (
            "version: 1\ndefaults: []\nlinks: []\n",
            "defaults: expected a mapping of keys, got a list",
        ),
        ("version: 1\n? [a]\n: b\nlinks: []\n", "keys must be plain names"),
        ("version: 1\nlinks: []\n<<: {a: 1}\n", "merge keys ('<<') are not supported"),
    ],
)
def test_wrong_types_and_values_are_located(text, expected):
    """Mistyped or missing keys produce a located, actionable message."""
    found = problems(text)
    assert any(expected in p for p in found), found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "- a\n- b\n",
            "links.yaml:1:1: the top level must be a mapping with `version` and `links`, not a list",
        ),
        ("just text\n", "the top level must be a mapping"),
        ("", "links.yaml: is empty; start with `version: 1` and `links:`"),
        ("# only a comment\n", "is empty"),
        ("---\n...\n", "is empty"),
    ],
)
def test_wrong_top_level(text, expected):
    """An empty file or a top level that is not a mapping says what the file must hold."""
    assert expected in problems(text)[0]


def test_duplicate_link_after_cleaning_and_lowercasing():
    """The same URL twice, once with tracking junk and an upper-case host, is one link too many."""
    found = problems(
        HEAD
        + link(name="A", url="https://a.org/page?utm_source=x&gclid=1")
        + link(name="B", url="https://A.ORG/page")
    )
    assert found == [
        (
            "links.yaml:6:10: links[1].url: the same link as links[0] (line 4) once tracking"
            " parameters are removed and the host lower-cased; remove one of them"
        )
    ]


def test_different_paths_are_not_duplicates():
    """Path case matters: /Page and /page are different links."""
    cfg = config.loads(
        HEAD + link(name="A", url="https://a.org/Page") + link(name="B", url="https://a.org/page")
    )
    assert len(cfg.links) == 2


def test_resolve_path_prefers_explicit_then_local_then_embedded(tmp_path):
    """--config wins, then ./links.yaml, then the list shipped in the package."""
    explicit = tmp_path / "other.yaml"
    assert config.resolve_path(explicit, tmp_path) == (explicit, False)
    assert config.resolve_path(None, tmp_path) == (config.embedded_path(), True)
    (tmp_path / "links.yaml").write_text("version: 1\nlinks: []\n")
    assert config.resolve_path(None, tmp_path) == (tmp_path / "links.yaml", False)


def test_a_password_in_a_url_is_never_echoed(write_config):
    """The message about credentials in a URL hides them: validation output reaches CI logs."""
    path = write_config(
        "version: 1\nlinks:\n  - name: a\n    url: https://bob:hunter2@example.org/x\n"
    )
    with pytest.raises(ConfigError) as caught:
        config.load(path)
    [problem] = caught.value.problems
    assert str(problem) == (
        f"{path}:4:10: links[0].url: 'https://***@example.org/x' contains a user name or"
        " password; remove the credentials from the URL"
    )
    assert "hunter2" not in str(problem)
    assert "bob" not in str(problem)
