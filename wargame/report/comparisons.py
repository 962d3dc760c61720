"""Charts that compare variants of a scenario: sweep heatmap, tornado and A/B comparison.

Every variant is played on the same random numbers (common random numbers: the same seed and
chunk streams), so what differs between two bars comes from the scenario, not the dice. The
inputs are the batch layer's typed results (:class:`~wargame.montecarlo.sweep_result.SweepResult`,
:class:`~wargame.montecarlo.compare_result.CompareResult`), so a chart shows exactly the numbers
``wargame sweep`` and ``wargame compare`` print.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from wargame.display import plural, points
from wargame.montecarlo.stats import Interval
from wargame.report.figures import new_figure
from wargame.report.palette import hex_colour, luminance
from wargame.report.plots import FONT, header, pct, style
from wargame.textsafe import plot_text

if TYPE_CHECKING:
    from wargame.montecarlo.compare_result import CompareResult
    from wargame.montecarlo.sweep_result import PointOutcome, SweepResult

LOW, HIGH = "#56B4E9", "#E69F00"   # Okabe-Ito sky blue and orange
A_COLOUR, B_COLOUR, DIFF = "#555555", "#0072B2", "#D55E00"


def _percent(x: float, _: Any = None) -> str:
    return f"{100 * x:.0f}%"


def _value(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return plot_text(v)


def _outcome_name(result: SweepResult, oid: str) -> str:
    ids = result.labels.outcomes
    if oid not in ids:
        raise KeyError(f"unknown outcome {oid!r}; the outcomes are {', '.join(ids)}")
    return result.labels.outcome_names[ids.index(oid)]


def _at(outcomes: list[PointOutcome], oid: str) -> PointOutcome:
    return next(o for o in outcomes if o.id == oid)


def sweep_grid(result: SweepResult, oid: str) -> tuple[list[str], list[list[Any]], np.ndarray]:
    """From a sweep result: the varied paths, their levels, and ``P[outcome]`` on the grid.

    The grid has one axis per path (in ``--vary`` order); cells no point filled are NaN.
    """
    points = result.points
    if not points:
        raise ValueError("the sweep has no points")
    paths = list(points[0].values)
    levels: list[list[Any]] = [[] for _ in paths]
    for pt in points:
        for k, path in enumerate(paths):
            if pt.values[path] not in levels[k]:
                levels[k].append(pt.values[path])
    grid = np.full([len(lv) for lv in levels], np.nan)
    for pt in points:
        idx = tuple(levels[k].index(pt.values[path]) for k, path in enumerate(paths))
        row = _at(pt.outcomes, oid)
        if row.probability is not None:
            grid[idx] = row.probability
    return paths, levels, grid


def sweep_heatmap(result: SweepResult, oid: str, width: int, height: int, title: str,
                  note: str = "") -> Figure:
    """An outcome's probability over a grid of one or two varied parameters."""
    name = _outcome_name(result, oid)
    paths, levels, grid = sweep_grid(result, oid)
    runs = result.spec.runs
    fig = new_figure(width, height)
    sub = (f"P({name}) at every point of the sweep; {plural(runs, 'game')} per point on the same "
           "random numbers")
    if len(paths) == 1:
        ax = fig.add_subplot(fig.add_gridspec(1, 1)[0])
        style(ax)
        x = np.arange(len(levels[0]))
        lo = [_at(pt.outcomes, oid).ci95[0] for pt in result.points]
        hi = [_at(pt.outcomes, oid).ci95[1] for pt in result.points]
        ax.fill_between(x, lo, hi, color="#A6CEE3", linewidth=0)
        ax.plot(x, grid, "o-", color=B_COLOUR)
        ax.set_xticks(x)
        ax.set_xticklabels([_value(v) for v in levels[0]])
        ax.set_xlabel(plot_text(paths[0]), fontsize=FONT)
        ax.set_ylim(-0.02, 1.02)
        ax.yaxis.set_major_formatter(FuncFormatter(_percent))
        header(fig, title, sub + " (band: 95% Wilson interval)", note)
        return fig
    if len(paths) != 2:
        raise ValueError(f"a heatmap shows one or two varied parameters (got {len(paths)})")
    gs = fig.add_gridspec(1, 2, width_ratios=(40, 1))
    ax = fig.add_subplot(gs[0])
    img = ax.imshow(grid.T, origin="lower", cmap="viridis", vmin=0, vmax=1, aspect="auto")
    nx, ny = grid.shape
    size = FONT + 1.5 if nx * ny <= 36 else FONT - 0.5
    if nx * ny <= 225:
        for i in range(nx):
            for j in range(ny):
                v = grid[i, j]
                if np.isnan(v):
                    continue
                rgba = img.cmap(img.norm(v))
                colour = hex_colour(*(255 * c for c in rgba[:3]))
                ax.text(i, j, pct(v), ha="center", va="center", fontsize=size,
                        color="black" if luminance(colour) > 0.3 else "white")
    ax.set_xticks(range(nx))
    ax.set_xticklabels([_value(v) for v in levels[0]], fontsize=FONT)
    ax.set_yticks(range(ny))
    ax.set_yticklabels([_value(v) for v in levels[1]], fontsize=FONT)
    ax.set_xlabel(plot_text(paths[0]), fontsize=FONT)
    ax.set_ylabel(plot_text(paths[1]), fontsize=FONT)
    bar = fig.colorbar(img, cax=fig.add_subplot(gs[1]), format=FuncFormatter(_percent))
    bar.ax.tick_params(labelsize=FONT - 0.5)
    bar.set_label("probability", fontsize=FONT)
    header(fig, title, sub, note)
    return fig


