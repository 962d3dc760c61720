"""Engel's Iwo Jima (1954) in the engine: scenarios/validation/iwo_jima.yaml.

Engel's model: dM/dt = P(t) - a N, dN/dt = -b M (M US, N Japanese), a = 0.0544, b = 0.0106 per
day, N(0) = 21,500, US landings of 54,000, 6,000 and 13,000 on days 1, 3 and 6 (J. H. Engel,
"A verification of Lanchester's law", Operations Research 2(2):163-171, 1954). The engine plays
it as one battle a day with every friction off; these tests solve the same equations here with
scipy's solve_ivp, independently of the engine. See docs/validation.md, "Engel's Iwo Jima".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from wargame.engine import GameResult, compile_scenario, simulate
from wargame.engine.events import Capture, Repulse
from wargame.scenario import load

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "validation" / "iwo_jima.yaml"
A_JAPANESE_FIRE = 0.0544   # a: US losses per day per Japanese fighter (Engel)
B_US_FIRE = 0.0106         # b: Japanese losses per day per US fighter (Engel)
GARRISON = 21_500.0
LANDINGS = {1: 54_000.0, 3: 6_000.0, 6: 13_000.0}   # day -> men (Engel's P(t))
DAYS = 36
REL = 0.01                 # the engine against the same equations, every day


@dataclass(frozen=True)
class Day:
    """One day's battle as the engine logged it: strengths at its start and end."""

    us: tuple[float, float]
    japan: tuple[float, float]
    routed: bool


def _rhs(_: float, y: np.ndarray, landing_rate: float) -> list[float]:
    us, japan = y
    return [landing_rate - A_JAPANESE_FIRE * japan, -B_US_FIRE * us]


def _garrison_gone(_: float, y: np.ndarray, landing_rate: float) -> float:
    return float(y[1])


_garrison_gone.terminal = True  # type: ignore[attr-defined]


def square_law_with_landings(spread: bool) -> np.ndarray:
    """Strengths [US, Japan] at the end of each day 1..36, solved day by day with solve_ivp.

    ``spread=False``: each landing arrives at the start of its day, as in the engine's turns.
    ``spread=True``: Engel's P(t), each day's landing at a constant rate over that day.
    The battle stops when the garrison reaches zero.
    """
    y = np.array([0.0, GARRISON])
    out = np.zeros((DAYS, 2))
    for day in range(1, DAYS + 1):
        men = LANDINGS.get(day, 0.0)
        if not spread:
            y[0] += men
        if y[1] > 0:
            sol = solve_ivp(_rhs, (day - 1.0, float(day)), y, args=(men if spread else 0.0,),
                            events=_garrison_gone, method="DOP853", rtol=1e-11, atol=1e-6)
            assert sol.success
            y = np.maximum(sol.y[:, -1], 0.0)
        elif spread:
            y[0] += men
        out[day - 1] = y
    return out


@pytest.fixture(scope="module")
def game() -> GameResult:
    """The deterministic game, with its battle log."""
    compiled = compile_scenario(load(SCENARIO).scenario)
    return simulate(compiled, np.random.default_rng(0), 1, deterministic=True, log=True)


@pytest.fixture(scope="module")
def days(game: GameResult) -> dict[int, Day]:
    """The logged battles by day."""
    us, japan = game.factions.index("us"), game.factions.index("japan")
    assert game.log is not None
    out: dict[int, Day] = {}
    for e in game.log:
        assert isinstance(e, Capture | Repulse)
        s = {x.faction: x for x in e.sides}
        out[e.turn] = Day(us=(s[us].start, s[us].end), japan=(s[japan].start, s[japan].end),
                          routed=s[japan].routed)
    return out


@pytest.fixture(scope="module")
def ode() -> np.ndarray:
    return square_law_with_landings(spread=False)


def test_every_daily_battle_matches_the_square_law_with_landings(
    days: dict[int, Day], ode: np.ndarray
) -> None:
    # The ODE's garrison lasts into day 36 (fewer than one man left, whatever the solver's
    # rounding); the engine's breaks at the end of day 35 (below), so there are 35 battles.
    assert ode[34, 1] > 100 and ode[35, 1] < 1.0
    assert sorted(days) == list(range(1, 36))
    for day, battle in days.items():
        us_start = (ode[day - 2, 0] if day > 1 else 0.0) + LANDINGS.get(day, 0.0)
        assert battle.us[0] == pytest.approx(us_start, rel=REL), day
        assert battle.us[1] == pytest.approx(ode[day - 1, 0], rel=REL), day
        assert battle.japan[1] == pytest.approx(ode[day - 1, 1], rel=REL), day


def test_garrison_breaks_at_100_to_1_and_the_island_falls_on_day_35(
    game: GameResult, days: dict[int, Day], ode: np.ndarray
) -> None:
    # 247 Japanese left against 52,800 US at the end of day 35: past the 100:1 rout ratio, the
    # remnant breaks and, with nowhere to retreat, surrenders (counted as casualties). In the
    # ODE the same remnant is destroyed a few hours later, early on day 36.
    assert [d for d, b in days.items() if b.routed] == [35]
    assert ode[34, 0] > 100 * ode[34, 1]
    us, japan = game.factions.index("us"), game.factions.index("japan")
    assert (game.control[0] == us).all()
    assert game.strength[0, japan] == 0.0
    assert game.casualties[0, japan] == pytest.approx(GARRISON, rel=1e-12)
    assert game.strength[0, us] == pytest.approx(ode[-1, 0], rel=REL)
    # Every US fighter landed is still there or a casualty.
    assert game.initial_strength[0, us] + game.reinforcements[0, us] == sum(LANDINGS.values())
    assert game.strength[0, us] + game.casualties[0, us] == pytest.approx(73_000.0, rel=1e-12)


def test_landings_as_morning_impulses_stay_within_2pct_of_engels_curve(
    days: dict[int, Day],
) -> None:
    """Engel spreads each landing over its day; the engine lands it before the day's battle.
    Landed a few hours earlier, the US kill 300-500 more Japanese, who then do not fire back:
    the US curve drifts up steadily, to 1.5% above Engel's on day 35 (2% allowed)."""
    engel = square_law_with_landings(spread=True)
    for day, battle in days.items():
        assert battle.us[1] == pytest.approx(engel[day - 1, 0], rel=0.02), day
    # Engel's coefficients were chosen so that the garrison is destroyed in 36 days; with
    # spread landings the ODE still has 1% of it on the evening of day 36.
    assert 0 < engel[-1, 1] < 0.02 * GARRISON


def test_us_casualties_fall_short_of_the_record_by_the_documented_margin(
    game: GameResult,
) -> None:
    """Not agreement: a documented gap, pinned so that docs/validation.md stays true.

    The record: 26,038 US killed and wounded (6,821 + 19,217, the official figures as commonly
    cited) and about 28,700 US casualties by day 36 (the figure quoted in the issue from Engel
    1954, not re-checked against the paper here). Whatever the engine does, the model's US
    losses are a x (the garrison integrated over the battle): 20,200 with Engel's a and b, 78%
    of the first figure and 70% of the second. The gap belongs to the coefficients, not to the
    engine (which matches the ODE to 1% above); docs/validation.md discusses it.
    """
    us = game.factions.index("us")
    casualties = float(game.casualties[0, us])
    assert casualties == pytest.approx(20_200, rel=0.01)
    assert 0.75 <= casualties / 26_038 <= 0.80
    assert 0.68 <= casualties / 28_700 <= 0.72
