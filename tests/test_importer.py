"""Finding and naming links in documents people already have."""

from __future__ import annotations

import pytest
import yaml

from linkwatch import config, importer
from linkwatch.errors import ConfigError
from linkwatch.importer import Candidate, DocKind

SEED = "tests/data/cleveland-police-2019-03-18.txt"  # a copy of the seed press release


@pytest.fixture
def seed(repo):
    return (repo / SEED).read_text(encoding="utf-8")


def test_seed_press_release_yields_the_five_links(seed):
    """The press release gives five named links; PACE loses its gclid."""
    kind = importer.detect_kind("release.txt", seed)
    found, refused = importer.candidates(importer.find_links(seed, kind))
    assert refused == []
    assert [(c.name, c.url, c.stripped) for c in found] == [
        (
            "CSE awareness campaign",
            "http://www.stop-cse.org/national-child-exploitation-awareness-day/cse-awareness-live/",
            (),
        ),
        ("Parents Against Child Sexual Exploitation", "https://paceuk.info/", ("gclid",)),
        (
            "NSPCC",
            "https://www.nspcc.org.uk/preventing-abuse/keeping-children-safe/online-safety/",
            (),
        ),
        ("Get Safe Online", "https://www.getsafeonline.org/safeguarding-children/", ()),
        ("Think You Know", "https://www.thinkyouknow.co.uk/parents/", ()),
    ]


def test_title_of_plain_text_skips_the_date_line(seed):
    """A press release's title is its first line that is not a date."""
    assert importer.title_of(seed, DocKind.TEXT) == (
        "Cleveland Police and PCC Support Child Sexual Exploitation Awareness Day 2019"
    )


@pytest.mark.parametrize(
    ("name", "text", "kind"),
    [
        ("page.html", "anything", DocKind.HTML),
        ("notes.md", "anything", DocKind.MARKDOWN),
        ("x", "<!DOCTYPE html><html><body></body></html>", DocKind.HTML),
        ("x", "See [NSPCC](https://www.nspcc.org.uk/).", DocKind.MARKDOWN),
        ("x", "NSPCC: https://www.nspcc.org.uk/", DocKind.TEXT),
        ("https://example.org/list.html", "", DocKind.HTML),
    ],
)
def test_detect_kind(name, text, kind):
    """The kind comes from the name's suffix, else from the content."""
    assert importer.detect_kind(name, text) is kind


def test_plain_text_trims_prose_punctuation_and_keeps_balanced_brackets():
    """A URL ending a sentence loses the full stop; a Wikipedia-style (...) survives."""
    text = (
        "Visit https://example.org/help. Or (see https://example.org/faq), or\n"
        "https://en.wikipedia.org/wiki/Childline_(charity) today!\n"
    )
    urls = [f.url for f in importer.find_links(text, DocKind.TEXT)]
    assert urls == [
        "https://example.org/help",
        "https://example.org/faq",
        "https://en.wikipedia.org/wiki/Childline_(charity)",
    ]


def test_label_from_a_line_ending_in_colon_above():
    """A URL alone on its line takes its name from a 'Label:' line just above."""
    found = importer.find_links("Childline:\nhttps://www.childline.org.uk/\n", DocKind.TEXT)
    assert [(f.label, f.line) for f in found] == [("Childline", 2)]


def test_markdown_inline_reference_and_bare_links():
    """Inline, reference-style and bare links are all found, images are not."""
    text = (
        "# Help\n"
        '- [**NSPCC** online safety](https://www.nspcc.org.uk/online/ "title")\n'
        "- [Childline][cl] and ![logo](https://example.org/logo.png)\n"
        "- Internet Matters: https://www.internetmatters.org/\n"
        "\n"
        "[cl]: https://www.childline.org.uk/\n"
    )
    found = importer.find_links(text, DocKind.MARKDOWN)
    assert [(f.label, f.url) for f in found] == [
        ("NSPCC online safety", "https://www.nspcc.org.uk/online/"),
        ("Childline", "https://www.childline.org.uk/"),
        ("Internet Matters", "https://www.internetmatters.org/"),
    ]


