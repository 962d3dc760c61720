"""Place names on a map without overlaps: beside the marker when there is room, further out
with a leader line when there is not.

:class:`Placer` keeps every box already taken on the figure (markers, names, an inset) in image
pixels (top-left origin, :data:`wargame.report.geo.Box`) and tries, for each name, spots around
its marker ring by ring: the first ring touches the marker; the rings beyond it draw a thin
leader line from the name to the marker. A name goes on the first spot that lies inside the
frame and touches no box taken; a name with no such spot is not drawn, and :meth:`Placer.place`
says so, so the map can zoom on those places in an inset instead. Nothing is ever drawn over
something else: the search is exhaustive over a fixed set of spots, so the result is the same
on every run (a force-directed library such as adjustText moves names until overlaps are
small, which neither promises none nor keeps a leader line short).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patheffects import withStroke
from matplotlib.text import Annotation, Text

from wargame.report import geo

FONT = 7.0
GAP_PT = 1.5                      # between a marker's edge and its name
RINGS_PT = (0.0, 7.0, 15.0, 25.0, 40.0, 60.0)  # how far beyond the first ring the others lie
ANGLES = 16                        # spots per ring beyond the first
LEADER = "#6A6A6A"
SIDE_PX = 2                        # free pixels kept left and right of every name


@dataclass
class Placer:
    """Names placed so far on one figure, and what they must not touch."""

    fig: Figure
    taken: list[geo.Box] = field(default_factory=list)
    drawn: list[Annotation] = field(default_factory=list)
    names: list[geo.Box] = field(default_factory=list)   # the boxes of the names placed

    def block(self, box: geo.Box) -> None:
        """Keep ``box`` free of names (a marker, the inset, a legend)."""
        self.taken.append(box)

    def block_text(self, t: Text) -> None:
        """Keep the box of a text already drawn (a country's name, the scale) free of names."""
        renderer = self.fig.canvas.get_renderer()  # type: ignore[attr-defined]
        bb = Text.get_window_extent(t, renderer)
        h = self.fig.bbox.height
        self.taken.append((bb.x0 - 1, h - bb.y1 - 1, bb.x1 + 1, h - bb.y0 + 1))

    def clear(self, keep: int) -> None:
        """Remove every name drawn and forget every box taken after the first ``keep``."""
        for t in self.drawn:
            t.remove()
        self.drawn.clear()
        self.names.clear()
        del self.taken[keep:]

    def place(self, ax: Axes, name: str, lon: float, lat: float, radius_pt: float,
              frame: geo.Box, own: geo.Box | None = None, rings: int = len(RINGS_PT),
              size: float = FONT) -> bool:
        """Put ``name`` by the marker at ``(lon, lat)`` (radius in points) on the first free
        spot inside ``frame``; False when no spot is free (then nothing is drawn)."""
        for text in (name, _two_lines(name)):
            if text is not None and self._place(ax, text, lon, lat, radius_pt, frame, own,
                                                rings, size):
                return True
        return False

    def _place(self, ax: Axes, name: str, lon: float, lat: float, radius_pt: float,
               frame: geo.Box, own: geo.Box | None, rings: int, size: float) -> bool:
        renderer = self.fig.canvas.get_renderer()  # type: ignore[attr-defined]
        height = self.fig.bbox.height
        for k, extra in enumerate(RINGS_PT[:rings]):
            d = radius_pt + GAP_PT + extra
            for dx, dy, ha, va in _spots(d, k):
                leader = k > 0
                t = _annotate(ax, name, lon, lat, dx, dy, ha, va, size,
                              radius_pt if leader else None)
                t.update_positions(renderer)   # an annotation finds its place when drawn
                bb = Text.get_window_extent(t, renderer)   # the name, not its leader line
                box = (bb.x0 - 1, height - bb.y1 - 1, bb.x1 + 1, height - bb.y0 + 1)
                # A few pixels more between two names: side by side they must not read as
                # one ("Kefrayaal-Fu'ah").
                spaced = (box[0] - SIDE_PX, box[1], box[2] + SIDE_PX, box[3])
                if geo.inside(box, frame) and not any(
                        geo.overlaps(box, o) for o in self.taken if o != own) and not any(
                        geo.overlaps(spaced, n) for n in self.names):
                    self.taken.append(box)
                    self.names.append(box)
                    self.drawn.append(t)
                    return True
                t.remove()
        return False


def _two_lines(name: str) -> str | None:
    """A long name broken at the space nearest its middle (``Infantry Academy`` /
    ``(al-Muslimiyah)``), tried when it finds no room on one line; None for one word."""
    spaces = [i for i, c in enumerate(name) if c == " "]
    if not spaces:
        return None
    cut = min(spaces, key=lambda i: abs(i - len(name) / 2))
    return f"{name[:cut]}\n{name[cut + 1:]}"


def _spots(d: float, ring: int) -> list[tuple[float, float, str, str]]:
    """Offsets (points) and alignments of the spots of one ring: the eight compass points
    beside the marker first, then (further rings) every 360/ANGLES degrees."""
    if ring == 0:
        s = d * 0.75
        return [(d, 0, "left", "center"), (-d, 0, "right", "center"),
                (0, d, "center", "bottom"), (0, -d, "center", "top"),
                (s, s, "left", "bottom"), (-s, s, "right", "bottom"),
                (s, -s, "left", "top"), (-s, -s, "right", "top")]
    out = []
    for j in range(ANGLES):
        a = 2 * math.pi * j / ANGLES
        c, s = math.cos(a), math.sin(a)
        ha = "left" if c > 0.3 else "right" if c < -0.3 else "center"
        va = "bottom" if s > 0.3 else "top" if s < -0.3 else "center"
        out.append((d * c, d * s, ha, va))
    return out


def _annotate(ax: Axes, s: str, lon: float, lat: float, dx: float, dy: float, ha: str,
              va: str, size: float, leader_to: float | None) -> Annotation:
    arrow = None if leader_to is None else {
        "arrowstyle": "-", "color": LEADER, "linewidth": 0.6, "shrinkA": 0.5,
        "shrinkB": leader_to + 0.5}
    return ax.annotate(s, (lon, lat), xytext=(dx, dy), textcoords="offset points", ha=ha,
                       va=va, fontsize=size, color="#111111", zorder=6,
                       annotation_clip=False, arrowprops=arrow,
                       path_effects=[withStroke(linewidth=2.2, foreground="white")])
