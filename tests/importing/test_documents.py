"""Finding and naming links in documents people already have."""

from __future__ import annotations

import time

import pytest
import yaml

from conftest import DATA
from linkwatch.errors import ConfigError
from linkwatch.importing import documents as importer
from linkwatch.importing.documents import Candidate, DocKind, Skip
from linkwatch.listfile import config

SEED = "tests/data/cleveland-police-2019-03-18.txt"  # a copy of the seed press release


@pytest.fixture
def seed(repo):
    return (repo / SEED).read_text(encoding="utf-8")


def test_seed_press_release_yields_the_five_links(seed):
    """The press release gives five named links; PACE loses its gclid."""
    kind = importer.detect_kind("release.txt", seed)
    found, skipped = importer.candidates(importer.find_links(seed, kind))
    assert skipped == []
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
    kept, skipped = importer.candidates(found)
    assert [c.url for c in kept] == ["https://www.iwf.org.uk/", "https://example.org/report"]
    assert [(s.found.url, s.reason) for s in skipped] == [
        ("mailto:help@example.org", Skip.NOT_HTTP)
    ]


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


# ------------------------------------------------------------ what is and is not a link
PARENTS_MD = (DATA / "parents.md").read_text(encoding="utf-8")


def links(text: str, kind: DocKind = DocKind.MARKDOWN, base: str | None = None):
    return [(f.line, f.url, f.label) for f in importer.find_links(text, kind, base)]


def test_markdown_code_is_not_links_and_lines_stay_right():
    """The fenced block and the code span give nothing; the links around them keep their lines."""
    assert links(PARENTS_MD) == [
        (2, "#contents", "Contents"),
        (3, "https://www.nspcc.org.uk/", "NSPCC"),
        (4, "faq.html", "FAQ"),
        (4, "#top", "top"),
        (11, "https://www.getsafeonline.org/", "Get Safe Online"),
    ]


@pytest.mark.parametrize(
    "code",
    [
        "```\nhttps://x.example/\n```",
        "~~~ {.sh}\n[x](https://x.example/)\n~~~",
        "   ```\nhttps://x.example/\n   ```",
        "Intro:\n\n    https://x.example/",
        "Intro:\n\n\thttps://x.example/",
        "``a ` https://x.example/ b``",
        "<!-- https://x.example/ -->",
        "<!--\n[x](https://x.example/)\n\n-->",
        "<script>\nfetch('https://x.example/')\n</script>",
    ],
)
def test_markdown_code_and_comments_hold_no_links(code):
    """Code blocks, code spans, comments and raw script give no link, whatever their form."""
    text = f"# T\n\n{code}\n\nAfter: https://after.example/\n"
    found = links(text)
    assert [url for _, url, _ in found] == ["https://after.example/"]
    assert found[0][0] == text.splitlines().index("After: https://after.example/") + 1


def test_markdown_lines_count_crlf_like_lf():
    """A page saved with CRLF reports the same line numbers as its editor shows."""
    text = "# T\r\n\r\n```\r\nhttps://x.example/\r\n```\r\n[A](https://a.example/)\r\n"
    assert links(text) == [(6, "https://a.example/", "A")]


def test_markdown_unterminated_fence_runs_to_the_end():
    """A fence never closed makes the rest of the page code, as CommonMark renders it."""
    assert links(
        "[A](https://a.example/)\n```sh\nhttps://x.example/\n\n[B](https://b.example/)\n"
    ) == [(1, "https://a.example/", "A")]


def test_markdown_indented_lines_in_a_list_are_still_prose():
    """Four spaces in under a list item is the item's paragraph: its link is found."""
    text = "- Helplines\n\n    Childline: https://www.childline.org.uk/\n"
    assert links(text) == [(3, "https://www.childline.org.uk/", "Childline")]


def test_markdown_paragraph_after_a_nested_list_keeps_its_links():
    """A parent item's paragraph after its sub-list is prose: its link is found."""
    text = "- Item\n    - Sub item\n\n    Parent paragraph, see [docs](https://b.example/)\n"
    assert links(text) == [(4, "https://b.example/", "docs")]
    text = "1.  Install\n    1.  Download\n\n    Then read https://c.example/\n"
    assert links(text) == [(4, "https://c.example/", "Then read")]


