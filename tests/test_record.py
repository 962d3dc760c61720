"""The structured record of one game: every turn's control, strengths and battles, built from
every event the engine logs."""

from __future__ import annotations

import ast
import itertools
import json
from collections import Counter
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import assert_never

import numpy as np
from typer.testing import CliRunner

import wargame
from wargame.cli.app import app
from wargame.engine import GameResult, compile_scenario, events, simulate
from wargame.report import narrative, record
from wargame.report.game import Game
from wargame.report.record import game_record

ROOT = Path(__file__).resolve().parent.parent
TOY = str(ROOT / "tests" / "data" / "valid" / "toy.yaml")
ALEPPO = str(ROOT / "scenarios" / "aleppo_2015.yaml")
HISTORY = str(ROOT / "scenarios" / "aleppo_2015_history.yaml")


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


def _played(path: str, overrides: tuple[str, ...], seed: int) -> tuple[GameResult, Game]:
    loaded = wargame.load(path, overrides)
    c = compile_scenario(loaded.scenario)
    res = simulate(c, np.random.default_rng(seed), 1, log=True, record_turns=True)
    return res, Game.of(game_record(c, res, seed, loaded.digest))


# Between them these games have every class of event: the history variant (campaign layer)
# all but one, and the base scenario without the campaign layer the culmination of an
# offensive.
EVERY_EVENT = [(HISTORY, (), 2), (ALEPPO, ("model.campaign=false",), 1)]


def test_every_engine_event_reaches_the_record_and_the_story() -> None:
    seen: set[type] = set()
    for path, overrides, seed in EVERY_EVENT:
        res, game = _played(path, overrides, seed)
        assert res.log
        sc, story = game.scenario, game.story()
        fname = {f: (x.short_name or x.name).lower() for f, x in sc.factions.items()}
        place = [sc.settlements[x].name.lower() for x in res.settlements]

        for e in res.log:
            seen.add(type(e))
            turn = game.turns[e.turn]
            told = " ".join(story[e.turn]).lower()   # a sentence starts with a capital
            match e:
                case events.EventFired():
                    assert record.EventFired(e.event, e.name) in turn.events
                    assert e.name.lower() in told or e.event.lower() in told
                case events.Strike():
                    where = res.settlements[e.settlement]
                    assert record.Strike(e.line, e.provider, where, e.sorties, e.kills,
                                         res.factions[e.target]) in turn.strikes
                    # Told with the battle at the place, if there is one.
                    if any(b.place == where for b in turn.battles) and e.sorties >= 0.5:
                        assert f"{e.provider.lower()} flew" in told
                case events.Encircled():
                    assert record.Encircled(res.settlements[e.settlement],
                                            res.factions[e.faction], e.airlift) in turn.encircled
                    assert f"garrison in {place[e.settlement]} is cut off" in told
                case events.Surrender():
                    assert record.Surrender(res.settlements[e.settlement],
                                            res.factions[e.faction], res.factions[e.taker],
                                            e.evacuated, e.besieged, e.deserted) in turn.surrenders
                    assert (f"garrison in {place[e.settlement]} surrendered to "
                            f"{fname[res.factions[e.taker]]}") in told
                case events.Capture() | events.Repulse():
                    (battle,) = [b for b in turn.battles
                                 if b.place == res.settlements[e.settlement]]
                    took = isinstance(e, events.Capture)
                    assert battle.result == ("captured" if took else "held")
                    assert battle.ratio == e.ratio and len(battle.sides) == len(e.sides)
                    assert place[e.settlement] in told
                case events.OperationOpened():
                    aims = [res.settlements[n] for n in e.objectives]
                    assert record.OperationOpened(res.factions[e.faction], aims,
                                                  e.massing_turns) in turn.operations
                    assert f"{fname[res.factions[e.faction]]} launched an operation" in told
                case events.OperationEnded():
                    aims = [res.settlements[n] for n in e.objectives]
                    assert record.Culminated(res.factions[e.faction], e.pause_turns, e.why,
                                             aims, e.lost) in turn.culminated
                    assert " operation " in told
                case events.OffensiveCulminated():
                    assert record.Culminated(res.factions[e.faction],
                                             e.pause_turns) in turn.culminated
                    assert "offensive has culminated" in told
                case _:
                    assert_never(e)
        # Nothing in the record that is not in the log: one item per event.
        for t in game.turns:
            logged = Counter(type(e) for e in res.log if e.turn == t.turn)
            assert len(t.events) == logged[events.EventFired]
            assert len(t.strikes) == logged[events.Strike]
            assert len(t.encircled) == logged[events.Encircled]
            assert len(t.surrenders) == logged[events.Surrender]
            assert len(t.battles) == logged[events.Capture] + logged[events.Repulse]
            assert len(t.operations) == logged[events.OperationOpened]
            assert len(t.culminated) == (logged[events.OperationEnded]
                                         + logged[events.OffensiveCulminated])
    assert seen == set(events.EVENT_TYPES)


def test_the_log_is_plain_python() -> None:
    """Numbers are Python ints and floats, lists tuples of ints: nothing of numpy's."""
    res, _ = _played(HISTORY, (), 2)
    assert res.log

    def plain(x: object) -> None:
        if is_dataclass(x):
            for f in fields(x):
                plain(getattr(x, f.name))
        elif isinstance(x, tuple):
            for y in x:
                plain(y)
        else:
            assert type(x) in (int, float, str, bool), (type(x), x)

    for e in res.log:
        plain(e)


def test_game_tables() -> None:
    game = wargame.play(TOY, seed=2)
    tables = game.tables()
    assert set(tables) == {"control", "strength", "garrison", "battles", "sides", "events"}
    assert len(tables["control"]) == 7 * 3
    assert len(tables["garrison"]) == 7 * 3
    ds = game.to_xarray()
    assert ds["control"].dims == ("turn", "settlement")
    assert str(ds["control"].sel(turn=0, settlement="c").values) == "blue"


def _imports(module: str) -> set[str]:
    path = ROOT / (module.replace(".", "/") + ".py")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
    return out


def test_the_record_the_story_and_the_game_import_one_way() -> None:
    """record <- narrative <- game: the record knows nothing of how it is told, the story
    nothing of the game that binds it, at module level or inside a function."""
    story, game = "wargame.report.narrative", "wargame.report.game"
    assert not {story, game} & _imports("wargame.report.record")
    assert game not in _imports(story)
    played = wargame.play(TOY, seed=2)
    assert isinstance(played, Game)
    assert played.story() == narrative.story(played)
    assert played.narrative(width=100) == narrative.text(played, width=100)
