"""What every command shares: consoles, the error policy, option parsing helpers."""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import sys
import warnings
from collections.abc import Callable, Iterator
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment
from typer.core import TyperCommand, TyperGroup

from wargame import interrupts
from wargame.errors import EXIT_ERROR, WargameError
from wargame.textsafe import terminal, without_controls

P = ParamSpec("P")
MISSING_GLYPH = r"Glyph \d+ .*missing from"
"""matplotlib's warning for a character its font cannot draw."""
R = TypeVar("R")


class SafeConsole(Console):
    """A Rich console that never writes a control character it did not make itself.

    Text from scenarios and stores goes through :func:`wargame.textsafe.terminal` where it
    meets markup; this is the safety net behind it: any control character left in the text of
    a segment (not Rich's own cursor and style codes) is removed before it is written, so no
    escape sequence can reach the terminal. Emoji codes (``:smile:``) stay as written.
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(emoji=False, highlight=False, **kwargs)  # type: ignore[arg-type]

    def render(self, renderable: RenderableType,
               options: ConsoleOptions | None = None) -> Iterator[Segment]:
        """Rich's rendering, with control characters taken out of the text segments."""
        for seg in super().render(renderable, options):
            if seg.control is None and not seg.text.isprintable():
                yield Segment(without_controls(seg.text), seg.style)
            else:
                yield seg


# --- help ------------------------------------------------------------------------------------

METAVARS = {
    "--set": "PATH=VALUE", "--vary": "PATH=VALUES", "--outcome": "ID", "--scheduler": "ADDRESS",
    "--precision": "HALF_WIDTH", "--min-share": "SHARE", "--size": "WxH", "--width": "PIXELS",
    "--height": "PIXELS", "--table": "NAME", "--seed": "N", "--design": "grid|lhs|sobol",
}
"""Option values as a user types them, by option (the rest follow :data:`TYPE_METAVARS`)."""

TYPE_METAVARS = {"int": "N", "float": "X", "path": "FILE", "str": "TEXT", "list[str]": "TEXT",
                 "list[path]": "FILE"}
"""Option values by type: Typer's own labels (``<int>``, ``<path>``) read like code."""


def metavar(param: object, ctx: object) -> str:
    """What a parameter's value looks like in help: ``FILE``, ``N``, ``PATH=VALUE``,
    ``table|json|csv``; nothing for a flag; an argument's name in capitals."""
    if getattr(param, "is_flag", False):
        return ""
    opts = list(getattr(param, "opts", []))
    if getattr(param, "param_type_name", "") == "argument":
        name = str(getattr(param, "name", "")).upper()
        return name + ("..." if getattr(param, "nargs", 1) != 1 else "")
    for opt in opts:
        if opt in METAVARS:
            return METAVARS[opt]
    shown = str(param.display_type(ctx)).strip("<>")  # type: ignore[attr-defined]
    return TYPE_METAVARS.get(shown, shown)


def _literal(text: str | None) -> str | None:
    """Help text shown as written: Typer reads help as Rich markup, which would swallow
    ``wargame[dask]`` as a style tag."""
    return None if text is None else terminal(text)


