"""Whatever bytes arrive, the loader returns a Config or raises linkwatch's own ConfigError."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkwatch.errors import ConfigError
from linkwatch.listfile import config
from linkwatch.models import Config

FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def load_or_config_error(load) -> None:
    try:
        result = load()
    except ConfigError as e:
        assert e.problems, "a ConfigError always says what is wrong"  # noqa: PT017
        for problem in e.problems:
            assert problem.message
    else:
        assert isinstance(result, Config)


@FUZZ
@given(st.binary(max_size=2000))
def test_arbitrary_bytes(tmp_path_factory, data):
    """Random bytes from a file: a config or a ConfigError, never another exception."""
    path = tmp_path_factory.mktemp("fuzz") / "links.yaml"
    path.write_bytes(data)
    load_or_config_error(lambda: config.load(path))


@FUZZ
@given(st.text(max_size=2000))
def test_arbitrary_text(text):
    """Random text: a config or a ConfigError, never another exception."""
    load_or_config_error(lambda: config.loads(text))


YAML_ALPHABET = st.sampled_from(
    list("version: 1\nlinks:\n  - name url https://a.org/ \"'[]{},&*!|>-?#%@`\t\r\ufeff\x00\x85")
)


@FUZZ
@given(st.lists(YAML_ALPHABET, max_size=300).map("".join))
def test_yaml_flavoured_text(text):
    """Text built from YAML's own punctuation reaches the parser's corners."""
    load_or_config_error(lambda: config.loads(text))


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(["https://a.org/", "http://x", "200-299", "2xx", "1", "*.a.org"]),
)
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["name", "url", "accept", "timeout", "skip", "tags", "x"]),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)
link_entries = st.dictionaries(
    st.sampled_from([*list(config.LINK.fields), "ulr"]), values, max_size=6
)
documents = st.fixed_dictionaries(
    {},
    optional={
        "version": st.one_of(st.just(1), scalars),
        "links": st.one_of(st.lists(st.one_of(link_entries, values), max_size=5), values),
        "defaults": st.one_of(
            st.dictionaries(st.sampled_from(list(config.DEFAULTS.fields)), values, max_size=4),
            values,
        ),
    },
)


@FUZZ
@given(documents)
def test_structured_documents(document):
    """Near-valid documents: a config or a ConfigError, never another exception."""
    text = yaml.safe_dump(document, allow_unicode=True)
    load_or_config_error(lambda: config.loads(text))
