"""--shard K/N: parsing, a stable partition by site, and shard reports that merge to the whole run."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from linkwatch.cli.app import app
from linkwatch.errors import UsageError
from linkwatch.judgement.sites import registrable_domain
from linkwatch.listfile import config
from linkwatch.network.client import ClientOptions, build_client, mapping_resolver
from linkwatch.network.probe import Prober, ProbeSettings
from linkwatch.pipeline import scheduler, shard
from linkwatch.report import OutputFormat, render
from loopback import respond


def make_config(urls: list[str]) -> config.Config:
    entries = "".join(f"  - name: link {i}\n    url: {u}\n" for i, u in enumerate(urls))
    return config.loads(f"version: 1\ndefaults:\n  timeout: 5\nlinks:\n{entries}")


# ------------------------------------------------------------------------------ parse
@pytest.mark.parametrize(("text", "want"), [("1/1", (1, 1)), ("2/4", (2, 4)), (" 4/4 ", (4, 4))])
def test_parse_accepts_k_of_n(text, want):
    """K/N with 1 <= K <= N parses to that shard."""
    parsed = shard.parse(text)
    assert (parsed.index, parsed.count) == want


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0/4", "K must be between 1 and N (4)"),
        ("5/4", "K must be between 1 and N (4)"),
        ("1/0", "N must be between 1 and 1024"),
        ("1/2000", "N must be between 1 and 1024"),
        ("-1/4", "expected K/N"),
        ("2", "expected K/N"),
        ("a/b", "expected K/N"),
        ("1/2/3", "expected K/N"),
        ("", "expected K/N"),
        ("\u00b2/4", "expected K/N"),  # superscript two: a digit to str.isdigit, not to int
        ("\u0661/\u0664", "expected K/N"),  # Arabic-Indic digits
    ],
)
def test_parse_rejects_bad_input(text, message):
    """Anything but K/N with 1 <= K <= N is a usage error naming the rule."""
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        shard.parse(text)


# -------------------------------------------------------------------------- partition
hosts = st.sampled_from(
    ["a.com", "www.a.com", "cdn.a.com", "b.net", "c.org.uk", "x.c.org.uk", "127.0.0.1", "d.test"]
) | st.from_regex(r"[a-z]{1,8}\.(com|org|net|co\.uk)", fullmatch=True)
links_urls = st.lists(
    st.tuples(hosts, st.integers(0, 999)).map(lambda t: f"https://{t[0]}/p/{t[1]}"),
    min_size=1,
    max_size=40,
    unique=True,
)


@given(urls=links_urls, count=st.integers(1, 8))
def test_every_link_is_in_exactly_one_shard(urls, count):
    """The N shards partition the list: each link in one shard, keeping its index."""
    cfg = make_config(urls)
    seen = [
        link.index
        for k in range(1, count + 1)
        for link in shard.select(cfg, shard.Shard(k, count)).links
    ]
    assert sorted(seen) == list(range(len(urls)))


@given(urls=links_urls, count=st.integers(2, 8))
def test_same_site_same_shard(urls, count):
    """Links of one registrable domain (any subdomain) always share a shard."""
    cfg = make_config(urls)
    shard_of_url = {
        link.url: k
        for k in range(1, count + 1)
        for link in shard.select(cfg, shard.Shard(k, count)).links
    }
    by_site: dict[str, set[int]] = {}
    for url in urls:
        by_site.setdefault(registrable_domain(urlsplit(url).hostname), set()).add(shard_of_url[url])
    assert all(len(found) == 1 for found in by_site.values())


def test_subdomains_share_the_site_key():
    """www.a.com and a.com are one site; c.org.uk is under a two-label suffix."""
    assert shard.site_key("https://www.a.com/x") == shard.site_key("https://a.com/y") == "a.com"
    assert shard.site_key("https://x.c.org.uk/") == "c.org.uk"


@given(urls=links_urls, count=st.integers(1, 8), k=st.integers(1, 8))
def test_shards_are_stable_across_order(urls, count, k):
    """A link's shard depends on its site, not on its position or its neighbours."""
    k = min(k, count)
    forward = {link.url for link in shard.select(make_config(urls), shard.Shard(k, count)).links}
    backward = {
        link.url for link in shard.select(make_config(urls[::-1]), shard.Shard(k, count)).links
    }
    assert forward == backward


