"""Rerun the CDB90 calibration: rewrite wargame/data/calibration.json, plots, and a summary.

Usage (from the repository root)::

    .venv/bin/python validation/cdb90_fit.py

Reads only ``validation/data/cdb90``. Writes ``wargame/data/calibration.json`` and
``docs/img/cdb90_*.png`` and prints the split, the coefficients and the skill table to stdout.
See docs/validation.md, section "Calibrating combat on CDB90".
"""

from __future__ import annotations

import itertools
import math
import sys
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from numpy.typing import NDArray

# The fit code is the top-level ``calibration`` package beside ``validation`` (not installed).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from calibration.attrition import lanchester_sample
from calibration.fit import (
    ENGINE_MODEL,
    FitResult,
    build_document,
    render_document,
)
from wargame.calibration import POSTURES

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "validation" / "data" / "cdb90"
JSON_PATH = ROOT / "wargame" / "data" / "calibration.json"
IMG_DIR = ROOT / "docs" / "img"
RATIO_EDGES = (0.0, 0.8, 1.25, 2.0, 3.0, 5.0, math.inf)
COLOURS = {"hasty": "tab:green", "prepared": "tab:orange", "fortified": "tab:red"}


def plot_success(result: FitResult, path: Path) -> None:
    """Engine P(success) vs force ratio by posture, with binned empirical rates and counts."""
    cal, b = result.calibration, result.battles
    ratio = np.exp(b.log_ratio)
    grid = np.geomspace(0.2, 20.0, 200)
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    for k, posture in enumerate(POSTURES):
        colour = COLOURS[posture]
        ax.plot(grid, cal.p_success(np.log(grid), posture), color=colour, label=f"{posture} (fit)")
        mask = b.posture == posture
        for lo, hi in itertools.pairwise(RATIO_EDGES):
            sel = mask & (ratio >= lo) & (ratio < hi)
            n = int(sel.sum())
            if n == 0:
                continue
            x = float(np.exp(np.mean(np.log(ratio[sel])))) * (1.0 + 0.08 * (k - 1))
            y = float(b.success[sel].mean())
            ax.plot(x, y, "o", color=colour, ms=3 + 1.2 * math.sqrt(n), alpha=0.6)
            ax.annotate(str(n), (x, y), textcoords="offset points", xytext=(5, 3), fontsize=7)
    ax.axvline(3.0, color="grey", ls=":", lw=1)
    ax.text(3.05, 0.03, "3:1", color="grey", fontsize=8)
    ax.set_xscale("log")
    ax.set_ylim(0, 1)
    ax.set_xlabel("force ratio A/D (initial personnel)")
    ax.set_ylabel("P(attack succeeds)")
    ax.set_title(
        f"CDB90 {len(b)} battles 1900-1973: engine model (rural, no air superiority)\n"
        "dots: observed success rate per ratio bin (all terrain and air), n beside",
        fontsize=9,
    )
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_casualty_rate(result: FitResult, path: Path) -> None:
    """ln(daily casualty fraction) against ln(force ratio) for each side, with OLS lines."""
    b = result.battles.subset(lanchester_sample(result.battles))
    x = b.log_ratio
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    grid = np.linspace(x.min(), x.max(), 50)
    for side, cas, strength, colour, sign in (
        ("defender", b.def_casualties, b.def_strength, "tab:blue", 1.0),
        ("attacker", b.att_casualties, b.att_strength, "tab:red", -1.0),
    ):
        y = np.log(cas / (strength * b.days))
        fit = result.slopes[side]
        ax.scatter(np.exp(x), np.exp(y), s=9, color=colour, alpha=0.45)
        ax.plot(
            np.exp(grid),
            np.exp(fit["intercept"] + fit["slope"] * grid),
            color=colour,
            label=f"{side}: slope {fit['slope']:.2f} ± {fit['slope_se']:.2f}",
        )
        square = float(np.mean(y) - sign * np.mean(x))
        ax.plot(np.exp(grid), np.exp(square + sign * grid), color=colour, ls="--", lw=0.8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("force ratio A/D (initial personnel)")
    ax.set_ylabel("casualties / (initial strength x days)")
    ax.set_title(
        f"Daily casualty fraction, {len(b)} CDB90 battles 1900-1973 (dashed: square-law slope ±1)",
        fontsize=9,
    )
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def reliability_bins(
    p: NDArray[np.float64], y: NDArray[np.float64], edges: NDArray[np.float64]
) -> list[tuple[float, float, int]]:
    """(mean forecast, observed frequency, count) per forecast bin."""
    out = []
    idx = np.clip(np.digitize(p, edges) - 1, 0, len(edges) - 2)
    for k in range(len(edges) - 1):
        sel = idx == k
        if sel.any():
            out.append((float(p[sel].mean()), float(y[sel].mean()), int(sel.sum())))
    return out


def plot_reliability(result: FitResult, path: Path) -> None:
    """Reliability diagram of the held-out forecasts (engine model and the 3:1 rule)."""
    y = result.test.success
    edges = np.array([0.0, 0.45, 0.55, 0.65, 0.75, 1.0])
    fig, ax = plt.subplots(figsize=(5.2, 5.0))
    ax.plot([0, 1], [0, 1], color="grey", lw=1, ls=":")
    for name, marker, colour in (
        (ENGINE_MODEL, "o", "tab:blue"),
        ("3:1 rule (training rates of the two bins)", "s", "tab:grey"),
    ):
        rows = reliability_bins(result.forecasts[name], y, edges)
        xs, ys, _ = zip(*rows, strict=True)
        label = "engine model" if name == ENGINE_MODEL else "3:1 rule"
        ax.plot(xs, ys, marker=marker, color=colour, label=label)
        for xv, yv, n in rows:
            ax.annotate(str(n), (xv, yv), textcoords="offset points", xytext=(5, -10), fontsize=7)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("forecast P(attack succeeds)")
    ax.set_ylabel("observed frequency")
    ax.set_title(f"Held-out reliability ({len(y)} battles; n per bin)", fontsize=9)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def summary(result: FitResult, doc: dict[str, Any]) -> str:
    """Human-readable summary of the calibration."""
    fit = doc["fit"]
    lines = ["CDB90 calibration", "", "Filters (battles remaining):"]
    lines += [f"  {n:4d}  {label}" for label, n in fit["filters"]]
    lines += ["", f"Split: {fit['split']}: {fit['n_train']} train, {fit['n_test']} held out"]
    lines += ["", "Stage 1 logistic (logit units, ± se):"]
    lines += [f"  {k:18s} {v[0]:+.3f} ± {v[1]:.3f}" for k, v in fit["stage1_coefficients"].items()]
    lines += ["", "Multipliers (CDB90 estimate [95%], Dupuy prior, weight on data -> value):"]
    for e in fit["multiplier_estimates"]:
        data = "-"
        if e["data"] is not None:
            data = f"{e['data']:.3g} [{e['data_low']:.2g}, {e['data_high']:.2g}]"
        lines.append(
            f"  {e['name']:32s} n={e['n_train']:3d} {data:24s} prior {e['prior']:.3f} "
            f"w {e['weight']:.2f} -> {e['value']:.3f}"
        )
    lines += ["", "Stage 2 (engine) logistic on the power ratio:"]
    lines += [f"  {k:18s} {v[0]:+.3f} ± {v[1]:.3f}" for k, v in fit["stage2_coefficients"].items()]
    lines += ["", f"Held-out skill ({fit['n_test']} battles):", f"  {'model':64s} Brier  logloss"]
    lines += [
        f"  {k:64s} {v['brier']:.4f} {v['log_loss']:.4f}" for k, v in fit["held_out_skill"].items()
    ]
    lines += ["", "Four folds (isqno % 4 == k held out), Brier / log loss:"]
    for f in fit["fourfold_skill"]:
        cells = [f"{v['brier']:.3f}/{v['log_loss']:.3f}" for v in f["skill"].values()]
        lines.append(f"  fold {f['fold']} (n={f['n_test']}): " + "  ".join(cells))
    lines.append("    columns: " + " | ".join(fit["fourfold_skill"][0]["skill"]))
    p = doc["parameters"]
    la, ls = fit["lanchester_power_basis"], fit["lanchester_strength_basis"]
    lines += [
        "",
        f"Lanchester ({la['n']} battles): k_att {p['attacker_k_per_day']:.4g}/day, "
        f"k_def {p['defender_k_per_day']:.4g}/day, luck_sigma {p['luck_sigma']:.3f} "
        f"(raw-strength basis: k_att {ls['k_att']:.4g}, k_def {ls['k_def']:.4g})",
    ]
    for side, s in fit["casualty_rate_vs_log_ratio"].items():
        square = "+1" if side == "defender" else "-1"
        lines.append(
            f"  ln daily casualty fraction of the {side} vs ln ratio: slope "
            f"{s['slope']:+.3f} ± {s['slope_se']:.3f} (square law: {square})"
        )
    bp = fit["breakpoints"]
    lines += [
        f"Breakpoints ({bp['n']} decisive battles): loser median {bp['loser_median']:.3f} "
        f"[IQR {bp['loser_q25']:.3f}-{bp['loser_q75']:.3f}], winner median "
        f"{bp['winner_median']:.3f} [IQR {bp['winner_q25']:.3f}-{bp['winner_q75']:.3f}]",
        "",
        "Sensitivity: ratio-only slope b1 by era (all usable battles):",
    ]
    lines += [
        f"  {r['years']}: n={r['n']:3d} success {r['success_rate']:.2f} "
        f"b1 {r['b1']:+.2f} ± {r['b1_stderr']:.2f}"
        for r in doc["sensitivity"]["ratio_slope_by_era"]
    ]
    for key in ("all_eras", "draws_dropped"):
        s = doc["sensitivity"][key]
        skill = "; ".join(
            f"{k.split(' (')[0]} {v['brier']:.4f}/{v['log_loss']:.4f}"
            for k, v in s["held_out_skill"].items()
            if "literal" not in k
        )
        lines.append(f"  {key}: n_train {s['n_train']}, engine b0,b1 {s['engine']}, {skill}")
    return "\n".join(lines)


def main() -> int:
    """Fit, write the JSON and the plots, print the summary."""
    result, doc = build_document(DATA_DIR)
    JSON_PATH.write_text(render_document(doc), encoding="utf-8")
    IMG_DIR.mkdir(parents=True, exist_ok=True)
    plot_success(result, IMG_DIR / "cdb90_success_vs_ratio.png")
    plot_casualty_rate(result, IMG_DIR / "cdb90_casualty_rate.png")
    plot_reliability(result, IMG_DIR / "cdb90_reliability.png")
    print(summary(result, doc))
    print(f"\nwrote {JSON_PATH.relative_to(ROOT)} and {IMG_DIR.relative_to(ROOT)}/cdb90_*.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
