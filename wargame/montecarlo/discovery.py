"""Scenario discovery: which sampled inputs make an outcome happen.

From per-game records (:mod:`wargame.montecarlo.games`), a classification tree (CART, from
scikit-learn) is fitted to "did the outcome come true" on the sampled value of every uncertain
parameter. Each leaf of the tree is a *box*: a range of each parameter on its path from the
root. For every box we report, as PRIM does (Friedman and Fisher 1999; Bryant and Lempert
2010, "Thinking inside the box"):

* ``games``: games whose inputs fall in the box;
* ``density``: the share of those games in which the outcome came true;
* ``coverage``: the share of all games where it came true that fall in the box.

Why a tree rather than PRIM: scikit-learn's tree is a well-kept, widely used implementation
that is deterministic for a fixed ``random_state``, and its leaves are boxes with exactly
these measures; PRIM's peeling gives one box at a time and its maintained implementation
(``ema_workbench``) brings a large stack of dependencies. A tree of depth 3 gives at most 8
boxes, few enough to read. The dice matter too: a box's density below 100% is the share the
sampled inputs cannot decide. scikit-learn is the optional extra ``wargame[discover]``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from wargame.arguments import path, share, text, whole
from wargame.errors import UsageError, WargameError
from wargame.extras import needs
from wargame.jsontypes import JSONObject
from wargame.montecarlo.games import PARAM_PREFIX, GameRecords, read_games

if TYPE_CHECKING:
    from wargame.montecarlo.jobs import ScenarioArg, Sink

DEFAULT_DEPTH = 3
DEFAULT_MIN_SHARE = 0.05   # a box holds at least 5% of the games
TREE_SEED = 0              # the tree's own tie-breaking; fixed so a discovery is repeatable
NOTHING_SAMPLED = ("nothing to discover: the scenario has no uncertain parameters (every "
                   "input is fixed, so only the dice vary between games)")


@dataclass(frozen=True)
class Limit:
    """One parameter's range in a box: ``low < value <= high`` (``None``: unbounded)."""

    parameter: str
    low: float | None
    high: float | None

    def text(self) -> str:
        """``a < x ≤ b``, ``x ≤ b`` or ``x > a``."""
        if self.low is not None and self.high is not None:
            return f"{_num(self.low)} < {self.parameter} ≤ {_num(self.high)}"
        if self.high is not None:
            return f"{self.parameter} ≤ {_num(self.high)}"
        return f"{self.parameter} > {_num(self.low)}"


def _num(x: float | None) -> str:
    """A threshold as people write it: ``26,490``, ``1.057``, ``0.0312``."""
    if x is None:
        return "–"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"


@dataclass(frozen=True)
class Box:
    """A leaf of the tree: the ranges that define it and how the outcome fares inside."""

    limits: list[Limit]
    games: int
    hits: int
    density: float
    coverage: float | None  # None when the outcome never came true (0 of 0)

    def text(self, joiner: str = " and ") -> str:
        """The box's rule in words (``all games`` when the tree did not split)."""
        return joiner.join(lim.text() for lim in self.limits) or "all games"


@dataclass(frozen=True)
class Discovery:
    """The boxes of one outcome, densest first, and how much each parameter mattered."""

    outcome: str
    games: int
    hits: int
    base_rate: float
    boxes: list[Box]
    importance: dict[str, float]   # the tree's impurity-based importance, summing to 1
    depth: int
    min_share: float

    def to_dict(self) -> JSONObject:
        """JSON-ready (``wargame discover --format json``)."""
        return {"outcome": self.outcome, "games": self.games, "hits": self.hits,
                "base_rate": self.base_rate, "depth": self.depth, "min_share": self.min_share,
                "method": "CART classification tree (scikit-learn); boxes are its leaves",
                "boxes": [{"rule": b.text(), "games": b.games, "hits": b.hits,
                           "density": b.density, "coverage": b.coverage,
                           "limits": [vars(lim).copy() for lim in b.limits]}
                          for b in self.boxes],
                "importance": dict(self.importance)}


def _need_sklearn() -> Any:
    try:
        from sklearn.tree import DecisionTreeClassifier
    except ImportError:
        raise WargameError(needs("scenario discovery", "scikit-learn", "discover")) from None
    return DecisionTreeClassifier


