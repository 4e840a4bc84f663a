"""`linkwatch init`: the files another repository needs to watch its own list.

The workflow uses linkwatch's GitHub Action and the pre-commit configuration its repository,
both at the release of the linkwatch that writes them: no package index is named. The
repository's address is written once, in the package metadata (``[project.urls]``).

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
from importlib import metadata, resources
from pathlib import Path
from urllib.parse import urlsplit

from linkwatch._version import __version__
from linkwatch.errors import WriteError
from linkwatch.listfile import config

# The [project.urls] entry that names linkwatch's repository.
REPOSITORY_LABEL = "Repository"


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


def repository_url() -> str:
    """linkwatch's repository, as the installed package's metadata names it."""
    try:
        entries = metadata.metadata("linkwatch").get_all("Project-URL") or []
    except metadata.PackageNotFoundError as e:
        raise WriteError("linkwatch is not installed, so its repository is unknown") from e
    for entry in entries:
        label, _, url = str(entry).partition(",")
        if label.strip() == REPOSITORY_LABEL:
            return url.strip()
    raise WriteError(f"the package metadata names no {REPOSITORY_LABEL} URL")


def release_tag(version: str = __version__) -> str:
    """The git tag of a release: ``0.1.0`` → ``v0.1.0``."""
    return f"v{version}"


def action_reference(url: str, version: str = __version__) -> str:
    """``uses:`` for the Action at a release: ``https://github.com/o/r`` → ``o/r@v0.1.0``."""
    owner_name = urlsplit(url).path.strip("/").removesuffix(".git")
    return f"{owner_name}@{release_tag(version)}"


def plan() -> list[Planned]:
    """The starter files, in the order they are written."""
    schema = json.dumps(config.json_schema(), indent=2, ensure_ascii=False) + "\n"
    url = repository_url()
    workflow = (
        _template("linkwatch.yml")
        .decode()
        .format(action=action_reference(url), docs=f"{url}/blob/{release_tag()}/docs/ci.md")
    )
    pre_commit = (
        _template("pre-commit-config.yaml").decode().format(repository=url, rev=release_tag())
    )
    return [
        Planned("links.yaml", _template("links.yaml"), purpose="the list, with a starter entry"),
        Planned(
            "links.schema.json",
            schema.encode(),
            purpose="JSON Schema, so editors validate links.yaml as you type",
        ),
        Planned(
            ".github/workflows/linkwatch.yml",
            workflow.encode(),
            purpose="nightly check with linkwatch's Action: history, one issue per failing link,"
            " job summary, pull-request annotations",
        ),
        Planned(
            ".pre-commit-config.yaml",
            pre_commit.encode(),
            purpose="validate and clean links.yaml before each commit (hooks from linkwatch's"
            " repository)",
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
            except OSError:
                # No hard links here (FAT, some network shares): an exclusive create, which
                # also never replaces a file, and a file cut short is removed.
                return _create_exclusive(path, content, tmp.stat().st_mode)
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink()
    except OSError as e:
        raise WriteError(f"{path}: could not be created ({e.strerror or e})") from e
    return Result.WRITTEN


def _create_exclusive(path: Path, content: bytes, mode: int) -> Result:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
    except FileExistsError:
        return Result.EXISTS
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise
    return Result.WRITTEN


def init(directory: Path) -> list[tuple[Planned, Result]]:
    """Write every starter file that does not exist yet under ``directory``."""
    if directory.exists() and not directory.is_dir():
        raise WriteError(f"{directory}: is not a directory")
    return [
        (item, write_new(directory / item.path, item.content, executable=item.executable))
        for item in plan()
    ]
