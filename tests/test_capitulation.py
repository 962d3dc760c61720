"""A garrison outnumbered ``rout_ratio`` to 1 by a neighbour at war may hand its place over by
a deal, without a fight (``model.capitulation_rate``; wargame/engine/phases/supply.py,
docs/model.md section 3)."""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

import wargame
from wargame.engine import compile_scenario, simulate
from wargame.engine.compile import STANCE, Graph, hop_counts
from wargame.engine.events import Capture, Repulse, Surrender
from wargame.engine.phases.orders import Odds
from wargame.engine.phases.supply import outnumbered
from wargame.engine.state import Forces
from wargame.scenario.load import validate_document
from wargame.scenario.yamlio import Document

# West's base (5,000) next to East's post (100), which is next to East's town (2,000). West
# never attacks (aggression 0), so the post can change hands only by a deal.
DOC: dict[str, Any] = {
    "scenario": {"name": "Outpost", "start_date": "2020-01-01", "days_per_turn": 7,
                 "turns": 4},
    "factions": {
        "west": {"name": "West", "strength": 5000, "morale": 0.6,
                 "doctrine": {"aggression": 0.0}, "supply_sources": ["base"]},
        "east": {"name": "East", "strength": 2100, "morale": 0.6,
                 "doctrine": {"aggression": 0.0}, "supply_sources": ["town"]},
    },
    "settlements": {
        "base": {"name": "Base", "lat": 0, "lon": 0.0, "controller": "west",
                 "garrison": {"west": 5000}},
        "post": {"name": "Post", "lat": 0, "lon": 0.1, "controller": "east",
                 "garrison": {"east": 100}},
        "town": {"name": "Town", "lat": 0, "lon": 0.2, "controller": "east",
                 "garrison": {"east": 2000}},
    },
    "links": [{"between": ["base", "post"]}, {"between": ["post", "town"]}],
    "model": {"campaign": False, "civilians": False, "capitulation_rate": 0.5},
}
POST, TOWN = 1, 2


def play(doc: dict[str, Any], runs: int = 1, seed: int = 1, turns: int | None = None,
         deterministic: bool = False) -> Any:
    sc = validate_document(Document(copy.deepcopy(doc), {}, "<test>"))
    return simulate(compile_scenario(sc), np.random.default_rng(seed), runs, log=runs == 1,
                    record_turns=True, turns=turns, deterministic=deterministic)


def with_model(**model: Any) -> dict[str, Any]:
    doc = copy.deepcopy(DOC)
    doc["model"].update(model)
    return doc


def test_the_outnumbered_places_face_three_times_their_power_at_war() -> None:
    # 0 - 1 - 2 - 3, both ways (the links out of each place, in order: 0>1; 1>0, 1>2; 2>1,
    # 2>3; 3>2); faction 0 holds 0 and 2, faction 1 holds 1 and 3. Power per fighter 1.
    src = np.array([0, 1, 1, 2, 2, 3], np.intp)
    dst = np.array([1, 0, 2, 1, 3, 2], np.intp)
    out_start = np.array([0, 1, 3, 5, 6], np.intp)
    graph = Graph(src, dst, out_start, -np.ones((4, 1), np.intp), hop_counts(4, src, dst))
    ctrl = np.array([[0, 1, 0, 1]] * 4, dtype=np.int16)
    rel = np.full((4, 2, 2), STANCE["war"], dtype=np.int8)
    rel[1] = STANCE["neutral"]
    strength = np.array([[100.0, 300.0, 50.0, 149.0]] * 3 + [[100.0, 250.0, 50.0, 149.0]])
    air_side = np.full((4, 4), -1, np.int16)
    air_side[3, 0] = 1                        # faction 1's strikes hit place 0
    odds = Odds(np.ones((4, 4)), strength.copy(), air_side, np.zeros((4, 4)), np.ones(4))
    siege = np.zeros((4, 4), np.int16)
    siege[2, 0] = 1
    assaulted = np.zeros((4, 4), bool)
    assaulted[2, 2] = True
    got = outnumbered(Forces(ctrl, strength, np.zeros((4, 2))), rel, odds, siege, assaulted,
                      np.full(4, 3.0), 1.41, graph)
    # Place 0 faces 300 (3 x 100); place 2 faces 300 and 149 (3 x 50 = 150: the 300 counts);
    # place 3 faces 50; place 1 faces 100. No war: no one; a besieged place is left to the
    # siege's own deal, one assaulted last turn to the battle's collapse. 250 fighters are
    # not three times 100, but with the air-superiority multiplier (x 1.41) they are.
    assert got.tolist() == [[True, False, True, False], [False] * 4, [False] * 4,
                            [True, False, True, False]]
    # A besieged neighbour does not count: the besieged do not make their besiegers yield.
    # Place 1 cut off, place 0 faces no one and place 2 only 149.
    siege[0, 1] = 1
    assert not outnumbered(Forces(ctrl, strength, np.zeros((4, 2))), rel, odds, siege,
                           assaulted, np.full(4, 3.0), 1.41, graph)[0].any()
    siege[0, 1] = 0
    odds.def_power[0, 0] = 101.0              # a prepared defence: more power, the same men
    assert not outnumbered(Forces(ctrl, strength, np.zeros((4, 2))), rel, odds, siege,
                           assaulted, np.full(4, 3.0), 1.41, graph)[0, 0]


