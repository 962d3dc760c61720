"""A garrison cut off when its place falls breaks out to the nearest places its faction holds,
less ``model.breakout_loss``; it surrenders if its faction holds none it can reach, or if its
doctrine is to fight to the end (wargame/engine/phases/resolve.py, docs/model.md section 6)."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from wargame.cli.app import app
from wargame.engine import compile_scenario, simulate
from wargame.engine.events import Capture, Repulse
from wargame.scenario.load import validate_document
from wargame.scenario.yamlio import Document

# West's base - East's pocket - West's village - East's town: the pocket has no East neighbour.
DOC: dict[str, Any] = {
    "scenario": {"name": "Pocket", "start_date": "2020-01-01", "days_per_turn": 7,
                 "turns": 20},
    "factions": {
        "west": {"name": "West", "strength": 20000,
                 "doctrine": {"aggression": 1.0, "reserve_share": 0.0, "max_offensives": 1,
                              "objectives": {"pocket": 10}},
                 "supply_sources": ["base"]},
        "east": {"name": "East", "strength": 3000, "doctrine": {"aggression": 0.0},
                 "supply_sources": ["town"]},
    },
    "settlements": {
        "base": {"name": "Base", "lat": 0, "lon": 0.0, "controller": "west"},
        "pocket": {"name": "Pocket", "lat": 0, "lon": 0.1, "controller": "east",
                   "garrison": {"east": 1500}},
        "village": {"name": "Village", "lat": 0.1, "lon": 0.2, "controller": "west",
                    "garrison": {"west": 50}},
        "town": {"name": "Town", "lat": 0, "lon": 0.3, "controller": "east",
                 "garrison": {"east": 1500}},
    },
    "links": [{"between": ["base", "pocket"]}, {"between": ["pocket", "village"]},
              {"between": ["village", "town"]}],
    "model": {"campaign": False, "civilians": False},
}
POCKET, TOWN = 1, 3


def play(doc: dict[str, Any], seed: int = 2) -> Any:
    sc = validate_document(Document(copy.deepcopy(doc), {}, "<test>"))
    return simulate(compile_scenario(sc), np.random.default_rng(seed), 1, log=True,
                    record_turns=True)


def fall_of_the_pocket(res: Any) -> Capture:
    falls = [e for e in res.log if isinstance(e, Capture) and e.settlement == POCKET]
    assert falls, "the pocket never fell"
    return falls[0]


def garrison_left(fall: Capture) -> float:
    """The pocket's garrison (East's) at the end of the battle."""
    (side,) = [s for s in fall.sides if s.faction == 1]
    return side.end


def town_gain(res: Any, turn: int) -> float:
    g = res.garrison_by_turn[:, 0, TOWN]
    return float(g[turn] - g[turn - 1])


def quiet_town(res: Any, turn: int) -> bool:
    return not any(e.settlement == TOWN for e in res.log
                   if e.turn == turn and isinstance(e, Capture | Repulse))


@pytest.mark.parametrize("loss", [0.35, 0.0, 0.8])
def test_a_cut_off_garrison_breaks_out_to_the_nearest_place_held(loss: float) -> None:
    doc = copy.deepcopy(DOC)
    doc["model"]["breakout_loss"] = loss
    res = play(doc)
    fall = fall_of_the_pocket(res)
    assert fall.retreat_to == () and fall.breakout_to == (TOWN,)
    assert quiet_town(res, fall.turn)
    survivors = garrison_left(fall)
    assert survivors > 0 and fall.survivors == survivors
    assert town_gain(res, fall.turn) == pytest.approx(survivors * (1 - loss), rel=1e-9)


def test_a_garrison_that_fights_to_the_end_or_has_nowhere_to_go_surrenders() -> None:
    last = copy.deepcopy(DOC)
    last["factions"]["east"]["doctrine"]["last_stand"] = True
    res = play(last)
    fall = fall_of_the_pocket(res)
    assert fall.breakout_to == () and garrison_left(fall) > 0
    assert town_gain(res, fall.turn) == 0.0
    # Without the town East holds nothing else: the garrison is lost.
    alone = copy.deepcopy(DOC)
    del alone["settlements"]["town"]
    alone["links"] = alone["links"][:2]
    alone["factions"]["east"]["supply_sources"] = []
    alone["settlements"]["pocket"]["garrison"] = {"east": 3000}
    res = play(alone)
    fall = fall_of_the_pocket(res)
    assert fall.breakout_to == ()
    assert res.strength[0, 1] == 0.0


@pytest.mark.parametrize(("places", "breaks_out"), [(["pocket"], False), (["town"], True)])
def test_a_last_stand_can_be_made_at_named_places_only(places: list[str],
                                                       breaks_out: bool) -> None:
    """``last_stand: [pocket]`` makes the pocket's garrison fight to the end as ``true``
    does; ``last_stand: [town]`` leaves the pocket's garrison free to break out."""
    doc = copy.deepcopy(DOC)
    doc["factions"]["east"]["doctrine"]["last_stand"] = places
    fall = fall_of_the_pocket(play(doc))
    assert (fall.breakout_to == (TOWN,)) is breaks_out


def test_the_story_tells_the_break_out(tmp_path: Path) -> None:
    path = tmp_path / "pocket.yaml"
    path.write_text(yaml.safe_dump(DOC), encoding="utf-8")
    out = CliRunner().invoke(app, ["run", str(path), "--seed", "2"])
    assert out.exit_code == 0, out.output
    text = " ".join(out.output.split())
    assert re.search(r"took Pocket from East .*its garrison, cut off, broke out to Town "
                     r"\([\d,]+ men set out\)", text), text


def test_breakout_loss_is_a_fraction() -> None:
    doc = copy.deepcopy(DOC)
    doc["model"]["breakout_loss"] = 1.5
    with pytest.raises(Exception, match="breakout_loss"):
        validate_document(Document(doc, {}, "<test>"))
