"""What `linkwatch init` writes: the Action at this release, hooks from the repository, no index."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
import yaml

from linkwatch._version import __version__
from linkwatch.errors import WriteError
from linkwatch.listfile import scaffold

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
CANONICAL = PYPROJECT["project"]["urls"]["Repository"]


def planned() -> dict[str, str]:
    return {item.path: item.content.decode("utf-8") for item in scaffold.plan()}


def test_repository_url_is_the_one_in_pyproject():
    """The URL comes from the installed metadata, which pyproject's [project.urls] wrote."""
    assert scaffold.repository_url() == CANONICAL == "https://github.com/linkwatch/linkwatch"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/linkwatch/linkwatch", "linkwatch/linkwatch@v1.2.3"),
        ("https://github.com/o/r.git", "o/r@v1.2.3"),
        ("https://github.com/o/r/", "o/r@v1.2.3"),
    ],
)
def test_action_reference(url, expected):
    """OWNER/NAME@vVERSION, whatever the URL's trailing slash or .git."""
    assert scaffold.action_reference(url, "1.2.3") == expected


def test_without_a_repository_url_init_says_so(monkeypatch):
    """Metadata without the Repository entry is an error, not a workflow naming nothing."""

    class Meta:
        def get_all(self, name):
            return ["Homepage, https://example.org"]

    monkeypatch.setattr(metadata, "metadata", lambda name: Meta())
    with pytest.raises(WriteError, match="the package metadata names no Repository URL"):
        scaffold.plan()


def test_the_workflow_uses_the_action_at_this_release_with_history_and_issues():
    """`uses:` is pinned to this version's tag; history and per-link issues are on nightly."""
    workflow = yaml.safe_load(planned()[".github/workflows/linkwatch.yml"])
    assert workflow["permissions"] == {}
    job = workflow["jobs"]["check"]
    assert job["permissions"] == {"contents": "read", "issues": "write"}
    action = job["steps"][1]
    assert action["uses"] == f"linkwatch/linkwatch@v{__version__}"
    assert action["with"] == {
        "config": "links.yaml",
        "history": "${{ github.event_name != 'pull_request' }}",
        "fail-after": 2,
        "issues": "${{ github.event_name == 'pull_request' && 'none' || 'per-link' }}",
        "fail": False,
    }


def test_the_workflow_passes_only_inputs_the_action_has():
    """Every `with:` key is an input of action.yml (actionlint cannot see a remote action)."""
    inputs = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))["inputs"]
    workflow = yaml.safe_load(planned()[".github/workflows/linkwatch.yml"])
    assert set(workflow["jobs"]["check"]["steps"][1]["with"]) <= set(inputs)


def test_the_pre_commit_hooks_exist_in_the_repository():
    """The hook ids init names are the ones .pre-commit-hooks.yaml offers."""
    offered = {hook["id"] for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    config = yaml.safe_load(planned()[".pre-commit-config.yaml"])
    (repo,) = config["repos"]
    assert repo["repo"] == CANONICAL
    assert repo["rev"] == f"v{__version__}"
    assert (
        {hook["id"] for hook in repo["hooks"]}
        <= offered
        == {
            "linkwatch-validate",
            "linkwatch-clean",
        }
    )


def test_no_file_names_a_package_index():
    """Nothing init writes installs linkwatch by a package name."""
    for path, text in planned().items():
        for pattern in (r"pip install", r"additional_dependencies", r"linkwatch\s*[><=~]"):
            assert not re.search(pattern, text), (path, pattern)


def test_every_mention_of_the_repository_is_the_canonical_one():
    """Docs and hook files name the same repository as pyproject (written once, used there)."""
    owner_name = CANONICAL.removeprefix("https://github.com/")
    found = set()
    for path in (ROOT / "docs" / "ci.md", ROOT / ".pre-commit-hooks.yaml"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r"github\.com/([\w.-]+/linkwatch)\b", text))
        found |= set(re.findall(r"uses: ([\w.-]+/linkwatch)@", text))
    assert found == {owner_name}


def test_without_hard_links_the_file_is_created_exclusively(tmp_path, monkeypatch):
    """Where os.link fails (FAT, network shares), the file is still created, never replaced."""

    def no_links(src, dst):
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(scaffold.os, "link", no_links)
    target = tmp_path / "a" / "b.yml"
    assert scaffold.write_new(target, b"x: 1\r\n") is scaffold.Result.WRITTEN
    assert target.read_bytes() == b"x: 1\r\n"
    assert scaffold.write_new(target, b"other") is scaffold.Result.EXISTS
    assert target.read_bytes() == b"x: 1\r\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["b.yml"]


def test_init_files_are_written_byte_for_byte_with_lf(tmp_path):
    """What init writes is the plan's bytes, LF line endings, on every platform."""
    results = scaffold.init(tmp_path)
    assert [r for _, r in results] == [scaffold.Result.WRITTEN] * 4
    for item, _ in results:
        data = (tmp_path / item.path).read_bytes()
        assert data == item.content
        assert b"\r\n" not in data
