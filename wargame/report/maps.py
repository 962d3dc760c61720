"""``wargame map``: who holds what, drawn at the places' coordinates.

A map shows a :class:`ControlView`: for every settlement, the share of games in which each
faction (or nobody) holds it at one turn. Without a batch that is the scenario's initial
control (every share 0 or 1). The map draws

* each place at its coordinates, its size growing with its ``value``, filled with the colour
  of the faction that holds it in (nearly) every game;
* a pie of the shares of games each faction holds it where no faction holds it in 95% of the
  games: the biggest slice is the most likely controller, and a sliver shows a small chance.
  (Paler fills for less certain control were tried and dropped: a pale vermillion reads as
  orange, which is another faction's colour.)
* a dark ring around places cut off from supply on the map as drawn;
* a dashed edge where the coordinates are approximate;
* roads (links), country outlines, names of the key places, and an inset where places are too
  close to tell apart (Aleppo's two halves and Sheikh Maqsoud).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.patheffects import withStroke

from wargame.display import plural
from wargame.engine.compile import Compiled
from wargame.engine.phases.supply import supplied
from wargame.report import geo, mapkey
from wargame.report.figures import new_figure
from wargame.report.palette import NOBODY_COLOUR, faction_colours
from wargame.scenario.calendar import span
from wargame.scenario.schema import Scenario
from wargame.textsafe import plot_text

SEA, LAND, HOME = "#DCEAF2", "#F2F0EB", "#FBF8F0"
FONT = 7.0              # points, on the 8 x 6 inch design page
MAX_LABELS = 20


@dataclass(frozen=True)
class ControlView:
    """Control of every place at one turn: ``shares`` [N, F+1] (last column: nobody)."""

    shares: np.ndarray
    games: int          # 0: the scenario's initial control, not a batch
    turn: int
    besieged: np.ndarray  # [N] bool: cut off from supply on the map as drawn

    @property
    def leader(self) -> np.ndarray:
        """[N] index of the most likely controller (F = nobody)."""
        return np.argmax(self.shares, axis=1)

    @property
    def top(self) -> np.ndarray:
        """[N] share of games the most likely controller holds the place."""
        return np.max(self.shares, axis=1)


def besieged_places(c: Compiled, control: np.ndarray) -> np.ndarray:
    """[N] bool: places whose controller has no friendly path to its or an ally's supply source.

    The engine's supply rule (:func:`wargame.engine.phases.supply.supplied`) applied to one control
    map with the scenario's initial relations; supply lines from external support (airlifts,
    supply drops) are not counted, so a ring means "cut off by land". Nobody's places are
    never besieged.
    """
    ctrl = np.asarray(control, dtype=np.int16)[None, :]
    src_f, src_n = np.nonzero(c.supply_source)
    reach = supplied(ctrl, c.init_relation[None], src_f.astype(np.intp),
                     src_n.astype(np.intp), np.ones((1, src_f.size), dtype=bool), c.src, c.dst,
                     c.out_start)[0]
    return (ctrl[0] >= 0) & ~reach


def initial_view(c: Compiled) -> ControlView:
    """The scenario's starting control (turn 0, no games)."""
    n, f = c.n_settlements, c.n_factions
    shares = np.zeros((n, f + 1))
    shares[np.arange(n), c.init_control] = 1.0
    return ControlView(shares, 0, 0, besieged_places(c, c.init_control))


def batch_view(c: Compiled, counts: np.ndarray, games: int, turn: int) -> ControlView:
    """A view from a batch's control counts [N, F+1] at ``turn``; rings on the likeliest map."""
    if games < 1:
        raise ValueError("a batch view needs at least one game")
    shares = np.asarray(counts, dtype=float) / games
    leader = np.argmax(shares, axis=1)
    modal = np.where(leader == c.n_factions, -1, leader)
    return ControlView(shares, games, turn, besieged_places(c, modal))


def _diameters(values: np.ndarray) -> np.ndarray:
    """Marker diameters in points: area grows with value."""
    top = max(float(values.max()), 1e-9) if len(values) else 1.0
    return 5.0 + 10.0 * np.sqrt(np.clip(values, 0, None) / top)


def _short(name: str) -> str:
    """``Aleppo (West)`` -> ``Aleppo``: the name of a cluster drawn in an inset."""
    return re.sub(r"\s*\(.*\)\s*$", "", name) or name


