"""The campaign layer (wargame/engine/phases/operations.py and garrisons.py): operations
mass, fight in their sector and regroup; garrisons keep what holding needs; quiet fronts
bleed; factions recruit; bad values of every new key are refused with a located message."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

import wargame
from wargame.cli.app import app
from wargame.engine import compile_scenario, simulate
from wargame.engine.events import OperationEnded, OperationOpened
from wargame.scenario.load import validate_document
from wargame.scenario.yamlio import Document

ROOT = Path(__file__).resolve().parent.parent

# A line of three villages held by West against East, East's town behind it; West attacks.
BASE: dict[str, Any] = {
    "scenario": {"name": "Line", "start_date": "2020-01-01", "days_per_turn": 7, "turns": 12},
    "factions": {
        "west": {"name": "West", "strength": 9000, "morale": 0.6,
                 "doctrine": {"aggression": 0.8, "reserve_share": 0.0,
                              "objectives": {"town": 5}},
                 "supply_sources": ["base"]},
        "east": {"name": "East", "strength": 2000, "morale": 0.6,
                 "doctrine": {"aggression": 0.0}, "supply_sources": ["town"]},
    },
    "settlements": {
        "base": {"name": "Base", "lat": 0, "lon": 0.0, "controller": "west",
                 "population": 20000},
        "v1": {"name": "V1", "lat": 0, "lon": 0.1, "controller": "east"},
        "v2": {"name": "V2", "lat": 0, "lon": 0.2, "controller": "east"},
        "town": {"name": "Town", "lat": 0, "lon": 0.3, "controller": "east",
                 "population": 30000},
    },
    "links": [{"between": ["base", "v1"]}, {"between": ["v1", "v2"]},
              {"between": ["v2", "town"]}],
}


def play(doc: dict[str, Any], R: int = 200, seed: int = 3, log: bool = False,
         turns: int | None = None) -> Any:
    """Play ``doc`` without capitulations (unless it sets them), so that a place changes hands
    only where an operation takes it (capitulations: tests/test_capitulation.py)."""
    doc = copy.deepcopy(doc)
    doc.setdefault("model", {}).setdefault("capitulation_rate", 0)
    sc = validate_document(Document(doc, {}, "<test>"))
    return simulate(compile_scenario(sc), np.random.default_rng(seed), R, turns=turns,
                    log=log, record_turns=True)


def with_(doc: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    node = out
    keys = path.split(".")
    for k in keys[:-1]:
        node = node.setdefault(k, {})
    node[keys[-1]] = value
    return out


def first_attack_turn(res: Any) -> np.ndarray:
    """Turn of each game's first change of control at v1 (-1 never)."""
    held = res.control_by_turn[:, :, 1] == 0                  # [T+1, R] west holds v1
    return np.where(held.any(axis=0), held.argmax(axis=0), -1)


def test_an_operation_masses_before_it_attacks() -> None:
    """A faction met at the start of its cycle (pause_days 0) opens its operation on turn 1
    and masses for 14 days: nothing is taken before turn 3. One whose offensive opens on the
    first turn (first_operation_turn: 1) has massed already and takes the village sooner."""
    slow = first_attack_turn(play(with_(BASE, "model", {"massing_days": 14,
                                                        "pause_days": 0})))
    fast = first_attack_turn(play(with_(with_(BASE, "model", {"massing_days": 14}),
                                        "factions.west.doctrine.first_operation_turn", 1)))
    assert (slow >= 0).mean() > 0.5 and (fast >= 0).mean() > 0.5
    assert (slow[slow >= 0] >= 3).all()
    assert np.median(fast[fast >= 0]) < np.median(slow[slow >= 0])


def test_the_narrative_names_the_operation_and_its_end() -> None:
    doc = with_(BASE, "factions.west.doctrine.first_operation_turn", 1)
    res = play(doc, R=1, log=True, seed=1)
    op = next(e for e in res.log if isinstance(e, OperationOpened))
    assert op.objectives == (3,)                       # the town, weighted by doctrine



def test_the_story_says_what_follows_an_operation() -> None:
    """After an operation that took its objectives the faction plans the next at once (no
    "pause of 0 turns"); after one that culminated or stalled, a pause of some turns."""
    out = CliRunner().invoke(app, ["run", str(ROOT / "scenarios" / "aleppo_2015.yaml"),
                                   "--seed", "1"])
    assert out.exit_code == 0, out.output
    text = " ".join(out.output.split())
    assert "a pause of 0" not in text
    assert "it plans its next operation at once" in text
    assert re.search(r"operation against .*?; a pause of [1-9]\d* turns? follows", text)

