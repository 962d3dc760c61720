"""The story's words: whose strikes hit whom, odds that read as odds, no '(0 men)'."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from wargame.report.narrative import turn_sentences
from wargame.report.record import Battle, Side, Strike, TurnRecord
from wargame.scenario import load

TOY = Path(__file__).parent / "data" / "valid" / "toy.yaml"


def _turn(battle: Battle, strikes: list[Strike] = ()) -> list[str]:  # type: ignore[assignment]
    sc = load(TOY).scenario
    t = TurnRecord(1, dt.date(2015, 10, 13), dt.date(2015, 10, 19), {}, {},
                   battles=[battle], strikes=list(strikes))
    return turn_sentences(sc, t)


def _taken(ratio: float, left: float, how: str = "cleared",
           retreat: list[str] | None = None) -> Battle:
    return Battle("c", "captured", "blue", "red", ["red"], ratio,
                  [Side("blue", "defender", 500.0, left, False),
                   Side("red", "attacker", 3000.0, 2900.0, False)],
                  retreat or [], 2900.0, 40.0, ["Allied air force"], 7.0, 2.0, 0, 0.0, 0.0, how)


def test_extreme_odds_are_capped() -> None:
    (line,) = _turn(_taken(1549.8, 0.0))
    assert "more than 100:1" in line and "1549" not in line


def test_no_zero_men_and_no_defenders_said_plainly() -> None:
    (line,) = _turn(_taken(3.0, 0.4))
    assert "(0 men)" not in line and "no defenders were left" in line
    (line,) = _turn(_taken(3.0, 1.0))
    assert "surrendered (1 man)" in line


def test_strikes_say_who_struck_whom() -> None:
    strike = Strike("air", "Allied air force", "c", 40.0, 12.0, "blue")
    (line,) = _turn(_taken(3.0, 0.0, retreat=["b"]), [strike])
    assert "Allied air force flew 40 sorties against Blue there." in line
    assert "sorties against the defenders" not in line


def test_a_battle_that_took_no_ground_names_both_sides_losses() -> None:
    held = Battle("c", "held", "blue", "red", ["red"], 10.0,
                  [Side("blue", "defender", 1000.0, 979.0, False),
                   Side("red", "attacker", 9935.0, 9900.0, False)],
                  [], None, 0.0, [], 7.0, 1.0, 0, 0.0, 0.0, "held")
    (line,) = _turn(held)
    assert "took no ground" in line
    assert "the attackers lost 35 of 9,935, the defenders 21 of 1,000." in line
