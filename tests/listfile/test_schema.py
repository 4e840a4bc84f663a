"""The committed JSON Schema of links.yaml is generated from the loader's own rules."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from linkwatch.listfile import config


def committed(repo):
    return json.loads((repo / "schema" / "links.schema.json").read_text(encoding="utf-8"))


def test_committed_schema_is_current(repo):
    """Fails when the model changed but schema/links.schema.json was not regenerated.

    Regenerate with: linkwatch schema > schema/links.schema.json
    """
    assert committed(repo) == config.json_schema()


def test_schema_is_valid_draft_2020_12(repo):
    """The schema itself is a valid JSON Schema document."""
    jsonschema.Draft202012Validator.check_schema(committed(repo))


class _Yaml12Loader(yaml.SafeLoader):
    """YAML 1.2's core schema, as editors read it: `reviewed: 2019-03-18` is a string."""


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def test_bundled_list_satisfies_the_schema(repo):
    """What the loader accepts, editors accept too."""
    data = yaml.load((repo / "links.yaml").read_text(encoding="utf-8"), Loader=_Yaml12Loader)
    jsonschema.validate(data, committed(repo))


def test_readme_and_bundled_list_point_editors_at_the_schema(repo):
    """The yaml-language-server comment that makes editors validate as people type."""
    line = "# yaml-language-server: $schema="
    assert (repo / "links.yaml").read_text(encoding="utf-8").startswith(line)
    assert line in (repo / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "document",
    [
        {"links": []},
        {"version": 2, "links": []},
        {"version": 1, "links": [{"name": "A"}]},
        {"version": 1, "links": [{"name": "A", "url": "ftp://x"}]},
        {"version": 1, "links": [{"name": "A", "url": "https://a.org/", "ulr": "x"}]},
        {"version": 1, "links": [{"name": "A", "url": "https://a.org/", "accept": 700}]},
        {"version": 1, "links": [{"name": "A", "url": "https://a.org/", "timeout": 0}]},
    ],
)
def test_schema_and_loader_reject_the_same_mistakes(repo, document):
    """A document the loader refuses is also refused by the schema."""
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, committed(repo))
    with pytest.raises(config.ConfigError):
        config.loads(yaml.safe_dump(document), "links.yaml")
