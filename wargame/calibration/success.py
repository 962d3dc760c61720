"""P(attack succeeds): the logistic model on CDB90, its baselines, and Dupuy-style multipliers.

Model: ``logit P(wina == 1) = b0 + b1 ln(A/D) + b_prepared + b_fortified + b_terrain + b_air * air``
with hasty defence and rural terrain as the baseline and ``air`` in {-1, 0, +1}. A term ``beta``
on a defender factor shifts the logit as dividing the force ratio by ``exp(-beta / b1)`` would,
so that is the defender's power multiplier; air superiority multiplies the power of the side
that has it by ``exp(b_air / b1)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from wargame.calibration import POSTURES, TERRAINS
from wargame.calibration.cdb90 import BattleSet
from wargame.calibration.logistic import LogisticFit, brier_score, fit_logistic, log_loss

__all__ = [
    "DEFENDER_ADVANTAGES",
    "DUPUY_TERRAIN",
    "MIN_TRAIN_BATTLES",
    "RIDGE",
    "THREE_TO_ONE",
    "Multipliers",
    "design_matrix",
    "derive_multipliers",
    "fit_success",
    "skill_table",
]

RIDGE = 1.0
"""L2 penalty on every non-intercept logit coefficient (a N(0, 1) prior): guards the small
terrain classes against separation and moves the well-determined terms very little."""

MIN_TRAIN_BATTLES = 30
"""A terrain class is taken from the fit only with at least this many training battles."""

THREE_TO_ONE = 3.0
"""The 3:1 rule baseline: the attack succeeds iff A/D >= 3."""

LITERAL_EPS = 1e-3
"""'The attacker always wins', literally: P = 1 - LITERAL_EPS (log loss needs P < 1)."""

DEFENDER_ADVANTAGES: tuple[str, ...] = ("prepared", "fortified", "urban", "mountain", "forest")
"""Defender factors the literature agrees help the defender; a fitted multiplier below 1 for
one of these is clipped to 1.0 (rule R1: the data shows no advantage, so none is credited)."""

_QJM_ROLLING_MIXED = 1.3
# Dupuy's QJM defence factors for terrain, relative to "rolling, mixed" (1.3), the modal CDB90
# terrain and the bulk of the engine's rural class. urban 1.4 and rolling-mixed 1.3 (and
# rugged-mixed 1.5) are from T. N. Dupuy, Numbers, Predictions and War (1985 ed.), Table 1,
# p. 228, as quoted by The Dupuy Institute (2022-08-16). Rolling-heavily-wooded 1.35 and
# flat-desert 1.18 are from a secondary reproduction of the same table, not checked against
# the book. CDB90 and the QJM have no suburban class: geometric mean of rural and urban.
DUPUY_TERRAIN: dict[str, tuple[float, str]] = {
    "urban": (1.4 / _QJM_ROLLING_MIXED, "Dupuy QJM urban 1.4 / rolling-mixed 1.3 (NPW 1985 T1)"),
    "forest": (
        1.35 / _QJM_ROLLING_MIXED,
        "Dupuy QJM rolling-heavily-wooded 1.35 / rolling-mixed 1.3 (secondary reproduction)",
    ),
    "desert": (
        1.18 / _QJM_ROLLING_MIXED,
        "Dupuy QJM flat-desert 1.18 / rolling-mixed 1.3 (secondary reproduction)",
    ),
    "mountain": (1.5 / _QJM_ROLLING_MIXED, "Dupuy QJM rugged-mixed 1.5 / rolling-mixed 1.3"),
    "suburban": (
        math.sqrt(1.4 / _QJM_ROLLING_MIXED),
        "no CDB90 or QJM class: geometric mean of rural 1.0 and the Dupuy urban factor",
    ),
}

DUPUY_POSTURE: dict[str, float] = {"hasty": 1.0, "prepared": 1.5 / 1.3, "fortified": 1.6 / 1.3}
"""Dupuy's QJM posture factors (NPW 1985 Table 5) relative to hasty 1.3, for comparison only."""


def terrain_columns(train: BattleSet) -> tuple[str, ...]:
    """Terrain dummies for the design: every non-rural class with at least one training battle."""
    return tuple(t for t in TERRAINS if t != "rural" and np.any(train.terrain == t))


def design_matrix(b: BattleSet, terrains: tuple[str, ...]) -> NDArray[np.float64]:
    """Columns: 1, ln(A/D), prepared, fortified, one dummy per ``terrains``, air (-1/0/+1)."""
    cols = [np.ones(len(b)), b.log_ratio]
    cols += [(b.posture == p).astype(np.float64) for p in POSTURES[1:]]
    cols += [(b.terrain == t).astype(np.float64) for t in terrains]
    cols.append(b.air.astype(np.float64))
    return np.column_stack(cols)


