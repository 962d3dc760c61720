"""The one escape point for text that comes from outside: scenario files, stores, the command line.

A scenario or a store may come from anyone. Its names, descriptions, sources and ids, the file
names and ``--set`` values a user passes on, are data, never instructions to the terminal, to
Rich, to matplotlib or to a spreadsheet. Call the function for the place the text is going:

==================  ==========================================================================
``terminal(text)``  Anywhere Rich parses markup: ``console.print(f"... {terminal(name)}")``,
                    help text. Control characters and terminal escape sequences are removed
                    and Rich markup is escaped, so ``[/]`` and ``Aleppo [east]`` print as
                    written.
``printable(text)`` Where the text is shown as it is, without markup: ``rich.text.Text(...)``,
                    ``print(..., markup=False)``. Only removes control characters and escape
                    sequences (newline and tab stay). Tables built by
                    :func:`wargame.display.table` apply it to every string themselves (cells,
                    headers, titles): pass them plain text, not ``terminal`` text.
``plot_text(text)`` Any string drawn by matplotlib (titles, labels, ticks, legends,
                    annotations): literal text, never mathtext (``$x^$`` would otherwise
                    fail to draw and ``$5 and $6`` be drawn as maths). Idempotent, so text
                    may go through it twice (a name, then the title it is part of).
``csv_cell(value)`` One CSV cell: text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
                    return gets a leading ``'`` so a spreadsheet shows it instead of running it
                    as a formula (OWASP's guidance on CSV injection); numbers, dates and
                    ``None`` are returned unchanged.
``html_text(text)`` Any string put in an HTML page (``wargame report``): printable, then
                    HTML-escaped (``<``, ``>``, ``&`` and quotes), so ``cat report.html``
                    runs no escape sequence and a browser shows the text as written.
``excerpt(text)``   Quoting something a user wrote inside an error message: at most
                    ``EXCERPT_CHARS`` characters, control characters shown as ``\\x1b`` escapes.
==================  ==========================================================================

What is removed (``printable``, and so ``terminal``, ``plot_text``, ``csv_cell``): whole
escape sequences (``ESC [ ... final`` CSI, ``ESC ] ... BEL/ST`` OSC such as the clipboard's
OSC 52, the window title's OSC 0 and OSC 8 links, DCS/SOS/PM/APC strings, two-character ``ESC
x`` sequences, and their 8-bit C1 forms), then every remaining C0 control character except
newline and tab, DEL, and every C1 control character (U+0080-U+009F). HTML text goes through
:func:`html_text`; matplotlib writes SVG text escaped.

The consoles of the command line (:mod:`wargame.cli.common`) also remove any control character
left in what they print (:func:`without_controls`), as a safety net; they rely on these
functions for markup.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

EXCERPT_CHARS = 40
"""The longest excerpt of user text an error message quotes (longer text is cut, with ``…``)."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a CSV cell as a formula."""

_STRING_END = r"(?:\x07|\x1b\\|\x9c|\Z)"
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"                      # CSI: ESC [ parameters intermediates final
    r"|\x1b[\]PX^_].*?" + _STRING_END +              # OSC, DCS, SOS, PM, APC strings
    r"|\x1b[ -/]*[0-~]?"                             # nF, Fp, Fe, Fs sequences (and a lone ESC)
    r"|\x9b[0-?]*[ -/]*[@-~]?"                       # 8-bit CSI
    r"|[\x90\x98\x9d\x9e\x9f].*?" + _STRING_END,     # 8-bit DCS, SOS, OSC, PM, APC
    re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_ANY = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_LINE_SEPARATOR = re.compile(r"\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
_UNESCAPED_DOLLAR = re.compile(r"(?<!\\)\$")

T = TypeVar("T")
EMPTY_TAG = "[dim][/dim]"
"""A tag pair that styles nothing: it ends text whose last characters are backslashes."""


def printable(text: object) -> str:
    """``text`` without terminal escape sequences or control characters (newline and tab stay)."""
    s = str(text)
    if not _CONTROL_ANY.search(s):
        return s  # the usual case: nothing to remove
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", s))


def without_controls(text: str) -> str:
    """``text`` without its control characters (newline and tab stay), leaving what was between
    them: for text that is already laid out, where removing whole sequences would shift it."""
    return _CONTROL.sub("", text)


def terminal(text: object) -> str:
    """``text`` made safe to print through Rich with markup: :func:`printable`, markup escaped.

    Rich reads backslashes only before a tag, where it halves them, so the same trailing
    backslashes would print differently alone and before the caller's next tag (``[/]``).
    Trailing backslashes are therefore doubled and followed by an empty tag of their own:
    they print as written wherever the text is put.
    """
    from rich.markup import escape  # here: scenario code uses this module without Rich

    s = printable(text)
    body = s.rstrip("\\")
    tail = len(s) - len(body)
    return escape(body) + ("\\" * (2 * tail) + EMPTY_TAG if tail else "")


def plot_text(text: object) -> str:
    """``text`` as literal matplotlib text: printable (tabs as spaces, every line break as a
    newline), and every ``$`` not already escaped as ``\\$``, so that matplotlib never reads it
    as mathtext (it draws ``\\$`` as ``$``). Applying it again changes nothing."""
    s = printable(_LINE_SEPARATOR.sub("\n", str(text)).replace("\t", " "))
    return _UNESCAPED_DOLLAR.sub(r"\\$", s)


def csv_cell(value: T) -> T | str:
    """One CSV cell: text made printable and, if a spreadsheet would take it for a formula,
    prefixed with ``'``; anything that is not text (numbers, dates, ``None``) unchanged."""
    if not isinstance(value, str):
        return value
    s = printable(value)
    return "'" + s if s.startswith(FORMULA_STARTS) else s


def html_text(text: object) -> str:
    """``text`` for an HTML page: :func:`printable`, then HTML-escaped (quotes included)."""
    import html

    return html.escape(printable(text))


def excerpt(text: object, limit: int = EXCERPT_CHARS) -> str:
    """At most ``limit`` characters of ``text`` (cut with ``…``), with control characters, other
    non-printable characters and backslashes shown as Python escapes (``\\x1b``, ``\\u202e``)."""
    s = str(text)
    short = s if len(s) <= limit else s[: max(1, limit - 1)] + "…"
    if short.isprintable() and "\\" not in short:
        return short
    return "".join(ch if ch.isprintable() and ch != "\\" else _escaped(ch) for ch in short)


def _escaped(ch: str) -> str:
    if ch == "\\":
        return "\\\\"
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def quoted(text: object, limit: int = EXCERPT_CHARS) -> str:
    """:func:`excerpt` in single quotes, for messages: ``unknown key 'x…'``."""
    return f"'{excerpt(text, limit)}'"


def safe_row(values: list[Any]) -> list[Any]:
    """Every cell of a CSV row through :func:`csv_cell`."""
    return [csv_cell(v) for v in values]
