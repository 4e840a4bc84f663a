"""Reading links.yaml safely: every way a file can be unusable gives a located ConfigError."""

from __future__ import annotations

import pathlib

import pytest

from linkwatch.errors import ConfigError
from linkwatch.listfile import config, yamlsrc


def only_problem(call) -> str:
    with pytest.raises(ConfigError) as info:
        call()
    assert len(info.value.problems) == 1
    return str(info.value.problems[0])


def test_missing_file(tmp_path):
    """A path that does not exist is named, with what to do."""
    message = only_problem(lambda: config.load(tmp_path / "nope.yaml", shown="nope.yaml"))
    assert (
        message == "nope.yaml: no such file; check the path, or run `linkwatch init` to create one"
    )


def test_directory(tmp_path):
    """A directory is not a links.yaml."""
    message = only_problem(lambda: config.load(tmp_path, shown="somedir"))
    assert message == "somedir: is a directory, not a file; give the path of a links.yaml file"


def test_unreadable_file(write_config, monkeypatch):
    """Permission denied is reported as such (simulated: tests may run as root)."""
    path = write_config("version: 1\nlinks: []\n")

    def denied(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(pathlib.Path, "open", denied)
    message = only_problem(lambda: config.load(path, shown="links.yaml"))
    assert message == "links.yaml: cannot be read (permission denied); check the file's permissions"


def test_not_utf8_is_located(write_config):
    """A Latin-1 byte is reported at its line and column."""
    path = write_config(b"version: 1\nlinks:\n  - name: caf\xe9\n")
    message = only_problem(lambda: config.load(path, shown="links.yaml"))
    assert message == "links.yaml:3:14: is not valid UTF-8 (byte 0xe9); save the file as UTF-8"


def test_too_large(write_config, monkeypatch):
    """A file over the size limit is refused before it is parsed."""
    monkeypatch.setattr(yamlsrc, "MAX_FILE_BYTES", 100)
    path = write_config("version: 1\nlinks: []\n" + "#" * 200 + "\n")
    message = only_problem(lambda: config.load(path, shown="links.yaml"))
    assert (
        message
        == "links.yaml: is 222 bytes, over the limit of 100 bytes; split the list into several files"
    )


@pytest.mark.parametrize(
    ("text", "location", "words"),
    [
        ("version: 1\nlinks:\n  - name: 'open\n", "links.yaml:4:1:", "YAML syntax error"),
        ("version: 1\nlinks: [a, b\n", "links.yaml:3:1:", "YAML syntax error"),
        ("version: 1\n  links: []\n", "links.yaml:2:8:", "mapping values are not allowed"),
        ("version: 1\nlinks:\n\t- name: x\n", "links.yaml:3:1:", "YAML syntax error"),
        ("a: b: c\n", "links.yaml:1:5:", "YAML syntax error"),
    ],
)
def test_syntax_errors_carry_the_parsers_position(text, location, words):
    """The parser's line and column reach the user, 1-based."""
    message = only_problem(lambda: config.loads(text, "links.yaml"))
    assert message.startswith(location)
    assert words in message


def test_alias_bomb_is_refused_without_expanding():
    """The billion-laughs pattern is stopped at the first alias."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [{', '.join([f'*{prev}'] * 9)}]")
    message = only_problem(lambda: config.loads("\n".join(lines) + "\n", "links.yaml"))
    assert message.startswith("links.yaml:2:")
    assert "YAML alias '*a' is not allowed in links.yaml; write the value out in full" in message


def test_alias_inside_a_link_is_refused():
    """Even a harmless alias is refused, with where it stands."""
    text = "version: 1\nlinks:\n  - name: &n A\n    url: https://a.org/\n    notes: *n\n"
    message = only_problem(lambda: config.loads(text, "links.yaml"))
    assert message.startswith("links.yaml:5:12:")


def test_deep_nesting_is_refused():
    """Thousands of nested lists cannot exhaust the stack (libyaml stops them itself)."""
    text = "version: 1\nlinks: " + "[" * 5000 + "]" * 5000 + "\n"
    message = only_problem(lambda: config.loads(text, "links.yaml"))
    assert message.startswith("links.yaml:2:")
    assert "nesting depth" in message


def test_nesting_limit_of_our_own_composer():
    """The event composer refuses depth past its limit, whichever parser runs."""
    text = "version: 1\nlinks: " + "[" * 40 + "]" * 40 + "\n"
    with pytest.raises(ConfigError) as info:
        yamlsrc.parse(text, "links.yaml", exact=True)
    assert str(info.value) == "links.yaml:2:39: nested more than 32 levels deep"


def test_second_document_is_refused():
    """A stray '---' starting a second document is located."""
    message = only_problem(lambda: config.loads("version: 1\nlinks: []\n---\nx: 1\n", "links.yaml"))
    assert message.startswith("links.yaml:3:1: more than one YAML document")


def test_duplicate_keys_are_reported():
    """YAML would silently keep the last of two equal keys; linkwatch reports it."""
    text = "version: 1\nlinks:\n  - name: A\n    url: https://a.org/\n    url: https://b.org/\n"
    message = only_problem(lambda: config.loads(text, "links.yaml"))
    assert message == "links.yaml:5:5: duplicate key 'url' (first at line 4); keep only one"


@pytest.mark.parametrize("exact", [True, False])
def test_offsets_point_at_the_scalar(exact):
    """Nodes remember their line, column and (for the exact parser) character offsets."""
    text = "\ufeffversion: 1\r\nlinks:\r\n  - url: 'https://a.org/'\r\n"
    root = yamlsrc.parse(text, "links.yaml", exact=exact)
    assert root is not None
    links = {k.value: v for k, v in root.pairs}["links"]
    url = links.items[0].pairs[0][1]
    assert (url.line, url.column, url.style) == (3, 10, "'")
    if exact:
        assert text[url.start : url.end] == "'https://a.org/'"


def test_control_characters_are_refused():
    """A NUL or other unprintable character is a located error, not a crash."""
    with pytest.raises(ConfigError) as info:
        config.loads("version: 1\nlinks: []\n\x00\n", "links.yaml")
    assert "links.yaml" in str(info.value)


@pytest.mark.parametrize(
    "value", ["!!python/object:os.system x", "!custom x", "!!binary aGk=", "!!set {a}"]
)
def test_unknown_tags_are_refused(value):
    """Language-specific or custom YAML tags are located errors, never constructed."""
    message = only_problem(
        lambda: config.loads(f"version: 1\nlinks:\n  - name: {value}\n", "links.yaml")
    )
    assert message.startswith("links.yaml:3:11: YAML tag ")
    assert "is not allowed in links.yaml" in message


def test_standard_tags_are_fine():
    """`!!str 2019` is just an explicit string."""
    cfg = config.loads("version: 1\nlinks:\n  - name: !!str 2019\n    url: https://a.org/\n")
    assert cfg.links[0].name == "2019"


def test_scalars_share_empty_children_that_stay_empty():
    """Scalar nodes carry no lists of their own, and nothing ever adds to the shared ones."""
    root = yamlsrc.parse("a: [1, {b: 2}]\nc: 3\n", "links.yaml")
    assert root is not None
    scalars = [root.pairs[0][0], root.pairs[1][1], root.pairs[0][1].items[0]]
    assert all(node.items is yamlsrc._NO_ITEMS for node in scalars)
    assert all(node.pairs is yamlsrc._NO_PAIRS for node in scalars)
    assert yamlsrc._NO_ITEMS == []
    assert yamlsrc._NO_PAIRS == []