@pytest.mark.parametrize(
    "text",
    [
        "- Press ` to open\n- [Link](https://a.example/) and `bar`\n",
        "| Press ` | x |\n| [Link](https://a.example/) | `bar` |\n",
        "Press ` to open\n## [Link](https://a.example/) and `bar`\n",
    ],
)
def test_markdown_lone_backtick_keeps_the_next_blocks_links(text):
    """A stray backtick does not make the next list item, table row or heading code."""
    assert [url for _, url, _ in links(text)] == ["https://a.example/"]


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("- **NSPCC**: https://www.nspcc.org.uk/", "NSPCC"),
        ("**Help** for *parents*: https://www.nspcc.org.uk/", "Help for parents"),
        ("[**NSPCC** `online` safety](https://www.nspcc.org.uk/)", "NSPCC online safety"),
        ("[__NSPCC__ ~~old~~](https://www.nspcc.org.uk/)", "NSPCC old"),
        ("[my_project_name](https://www.nspcc.org.uk/)", "my_project_name"),
        ("[Tom \\& \\_Jerry\\_](https://www.nspcc.org.uk/)", "Tom & _Jerry_"),
        ("[Q&amp;A](https://www.nspcc.org.uk/)", "Q&A"),
        ("[![NSPCC logo](https://img.example/logo.png)](https://www.nspcc.org.uk/)", "NSPCC logo"),
        ("Run `make` and see https://www.nspcc.org.uk/", "Run make and see"),
        ("Use `x` then `https://other.example/` NSPCC https://www.nspcc.org.uk/", "NSPCC"),
        ("Stray ` tick - https://www.nspcc.org.uk/", "Stray tick"),
        ("A ` stray tick https://www.nspcc.org.uk/", "A stray tick"),
        ('<a href="https://www.nspcc.org.uk/">**NSPCC**</a>', "NSPCC"),
    ],
)
def test_markdown_names_carry_no_markdown(text, label):
    """Emphasis, code, escapes, entities and images never leak into a name."""
    found = links(text)
    assert [(url, name) for _, url, name in found if "nspcc" in url] == [
        ("https://www.nspcc.org.uk/", label)
    ]
    assert not any(ch in name for _, _, name in found for ch in "`*[]")


def test_markdown_reference_links():
    """[text][ref], [text][] and [text] take their URL from the first matching definition."""
    text = (
        "- [Childline][CL] and [IWF][] and [Shout], not [nothing][none]\n"
        "\n"
        "[cl]: https://www.childline.org.uk/\n"
        "[ iwf ]: <https://www.iwf.org.uk/> 'title'\n"
        "[shout]: https://giveusashout.org/\n"
        "[CL]: https://second.example/\n"
        "```\n[none]: https://in-code.example/\n```\n"
    )
    assert links(text) == [
        (1, "https://www.childline.org.uk/", "Childline"),
        (1, "https://www.iwf.org.uk/", "IWF"),
        (1, "https://giveusashout.org/", "Shout"),
    ]


def test_markdown_footnotes_and_loose_definitions_are_prose():
    """A footnote's text and a "definition" with words after its URL are read as prose."""
    text = (
        "Results[^1].\n\n"
        "[^1]: Source: https://e.example/report.pdf\n"
        "[WIP]: see https://i.example/ for status\n"
    )
    assert links(text) == [
        (3, "https://e.example/report.pdf", "Source"),
        (4, "https://i.example/", "see"),
    ]


def test_markdown_unused_definitions_are_links_named_by_their_label():
    """An http(s) definition nothing refers to is a link; a used or shadowed one is not again."""
    text = (
        "See [used].\n\n"
        "[used]: https://u.example/\n"
        '[Annual report]: <https://a.example/r.pdf> "Title"\n'
        "[local]: faq.html\n"
        "[annual REPORT]: https://shadowed.example/\n"
    )
    assert links(text) == [
        (1, "https://u.example/", "used"),
        (4, "https://a.example/r.pdf", "Annual report"),
    ]


def test_markdown_images_are_not_links_but_name_the_link_around_them():
    """A badge links to its target, named by its alt text; the image itself is not imported."""
    text = (
        "[![Build](https://ci.example/badge.svg)](https://ci.example/run) ![x](https://i.org/x.png)"
    )
    assert links(text) == [(1, "https://ci.example/run", "Build")]