@dataclass(frozen=True)
class Swing:
    """One parameter of a tornado: the outcome's probability at its low and high value."""

    path: str
    low: Any
    high: Any
    at_low: Interval
    at_high: Interval

    @property
    def spread(self) -> float:
        """How far the outcome moves between the two ends (probability points)."""
        return abs(self.at_high.estimate - self.at_low.estimate)


def _wrap_path(path: str, width: int = 30) -> str:
    """A dotted parameter path on at most two lines, broken after a dot."""
    if len(path) <= width:
        return path
    cut = path.rfind(".", 0, width)
    return path if cut < 0 else f"{path[:cut + 1]}\n{path[cut + 1:]}"


def tornado_chart(swings: list[Swing], base: Interval, outcome: str, runs: int, width: int,
                  height: int, title: str, note: str = "") -> Figure:
    """Each parameter at its low and high value (others at the scenario's), biggest on top."""
    rows = sorted(swings, key=lambda s: -s.spread)
    fig = new_figure(width, height)
    ax = fig.add_subplot(fig.add_gridspec(1, 1)[0])
    style(ax)
    n = len(rows)
    for k, s in enumerate(rows):
        y = n - 1 - k
        ends = ((s.at_low, LOW, s.low), (s.at_high, HIGH, s.high))
        for iv, colour, _ in ends:
            ax.barh(y, iv.estimate - base.estimate, left=base.estimate, height=0.6,
                    color=colour, edgecolor="white", linewidth=0.5)
            ax.errorbar([iv.estimate], [y], xerr=[[iv.estimate - iv.low],
                                                  [iv.high - iv.estimate]],
                        fmt="none", ecolor="#333333", elinewidth=0.8, capsize=2)
        # One label at each end of the row, outside every interval of the row: the lower
        # result on the left, the higher on the right, so they never meet the bars, the
        # error bars or each other (both values can move the outcome the same way).
        lower, higher = sorted(ends, key=lambda e: e[0].estimate)
        left_x = min(iv.low for iv, _, _ in ends)
        right_x = max(iv.high for iv, _, _ in ends)
        for (iv, colour, value), x, side in ((lower, left_x, -1), (higher, right_x, 1)):
            ax.annotate(f"{_value(value)}: {pct(iv.estimate)}", (x, y), xytext=(4 * side, 0),
                        textcoords="offset points", ha="left" if side > 0 else "right",
                        va="center", fontsize=FONT - 0.5, color="#222222",
                        bbox={"boxstyle": "round,pad=0.15", "facecolor": "white",
                              "edgecolor": colour, "linewidth": 0.8})
    ax.axvline(base.estimate, color="#222222", linewidth=1)
    ax.text(base.estimate, 1.01, f"scenario as written: {pct(base.estimate)}",
            transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=FONT - 0.5)
    ax.set_yticks(range(n))
    ax.set_yticklabels([plot_text(_wrap_path(s.path)) for s in rows][::-1],
                       fontsize=FONT - 0.5)
    ax.set_ylim(-0.7, n - 0.3)
    lo = min([base.low, *(min(s.at_low.low, s.at_high.low) for s in rows)])
    hi = max([base.high, *(max(s.at_low.high, s.at_high.high) for s in rows)])
    pad = max(0.04, (hi - lo) * 0.35)   # room for the labels at both ends of each row
    ax.set_xlim(lo - pad, hi + pad)
    # The axis runs past 0 and 100% to make room for the labels; no tick says -2%.
    ax.xaxis.set_major_formatter(FuncFormatter(
        lambda x, _: _percent(x) if -1e-9 <= x <= 1 + 1e-9 else ""))
    ax.set_xlabel(plot_text(f"P({outcome})"), fontsize=FONT)
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=LOW, label="parameter at its low value"),
                       Patch(color=HIGH, label="parameter at its high value")],
              fontsize=FONT - 0.5, loc="upper center", ncol=2, frameon=False,
              bbox_to_anchor=(0.5, -0.1))
    header(fig, title, f"What moves P({outcome}) most: each parameter set to its low, then its "
           f"high value; {plural(runs, 'game')} each, same random numbers; lines: 95% intervals",
           note)
    return fig


