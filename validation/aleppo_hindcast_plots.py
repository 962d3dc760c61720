"""Figures of the Aleppo hindcast (docs/img/hindcast_*.png); used by aleppo_hindcast.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.dates import date2num
from numpy.typing import NDArray


def last_day(start: dt.date, turn: int) -> float:
    """Last day of ``turn`` (turn 0: the start date), as a matplotlib date number."""
    return float(date2num(start + dt.timedelta(days=max(7 * turn - 1, 0))))


def plot_actual(start: dt.date, places: Sequence[str], model: NDArray[np.float64],
                probe: NDArray[np.float64], persistence: NDArray[np.float64],
                changes: dict[str, list[dt.date]], probe_name: str, path: Path) -> None:
    """Probability given to the actual controller at every turn, one panel per place.

    ``model``, ``probe`` and ``persistence`` are [places, T+1] probabilities of what actually
    held the place at the end of each turn.
    """
    turns = model.shape[1]
    days = [last_day(start, t) for t in range(turns)]
    fig, axes = plt.subplots(3, 3, figsize=(10, 7.5), sharex=True, sharey=True)
    for k, (ax, place) in enumerate(zip(axes.ravel(), places, strict=True)):
        for d in changes.get(place, []):
            ax.axvline(float(date2num(d)), color="tab:red", lw=0.8, alpha=0.6)
        ax.plot(days, persistence[k], color="grey", ls="--", label="persistence")
        ax.plot(days, probe[k], color="tab:orange", lw=1, label=probe_name)
        ax.plot(days, model[k], color="tab:blue", label="model (history variant)")
        ax.set_title(place, fontsize=9)
        ax.set_ylim(-0.03, 1.03)
        ax.tick_params(labelsize=7)
        ax.xaxis_date()
    axes[0, 0].legend(fontsize=6, loc="center right")
    fig.supylabel("P(the controller that actually held it)")
    fig.suptitle("Aleppo hindcast: probability given to what actually happened "
                 "(red lines: actual changes of control)", fontsize=10)
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_timeline(start: dt.date, end_turn: int,
                  events: Sequence[tuple[str, dt.date, dict[str, NDArray[np.int_]]]],
                  path: Path) -> None:
    """Per event: each run's 10-90% range and median of the first turn, and the actual date.

    ``events`` holds (name, actual date, {run name: first turn per game, -1 never}).
    """
    colours = ("tab:blue", "tab:green", "tab:orange")
    fig, ax = plt.subplots(figsize=(9.5, 4.6))
    labelled: set[str] = set()
    for y, (name, actual, runs) in enumerate(events):
        for j, (run, t) in enumerate(runs.items()):
            hit = t[t >= 0]
            yy = y + 0.18 * (1 - j)
            if hit.size:
                lo, med, hi = (last_day(start, int(q)) for q in
                               np.quantile(hit, [0.1, 0.5, 0.9], method="inverted_cdf"))
                lab = None if run in labelled else run
                labelled.add(run)
                ax.plot([lo, hi], [yy, yy], color=colours[j], lw=5, alpha=0.35)
                ax.plot([med], [yy], "o", color=colours[j], ms=4, label=lab)
        ax.plot([float(date2num(actual))], [y], "D", color="tab:red",
                label=None if y else "actual date")
        ax.text(last_day(start, 0), y + 0.36, name, fontsize=8)
    ax.set_yticks([])
    ax.set_ylim(-0.6, len(events))
    ax.set_xlim(last_day(start, 0), last_day(start, end_turn))
    ax.xaxis_date()
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title("Key events: first turn in the games (median, 10-90% of the games where it "
                 "happened) vs the actual date", fontsize=9)
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_brier(months: Sequence[str], series: dict[str, NDArray[np.float64]],
               path: Path) -> None:
    """Mean Brier score over the scored settlements at each monthly checkpoint."""
    fig, ax = plt.subplots(figsize=(8, 3.8))
    for name, y in series.items():
        ax.plot(months, y, marker="o", ms=3, label=name)
    ax.set_ylabel("mean Brier score (lower is better)")
    ax.tick_params(axis="x", labelrotation=60, labelsize=7)
    ax.legend(fontsize=7)
    ax.set_title("Aleppo hindcast: Brier score at each month's end", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