class Command(TyperCommand):
    """A command whose help is shown as written, with values that look like values.

    Every help string (the docstring, the options', the example epilog) is escaped once here,
    so text in brackets survives; each parameter without a metavar gets one from
    :func:`metavar`. Use it for every command: ``app.command(name, cls=Command, ...)``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _help_as_written(self)

    def get_params(self, ctx: Any) -> list[Any]:
        """The parameters, each with a readable metavar (``--help``'s own included)."""
        return _with_metavars(super().get_params(ctx), ctx)

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        """``[OPTIONS] SCENARIO``: arguments by their metavar, optional ones in brackets."""
        return _usage(self, ctx)


def _help_as_written(cmd: Any) -> None:
    """A command's or group's help, epilog and parameter help shown as written."""
    cmd.help = _literal(cmd.help)
    cmd.epilog = _literal(cmd.epilog)
    for param in cmd.params:
        if getattr(param, "help", None):
            param.help = _literal(param.help)


def _with_metavars(params: list[Any], ctx: Any) -> list[Any]:
    for param in params:
        if param.metavar is None:
            kind = TYPE_METAVARS.get(str(param.display_type(ctx)).strip("<>"), "")
            param.metavar = metavar(param, ctx)
            if param.param_type_name == "argument":
                # The help's type column: FILE rather than Typer's <path>.
                param.display_type_rich = lambda ctx, k=kind: k
    return params


def _usage(cmd: Any, ctx: Any) -> list[str]:
    pieces = [cmd.options_metavar] if cmd.options_metavar else []
    for param in cmd.get_params(ctx):
        if param.param_type_name == "argument":
            pieces.append(param.metavar if param.required else f"[{param.metavar}]")
    return pieces


class Group(TyperGroup):
    """A command group with :class:`Command`'s help conventions."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _help_as_written(self)

    def get_params(self, ctx: Any) -> list[Any]:
        """The parameters, each with a readable metavar."""
        return _with_metavars(super().get_params(ctx), ctx)


EXAMPLE_SCENARIO = "scenarios/aleppo_2015.yaml"
"""The scenario the help's examples use (they run from a clone of the repository)."""


def examples(*lines: str) -> str:
    """The epilog of a command's help: its examples, one command per line."""
    return "Examples:\n\n" + "\n".join(f"  {line}" for line in lines) if len(lines) > 1 \
        else f"Example:\n\n  {lines[0]}"


def stdout_console() -> Console:
    """The console for results (stdout). Honours NO_COLOR; no colour when piped."""
    return SafeConsole(soft_wrap=False)


def stderr_console() -> Console:
    """The console for progress, warnings and errors (stderr)."""
    return SafeConsole(stderr=True, soft_wrap=True)


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Map expected failures to a one-line message on stderr and the documented exit code."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        err = stderr_console()
        try:
            with warnings.catch_warnings():
                # A name in a script the plotting font lacks is drawn as a box, which the
                # picture shows: matplotlib's warning about it would only be noise.
                warnings.filterwarnings("ignore", MISSING_GLYPH, UserWarning)
                result = func(*args, **kwargs)
            flush_stdout(err)
            return result
        except WargameError as exc:
            for line in exc.lines():
                err.print(f"[bold red]error:[/] {terminal(line)}")
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM (wargame.interrupts)
            raise _interrupted(err, exc) from None
        except (typer.Exit, typer.Abort):
            flush_stdout(err)
            raise
        except OSError as exc:
            if not output_failed(exc):
                raise _internal(err, exc) from None
            raise _cannot_write_output(err, exc) from None
        except Exception as exc:  # a bug, not a user error: still no traceback for users
            raise _internal(err, exc) from None

    return wrapper


def _internal(err: Console, exc: Exception) -> typer.Exit:
    if interrupts.caused_by_interrupt(exc):  # e.g. a worker pool stopped by the signal
        return _interrupted(err, exc)
    if os.environ.get("WARGAME_DEBUG"):
        raise exc
    err.print(
        f"[bold red]internal error:[/] {type(exc).__name__}: {terminal(str(exc))} "
        "(set WARGAME_DEBUG=1 for a traceback, and please report it)"
    )
    return typer.Exit(EXIT_ERROR)


OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EPIPE, errno.EIO, errno.EFBIG, errno.EDQUOT,
                           errno.EBADF})
"""How writing the results to standard output fails: a full disk (``> /dev/full``), a reader
that went away (``| head``), an I/O error."""


def output_failed(exc: OSError) -> bool:
    """Whether an error is standard output failing (an error of a named file has its name)."""
    return exc.filename is None and exc.errno in OUTPUT_ERRNOS


def flush_stdout(err: Console) -> None:
    """Write out what is still buffered for stdout, so a failure is reported here, as one
    line, rather than by the interpreter at exit."""
    try:
        sys.stdout.flush()
    except OSError as exc:
        raise _cannot_write_output(err, exc) from None
    except (AttributeError, ValueError):  # no stdout at all, or closed: nothing to flush
        pass


def _cannot_write_output(err: Console, exc: OSError) -> typer.Exit:
    return typer.Exit(quiet_stdout(exc, err))


def quiet_stdout(exc: OSError, err: Console | None = None) -> int:
    """After stdout failed: one line on stderr (none for a closed pipe: its reader wanted no
    more), and whatever is still buffered for stdout goes nowhere, so the interpreter does not
    fail on it at exit. Returns the exit code, 1."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    if exc.errno != errno.EPIPE:
        (err or stderr_console()).print(f"[bold red]error:[/] cannot write the output: "
                                        f"{terminal(exc.strerror or exc)}")
    return EXIT_ERROR


def _interrupted(err: Console, exc: BaseException) -> typer.Exit:
    interrupts.hold()  # the clean-up is done; a second Ctrl-C must not cut the message short
    code, line = interrupts.outcome(exc)
    if interrupts.mark_reported():
        err.print(f"[yellow]{line}[/]")
    return typer.Exit(code)

