"""The ``wargame`` console script: take charge of Ctrl-C first, then load the command line.

Interrupt handling is installed before anything heavy is imported, so Ctrl-C during the first
second (while Typer, NumPy and the engine load) is as clean as later: exit code 130 (143 for
SIGTERM) and one line on stderr, whatever was running. See :mod:`wargame.interrupts`.
"""

from __future__ import annotations

import sys

from wargame import interrupts


def main() -> None:
    """Console-script entry point."""
    interrupts.install()
    try:
        code = _run()
    except KeyboardInterrupt as exc:  # raised while an earlier one was being handled
        code = _stop(exc)
    interrupts.hold()  # a signal during the interpreter's exit is only noted
    sys.exit(code)


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


def _stop(exc: BaseException | None) -> int:
    interrupts.hold()
    code, line = interrupts.outcome(exc)
    if interrupts.mark_reported():
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    return code
