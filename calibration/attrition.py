"""Lanchester square-law coefficients, battle-to-battle luck and breakpoints from CDB90.

The engine integrates ``dD/dt = -k_att * P_A`` and ``dA/dt = -k_def * P_D`` day by day, where
``P`` is power: strength times the multipliers of :mod:`wargame.calibration` (posture and
terrain for the defender, air superiority for the side that has it). Per battle,
``k_att = defender casualties / (P_A * days)`` and ``k_def = attacker casualties / (P_D * days)``
with initial strengths and calendar days (``duration1``, at least 1: the engine's step is one
day). With every multiplier set to 1 these are the raw-strength coefficients; both are reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from calibration.cdb90 import BattleSet
from calibration.multipliers import Multipliers

__all__ = [
    "Breakpoints",
    "Lanchester",
    "breakpoints",
    "casualty_rate_slopes",
    "lanchester",
    "lanchester_sample",
    "powers",
]


def lanchester_sample(b: BattleSet) -> NDArray[np.bool_]:
    """Battles usable for attrition: known duration and casualties > 0 on both sides."""
    return np.isfinite(b.days) & (b.days > 0) & (b.att_casualties > 0) & (b.def_casualties > 0)


def powers(
    b: BattleSet, mult: Multipliers | None
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Attacker and defender power at the start (raw strengths when ``mult`` is None)."""
    if mult is None:
        return b.att_strength.copy(), b.def_strength.copy()
    ln_air = np.log(mult.air)
    ln_post = np.log(np.array([mult.posture[p] for p in b.posture.tolist()]))
    ln_terr = np.log(np.array([mult.terrain[t] for t in b.terrain.tolist()]))
    att = b.att_strength * np.exp(ln_air * (b.air == 1))
    dfd = b.def_strength * np.exp(ln_post + ln_terr + ln_air * (b.air == -1))
    return att, dfd


@dataclass(frozen=True)
class Lanchester:
    """Median square-law coefficients per day and the dispersion of ln(k)."""

    n: int
    k_att: float
    k_def: float
    sd_ln_k_att: float
    sd_ln_k_def: float
    luck_sigma: float  # pooled: sqrt of the mean of the two variances of ln(k)
    luck_correlation: float  # correlation of ln(k_att) and ln(k_def) across battles


def lanchester(b: BattleSet, mult: Multipliers | None) -> Lanchester:
    """Square-law coefficients over the :func:`lanchester_sample` battles of ``b``."""
    s = b.subset(lanchester_sample(b))
    att, dfd = powers(s, mult)
    ln_k_att = np.log(s.def_casualties / (att * s.days))
    ln_k_def = np.log(s.att_casualties / (dfd * s.days))
    var_att, var_def = float(np.var(ln_k_att, ddof=1)), float(np.var(ln_k_def, ddof=1))
    return Lanchester(
        n=len(s),
        k_att=float(np.exp(np.median(ln_k_att))),
        k_def=float(np.exp(np.median(ln_k_def))),
        sd_ln_k_att=float(np.sqrt(var_att)),
        sd_ln_k_def=float(np.sqrt(var_def)),
        luck_sigma=float(np.sqrt(0.5 * (var_att + var_def))),
        luck_correlation=float(np.corrcoef(ln_k_att, ln_k_def)[0, 1]),
    )


def casualty_rate_slopes(b: BattleSet) -> dict[str, dict[str, float]]:
    """OLS of ln(daily casualty fraction) on ln(A/D), per side.

    Under the square law with constant k the defender's slope is +1 and the attacker's -1.
    """
    s = b.subset(lanchester_sample(b))
    x = s.log_ratio
    out: dict[str, dict[str, float]] = {}
    for side, cas, strength in (
        ("defender", s.def_casualties, s.def_strength),
        ("attacker", s.att_casualties, s.att_strength),
    ):
        y = np.log(cas / (strength * s.days))
        xc = x - x.mean()
        slope = float(np.sum(xc * (y - y.mean())) / np.sum(xc**2))
        intercept = float(y.mean() - slope * x.mean())
        resid = y - intercept - slope * x
        se = float(np.sqrt(np.sum(resid**2) / (len(x) - 2) / np.sum(xc**2)))
        out[side] = {"slope": slope, "slope_se": se, "intercept": intercept, "n": float(len(x))}
    return out


@dataclass(frozen=True)
class Breakpoints:
    """Casualty fraction (casualties / initial strength) at the end of decisive battles."""

    n: int
    loser_q25: float
    loser_median: float
    loser_q75: float
    winner_q25: float
    winner_median: float
    winner_q75: float
    loser_over_one: int  # losers whose casualties exceed their initial strength


def breakpoints(b: BattleSet) -> Breakpoints:
    """Loser's and winner's casualty fractions over the decisive battles (draws excluded)."""
    s = b.subset(b.wina != 0)
    att_frac = s.att_casualties / s.att_strength
    def_frac = s.def_casualties / s.def_strength
    attacker_won = s.wina == 1
    loser = np.where(attacker_won, def_frac, att_frac)
    winner = np.where(attacker_won, att_frac, def_frac)
    lq = np.percentile(loser, [25, 50, 75])
    wq = np.percentile(winner, [25, 50, 75])
    return Breakpoints(
        n=len(s),
        loser_q25=float(lq[0]),
        loser_median=float(lq[1]),
        loser_q75=float(lq[2]),
        winner_q25=float(wq[0]),
        winner_median=float(wq[1]),
        winner_q75=float(wq[2]),
        loser_over_one=int(np.sum(loser > 1.0)),
    )
