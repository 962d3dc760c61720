"""Power multipliers from the logistic fit, combined with Dupuy's QJM factors.

A logit term ``beta`` on a defender factor shifts the logit as dividing the force ratio by
``m = exp(-beta / b1)`` would, so ``ln m = -beta / b1`` (air superiority: ``+beta_air / b1``,
for the side that has it). On CDB90 ``b1`` is small and uncertain, so these ratios are poorly
determined (95% intervals spanning factors of 10-100). The rules, applied in this order:

* **R0 (too few battles).** A terrain class with fewer than ``MIN_TRAIN_BATTLES`` training
  battles takes Dupuy's factor alone.
* **Combination.** Otherwise the CDB90 estimate of ``ln m`` (delta-method standard error from the
  fit's covariance) is combined with a prior ``N(ln m_Dupuy, PRIOR_SD**2)`` by inverse-variance
  weighting, i.e. the posterior mode under that prior given the fit's normal approximation.
  The prior for air superiority is centred on no effect (``m = 1``): the QJM has no single
  air-superiority multiplier.
* **R1 / R2 (clip).** A result below 1 for a factor the literature agrees helps the defender
  (``DEFENDER_ADVANTAGES``), or for air superiority, is set to 1.0: the data show no advantage,
  so none is credited, and none is reversed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from calibration.cdb90 import BattleSet
from calibration.logistic import LogisticFit
from wargame.calibration import POSTURES, TERRAINS

__all__ = [
    "DEFENDER_ADVANTAGES",
    "DUPUY_POSTURE",
    "DUPUY_TERRAIN",
    "MIN_TRAIN_BATTLES",
    "PRIOR_SD",
    "MultiplierEstimate",
    "Multipliers",
    "derive_multipliers",
]

MIN_TRAIN_BATTLES = 30
"""A terrain class is estimated from CDB90 only with at least this many training battles."""

PRIOR_SD = math.log(2.0)
"""Prior sd of ln(multiplier) around Dupuy's value: his factors trusted to a factor of 2."""

DEFENDER_ADVANTAGES: tuple[str, ...] = ("prepared", "fortified", "urban", "mountain", "forest")
"""Defender factors the literature agrees favour the defender (clipped at 1.0 by R1)."""

_QJM_HASTY = 1.3
_QJM_ROLLING_MIXED = 1.3
_NPW = "Dupuy, Numbers, Predictions and War (1985 ed.)"

DUPUY_POSTURE: dict[str, tuple[float, str]] = {
    "prepared": (1.5 / _QJM_HASTY, f"Dupuy QJM prepared 1.5 / hasty 1.3 ({_NPW}, Table 5)"),
    "fortified": (1.6 / _QJM_HASTY, f"Dupuy QJM fortified 1.6 / hasty 1.3 ({_NPW}, Table 5)"),
}
"""Dupuy's posture factors relative to hasty defence (the engine's baseline)."""

# Terrain factors relative to "rolling, mixed" (1.3): the modal CDB90 terrain and the bulk of
# the engine's rural class. Urban 1.4, rolling-mixed 1.3 and rugged-mixed 1.5 are from NPW
# Table 1 as quoted by The Dupuy Institute (2022-08-16); rolling-heavily-wooded 1.35 and
# flat-desert 1.18 come from a secondary reproduction of that table, not checked against the
# book. Neither CDB90 nor the QJM has a suburban class.
DUPUY_TERRAIN: dict[str, tuple[float, str]] = {
    "urban": (1.4 / _QJM_ROLLING_MIXED, f"Dupuy QJM urban 1.4 / rolling-mixed 1.3 ({_NPW}, T1)"),
    "mountain": (
        1.5 / _QJM_ROLLING_MIXED,
        f"Dupuy QJM rugged-mixed 1.5 / rolling-mixed 1.3 ({_NPW}, Table 1)",
    ),
    "forest": (
        1.35 / _QJM_ROLLING_MIXED,
        "Dupuy QJM rolling-heavily-wooded 1.35 / rolling-mixed 1.3 (secondary reproduction)",
    ),
    "desert": (
        1.18 / _QJM_ROLLING_MIXED,
        "Dupuy QJM flat-desert 1.18 / rolling-mixed 1.3 (secondary reproduction)",
    ),
    "suburban": (
        math.sqrt(1.4 / _QJM_ROLLING_MIXED),
        "no CDB90 or QJM class: geometric mean of rural (1.0) and Dupuy urban",
    ),
}
"""Dupuy's terrain factors relative to the engine's rural baseline."""


@dataclass(frozen=True)
class MultiplierEstimate:
    """How one multiplier was obtained (a row of the documentation's table)."""

    name: str  # e.g. "posture_multiplier.fortified"
    n_train: int  # training battles in the class
    data: float  # CDB90 point estimate exp(ln m); NaN if not estimated
    data_low: float  # 95% delta-method interval
    data_high: float
    prior: float  # Dupuy value (or 1.0 for air)
    weight: float  # weight of the CDB90 estimate in ln space (0 = prior only)
    value: float  # final multiplier
    source: str  # one line for Calibration.sources