def test_an_outnumbered_post_is_handed_over_without_a_fight() -> None:
    res = play(DOC, turns=1)
    deals = [e for e in res.log if isinstance(e, Surrender)]
    assert [(d.settlement, d.besieged) for d in deals] == [(POST, False)]
    assert not [e for e in res.log if isinstance(e, Capture | Repulse)]
    assert res.control[0, POST] == 0
    # The garrison leaves for East's place in supply; West moves min_garrison in.
    assert deals[0].evacuated == pytest.approx(100.0)
    assert res.strength[0, 1] == pytest.approx(2100.0)


@pytest.mark.parametrize("share", [0.0, 0.25, 1.0])
def test_a_faction_whose_garrisons_desert_loses_them_in_a_deal(share: float,
                                                              tmp_path: Path) -> None:
    # East's deal_desertion of the post's 100 go home or over; the rest reach the town.
    doc = copy.deepcopy(DOC)
    doc["factions"]["east"]["deal_desertion"] = share
    res = play(doc, turns=1)
    (deal,) = [e for e in res.log if isinstance(e, Surrender)]
    assert deal.deserted == pytest.approx(100.0 * share)
    assert deal.evacuated == pytest.approx(100.0 * (1 - share))
    assert res.strength[0, 1] == pytest.approx(2000.0 + 100.0 * (1 - share))
    assert res.casualties[0, 1] == pytest.approx(100.0 * share)
    path = tmp_path / "outpost.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    story = " ".join(line for lines in wargame.play(path, seed=1, turns=1).story().values()
                     for line in lines)
    told = {0.0: "its 100 fighters were evacuated",
            0.25: "75 of its fighters were evacuated and 25 went home or changed sides",
            1.0: "its 100 fighters went home or changed sides"}[share]
    assert told in story, story


@pytest.mark.parametrize("model", [{"capitulation_rate": 0.0}, {"rout_ratio": 60.0}])
def test_no_deal_without_the_rate_or_the_odds(model: dict[str, Any]) -> None:
    res = play(with_model(**model), runs=200)
    assert (res.control_by_turn[:, :, POST] == 1).all()


def test_no_deal_in_a_deterministic_game_or_where_the_faction_fights_to_the_end() -> None:
    assert (play(DOC, runs=50, deterministic=True).control_by_turn[:, :, POST] == 1).all()
    doc = copy.deepcopy(DOC)
    doc["factions"]["east"]["doctrine"]["last_stand"] = ["post"]
    assert (play(doc, runs=200).control_by_turn[:, :, POST] == 1).all()


@pytest.mark.parametrize("morale", [0.3, 0.6, 0.9])
def test_the_chance_a_turn_follows_the_rate_and_the_morale(morale: float) -> None:
    rate, runs = 0.01, 4000
    doc = with_model(capitulation_rate=rate)
    doc["factions"]["east"]["morale"] = morale
    res = play(doc, runs=runs, turns=1)
    slope = 9.6   # model.collapse_morale_slope
    p = -math.expm1(-rate * 7 * math.exp(-slope * (morale - 0.6)))
    got = float((res.control_by_turn[1, :, POST] == 0).mean())
    assert got == pytest.approx(p, abs=4 * math.sqrt(p * (1 - p) / runs) + 1e-3)


def test_the_story_says_the_post_surrendered_without_a_fight(tmp_path: Path) -> None:
    path = tmp_path / "outpost.yaml"
    path.write_text(yaml.safe_dump(DOC), encoding="utf-8")
    game = wargame.play(path, seed=1, turns=1)
    told = " ".join(line for lines in game.story().values() for line in lines)
    assert ("East's garrison in Post surrendered to West without a fight, outnumbered; its "
            "100 fighters were evacuated.") in told


def test_the_story_tells_a_turn_in_the_order_it_is_played() -> None:
    # Deals are made in phase 3, before the battles of phase 5: a garrison that gave its place
    # up is told before the fight for it or next to it (Aleppo, seed 1, turn 1: Khan Tuman
    # surrenders, al-Hader is fought for).
    game = wargame.play(Path(__file__).parents[1] / "scenarios" / "aleppo_2015.yaml", seed=1,
                        turns=13)
    story = game.story()
    both = [t for t in game.turns if t.surrenders and t.battles]
    assert both
    for t in both:
        first = len(t.events) + len(t.encircled)
        deals = story[t.turn][first:first + len(t.surrenders)]
        assert all(" surrendered to " in line for line in deals), deals