def fit(x: np.ndarray, names: Sequence[str], y: np.ndarray, outcome: str,
        depth: int = DEFAULT_DEPTH, min_share: float = DEFAULT_MIN_SHARE) -> Discovery:
    """Fit the tree of ``y`` (bool per game) on ``x`` [games, parameters] and read its boxes."""
    tree_cls = _need_sklearn()
    _check(depth, min_share)
    n = len(y)
    hits = int(y.sum())
    if n == 0:
        raise WargameError("no games to learn from")
    leaf = max(1, math.ceil(min_share * n))
    model = tree_cls(max_depth=depth, min_samples_leaf=leaf, random_state=TREE_SEED)
    model.fit(x, y.astype(np.int8))
    t = model.tree_
    leaves = model.apply(x)
    boxes = []

    def walk(node: int, bounds: dict[int, tuple[float | None, float | None]]) -> None:
        left, right = int(t.children_left[node]), int(t.children_right[node])
        if left < 0:
            inside = leaves == node
            g, k = int(inside.sum()), int(y[inside].sum())
            limits = [Limit(names[f], lo, hi) for f, (lo, hi) in sorted(bounds.items())]
            boxes.append(Box(limits, g, k, k / g if g else 0.0, k / hits if hits else None))
            return
        f, cut = int(t.feature[node]), float(t.threshold[node])
        lo, hi = bounds.get(f, (None, None))
        walk(left, {**bounds, f: (lo, cut if hi is None else min(hi, cut))})
        walk(right, {**bounds, f: (cut if lo is None else max(lo, cut), hi)})

    walk(0, {})
    boxes.sort(key=lambda b: (-b.density, -b.games))
    imp = {name: float(v) for name, v in zip(names, model.feature_importances_, strict=True)
           if v > 0}
    importance = dict(sorted(imp.items(), key=lambda kv: -kv[1]))
    return Discovery(outcome, n, hits, hits / n, boxes, importance, depth, min_share)


def _check(depth: int, min_share: float) -> None:
    whole("--depth", depth, 1)
    share("--min-share", min_share, 0, 0.5)


def _known(outcome: str, outcomes: Sequence[str]) -> None:
    if outcome not in outcomes:
        known = (f"the outcomes are {', '.join(outcomes)}" if outcomes
                 else "the scenario defines no outcomes")
        raise UsageError(f"--outcome {outcome!r}: no such outcome; {known}")


def from_records(records: GameRecords, outcome: str, depth: int = DEFAULT_DEPTH,
                 min_share: float = DEFAULT_MIN_SHARE) -> Discovery:
    """Discovery on a batch's per-game records."""
    _known(outcome, records.layout.outcomes)
    cols = records.layout.param_columns
    if not cols:
        raise UsageError(NOTHING_SAMPLED)
    x = np.stack([records.column(c) for c in cols], axis=1)
    y = records.column(f"first_turn.{outcome}") >= 0
    return fit(x, [c.removeprefix(PARAM_PREFIX) for c in cols], y, outcome, depth, min_share)


def discover_job(scenario: ScenarioArg | None, outcome: str, games: Any, runs: int | None,
                 seed: int | None, chunk_size: int | None, workers: int | None,
                 overrides: list[str], depth: int, min_share: float,
                 sink: Sink | None) -> Discovery:
    """``wargame discover``: play a batch with per-game records (or read them) and fit."""
    _need_sklearn()
    _check(depth, min_share)
    text("--outcome", outcome, optional=False)
    if not outcome:
        raise UsageError("give the outcome to explain: --outcome ID")
    if isinstance(games, GameRecords):
        return from_records(games, outcome, depth, min_share)
    if games is not None:
        if scenario is not None or runs is not None or seed is not None or overrides:
            raise UsageError("--games reads the records of an earlier batch: leave out the "
                             "scenario, --runs, --seed and --set")
        return from_records(read_games(path("games", games) or Path()), outcome, depth,
                            min_share)
    if scenario is None:
        raise UsageError("missing SCENARIO (or --games FILE)")
    from wargame.montecarlo.jobs import Options, Quiet, batch_job, resolve
    from wargame.scenario.walk import uncertain_params

    _, loaded = resolve(scenario, overrides)
    _known(outcome, list(loaded.scenario.outcomes))   # fail before playing any game
    if not uncertain_params(loaded.scenario):
        raise UsageError(NOTHING_SAMPLED)
    result = batch_job(loaded, [], Options(runs, seed, chunk_size, workers), sink or Quiet(),
                       games=True)
    assert result.records is not None
    return from_records(result.records, outcome, depth, min_share)
