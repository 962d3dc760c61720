"""How results are shown to a reader: shares that never round to a lie, and terminal tables
that fit the width they are given.

**Shares.** Every share of games and every probability the project prints (tables, charts,
maps, the HTML report, the narrative) goes through :func:`share`: it prints ``0`` only for
exactly 0 (never) and ``100`` only for exactly 1 (always). A share that would round to 0
prints ``<1`` (``<0.1`` at one decimal), one that would round to 100 prints ``>99``
(``>99.9``). A count of 1 in 2,000 games is not "0%", and 1,999 in 2,000 is not "100%". JSON
and CSV keep the exact numbers.

**Tables.** Every table has one style at every width: a rule under the header, no box.
:class:`Fit` holds several layouts of one table, from the most decorated to the most compact,
and renders the first whose natural width fits the console (or the last). The layouts drop
decoration first (a bar chart), then abbreviate ids and headers with a key under the table.
An id (a column of :class:`Col` with ``key=True``) is never broken inside: when its table
cannot fit, it is replaced by a short code (:func:`short_ids`) and the key says which is which.
Other cells wrap at spaces and fold only a word longer than the whole width, so nothing is
lost when the output is narrow or piped to a file.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # rich is imported when a table is made: the numbers need none of it
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
    from rich.measure import Measurement
    from rich.table import Table
    from rich.text import Text

NONE = "–"   # no value (no games, no turn)


def share(p: float | None, digits: int = 0) -> str:
    """A share (0..1) as a percentage number without the sign: ``0`` only for never.

    ``digits`` decimals; a share that would round to 0 or 100 but is neither is shown as
    ``<1``/``>99`` (``<0.1``/``>99.9`` with one decimal). ``None`` (no games) is ``–``.
    """
    if p is None or p != p:  # None or NaN
        return NONE
    if p <= 0:
        return "0" if digits == 0 else f"{0:.{digits}f}"
    if p >= 1:
        return "100" if digits == 0 else f"{100:.{digits}f}"
    step = 10.0 ** -digits
    text = f"{100 * p:.{digits}f}"
    if float(text) <= 0:
        return f"<{step:.{digits}f}" if digits else "<1"
    if float(text) >= 100:
        return f">{100 - step:.{digits}f}" if digits else ">99"
    return text


def pct(p: float | None, digits: int = 0) -> str:
    """:func:`share` with a ``%`` sign: ``12%``, ``<1%``, ``>99.9%``; ``–`` for no value."""
    s = share(p, digits)
    return s if s == NONE else s + "%"


def interval(low: float, high: float, digits: int = 1, sep: str = "–") -> str:
    """A 95% interval of a share: ``53.5–57.8%``, rounded outwards (the low bound down, the
    high bound up), so the printed interval always contains the exact one. A bound is not a
    share of games: ``0.0–0.2%`` says the share may be as low as nothing."""
    scale = 10.0 ** digits
    lo = math.floor(100 * low * scale + 1e-9) / scale
    hi = math.ceil(100 * high * scale - 1e-9) / scale
    return f"{max(lo, 0.0):.{digits}f}{sep}{min(hi, 100.0):.{digits}f}%"


def points(d: float | None, digits: int = 1) -> str:
    """A difference of two shares in percentage points, signed: ``+5.9``, ``-0.2``.

    ``0.0`` only for no difference at all; a difference too small for ``digits`` decimals gets
    a finer format (``+0.05``) rather than reading as none.
    """
    if d is None or d != d:
        return NONE
    if d == 0:
        return f"{0:.{digits}f}"
    text = f"{100 * d:+.{digits}f}"
    if float(text) == 0:
        return f"{100 * d:+.2g}"
    return text


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 game``, ``2,000 games`` (``many``: an irregular plural)."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


# --- tables -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Col:
    """One column of :func:`table`: header, alignment, and whether its cells may wrap at
    spaces (numbers and dates do not: they fold only when nothing else can give way)."""

    header: str | Text
    justify: str = "left"
    wrap: bool = True
    style: str = ""
    key: bool = False   # a column of ids: never broken, abbreviated with a key (fitted)
    ids: bool = False   # text that names ids: abbreviated with them when even that is too wide


def table(cols: Sequence[Col], rows: Iterable[Sequence[str | Text]], *, title: str | None = None,
          caption: str | Text | None = None, sections: Sequence[int] = ()) -> Table:
    """A table whose cells are never cut: they wrap, or fold when a word is too long.

    One style at every width: a rule under the header, no box and no outer padding.
    ``sections`` are row indices after which a blank row separates groups.

    Every string (cell, header, title, caption) is shown as written: it becomes a
    ``rich.text.Text`` through :func:`wargame.textsafe.printable`, never Rich markup, so a
    name such as ``[/]`` or ``Aleppo [east]`` prints as it is and cannot break the table.
    """
    from rich import box
    from rich.table import Table
    t = Table(title=_literal(title, "table.title"), title_justify="left",
              caption=_literal(caption, "table.caption"), caption_justify="left",
              box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True)
    for c in cols:
        t.add_column(_literal(c.header), justify=c.justify,  # type: ignore[arg-type]
                     no_wrap=not c.wrap or c.key, overflow="fold", style=c.style or None)
    for k, r in enumerate(rows):
        t.add_row(*(_literal(cell) for cell in r), end_section=k in sections)
    return t


def _literal(value: str | Text | None, style: str = "") -> Text | None:
    """A string as literal text (see :func:`table`); ``Text`` and ``None`` unchanged."""
    if not isinstance(value, str):
        return value
    from rich.text import Text

    from wargame.textsafe import printable
    return Text(printable(value), style=style)


Layout = Callable[["Console"], object]
UNBOUNDED = 100_000   # columns: wide enough to measure any table's natural width


class Fit:
    """Several layouts of one result, from the most decorated to the most compact.

    Each layout is a function of the console (so it can leave out what the console cannot
    show, such as colour-only bars under ``NO_COLOR`` or in a pipe) returning a renderable.
    The first layout whose natural width fits is used. When none fits whole, the first of the
    layouts after the ``decorated`` ones whose cells can wrap into the width is used (a box or
    a bar is worth showing only at its natural width); failing that, the last.
    """

    def __init__(self, *layouts: Layout, decorated: int = 0) -> None:
        if not layouts:
            raise ValueError("Fit needs at least one layout")
        self.layouts = layouts
        self.decorated = decorated

    def pick(self, console: Console, width: int) -> object:
        """The renderable for ``width`` columns."""
        from rich.measure import Measurement

        # Measured on an unbounded width: a measurement is clamped to the width it is given.
        options = console.options.update_width(UNBOUNDED)
        made = [make(console) for make in self.layouts]
        sizes = [Measurement.get(console, options, r) for r in made]  # type: ignore[arg-type]
        for r, m in zip(made, sizes, strict=True):
            if m.maximum <= width:
                return r
        for r, m in list(zip(made, sizes, strict=True))[self.decorated:]:
            if m.minimum <= width:
                return r
        return made[-1]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.pick(console, options.max_width)  # type: ignore[misc]

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        from rich.measure import Measurement

        return Measurement.get(console, options,
                               self.pick(console, options.max_width))  # type: ignore[arg-type]


def fitted(cols: Sequence[Col], rows: Sequence[Sequence[str | Text]], *,
           title: str | None = None, caption: str | Text | None = None,
           sections: Sequence[int] = (), known: Sequence[str] = ()) -> Fit:
    """A table as it is when it fits the width (its text cells wrapped at spaces if need
    be); otherwise with its id columns (``Col(key=True)``) abbreviated, and a key under it;
    otherwise with the ``known`` ids named in its ``Col(ids=True)`` text abbreviated too."""
    def whole(_c: Console) -> object:
        return table(cols, rows, title=title, caption=caption, sections=sections)

    layouts: list[Layout] = [whole]
    if any(c.key for c in cols):
        layouts.append(lambda _c: keyed(cols, rows, title=title, caption=caption,
                                        sections=sections))
    if known and any(c.ids for c in cols):
        layouts.append(lambda _c: keyed(cols, rows, title=title, caption=caption,
                                        sections=sections, known=known))
    return Fit(*layouts)


def keyed(cols: Sequence[Col], rows: Sequence[Sequence[str | Text]], *,
          title: str | None = None, caption: str | Text | None = None,
          sections: Sequence[int] = (), known: Sequence[str] = ()) -> RenderableType:
    """The table with the ids of its ``key`` columns replaced by short codes
    (:func:`short_ids`), and the ``known`` ids named in its ``ids`` columns' text too; under
    it the key, one ``code  id`` line per abbreviated id."""
    import re

    from rich.console import Group
    from rich.text import Text

    def plain_text(cell: str | Text) -> str:
        return cell if isinstance(cell, str) else cell.plain

    ids = list(dict.fromkeys(plain_text(r[i]) for r in rows
                             for i, c in enumerate(cols) if c.key and plain_text(r[i])))
    named = [i for i in known if len(i) > SHORT and i not in ids]
    if named:
        pattern = re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(
            re.escape(i) for i in sorted(named, key=len, reverse=True)) + r")(?![A-Za-z0-9_])")
        found = {m for r in rows for i, c in enumerate(cols) if c.ids
                 for m in pattern.findall(plain_text(r[i]))}
        ids += [i for i in known if i in found]
    code = dict(zip(ids, short_ids(ids), strict=True))

    def short(cell: str | Text, col: Col) -> str | Text:
        text = plain_text(cell)
        if col.key and text in code:
            new = code[text]
        elif col.ids and named:
            new = pattern.sub(lambda m: code.get(m.group(1), m.group(1)), text)
        else:
            return cell
        return new if isinstance(cell, str) else Text(new, style=cell.style)

    new_rows = [[short(cell, cols[i]) for i, cell in enumerate(r)] for r in rows]
    key = Text()
    pad = max((len(c) for full, c in code.items() if c != full), default=0)
    for full, c in code.items():
        if c != full:
            key.append(_literal(f"{c:<{pad}}  {full}\n") or "")
    return Group(table(cols, new_rows, title=title, caption=caption, sections=sections), key)


SHORT = 6
"""Ids this long or shorter are never abbreviated."""


def short_ids(ids: Sequence[str]) -> list[str]:
    """Short unique codes for ids, for a table too narrow for them: an id of ``SHORT``
    characters or fewer stays as it is; a longer one becomes the initials of its words
    (``iran_hezbollah_reinforcements`` -> ``ihr``) or, for a single word, its first three
    letters; when that code is taken, more letters of the last word (``regime_airlift`` ->
    ``rai`` after ``russian_air``'s ``ra``), and failing that a number."""
    out: list[str] = []
    taken = {i for i in ids if len(i) <= SHORT}
    for i in ids:
        if len(i) <= SHORT:
            out.append(i)
            continue
        words = [w for w in i.replace("-", "_").split("_") if w] or [i]
        if len(words) > 1:
            head = "".join(w[0] for w in words[:-1])
            tries = [head + words[-1][:k] for k in range(1, len(words[-1]) + 1)]
        else:
            tries = [i[:k] for k in range(3, len(i) + 1)]
        code = next((t for t in tries if t not in taken and len(t) < len(i)), None)
        n = 1
        while code is None or code in taken:
            n += 1
            code = f"{tries[0]}{n}"
        taken.add(code)
        out.append(code)
    return out


def colour(console: Console) -> bool:
    """Whether the console shows colour (not piped, no ``NO_COLOR``)."""
    return console.color_system is not None and not console.no_color


def abbreviations(ids: Sequence[str], length: int = 3) -> list[str]:
    """Short unique codes for ids (``daesh`` -> ``dae``), longer where two would clash."""
    for n in range(length, max((len(i) for i in ids), default=length) + 1):
        codes = [i[:n] for i in ids]
        if len(set(codes)) == len(codes):
            return codes
    return list(ids)
