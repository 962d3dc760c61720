"""Fit the engine's campaign tempo on modern battles for towns and cities, and check it.

Usage (from the repository root)::

    .venv/bin/python validation/modern_battles.py                  # fit, write tempo.json
    .venv/bin/python validation/modern_battles.py --predict FILE   # play another table

Every battle of ``validation/data/modern_battles/battles.csv`` is played as the same standard
scenario (:func:`scenario_yaml`): the attacker's base, the city as one settlement (urban, its
population, prepared defences, the whole defence in it) and a rear place that keeps the
defender in supply, unless the city was encircled. The strengths are the table's ranges,
played as uniform distributions; a strength or population the table does not give is drawn
from a log-normal fitted to the rows that give one (:class:`Priors`). A side with air support
flies ``AIR_SORTIES`` a week; a defender supplied by air gets an airlift of
``AIRLIFT_CAPACITY``. The attacker attacks every week it can (aggression 1): the battle
happened, and the question is how long the place holds. A siege ("Siege of ...") is played as
a blockade: the attacker does not assault (aggression 0), and the place falls by a deal, by
the attrition of the siege, or not at all.

**The fit.** The three fitted parameters (``engagement_rate``, ``engagement_spread`` and
``urban_advance_km_per_day``) are searched on a grid (``GRID``); every grid point plays
``--games`` games of every battle in one vectorised call per battle. The collapse and
surrender rates are counted on the table (:func:`counted_rates`), not fitted. A grid point is
scored by the mean over battles of the weighted interval score of the log duration
(:func:`score`). The fit is the best point; leave-one-out cross-validation refits without
each battle in turn and predicts it.
Writes ``wargame/data/tempo.json``, ``validation/results/modern_battles.csv`` and
``docs/img/modern_battles.png``, and prints the tables of ``docs/validation.md``, "Modern city
battles". ``tests/test_modern_battles.py`` reruns the fit and compares.

``--predict FILE`` plays every row of another table of the same columns with the packaged
tempo (and the packaged priors for what a row does not give) and prints the same per-battle
table and figures: held-back battles are scored this way.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import json
import math
import multiprocessing
import os
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

sys.path.insert(0, str(Path(__file__).resolve().parent))
import modern_table as mt

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "validation" / "data" / "modern_battles" / "battles.csv"
TEMPO_JSON = ROOT / "wargame" / "data" / "tempo.json"
RESULTS = ROOT / "validation" / "results" / "modern_battles.csv"
FIGURE = ROOT / "docs" / "img" / "modern_battles.png"

SEED = 20240101
GAMES = 200
"""Games per battle and grid point."""
DAYS_PER_TURN = 7
TURNS = 313
"""Six years of weekly turns: longer than any battle of the table."""
LOG2_CAP = 14.0
"""A city not taken counts as taken after 2^14 days (45 years) in the score."""
AIR_SORTIES = 28.0
"""Sorties a week of a side with air support: the US-led coalition's more than 850 air strikes
around Ramadi in July 2015 - February 2016 (30 weeks; the table's Ramadi 2015-16 row)."""
AIRLIFT_CAPACITY = 0.5
"""Share of a besieged place's supply flown in when the table says it was supplied by air
(judgement)."""
POPULATION_QUANTILES = (0.1, 0.3, 0.5, 0.7, 0.9)
"""An unknown population is played at these quantiles of its prior, equally weighted."""
GRID: dict[str, tuple[float, ...]] = {
    "model.engagement_rate": (1 / 7, 2 / 7, 3 / 7, 5 / 7, 0.999),
    "model.urban_advance_km_per_day": (0.03, 0.07, 0.15, 0.35, 0.8),
    "model.garrison_break": (0.2, 0.4, 0.8, 1.6, 3.2),
}
"""The fitted parameters and the values tried (geometric steps)."""
NO_CAP = 1e6
"""``model.max_engaged_ratio`` that caps nothing."""
ENGAGED_RATIOS: tuple[float, ...] = (2.0, 3.0, 6.0, NO_CAP)
"""Values of ``model.max_engaged_ratio`` tried by ``--scan-engaged-ratio``. The battles
score best at 3; the engine's default stays ``NO_CAP`` because the theatres of
``validation/campaigns.py`` score worse with it (docs/validation.md)."""
SPREAD = 0.0
"""``engagement_spread`` during the fit: a first search on a three-dimensional grid (spread 0,
0.75, 1.5 and 2.25) found no spread that scored better than none beyond the Monte Carlo noise
(docs/validation.md), so the fit keeps none."""
TEMPO_NAMES = {k: k.removeprefix("model.") for k in GRID}
"""The ``tempo.json`` key of each fitted parameter: the setting's own name (one name for the
scenario, the engine and the fit; ``wargame/scenario/settings.py``)."""


# --- The standard scenario ------------------------------------------------------------------


@dataclass(frozen=True)
class LogNormalPrior:
    """``median`` and ``sigma`` of ln, fitted to the rows that give the number."""

    median: float
    sigma: float
    n: int

    @classmethod
    def fit(cls, values: list[float]) -> LogNormalPrior:
        """Median and sd of the logs (at least 0.1)."""
        logs = np.log(np.asarray(values, dtype=float))
        return cls(float(np.exp(np.median(logs))), max(0.1, float(np.std(logs, ddof=1))),
                   len(values))

    def quantile(self, q: float) -> float:
        """The ``q`` quantile."""
        from statistics import NormalDist

        return self.median * math.exp(self.sigma * NormalDist().inv_cdf(q))


@dataclass(frozen=True)
class Priors:
    """What a row that does not give a number is played with."""

    population: LogNormalPrior
    attacker: LogNormalPrior
    defender: LogNormalPrior

    @classmethod
    def of(cls, battles: list[mt.Battle]) -> Priors:
        """Fitted to the geometric midpoints of the ranges the table gives."""
        return cls(
            population=LogNormalPrior.fit([b.population for b in battles
                                           if b.population is not None and b.population > 0]),
            attacker=LogNormalPrior.fit([mt.geometric_midpoint(b.attacker) for b in battles
                                         if b.attacker is not None]),
            defender=LogNormalPrior.fit([mt.geometric_midpoint(b.defender) for b in battles
                                         if b.defender is not None]),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {k: vars(getattr(self, k)) for k in ("population", "attacker", "defender")}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Priors:
        """From :meth:`to_dict`."""
        return cls(**{k: LogNormalPrior(**data[k]) for k in ("population", "attacker",
                                                               "defender")})


def _strength(rng: tuple[float, float] | None, prior: LogNormalPrior) -> dict[str, Any]:
    if rng is None:
        return {"dist": "lognormal", "median": round(prior.median), "sigma": prior.sigma}
    lo, hi = rng
    if hi <= lo * 1.0001:
        return {"value": lo}
    return {"dist": "uniform", "low": lo, "high": hi}


def populations(b: mt.Battle, priors: Priors) -> list[int]:
    """The populations a battle is played at: its own, or the quantiles of the prior."""
    if b.population is not None:
        return [round(b.population)]
    return [round(priors.population.quantile(q)) for q in POPULATION_QUANTILES]


def scenario_yaml(b: mt.Battle, priors: Priors, population: int,
                  campaign: bool = False, engaged_ratio: float | str = "default"
                  ) -> str:
    """The standard scenario of a battle, as YAML text (see the module's docstring).

    ``engaged_ratio`` sets ``model.max_engaged_ratio``; by default the scenario leaves it at
    the engine's default (``--scan-engaged-ratio`` tries others)."""
    support: dict[str, Any] = {}
    if b.attacker_air:
        support["attacker_air"] = {"kind": "air_strikes", "provider": "air support",
                                   "beneficiary": "attacker", "sorties_per_turn": AIR_SORTIES}
    if b.defender_air:
        support["defender_air"] = {"kind": "air_strikes", "provider": "air support",
                                   "beneficiary": "defender", "sorties_per_turn": AIR_SORTIES}
    if b.airlift:
        support["airlift"] = {"kind": "airlift", "provider": "air bridge",
                              "beneficiary": "defender", "settlements": ["city"],
                              "capacity": AIRLIFT_CAPACITY}
    doc: dict[str, Any] = {
        "scenario": {"name": b.name, "start_date": b.start.isoformat(),
                     "days_per_turn": DAYS_PER_TURN, "turns": TURNS},
        "factions": {
            "attacker": {"name": "Attacker", "strength": _strength(b.attacker, priors.attacker),
                         "doctrine": {"aggression": 0.0 if b.siege else 1.0,
                                      "reserve_share": 0.0, "first_operation_turn": 1,
                                      "max_offensives": 1, "objectives": {"city": 10}},
                         "supply_sources": ["base"]},
            "defender": {"name": "Defender", "strength": _strength(b.defender, priors.defender),
                         "doctrine": {"aggression": 0.5, "max_offensives": 1},
                         "supply_sources": [] if b.encircled else ["rear"]},
        },
        "settlements": {
            "base": {"name": "Base", "lat": 0.0, "lon": -0.2, "controller": "attacker"},
            "city": {"name": "City", "lat": 0.0, "lon": 0.0, "population": population,
                     "terrain": "urban", "fortification": "prepared", "controller": "defender"},
        },
        "links": [{"between": ["base", "city"]}]
                 + ([] if b.encircled else [{"between": ["city", "rear"]}]),
        "support": support,
        # The tempo of the assault itself: the rules of one battle, without the campaign
        # layer's operations, regrouping and regeneration (validation/campaigns.py fits those
        # on whole theatres). ``--campaign`` plays the same battles with it.
        # A culminated assault pauses as the table's battles did (Tikrit, 17 days in March
        # 2015; Mosul, about four weeks in 2017), not as whole theatres regroup.
        # No capitulation: the table holds places that were fought for, so a garrison that
        # gave its place up without a fight is not in it (the theatres fit that rate).
        "model": {"campaign": campaign, "massing_days": 0, "pause_days": 21,
                  "capitulation_rate": 0,
                  **({} if engaged_ratio == "default"
                     else {"max_engaged_ratio": engaged_ratio})},
        "outcomes": {"taken": {"name": "The attacker takes the city",
                               "controls": {"faction": "attacker", "settlements": ["city"]}}},
    }
    if not b.encircled:
        doc["settlements"]["rear"] = {"name": "Rear", "lat": 0.0, "lon": 0.2,
                                      "controller": "defender", "garrison": {"defender": 0}}
    return json.dumps(doc, indent=1)    # JSON is YAML


def durations(b: mt.Battle, priors: Priors, values: dict[str, NDArray[np.float64]],
              games: int, seed: int, keep: Path | None = None,
              campaign: bool = False, engaged_ratio: float | str = "default"
              ) -> NDArray[np.float64]:
    """Days until the city falls (``inf``: not within ``TURNS``) -> [points, games].

    ``values`` gives each parameter's value at every point [points]; the points are played
    side by side in one call per population (the mid-point of the turn of the fall counts).
    """
    from wargame.engine import compile_scenario, simulate
    from wargame.scenario import load

    points = len(next(iter(values.values())))
    pops = populations(b, priors)
    per = [games // len(pops) + (1 if i < games % len(pops) else 0) for i in range(len(pops))]
    out = []
    for i, (pop, g) in enumerate(zip(pops, per, strict=True)):
        if g == 0:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            path = (keep or Path(tmp)) / f"{_slug(b.name)}_{i}.yaml"
            path.write_text(scenario_yaml(b, priors, pop, campaign, engaged_ratio),
                            encoding="utf-8")
            compiled = compile_scenario(load(path).scenario)
        rep = {k: np.repeat(v, g) for k, v in values.items()}
        res = simulate(compiled, np.random.default_rng([seed, i]), points * g, values=rep)
        turn = res.outcome_turn[:, 0].astype(float)
        days = np.where(turn > 0, turn * DAYS_PER_TURN - DAYS_PER_TURN / 2, np.inf)
        days = np.where(turn == 0, 0.0, days)
        out.append(days.reshape(points, g))
    return np.concatenate(out, axis=1)


def _durations(job: tuple[mt.Battle, Priors, dict[str, NDArray[np.float64]], int, int,
                          float | str]) -> NDArray[np.float64]:
    """:func:`durations` of one battle of the fit (a picklable job for a worker process)."""
    b, priors, values, games, seed, engaged_ratio = job
    return durations(b, priors, values, games, seed, engaged_ratio=engaged_ratio)


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name.lower())[:40].strip("_")


# --- Scores and summaries -------------------------------------------------------------------


def score(days: NDArray[np.float64], actual: float, failed: bool) -> NDArray[np.float64]:
    """The weighted interval score of every point [points] for a battle [points, games], in
    doublings (log2 days; lower is better).

    With the model's median ``m`` and 10-90% range ``[l, u]`` of the log duration and the
    actual ``y``: ``(|y - m| + 0.1 x ((u - l) + 10 (l - y)+ + 10 (y - u)+)) / 1.5``, the score
    of a median and an 80% interval (Bracher et al., 2021, "Evaluating epidemic forecasts in an
    interval format", PLOS Comput. Biol. 17: e1008618). It rewards a median near the actual
    duration and a range that holds it without being wider than it must. A failed attack is
    censored: the attacker had not taken the place by ``y``, so only quantiles below ``y``
    count, as if the place had fallen at ``y``. "Never" counts as ``LOG2_CAP``.
    """
    x = np.log2(np.clip(days, 1.0, 2.0**LOG2_CAP))
    lo, med, hi = np.quantile(x, [0.1, 0.5, 0.9], axis=1, method="inverted_cdf")
    y = math.log2(actual)
    if failed:
        med, lo, hi = np.minimum(med, y), np.minimum(lo, y), np.minimum(hi, y)
        return (np.abs(y - med) + 0.1 * ((hi - lo) + 10 * np.maximum(lo - y, 0)
                                         + 10 * np.maximum(y - hi, 0))) / 1.5
    return (np.abs(y - med) + 0.1 * ((hi - lo) + 10 * np.maximum(lo - y, 0)
                                     + 10 * np.maximum(y - hi, 0))) / 1.5


@dataclass(frozen=True)
class Forecast:
    """What the model says of one battle."""

    median: float
    q10: float
    q90: float
    p_taken: float      # P(taken within the actual duration)


def forecast(days: NDArray[np.float64], actual: float) -> Forecast:
    """Median, 10% and 90% quantiles (inf: not taken) and P(taken by ``actual``)."""
    q10, q50, q90 = np.quantile(days, [0.1, 0.5, 0.9], method="inverted_cdf")
    return Forecast(float(q50), float(q10), float(q90), float(np.mean(days <= actual)))


def log2_error(f: Forecast, actual: float) -> float:
    """``|log2(model median / actual)|`` (inf if the model's median is never)."""
    return abs(math.log2(f.median / actual)) if math.isfinite(f.median) and f.median > 0 \
        else math.inf


def metrics(battles: list[mt.Battle], fc: list[Forecast]) -> dict[str, Any]:
    """The targets of ``docs/validation.md``: median |log2| error and 10-90% coverage over the
    battles the attacker won, P(taken by the actual duration) where it failed."""
    won = [(b, f) for b, f in zip(battles, fc, strict=True) if not b.failed]
    errs = [log2_error(f, b.duration_days) for b, f in won]
    cover = [f.q10 <= b.duration_days <= f.q90 for b, f in won]
    return {
        "battles_won": len(won),
        "median_abs_log2": float(np.median(errs)),
        "within_factor_2": float(np.mean([e <= 1 for e in errs])),
        "coverage_10_90": float(np.mean(cover)),
        "failed": {b.name: f.p_taken for b, f in zip(battles, fc, strict=True) if b.failed},
    }


def null_forecasts(battles: list[mt.Battle]) -> list[Forecast]:
    """A baseline with no mechanism: each battle's duration is log-normal with the median and
    spread of the log durations of the *other* won battles (leave-one-out)."""
    from statistics import NormalDist

    out = []
    for i, b in enumerate(battles):
        logs = np.log([o.duration_days for j, o in enumerate(battles) if j != i and not o.failed])
        m, sd = float(np.mean(logs)), float(np.std(logs, ddof=1))
        z = NormalDist().inv_cdf(0.9)
        p = NormalDist(m, sd).cdf(math.log(b.duration_days))
        out.append(Forecast(math.exp(m), math.exp(m - z * sd), math.exp(m + z * sd), p))
    return out


# --- Counted rates ----------------------------------------------------------------------------


def counted_rates(battles: list[mt.Battle]) -> dict[str, dict[str, float]]:
    """Daily collapse and surrender rates: events over days of exposure.

    Collapse: battles whose defence collapsed (or whose place was overrun), over the days of
    every battle that is not a siege ("Siege of ..."). Surrender: encircled places whose
    battle ended by a deal and not in a failed attack, over the days of every encircled place.
    """
    assault = [b for b in battles if not b.siege]
    collapses = sum(b.collapsed for b in assault)
    assault_days = sum(b.duration_days for b in assault)
    besieged = [b for b in battles if b.encircled]
    deals = sum(b.by_deal and not b.failed for b in besieged)
    siege_days = sum(b.duration_days for b in besieged)
    return {
        "collapse_rate": {"events": collapses, "days": assault_days,
                          "rate": collapses / assault_days},
        "surrender_rate": {"events": deals, "days": siege_days, "rate": deals / siege_days},
    }


# --- The fit ----------------------------------------------------------------------------------


@dataclass
class Fit:
    """The grid search and its cross-validation."""

    battles: list[mt.Battle]
    priors: Priors
    rates: dict[str, dict[str, float]]
    points: dict[str, NDArray[np.float64]]       # every grid point's parameter values [P]
    days: list[NDArray[np.float64]]              # per battle [P, games]
    scores: NDArray[np.float64]                  # [battles, P]
    best: int                                    # the fit on all battles
    loo_best: list[int]                          # the fit without each battle

    def value(self, name: str, point: int | None = None) -> float:
        """A fitted parameter at ``point`` (the fit's by default)."""
        return float(self.points[name][self.best if point is None else point])

    def forecasts(self, loo: bool) -> list[Forecast]:
        """Per battle, at the fit (in-sample) or at its leave-one-out fit."""
        return [forecast(d[self.loo_best[i] if loo else self.best], b.duration_days)
                for i, (b, d) in enumerate(zip(self.battles, self.days, strict=True))]


def grid_points() -> dict[str, NDArray[np.float64]]:
    """Every combination of the ``GRID`` values [P] per parameter."""
    mesh = np.meshgrid(*GRID.values(), indexing="ij")
    return {k: m.ravel().astype(float) for k, m in zip(GRID, mesh, strict=True)}


def fixed_values(rates: dict[str, dict[str, float]], n: int) -> dict[str, NDArray[np.float64]]:
    """The counted rates and the spread, for every point."""
    return {"model.collapse_rate": np.full(n, rates["collapse_rate"]["rate"]),
            "model.surrender_rate": np.full(n, rates["surrender_rate"]["rate"]),
            "model.engagement_spread": np.full(n, SPREAD)}


def default_workers() -> int:
    """Processes for the fit: the cores this process may use."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else os.cpu_count() or 1)


def run_fit(path: Path = DATA, games: int = GAMES, seed: int = SEED,
            progress: bool = False, workers: int | None = None,
            engaged_ratio: float | str = "default") -> Fit:
    """Play every battle at every grid point and fit (see the module's docstring).

    The battles are independent (battle ``i`` plays on seed ``seed + i``), so ``workers``
    processes play them side by side with the same result as one.
    """
    battles = mt.read(path)
    priors = Priors.of(battles)
    rates = counted_rates(battles)
    pts = grid_points()
    n = len(next(iter(pts.values())))
    values = {**pts, **fixed_values(rates, n)}
    workers = min(workers or default_workers(), len(battles))
    jobs = [(b, priors, values, games, seed + i, engaged_ratio)
            for i, b in enumerate(battles)]
    days, scores = [], []
    with contextlib.ExitStack() as stack:
        if workers > 1:
            pool = stack.enter_context(ProcessPoolExecutor(
                workers, mp_context=multiprocessing.get_context("spawn")))
            played = pool.map(_durations, jobs)
        else:
            played = map(_durations, jobs)
        for i, (b, d) in enumerate(zip(battles, played, strict=True)):
            days.append(d)
            scores.append(score(d, b.duration_days, b.failed))
            if progress:
                print(f"  {i + 1}/{len(battles)} {b.name}", file=sys.stderr)
    s = np.array(scores)
    total = s.sum(axis=0)
    loo = [int(np.argmin(total - s[i])) for i in range(len(battles))]
    return Fit(battles, priors, rates, pts, days, s, int(np.argmin(total)), loo)


SIGNIFICANT = 6


def _round(x: float) -> float:
    return float(f"{x:.{SIGNIFICANT}g}")


def tempo_document(fit: Fit) -> dict[str, Any]:
    """``wargame/data/tempo.json``."""
    n_battles = len(fit.battles)
    grid_text = "; ".join(f"{TEMPO_NAMES[k]} " + ", ".join(f"{x:.3g}" for x in v)
                          for k, v in GRID.items())
    fitted = (f"grid search on {n_battles} modern city battles ({grid_text}), {GAMES} games "
              "per battle and point: the best mean weighted interval score of log2 duration")
    r = fit.rates
    params: dict[str, Any] = {TEMPO_NAMES[k]: _round(fit.value(k)) for k in GRID}
    params["engagement_spread"] = SPREAD
    params["collapse_rate"] = _round(r["collapse_rate"]["rate"])
    params["surrender_rate"] = _round(r["surrender_rate"]["rate"])
    params["sources"] = {
        **{TEMPO_NAMES[k]: fitted for k in GRID},
        "engagement_spread": "none: a spread did not improve the fit (docs/validation.md)",
        "collapse_rate": (f"{r['collapse_rate']['events']:.0f} collapses in "
                          f"{r['collapse_rate']['days']:.0f} days of battle (the table's "
                          "battles that are not sieges)"),
        "surrender_rate": (f"{r['surrender_rate']['events']:.0f} sieges ended by a deal in "
                           f"{r['surrender_rate']['days']:.0f} days of encircled places"),
    }
    ins, loo = metrics(fit.battles, fit.forecasts(False)), metrics(fit.battles,
                                                                   fit.forecasts(True))
    null = metrics(fit.battles, null_forecasts(fit.battles))
    return {
        "about": ("Campaign tempo fitted on modern battles for towns and cities "
                  "(validation/data/modern_battles). Written by validation/modern_battles.py "
                  "-- do not edit by hand; tests/test_modern_battles.py reruns the fit and "
                  "compares. See docs/validation.md, 'Modern city battles'."),
        "parameters": params,
        "standard_scenario": {"priors": fit.priors.to_dict(), "air_sorties": AIR_SORTIES,
                              "airlift_capacity": AIRLIFT_CAPACITY, "turns": TURNS,
                              "games": GAMES, "seed": SEED},
        "fit": {"in_sample": ins, "leave_one_out": loo, "no_mechanism_baseline": null,
                "loo_points": [{TEMPO_NAMES[k]: _round(fit.value(k, p)) for k in GRID}
                               for p in fit.loo_best]},
    }


def render(document: dict[str, Any]) -> str:
    """JSON text as written to disk."""
    def rounded(obj: Any) -> Any:
        if isinstance(obj, float):
            return _round(obj) if math.isfinite(obj) else None
        if isinstance(obj, dict):
            return {k: rounded(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [rounded(v) for v in obj]
        return obj
    return json.dumps(rounded(document), indent=2, ensure_ascii=False) + "\n"


# --- Output -----------------------------------------------------------------------------------


def _days(x: float) -> str:
    return "never" if not math.isfinite(x) else f"{x:,.0f}"


def battle_table(battles: list[mt.Battle], ins: list[Forecast], loo: list[Forecast] | None
                 ) -> str:
    """The per-battle markdown table."""
    head = "| battle | actual days | outcome | model median | 10-90% | P(taken by actual) |"
    sep = "|---|---:|---|---:|---|---:|"
    if loo is not None:
        head += " LOO median | LOO 10-90% |"
        sep += "---:|---|"
    rows = [head, sep]
    for i, b in enumerate(battles):
        f = ins[i]
        row = (f"| {b.name} | {b.duration_days:,.0f} | {'failed' if b.failed else 'taken'} | "
               f"{_days(f.median)} | {_days(f.q10)}-{_days(f.q90)} | {f.p_taken:.2f} |")
        if loo is not None:
            g = loo[i]
            row += f" {_days(g.median)} | {_days(g.q10)}-{_days(g.q90)} |"
        rows.append(row)
    return "\n".join(rows)


def metrics_table(ins: dict[str, Any], loo: dict[str, Any] | None,
                  null: dict[str, Any] | None = None) -> str:
    """The targets, in-sample and cross-validated, and the no-mechanism baseline."""
    rows = ["| measure | target | in-sample | leave-one-out | baseline (leave-one-out) |",
            "|---|---|---:|---:|---:|"]

    def add(name: str, target: str, key: str, fmt: str) -> None:
        lv = format(loo[key], fmt) if loo is not None else "-"
        nv = format(null[key], fmt) if null is not None else "-"
        rows.append(f"| {name} | {target} | {format(ins[key], fmt)} | {lv} | {nv} |")

    add("median over won battles of abs(log2(model median / actual))", "<= 1",
        "median_abs_log2", ".2f")
    add("won battles whose median is within a factor of 2", "-", "within_factor_2", ".0%")
    add("won battles whose actual duration is in the model's 10-90% range", ">= 70%",
        "coverage_10_90", ".0%")
    for name, p in ins["failed"].items():
        lp = f"{loo['failed'][name]:.2f}" if loo is not None else "-"
        np_ = f"{null['failed'][name]:.2f}" if null is not None else "-"
        rows.append(f"| P(taken by the actual duration): {name} | well under 0.5 | "
                    f"{p:.2f} | {lp} | {np_} |")
    return "\n".join(rows)


def write_results(path: Path, battles: list[mt.Battle], ins: list[Forecast],
                  loo: list[Forecast] | None) -> None:
    """One row per battle."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["battle", "actual_days", "failed", "median", "q10", "q90", "p_taken",
                    "loo_median", "loo_q10", "loo_q90", "loo_p_taken"])
        for i, b in enumerate(battles):
            f, g = ins[i], (loo[i] if loo is not None else None)
            w.writerow([b.name, b.duration_days, int(b.failed), _days(f.median), _days(f.q10),
                        _days(f.q90), f"{f.p_taken:.3f}",
                        *((_days(g.median), _days(g.q10), _days(g.q90), f"{g.p_taken:.3f}")
                          if g is not None else ("", "", "", ""))])


def _label(name: str, width: int = 44) -> str:
    return name if len(name) <= width else name[: width - 1].rstrip() + "…"


def plot(path: Path, battles: list[mt.Battle], fc: list[Forecast], title: str) -> None:
    """Actual duration against the model's median and 10-90% range, one row per battle."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    order = sorted(range(len(battles)), key=lambda i: battles[i].duration_days)
    cap = 6 * 365.0
    fig, ax = plt.subplots(figsize=(9, 0.3 * len(battles) + 1.9), layout="constrained")
    for y, i in enumerate(order):
        b, f = battles[i], fc[i]
        if math.isfinite(f.q10):
            hi = min(f.q90, cap)
            ax.plot([max(f.q10, 2.0), hi], [y, y], color="0.65", lw=3, solid_capstyle="butt")
            if not math.isfinite(f.q90):
                ax.plot(cap, y, ">", color="0.45", ms=5)
        else:
            ax.plot(cap, y, ">", color="0.45", ms=5)
        if math.isfinite(f.median):
            ax.plot(f.median, y, "o", color="tab:blue", ms=5)
        ax.plot(b.duration_days, y, "x" if b.failed else "D",
                color="tab:red" if b.failed else "black", ms=6)
    ax.set_yticks(range(len(order)), [_label(battles[i].name) for i in order], fontsize=7)
    ax.set_xscale("log")
    ax.set_xlim(2, cap * 1.25)
    ax.set_xlabel("days (log scale). Grey: the model's 10-90% range (an arrow: it runs past six "
                  "years, or the place is not\ntaken); blue: model median; black diamond: actual "
                  "duration; red cross: the attack had failed by then", fontsize=7)
    ax.set_title(title, fontsize=9, loc="left")
    ax.grid(axis="x", color="0.9")
    fig.savefig(path, dpi=110)
    plt.close(fig)


def collapses(games: int, seed: int) -> str:
    """How often the packaged tempo makes a garrison collapse in the table's battles, against
    the count of :func:`counted_rates` (a markdown table).

    Every battle that is not a siege is played ``games`` times (its middle population) with
    the engine's log, each game up to the battle's actual duration; a fall by collapse counts.
    The sum over battles of the share of games ending in a collapse is the number of
    collapses the model expects in one playing of the table, to set against the table's own.
    """
    from wargame.engine import compile_scenario, simulate
    from wargame.engine.events import Capture
    from wargame.scenario import load

    battles = mt.read(DATA)
    priors = Priors.of(battles)
    expected = 0.0
    for i, b in enumerate(battles):
        if b.siege:
            continue
        pops = populations(b, priors)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "battle.yaml"
            path.write_text(scenario_yaml(b, priors, pops[len(pops) // 2]), encoding="utf-8")
            compiled = compile_scenario(load(path).scenario)
        turns = max(1, math.ceil(b.duration_days / DAYS_PER_TURN))
        res = simulate(compiled, np.random.default_rng([seed, i]), games, turns=turns,
                       log=True)
        hit = sum(1 for e in res.log or [] if isinstance(e, Capture) and e.settlement == 1
                  and e.how == "collapsed")
        expected += hit / games
    counted = counted_rates(battles)["collapse_rate"]["events"]
    return ("| collapses in one playing of the table's battles | model | table |\n"
            "|---|---:|---:|\n"
            f"| battles that are not sieges, each to its actual duration | {expected:.2f} "
            f"| {counted:g} |")


def predict(path: Path, games: int, seed: int, campaign: bool = False
            ) -> tuple[list[mt.Battle], list[Forecast]]:
    """Play every row of ``path`` with the packaged tempo and priors (``campaign``: with the
    campaign layer on, the attacker's operation opening on the first turn, already massed)."""
    from wargame.calibration.tempo import load_tempo

    tempo = load_tempo()
    doc = json.loads(TEMPO_JSON.read_text(encoding="utf-8"))
    priors = Priors.from_dict(doc["standard_scenario"]["priors"])
    battles = mt.read(path)
    values = {k: np.array([getattr(tempo, TEMPO_NAMES[k])]) for k in GRID}
    values["model.engagement_spread"] = np.array([tempo.engagement_spread])
    values["model.collapse_rate"] = np.array([tempo.collapse_rate])
    values["model.surrender_rate"] = np.array([tempo.surrender_rate])
    fc = [forecast(durations(b, priors, values, games, seed + i, campaign=campaign)[0],
                   b.duration_days) for i, b in enumerate(battles)]
    return battles, fc


def scan_engaged_ratio(games: int, seed: int, workers: int | None) -> str:
    """The fit at each value of ``ENGAGED_RATIOS`` (``model.max_engaged_ratio``): its
    objective (the mean weighted interval score, in-sample at the best point and
    leave-one-out), the best point and the median error, as a markdown table."""
    rows = ["| max_engaged_ratio | score in-sample | score leave-one-out | engagement_rate "
            "| urban_advance_km_per_day | garrison_break | median abs(log2) leave-one-out |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    for ratio in ENGAGED_RATIOS:
        fit = run_fit(games=games, seed=seed, workers=workers, engaged_ratio=ratio,
                      progress=True)
        n = len(fit.battles)
        loo = sum(fit.scores[i, fit.loo_best[i]] for i in range(n)) / n
        m = metrics(fit.battles, fit.forecasts(True))
        rows.append(f"| {'none' if ratio >= NO_CAP else f'{ratio:g}'} "
                    f"| {fit.scores.sum(axis=0)[fit.best] / n:.3f} | {loo:.3f} "
                    f"| {fit.value('model.engagement_rate'):.3g} "
                    f"| {fit.value('model.urban_advance_km_per_day'):.3g} "
                    f"| {fit.value('model.garrison_break'):.3g} "
                    f"| {m['median_abs_log2']:.2f} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--predict", type=Path, help="play this table with the packaged tempo")
    ap.add_argument("--games", type=int, default=None,
                    help=f"games per battle and point (default {GAMES}; --predict: 2000)")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--workers", type=int, default=None,
                    help="processes for the fit (default: the cores available; same result)")
    ap.add_argument("--campaign", action="store_true",
                    help="with --predict: play the battles with the campaign layer on")
    ap.add_argument("--write-scenarios", type=Path, default=None,
                    help="also write each battle's standard scenario into this folder")
    ap.add_argument("--collapses", action="store_true",
                    help="count the collapses the packaged tempo gives in the table's battles "
                         "(writes nothing)")
    ap.add_argument("--scan-engaged-ratio", action="store_true",
                    help="refit at each value of ENGAGED_RATIOS and print the scores "
                         "(writes nothing)")
    args = ap.parse_args(argv)
    if args.collapses:
        print(collapses(args.games or GAMES, args.seed))
        return 0
    if args.scan_engaged_ratio:
        print(scan_engaged_ratio(args.games or GAMES, args.seed, args.workers))
        return 0
    if args.write_scenarios is not None:
        args.write_scenarios.mkdir(parents=True, exist_ok=True)
        battles = mt.read(args.predict or DATA)
        priors = Priors.of(mt.read(DATA))
        for b in battles:
            for i, pop in enumerate(populations(b, priors)):
                (args.write_scenarios / f"{_slug(b.name)}_{i}.yaml").write_text(
                    scenario_yaml(b, priors, pop), encoding="utf-8")
    if args.predict is not None:
        battles, fc = predict(args.predict, args.games or 2000, args.seed, args.campaign)
        print(battle_table(battles, fc, None))
        print()
        print(metrics_table(metrics(battles, fc), None))
        return 0
    fit = run_fit(games=args.games or GAMES, seed=args.seed, progress=True,
                  workers=args.workers)
    doc = tempo_document(fit)
    TEMPO_JSON.write_text(render(doc), encoding="utf-8")
    ins, loo = fit.forecasts(False), fit.forecasts(True)
    write_results(RESULTS, fit.battles, ins, loo)
    p = doc["parameters"]
    plot(FIGURE, fit.battles, loo,
         "Modern city battles: actual duration against the model, each battle predicted\n"
         "by the fit without it (leave-one-out). Fit on all 28: engagement rate "
         f"{p['engagement_rate']:.3g},\nurban advance "
         f"{p['urban_advance_km_per_day']:.3g} km a day, garrison break {p['garrison_break']:.3g}")
    print("Fitted:", {k: p[k] for k in (*TEMPO_NAMES.values(), "engagement_spread",
                                        "collapse_rate", "surrender_rate")})
    print()
    print(metrics_table(doc["fit"]["in_sample"], doc["fit"]["leave_one_out"],
                        doc["fit"]["no_mechanism_baseline"]))
    print()
    print(battle_table(fit.battles, ins, loo))
    print(f"\nwrote {TEMPO_JSON.relative_to(ROOT)}, {RESULTS.relative_to(ROOT)} and "
          f"{FIGURE.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["Fit", "Forecast", "Priors", "dt", "run_fit", "scenario_yaml", "tempo_document"]
