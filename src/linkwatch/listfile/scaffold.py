"""`linkwatch init`: the files another repository needs to watch its own list.

Every file is created only where none exists: an existing file is never overwritten, and a
file is either written whole or not at all (temporary file, then a hard link, which fails
if the name was taken meanwhile).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path

from linkwatch.errors import WriteError
from linkwatch.listfile import config


@dataclass(frozen=True, slots=True)
class Planned:
    """One file `init` writes, relative to the target directory."""

    path: str
    content: bytes
    executable: bool = False
    purpose: str = ""


class Result(StrEnum):
    """What happened to one planned file."""

    WRITTEN = "written"
    EXISTS = "exists, left as it is"


def _template(name: str) -> bytes:
    return resources.files("linkwatch").joinpath("data", "templates", name).read_bytes()


def plan() -> list[Planned]:
    """The starter files, in the order they are written."""
    schema = json.dumps(config.json_schema(), indent=2, ensure_ascii=False) + "\n"
    return [
        Planned("links.yaml", _template("links.yaml"), purpose="the list, with a starter entry"),
        Planned(
            "links.schema.json",
            schema.encode(),
            purpose="JSON Schema, so editors validate links.yaml as you type",
        ),
        Planned(
            ".github/workflows/linkwatch.yml",
            _template("linkwatch.yml"),
            purpose="nightly check, job summary, tracking issue, pull-request annotations",
        ),
        Planned(
            ".github/scripts/linkwatch-issue.sh",
            _template("linkwatch-issue.sh"),
            executable=True,
            purpose="keeps one open issue in step with the report",
        ),
        Planned(
            ".pre-commit-config.yaml",
            _template("pre-commit-config.yaml"),
            purpose="validate and clean links.yaml before each commit",
        ),
    ]


def write_new(path: Path, content: bytes, *, executable: bool = False) -> Result:
    """Create ``path`` with ``content`` unless it exists; never overwrite, never half-write."""
    if path.exists() or path.is_symlink():
        return Result.EXISTS
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as stream:
                stream.write(content)
                stream.flush()
                os.fsync(stream.fileno())
            umask = os.umask(0)
            os.umask(umask)
            tmp.chmod((0o777 if executable else 0o666) & ~umask)
            try:
                os.link(tmp, path)  # fails if the name was taken since the check above
            except FileExistsError:
                return Result.EXISTS
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink()
    except OSError as e:
        raise WriteError(f"{path}: could not be created ({e.strerror or e})") from e
    return Result.WRITTEN


def init(directory: Path) -> list[tuple[Planned, Result]]:
    """Write every starter file that does not exist yet under ``directory``."""
    if directory.exists() and not directory.is_dir():
        raise WriteError(f"{directory}: is not a directory")
    return [
        (item, write_new(directory / item.path, item.content, executable=item.executable))
        for item in plan()
    ]
