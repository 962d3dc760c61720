"""What every command shares: consoles, the error policy, option parsing helpers."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from wargame import interrupts
from wargame.errors import EXIT_ERROR, WargameError

P = ParamSpec("P")
R = TypeVar("R")


def stdout_console() -> Console:
    """The console for results (stdout). Honours NO_COLOR; no colour when piped."""
    return Console(highlight=False, soft_wrap=False)


def stderr_console() -> Console:
    """The console for progress, warnings and errors (stderr)."""
    return Console(stderr=True, highlight=False, soft_wrap=True)


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Map expected failures to a one-line message on stderr and the documented exit code."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        err = stderr_console()
        try:
            return func(*args, **kwargs)
        except WargameError as exc:
            for line in exc.lines():
                err.print(f"[bold red]error:[/] {_escape(line)}")
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM (wargame.interrupts)
            raise _interrupted(err, exc) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:  # a bug, not a user error: still no traceback for users
            if interrupts.caused_by_interrupt(exc):  # e.g. a worker pool stopped by the signal
                raise _interrupted(err, exc) from None
            if os.environ.get("WARGAME_DEBUG"):
                raise
            err.print(
                f"[bold red]internal error:[/] {type(exc).__name__}: {_escape(str(exc))} "
                "(set WARGAME_DEBUG=1 for a traceback, and please report it)"
            )
            raise typer.Exit(EXIT_ERROR) from None

    return wrapper


def _interrupted(err: Console, exc: BaseException) -> typer.Exit:
    interrupts.hold()  # the clean-up is done; a second Ctrl-C must not cut the message short
    code, line = interrupts.outcome(exc)
    if interrupts.mark_reported():
        err.print(f"[yellow]{line}[/]")
    return typer.Exit(code)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)

