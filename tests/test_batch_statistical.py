"""Batch estimates against a scenario whose outcome probability is known in closed form.

In ``COIN`` red and blue keep a truce until it breaks, with probability ``q`` each turn (a
``chance:`` event). Red then outnumbers blue 100,000 to 1 and takes C the same turn (the
campaign layer is off, so red attacks at once). So red takes C within ``T`` turns with
probability ``1 - (1 - q)**T``, and the turn it falls is geometric:
``P(turn = t) = q (1 - q)**(t - 1)``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from wargame.engine import compile_scenario
from wargame.montecarlo.executors import SerialExecutor
from wargame.montecarlo.run import collect, play_chunk
from wargame.montecarlo.spec import BatchSpec
from wargame.montecarlo.summary import Labels, Quantiles, outcome_stats
from wargame.montecarlo.tally import Tally
from wargame.scenario import load

Q, T = 0.2, 4
TRUTH = 1 - (1 - Q) ** T

COIN = f"""
scenario: {{name: Coin, start_date: 2015-10-13, days_per_turn: 7, turns: {T}}}
factions:
  red:
    name: Red
    strength: 100000
    doctrine: {{aggression: 1.0, objectives: {{c: 10}}}}
    supply_sources: [a]
  blue: {{name: Blue, strength: 1, supply_sources: [c]}}
relations: {{default: neutral}}
settlements:
  a: {{name: A, lat: 36.0, lon: 37.0, controller: red}}
  c: {{name: C, lat: 36.1, lon: 37.1, controller: blue}}
links:
  - {{between: [a, c], km: 5}}
events:
  truce_breaks:
    trigger: {{from_turn: 1, chance: {Q}}}
    effects:
      - set_relation: {{between: [red, blue], stance: war}}
outcomes:
  red_takes_c:
    name: Red takes C
    controls: {{faction: red, settlements: [c]}}
model: {{campaign: false}}   # red attacks the turn the truce breaks: no operation cycle
"""


START = dt.date(2015, 10, 13)
LABELS = Labels(["red", "blue"], ["Red", "Blue"], ["a", "c"], ["A", "C"], ["red_takes_c"],
                ["Red takes C"],
                [None, *((START + dt.timedelta(7 * t)).isoformat() for t in range(T))],
                [(START + dt.timedelta(7 * t - 1)).isoformat() for t in range(T + 1)])


@pytest.fixture(scope="module")
def coin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("coin") / "coin.yaml"
    path.write_text(COIN, encoding="utf-8")
    return path


def _batch(path: Path, seed: int, runs: int, chunk: int = 1000) -> Tally:
    loaded = load(path)
    spec = BatchSpec("batch", str(path), loaded.digest, [], seed, runs, chunk, T)
    return collect(spec, play_chunk, {0: compile_scenario(loaded.scenario)},
                   SerialExecutor())[0]


def test_estimate_converges_to_the_closed_form(coin: Path) -> None:
    tally = _batch(coin, seed=11, runs=40_000)
    p = tally.ints["outcome_count"][0] / tally.games
    # 5 standard errors: fails only if the engine or the counting is wrong.
    se = np.sqrt(TRUTH * (1 - TRUTH) / tally.games)
    assert abs(p - TRUTH) < 5 * se


def test_time_to_outcome_is_geometric(coin: Path) -> None:
    tally = _batch(coin, seed=12, runs=40_000)
    hist = tally.ints["outcome_turn"][0]
    assert hist[0] == 0
    expected = np.array([Q * (1 - Q) ** (t - 1) for t in range(1, T + 1)]) / TRUTH
    chi2 = stats.chisquare(hist[1:], expected * hist[1:].sum())
    assert chi2.pvalue > 1e-4
    row = outcome_stats(tally, LABELS)[0]  # the row the CLI prints
    # Conditional geometric CDF: 0.339, 0.610, 0.827, 1.0 -> p10 = 1, median = 2, p90 = 4.
    assert row.turn == Quantiles(1, 2, 4)
    assert row.end_date.median.isoformat() == "2015-10-26"  # turn 2 is 20-26 Oct


def test_wilson_intervals_cover_the_truth_at_about_95_percent(coin: Path) -> None:
    loaded = load(coin)
    compiled = {0: compile_scenario(loaded.scenario)}
    hits = 0
    batches = 200
    for seed in range(batches):
        spec = BatchSpec("batch", str(coin), loaded.digest, [], seed, 100, 100, T)
        tally = collect(spec, play_chunk, compiled, SerialExecutor())[0]
        low, high = outcome_stats(tally, LABELS)[0].ci95
        hits += low <= TRUTH <= high
    coverage = hits / batches
    assert 0.90 <= coverage <= 0.99, coverage

