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


def test_readme_is_read_in_five_minutes(repo):
    """The README stays short: the reference lives in docs/."""
    assert len((repo / "README.md").read_text(encoding="utf-8").splitlines()) <= 300


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _prose(text: str) -> str:
    """The text without fenced code blocks (a `# comment` in code is no heading, no link)."""
    kept, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced:
            kept.append(line)
    return "\n".join(kept)


def _anchors(path) -> set[str]:
    text = _prose(path.read_text(encoding="utf-8"))
    return {_slug(m) for m in re.findall(r"^#{1,6} (.+)$", text, flags=re.MULTILINE)}


def test_every_relative_link_in_the_docs_resolves(repo):
    """Each relative link in README.md and docs/*.md names a file that exists (and its heading)."""
    broken = []
    for doc in [repo / "README.md", *sorted((repo / "docs").glob("*.md"))]:
        text = _prose(doc.read_text(encoding="utf-8"))
        text = re.sub(r"`[^`\n]*`", "", text)  # `[text](url)` in code is an example, not a link
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"^[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            resolved = (doc.parent / path).resolve() if path else doc
            if not resolved.exists():
                broken.append(f"{doc.name}: {target}")
            elif anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved):
                broken.append(f"{doc.name}: {target} (no such heading)")
    assert broken == []