def test_html_anchors_with_text_and_relative_links():
    """Anchor text names a link; relative hrefs resolve against the page's URL."""
    html = (
        "<html><head><title>Help &amp; advice</title></head><body>\n"
        '<p><a href="https://www.iwf.org.uk/?utm_source=x">Internet <b>Watch</b> Foundation</a>\n'
        '<a href="/report"><img alt="Report abuse"></a>\n'
        '<a href="mailto:help@example.org">mail</a></p></body></html>\n'
    )
    found = importer.find_links(html, DocKind.HTML, base_url="https://example.org/page")
    assert [(f.label, f.url, f.line) for f in found] == [
        ("Internet Watch Foundation", "https://www.iwf.org.uk/?utm_source=x", 2),
        ("Report abuse", "https://example.org/report", 3),
        ("mail", "mailto:help@example.org", 4),
    ]
    assert importer.title_of(html, DocKind.HTML) == "Help & advice"
    kept, refused = importer.candidates(found)
    assert [c.url for c in kept] == ["https://www.iwf.org.uk/", "https://example.org/report"]
    assert [f.url for f in refused] == ["mailto:help@example.org"]


def test_unnamed_links_take_the_site_name_and_duplicates_collapse():
    """No label: the host without www. The same cleaned URL twice: once."""
    found = importer.find_links(
        "https://www.example.org/a\nhttps://WWW.EXAMPLE.ORG/a?gclid=1\n", DocKind.TEXT
    )
    kept, _ = importer.candidates(found)
    assert [(c.name, c.url) for c in kept] == [("example.org", "https://www.example.org/a")]


ENTRY = Candidate("A: colon name", "https://a.org/", (), 1)


def test_append_to_an_empty_file_creates_a_valid_list():
    """An empty file becomes `version: 1` plus the entries, and validates."""
    text = importer.append_entries("", "links.yaml", [ENTRY], "Doc")
    assert text == (
        "version: 1\nlinks:\n  - name: 'A: colon name'\n    url: https://a.org/\n    source: Doc\n"
    )
    assert config.loads(text).links[0].name == "A: colon name"


def test_append_follows_indentation_spacing_and_crlf():
    """Entries follow the file's dash column, blank lines and CRLF; other bytes are kept."""
    before = (
        "# list\r\nversion: 1\r\nlinks:\r\n- name: A\r\n  url: https://a.org/  # keep\r\n"
        "- name: B\r\n  url: https://b.org/\r\n# end\r\n"
    )
    after = importer.append_entries(before, "links.yaml", [ENTRY], "Doc")
    assert after == (
        "# list\r\nversion: 1\r\nlinks:\r\n- name: A\r\n  url: https://a.org/  # keep\r\n"
        "- name: B\r\n  url: https://b.org/\r\n"
        "- name: 'A: colon name'\r\n  url: https://a.org/\r\n  source: Doc\r\n# end\r\n"
    )


def test_append_into_an_empty_flow_list_and_a_missing_list():
    """`links: []` and a file without `links` both get a block list."""
    flow = importer.append_entries("version: 1\nlinks: []\n", "l", [ENTRY], "D")
    assert config.loads(flow).links[0].url == "https://a.org/"
    missing = importer.append_entries("version: 1", "l", [ENTRY], "D")
    assert config.loads(missing).links[0].url == "https://a.org/"


def test_append_refuses_a_non_empty_flow_list():
    """A one-line [..] list cannot be extended without rewriting it: say so."""
    with pytest.raises(ConfigError) as info:
        importer.append_entries(
            "version: 1\nlinks: [{name: A, url: 'https://b.org/'}]\n", "l", [ENTRY], "D"
        )
    assert "is a flow list" in str(info.value)


@pytest.mark.parametrize("value", ["plain", "yes", "a: b", "#hash", "it's", "100", "- x", "é ü"])
def test_scalar_round_trips(value):
    """Whatever the text, the YAML written reads back as the same string."""
    assert yaml.safe_load(importer.scalar(value)) == value


def test_labels_stop_at_the_previous_link_and_drop_hostile_characters():
    """Two links on a line get their own words; quotes and bidi overrides are not kept."""
    text = 'See "https://a.org/x" and Help\u202eline: https://b.org/\n'
    found = importer.find_links(text, DocKind.TEXT)
    assert [(f.label, f.url) for f in found] == [
        ("See", "https://a.org/x"),
        ("and Helpline", "https://b.org/"),
    ]


def test_markdown_destinations_keep_balanced_parentheses():
    """Wikipedia-style URLs with (…) in them survive Markdown link syntax."""
    found = importer.find_links(
        "- [Grooming](https://en.wikipedia.org/wiki/Child_grooming_(disambiguation))\n",
        DocKind.MARKDOWN,
    )
    assert [f.url for f in found] == [
        "https://en.wikipedia.org/wiki/Child_grooming_(disambiguation)"
    ]