class _Painter:
    """Draws places, roads and outlines of one scenario on one or more axes."""

    def __init__(self, sc: Scenario, view: ControlView, fig: Figure) -> None:
        self.sc, self.view, self.fig = sc, view, fig
        self.places = list(sc.settlements.values())
        self.ids = list(sc.settlements)
        self.lon = np.array([s.lon for s in self.places])
        self.lat = np.array([s.lat for s in self.places])
        self.diam = _diameters(np.array([s.value for s in self.places]))
        cols = faction_colours(sc.factions)
        self.colours = [*cols.values(), NOBODY_COLOUR]
        self.index = {sid: i for i, sid in enumerate(self.ids)}

    def fill(self, i: int) -> str:
        """Fill colour of a solid marker: the colour of its (near certain) controller."""
        return self.colours[int(self.view.leader[i])]

    def outlines(self, ax: Axes, borders: bool) -> None:
        """Sea as background; Syria lighter than its neighbours; borders dark. Outside the
        shipped outlines (``borders`` false) a plain land colour, not a misleading sea."""
        ax.set_facecolor(SEA if borders else HOME)
        if not borders:
            return
        for c in geo.countries():
            colour = HOME if c.iso == "SYR" else LAND
            ax.add_patch(PathPatch(c.path(), facecolor=colour, edgecolor="#6E6E6E",
                                   linewidth=0.9, zorder=1))

    def links(self, ax: Axes) -> None:
        """Roads as thin grey lines, under the places."""
        for link in self.sc.links:
            i, j = self.index[link.between[0]], self.index[link.between[1]]
            ax.plot([self.lon[i], self.lon[j]], [self.lat[i], self.lat[j]], color="#8C8C8C",
                    linewidth=0.8, solid_capstyle="round", zorder=2)

    def places_on(self, ax: Axes, which: list[int] | None = None) -> None:
        """Markers, pies and siege rings of ``which`` places (default all)."""
        v = self.view
        for i in range(len(self.places)) if which is None else which:
            approx = self.places[i].approximate
            r = self.diam[i] / 2 / 72  # inches
            at = mapkey.anchor(self.fig, self.lon[i], self.lat[i], ax.transData)
            if v.besieged[i]:
                mapkey.ring(ax, at, r)
            if v.games and v.top[i] < mapkey.SURE:
                mapkey.pie(ax, at, r, list(v.shares[i]), self.colours, approx)
            else:
                mapkey.disc(ax, at, r, self.fill(i), approx)


def _text(ax: Axes, s: str, lon: float, lat: float, dx: float, dy: float, ha: str, va: str,
          size: float = FONT, weight: str = "normal") -> object:
    return ax.annotate(s, (lon, lat), xytext=(dx, dy), textcoords="offset points", ha=ha,
                       va=va, fontsize=size, fontweight=weight, color="#111111", zorder=6,
                       annotation_clip=False,
                       path_effects=[withStroke(linewidth=2.2, foreground="white")])


