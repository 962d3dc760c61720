"""The escape point for user text (wargame.textsafe): exact cases and properties over all text."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.text import Text as MplText
from rich.cells import cell_len
from rich.console import Console

from wargame.cli.common import SafeConsole
from wargame.textsafe import (
    EXCERPT_CHARS,
    FORMULA_STARTS,
    csv_cell,
    excerpt,
    plot_text,
    printable,
    quoted,
    terminal,
)

# Every code point, control characters and surrogates included (names come from YAML files,
# which cannot hold surrogates, but a store or the API could).
ANY_TEXT = st.text(st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF),
                   max_size=60)
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
HOSTILE = [
    ("[/]", "[/]"),
    ("Aleppo [east]", "Aleppo [east]"),
    ("[bold]x[/bold]", "[bold]x[/bold]"),
    ("\x1b]0;PWNED\x07Red", "Red"),                      # OSC 0: window title
    ("\x1b]52;c;ZXZpbA==\x07A", "A"),                    # OSC 52: clipboard
    ("\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\", "link"),  # OSC 8: hidden link
    ("before\x1b[2Jafter", "beforeafter"),               # CSI 2J: clear screen
    ("a\x9b31mb\x9d0;t\x9cc", "abc"),                    # 8-bit CSI and OSC
    ("tab\tand\nnewline\r\x00\x7f", "tab\tand\nnewline"),
    ("lone escape \x1b", "lone escape "),
    ("\x1bc reset", " reset"),
]


@pytest.mark.parametrize(("text", "shown"), HOSTILE)
def test_terminal_prints_text_as_written_without_controls(text: str, shown: str) -> None:
    assert printable(text) == shown
    assert _rendered(terminal(text)) == shown.expandtabs(8)


def test_the_safety_net_removes_controls_rich_would_pass() -> None:
    buf = io.StringIO()
    SafeConsole(file=buf, width=200, color_system="truecolor", force_terminal=True).print(
        "[bold]bold[/] and a raw \x1b]0;title\x07 escape", "\x9b2J")
    out = buf.getvalue()
    assert "\x07" not in out and "\x9b" not in out
    assert "\x1b]" not in out  # the only ESC left are Rich's own style codes (ESC [ ... m)
    assert re.sub(r"\x1b\[[0-9;]*m", "", out) == "bold and a raw ]0;title escape 2J\n"


def test_emoji_codes_stay_as_written() -> None:
    buf = io.StringIO()
    SafeConsole(file=buf, width=80).print(terminal(":thumbs_up: Homs"))
    assert buf.getvalue() == ":thumbs_up: Homs\n"


@given(ANY_TEXT)
def test_terminal_round_trips_through_rich_markup(text: str) -> None:
    assert _rendered(terminal(text)) == _tabs_expanded(printable(text))
    assert not CONTROL.search(printable(text))


@given(ANY_TEXT)
def test_printable_keeps_ordinary_text(text: str) -> None:
    plain = "".join(ch for ch in text if not CONTROL.match(ch))
    if plain == text:
        assert printable(text) == text


@pytest.mark.parametrize(("text", "shown"), [
    ("$x^$", "$x^$"), ("$\\nosuchcmd$", "$\\nosuchcmd$"), ("$$", "$$"),
    ("plain $5 and $6", "plain $5 and $6"),
    ("a\\$b", "a$b"),  # matplotlib's own escape of a dollar sign keeps its meaning
    ("two\r\nlines\tand a tab", "two\nlines and a tab"),
])
def test_plot_text_is_never_mathtext(text: str, shown: str) -> None:
    drawn, is_math = MplText(text=plot_text(text))._preprocess_math(plot_text(text))
    assert (drawn, is_math) == (shown, False)


@given(ANY_TEXT)
def test_plot_text_is_literal_for_any_text(text: str) -> None:
    safe = plot_text(text)
    drawn, is_math = MplText(text=safe)._preprocess_math(safe)
    assert not is_math
    assert not CONTROL.search(drawn) and "\t" not in drawn
    assert plot_text(safe) == safe


@pytest.mark.parametrize(("value", "cell"), [
    ('=HYPERLINK("http:evil.example","open")', '\'=HYPERLINK("http:evil.example","open")'),
    ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\r=1", "'=1"),    # the CR itself is a control character, and what follows is a formula
    ("Aleppo", "Aleppo"), ("a=b", "a=b"), ("", ""),
    (-5, -5), (2.5, 2.5), (None, None), (True, True),
])
def test_csv_cells(value: object, cell: object) -> None:
    assert csv_cell(value) == cell


@given(ANY_TEXT)
def test_no_csv_cell_starts_a_formula(text: str) -> None:
    cell = csv_cell(text)
    assert not cell.startswith(FORMULA_STARTS)
    assert cell in (printable(text), "'" + printable(text))


@given(ANY_TEXT)
def test_excerpts_are_short_and_printable(text: str) -> None:
    short = excerpt(text)
    assert short.isprintable()
    assert len(text) > EXCERPT_CHARS or short.replace("\\\\", "\\") == text or "\\" in short
    assert len(short) <= 10 * EXCERPT_CHARS  # each character escaped at most to \U0010ffff


def test_excerpt_cuts_and_shows_controls() -> None:
    assert excerpt("x" * 100) == "x" * (EXCERPT_CHARS - 1) + "…"
    assert quoted("a\x1b[2Jb") == "'a\\x1b[2Jb'"
    assert excerpt("right-to-left \u202e") == "right-to-left \\u202e"


def _tabs_expanded(text: str, size: int = 8) -> str:
    """``text`` with tabs expanded as a terminal does: to the next multiple of ``size`` cells,
    counting wide characters (East Asian, emoji) as the two cells they take."""
    lines = []
    for line in text.split("\n"):
        col, parts = 0, []
        for ch in line:
            if ch == "\t":
                parts.append(" " * (size - col % size))
                col += size - col % size
            else:
                parts.append(ch)
                col += cell_len(ch)
        lines.append("".join(parts))
    return "\n".join(lines)


def _rendered(markup: str) -> str:
    """What Rich prints for markup, as plain text."""
    buf = io.StringIO()
    Console(file=buf, width=10_000, emoji=False, color_system=None, highlight=False,
            soft_wrap=True).print(markup, end="")
    return buf.getvalue()
