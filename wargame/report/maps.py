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
* roads (links), country outlines, and the places' names (``--labels``, :func:`label_sets`):
  beside their markers, with a leader line a little further out, or, where they find no room,
  in an inset that enlarges those places and names every place it shows
  (:mod:`wargame.report.labels`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.patheffects import withStroke
from matplotlib.text import Text

from wargame.display import plural
from wargame.engine.compile import Compiled
from wargame.engine.phases.supply import supplied
from wargame.report import geo, mapkey
from wargame.report.figures import new_figure, wrap_to
from wargame.report.labels import RINGS_PT, Placer
from wargame.report.palette import NOBODY_COLOUR, faction_colours
from wargame.scenario.calendar import span
from wargame.scenario.schema import Scenario
from wargame.scenario.walk import outcome_places
from wargame.textsafe import plot_text

SEA, LAND, HOME = "#DCEAF2", "#F2F0EB", "#FBF8F0"
FONT = 7.0              # points, on the 8 x 6 inch design page
MAX_LABELS = 20
DETAIL_LIMIT = 1000
"""Places above which a map is drawn in outline (:func:`outline_note`): one marker per place
in its likeliest controller's colour, the roads in one stroke, names of the most valuable
places, no pies, rings or inset. Drawing every detail takes time that grows with the square of
the places (about 13-16 s for 1,000, 26 s for 1,500, over five minutes for 10,000); in outline
10,000 places take about ten seconds (benchmarks/bench_memory.py)."""


@dataclass(frozen=True)
class ControlView:
    """Control of every place at one turn: ``shares`` [N, F+1] (last column: nobody)."""

    shares: np.ndarray
    games: int          # 0: the scenario's initial control, not a batch
    turn: int
    besieged: np.ndarray  # [N] bool: cut off from supply on the map as drawn
    changed: np.ndarray | None = None  # [N] bool: held by another side in some game, by then
    garrison: np.ndarray | None = None  # [N] fighters at each place (mean of the games), shown
    #                                     after each name when given (map --garrisons)
    civilians: np.ndarray | None = None  # [N, 2] civilians killed and displaced at each place
    #                                      (mean of the games), after each name (--civilians)

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


def batch_view(c: Compiled, counts: np.ndarray, games: int, turn: int,
               by_turn: np.ndarray | None = None) -> ControlView:
    """A view from a batch's control counts [N, F+1] at ``turn``; rings on the likeliest map.

    ``by_turn`` ([T+1, N, F+1], ``--per-turn`` batches) tells which places changed hands in
    some game by ``turn``; without it, those held by another side at ``turn`` in some game.
    """
    if games < 1:
        raise ValueError("a batch view needs at least one game")
    shares = np.asarray(counts, dtype=float) / games
    leader = np.argmax(shares, axis=1)
    modal = np.where(leader == c.n_factions, -1, leader)
    start = np.where(c.init_control < 0, c.n_factions, c.init_control)
    held = np.asarray(counts if by_turn is None else np.asarray(by_turn)[: turn + 1])
    own = held[..., np.arange(len(start)), start]
    changed = np.asarray(np.asarray(own < games).reshape(-1, len(start)).any(axis=0))
    return ControlView(shares, games, turn, besieged_places(c, modal), changed)


def _diameters(values: np.ndarray) -> np.ndarray:
    """Marker diameters in points: area grows with value."""
    top = max(float(values.max()), 1e-9) if len(values) else 1.0
    return 5.0 + 10.0 * np.sqrt(np.clip(values, 0, None) / top)


def _name(p: _Painter, i: int) -> str:
    """A place's name on the map, with its garrison when the view has them: ``Azaz 2,433``."""
    name = p.places[i].name
    if p.view.garrison is None:
        return name
    return f"{name} {p.view.garrison[i]:,.0f}"


def short_count(x: float) -> str:
    """A count in a few characters: ``406``, ``1.2k``, ``152k``, ``1.3M``."""
    if x < 999.5:
        return f"{x:,.0f}"
    if x < 9_950:
        return f"{x / 1000:.1f}k"
    if x < 999_500:
        return f"{x / 1000:,.0f}k"
    return f"{x / 1e6:.1f}M"


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

    def spread(self, proj: geo.Projection) -> None:
        """Move apart the markers of places that lie almost on one another (Aleppo's west,
        east and Sheikh Maqsoud, 3 km apart): each group is set on a small circle round its
        centre, in the order of their bearings from it, so that no two markers overlap and
        each stays on its own side. Only the drawing moves (links and names follow it)."""
        scale = self.fig.dpi / 72
        px = np.array([proj.pixel(x, y) for x, y in zip(self.lon, self.lat, strict=True)])
        d_px = self.diam * scale
        for group in geo.clusters(px, d_px, overlap=CO_LOCATED):
            centre = px[group].mean(axis=0)
            n = len(group)
            gap = float(d_px[group].max()) * SPREAD_GAP
            radius = gap / (2 * np.sin(np.pi / n))
            rel = px[group] - centre
            bearing = np.arctan2(rel[:, 1], rel[:, 0])
            start = float(bearing[np.argmin(bearing)])
            for k, i in enumerate(np.array(group)[np.argsort(bearing)]):
                a = start + 2 * np.pi * k / n
                x, y = centre + radius * np.array([np.cos(a), np.sin(a)])
                self.lon[i], self.lat[i] = proj.lonlat(float(x), float(y))

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


MAIN_RINGS = 4   # leader lines on the map of up to 25 pt; names needing more go to the inset
INSET_RINGS = 3  # and in the inset, where every name stays within 15 pt of its marker
CO_LOCATED = 0.3   # markers whose centres are closer than this x their summed diameters
SPREAD_GAP = 1.15  # are set apart, this many diameters from centre to centre
LABEL_MODES = ("all", "contested", "none")
"""``--labels``: every place; the contested ones (default); none."""


def label_sets(sc: Scenario, view: ControlView, mode: str) -> tuple[list[int], list[int]]:
    """The places a map must label, and those it labels where there is room, by value.

    ``contested``: every place that changes hands in some game or that an outcome names must
    be labelled; the most valuable others are labelled where there is room, up to
    :data:`MAX_LABELS` names in all. ``all``: every place. ``none``: no names.
    """
    if mode not in LABEL_MODES:
        raise ValueError(f"labels must be one of {', '.join(LABEL_MODES)} (got {mode!r})")
    places = list(sc.settlements.values())
    order = sorted(range(len(places)), key=lambda i: (-places[i].value,
                                                      -places[i].population, i))
    if mode == "none":
        return [], []
    if mode == "all":
        return order, []
    named = outcome_places(sc)
    ids = list(sc.settlements)
    changed = view.changed if view.changed is not None else np.zeros(len(ids), dtype=bool)
    must = [i for i in order if changed[i] or ids[i] in named]
    rest = [i for i in order if i not in must][: max(0, MAX_LABELS - len(must))]
    return must, rest


def _marker_box(at: tuple[float, float], r_px: float) -> geo.Box:
    return (at[0] - r_px, at[1] - r_px, at[0] + r_px, at[1] + r_px)


def _frame_px(proj: geo.Projection) -> geo.Box:
    left, bottom, w, h = proj.box
    return (left * proj.width, (1 - bottom - h) * proj.height, (left + w) * proj.width,
            (1 - bottom) * proj.height)


def _canvas(sc: Scenario, view: ControlView, width: int, height: int
            ) -> tuple[Figure, _Painter, geo.Projection, Axes, bool,
                       tuple[float, float, float, float], float]:
    """What every map starts from: the figure, the painter of its places, the projection, the
    map's axes with their frame and the country outlines, whether borders are drawn, the axes'
    box (figure fractions) and the width of the legend panel (inches)."""
    fig = new_figure(width, height)
    fw, fh = fig.get_figwidth(), fig.get_figheight()
    panel = min(2.3, 0.33 * fw)
    box = (0.12 / fw, 0.3 / fh, (fw - panel - 0.3) / fw, (fh - 0.95) / fh)
    p = _Painter(sc, view, fig)
    proj = geo.fit(list(p.lon), list(p.lat), box, width, height)
    p.spread(proj)
    ax = fig.add_axes(box)
    _frame(ax, proj)
    borders = geo.covers(proj)
    p.outlines(ax, borders)
    return fig, p, proj, ax, borders, box, panel


def draw_map(sc: Scenario, view: ControlView, width: int, height: int,
             footnote: str = "", labels: str = "contested") -> tuple[Figure, geo.Projection]:
    """The map as a figure of ``width`` x ``height`` pixels, and where places land in it.

    ``labels`` (:func:`label_sets`) chooses the names. Names go beside their markers or, with
    a leader line, a little further out (:mod:`wargame.report.labels`); the places whose names
    find no room are shown again, larger, in an inset with every name inside it, placed over
    a part of the map with no place.
    """
    if outline_note(sc) is not None:
        return _draw_outline(sc, view, width, height, footnote)
    fig, p, proj, ax, borders, _box, panel = _canvas(sc, view, width, height)
    fw, fh = fig.get_figwidth(), fig.get_figheight()
    p.links(ax)
    p.places_on(ax)
    px = np.array([proj.pixel(x, y) for x, y in zip(p.lon, p.lat, strict=True)])
    must, rest = label_sets(sc, view, labels)
    placer = Placer(fig)
    scale = fig.dpi / 72
    for i in range(len(px)):   # markers are obstacles
        placer.block(_marker_box((px[i, 0], px[i, 1]), p.diam[i] / 2 * scale))
    placer.block_text(_scale_bar(ax, proj))
    keep = len(placer.taken)
    frame = _frame_px(proj)

    def label_main(skip: set[int]) -> list[int]:
        failed = []
        for i in must + rest:
            if i in skip:
                continue
            ok = placer.place(ax, plot_text(_name(p, i)), float(p.lon[i]),
                              float(p.lat[i]), p.diam[i] / 2, frame,
                              rings=MAIN_RINGS if i in must else 1)
            if not ok and i in must:
                failed.append(i)
        return failed

    failed = label_main(set())
    inset_box: geo.Box | None = None
    inside: set[int] = set()
    crowded = list(failed)
    for attempt in range(INSET_TRIES):   # the crowded places grow until every name has room
        if not failed:
            break
        placer.clear(keep)
        made = _inset(fig, ax, p, proj, crowded, px, borders, placer, attempt)
        if made is None:   # no room for an inset: the map as it is
            label_main(set())
            break
        inset_box, inside, unnamed, drawn = made
        failed = [*label_main(inside), *unnamed]
        if failed and attempt < INSET_TRIES - 1:
            placer.clear(keep)
            for artist in drawn:
                artist.remove()
            inset_box = None
            crowded = sorted(set(crowded) | set(failed))
    for i in failed:   # the last resort: a longer leader line on the map
        if inset_box is None or i not in inside:
            placer.place(ax, plot_text(_name(p, i)), float(p.lon[i]), float(p.lat[i]),
                         p.diam[i] / 2, frame)
    blocked = [inset_box] if inset_box is not None else []
    for name, lon, lat in geo.country_label_spots(proj, px, blocked) if borders else []:
        t = ax.text(lon, lat, " ".join(plot_text(name).upper()), ha="center", va="center",
                    color="#8A8A8A", fontsize=FONT + 4, fontweight="bold", alpha=0.8,
                    zorder=1.5)
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        bb = t.get_window_extent(renderer)
        cbox = (bb.x0, fig.bbox.height - bb.y1, bb.x1, fig.bbox.height - bb.y0)
        if any(geo.overlaps(cbox, o) for o in placer.taken[keep:]):
            t.remove()   # a country's name gives way to the places' names
    _titles(fig, sc, view, ("Borders: Natural Earth 1:10m (public domain). "
                            if borders else "") + footnote)
    uses = {"sizes": bool(np.ptp(p.diam) > 0),
            "pies": bool(view.games and (view.top < mapkey.SURE).any()),
            "rings": bool(view.besieged.any()),
            "dashed": any(s.approximate for s in p.places)}
    y = mapkey.legend(fig, [plot_text(f.name) for f in sc.factions.values()], p.colours[:-1],
                      bool(view.shares[:, -1].any()), view.games > 0, fw - panel + 0.05,
                      fh - 0.8, panel - 0.15, frozenset(k for k, used in uses.items() if used))
    if view.civilians is not None:
        mapkey.table(fig, "Civilians (mean of games)", civilian_lines(sc, view.civilians),
                     fw - panel + 0.05, y, panel - 0.15)
    return fig, proj


CIVILIAN_PLACES = 6
"""The hardest-hit places the map's key names."""


def civilian_lines(sc: Scenario, civ: np.ndarray) -> list[str]:
    """The key's lines for ``civ`` [N, 2] (killed, displaced at each place): all places, then
    the hardest-hit, most first."""
    names = [s.name for s in sc.settlements.values()]
    total = civ.sum(axis=0)

    def line(name: str, killed: float, fled: float) -> str:
        return f"{plot_text(name)}: {short_count(killed)} killed, {short_count(fled)} fled"

    order = [int(i) for i in np.argsort(-(civ[:, 0] + civ[:, 1]), kind="stable")
             if civ[i].sum() >= 0.5][:CIVILIAN_PLACES]
    return [line("all places", *total), *(line(names[i], *civ[i]) for i in order)]


def _frame(ax: Axes, proj: geo.Projection) -> None:
    ax.set_xlim(proj.lon_min, proj.lon_max)
    ax.set_ylim(proj.lat_min, proj.lat_max)
    ax.set_xticks([])
    ax.set_yticks([])
    for s in ax.spines.values():
        s.set_edgecolor("#555555")
        s.set_linewidth(0.8)


INSET_SIZES = (0.5, 0.45, 0.4, 0.35, 0.3, 0.25, 0.2)   # inset width / the map's, largest first
INSET_TRIES = 4   # times the inset may grow to take in places still without room
INSET_GROWTH = 0.1   # and this much wider at each try
INSET_PER_PLACE = 0.04   # an inset of n crowded places is at most 0.14 + n times this wide
INSET_PAD = 0.3   # margin around the crowded places in the inset, as a share of their spread
INSET_MARGIN = 2.5   # and at least this many marker widths


def _inset(fig: Figure, ax: Axes, p: _Painter, proj: geo.Projection, crowded: list[int],
           px: np.ndarray, borders: bool, placer: Placer,
           grow: int = 0) -> tuple[geo.Box, set[int], list[int], list[Any]] | None:
    """Zoom on the places whose names found no room, with every name in it.

    The inset goes where the map shows no place (edges and corners tried, largest size
    first); None when no such spot exists. Returns its box in image pixels and the places it
    shows (labelled there, not on the map), those of them whose name found no room in it,
    and what was drawn (to take it away when the inset must grow).
    """
    left, bottom, w, h = proj.box
    k = np.cos(np.radians(proj.lat0))
    gx, gy = p.lon[crowded] * k, p.lat[crowded]
    aspect = float(np.clip((np.ptp(gy) + 0.02) / (np.ptp(gx) + 0.02), 0.6, 1.25))
    ratio = proj.width / proj.height
    most = 0.14 + INSET_PER_PLACE * len(crowded) + INSET_GROWTH * grow
    for size in [x for x in INSET_SIZES if x <= most] or [INSET_SIZES[-1]]:
        iw = size * w
        ih = min(iw * ratio * aspect, 0.62 * h)
        xs = (left + 0.01, left + (w - iw) / 2, left + w - iw - 0.01)
        ys = (bottom + h - ih - 0.01, bottom + (h - ih) / 2, bottom + 0.01)
        for y0 in ys:
            for x0 in xs:
                b = (x0 * proj.width, (1 - y0 - ih) * proj.height, (x0 + iw) * proj.width,
                     (1 - y0) * proj.height)
                r = p.diam.max() * fig.dpi / 72
                if any(b[0] - r <= x <= b[2] + r and b[1] - r <= y <= b[3] + r
                       for x, y in px):
                    continue
                # Names close to their markers, until the last try: then a longer leader
                # rather than no name.
                rings = INSET_RINGS if grow < INSET_TRIES - 1 else len(RINGS_PT)
                return _draw_inset(fig, ax, p, proj, crowded, (x0, y0, iw, ih), b, borders,
                                   placer, rings)
    return None


def _draw_inset(fig: Figure, ax: Axes, p: _Painter, proj: geo.Projection, crowded: list[int],
                ibox: tuple[float, float, float, float], box_px: geo.Box, borders: bool,
                placer: Placer, rings: int = INSET_RINGS,
                ) -> tuple[geo.Box, set[int], list[int], list[Any]]:
    lons, lats = [float(x) for x in p.lon[crowded]], [float(y) for y in p.lat[crowded]]
    sub = geo.fit(lons, lats, ibox, proj.width, proj.height, pad=INSET_PAD, min_span_km=10.0)
    # Keep every marker well inside the frame: widen by a few marker widths at this zoom.
    deg_per_px = (sub.lat_max - sub.lat_min) / (ibox[3] * proj.height)
    m = INSET_MARGIN * float(p.diam.max()) * fig.dpi / 72 * deg_per_px
    k = np.cos(np.radians(sub.lat0))
    sub = geo.fit([min(lons) - m / k, max(lons) + m / k], [min(lats) - m, max(lats) + m], ibox,
                  proj.width, proj.height, pad=0.0, min_span_km=10.0)
    r_deg = float(p.diam.max()) / 2 * fig.dpi / 72 * (sub.lat_max - sub.lat_min) / (
        ibox[3] * proj.height)
    iax = fig.add_axes(ibox)
    _frame(iax, sub)
    for sp in iax.spines.values():
        sp.set_linewidth(1.4)
        sp.set_edgecolor("#333333")
    p.outlines(iax, borders)
    p.links(iax)
    # Only places whose marker lies whole in the inset are drawn (and named) there.
    inside = [i for i in range(len(p.places))
              if sub.lon_min + r_deg / k <= p.lon[i] <= sub.lon_max - r_deg / k
              and sub.lat_min + r_deg <= p.lat[i] <= sub.lat_max - r_deg]
    p.places_on(iax, inside)
    scale = fig.dpi / 72
    for i in inside:
        placer.block(_marker_box(sub.pixel(float(p.lon[i]), float(p.lat[i])),
                                 p.diam[i] / 2 * scale))
    lead = max(inside, key=lambda i: p.places[i].value)
    title = iax.text(0.02, 0.98, plot_text(f"around {_short(p.places[lead].name)}"),
                     transform=iax.transAxes, ha="left", va="top", fontsize=FONT + 0.5,
                     fontweight="bold", zorder=7,
                     bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5,
                           "alpha": 0.85})
    wrap_to(title, ibox[2] * proj.width * 0.95)
    placer.block_text(title)
    frame = _frame_px(sub)
    unnamed = [i for i in sorted(inside, key=lambda i: -p.places[i].value)
               if not placer.place(iax, plot_text(_name(p, i)), float(p.lon[i]),
                                   float(p.lat[i]), p.diam[i] / 2, frame, rings=rings)]
    placer.block(box_px)   # the map's names keep out of the inset
    rect = ax.add_patch(Rectangle((sub.lon_min, sub.lat_min), sub.lon_max - sub.lon_min,
                                  sub.lat_max - sub.lat_min, fill=False, edgecolor="#333333",
                                  linewidth=0.9, zorder=5))
    return box_px, set(inside), unnamed, [iax, rect]


