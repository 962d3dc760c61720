"""Files a command is asked to write (``--out``, ``--games``): checked before any game is
played, and said when written.

* :func:`check_target` fails at once, with a usage error (exit code 2), when the file could
  not be written at the end: its folder is missing, it is a folder, it exists read-only, or the
  folder refuses a new file (a read-only file system, no permission). The last is found by
  creating and removing an empty probe file there, which is the only test that holds for every
  file system and user (``os.access`` says yes to root on a read-only mount). So a 10,000-game
  report to an unwritable place fails in a second, not after the games.
* An existing file is replaced, as ``cp`` and ``matplotlib`` replace one: re-running a command
  to redraw a picture is the common case. The message says so (:func:`wrote`: ``wrote map.png,
  replacing the earlier file``), so a replacement is never silent.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from wargame.errors import UsageError

PROBE_PREFIX = ".wargame-probe-"


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
