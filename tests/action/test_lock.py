"""requirements/action.txt pins, by hash, exactly what pyproject and the build backend ask for.

Offline: the lock's own `# via` notes are compared with pyproject.toml, so a dependency
added, removed or re-bounded there without regenerating the lock fails here. (CI's `lock`
job also regenerates it with uv and compares, which needs the package index.)
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements" / "action.txt"
BUILD_IN = ROOT / "requirements" / "build.in"
PYPROJECT = "linkwatch (pyproject.toml)"
BUILD = "-r requirements/build.in"


@dataclass
class Pin:
    version: str
    hashes: int = 0
    via: set[str] = field(default_factory=set)


def parse_lock(text: str) -> dict[str, Pin]:
    pins: dict[str, Pin] = {}
    current: Pin | None = None
    for line in text.splitlines():
        if match := re.match(r"^([A-Za-z0-9._-]+)==(\S+?)(?: ;.*?)? \\$", line):
            current = pins[canonicalize_name(match[1])] = Pin(match[2])
        elif current is not None and re.match(r"^    --hash=sha256:[0-9a-f]{64}", line):
            current.hashes += 1
        elif current is not None and (match := re.match(r"^    #(?:   | via )(.+)$", line)):
            current.via.add(match[1].strip())
    return pins


def requirements(pyproject_text: str) -> list[Requirement]:
    return [Requirement(r) for r in tomllib.loads(pyproject_text)["project"]["dependencies"]]


def stale(pyproject_text: str, build_text: str, lock_text: str) -> list[str]:
    """Why the lock does not match its inputs; empty when it does."""
    pins = parse_lock(lock_text)
    problems = []
    direct = {canonicalize_name(r.name): r for r in requirements(pyproject_text)}
    build = {
        canonicalize_name(r.name): r
        for r in (Requirement(line) for line in build_text.splitlines() if line[:1].isalpha())
    }
    for group, wanted, note in ((direct, direct, PYPROJECT), (build, build, BUILD)):
        for name, requirement in group.items():
            pin = pins.get(name)
            if pin is None:
                problems.append(f"{name}: not pinned")
            elif not requirement.specifier.contains(pin.version, prereleases=True):
                problems.append(f"{name}=={pin.version}: outside {requirement.specifier}")
            elif note not in pin.via:
                problems.append(f"{name}: not noted as required by {note}")
        for name, pin in pins.items():
            if note in pin.via and name not in wanted:
                problems.append(f"{name}: pinned for {note}, which no longer asks for it")
    for name, pin in pins.items():
        if not pin.hashes:
            problems.append(f"{name}: no hash")
        if not pin.via or not all(v in {PYPROJECT, BUILD} or v in pins for v in pin.via):
            problems.append(f"{name}: required by {sorted(pin.via)}, not all of them pinned")
    return problems


def test_the_lock_matches_pyproject_and_the_build_backend():
    """Every dependency pinned within its bounds, with hashes; nothing left over."""
    assert (
        stale(
            (ROOT / "pyproject.toml").read_text(encoding="utf-8"),
            BUILD_IN.read_text(encoding="utf-8"),
            LOCK.read_text(encoding="utf-8"),
        )
        == []
    )


def test_the_build_backend_is_the_one_pyproject_builds_with():
    """build.in asks for what [build-system] requires."""
    system = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    lines = [line for line in BUILD_IN.read_text().splitlines() if line[:1].isalpha()]
    assert lines == system


def test_a_stale_lock_is_caught():
    """An added dependency, a removed one and a raised bound are each reported."""
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    build = BUILD_IN.read_text(encoding="utf-8")
    lock = LOCK.read_text(encoding="utf-8")
    added = pyproject.replace('"pyyaml>=6.0.1",', '"pyyaml>=6.0.1",\n  "tldextract>=5.1",')
    assert stale(added, build, lock) == ["tldextract: not pinned"]
    removed = pyproject.replace('"pyyaml>=6.0.1",', "")
    assert stale(removed, build, lock) == [
        "pyyaml: pinned for linkwatch (pyproject.toml), which no longer asks for it"
    ]
    raised = pyproject.replace('"httpx>=0.27",', '"httpx>=99",')
    assert stale(raised, build, lock) == ["httpx==0.29.0: outside >=99"]
    start = lock.index("mdurl==")
    end = lock.index("    # via markdown-it-py", start)
    head, *hashes = lock[start:end].splitlines(keepends=True)
    assert len(hashes) == 2
    unhashed = lock[:start] + head + lock[end:]
    assert stale(pyproject, build, unhashed) == ["mdurl: no hash"]


def test_the_lock_has_no_tldextract_stack():
    """The dependencies publicsuffixlist replaced are gone from what the Action installs."""
    pins = parse_lock(LOCK.read_text(encoding="utf-8"))
    assert not {"tldextract", "requests", "urllib3", "charset-normalizer", "filelock"} & set(pins)
    assert "publicsuffixlist" in pins