# BASE with a second town beyond the first: an offensive that takes the town can go on.
DEEP = with_(with_(BASE, "settlements.far", {"name": "Far", "lat": 0, "lon": 0.4,
                                             "controller": "east", "population": 30000}),
             "links", [*BASE["links"], {"between": ["town", "far"]}])


def _after_the_first_success(doc: dict[str, Any]) -> list[tuple[OperationEnded,
                                                                  OperationOpened | None]]:
    """Every game's first operation that took its objectives, with West's next operation."""
    doc = copy.deepcopy(doc)
    doc.setdefault("model", {}).update({"massing_days": 14, "push_days": 1000,
                                        "culmination_loss": 1.0})
    res = play(with_(doc, "factions.west.doctrine.first_operation_turn", 1),
               R=40, log=True, seed=2, turns=30)
    out = []
    for r in range(40):
        mine = [e for e in res.log if isinstance(e, OperationEnded | OperationOpened)
                and e.replicate == r and e.faction == 0]
        i = next((i for i, e in enumerate(mine)
                  if isinstance(e, OperationEnded) and e.why == "achieved"), None)
        if i is not None:
            nxt = next((e for e in mine[i + 1:] if isinstance(e, OperationOpened)), None)
            out.append((mine[i], nxt))
    return out


def test_an_operation_that_takes_its_objective_presses_on_without_massing() -> None:
    """With ``exploitation: true``, having taken the town, West goes on to Far at once (no
    massing); without it (the default) it masses again first."""
    on = _after_the_first_success(with_(DEEP, "model.exploitation", True))
    off = _after_the_first_success(DEEP)
    assert len(on) > 10 and len(off) > 10
    assert all(e.pause_turns == 0 for e, _ in on + off)
    assert all(n is not None and n.massing_turns == 0 for _, n in on)
    assert all(n is None or n.massing_turns == 2 for _, n in off)
    assert any(n is not None for _, n in off)


def test_an_offensive_with_nothing_left_to_take_regroups(tmp_path: Path) -> None:
    """With exploitation, an offensive that has taken every enemy place within reach ends
    ("exhausted") and the faction pauses for pause_days; the story says so."""
    doc = with_(with_(BASE, "model", {"massing_days": 0, "pause_days": 21, "push_days": 1000,
                                      "culmination_loss": 1.0, "exploitation": True}),
                "factions.west.doctrine.first_operation_turn", 1)
    res = play(doc, R=40, log=True, seed=2, turns=30)
    done = [e for e in res.log if isinstance(e, OperationEnded) and e.why == "exhausted"]
    assert done and all(e.pause_turns == 3 and e.objectives == () for e in done)
    path = tmp_path / "line.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    r = done[0].replicate
    game = wargame.play(path, seed=2, runs=40, game=r, turns=30)
    assert "West's offensive has taken all it could reach: it pauses for 3 turns." in " ".join(
        game.narrative(width=200).split())


def test_without_the_campaign_layer_west_attacks_on_the_first_turn() -> None:
    """No operation, no massing: West takes V1 on turn 1 in a good share of games (about a
    third: a week brings an engagement day two times in three, and it must be won)."""
    res = play(with_(BASE, "model", {"campaign": False}))
    t = first_attack_turn(res)
    assert (t == 1).mean() > 0.2


def test_operations_zero_never_attacks() -> None:
    res = play(with_(BASE, "factions.west.doctrine.operations", 0))
    assert (res.control_by_turn[:, :, 1:] == 1).all()


def test_a_faction_regroups_after_its_operation() -> None:
    """Between two operations the faction makes no attack: the log shows a pause of at least
    pause_days after an operation that culminated or stalled."""
    doc = with_(BASE, "model", {"pause_days": 28, "culmination_loss": 0.02})
    doc = with_(doc, "scenario.turns", 30)
    res = play(doc, R=1, log=True, seed=2)
    ends = [e for e in res.log if isinstance(e, OperationEnded) and e.why != "achieved"]
    assert ends
    assert all(e.pause_turns >= 4 for e in ends)
    for end in ends:
        later = [e.turn for e in res.log if isinstance(e, OperationOpened) and e.turn > end.turn]
        if later:
            assert min(later) - end.turn >= end.pause_turns


