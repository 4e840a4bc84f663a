"""The README opens with the two commands a new user needs, and CI runs the same test command."""

from __future__ import annotations

import re


def commands(repo) -> list[str]:
    """The shell commands in the README's opening, before the first horizontal rule."""
    text = (repo / "README.md").read_text(encoding="utf-8")
    opening = text.split("\n---\n", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", opening, flags=re.DOTALL)


def test_readme_opens_with_exactly_two_commands(repo):
    """One command installs and runs check; the other installs and runs the tests."""
    first, second = commands(repo)
    assert "\n" not in first
    assert "\n" not in second
    assert "pip install" in first
    assert first.endswith("linkwatch check")
    assert "pip install" in second
    assert "pytest" in second


def test_ci_runs_the_readme_test_command(repo):
    """.ci/run contains the README's test command word for word."""
    test_command = commands(repo)[1]
    assert test_command in (repo / ".ci" / "run").read_text(encoding="utf-8")
