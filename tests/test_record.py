"""The structured record of one game: every turn's control, strengths and battles, tolerant of
log records and keys it does not know."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

import wargame
from wargame.cli.app import app
from wargame.engine import compile_scenario, simulate
from wargame.report.narrative import turn_sentences
from wargame.report.record import game_record

ROOT = Path(__file__).resolve().parent.parent
TOY = str(ROOT / "tests" / "data" / "valid" / "toy.yaml")
ALEPPO = str(ROOT / "scenarios" / "aleppo_2015.yaml")


def test_run_json_has_a_record_per_turn() -> None:
    res = CliRunner().invoke(app, ["run", ALEPPO, "--seed", "1", "--format", "json"])
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    turns = data["turns"]
    assert [t["turn"] for t in turns] == list(range(27))
    start, first = turns[0], turns[1]
    assert (start["start_date"], start["end_date"]) == (None, "2015-10-12")
    assert (first["start_date"], first["end_date"]) == ("2015-10-13", "2015-10-19")
    assert turns[6]["start_date"] == "2015-11-17"   # as the scenario's comments say
    sc = wargame.load(ALEPPO).scenario
    assert list(first["control"]) == list(sc.settlements)
    assert list(first["strength"]) == list(sc.factions)
    battles = [b for t in turns for b in t["battles"]]
    assert battles
    for b in battles:
        assert b["result"] in ("captured", "held")
        assert {s["role"] for s in b["sides"]} == {"defender", "attacker"}
        assert b["ratio"] > 0
    # Control changes only through battles and surrenders the record holds.
    for before, after in itertools.pairwise(turns):
        changed = {s for s, f in after["control"].items() if before["control"][s] != f}
        taken = {b["place"] for b in after["battles"] if b["result"] == "captured"}
        taken |= {x["place"] for x in after["surrenders"]}
        assert changed <= taken
    # The story is rendered from the record: one sentence per battle, event, encirclement,
    # surrender, operation opened and operation ended.
    for t in turns[1:]:
        assert len(t["story"]) == sum(len(t[k]) for k in ("battles", "events", "encircled",
                                                          "surrenders", "culminated",
                                                          "operations"))


def test_unknown_log_kinds_and_keys_are_kept() -> None:
    loaded = wargame.load(TOY)
    c = compile_scenario(loaded.scenario)
    res = simulate(c, np.random.default_rng(3), 1, log=True, record_turns=True)
    assert res.log is not None
    battle = next(r for r in res.log if r["kind"] in ("capture", "repulse"))
    battle["why_held"] = "fortified"               # a key the record does not know
    res.log.append({"turn": battle["turn"], "replicate": 0, "kind": "assault",
                    "settlement": 2, "attackers": [0], "weeks": np.int64(2)})
    game = game_record(c, res, 3, loaded.digest)
    turn = game.turns[battle["turn"]]
    rec = turn.battles[0]
    assert rec.extra == {"why_held": "fortified"}
    assert turn.other == [{"kind": "assault", "settlement": "c", "attackers": ["red"],
                           "weeks": 2}]
    data = turn.to_dict()
    assert data["battles"][0]["why_held"] == "fortified"
    json.dumps(game.to_dict())   # plain data throughout
    plain = game_record(c, simulate(c, np.random.default_rng(3), 1, log=True,
                                    record_turns=True), 3, loaded.digest)
    assert turn_sentences(loaded.scenario, turn) == turn_sentences(
        loaded.scenario, plain.turns[battle["turn"]])


def test_game_tables() -> None:
    game = wargame.play(TOY, seed=2)
    tables = game.tables()
    assert set(tables) == {"control", "strength", "garrison", "battles", "sides", "events"}
    assert len(tables["control"]) == 7 * 3
    assert len(tables["garrison"]) == 7 * 3
    ds = game.to_xarray()
    assert ds["control"].dims == ("turn", "settlement")
    assert str(ds["control"].sel(turn=0, settlement="c").values) == "blue"