def test_quiet_fronts_bleed_and_recruits_replace() -> None:
    """Two factions that never attack: the front garrisons lose quiet_loss_per_day a day;
    with recruitment the faction that holds people grows instead; every fighter is counted."""
    doc = with_(BASE, "factions.west.doctrine.aggression", 0.0)
    doc = with_(doc, "factions.west.recruitment", 0.0)
    doc = with_(doc, "factions.east.recruitment", 0.0)
    res = play(doc, R=20)
    assert (res.casualties > 0).all()
    assert np.allclose(res.initial_strength + res.reinforcements - res.casualties,
                       res.strength)
    bled = res.strength.sum(axis=1).mean()
    grown = play(with_(with_(doc, "factions.west.recruitment", 50.0), "model",
                       {"quiet_loss_per_day": 0.0}), R=20)
    assert grown.strength[:, 0].mean() > grown.initial_strength[:, 0].mean()
    assert bled < res.initial_strength.sum(axis=1).mean()
    assert np.allclose(grown.initial_strength + grown.reinforcements - grown.casualties,
                       grown.strength)


def test_more_russian_air_never_lowers_the_regimes_chance_of_relieving_nubl() -> None:
    """On the built-in scenario, with 0 and the scenario's sorties, on common random numbers:
    the relief of Nubl and al-Zahraa is more likely with the air campaign. Tolerance: 3
    standard errors at n = 400."""
    from wargame.scenario import load

    path = ROOT / "scenarios" / "aleppo_2015.yaml"
    got = []
    for sets in ([], ["support.russian_air.sorties_per_turn=0"]):
        c = compile_scenario(load(path, sets).scenario)
        res = simulate(c, np.random.default_rng(5), 400)
        got.append((res.outcome_turn[:, c.outcomes.index("nubl_zahra_relieved")] >= 0).mean())
    assert got[0] > got[1] + 3 * np.sqrt(0.25 / 400), got


BAD = [
    ("factions.west.recruitment", -1, "factions.west.recruitment: must be at least 0"),
    ("factions.west.deal_desertion", 1.5, "factions.west.deal_desertion: must be at most 1"),
    ("factions.west.doctrine.operations", 21, "factions.west.doctrine.operations: must be at "
                                              "most 20"),
    ("factions.west.doctrine.first_operation_turn", 40,
     "factions.west.doctrine.first_operation_turn: turn 40 is after the last turn (12)"),
    ("factions.west.doctrine.last_stand", "maybe", "factions.west.doctrine.last_stand: must be "
                                                  "true, false or a list of settlement ids"),
    ("factions.west.doctrine.last_stand", ["nowhere"],
     "factions.west.doctrine.last_stand.0: unknown settlement 'nowhere'"),
    ("model.massing_days", -3, "model.massing_days: must be at least 0"),
    ("model.operation_radius", 1.5, "model.operation_radius"),
    ("model.hold_share", -0.1, "model.hold_share: must be at least 0"),
    ("model.hold_depth", -1, "model.hold_depth: must be at least 0"),
    ("model.hold_depth", 1.5, "model.hold_depth"),
    ("model.quiet_loss_per_day", 0.5, "model.quiet_loss_per_day: must be at most 0.1"),
    ("model.wounded_return", 2, "model.wounded_return: must be at most 1"),
    ("model.return_days", 0, "model.return_days"),
    ("model.air_focus", 1.5, "model.air_focus: must be at most 1"),
    ("model.campaign", "sometimes", "model.campaign"),
]


@pytest.mark.parametrize(("path", "value", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_values_of_the_campaign_keys_are_located_errors(tmp_path: Path, path: str,
                                                            value: Any, message: str) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(yaml.safe_dump(with_(BASE, path, value)), encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(f)])
    assert result.exit_code == 2
    assert message in result.stderr
    assert f"{f}:" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("depth", "keeps"), [(0, {"v1"}), (1, {"v1", "v2"}),
                                               (2, {"v1", "v2", "town"})])
def test_the_second_line_keeps_its_garrison(depth: int, keeps: set[str]) -> None:
    """East's places within ``hold_depth`` links behind its front (v1, facing West's base) keep
    ``hold_share x cap_def``; the others keep ``min_garrison``."""
    from wargame.engine.links import find_war_links
    from wargame.engine.phases.garrisons import front_places
    from wargame.engine.state import initial_state, sample_params

    doc = with_(with_(BASE, "model", {"hold_depth": depth, "min_garrison": 50}),
                "factions.west.doctrine.objectives", {})   # no place is kept as an objective
    c = compile_scenario(validate_document(Document(doc, {}, "<test>")))
    rng = np.random.default_rng(1)
    st = initial_state(c, sample_params(c, rng, 2, True), 2, rng, True)
    _, hold = front_places(c, st, find_war_links(st.control, st.relation, c.src, c.dst))
    need = 0.25 * c.space.cap_def
    for n, place in enumerate(c.settlements):
        if place == "base":
            continue
        want = need[n] if place in keeps else 50.0
        assert hold[:, n] == pytest.approx(want), place
