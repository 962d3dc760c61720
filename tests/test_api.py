"""The Python API gives exactly the commands' numbers, to the last digit.

Every check compares the API with the CLI (or one run with another: workers, chunking), never
with fixed probabilities, so the checks hold whatever the engine's numbers are.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import wargame
from wargame.cli.app import app
from wargame.engine import compile_scenario, simulate
from wargame.montecarlo.seeds import chunk_rng

ROOT = Path(__file__).resolve().parent.parent
ALEPPO = "scenarios/aleppo_2015.yaml"
NO_AIR = "scenarios/variants/no_russian_air.yaml"
TOY = str(ROOT / "tests" / "data" / "valid" / "toy.yaml")
CORRIDOR = "daesh_reaches_corridor"   # "Daesh takes a town on the Azaz corridor"


@pytest.fixture(autouse=True)
def _root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def cli(*args: str) -> str:
    res = CliRunner().invoke(app, list(args))
    assert res.exit_code == 0, res.stderr
    return res.stdout


def test_batch_equals_the_cli_to_the_last_digit() -> None:
    sets = ["support.russian_air.sorties_per_turn=120"]
    out = cli("batch", ALEPPO, "--runs", "700", "--seed", "7", "--chunk-size", "300",
              "--set", sets[0], "--per-turn", "--format", "json")
    api = wargame.batch(ALEPPO, runs=700, seed=7, chunk_size=300, overrides=sets, per_turn=True)
    assert api.to_json() + "\n" == out
    # The same through wargame.load, with the override given to load or to batch.
    loaded = wargame.load(ALEPPO, sets)
    assert wargame.batch(loaded, runs=700, seed=7, chunk_size=300, per_turn=True).to_json() \
        == api.to_json()
    assert wargame.batch(wargame.load(ALEPPO), runs=700, seed=7, chunk_size=300,
                         overrides=sets, per_turn=True).to_json() == api.to_json()
    # Typed access gives the JSON's numbers.
    data = json.loads(out)
    row = next(o for o in data["outcomes"] if o["id"] == CORRIDOR)
    assert api.outcome(CORRIDOR).probability == row["probability"]
    assert list(api.outcome(CORRIDOR).ci95) == row["ci95"]


def test_load_compile_simulate_is_the_batch_only_on_the_batch_streams() -> None:
    """Why ``load -> compile -> simulate`` gave other numbers than ``wargame batch``.

    ``simulate(c, default_rng(seed), runs)`` plays every game from one stream: first one draw
    of each parameter for all ``runs`` games, then the dice. A batch cuts the games into
    chunks, and chunk ``i`` draws from its own stream ``chunk_rng(seed, i)``. The same seed
    therefore gives other games. Played chunk by chunk on the batch's streams, the library
    path reproduces the batch exactly.
    """
    runs, size, seed = 600, 200, 7
    batch = wargame.batch(ALEPPO, runs=runs, seed=seed, chunk_size=size)
    c = compile_scenario(wargame.load(ALEPPO).scenario)
    o = c.outcomes.index(CORRIDOR)
    chunks = [simulate(c, chunk_rng(seed, i), size) for i in range(runs // size)]
    counts = sum(int((r.outcome_turn[:, o] >= 0).sum()) for r in chunks)
    assert counts == batch.outcome(CORRIDOR).count
    assert [sum(int((r.outcome_turn[:, k] >= 0).sum()) for r in chunks)
            for k in range(len(c.outcomes))] == [x.count for x in batch.outcomes]
    one_stream = simulate(c, np.random.default_rng(seed), runs)
    assert [int((one_stream.outcome_turn[:, k] >= 0).sum())
            for k in range(len(c.outcomes))] != [x.count for x in batch.outcomes]


def test_sweep_and_compare_equal_the_cli() -> None:
    vary = ["support.russian_air.sorties_per_turn=0:200:3"]
    out = cli("sweep", ALEPPO, "--vary", vary[0], "--runs", "150", "--seed", "3", "-f", "json")
    assert wargame.sweep(ALEPPO, vary, runs=150, seed=3).to_json() + "\n" == out
    out = cli("compare", ALEPPO, NO_AIR, "--runs", "300", "--seed", "3", "-f", "json")
    assert wargame.compare(ALEPPO, NO_AIR, runs=300, seed=3).to_json() + "\n" == out


def test_play_equals_run() -> None:
    out = cli("run", ALEPPO, "--seed", "11", "--format", "json")
    game = wargame.play(ALEPPO, seed=11)
    assert json.dumps(game.to_dict(), indent=2) + "\n" == out
    table = cli("run", ALEPPO, "--seed", "11")
    assert game.narrative().split() == table.split()


def test_workers_and_chunk_order_do_not_change_the_records(tmp_path: Path) -> None:
    one = wargame.batch(TOY, runs=1300, seed=5, chunk_size=200, games=tmp_path / "one.parquet")
    two = wargame.batch(TOY, runs=1300, seed=5, chunk_size=200, workers=2,
                        games=tmp_path / "two.parquet")
    assert one.to_json() == two.to_json()
    assert one.records is not None and two.records is not None
    assert one.records.to_arrow().equals(two.records.to_arrow())
    mem = wargame.batch(TOY, runs=1300, seed=5, chunk_size=200, games=True)
    assert mem.records is not None
    assert mem.records.to_pandas().equals(one.records.to_pandas())
    assert mem.to_json() == one.to_json()   # asking for records changes no number


def test_records_agree_with_the_batch_statistics() -> None:
    res = wargame.batch(ALEPPO, runs=500, seed=9, chunk_size=250, games=True)
    assert res.records is not None
    df = res.records.to_pandas()
    assert len(df) == res.games == len(res.records)
    assert list(df["game"]) == list(range(500))
    for o in res.outcomes:
        assert int(df[f"first_turn.{o.id}"].notna().sum()) == o.count
    for c in res.control:
        held = df[f"controller.{c.settlement}"]
        n = int(held.isna().sum()) if c.faction == "none" else int((held == c.faction).sum())
        assert n == c.count
    for f in res.factions:
        assert df[f"strength.{f.id}"].mean() == pytest.approx(f.strength.mean, rel=1e-12)
        assert df[f"reinforcements.{f.id}"].mean() == pytest.approx(f.reinforcements_mean,
                                                                    rel=1e-12)
    params = [c for c in df if c.startswith("param.")]
    assert "param.support.russian_air.sorties_per_turn" in params
    assert len(params) == 29
    assert (df["changes_of_control"] >= 0).all()


def test_a_game_of_a_batch_replays_with_its_story() -> None:
    pd = pytest.importorskip("pandas")
    res = wargame.batch(ALEPPO, runs=450, seed=4, chunk_size=200, games=True)
    assert res.records is not None
    df = res.records.to_pandas()
    k = 417   # in the last, smaller chunk
    game = wargame.play(ALEPPO, seed=4, game=k, runs=450, chunk_size=200)
    row = df.iloc[k]
    assert (row["chunk"], row["replicate"]) == (2, 17)
    for oid, verdict in game.outcomes.items():
        first = row[f"first_turn.{oid}"]
        assert verdict.turn == (None if pd.isna(first) else int(first))
    for place, who in game.control.items():
        held = row[f"controller.{place}"]
        assert who == (None if pd.isna(held) else held)
    for fid, end in game.factions.items():
        assert end.end == row[f"strength.{fid}"]


def test_tidy_tables_hold_the_json_numbers() -> None:
    pytest.importorskip("pandas")
    res = wargame.batch(TOY, runs=400, seed=2, per_turn=True)
    data = res.to_dict()
    df = res.to_pandas()
    assert list(df["probability"]) == [o["probability"] for o in data["outcomes"]]
    assert str(df["turn_median"].dtype) == "Int64"
    assert str(df["end_date_median"].dtype).startswith("datetime64")
    control = res.to_pandas("control_by_turn")
    assert set(control["turn"]) == set(range(7))
    assert control.loc[control["turn"] == 0, "start_date"].isna().all()
    timing = res.to_pandas("timing")
    last = timing[timing["turn"] == 6]
    assert list(last["probability"]) == list(df["probability"])
    with pytest.raises(ValueError, match="no table 'nope'; this result has: outcomes"):
        res.to_pandas("nope")
    ds = res.to_xarray()
    assert ds["control"].dims == ("turn", "settlement", "controller")
    assert float(ds["control"].sel(turn=0, settlement="c", controller="blue")) == 1.0
    assert ds["final_control"].sum("controller").values.tolist() == [1.0, 1.0, 1.0]


def test_sweep_grid_is_an_array() -> None:
    pytest.importorskip("xarray")
    vary = ["factions.red.strength=2000:4000:3", "factions.blue.quality=0.8,1.2"]
    res = wargame.sweep(TOY, vary, runs=100, seed=1)
    ds = res.to_xarray()
    assert ds["probability"].dims == ("outcome", "factions.red.strength",
                                      "factions.blue.quality")
    pts = res.to_pandas()
    assert list(pts.columns[:3]) == ["point", "factions.red.strength", "factions.blue.quality"]
    assert str(pts["factions.red.strength"].dtype) == "Int64"
    cell = pts[(pts["factions.red.strength"] == 4000) & (pts["factions.blue.quality"] == 0.8)]
    assert float(ds["probability"].sel({"outcome": "red_takes_c",
                                        "factions.red.strength": 4000,
                                        "factions.blue.quality": 0.8})) == \
        float(cell["probability"].iloc[0])
