"""What every command shares: consoles, the error policy, option parsing helpers."""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import re
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
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

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        """Rich's text, without the spaces that pad each line to the width when no colour
        is shown (piped, or ``NO_COLOR``): a file or a ``grep`` gets the words only."""
        text = super()._render_buffer(buffer)
        if self.color_system is None or self.no_color:
            text = TRAILING_SPACES.sub("", text)
        return text


TRAILING_SPACES = re.compile(r"[ \t]+(?=\n|\Z)")


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
    """A command group with :class:`Command`'s help conventions, whose usage errors are one
    line in the project's words (:func:`usage_error`) rather than a framed box."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _help_as_written(self)

    def get_params(self, ctx: Any) -> list[Any]:
        """The parameters, each with a readable metavar."""
        return _with_metavars(super().get_params(ctx), ctx)

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             windows_expand_args: bool = True, **extra: Any) -> Any:
        """Run the command line; a usage error is printed by :func:`usage_error` and exits 2."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, windows_expand_args,
                                **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args,
                                **extra)
        except typer.TyperException as exc:  # click's usage errors (Typer's copy of click)
            # A group called without a command has printed its help already (as Typer does,
            # the class is recognised by name).
            if type(exc).__name__ != "NoArgsIsHelpError":
                stderr_console().print(f"[bold red]error:[/] {terminal(usage_error(exc))}")
            sys.exit(getattr(exc, "exit_code", EXIT_ERROR))
        except typer.Abort:
            sys.exit(EXIT_ERROR)
        sys.exit(code if isinstance(code, int) else 0)


NUMBER_TYPES = {"int": "a whole number", "float": "a number"}
"""What a numeric option's value must be, in the project's words, by the start of the type of
the error pydantic reports (``int_parsing``, ``int_from_float``, ``float_parsing``)."""


def usage_error(exc: Exception) -> str:
    """A command-line usage error in one line: the option it concerns first, as in every other
    message (``--runs: '1.5' is not a whole number``), and where to find the command's help."""
    message = str(getattr(exc, "message", "") or "").rstrip(".")
    param = getattr(exc, "param", None)
    if isinstance(exc, typer.BadParameter) and message and param is not None:
        message = _value_problem(exc, message)
        opts = list(getattr(param, "opts", []))
        name = (max(opts, key=len) if getattr(param, "param_type_name", "") == "option"
                and opts else str(param.human_readable_name))
        message = f"{name}: {message}"
    elif hasattr(exc, "possibilities"):   # an option the command does not have
        close = list(getattr(exc, "possibilities", None) or [])
        hint = f" (did you mean {' or '.join(close[:3])}?)" if close else ""
        message = f"no such option {exc.option_name}{hint}"  # type: ignore[attr-defined]
    else:
        fmt = getattr(exc, "format_message", None)
        message = (fmt() if callable(fmt) else str(exc)).rstrip(".")
    ctx = getattr(exc, "ctx", None)
    where = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
    return message[:1].lower() + message[1:] + where


def _value_problem(exc: Exception, message: str) -> str:
    """A value of the wrong type, said with the value: ``'1.5' is not a whole number``."""
    cause = exc.__cause__
    errors = getattr(cause, "errors", None)
    if not callable(errors):
        return message
    first = (errors() or [{}])[0]
    for prefix, words in NUMBER_TYPES.items():
        if str(first.get("type", "")).startswith(prefix + "_"):
            return f"{first.get('input')!r} is not {words}"
    return message.removeprefix("Value error, ")


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