def compare_chart(result: CompareResult, label_a: str, label_b: str, width: int,
                  height: int, title: str, note: str = "") -> Figure:
    """Each shared outcome in A and B with 95% intervals, and the paired difference B - A."""
    rows = result.outcomes
    n = len(rows)
    fig = new_figure(width, height)
    gs = fig.add_gridspec(1, 2, width_ratios=(3, 1))
    axp = fig.add_subplot(gs[0])
    axd = fig.add_subplot(gs[1], sharey=axp)
    for ax in (axp, axd):
        style(ax)
    for k, r in enumerate(rows):
        y = n - 1 - k
        for side, colour, dy in ((r.a, A_COLOUR, 0.15), (r.b, B_COLOUR, -0.15)):
            p, (lo, hi) = side.probability, side.ci95
            if p is None or np.isnan(p):
                continue
            axp.plot([lo, hi], [y + dy, y + dy], color=colour, linewidth=1.2)
            axp.plot([p], [y + dy], "o", color=colour, markersize=3.5)
        d = r.difference
        if d.probability is not None and not np.isnan(d.probability):
            axd.plot(list(d.ci95), [y, y], color=DIFF, linewidth=1.2)
            axd.plot([d.probability], [y], "D", color=DIFF, markersize=3)
            axd.text(1.03, y, points(d.probability, 0), transform=axd.get_yaxis_transform(),
                     fontsize=FONT - 0.5, va="center")
    axp.set_yticks(range(n))
    axp.set_yticklabels(["\n".join(textwrap.wrap(plot_text(r.name), 48)[:2])
                         for r in rows][::-1], fontsize=FONT - 0.5, linespacing=1.0)
    axp.set_ylim(-0.7, n - 0.3)
    axp.set_xlim(-0.02, 1.02)
    axp.xaxis.set_major_formatter(FuncFormatter(_percent))
    axp.set_xlabel("probability (95% Wilson interval)", fontsize=FONT)
    axd.text(1.03, 1.0, "B − A", transform=axd.transAxes, fontsize=FONT - 0.5,
             fontweight="bold", va="bottom")
    axd.axvline(0, color="#222222", linewidth=0.8)
    axd.tick_params(labelleft=False)
    span = max([0.05, *(max(abs(v) for v in r.difference.ci95) for r in rows)])
    axd.set_xlim(-span * 1.15, span * 1.15)
    axd.xaxis.set_major_formatter(FuncFormatter(
        lambda x, _: f"{round(100 * x):+d}" if round(100 * x) else "0"))
    axd.set_xlabel("B − A, points (paired 95%)", fontsize=FONT)
    from matplotlib.lines import Line2D

    la, lb = plot_text(f"A: {label_a}"), plot_text(f"B: {label_b}")
    axp.legend(handles=[Line2D([], [], color=A_COLOUR, marker="o", label=la),
                        Line2D([], [], color=B_COLOUR, marker="o", label=lb)],
               fontsize=FONT - 0.5, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2,
               frameon=False)
    games = result.games
    header(fig, title, f"Each outcome in A and B, {plural(games, 'game')} on the same random "
           "numbers, and the difference B − A with Newcombe's paired interval", note)
    return fig
