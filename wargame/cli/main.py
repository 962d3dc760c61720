"""The ``wargame`` console script: take charge of Ctrl-C first, then load the command line.

Interrupt handling is installed before anything heavy is imported, so Ctrl-C during the first
second (while Typer, NumPy and the engine load) is as clean as later: exit code 130 (143 for
SIGTERM) and one line on stderr, whatever was running. See :mod:`wargame.interrupts`.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import os
import sys

from wargame import interrupts


class ClosedOutput:
    """Standard output when the process was started without one (``>&-``): Python leaves
    ``sys.stdout`` as ``None``, where a JSON result failed with an internal error and a table
    was lost with exit code 0. Writing to this fails as a closed descriptor does (EBADF), so
    the one error policy reports it (:func:`wargame.cli.common.output_failed`): one line, exit
    code 1. A command that writes no result (``map --out``) is not affected."""

    encoding = "utf-8"
    errors = "strict"

    def write(self, text: str) -> int:
        """Fail: there is no standard output."""
        raise OSError(errno.EBADF, "standard output is closed")

    def flush(self) -> None:
        """Nothing was written."""

    def isatty(self) -> bool:
        """Not a terminal."""
        return False

    def fileno(self) -> int:
        """No descriptor."""
        raise OSError(errno.EBADF, "standard output is closed")


def main() -> None:
    """Console-script entry point."""
    interrupts.install()
    if sys.stdout is None:
        sys.stdout = ClosedOutput()
    try:
        code = _run()
        interrupts.hold()  # done: a signal during the interpreter's exit is ignored
    except KeyboardInterrupt as exc:  # raised while an earlier one was being handled
        code = _stop(exc)
    if interrupts.received() is not None:
        if not interrupts.reported():
            # A signal came but was never raised (it arrived as the command ended): the run
            # was still interrupted, and says so, never exit code 0.
            code = _stop(None)
        _exit_now(code)
    sys.exit(code)


def _exit_now(code: int | str | None) -> None:
    """Exit with ``code`` after the usual exit handlers, but without the interpreter's own
    finalisation: when a KeyboardInterrupt ends an extension module's initialisation (an
    import cut short by Ctrl-C), CPython remembers it and, at the very end, kills the process
    with SIGINT, however the program handled it (exit -2 instead of 130)."""
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing to keep
            stream.flush()
    os._exit(code if isinstance(code, int) else 1)


def _run() -> int | str | None:
    try:
        from wargame.cli.app import app

        app(prog_name="wargame")  # Typer's standalone mode ends with SystemExit
        return 0
    except SystemExit as exc:
        # Typer turns a KeyboardInterrupt outside a command (while parsing) into a silent 130.
        return _stop(None) if interrupts.received() is not None else exc.code
    except KeyboardInterrupt as exc:
        return _stop(exc)
    except Exception as exc:
        # An interrupt can reach here wrapped in another error: Python turns one raised in a
        # class body's __set_name__ (Rich's import, say) into a RuntimeError.
        if interrupts.caused_by_interrupt(exc):
            return _stop(exc)
        if not isinstance(exc, OSError):
            raise
        # stdout failed outside a command (--version, --help > /dev/full)
        from wargame.cli.common import output_failed, quiet_stdout

        if not output_failed(exc):
            raise
        return quiet_stdout(exc)


def _stop(exc: BaseException | None) -> int:
    interrupts.hold()
    code, line = interrupts.outcome(exc)
    if interrupts.mark_reported():
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    return code
