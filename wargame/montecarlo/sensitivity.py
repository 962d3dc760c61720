"""Which varied parameter moves each outcome most.

* grid: one-at-a-time **main effects** — for each parameter, the outcome's probability averaged
  over every other parameter at each of its levels; the effect is the spread (max - min) of
  those averages, in probability points. Needs no extra packages.
* lhs: first-order Sobol' indices ``S1`` by RBD-FAST (SALib), which works on a Latin
  hypercube sample: the share of the variance of the outcome's probability across points
  explained by each parameter alone. Needs at least 16 points (``M = min(10, K // 8)``
  harmonics); with fewer the indices are reported as undefined.
* sobol: first-order and total Sobol' indices ``S1``, ``ST`` (SALib, Saltelli's sample).

The probabilities at the points are Monte Carlo estimates; their noise inflates the variance
no parameter explains, so use enough games per point that the intervals are narrow compared
with the differences between points. SALib is the optional extra ``wargame[sensitivity]``.

**Beyond the noise.** A parameter is named as the one that moves an outcome most only when
the outcome's counts differ between its levels (grid; counts pooled over the other
parameters) or between the points (sampled designs) by more than chance would make them: a
chi-square test of homogeneity of the proportions at the 5% level,
``X² = Σ (k_i - n_i p)² / (n_i p (1 - p))`` with ``p = Σk / Σn`` and ``groups - 1`` degrees
of freedom, against the critical value :func:`chi2_critical`. The test treats the points as
independent; common random numbers make differences between points less noisy than that, so
it errs towards "within the noise". Otherwise the summary says no parameter moves the outcome
beyond the noise.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import NotRequired, TypeAlias, TypedDict

import numpy as np

from wargame.errors import WargameError
from wargame.extras import needs
from wargame.montecarlo.spec import PointValues

MIN_LHS_POINTS = 16  # RBD-FAST needs enough points for at least one harmonic
NOISE_LEVEL = 0.05   # significance level of the "beyond the noise" test


class SobolIndices(TypedDict):
    """A parameter's Sobol' indices (``None`` where undefined): ``S1`` always, ``ST`` for a
    ``sobol`` design only (so the JSON of an ``lhs`` sweep has no ``ST``)."""

    S1: float | None
    ST: NotRequired[float | None]


Effects: TypeAlias = dict[str, float | None] | dict[str, SobolIndices]
"""Each varied path's effect on an outcome: its main effect (grid, probability points) or its
Sobol' indices (lhs, sobol)."""


@dataclass(frozen=True)
class SensitivityRow:
    """For one outcome: each parameter's effect, the one that moves it most, and whether it
    moves it by more than the games' noise (:func:`beyond_noise`)."""

    outcome: str
    most: str | None
    effects: Effects
    beyond_noise: bool = True


@dataclass(frozen=True)
class Sensitivity:
    """The sweep's sensitivity summary and its method."""

    method: str
    outcomes: list[SensitivityRow]


def chi2_critical(df: int, level: float = NOISE_LEVEL) -> float:
    """The upper ``level`` point of the chi-square distribution with ``df`` degrees of freedom.

    Exact for one degree of freedom (the square of the normal quantile); Wilson and
    Hilferty's cube-root approximation otherwise (Wilson & Hilferty 1931; within 1% of the
    exact value at 5% for ``df >= 2``).
    """
    from statistics import NormalDist

    z = NormalDist().inv_cdf(1 - level / (2 if df == 1 else 1))
    if df == 1:
        return z * z
    return df * (1 - 2 / (9 * df) + z * math.sqrt(2 / (9 * df))) ** 3


def beyond_noise(counts: list[int], games: list[int], level: float = NOISE_LEVEL) -> bool:
    """Whether proportions ``counts[i] / games[i]`` differ by more than chance (chi-square
    test of homogeneity at ``level``; see the module docstring)."""
    pairs = [(k, n) for k, n in zip(counts, games, strict=True) if n > 0]
    if len(pairs) < 2:
        return False
    p = sum(k for k, _ in pairs) / sum(n for _, n in pairs)
    if p <= 0 or p >= 1:
        return False
    x2 = sum((k - n * p) ** 2 / (n * p * (1 - p)) for k, n in pairs)
    return x2 > chi2_critical(len(pairs) - 1, level)


def _level_counts(values: list[PointValues], path: str, counts: list[int],
                  games: list[int]) -> tuple[list[int], list[int]]:
    """Counts and games pooled by the levels of one parameter."""
    pooled: dict[str, list[int]] = {}
    for pv, k, n in zip(values, counts, games, strict=True):
        acc = pooled.setdefault(repr(pv[path]), [0, 0])
        acc[0] += k
        acc[1] += n
    return [k for k, _ in pooled.values()], [n for _, n in pooled.values()]