def test_hash_is_fixed_across_processes():
    """The hash is not Python's salted hash(): these values hold on every machine and run."""
    keys = ("nspcc.org.uk", "example.com", "childline.org.uk", "gov.uk", "a.com")
    assert [shard.shard_of(key, 4) for key in keys] == [3, 3, 1, 3, 2]
    assert [shard.shard_of(key, 7) for key in keys] == [3, 3, 7, 6, 6]


def test_a_link_without_a_host_still_has_a_shard():
    """A URL without a host (or unparsable) goes to a fixed shard rather than being lost."""
    assert shard.site_key("not a url") == ""
    assert shard.site_key("http://[::1") == ""
    cfg = make_config(["https://a.example/"])
    assert shard.owns(shard.Shard(1, 1), cfg.links[0])


# ------------------------------------------------------------------------------- CLI
def test_cli_rejects_a_bad_shard_with_exit_2(tmp_path):
    """--shard 5/4 stops before any request, exit 2, one clear line."""
    path = tmp_path / "links.yaml"
    path.write_text("version: 1\nlinks:\n  - name: a\n    url: https://a.invalid/\n")
    result = CliRunner().invoke(app, ["check", "--config", str(path), "--shard", "5/4"])
    assert result.exit_code == 2
    assert "error: --shard '5/4': K must be between 1 and N (4)" in result.output


def test_cli_shards_cover_the_list_once(tmp_path):
    """Two shard runs of the CLI report every link exactly once between them."""
    urls = [f"https://site{i}.invalid/page" for i in range(12)]
    path = tmp_path / "links.yaml"
    path.write_text(
        "version: 1\nlinks:\n"
        + "".join(f"  - name: l{i}\n    url: {u}\n" for i, u in enumerate(urls))
    )
    got: list[str] = []
    for k in (1, 2):
        out = tmp_path / f"shard-{k}.json"
        result = CliRunner().invoke(
            app,
            ["check", "--config", str(path), "--shard", f"{k}/2", "-f", "json", "-o", str(out)],
        )
        # .invalid never resolves: a name that does not exist is a broken link (1), not an
        # unavailable network (3), which the offline getaddrinfo could be mistaken for.
        assert result.exit_code == 1, result.output
        document = json.loads(out.read_text())
        assert document["shard"] == {"index": k, "count": 2}
        got += [record["url"] for record in document["links"]]
    assert sorted(got) == sorted(urls)


# ------------------------------------------------------------------- shards merge
@pytest.mark.anyio
async def test_four_shards_merge_to_the_unsharded_run(server, tmp_path):
    """200 links over 20 sites in 4 shards, merged by `linkwatch report`, equal the whole run."""

    @server.route("/ok")
    async def ok(request, reader, writer):
        await respond(writer, 200, head=True, keep_alive=True)
        return True

    @server.route("/moved")
    async def moved(request, reader, writer):
        await respond(writer, 301, {"Location": "/ok"}, head=True)

    sites = [f"site{i}.test" for i in range(20)]
    urls = [
        server.url(
            f"/{'moved' if i % 10 == 3 else 'missing' if i % 10 == 7 else 'ok'}?{i}",
            host=sites[i % 20],
        )
        for i in range(200)
    ]
    cfg = make_config(urls)
    options = ClientOptions(
        allow_private=True, resolver=mapping_resolver(dict.fromkeys(sites, "127.0.0.1"))
    )

    async def check(part):
        async with build_client(options) as client:
            return await scheduler.run(
                part, Prober(client, ProbeSettings()), scheduler.CheckOptions(concurrency=16)
            )

    whole = await check(cfg)
    paths = []
    for k in range(1, 5):
        part = await check(shard.select(cfg, shard.Shard(k, 4)))
        assert part.outcomes  # 20 sites over 4 shards: none empty here
        path = tmp_path / f"shard-{k}.json"
        path.write_text(render(part, OutputFormat.JSON), encoding="utf-8")
        paths.append(str(path))
    merged = tmp_path / "merged.json"
    result = CliRunner().invoke(
        app, ["report", *paths, "--format", "json", "--output", str(merged)]
    )
    assert result.exit_code == 1, result.output  # the /missing links are broken

    def outcomes(doc):
        return {r["url"]: (r["status"], r["reason"], r["http_status"]) for r in doc["links"]}

    whole_doc = json.loads(render(whole, OutputFormat.JSON))
    merged_doc = json.loads(merged.read_text(encoding="utf-8"))
    want = outcomes(whole_doc)
    assert outcomes(merged_doc) == want
    assert len(want) == 200
    # ... and in the same order: the file's.
    assert [r["url"] for r in merged_doc["links"]] == [r["url"] for r in whole_doc["links"]]
