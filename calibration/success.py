"""P(attack succeeds): the logistic model on CDB90 and its baselines.

Stage 1 (the data model): ``logit P(wina == 1) = b0 + b1 ln(A/D) + b_prepared + b_fortified +
b_terrain + b_air * air`` with hasty defence and rural terrain as the baseline and ``air`` in
{-1, 0, +1}. Its terms become power multipliers in :mod:`calibration.multipliers`.

Stage 2 (the engine model): with those multipliers fixed, ``b0`` and ``b1`` are refitted on the
effective log power ratio, so the engine's ``Calibration.p_success`` is itself a fitted model.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from calibration.cdb90 import BattleSet
from calibration.logistic import LogisticFit, brier_score, fit_logistic, log_loss
from calibration.multipliers import Multipliers
from wargame.calibration import POSTURES, TERRAINS

__all__ = [
    "RIDGE",
    "THREE_TO_ONE",
    "baseline_forecasts",
    "design_matrix",
    "effective_log_ratio",
    "fit_engine",
    "fit_success",
    "skill_table",
]

RIDGE = 1.0
"""L2 penalty on every non-intercept logit coefficient (a N(0, 1) prior): guards the small
terrain classes against separation and moves the well-determined terms very little."""

THREE_TO_ONE = 3.0
"""The 3:1 rule baseline: the attack succeeds iff A/D >= 3."""

LITERAL_EPS = 1e-3
"""'The attacker always wins', literally: P = 1 - LITERAL_EPS (log loss needs P < 1)."""


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
    """Stage 1: fit the full success model on the training battles."""
    terrains = terrain_columns(train)
    x = design_matrix(train, terrains)
    return fit_logistic(x, train.success, column_names(terrains), ridge=ridge)


def effective_log_ratio(b: BattleSet, mult: Multipliers) -> NDArray[np.float64]:
    """ln of the power ratio: ln(A/D) + air * ln m_air - ln m_posture - ln m_terrain."""
    ln_post = np.log([mult.posture[p] for p in b.posture.tolist()])
    ln_terr = np.log([mult.terrain[t] for t in b.terrain.tolist()])
    out: NDArray[np.float64] = b.log_ratio + b.air * math.log(mult.air) - ln_post - ln_terr
    return out


def fit_engine(train: BattleSet, mult: Multipliers) -> LogisticFit:
    """Stage 2: ``logit P = b0 + b1 * effective_log_ratio`` with the multipliers held fixed."""
    x = np.column_stack([np.ones(len(train)), effective_log_ratio(train, mult)])
    return fit_logistic(x, train.success, ("intercept", "log_ratio"))


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
