"""Charts of a batch: each outcome's probability by date, and when outcomes come true.

The numbers come from a batch's summed chunk statistics (:class:`wargame.montecarlo.tally.Tally`),
so a chart drawn from a ``--store`` file and one drawn from a fresh run with the same seed are
the same. Intervals are 95% Wilson score intervals (:func:`wargame.montecarlo.stats.wilson`), the
same the batch tables print.

* An outcome judged whenever it first holds (``when: ever``) is drawn as the share of games in
  which it has come true *by* each date: it only rises, and its last value is the probability
  in the outcome table.
* An outcome judged at the end (``when: final``) is drawn as the share of games in which it
  holds *at* each date, when the batch kept per-turn statistics; its last value is again the
  table's.
"""

from __future__ import annotations

import datetime as dt
import math
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from wargame.display import interval, plural
from wargame.display import pct as share_pct
from wargame.montecarlo.stats import count_quantile, wilson
from wargame.report.figures import constrained, new_figure, wrap_to
from wargame.textsafe import plot_text

if TYPE_CHECKING:
    from wargame.montecarlo.summary import Labels
    from wargame.montecarlo.tally import Tally
    from wargame.scenario.schema import Scenario

LINE, BAND, MARK = "#0072B2", "#A6CEE3", "#D55E00"
FONT = 7.0
FEW = 30   # fewer games than this where an outcome came true: its timing is shown pale


@dataclass(frozen=True)
class OutcomeTimes:
    """When each outcome came true across a batch of ``games`` games."""

    ids: list[str]
    names: list[str]
    dates: list[dt.date]        # end date of turn t, for t = 0..T (wargame.scenario.calendar)
    games: int
    first: np.ndarray           # [O, T+1] games where it first came true at turn t
    holds: np.ndarray | None    # [T+1, O] games where it holds at turn t (per-turn batches)
    final: list[bool]           # judged at the end (``when: final``)

    @property
    def x(self) -> np.ndarray:
        """The dates as day numbers (the charts' x axis; ticks are labelled with dates)."""
        return np.array([d.toordinal() for d in self.dates], dtype=float)

    def index(self, oid: str) -> int:
        """Position of an outcome id (a ``KeyError`` naming the choices if unknown)."""
        if oid not in self.ids:
            raise KeyError(f"unknown outcome {oid!r}; the scenario's outcomes are "
                           f"{', '.join(self.ids)}")
        return self.ids.index(oid)

    def curve(self, o: int) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """Counts by turn ``[T+1]`` and their Wilson bounds, or ``None`` (no per-turn data)."""
        if self.final[o]:
            if self.holds is None:
                return None
            k = self.holds[:, o]
        else:
            k = np.cumsum(self.first[o])
        ci = [wilson(int(x), self.games) for x in k]
        return (k / self.games, np.array([c.low for c in ci]), np.array([c.high for c in ci]))

    def total(self, o: int) -> int:
        """Games where the outcome came true (the outcome table's count)."""
        return int(self.first[o].sum())

    def quantile_dates(self, o: int) -> tuple[dt.date, dt.date, dt.date] | None:
        """Dates of the 10th, 50th and 90th percentile of the turn it came true."""
        qs = [count_quantile(self.first[o], q) for q in (0.1, 0.5, 0.9)]
        if any(q is None for q in qs):
            return None
        a, b, c = (self.dates[int(q)] for q in qs if q is not None)
        return a, b, c


def outcome_times(tally: Tally, labels: Labels, scenario: Scenario | None) -> OutcomeTimes:
    """The chart data of a batch (``scenario`` tells which outcomes are judged at the end)."""
    final = [scenario is not None and oid in scenario.outcomes
             and scenario.outcomes[oid].when == "final" for oid in labels.outcomes]
    holds = tally.ints.get("outcome_by_turn")
    return OutcomeTimes(list(labels.outcomes), list(labels.outcome_names),
                        [dt.date.fromisoformat(d) for d in labels.end_dates], tally.games,
                        np.asarray(tally.ints["outcome_turn"]),
                        None if holds is None else np.asarray(holds), final)


