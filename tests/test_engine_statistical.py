"""Statistical properties of the engine, with stated tolerances."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from wargame.engine import compile_scenario, simulate
from wargame.scenario import load

ROOT = Path(__file__).resolve().parent.parent
R = 3000


def _run(path: Path, overrides: list[str] | None = None, seed: int = 11, replicates: int = R):
    compiled = compile_scenario(load(path, overrides or []).scenario)
    return simulate(compiled, np.random.default_rng(seed), replicates)


def test_more_air_support_never_helps_the_enemy_across_the_river() -> None:
    """Allied sorties for North at 0, 60 and 200 a turn: South's chance of taking Bridgeton,
    the crossing it plans its operations on, never rises and falls by more than the tolerance
    overall. Tolerance: 3 standard errors of a proportion at n = 3000 (about 2.7 points), on
    common random numbers (same seed). (North's chance of holding all three towns is not
    monotone: with air over the enemy North's own operations can over-extend it; see
    docs/model.md, Known limitations.)"""
    path = ROOT / "docs" / "examples" / "river_line.yaml"
    crosses = []
    for sorties in (0, 60, 200):
        res = _run(path, [f"support.allied_air.sorties_per_turn={sorties}"])
        crosses.append((res.outcome_turn[:, res.outcomes.index("south_crosses")] >= 0).mean())
    tol = 3 * np.sqrt(0.25 / R)
    assert all(b <= a + tol for a, b in itertools.pairwise(crosses)), crosses
    assert crosses[-1] < crosses[0] - tol, crosses


def test_a_mirror_symmetric_scenario_gives_symmetric_results() -> None:
    """Red and Blue are mirror images; their chances of taking the other's town agree within
    4 standard errors of the difference of two proportions at n = 3000."""
    res = _run(ROOT / "tests" / "data" / "engine" / "mirror.yaml")
    red = res.outcome_turn[:, res.outcomes.index("red_takes_c")] >= 0
    blue = res.outcome_turn[:, res.outcomes.index("blue_takes_b")] >= 0
    p_red, p_blue = red.mean(), blue.mean()
    se = np.sqrt((p_red * (1 - p_red) + p_blue * (1 - p_blue)) / R)
    assert 0.05 < p_red < 0.95, "the scenario should be contested"
    assert abs(p_red - p_blue) < 4 * se + 1e-9, (p_red, p_blue)
    s_red, s_blue = res.strength.mean(axis=0)
    assert abs(s_red - s_blue) < 0.05 * (s_red + s_blue) / 2


SCENARIOS = [ROOT / "scenarios" / "aleppo_2015.yaml",
             *sorted((ROOT / "scenarios" / "variants").glob("*.yaml"))]


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_built_in_scenarios_play_26_weekly_turns(path: Path) -> None:
    compiled = compile_scenario(load(path).scenario)
    assert compiled.scenario.scenario.days_per_turn == 7
    res = simulate(compiled, np.random.default_rng(3), 16, record_turns=True)
    assert res.turns == 26
    assert res.control_by_turn is not None and res.control_by_turn.shape[0] == 27
    balance = res.initial_strength + res.reinforcements - res.casualties - res.strength
    assert np.allclose(balance, 0.0, atol=1e-6 * res.initial_strength.sum())
