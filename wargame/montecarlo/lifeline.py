"""Worker processes end when the process that started them dies, however it dies.

A batch with ``--workers`` runs its chunks in a fork server's children. If the main process is
killed (SIGKILL, the out-of-memory killer) it cannot stop them, and idle workers holding the
compiled engine (about 200 MB each) would stay behind. On Linux each of them, and the fork
server, asks the kernel for SIGKILL when its parent dies (``prctl(PR_SET_PDEATHSIG)``): the
main process's death ends the fork server, whose death ends the workers. Elsewhere nothing is
done (the pool's own pipes end idle workers once the parent's end of them closes).
"""

from __future__ import annotations

import os
import signal
import sys

PR_SET_PDEATHSIG = 1
PARENT_VARIABLE = "WARGAME_POOL_PARENT"
"""The main process's id, as the fork server finds it in its environment."""


def die_with_parent(parent: int | None = None) -> None:
    """Be killed when the parent process dies; exit now if it has died already (``parent``:
    the id it must have, else the one it has now)."""
    if not sys.platform.startswith("linux"):
        return
    expected = os.getppid() if parent is None else parent
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0:
            return
    except (OSError, AttributeError):
        return
    if os.getppid() != expected:  # the parent died before the request was made
        os._exit(1)


def from_environment() -> None:
    """:func:`die_with_parent` for the fork server, whose parent's id is in the environment."""
    raw = os.environ.get(PARENT_VARIABLE, "")
    if raw.isdigit():
        die_with_parent(int(raw))