@dataclass(frozen=True)
class Multipliers:
    """Power multipliers for the engine, with provenance."""

    posture: dict[str, float]
    terrain: dict[str, float]
    air: float
    estimates: tuple[MultiplierEstimate, ...]

    @property
    def sources(self) -> dict[str, str]:
        """Parameter name -> one line of provenance."""
        return {e.name: e.source for e in self.estimates}


def _ln_multiplier(fit: LogisticFit, term: str, sign: float) -> tuple[float, float]:
    """``sign * beta_term / b1`` and its delta-method standard error."""
    i, j = fit.names.index(term), fit.names.index("log_ratio")
    beta, b1 = float(fit.coef[i]), float(fit.coef[j])
    value = sign * beta / b1
    grad = np.array([sign / b1, -sign * beta / b1**2])
    sub = fit.cov[np.ix_([i, j], [i, j])]
    return value, float(np.sqrt(grad @ sub @ grad))


def _estimate(
    fit: LogisticFit,
    name: str,
    term: str,
    sign: float,
    n_train: int,
    prior: tuple[float, str],
    clip: str | None,
) -> MultiplierEstimate:
    ln_data, se = _ln_multiplier(fit, term, sign)
    prior_value, prior_text = prior
    w_data, w_prior = 1.0 / se**2, 1.0 / PRIOR_SD**2
    weight = w_data / (w_data + w_prior)
    ln_value = weight * ln_data + (1.0 - weight) * math.log(prior_value)
    value = math.exp(ln_value)
    low, high = math.exp(ln_data - 1.96 * se), math.exp(ln_data + 1.96 * se)
    source = (
        f"CDB90 fit ({n_train} training battles): {math.exp(ln_data):.3g} "
        f"[95% {low:.2g}-{high:.2g}], combined with prior {prior_value:.3g} ({prior_text}; "
        f"sd ln 2); weight on data {weight:.2f}"
    )
    if clip is not None and value < 1.0:
        source += f"; combined {value:.3f} < 1 set to 1.0 by rule {clip}"
        value = 1.0
    return MultiplierEstimate(
        name, n_train, math.exp(ln_data), low, high, prior_value, weight, value, source
    )


def _prior_only(name: str, n_train: int, prior: tuple[float, str]) -> MultiplierEstimate:
    value, text = prior
    source = f"{text}; CDB90 has {n_train} training battles (< {MIN_TRAIN_BATTLES}, rule R0)"
    nan = float("nan")
    return MultiplierEstimate(name, n_train, nan, nan, nan, value, 0.0, value, source)


def _baseline(name: str, n_train: int, what: str) -> MultiplierEstimate:
    source = f"baseline of the CDB90 fit, 1.0 by definition ({what}; {n_train} training battles)"
    return MultiplierEstimate(name, n_train, 1.0, 1.0, 1.0, 1.0, 0.0, 1.0, source)


def derive_multipliers(fit: LogisticFit, train: BattleSet) -> Multipliers:
    """Apply the module's rules to the stage-1 fit on ``train``."""
    b1 = float(fit.coef[fit.names.index("log_ratio")])
    if b1 <= 0:
        raise ValueError(f"fitted slope on ln(force ratio) is {b1:.3g} <= 0: model unusable")
    estimates: list[MultiplierEstimate] = []
    posture, terrain = {"hasty": 1.0}, {"rural": 1.0}
    for name in POSTURES[1:]:
        n = int(np.sum(train.posture == name))
        clip = "R1" if name in DEFENDER_ADVANTAGES else None
        est = _estimate(fit, f"posture_multiplier.{name}", name, -1.0, n, DUPUY_POSTURE[name], clip)
        estimates.append(est)
        posture[name] = est.value
    for name in TERRAINS:
        if name == "rural":
            continue
        n = int(np.sum(train.terrain == name))
        key, term = f"terrain_multiplier.{name}", f"terrain_{name}"
        if n >= MIN_TRAIN_BATTLES and term in fit.names:
            clip = "R1" if name in DEFENDER_ADVANTAGES else None
            est = _estimate(fit, key, term, -1.0, n, DUPUY_TERRAIN[name], clip)
        else:
            est = _prior_only(key, n, DUPUY_TERRAIN[name])
        estimates.append(est)
        terrain[name] = est.value
    n_air = int(np.sum(train.air != 0))
    air_prior = (1.0, "no effect: the QJM has no single air-superiority factor")
    air = _estimate(fit, "air_superiority_multiplier", "air", 1.0, n_air, air_prior, "R2")
    estimates.append(air)
    baselines = (
        _baseline(
            "posture_multiplier.hasty",
            int(np.sum(train.posture == "hasty")),
            "includes the delay and withdrawal postures",
        ),
        _baseline(
            "terrain_multiplier.rural",
            int(np.sum(train.terrain == "rural")),
            "rolling or flat ground, mixed or bare cover",
        ),
    )
    return Multipliers(
        posture={k: posture[k] for k in POSTURES},
        terrain={k: terrain[k] for k in TERRAINS},
        air=air.value,
        estimates=(*baselines, *estimates),
    )
