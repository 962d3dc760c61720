"""Space in CDB90: how wide a front a force holds, and how far a successful attack advances.

Two regularities of the calibration battles that the engine uses to limit how much force a
place can take at once and how fast its ground is cleared (``docs/model.md``, "Space"):

* **Frontage.** The CAA recorded each side's front width at the start of a battle (``WOFA1``,
  ``WOFD1``, km). A least-squares line of ``ln width`` on ``ln initial strength`` gives, for each
  side, ``width = coef x strength^exponent``. Read the other way round, a front ``W`` km wide
  holds at most ``(W / coef)^(1 / exponent)`` fighters of that side at the density of the
  calibration battles: the engine's frontage cap.
* **Advance.** ``KMDA`` is the attacker's advance in km over the battle. Its median per
  calendar day over the battles the attacker won, by terrain class, is the ground a won day
  of fighting takes in that terrain. A class with fewer than ``MIN_ADVANCE_BATTLES`` won
  battles takes the median over all won battles (the same rule as R0 for the multipliers).
  CDB90 has no urban battle from 1900 on, so urban advance comes from the modern city
  battles instead (``validation/modern_battles.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from calibration.cdb90 import BattleSet

__all__ = [
    "MIN_ADVANCE_BATTLES",
    "Advance",
    "FrontageLaw",
    "advance_rates",
    "frontage_law",
]

MIN_ADVANCE_BATTLES = 30
"""A terrain class takes its own median advance only with at least this many won battles."""


@dataclass(frozen=True)
class FrontageLaw:
    """``width_km = coef x strength^exponent`` for one side, fitted on ``n`` battles."""

    n: int
    coef: float
    exponent: float
    exponent_se: float
    resid_sd: float  # sd of the residuals of ln(width)

    def strength_for(self, width_km: float) -> float:
        """Fighters that fill a front ``width_km`` wide at the calibration density."""
        return float((width_km / self.coef) ** (1.0 / self.exponent))


def frontage_law(strength: np.ndarray, width: np.ndarray) -> FrontageLaw:
    """Least squares of ``ln width`` on ``ln strength`` over the battles with both known."""
    ok = np.isfinite(width) & (width > 0) & np.isfinite(strength) & (strength > 0)
    x, y = np.log(strength[ok]), np.log(width[ok])
    xc = x - x.mean()
    slope = float(np.sum(xc * (y - y.mean())) / np.sum(xc**2))
    intercept = float(y.mean() - slope * x.mean())
    resid = y - intercept - slope * x
    se = float(np.sqrt(np.sum(resid**2) / (x.size - 2) / np.sum(xc**2)))
    return FrontageLaw(n=int(x.size), coef=math.exp(intercept), exponent=slope,
                       exponent_se=se, resid_sd=float(np.std(resid, ddof=2)))


@dataclass(frozen=True)
class Advance:
    """Median advance per calendar day of the battles the attacker won, by terrain."""

    n_won: int
    overall: float
    by_terrain: dict[str, float]      # the value the engine uses for each CDB90 class
    counts: dict[str, int]            # won battles with a known advance, per class
    own_median: dict[str, float]      # each class's own median, whatever its count


def advance_rates(b: BattleSet) -> Advance:
    """Median ``advance_km / days`` over won battles with a known advance and duration."""
    ok = (b.wina == 1) & np.isfinite(b.advance_km) & (b.advance_km >= 0) & np.isfinite(b.days)
    rate = b.advance_km[ok] / np.maximum(b.days[ok], 1.0)
    terrain = b.terrain[ok]
    overall = float(np.median(rate))
    by_terrain: dict[str, float] = {}
    counts: dict[str, int] = {}
    own: dict[str, float] = {}
    for t in sorted(set(terrain.tolist())):
        r = rate[terrain == t]
        counts[t] = int(r.size)
        own[t] = float(np.median(r))
        by_terrain[t] = own[t] if r.size >= MIN_ADVANCE_BATTLES else overall
    return Advance(n_won=int(rate.size), overall=overall, by_terrain=by_terrain,
                   counts=counts, own_median=own)
