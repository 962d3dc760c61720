"""The map's symbols, drawn the same way on the map and in its key.

Each glyph is drawn with patches whose size is in inches around a point given in another
coordinate system (``at``: a transform placing ``(0, 0)`` on the point), so markers keep their
size whatever the zoom of the map or inset, and the key shows exactly what the map shows.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Protocol

from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.patches import Wedge
from matplotlib.transforms import ScaledTranslation, Transform

from wargame.report.palette import NOBODY_COLOUR, NOBODY_LABEL
from wargame.textsafe import plot_text

SURE = 0.95        # a pie unless one faction holds the place in this share of games
RING = "#222222"   # siege ring
EDGE = "#333333"
DASH = (0, (1.6, 1.2))
FONT = 7.0


class Canvas(Protocol):
    """An axes or a figure: anything glyphs can be added to."""

    def add_artist(self, a: Artist) -> Artist:
        """Add one patch."""
        ...  # pragma: no cover


def anchor(fig: Figure, x: float, y: float, where: Transform) -> Transform:
    """A transform in inches around the point ``(x, y)`` of ``where`` (data or figure inches)."""
    return fig.dpi_scale_trans + ScaledTranslation(x, y, where)  # type: ignore[arg-type]


def disc(c: Canvas, at: Transform, r: float, colour: str, approx: bool, z: float = 4) -> None:
    """A filled circle of radius ``r`` inches; dashed edge when the position is approximate."""
    c.add_artist(Wedge((0, 0), r, 0, 360, facecolor=colour, edgecolor=EDGE,
                       linewidth=0.8 if approx else 0.6, linestyle=DASH if approx else "solid",
                       transform=at, zorder=z))


def ring(c: Canvas, at: Transform, r: float, z: float = 3) -> None:
    """The siege ring: dark, with a white halo so it reads on any fill or background."""
    for lw, colour in ((3.4, "white"), (1.5, RING)):
        c.add_artist(Wedge((0, 0), r + 3.2 / 72, 0, 360, fill=False, edgecolor=colour,
                           linewidth=lw, transform=at, zorder=z))


def pie(c: Canvas, at: Transform, r: float, shares: Sequence[float], colours: Sequence[str],
        approx: bool, z: float = 4) -> None:
    """Slices clockwise from twelve o'clock, one per faction with a share above zero."""
    start = 90.0
    for share, colour in zip(shares, colours, strict=True):
        if share <= 0:
            continue
        c.add_artist(Wedge((0, 0), r, start - 360 * share, start, facecolor=colour,
                           edgecolor="white", linewidth=0.4, transform=at, zorder=z))
        start -= 360 * share
    c.add_artist(Wedge((0, 0), r, 0, 360, fill=False, edgecolor=EDGE, linewidth=0.7,
                       linestyle=DASH if approx else "solid", transform=at, zorder=z))


def legend(fig: Figure, names: Sequence[str], colours: Sequence[str], nobody: bool,
           batch: bool, x: float, y_top: float, width_in: float,
           shown: frozenset[str] = frozenset({"sizes", "pies", "rings", "dashed"})) -> float:
    """Faction colours and the key to the symbols in ``shown`` (those the map uses), top-down
    from ``(x, y_top)`` in figure inches; returns the height in inches where it ends."""
    chars = max(14, int(width_in * 72 / (FONT * 0.55)) - 4)
    line = FONT * 1.3 / 72
    fw, fh = fig.get_figwidth(), fig.get_figheight()
    y = y_top

    def heading(text: str) -> None:
        nonlocal y
        fig.text(x / fw, y / fh, text, fontsize=FONT + 1.5, fontweight="bold", va="top")
        y -= line * 1.5

    def entry(label: str) -> Transform:
        """Write the label; return where its glyph goes."""
        nonlocal y
        lines = textwrap.wrap(plot_text(label), chars) or [""]
        at = anchor(fig, x + 0.09, y - line / 2, fig.dpi_scale_trans)
        fig.text((x + 0.22) / fw, y / fh, "\n".join(lines), fontsize=FONT, va="top",
                 linespacing=1.15)
        y -= line * len(lines) + line * 0.45
        return at

    r = 0.055
    heading("Most likely held by" if batch else "Held by")
    for name, colour in zip(names, colours, strict=True):
        disc(fig, entry(name), r, colour, False)
    if nobody:
        disc(fig, entry(NOBODY_LABEL), r, NOBODY_COLOUR, False)
    if not shown:
        return y
    y -= line * 0.6
    heading("Symbols")
    if "sizes" in shown:
        at = entry("bigger: more valuable place (scenario value)")
        disc(fig, at + ScaledTranslation(-0.05, 0, fig.dpi_scale_trans), 0.03, "#FFFFFF", False)
        disc(fig, at + ScaledTranslation(0.035, 0, fig.dpi_scale_trans), 0.06, "#FFFFFF", False)
    if "pies" in shown:
        pie(fig, entry(f"pie: share of games each side holds it (drawn when no side holds "
                       f"it in {SURE:.0%} of games)"), r, [0.7, 0.3], [*colours, NOBODY_COLOUR][:2],
            False)
    if "rings" in shown:
        at = entry("ring: cut off from supply by land")
        ring(fig, at, r)
        disc(fig, at, r, "#FFFFFF", False)
    if "dashed" in shown:
        disc(fig, entry("dashed edge: position approximate"), r, "#FFFFFF", True)
    return y


BOTTOM_IN = 0.35
"""The lowest a key's text goes, in inches from the bottom (above the footnote)."""


def table(fig: Figure, title: str, lines: Sequence[str], x: float, y_top: float,
          width_in: float) -> float:
    """A heading and lines of text (each wrapped to ``width_in``, its continuation indented),
    top-down from ``(x, y_top)`` in figure inches, below a key; returns where it ends."""
    chars = max(14, int(width_in * 72 / (FONT * 0.55)) - 2)
    line = FONT * 1.3 / 72
    fw, fh = fig.get_figwidth(), fig.get_figheight()
    y = y_top - line * 0.6
    fig.text(x / fw, y / fh, title, fontsize=FONT + 1.5, fontweight="bold", va="top")
    y -= line * 1.5
    for text in lines:
        wrapped = textwrap.wrap(plot_text(text), chars, subsequent_indent="  ") or [""]
        if y - line * len(wrapped) < BOTTOM_IN:
            break                           # the rest would run off the page
        fig.text(x / fw, y / fh, "\n".join(wrapped), fontsize=FONT, va="top",
                 linespacing=1.15)
        y -= line * len(wrapped) + line * 0.3
    return y