def _place_labels(fig: Figure, ax: Axes, p: _Painter, proj: geo.Projection, order: list[int],
                  names: dict[int, str], blocked: list[geo.Box], limit: int) -> None:
    """Greedy labelling: try eight spots around each marker, keep the first that is free."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    px = np.array([proj.pixel(x, y) for x, y in zip(p.lon, p.lat, strict=True)])
    scale = fig.dpi / 72
    taken = list(blocked)
    for i in range(len(px)):   # markers are obstacles too
        r = p.diam[i] / 2 * scale
        taken.append((px[i, 0] - r, px[i, 1] - r, px[i, 0] + r, px[i, 1] + r))
    left, bottom, w, h = proj.box
    frame = (left * proj.width, (1 - bottom - h) * proj.height, (left + w) * proj.width,
             (1 - bottom) * proj.height)
    placed = 0
    for i in order:
        if placed >= limit:
            break
        g = p.diam[i] / 2 + 1.5
        spots = [(g, 0, "left", "center"), (-g, 0, "right", "center"),
                 (0, g, "center", "bottom"), (0, -g, "center", "top"),
                 (g * .75, g * .75, "left", "bottom"), (-g * .75, g * .75, "right", "bottom"),
                 (g * .75, -g * .75, "left", "top"), (-g * .75, -g * .75, "right", "top")]
        for dx, dy, ha, va in spots:
            t = _text(ax, names[i], float(p.lon[i]), float(p.lat[i]), dx, dy, ha, va)
            bb = t.get_window_extent(renderer)  # type: ignore[attr-defined]
            box = (bb.x0 - 1, fig.bbox.height - bb.y1 - 1, bb.x1 + 1, fig.bbox.height - bb.y0 + 1)
            own = (px[i, 0] - g * scale, px[i, 1] - g * scale, px[i, 0] + g * scale,
                   px[i, 1] + g * scale)
            if geo.inside(box, frame) and not any(geo.overlaps(box, o) for o in taken
                                                  if o != own):
                taken.append(box)
                placed += 1
                break
            t.remove()  # type: ignore[attr-defined]


def draw_map(sc: Scenario, view: ControlView, width: int, height: int,
             footnote: str = "") -> tuple[Figure, geo.Projection]:
    """The map as a figure of ``width`` x ``height`` pixels, and where places land in it."""
    fig = new_figure(width, height)
    fw, fh = fig.get_figwidth(), fig.get_figheight()
    panel = min(2.3, 0.33 * fw)
    box = (0.12 / fw, 0.3 / fh, (fw - panel - 0.3) / fw, (fh - 0.95) / fh)
    p = _Painter(sc, view, fig)
    proj = geo.fit(list(p.lon), list(p.lat), box, width, height)
    ax = fig.add_axes(box)
    _frame(ax, proj)
    borders = geo.covers(proj)
    p.outlines(ax, borders)
    p.links(ax)
    p.places_on(ax)
    px = np.array([proj.pixel(x, y) for x, y in zip(p.lon, p.lat, strict=True)])
    names = {i: plot_text(s.name) for i, s in enumerate(p.places)}
    order = sorted(range(len(p.places)), key=lambda i: (-p.places[i].value,
                                                        -p.places[i].population, i))
    blocked: list[geo.Box] = []
    group = _biggest_cluster(p, px, fig.dpi / 72)
    if group:
        inset_box = _inset(fig, ax, p, proj, group, px, borders)
        blocked.append(inset_box)
        lead = max(group, key=lambda i: p.places[i].value)
        names[lead] = plot_text(_short(p.places[lead].name))
        order = [i for i in order if i not in group or i == lead]
    for name, lon, lat in geo.country_label_spots(proj, px, blocked) if borders else []:
        ax.text(lon, lat, " ".join(name.upper()), ha="center", va="center", color="#8A8A8A",
                fontsize=FONT + 4, fontweight="bold", alpha=0.8, zorder=1.5)
    _place_labels(fig, ax, p, proj, order, names, blocked, MAX_LABELS)
    _scale_bar(ax, proj)
    _titles(fig, sc, view, ("Borders: Natural Earth 1:110m (coarse; public domain). "
                            if borders else "") + footnote)
    uses = {"sizes": bool(np.ptp(p.diam) > 0),
            "pies": bool(view.games and (view.top < mapkey.SURE).any()),
            "rings": bool(view.besieged.any()),
            "dashed": any(s.approximate for s in p.places)}
    mapkey.legend(fig, [plot_text(f.name) for f in sc.factions.values()], p.colours[:-1],
                  bool(view.shares[:, -1].any()), view.games > 0, fw - panel + 0.05, fh - 0.8,
                  panel - 0.15, frozenset(k for k, used in uses.items() if used))
    return fig, proj


def _frame(ax: Axes, proj: geo.Projection) -> None:
    ax.set_xlim(proj.lon_min, proj.lon_max)
    ax.set_ylim(proj.lat_min, proj.lat_max)
    ax.set_xticks([])
    ax.set_yticks([])
    for s in ax.spines.values():
        s.set_edgecolor("#555555")
        s.set_linewidth(0.8)


def _biggest_cluster(p: _Painter, px: np.ndarray, scale: float) -> list[int]:
    """The most valuable group of overlapping markers (empty when none overlap)."""
    groups = geo.clusters(px, p.diam * scale)
    if not groups:
        return []
    return max(groups, key=lambda g: sum(p.places[i].value for i in g))


def _inset(fig: Figure, ax: Axes, p: _Painter, proj: geo.Projection, group: list[int],
           px: np.ndarray, borders: bool) -> geo.Box:
    """Zoom on a crowded group of places in the emptiest corner; returns its pixel box."""
    left, bottom, w, h = proj.box
    iw, ih = 0.34 * w, 0.34 * w * proj.width / proj.height * 0.8
    x0, x1, y0, y1 = left + 0.01, left + w - iw - 0.01, bottom + 0.01, bottom + h - ih - 0.01
    corners = [(x0, y1), (x1, y1), (x0, y0), (x1, y0)]

    def box_px(c: tuple[float, float]) -> geo.Box:
        return (c[0] * proj.width, (1 - c[1] - ih) * proj.height, (c[0] + iw) * proj.width,
                (1 - c[1]) * proj.height)

    def cost(c: tuple[float, float]) -> float:
        b = box_px(c)
        hit = (px[:, 0] >= b[0] - 10) & (px[:, 0] <= b[2] + 10) & (px[:, 1] >= b[1] - 10) & \
              (px[:, 1] <= b[3] + 10)
        own = 1e6 * hit[group].any()
        return own + sum(1 + p.places[i].value for i in np.nonzero(hit)[0])

    corner = min(corners, key=cost)
    ibox = (corner[0], corner[1], iw, ih)
    # Zoom so the closest pair of the group sits about three marker widths apart.
    k = np.cos(np.radians(proj.lat0))
    gx, gy = p.lon[group] * k, p.lat[group]
    dmin = min(np.hypot(gx[a] - gx[b], gy[a] - gy[b]) for a in range(len(group))
               for b in range(a + 1, len(group)))
    pts_per_deg = 3.0 * float(p.diam[group].max()) / max(dmin, 1e-6)
    span_y = max(ih * fig.get_figheight() * 72 / pts_per_deg,
                 (gy.max() - gy.min()) * 2.2, (gx.max() - gx.min()) * 2.2 * ih / iw * 0.8)
    sub = geo.fit([float(p.lon[group].mean())], [float(gy.mean())], ibox, proj.width,
                  proj.height, pad=0.0, min_span_km=span_y * geo.KM_PER_DEG)
    iax = fig.add_axes(ibox)
    _frame(iax, sub)
    for s in iax.spines.values():
        s.set_linewidth(1.4)
        s.set_edgecolor("#333333")
    p.outlines(iax, borders)
    p.links(iax)
    inside = [i for i in range(len(p.places)) if sub.lon_min <= p.lon[i] <= sub.lon_max
              and sub.lat_min <= p.lat[i] <= sub.lat_max]
    p.places_on(iax, inside)
    order = sorted(inside, key=lambda i: (i not in group, -p.places[i].value))
    _place_labels(fig, iax, p, sub, order, {i: plot_text(p.places[i].name) for i in inside},
                  [], 8)
    iax.text(0.03, 0.97, plot_text(_short(p.places[group[0]].name)), transform=iax.transAxes,
             ha="left",
             va="top", fontsize=FONT + 0.5, fontweight="bold",
             bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5, "alpha": 0.85},
             zorder=7)
    ax.add_patch(Rectangle((sub.lon_min, sub.lat_min), sub.lon_max - sub.lon_min,
                           sub.lat_max - sub.lat_min, fill=False, edgecolor="#333333",
                           linewidth=0.9, zorder=5))
    return box_px(corner)


def _scale_bar(ax: Axes, proj: geo.Projection) -> None:
    """A round-number distance bar in the lower right."""
    span_km = (proj.lon_max - proj.lon_min) * np.cos(np.radians(proj.lat0)) * geo.KM_PER_DEG
    km = geo.nice_distance(span_km / 5)
    deg = km / (geo.KM_PER_DEG * np.cos(np.radians(proj.lat0)))
    x1 = proj.lon_max - (proj.lon_max - proj.lon_min) * 0.04
    y = proj.lat_min + (proj.lat_max - proj.lat_min) * 0.04
    ax.plot([x1 - deg, x1], [y, y], color="#222222", linewidth=2, solid_capstyle="butt", zorder=6)
    ax.text(x1 - deg / 2, y, f"{km:g} km", ha="center", va="bottom", fontsize=FONT,
            color="#222222", zorder=6,
            path_effects=[withStroke(linewidth=2, foreground="white")])


def _titles(fig: Figure, sc: Scenario, view: ControlView, footnote: str) -> None:
    fw, fh = fig.get_figwidth(), fig.get_figheight()
    if view.games:
        sub = (f"Most likely controller at the end of turn {view.turn} "
               f"({span(sc, view.turn)}), over {plural(view.games, 'game')}")
    else:
        first = sc.scenario.start_date
        sub = f"Control at the start, {first:%d %b %Y} (turn 0, no games played)"
    fig.text(0.12 / fw, 1 - 0.12 / fh, plot_text(sc.scenario.name), fontsize=FONT + 5,
             fontweight="bold", va="top")
    fig.text(0.12 / fw, 1 - 0.42 / fh, sub, fontsize=FONT + 2, va="top", color="#333333")
    fig.text(0.12 / fw, 0.1 / fh, plot_text(footnote.strip()), fontsize=FONT - 1.5,
             color="#666666", va="bottom")
