"""Replace a file's contents atomically: either the whole new file is there, or the old one is.

Used by ``linkwatch clean --write`` and by anything else that writes a user's file (report
``--output``, adopting redirects). The new bytes go to a temporary file in the same
directory (so ``os.replace`` is a rename on one file system), are flushed and fsynced, get
the old file's permission bits, and only then replace the target. A symlink is written
*through*: its target is replaced and the link itself stays a link.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from linkwatch.errors import WriteError

if TYPE_CHECKING:
    from collections.abc import Iterable


def real_target(path: Path) -> Path:
    """The file a write to ``path`` must replace: the end of any chain of symlinks."""
    return Path(os.path.realpath(path))


def write_atomic(
    path: Path,
    data: bytes | Iterable[bytes],
    expected_original: bytes | None = None,
    *,
    shown: str | None = None,
) -> None:
    """Replace ``path``'s contents with ``data``, or raise WriteError leaving it untouched.

    ``data`` may come in pieces (an iterable of bytes): a large report is then written as it
    is rendered, and still appears whole or not at all.

    ``expected_original``: the bytes the caller read and edited. If the file no longer holds
    exactly these (someone saved it meanwhile), nothing is written. None means "create or
    overwrite whatever is there".
    """
    name = shown or str(path)
    target = real_target(path)
    mode = _mode_of(target, name)
    _check_unchanged(target, expected_original, name)
    fd, tmp_name = _make_temp(target, name)
    tmp = Path(tmp_name)
    try:
        try:
            with os.fdopen(fd, "wb") as stream:
                if isinstance(data, bytes):
                    stream.write(data)
                else:
                    stream.writelines(data)
                stream.flush()
                os.fsync(stream.fileno())
            tmp.chmod(mode)
            # Checked again at the last moment: the window for a lost edit is now tiny.
            _check_unchanged(target, expected_original, name)
            tmp.replace(target)  # os.replace: atomic on POSIX and Windows
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
    except OSError as e:
        raise WriteError(
            f"{name}: could not be written ({_reason(e)}); it was left as it was"
        ) from e
    _sync_directory(target.parent)


def _mode_of(target: Path, name: str) -> int:
    """Permission bits for the new file: the old file's, else the usual default for new files."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
    except OSError as e:
        raise WriteError(f"{name}: cannot be examined ({_reason(e)}); nothing was written") from e


def _check_unchanged(target: Path, expected: bytes | None, name: str) -> None:
    if expected is None:
        return
    try:
        current = target.read_bytes()
    except OSError as e:
        raise WriteError(f"{name}: cannot be re-read ({_reason(e)}); nothing was written") from e
    if current != expected:
        raise WriteError(
            f"{name}: changed on disk since linkwatch read it; nothing was written."
            " Run the command again"
        )


def _make_temp(target: Path, name: str) -> tuple[int, str]:
    try:
        return tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as e:
        raise WriteError(
            f"{name}: cannot create a temporary file beside it ({_reason(e)}); nothing was written"
        ) from e


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable; best effort, as not every platform can open a folder."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _reason(error: OSError) -> str:
    return error.strerror or str(error)