def _scale_bar(ax: Axes, proj: geo.Projection) -> Text:
    """A round-number distance bar in the lower right."""
    span_km = (proj.lon_max - proj.lon_min) * np.cos(np.radians(proj.lat0)) * geo.KM_PER_DEG
    km = geo.nice_distance(span_km / 5)
    deg = km / (geo.KM_PER_DEG * np.cos(np.radians(proj.lat0)))
    x1 = proj.lon_max - (proj.lon_max - proj.lon_min) * 0.04
    y = proj.lat_min + (proj.lat_max - proj.lat_min) * 0.04
    ax.plot([x1 - deg, x1], [y, y], color="#222222", linewidth=2, solid_capstyle="butt", zorder=6)
    return ax.text(x1 - deg / 2, y, f"{km:g} km", ha="center", va="bottom", fontsize=FONT,
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


def outline_note(sc: Scenario) -> str | None:
    """Why a map of ``sc`` is drawn in outline (more than DETAIL_LIMIT places), else ``None``."""
    n = len(sc.settlements)
    if n <= DETAIL_LIMIT:
        return None
    return (f"{n:,} places: drawn in outline (one dot per place in its most likely "
            f"controller's colour; no pies, rings or inset; names of the most valuable)")


def _draw_outline(sc: Scenario, view: ControlView, width: int, height: int,
                  footnote: str) -> tuple[Figure, geo.Projection]:
    """A map of a very large scenario in time linear in its places (see DETAIL_LIMIT)."""
    from matplotlib.collections import LineCollection

    fig, p, proj, ax, borders, box, panel = _canvas(sc, view, width, height)
    fw, fh = fig.get_figwidth(), fig.get_figheight()
    ends = np.array([[p.index[link.between[0]], p.index[link.between[1]]]
                     for link in sc.links], dtype=np.intp).reshape(-1, 2)
    segments = np.stack([np.stack([p.lon[ends[:, 0]], p.lat[ends[:, 0]]], axis=1),
                         np.stack([p.lon[ends[:, 1]], p.lat[ends[:, 1]]], axis=1)], axis=1)
    ax.add_collection(LineCollection(list(segments), colors="#8C8C8C", linewidths=0.4,
                                     zorder=2))
    # Dots no wider than the room each place has on average in the frame, so they stay apart.
    room = 72 * np.sqrt(box[2] * fw * box[3] * fh / len(p.places))
    ax.scatter(p.lon, p.lat, s=np.minimum(p.diam, max(1.5, 0.8 * room)) ** 2,
               c=[p.colours[int(k)] for k in view.leader], edgecolors=mapkey.EDGE,
               linewidths=0.2, zorder=3)
    order = sorted(range(len(p.places)), key=lambda i: (-p.places[i].value,
                                                        -p.places[i].population, i))
    placer = Placer(fig)
    placer.block_text(_scale_bar(ax, proj))
    frame, named = _frame_px(proj), 0
    for i in order[: 3 * MAX_LABELS]:   # the most valuable places' names, beside their dots
        named += placer.place(ax, plot_text(_name(p, i)), float(p.lon[i]),
                              float(p.lat[i]), 1.0, frame, rings=1)
        if named == MAX_LABELS:
            break
    # The legend lists the factions that hold the most places, as many as fit its column.
    held = np.bincount(view.leader, minlength=len(p.colours))[:-1]
    fits = max(1, int((fh - 1.6) / (FONT * 1.3 / 72 * 1.45)))
    shown = sorted(np.argsort(-held, kind="stable")[:fits]) if len(held) > fits else \
        list(range(len(held)))
    fnames = [plot_text(f.name) for f in sc.factions.values()]
    more = f"; legend: the {len(shown)} factions holding most places" if len(shown) < \
        len(held) else ""
    _titles(fig, sc, view, f"{len(p.places):,} places drawn in outline{more} · " + (
        "Borders: Natural Earth 1:10m (public domain). " if borders else "")
        + footnote)
    mapkey.legend(fig, [fnames[i] for i in shown], [p.colours[i] for i in shown],
                  bool(view.shares[:, -1].any()), view.games > 0, fw - panel + 0.05, fh - 0.8,
                  panel - 0.15, frozenset())
    return fig, proj
