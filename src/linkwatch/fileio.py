"""Write files so that a reader sees the old content or the new, never half of either."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from typing import TYPE_CHECKING

from linkwatch.errors import WriteError

if TYPE_CHECKING:
    from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``: temp file in the same folder, fsync, ``os.replace``.

    An existing file keeps its permission bits. On failure the original is untouched, the
    temp file removed, and ``WriteError`` raised.
    """
    folder = path.parent
    temp = folder / f".{path.name}.{secrets.token_hex(4)}.tmp"
    try:
        try:
            mode: int | None = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            mode = None
        # O_EXCL: never write through a file (or symlink) someone else put at the temp name.
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            if mode is not None:
                temp.chmod(mode)
            temp.replace(path)
        except BaseException:
            with contextlib.suppress(OSError):
                temp.unlink()
            raise
        _fsync_folder(folder)
    except OSError as e:
        raise WriteError(f"cannot write {path}: {e.strerror or e}") from e


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable; some platforms cannot open a folder, which is fine."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