def test_markdown_raw_html_anchors():
    """An <a href> written in HTML is a link, named by its text; an <img src> is not."""
    text = (
        '<p align="center">\n  <a href="https://www.iwf.org.uk/"><img src="https://i.org/l.png"'
        ' alt="IWF"></a>\n</p>\n\n<pre>\ncurl https://pre.example/\n'
        '<a href="https://pre-link.example/">kept</a>\n</pre>\n'
    )
    assert links(text) == [
        (2, "https://www.iwf.org.uk/", "IWF"),
        (7, "https://pre-link.example/", "kept"),
    ]


def test_markdown_with_many_stray_angle_brackets_is_read_quickly():
    """Prose full of '<' (for html.parser, each a rescan of the rest) is read in moments."""
    text = "a <b " * 40_000 + '\n<a href="https://e.org/">E</a> [F](https://f.org/)\n'
    started = time.perf_counter()
    assert [url for _, url, _ in links(text)] == ["https://e.org/", "https://f.org/"]
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize(
    "junk",
    ["<a " * 70_000, "a <b " * 40_000, "<!-- " * 40_000, "<![ " * 50_000, "<!x " * 50_000],
)
def test_html_with_200k_characters_of_stray_markup_still_gives_its_links(junk):
    """Stray '<', unclosed comments and declarations are text, and a long run of them is read.

    Fed raw to html.parser, each would rescan the rest of the page: minutes at this size, so
    finishing at all (in well under a second) shows the guard works.
    """
    text = f'<html><body>{junk}\n<a href="https://e.org/">E</a></body></html>'
    assert links(text, DocKind.HTML) == [(2, "https://e.org/", "E")]
    assert importer.title_of(text, DocKind.HTML) is None


@pytest.mark.parametrize("kind", [DocKind.TEXT, DocKind.MARKDOWN])
def test_a_url_followed_by_200k_closing_brackets_is_trimmed(kind):
    """Prose brackets after a URL are trimmed however many there are.

    Recounting the brackets at each character trimmed is quadratic (about 15 s here, minutes
    on a slow runner); finishing in well under a second shows each is counted once.
    """
    text = "see https://x.example/a_(b)" + ")" * 100_000 + "]" * 100_000
    assert [url for _, url, _ in links(text, kind)] == ["https://x.example/a_(b)"]


def test_markdown_line_of_a_million_quote_markers_is_read():
    """A line of a million '>' before a URL is read, its URL found.

    Slicing the line at each marker is quadratic (about 13 s at this size); finishing in
    well under a second shows the markers are matched in place.
    """
    text = ">" * 1_000_000 + " https://x.example/\n"
    assert [url for _, url, _ in links(text)] == ["https://x.example/"]


@pytest.mark.parametrize("kind", [DocKind.TEXT, DocKind.MARKDOWN])
@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("~~https://g.example/~~", "https://g.example/"),
        ("~~https://g.example/a~~.", "https://g.example/a"),
        ("home: https://g.example/~user/~", "https://g.example/~user/~"),
        ("<https://h.example/foo_>", "https://h.example/foo_"),
        ("see <https://h.example/a.>.", "https://h.example/a."),
        ("Write <see https://l.example/> for more.", "https://l.example/"),
    ],
)
def test_bare_urls_lose_strike_through_and_autolinks_keep_every_character(kind, text, url):
    """A closing "~~" is not part of a URL; an autolink's URL is exactly what is inside <...>."""
    assert [found for _, found, _ in links(text, kind)] == [url]


def test_html_title_is_the_pages_first_title_capped():
    """An inline <svg>'s <title> is not the page's; a title never closed is cut short."""
    page = "<html><head><title>Page</title></head><body><svg><title>Icon</title></svg>"
    assert importer.title_of(page, DocKind.HTML) == "Page"
    assert importer.title_of("<body><svg><title>Icon</title></svg>", DocKind.HTML) is None
    title = importer.title_of("<title>" + "word " * 10_000, DocKind.HTML)
    assert title is not None
    assert len(title) <= 200


def test_markdown_relative_links_resolve_against_the_page():
    """From a URL, relative links become absolute; in-page ones stay #fragments."""
    text = "[FAQ](faq.html) [up](../up/) [top](#top) [mail](mailto:a@b.org)\n"
    assert [url for _, url, _ in links(text, base="https://e.org/help/page.md")] == [
        "https://e.org/help/faq.html",
        "https://e.org/up/",
        "#top",
        "mailto:a@b.org",
    ]


