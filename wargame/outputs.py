"""Files a command is asked to write (``--out``, ``--games``, ``--save-state``): checked before
any game is played, written whole or not at all, and said when written.

Checked first
-------------

* :func:`check_target` fails at once, with a usage error (exit code 2), when the file could
  not be written at the end: its folder is missing, it is a folder, it exists read-only, or the
  folder refuses a new file (a read-only file system, no permission). The last is found by
  creating and removing an empty probe file there, which is the only test that holds for every
  file system and user (``os.access`` says yes to root on a read-only mount). So a 10,000-game
  report to an unwritable place fails in a second, not after the games.
* An existing file is replaced, as ``cp`` and ``matplotlib`` replace one: re-running a command
  to redraw a picture is the common case. The message says so (:func:`wrote`: ``wrote map.png,
  replacing the earlier file``), so a replacement is never silent.

Written whole or not at all
---------------------------

This is the one way the tool writes a file it is asked for. Every output (``report``, ``map``
and ``plot`` pictures, ``schema --out``, ``results export``, ``batch --games``, ``branch
--save-state``) is written to a temporary file in the same folder (``.NAME.XXXX.tmp``), flushed
to disk, and renamed over the target: on a full disk, a failed write or an interrupt
the previous file stays as it was, and no empty or cut-off file is left behind. The rename is
atomic on POSIX file systems because the temporary file is in the target's own folder.

A target that exists and is not a regular file (``/dev/stdout``, ``/dev/null``, a named pipe)
is written directly by :func:`write_with`: it cannot be replaced, only written to. A writer that
needs a file of its own (:class:`Replacement`, for Parquet records) refuses such a target, so
that a rename never puts a file in place of a device (a ``--games`` name linked to
``/dev/full`` once replaced the device). A symbolic link is followed, so the file it points to
is replaced, as a plain write would change it.

A temporary file carries the id of the process writing it (``.NAME.PID.XXXX.tmp``): one left by
a killed run (``kill -9``) is removed by the next write to the same target.

Failures are :class:`wargame.errors.WargameError` (exit code 1): ``cannot write FILE: No
space left on device``.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from wargame.errors import UsageError, WargameError

PROBE_PREFIX = ".wargame-probe-"
TEMP_SUFFIX = ".tmp"


def check_target(path: Path, option: str = "--out") -> bool:
    """Fail unless ``path`` can be written; return whether a regular file is there (it will be
    replaced). A device or a pipe (``/dev/stdout``) is written to, not replaced: it only needs
    to be writable."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise UsageError(f"{option} {path}: is a directory")
    if not folder.is_dir():
        raise UsageError(f"{option} {path}: directory {folder} does not exist")
    exists = path.exists()
    if exists and not os.access(path, os.W_OK):
        raise UsageError(f"{option} {path}: the file is read-only")
    if exists and not path.is_file():
        return False
    try:
        fd, probe = tempfile.mkstemp(prefix=PROBE_PREFIX, dir=folder)
    except OSError as exc:
        raise UsageError(f"{option} {path}: cannot write in {folder}: "
                         f"{exc.strerror or exc}") from None
    os.close(fd)
    os.unlink(probe)
    return exists


def wrote(path: Path, replaced: bool, detail: str = "") -> str:
    """The note after writing: ``wrote map.png (1600x1200)``, and when a file was there before,
    ``wrote map.png (1600x1200), replacing the earlier file``."""
    return (f"wrote {path}" + (f" ({detail})" if detail else "")
            + (", replacing the earlier file" if replaced else ""))


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (see the module docstring)."""
    write_with(path, lambda f: f.write(data))


def write_text(path: Path, text: str) -> None:
    """Write ``text`` as UTF-8 to ``path`` whole or not at all."""
    write_bytes(path, text.encode("utf-8"))


def write_with(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Call ``write`` with an open binary file; it becomes ``path`` only if ``write`` and the
    flush to disk succeed."""
    target = _target(path)
    if _is_special(target):  # a device or a pipe: written directly
        _direct(target, write, path)
        return
    with replacing(path) as tmp:
        try:
            with open(tmp, "wb") as f:
                write(f)
                f.flush()
                os.fsync(f.fileno())
        except OSError as exc:
            raise cannot_write(path, exc) from None


class Replacement:
    """A temporary file next to ``path``: :meth:`commit` renames it over ``path``,
    :meth:`discard` removes it. For a writer that outlives one block (``batch --games``)."""

    def __init__(self, path: Path) -> None:
        self.target = _target(path)
        self.shown = path
        if _is_special(self.target):
            raise not_a_file(path)
        self.folder = self.target.parent if str(self.target.parent) else Path(".")
        prefix = f".{self.target.name[:100]}."
        _remove_stale(self.folder, prefix)
        try:
            fd, name = tempfile.mkstemp(prefix=f"{prefix}{os.getpid()}.",
                                        suffix=TEMP_SUFFIX, dir=self.folder)
        except OSError as exc:
            raise cannot_write(path, exc) from None
        os.close(fd)
        self.path = Path(name)

    def commit(self) -> None:
        """Put the written file in place of the target."""
        try:
            os.chmod(self.path, _mode(self.target))
            os.replace(self.path, self.target)
        except OSError as exc:
            self.discard()
            raise cannot_write(self.shown, exc) from None
        _sync_folder(self.folder)

    def discard(self) -> None:
        """Remove the temporary file (the target is left as it was)."""
        with contextlib.suppress(OSError):
            self.path.unlink(missing_ok=True)


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary file's path next to ``path`` to write into; when the block ends without an
    error it is renamed over ``path``; otherwise it is removed and ``path`` left as it was."""
    tmp = Replacement(path)
    try:
        yield tmp.path
    except BaseException:
        tmp.discard()
        raise
    tmp.commit()


def not_a_file(path: Path, option: str = "") -> WargameError:
    """The error for a target that is a device, a pipe or a socket where a file must be."""
    from wargame.textsafe import excerpt

    return UsageError(f"{option + ' ' if option else ''}{excerpt(path, 200)}: is a device, a "
                      "pipe or a socket, not a file; give the name of a file")


def is_special(path: Path) -> bool:
    """Whether ``path`` (a link followed) exists and is neither a regular file nor a folder."""
    return _is_special(_target(path))


def _remove_stale(folder: Path, prefix: str) -> None:
    """Remove temporary files for the same target left by processes that no longer run."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            name = entry.name
            if not (name.startswith(prefix) and name.endswith(TEMP_SUFFIX)):
                continue
            pid = name[len(prefix):].split(".", 1)[0]
            if pid.isdigit() and not _running(int(pid)) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's, or not ours to judge: left alone
    return True


def cannot_write(path: Path, exc: OSError) -> WargameError:
    """The one-line error for a failed write."""
    from wargame.textsafe import excerpt

    return WargameError(f"cannot write {excerpt(path, 200)}: {exc.strerror or exc}")


def _target(path: Path) -> Path:
    """The file a write to ``path`` changes: a symbolic link's target, else ``path``."""
    try:
        return path.resolve() if path.is_symlink() else path
    except (OSError, RuntimeError):
        return path


def _is_special(path: Path) -> bool:
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def _direct(target: Path, write: Callable[[BinaryIO], object], shown: Path) -> None:
    try:
        with open(target, "wb") as f:
            write(f)
            f.flush()
    except OSError as exc:
        raise cannot_write(shown, exc) from None


def _mode(target: Path) -> int:
    """The new file's permissions: the old file's, else what the umask gives a new file."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _sync_folder(folder: Path) -> None:
    """Flush the rename to disk where the platform allows it (best effort)."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
