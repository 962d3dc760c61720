"""What the war costs civilians (``wargame/engine/phases/civilians.py``): analytic cases of its
formulas, its bounds, that it changes nothing else in a game, and bad settings."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from wargame.cli.app import app
from wargame.engine import compile_scenario, simulate
from wargame.engine.compile import Compiled
from wargame.engine.phases import civilians
from wargame.engine.state import State, initial_state, sample_params
from wargame.scenario import load

DATA = Path(__file__).parent / "data"
SIEGE = DATA / "civilians" / "siege.yaml"
ALEPPO = Path(__file__).parent.parent / "scenarios" / "aleppo_2015.yaml"
ENV = {"NO_COLOR": "1", "FORCE_COLOR": None, "TTY_COMPATIBLE": None, "COLUMNS": "80"}


def num(x: float) -> str:
    """A number as ``--set`` text YAML reads back as a number (no exponents)."""
    return np.format_float_positional(x, trim="-")


def compiled(path: Path, *sets: str) -> Compiled:
    return compile_scenario(load(path, list(sets)).scenario)


def start(c: Compiled, R: int = 3) -> State:
    rng = np.random.default_rng(0)
    return initial_state(c, sample_params(c, rng, R, True), R, rng, True)


def test_a_siege_of_k_turns_kills_what_the_formula_says() -> None:
    c = compiled(SIEGE)
    res = simulate(c, np.random.default_rng(0), 4, record_turns=True)
    rate, days, pop = 0.0002, 7, 20000.0
    town = c.settlements.index("town")
    assert res.civilians_killed_by_turn is not None and res.displaced is not None
    for k in range(11):
        expected = pop * -math.expm1(-rate * days * k)
        np.testing.assert_allclose(res.civilians_killed_by_turn[k, :, town], expected,
                                   rtol=1e-12)
    assert not res.displaced.any()
    assert not res.civilians_killed[:, c.settlements.index("camp")].any()
    # 20,000 (1 - exp(-0.0014 k)) reaches 200 first at k = 8.
    deaths, fled = c.outcomes.index("deaths"), c.outcomes.index("fled")
    assert (res.outcome_turn[:, deaths] == 8).all()
    assert (res.outcome_turn[:, fled] == -1).all()


def test_flight_shares_compound_per_turn() -> None:
    c = compiled(SIEGE, "model.civilian_siege_deaths=0", "model.civilian_flight_rate=0.01",
                 "model.civilian_fighting_deaths=0")
    st_ = start(c)
    town = c.settlements.index("town")
    fought = np.zeros(st_.people.shape, dtype=bool)
    fought[:, town] = True                   # attacked: threatened
    rule = civilians.rates(c)
    for _ in range(5):
        civilians.civilians_phase(c, st_, rule, fought, np.zeros(fought.shape),
                                  st_.control.copy())
    stay = math.exp(-0.01 * 7 * 5)           # (1 - share)^5 with share = 1 - exp(-0.07)
    np.testing.assert_allclose(st_.people[:, town], 20000 * stay, rtol=1e-12)
    np.testing.assert_allclose(st_.displaced[:, town], 20000 * (1 - stay), rtol=1e-12)
    assert not st_.civilians_killed.any()


def test_fighting_then_flight_then_fall_in_that_order() -> None:
    c = compiled(SIEGE, "model.civilian_siege_deaths=0", "model.civilian_flight_rate=0.01",
                 "model.civilian_fighting_deaths=0.001", "model.civilian_fall_flight=0.5")
    st_ = start(c, 1)
    town = c.settlements.index("town")
    fought = np.zeros(st_.people.shape, dtype=bool)
    fought[:, town] = True
    before = st_.control.copy()
    st_.control[:, town] = c.factions.index("red")          # it changed hands this turn
    civilians.civilians_phase(c, st_, civilians.rates(c), fought, np.zeros(fought.shape),
                              before)
    killed = 20000 * -math.expm1(-0.001 * 7)
    left = 20000 - killed
    ahead = left * -math.expm1(-0.01 * 7)
    after = (left - ahead) * 0.5
    assert st_.civilians_killed[0, town] == pytest.approx(killed, rel=1e-12)
    assert st_.displaced[0, town] == pytest.approx(ahead + after, rel=1e-12)
    assert st_.people[0, town] == pytest.approx(left - ahead - after, rel=1e-12)


def test_air_deaths_per_sortie_scale_with_the_people_left() -> None:
    c = compiled(SIEGE, "model.civilian_siege_deaths=0", "model.civilian_air_deaths=2")
    st_ = start(c, 1)
    town = c.settlements.index("town")
    sorties = np.zeros(st_.people.shape)
    sorties[:, town] = 10.0
    cap = civilians.capacity(c)[town]
    assert cap == pytest.approx(20000.0)     # a town of 20,000 fills its built-up area
    civilians.civilians_phase(c, st_, civilians.rates(c), np.zeros(sorties.shape, bool),
                              sorties, st_.control.copy())
    assert st_.civilians_killed[0, town] == pytest.approx(20000 * -math.expm1(-2 * 10 / cap))
    assert st_.civilians_killed[0, town] == pytest.approx(20.0, rel=1e-3)  # ~2 a sortie


def test_no_population_no_deaths() -> None:
    c = compiled(SIEGE, "settlements.town.population=0", "model.civilian_air_deaths=50",
                 "model.civilian_fall_flight=1")
    res = simulate(c, np.random.default_rng(3), 5)
    assert res.civilians_killed is not None and res.displaced is not None
    assert not res.civilians_killed.any() and not res.displaced.any()


@given(rates=st.tuples(*[st.floats(0, 1, allow_subnormal=False)] * 3,
                       st.floats(0, 1000, allow_subnormal=False),
                       st.floats(0, 1, allow_subnormal=False)),
       fought=st.booleans(), sorties=st.floats(0, 1e5), turns=st.integers(1, 30))
def test_totals_never_exceed_the_population(rates: tuple[float, ...], fought: bool,
                                            sorties: float, turns: int) -> None:
    fight, siege, flight, air, fall = rates
    c = compiled(SIEGE, f"model.civilian_fighting_deaths={num(fight)}",
                 f"model.civilian_siege_deaths={num(siege)}",
                 f"model.civilian_flight_rate={num(flight)}",
                 f"model.civilian_air_deaths={num(air)}",
                 f"model.civilian_fall_flight={num(fall)}")
    st_ = start(c, 2)
    st_.siege[:] = 1
    days = np.full(st_.people.shape, fought)
    air = np.full(st_.people.shape, sorties)
    pop = np.tile(c.population, (2, 1))
    for t in range(turns):
        before = st_.control.copy()
        if t % 2:
            before[:] = -1                   # every place changes hands every other turn
        civilians.civilians_phase(c, st_, civilians.rates(c), days, air, before)
        assert (st_.people >= 0).all()
        assert (st_.civilians_killed >= 0).all() and (st_.displaced >= 0).all()
        assert (st_.civilians_killed + st_.displaced <= pop * (1 + 1e-12)).all()
        np.testing.assert_allclose(st_.people + st_.civilians_killed + st_.displaced, pop,
                                   rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("off", ["model.civilians=false",
                                 "model.civilian_fighting_deaths=0"])
def test_the_rest_of_the_game_is_the_same_without_civilians(off: str) -> None:
    base = compiled(ALEPPO)
    other = compiled(ALEPPO, off) if off.endswith("false") else compiled(
        ALEPPO, off, "model.civilian_air_deaths=0", "model.civilian_siege_deaths=0",
        "model.civilian_flight_rate=0", "model.civilian_fall_flight=0")
    a = simulate(base, np.random.default_rng(11), 40, turns=12, record_turns=True)
    b = simulate(other, np.random.default_rng(11), 40, turns=12, record_turns=True)
    assert a.civilians_killed is not None and a.civilians_killed.sum() > 0
    assert a.displaced is not None and a.displaced.sum() > 0
    assert b.civilians_killed is not None and b.displaced is not None
    assert not b.civilians_killed.any() and not b.displaced.any()
    for name in ("control", "garrison", "strength", "casualties", "reinforcements",
                 "control_by_turn", "garrison_by_turn"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert np.array_equal(a.outcome_turn, b.outcome_turn)


def test_by_turn_counts_grow_and_end_at_the_final_counts() -> None:
    res = simulate(compiled(ALEPPO), np.random.default_rng(5), 20, turns=10, record_turns=True)
    for final, by_turn in ((res.civilians_killed, res.civilians_killed_by_turn),
                           (res.displaced, res.displaced_by_turn)):
        assert final is not None and by_turn is not None
        assert by_turn.shape == (11, 20, final.shape[1])
        assert not by_turn[0].any()
        assert (np.diff(by_turn, axis=0) >= 0).all()
        assert np.array_equal(by_turn[-1], final)


@pytest.mark.parametrize(("setting", "message"), [
    ("model.civilian_fall_flight=1.5", "model.civilian_fall_flight: must be at most 1"),
    ("model.civilian_flight_rate=-0.1", "model.civilian_flight_rate: must be at least 0"),
    ("model.civilian_air_deaths=-1", "model.civilian_air_deaths: must be at least 0"),
])
def test_bad_rates_get_a_located_error(setting: str, message: str) -> None:
    result = CliRunner(env=ENV).invoke(app, ["validate", str(SIEGE), "--set", setting])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_an_outcome_naming_an_unknown_place_is_located(tmp_path: Path) -> None:
    text = SIEGE.read_text(encoding="utf-8").replace("settlements: [town]}",
                                                     "settlements: [tonw]}")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    result = CliRunner(env=ENV).invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2
    assert "outcomes.deaths.civilians_killed.settlements.0: unknown settlement 'tonw'" \
        in result.stderr
    assert "did you mean 'town'" in result.stderr


def test_a_batch_reports_them_and_the_records_agree() -> None:
    pytest.importorskip("pandas")
    import wargame

    res = wargame.batch(ALEPPO, runs=300, seed=4, chunk_size=100, games=True, per_turn=True)
    civ = res.civilians
    assert civ is not None and res.records is not None
    df = res.records.to_pandas()
    for what, col in (("killed", "civilians_killed"), ("displaced", "displaced")):
        tot = civ.total(what)
        assert df[col].mean() == pytest.approx(tot.mean, rel=1e-12)
        assert tot.min == df[col].min() and tot.max == df[col].max()
        assert tot.min <= tot.p05 <= tot.p95 <= tot.max
        assert df[col].quantile(0.95) == pytest.approx(tot.p95, rel=0.02)
    east = next(p for p in civ.places if p.settlement == "aleppo_east")
    assert df["displaced.aleppo_east"].mean() == pytest.approx(east.displaced, rel=1e-12)
    assert civ.by_turn is not None and len(civ.by_turn) == res.turns + 1
    assert civ.by_turn[-1].killed == pytest.approx(civ.total("killed").mean, rel=1e-12)
    tables = {name: res.to_pandas(name) for name in ("civilians", "civilians_by_place",
                                                     "civilians_by_turn")}
    assert list(tables["civilians"]["what"]) == ["killed", "displaced"]
    assert len(tables["civilians_by_place"]) == len(res.labels.settlements)
    assert str(tables["civilians_by_turn"]["end_date"].dtype).startswith("datetime64")
    data = res.to_dict()["civilians"]
    assert data["displaced"]["mean"] == civ.total("displaced").mean
    # Same seed, same numbers whatever the chunking.
    other = wargame.batch(ALEPPO, runs=300, seed=4, chunk_size=100, workers=2)
    assert other.civilians == wargame.batch(ALEPPO, runs=300, seed=4, chunk_size=100).civilians


def test_the_cli_prints_them_as_a_table_json_and_csv() -> None:
    runner = CliRunner(env=ENV)
    args = ["batch", str(SIEGE), "--runs", "50", "--seed", "1"]
    text = runner.invoke(app, args)
    assert text.exit_code == 0, text.stderr
    assert "Civilians" in text.stdout
    # 20,000 (1 - exp(-0.0002 x 7 x 10)) killed in every game.
    killed = 20000 * -math.expm1(-0.0002 * 70)
    line = next(x for x in text.stdout.splitlines() if x.startswith("all places"))
    assert line.split()[2:] == [f"{killed:,.0f}", f"({killed:,.0f}–{killed:,.0f})", "0",
                                "(0–0)"]
    assert max(len(line) for line in text.stdout.splitlines()) <= 80
    out = runner.invoke(app, [*args, "--format", "json"])
    data = json.loads(out.stdout)["civilians"]
    assert data["killed"]["mean"] == pytest.approx(killed, rel=1e-12)
    assert data["displaced"]["max"] == 0
    csv = runner.invoke(app, [*args, "--format", "csv"]).stdout
    assert f"civilians,killed,,,,,mean,{data['killed']['mean']!r}" in csv
    assert "civilians_place,town,,,,,displaced_mean,0.0" in csv
    per = runner.invoke(app, [*args, "--per-turn"])
    assert per.exit_code == 0, per.stderr
    assert "Civilians killed and displaced so" in per.stdout
    last = [r.split() for r in per.stdout.splitlines() if r.split()[:4] == ["10", "10", "Mar",
                                                                            "2000"]]
    assert ["10", "10", "Mar", "2000", f"{killed:,.0f}", "0"] in last


@pytest.fixture(scope="module")
def aleppo_played() -> object:
    import wargame

    return wargame.batch(ALEPPO, runs=100, seed=7)


@pytest.mark.parametrize("size", [(1600, 1200), (800, 600), (1600, 700)])
def test_the_map_key_lists_the_hardest_hit_places_without_overlaps(
        size: tuple[int, int], aleppo_played: Any) -> None:
    import sys
    from dataclasses import replace

    from wargame.report.maps import batch_view, civilian_lines, draw_map

    sys.path.insert(0, str(Path(__file__).parent))
    from text_boxes import drawn_texts, outside, overlapping

    played = aleppo_played
    assert played.loaded is not None and played.civilians is not None
    sc = played.loaded.scenario
    civ = np.array([[p.killed, p.displaced] for p in played.civilians.places])
    view = replace(batch_view(compile_scenario(sc), played.tally.ints["control"],
                              played.games, played.turns), civilians=civ)
    fig, _ = draw_map(sc, view, *size, "note")
    assert overlapping(fig) == [] and outside(fig) == []
    shown = " ".join(t.get_text().replace("\n", " ") for t, _ in drawn_texts(fig))
    assert "Civilians (mean of games)" in shown
    lines = civilian_lines(sc, civ)
    assert lines[0].startswith("all places: ")
    assert lines[1].startswith("Aleppo (East): ")   # the hardest hit in these games
    if size == (1600, 1200):
        assert all(" ".join(x.split()) in " ".join(shown.split()) for x in lines)


def test_map_and_report_from_the_command_line(tmp_path: Path) -> None:
    runner = CliRunner(env=ENV)
    png = tmp_path / "m.png"
    no_games = runner.invoke(app, ["map", str(SIEGE), "--civilians", "--out", str(png)])
    assert no_games.exit_code == 2
    assert "--civilians needs games" in no_games.stderr
    both = runner.invoke(app, ["map", str(SIEGE), "--runs", "5", "--civilians", "--garrisons",
                               "--out", str(png)])
    assert both.exit_code == 2 and "choose one of --garrisons and --civilians" in both.stderr
    ok = runner.invoke(app, ["map", str(SIEGE), "--runs", "5", "--seed", "1", "--civilians",
                             "--out", str(png)])
    assert ok.exit_code == 0, ok.stderr
    assert png.stat().st_size > 0
    page = tmp_path / "r.html"
    rep = runner.invoke(app, ["report", str(SIEGE), "--runs", "20", "--seed", "1", "--out",
                              str(page)])
    assert rep.exit_code == 0, rep.stderr
    html = page.read_text(encoding="utf-8")
    killed = 20000 * -math.expm1(-0.0002 * 70)
    assert "<h2>Civilians</h2>" in html
    assert f"<td>Town</td><td class=n>20,000</td><td class=n>{killed:,.0f}</td>" in html


def test_one_game_tells_its_civilians() -> None:
    import wargame

    game = wargame.play(SIEGE, seed=3)
    killed = 20000 * -math.expm1(-0.0002 * 70)
    assert game.final.killed["town"] == pytest.approx(killed, rel=1e-12)
    assert game.turns[0].killed["town"] == 0 and game.final.displaced["town"] == 0
    assert game.to_dict()["turns"][-1]["killed"]["town"] == game.final.killed["town"]
    out = CliRunner(env=ENV).invoke(app, ["run", str(SIEGE), "--seed", "3"])
    assert out.exit_code == 0, out.stderr
    tail = out.stdout[out.stdout.index("Civilians"):].splitlines()
    assert tail[3].split() == ["all", "places", f"{killed:,.0f}", "0"]
    assert tail[4].split() == ["Town", f"{killed:,.0f}", "0"]


@pytest.mark.parametrize(("by_turn", "first"), [(7, -1), (8, 8)])
def test_an_outcome_on_civilians_counts_by_its_turn(by_turn: int, first: int) -> None:
    c = compiled(SIEGE, f"outcomes.deaths.by_turn={by_turn}")
    res = simulate(c, np.random.default_rng(0), 3)
    assert (res.outcome_turn[:, c.outcomes.index("deaths")] == first).all()


@pytest.mark.parametrize(("stage", "holds_next_door", "expected"), [
    (2, True, True), (1, True, False), (2, False, False)])
def test_a_fighting_operation_next_door_threatens_its_objective(
        stage: int, holds_next_door: bool, expected: bool) -> None:
    c = compiled(SIEGE, "model.campaign=true")
    st_ = start(c, 1)
    red, town, camp = c.factions.index("red"), c.settlements.index("town"), \
        c.settlements.index("camp")
    st_.op_stage[0, red] = stage                 # 1 massing, 2 fighting
    st_.op_target[0, red, 0] = town
    if not holds_next_door:
        st_.control[0, camp] = -1
    out = civilians.threatened(c, st_, np.zeros(st_.people.shape, dtype=bool))
    assert bool(out[0, town]) is expected
    assert not out[0, camp]


def test_a_game_saved_mid_way_plays_on_to_the_same_civilians() -> None:
    from wargame.engine.run import finish, play_on, start
    from wargame.engine.snapshot import Snapshot

    c = compiled(ALEPPO)
    whole = simulate(c, np.random.default_rng(8), 30, record_turns=True)
    rng = np.random.default_rng(8)
    game = start(c, rng, 30, record_turns=True)
    play_on(c, game, rng, 9)
    again, rng2 = Snapshot.of(game, rng).resume()
    res = finish(c, play_on(c, again, rng2, c.turns))
    for name in ("civilians_killed", "displaced", "civilians_killed_by_turn",
                 "displaced_by_turn"):
        assert np.array_equal(getattr(res, name), getattr(whole, name)), name