def test_markdown_title_skips_code_and_comments():
    """The title is the first real heading, not a shell comment in a code block."""
    text = "<!-- # draft -->\n```sh\n# install\n```\n#hashtag\n## **Help** for `parents` ##\n"
    assert importer.title_of(text, DocKind.MARKDOWN) == "Help for parents"
    assert importer.title_of("Help\n====\n\ntext", DocKind.MARKDOWN) == "Help"


def test_plain_text_is_read_as_it_was():
    """A press release has no code: backticks and fences change nothing in plain text."""
    text = "```\nNSPCC: https://www.nspcc.org.uk/\n```\n"
    assert links(text, DocKind.TEXT) == [(2, "https://www.nspcc.org.uk/", "NSPCC")]


HTML_PAGE = """\
<html><head><title>T</title>
<script>var u = "https://script.example/"; document.write('<a href="https://w.example/">')</script>
<style>body { background: url(https://style.example/bg.png) }</style></head><body>
<!-- <a href="https://commented.example/">old</a> -->
<pre>curl https://pre.example/api <a href="https://pre-link.example/">in pre</a></pre>
<p><code>https://code.example/</code> <code><a href="https://code-link.example/">c</a></code></p>
<template><a href="https://template.example/">t</a></template>
<textarea><a href="https://textarea.example/">t</a></textarea>
<a href="https://after.example/">after</a>
</body></html>
"""


def test_html_code_script_style_template_and_comments_give_no_links():
    """Only real anchors count: kept inside <pre> and <code>, never in inert or hidden parts."""
    assert links(HTML_PAGE, DocKind.HTML) == [
        (5, "https://pre-link.example/", "in pre"),
        (6, "https://code-link.example/", "c"),
        (9, "https://after.example/", "after"),
    ]


def test_html_base_href_and_in_page_links():
    """The first <base href> decides where relative links go; #fragments are not resolved."""
    html = (
        '<base href="/docs/"><base href="https://other.example/">'
        '<a href="faq.html">FAQ</a><a href="#top">top</a><a href="">self</a>'
    )
    assert [url for _, url, _ in links(html, DocKind.HTML, "https://e.org/a/page")] == [
        "https://e.org/docs/faq.html",
        "#top",
        "",
    ]


def test_html_absolute_base_resolves_links_in_a_local_file():
    """A saved page that names its address in <base href> can have its relative links imported."""
    html = '<base href="https://e.org/docs/"><a href="faq.html">FAQ</a>'
    assert links(html, DocKind.HTML) == [(1, "https://e.org/docs/faq.html", "FAQ")]
    assert links('<base href="/docs/"><a href="faq.html">FAQ</a>', DocKind.HTML) == [
        (1, "faq.html", "FAQ")
    ]


def test_html_anchors_left_open_still_count():
    """An <a> opened inside another ends the first; one never closed runs to the end."""
    html = '<a href="https://one.example/">one <a href="https://two.example/">two'
    assert links(html, DocKind.HTML) == [
        (1, "https://one.example/", "one"),
        (1, "https://two.example/", "two"),
    ]


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https://e.org/", None),
        ("#top", (Skip.IN_PAGE, "")),
        ("", (Skip.IN_PAGE, "")),
        ("faq.html", (Skip.RELATIVE, "")),
        ("/help", (Skip.RELATIVE, "")),
        ("//cdn.example/x", (Skip.RELATIVE, "")),
        ("mailto:a@b.org", (Skip.NOT_HTTP, "")),
        ("tel:+441234", (Skip.NOT_HTTP, "")),
        ("JavaScript:void(0)", (Skip.NOT_HTTP, "")),
        (
            "https://u:p@e.org/",
            (Skip.INVALID, "contains a user name or password; remove the credentials from the URL"),
        ),
        (
            "https://e.org/\u202egpj.exe",
            (
                Skip.INVALID,
                (
                    "contains invisible or control characters (U+202E); a reader would see another"
                    " URL than the one checked: percent-encode them if they belong in it"
                ),
            ),
        ),
        (
            "https://e.org/a\u200bb",
            (
                Skip.INVALID,
                (
                    "contains invisible or control characters (U+200B); a reader would see another"
                    " URL than the one checked: percent-encode them if they belong in it"
                ),
            ),
        ),
    ],
)
def test_skip_reason(url, why):
    """Each link that cannot be an entry says why."""
    assert importer.skip_reason(url) == why