def fmt_date(d: dt.date) -> str:
    """``3 Nov 2015`` (no leading zero)."""
    return f"{d.day} {d:%b %Y}"


def pct(p: float) -> str:
    """A probability as a short percentage: ``<1%``, ``12%``, ``>99%``; 0% and 100% only when
    exact (:func:`wargame.display.pct`)."""
    return share_pct(p)


def _ci(low: float, high: float) -> str:
    """A 95% interval in whole percent, rounded outwards (:func:`wargame.display.interval`)."""
    return interval(low, high, 0)


def _percent_axis(ax: Axes) -> None:
    ax.set_ylim(-0.02, 1.02)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{100 * y:.0f}%"))
    ax.yaxis.set_major_locator(MaxNLocator(3 if ax.get_position().height < 0.2 else 5))


def style(ax: Axes) -> None:
    """Light grid, no top and right frame, small ticks."""
    ax.grid(True, color="#E3E3E3", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#888888")
    ax.tick_params(labelsize=FONT - 0.5, length=2, color="#888888")


def _date_axis(ax: Axes, dates: list[dt.date], ticks: int, short: bool = False) -> None:
    """Dates of turns ``0..T`` on an x axis of day numbers; the end labels lean inwards so rows
    of small charts do not run their labels together."""
    x0, x1 = dates[0].toordinal(), dates[-1].toordinal()
    pad = max(1, (x1 - x0) // 40)
    ax.set_xlim(x0 - pad, x1 + pad)
    idx = np.unique(np.linspace(0, len(dates) - 1, ticks).round().astype(int))
    ax.set_xticks([dates[i].toordinal() for i in idx])
    span = (dates[-1] - dates[0]).days
    fmt = "%d %b" if span < 120 else "%b %Y" if span > 400 else "%d %b %y"
    if short and span >= 120:
        fmt = "%b %y"
    labels = ax.set_xticklabels([dates[i].strftime(fmt) for i in idx])
    if len(labels) > 1:
        labels[0].set_horizontalalignment("left")
        labels[-1].set_horizontalalignment("right")


def header(fig: Figure, title: str, subtitle: str, note: str = "") -> None:
    """Title, subtitle and a small note at the foot, on the 8 x 6 inch design page; the axes
    are then laid out between them (:func:`wargame.report.figures.constrained`)."""
    fw, fh = fig.get_figwidth(), fig.get_figheight()
    top = [fig.text(0.12 / fw, 1 - 0.1 / fh, plot_text(title), fontsize=FONT + 5,
                    fontweight="bold", va="top")]
    sub = fig.text(0.12 / fw, 1 - 0.4 / fh, plot_text(subtitle), fontsize=FONT + 1.5, va="top",
                   color="#333333")
    wrap_to(sub, fig.bbox.width - 0.24 * fig.dpi)
    top.append(sub)
    foot = []
    if note:
        foot.append(fig.text(0.12 / fw, 0.08 / fh, plot_text(note), fontsize=FONT - 1.5,
                             color="#666666", va="bottom"))
    constrained(fig, top, foot)


def _chars(inches: float, size: float) -> int:
    """About how many characters of a ``size``-point font fit in ``inches``."""
    return max(10, int(inches * 72 / (size * 0.58)))


def _wrap(text: str, width: int, lines: int = 2) -> str:
    out = textwrap.wrap(text, width) or [""]
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1].rstrip() + "…"
    return "\n".join(out)


def outcomes_chart(ot: OutcomeTimes, width: int, height: int, title: str,
                   select: list[str] | None = None, note: str = "") -> Figure:
    """Small multiples: each outcome's probability by date with its 95% Wilson band."""
    which = [ot.index(o) for o in select] if select else list(range(len(ot.ids)))
    fig = new_figure(width, height)
    fw, fh = fig.get_figwidth(), fig.get_figheight()
    n = max(1, len(which))
    cols = max(1, min(n, math.ceil(math.sqrt(n * fw / fh * 0.8))))
    rows = math.ceil(n / cols)
    gs = fig.add_gridspec(rows, cols)
    panel_px = (fig.bbox.width - 0.6 * fig.dpi) / cols * 0.8
    axes = []
    for k, o in enumerate(which):
        ax = fig.add_subplot(gs[k // cols, k % cols])
        axes.append(ax)
        style(ax)
        curve = ot.curve(o)
        p = ot.total(o) / ot.games
        ci = wilson(ot.total(o), ot.games)
        if curve is not None:
            y, lo, hi = curve
            # Values are known at the end of each turn only; straight lines join them.
            ax.fill_between(ot.x, lo, hi, color=BAND, linewidth=0)
            ax.plot(ot.x, y, color=LINE, linewidth=1.3,
                    marker="o" if len(ot.dates) <= 14 else None, markersize=2)
        ax.errorbar([ot.x[-1]], [p], yerr=[[p - ci.low], [ci.high - p]], fmt="o",
                    color=MARK, markersize=3, elinewidth=1, capsize=1.5, zorder=5)
        kind = " · judged at the end" if ot.final[o] else ""
        final = ax.annotate(f"final {pct(p)} ({_ci(ci.low, ci.high)}){kind}", (0, 1),
                            xycoords="axes fraction", xytext=(0, 3),
                            textcoords="offset points", fontsize=FONT - 1, color="#555555",
                            va="bottom")
        wrap_to(final, panel_px)
        name = ax.set_title(plot_text(ot.names[o]), fontsize=FONT, loc="left")
        wrap_to(name, panel_px, max_lines=3)
        # The title sits on the "final ..." line, whatever its height.
        fig.canvas.draw()
        ax.set_title(name.get_text(), fontsize=FONT, loc="left",
                     pad=6 + final.get_window_extent().height * 72 / fig.dpi)
        _percent_axis(ax)
        _date_axis(ax, ot.dates, 3, short=True)
        if k // cols != rows - 1 and k + cols < n:
            ax.tick_params(labelbottom=False)
        if k % cols:
            ax.tick_params(labelleft=False)
    finals = " (outcomes judged at the end: in which it holds at the date)" if any(
        ot.final[o] for o in which) else ""
    sub = (f"Share of {plural(ot.games, 'game')} in which each outcome has come true by each "
           f"date{finals}. Band: 95% Wilson interval; dot: the final probability, as in the "
           "outcome table.")
    header(fig, title, sub, note)
    return fig


def timing_chart(ot: OutcomeTimes, oid: str, width: int, height: int, title: str,
                 note: str = "") -> Figure:
    """When one outcome came true: share of all games by the turn it first held."""
    o = ot.index(oid)
    fig = new_figure(width, height)
    ax = fig.add_subplot(fig.add_gridspec(1, 1)[0])
    style(ax)
    share = ot.first[o] / ot.games
    days = (ot.dates[1] - ot.dates[0]).days if len(ot.dates) > 1 else 7
    # Each bar spans its turn: the outcome first held at the end of that turn.
    ax.bar(ot.x - days / 2, share, width=0.85 * days, color=LINE, align="center")
    _date_axis(ax, ot.dates, 7)
    if share[0] > 0:
        ax.set_xlim(left=ot.x[0] - days * 1.2)
    small = share.max() < 0.05
    ax.yaxis.set_major_formatter(FuncFormatter(
        lambda y, _: f"{100 * y:.1f}%" if small else f"{100 * y:.0f}%"))
    ax.set_ylim(0, min(1.0, max(float(share.max()) * 1.1, 0.01)))
    ax.set_ylabel("share of all games", fontsize=FONT)
    ax.set_xlabel("turn in which the outcome first held (dates: end of the turn)", fontsize=FONT)
    k = ot.total(o)
    ci = wilson(k, ot.games)
    q = ot.quantile_dates(o)
    what = (f"Came true in {pct(ci.estimate)} of {plural(ot.games, 'game')} "
            f"(95%: {_ci(ci.low, ci.high)}), never in the rest.")
    labels = []
    if q is not None:
        marks: dict[dt.date, list[str]] = {}
        for d, label in ((q[0], "10%"), (q[1], "median"), (q[2], "90%")):
            marks.setdefault(d, []).append(label)
        for d, names in marks.items():
            x = d.toordinal() - days / 2
            ax.axvline(x, color=MARK, linestyle="--" if "median" in names else ":",
                       linewidth=1)
            labels.append(ax.annotate(f"{', '.join(names)}\n{fmt_date(d)}", (x, 1.0),
                                      xycoords=ax.get_xaxis_transform(), xytext=(0, 2),
                                      textcoords="offset points", fontsize=FONT - 1,
                                      color=MARK, va="bottom", ha="center"))
        what += (f" When it did: median {fmt_date(q[1])}; 80% of those games between "
                 f"{fmt_date(q[0])} and {fmt_date(q[2])}.")
    header(fig, title, f"When: {ot.names[o]}. {what}", note)
    _stack(fig, labels)
    return fig


def _stack(fig: Figure, labels: list[Any]) -> None:
    """Lift each label above the ones before it that it would touch (close dates)."""
    if len(labels) < 2:
        return
    fig.canvas.draw()
    placed: list[Any] = []
    for t in labels:
        while True:
            box = t.get_window_extent()
            hit = [b for b in placed if b.x0 < box.x1 + 2 and box.x0 < b.x1 + 2
                   and b.y0 < box.y1 and box.y0 < b.y1]
            if not hit:
                break
            lift = max(b.y1 for b in hit) - box.y0 + 2
            t.xyann = (t.xyann[0], t.xyann[1] + lift * 72 / fig.dpi)
        placed.append(t.get_window_extent())


def timing_overview(ot: OutcomeTimes, width: int, height: int, title: str,
                    note: str = "") -> Figure:
    """Every outcome on one date axis: median date it came true and the 10-90% range."""
    fig = new_figure(width, height)
    ax = fig.add_subplot(fig.add_gridspec(1, 1)[0])
    style(ax)
    n = len(ot.ids)
    for o in range(n):
        y = n - 1 - o
        q = ot.quantile_dates(o)
        p = ot.total(o) / ot.games
        alpha = 1.0 if ot.total(o) >= FEW else 0.4
        if q is not None and not ot.final[o]:
            ax.plot([q[0].toordinal(), q[2].toordinal()], [y, y], color=LINE, linewidth=3,
                    solid_capstyle="butt", alpha=alpha)
            ax.plot([q[1].toordinal()], [y], "o", color=MARK, markersize=4, alpha=alpha)
        elif ot.final[o]:
            ax.plot([ot.x[-1]], [y], "s", color="#777777", markersize=3.5)
        ax.text(1.01, y, pct(p), transform=ax.get_yaxis_transform(), fontsize=FONT,
                va="center", ha="left")
    ax.set_yticks(range(n))
    ax.set_yticklabels([_wrap(plot_text(ot.names[o]), 60, 2) for o in range(n)][::-1],
                       fontsize=FONT - 0.5, linespacing=1.0)
    ax.set_ylim(-0.7, n - 0.3)
    _date_axis(ax, ot.dates, 6)
    ax.text(1.01, 1.0, "P", transform=ax.transAxes, fontsize=FONT, fontweight="bold",
            va="bottom")
    header(fig, title, "When outcomes come true: median date (dot) and the middle 80% of the "
           f"games where they did (bar; pale: fewer than {FEW} such games); square: judged at "
           "the end; right: probability", note)
    return fig