def need_salib() -> None:
    """Fail early, with the install command, when SALib is missing."""
    try:
        import SALib  # noqa: F401
    except ImportError:
        raise WargameError(needs("a sampled design (lhs, sobol)", "SALib", "sensitivity")
                           + " for its sensitivity summary") from None


class _Problem(TypedDict):
    """SALib's description of the parameters."""

    num_vars: int
    names: list[str]
    bounds: list[list[float]]


def _problem(paths: list[str], bounds: list[list[float]]) -> _Problem:
    return {"num_vars": len(paths), "names": paths, "bounds": bounds}


def saltelli_unit(d: int, k: int, seed: int) -> np.ndarray:
    """Saltelli's sample for Sobol' indices in the unit cube: ``k * (d + 2)`` points."""
    need_salib()
    from SALib.sample import sobol as sobol_sample

    if k & (k - 1):
        from wargame.errors import UsageError

        raise UsageError(f"--design sobol needs --points a power of 2 (got {k})")
    problem = _problem([f"x{i}" for i in range(d)], [[0.0, 1.0]] * d)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x = sobol_sample.sample(problem, k, calc_second_order=False, seed=seed % 2**32)
    return np.clip(np.asarray(x, dtype=float), 0.0, 1.0 - 1e-12)


def _clean(x: float) -> float | None:
    v = float(x)
    return None if math.isnan(v) else v


def main_effects(values: list[PointValues], paths: list[str],
                 y: np.ndarray) -> dict[str, float | None]:
    """Spread of the level means of ``y`` for each parameter (grid designs)."""
    out: dict[str, float | None] = {}
    for path in paths:
        groups: dict[str, list[float]] = {}
        for pv, yy in zip(values, y, strict=True):
            groups.setdefault(repr(pv[path]), []).append(float(yy))
        means = [float(np.mean(g)) for g in groups.values()]
        out[path] = _clean(max(means) - min(means)) if len(means) > 1 else 0.0
    return out


def sobol_indices(design: str, unit: np.ndarray, paths: list[str], y: np.ndarray,
                  seed: int) -> dict[str, SobolIndices]:
    """S1 (and ST for ``sobol``) per parameter from SALib; ``None`` where undefined."""
    need_salib()
    from SALib.analyze import rbd_fast, sobol

    problem = _problem(paths, [[0.0, 1.0]] * len(paths))
    y = np.asarray(y, dtype=float)
    if np.ptp(y) == 0 or (design == "lhs" and len(y) < MIN_LHS_POINTS):
        # Nothing moves, or too few points for RBD-FAST: undefined, not an error.
        return {p: {"S1": None, "ST": None} if design == "sobol" else {"S1": None}
                for p in paths}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if design == "lhs":
            # M harmonics; SALib's bootstrap halves the sample and needs 2M < N/2.
            m = max(1, min(10, len(y) // 8))
            res = rbd_fast.analyze(problem, unit, y, M=m, seed=seed % 2**32)
            return {p: {"S1": _clean(res["S1"][i])} for i, p in enumerate(paths)}
        res = sobol.analyze(problem, y, calc_second_order=False, seed=seed % 2**32)
        return {p: {"S1": _clean(res["S1"][i]), "ST": _clean(res["ST"][i])}
                for i, p in enumerate(paths)}


def summarise(design: str, values: list[PointValues], unit: np.ndarray | None,
              paths: list[str], probs: dict[str, np.ndarray], seed: int,
              counts: dict[str, list[int]] | None = None,
              games: list[int] | None = None) -> Sensitivity:
    """Per outcome: each parameter's effect, the one that moves it most, and whether that
    movement is beyond the noise (needs ``counts`` per outcome and ``games`` per point; without
    them every movement counts)."""
    method = {"grid": "main effects (spread of level means, probability points)",
              "lhs": "first-order Sobol' indices S1 by RBD-FAST (SALib)",
              "sobol": "Sobol' indices S1 and ST by Saltelli's method (SALib)"}[design]
    rows = []
    for oid, y in probs.items():
        effects: Effects
        scores: dict[str, float | None]
        if design == "grid":
            effects = scores = main_effects(values, paths, y)
        else:
            assert unit is not None
            effects = indices = sobol_indices(design, unit, paths, y, seed)
            scores = {p: e.get("ST") if design == "sobol" else e["S1"]
                      for p, e in indices.items()}
        key = {p: -1.0 if v is None else float(v) for p, v in scores.items()}
        best = max(paths, key=lambda p: key[p])
        clear = key[best] > 0
        if clear and counts is not None and games is not None:
            k = counts[oid]
            clear = beyond_noise(*_level_counts(values, best, k, games)) if design == "grid" \
                else beyond_noise(k, games)
        rows.append(SensitivityRow(oid, best if key[best] > 0 else None, effects, clear))
    return Sensitivity(method, rows)