def column_names(terrains: tuple[str, ...]) -> tuple[str, ...]:
    """Names of the :func:`design_matrix` columns."""
    return ("intercept", "log_ratio", *POSTURES[1:], *(f"terrain_{t}" for t in terrains), "air")


def fit_success(train: BattleSet, ridge: float = RIDGE) -> LogisticFit:
    """Fit the success model on the training battles."""
    terrains = terrain_columns(train)
    x = design_matrix(train, terrains)
    return fit_logistic(x, train.success, column_names(terrains), ridge=ridge)


@dataclass(frozen=True)
class Multipliers:
    """Power multipliers derived from a fit, with one line of provenance per entry."""

    posture: dict[str, float]
    terrain: dict[str, float]
    air: float
    sources: dict[str, str]


def derive_multipliers(fit: LogisticFit, train: BattleSet) -> Multipliers:
    """Convert logit terms to multipliers; fall back to Dupuy for thin terrain classes.

    Rules: hasty and rural are 1.0. A terrain class with fewer than ``MIN_TRAIN_BATTLES``
    training battles takes Dupuy's factor. A fitted multiplier < 1 for a factor in
    ``DEFENDER_ADVANTAGES`` is clipped to 1.0 (R1); an air multiplier < 1 likewise (R2).
    """
    coef = fit.as_dict()
    b1 = coef["log_ratio"]
    if b1 <= 0:
        raise ValueError(f"fitted slope on ln(force ratio) is {b1:.3g} <= 0: model unusable")
    n_train = {t: int(np.sum(train.terrain == t)) for t in TERRAINS}
    posture = {"hasty": 1.0}
    terrain = {"rural": 1.0}
    sources = {
        "posture_multiplier.hasty": "baseline of the CDB90 fit (1.0 by definition)",
        "terrain_multiplier.rural": f"baseline of the CDB90 fit ({n_train['rural']} training "
        "battles, rolling/flat with mixed or bare cover)",
    }

    def from_fit(key: str, beta: float, group: str, name: str, n: int) -> float:
        value = math.exp(-beta / b1)
        text = f"CDB90 fit: exp(-beta/b1) = exp(-({beta:.3f})/{b1:.3f}), {n} training battles"
        if name in DEFENDER_ADVANTAGES and value < 1.0:
            text += f"; fitted {value:.3f} < 1 clipped to 1.0 by rule R1"
            value = 1.0
        sources[f"{group}.{name}"] = text
        return value

    for name in POSTURES[1:]:
        n = int(np.sum(train.posture == name))
        posture[name] = from_fit(name, coef[name], "posture_multiplier", name, n)
    for name in TERRAINS:
        if name == "rural":
            continue
        key = f"terrain_{name}"
        if n_train[name] >= MIN_TRAIN_BATTLES and key in coef:
            terrain[name] = from_fit(key, coef[key], "terrain_multiplier", name, n_train[name])
        else:
            value, text = DUPUY_TERRAIN[name]
            terrain[name] = value
            sources[f"terrain_multiplier.{name}"] = (
                f"{text}; CDB90 has {n_train[name]} training battles (< {MIN_TRAIN_BATTLES})"
            )
    air = math.exp(coef["air"] / b1)
    air_text = f"CDB90 fit: exp(b_air/b1) = exp({coef['air']:.3f}/{b1:.3f})"
    if air < 1.0:
        air_text += f"; fitted {air:.3f} < 1 clipped to 1.0 by rule R2"
        air = 1.0
    sources["air_superiority_multiplier"] = air_text
    return Multipliers(
        posture={k: posture[k] for k in POSTURES},
        terrain={k: terrain[k] for k in TERRAINS},
        air=air,
        sources=sources,
    )


def three_to_one_rates(train: BattleSet) -> tuple[float, float]:
    """Training success rates below and at/above the 3:1 ratio."""
    at_or_above = train.log_ratio >= math.log(THREE_TO_ONE)
    y = train.success
    return float(np.mean(y[~at_or_above])), float(np.mean(y[at_or_above]))


def baseline_forecasts(train: BattleSet, test: BattleSet) -> dict[str, NDArray[np.float64]]:
    """Held-out forecasts of the baselines, by name."""
    base = float(np.mean(train.success))
    below, above = three_to_one_rates(train)
    at_or_above = test.log_ratio >= math.log(THREE_TO_ONE)
    return {
        "attacker always wins (training base rate)": np.full(len(test), base),
        f"attacker always wins (literal, p = 1 - {LITERAL_EPS:g})": np.full(
            len(test), 1.0 - LITERAL_EPS
        ),
        "3:1 rule (training rates of the two bins)": np.where(at_or_above, above, below),
    }


def skill_table(
    forecasts: dict[str, NDArray[np.float64]], y: NDArray[np.float64]
) -> dict[str, dict[str, float]]:
    """Brier score and log loss of each forecast against outcomes ``y``."""
    return {
        name: {"brier": brier_score(p, y), "log_loss": log_loss(p, y)}
        for name, p in forecasts.items()
    }
