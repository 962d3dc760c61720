"""Branching (``wargame branch``, ``wargame.branch``): games saved at a turn and played on.

The engine's snapshot plays on exactly as an unbroken game; a branch with no effective change
gives no difference at all; the numbers do not depend on the workers, the store or a saved
state; bad input is one clear line and a non-zero exit.
"""

from __future__ import annotations

import json
from dataclasses import fields, replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import wargame
from wargame.cli.app import app
from wargame.engine import Snapshot, compile_scenario, finish, play_on, simulate, start
from wargame.engine.branch import branch_params, changed_params, map_differences
from wargame.engine.state import State
from wargame.montecarlo.branching import BranchPlan, branch_stats, reach
from wargame.montecarlo.seeds import branch_rng, chunk_rng
from wargame.scenario import load
from wargame.scenario.params import param_sample

ROOT = Path(__file__).resolve().parent.parent
ALEPPO = "scenarios/aleppo_2015.yaml"
NO_AIR = "scenarios/variants/no_russian_air.yaml"
TOY = ROOT / "tests" / "data" / "valid" / "toy.yaml"
NO_SORTIES = "support.russian_air.sorties_per_turn=0"
RENAMED = "support.russian_air.name=Russian air campaign, renamed"  # changes no number


@pytest.fixture(autouse=True)
def _root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _cli(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, [str(a) for a in args])
    return res.exit_code, res.stdout, res.stderr


def _compiled(path: str | Path, sets: tuple[str, ...] = ()) -> object:
    return compile_scenario(load(Path(path), list(sets)).scenario)


def _same_result(a: object, b: object) -> None:
    for key, value in vars(a).items():
        other = getattr(b, key)
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(value, other, err_msg=key)
        elif key == "params":
            assert value.keys() == other.keys()
            for k in value:
                np.testing.assert_array_equal(value[k], other[k], err_msg=k)
        else:
            assert value == other, key


@pytest.mark.parametrize("path", [ALEPPO, TOY])
@pytest.mark.parametrize("at", [0, 3])
def test_a_snapshot_plays_on_exactly_as_the_unbroken_game(path: str | Path, at: int) -> None:
    c = _compiled(path)
    whole = simulate(c, np.random.default_rng(11), 9, record_turns=True, log=True)
    rng = np.random.default_rng(11)
    game = start(c, rng, 9, log=True, record_turns=True)
    play_on(c, game, rng, at)
    snap = Snapshot.of(game, rng)
    play_on(c, game, rng, c.turns)  # the game played on does not touch the snapshot
    for _ in range(2):  # and a snapshot can be played on more than once
        again, rng2 = snap.resume()
        play_on(c, again, rng2, c.turns)
        _same_result(finish(c, again), whole)


def test_taking_games_indexes_every_field_and_the_histories() -> None:
    c = _compiled(ALEPPO)
    rng = np.random.default_rng(5)
    game = start(c, rng, 12, record_turns=True, log=True)
    play_on(c, game, rng, 4)
    keep = np.zeros(12, dtype=bool)
    keep[[1, 4, 9]] = True
    part = Snapshot.of(game, rng).take(keep)
    assert part.replicates == 3 and part.turn == 4
    for f in fields(State):
        np.testing.assert_array_equal(getattr(part.game.state, f.name),
                                      getattr(game.state, f.name)[keep], err_msg=f.name)
    for k, v in game.params.items():
        np.testing.assert_array_equal(part.game.params[k], v[keep])
    assert part.game.history is not None and game.history is not None
    for k, turns in game.history.items():
        assert len(part.game.history[k]) == 5
        for mine, theirs in zip(part.game.history[k], turns, strict=True):
            np.testing.assert_array_equal(mine, theirs[keep])
    assert part.game.log is not None and game.log is not None
    assert {e.replicate for e in part.game.log} <= {0, 1, 2}
    assert [replace(e, replicate=0) for e in game.log if e.replicate == 4] == [
        replace(e, replicate=0) for e in part.game.log if e.replicate == 1]
    assert sum(1 for e in game.log if e.replicate in (1, 4, 9)) == len(part.game.log)


def test_only_changed_parameters_are_drawn_again_from_their_own_stream() -> None:
    a = _compiled(ALEPPO)
    new = "support.russian_air.sorties_per_turn={dist: uniform, low: 10, high: 20}"
    b = _compiled(ALEPPO, (new,))
    assert changed_params(a, b) == ["support.russian_air.sorties"]
    assert changed_params(a, _compiled(ALEPPO, (RENAMED,))) == []
    snap = reach(a, 3, 1, 40, 2)
    got = branch_params(a, b, snap.game.params, branch_rng(3, 1))
    expected = param_sample(b.params["support.russian_air.sorties"], branch_rng(3, 1), 40)
    np.testing.assert_array_equal(got["support.russian_air.sorties"], expected)
    assert ((expected >= 10) & (expected <= 20)).all()
    for k, v in snap.game.params.items():
        if k != "support.russian_air.sorties":
            assert got[k] is v


def test_the_same_scenario_on_both_sides_gives_the_same_games() -> None:
    a = _compiled(ALEPPO)
    plan = BranchPlan(a, _compiled(ALEPPO, (RENAMED,)), 6, None)
    out = branch_stats(plan, reach(a, 9, 0, 30, 6), 9, 0)
    assert int(out["kept"]) == int(out["games"]) == 30
    assert (out["pair"][:, 1] == 0).all() and (out["pair"][:, 2] == 0).all()
    np.testing.assert_array_equal(out["pair_turn_a"], out["pair_turn_b"])


def test_the_map_must_stay_the_same(tmp_path: Path) -> None:
    a = _compiled(TOY)
    text = TOY.read_text()

    def other(new: str) -> object:
        path = tmp_path / "variant.yaml"
        path.write_text(new)
        return _compiled(path)

    more = text.replace("links:\n", "  d: {name: D, lat: 36.3, lon: 37.3, controller: blue}\n"
                        "links:\n  - {between: [c, d], km: 5}\n")
    assert map_differences(a, other(more)) == ["settlements differ (with d)"]
    moved = text.replace("  - {between: [b, c], km: 12}\n", "  - {between: [a, c], km: 12}\n")
    assert map_differences(a, other(moved)) == ["links differ (b–c removed, a–c added)"]
    swapped = text.replace("  red:\n", "  tmp:\n").replace("  blue:\n", "  red:\n")
    assert map_differences(a, other(swapped.replace("  tmp:\n", "  blue:\n"))) == [
        "factions are in another order"]
    assert map_differences(a, _compiled(TOY, ("factions.red.quality=1.2",))) == []


def test_no_change_gives_exactly_no_difference() -> None:
    res = wargame.branch(ALEPPO, at=12, given="azaz_corridor_cut", changes=[RENAMED], runs=60,
                         seed=7, chunk_size=25)
    assert res.reached == 60 and 0 < res.kept <= 60
    for row in res.comparison.outcomes:
        assert row.pairs.a_only == row.pairs.b_only == 0
        assert row.difference.probability == 0.0
        assert row.games == res.kept


@pytest.mark.slow
def test_workers_store_and_saved_state_give_the_same_numbers(tmp_path: Path) -> None:
    args = dict(at=12, given="azaz_corridor_cut", changes=[NO_SORTIES], runs=60, seed=7,
                chunk_size=25)
    one = wargame.branch(ALEPPO, **args)  # type: ignore[arg-type]
    two = wargame.branch(ALEPPO, workers=2, **args)  # type: ignore[arg-type]
    assert two.to_json() == one.to_json()
    state = tmp_path / "turn12.npz"
    saved = wargame.branch(ALEPPO, save_state=state, **args)  # type: ignore[arg-type]
    assert saved.to_json() == one.to_json() and state.is_file()
    again = wargame.branch(ALEPPO, given="azaz_corridor_cut", changes=[NO_SORTIES],
                           from_state=state)
    assert again.to_json() == one.to_json()
    # One saved state serves several branches: each the same as played from the start.
    for kw in ({"changes": [NO_SORTIES]}, {"variant": NO_AIR},
               {"given": "nubl_zahra_relieved", "changes": ["model.collapse_rate=0.2"]}):
        fresh = wargame.branch(ALEPPO, at=12, runs=60, seed=7, chunk_size=25, **kw)
        assert wargame.branch(ALEPPO, from_state=state, **kw).to_json() == fresh.to_json()
    store = tmp_path / "branch.db"
    stored = wargame.branch(ALEPPO, store=store, **args)  # type: ignore[arg-type]
    assert stored.to_json() == one.to_json()
    resumed = wargame.branch(ALEPPO, store=store, resume=True, **args)  # type: ignore[arg-type]
    assert resumed.to_json() == one.to_json()
    assert wargame.read_store(store).to_json() == one.to_json()


def test_the_cli_prints_the_api_result_and_the_counts() -> None:
    code, out, err = _cli("branch", ALEPPO, "--at", "12", "--given", "azaz_corridor_cut",
                          "--set", NO_SORTIES, "--runs", "50", "--seed", "4", "-f", "json")
    assert code == 0, err
    api = wargame.branch(ALEPPO, at=12, given="azaz_corridor_cut", changes=[NO_SORTIES],
                         runs=50, seed=4)
    assert out == api.to_json() + "\n"
    assert f"{api.kept} of 50 games met azaz_corridor_cut at turn 12" in err
    code, table, _ = _cli("branch", ALEPPO, "--at", "12", "--given", "azaz_corridor_cut",
                          "--set", NO_SORTIES, "--runs", "50", "--seed", "4")
    assert code == 0
    assert table.startswith(f"Branch after turn 12 (ending 4 Jan 2016): 50 games played to "
                            f"it; {api.kept} (")
    assert "B − A" in table and max(len(line) for line in table.splitlines()) <= 80
    code, csv_text, _ = _cli("branch", ALEPPO, "--at", "12", "--set", NO_SORTIES, "--runs",
                             "50", "--seed", "4", "-f", "csv")
    assert code == 0 and csv_text.splitlines()[0].startswith("outcome,games,p_a,")


def test_a_change_no_game_reads_after_the_branch_is_noted() -> None:
    code, _, err = _cli("branch", TOY, "--at", "2", "--set", "factions.red.strength=5000",
                        "--runs", "30", "--seed", "1")
    assert code == 0, err
    assert "note: no game read the parameter red.strength after turn 2, so the change to it " \
        "changed nothing" in err
    code, _, err = _cli("branch", ALEPPO, "--at", "2", "--set", NO_SORTIES, "--runs", "30",
                        "--seed", "1")
    assert code == 0 and "no game read" not in err, err


def test_the_api_dataframe_is_tidy() -> None:
    res = wargame.branch(TOY, at=2, changes=["factions.red.quality=1.5"], runs=40, seed=1)
    df = res.to_pandas()
    assert list(df["outcome"]) == ["red_takes_c"]
    assert df.loc[0, "games"] == res.kept == res.reached == 40
    assert df.loc[0, "difference"] == res.comparison.outcomes[0].difference.probability
    meta = df.attrs["wargame"]
    assert meta["at"] == 2 and meta["kept"] == 40 and meta["changes"] == [
        "factions.red.quality=1.5"]
    assert json.loads(res.to_json())["meta"]["kind"] == "branch"


def _fails(code: int, out: str, err: str, expected: int, *words: str) -> None:
    assert code == expected, err
    assert out == "" and "Traceback" not in err
    for w in words:
        assert w in err, err


@pytest.mark.parametrize(("args", "code", "words"), [
    (["--at", "6", "--set", "factions.red.quality=1.5"], 2,
     ["--at 6: past the end;", "has 6 turns, so a branch is at a turn from 0 to 5"]),
    (["--at", "-1", "--set", "factions.red.quality=1.5"], 2, ["--at must not be negative"]),
    (["--at", "2", "--given", "red_take_c", "--set", "factions.red.quality=1.5"], 2,
     ["--given red_take_c:", "has no such outcome (did you mean red_takes_c?)"]),
    (["--at", "2"], 2, ["a branch needs a change: --set path=value"]),
    (["--set", "factions.red.quality=1.5"], 2, ["--at TURN is needed"]),
    (["--at", "2", "--set", "factions.red.quality=oops"], 2,
     ["--set factions.red.quality"]),
    (["--at", "0", "--given", "red_takes_c", "--set", "factions.red.quality=1.5"], 1,
     ["no game met the condition at turn 0 (0 of 30 games played to it)"]),
    (["--at", "2", "--set", "links=[{between: [a, c], km: 12}, {between: [a, b], km: 10}]"], 2,
     ["--set links=[{between: [a, c], km: 12}, {between: [a, b], km: 10}]: the branch changes "
      "the map: links differ (b–c removed, a–c added)"]),
    (["--at", "2", "--set", "scenario.turns=8"], 2,
     ["--set scenario.turns=8: makes the war 8 turns long instead of 6"]),
    (["--at", "2", "--set", "factions.red.quality=1.0"], 2,
     ["--set factions.red.quality=1.0: leaves the scenario as it was"]),
])
def test_bad_input_is_one_clear_line(args: list[str], code: int, words: list[str]) -> None:
    _fails(*_cli("branch", TOY, "--runs", "30", "--seed", "1", *args), code, *words)


def test_bad_state_files_are_clear_errors(tmp_path: Path) -> None:
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip")
    _fails(*_cli("branch", TOY, "--from-state", junk, "--set", "factions.red.quality=1.5"), 2,
           f"--from-state {junk}: not a saved state")
    state = tmp_path / "toy.npz"
    code, _, err = _cli("branch", TOY, "--at", "2", "--set", "factions.red.quality=1.5",
                        "--runs", "30", "--seed", "1", "--save-state", state)
    assert code == 0, err
    _fails(*_cli("branch", TOY, "--from-state", state, "--set", "factions.red.quality=1.5",
                 "--seed", "2"), 2, "holds the games of --seed 1, not 2")
    _fails(*_cli("branch", TOY, "--from-state", state, "--set", "factions.red.quality=1.5",
                 "--at", "3"), 2, "holds the games of --at 2, not 3")
    _fails(*_cli("branch", ALEPPO, "--from-state", state, "--set", NO_SORTIES), 2,
           "saved from another scenario", "give the scenario it was saved from")
    with np.load(state) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["0/state/control"] = arrays["0/state/control"].astype(float)
    np.savez(tmp_path / "edited.npz", **arrays)
    _fails(*_cli("branch", TOY, "--from-state", tmp_path / "edited.npz", "--set",
                 "factions.red.quality=1.5"), 2,
           "damaged (chunk 0: its state's control is float64 (3,), not int16 (3,))")
    del arrays["0/rng"]
    np.savez(tmp_path / "cut.npz", **arrays)
    _fails(*_cli("branch", TOY, "--from-state", tmp_path / "cut.npz", "--set",
                 "factions.red.quality=1.5"), 2, "not a saved state, or a damaged one")
    np.savez(tmp_path / "other.npz", meta=np.array("{}"))
    _fails(*_cli("branch", TOY, "--from-state", tmp_path / "other.npz", "--set",
                 "factions.red.quality=1.5"), 2, "not a saved state, or a damaged one")
    _fails(*_cli("branch", TOY, "--at", "2", "--set", "factions.red.quality=1.5",
                 "--save-state", state, "--from-state", state), 2,
           "or --from-state FILE (to branch from kept games), not both")
    _fails(*_cli("branch", NO_AIR, "--variant", TOY, "--at", "2"), 2,
           f"--variant {TOY}: the branch changes the map: settlements differ")


def test_the_chunk_streams_are_the_batch_streams() -> None:
    """Games reached at turn ``at`` are those of ``wargame batch`` at that turn."""
    c = _compiled(TOY)
    snap = reach(c, 5, 2, 20, 3)
    whole = simulate(c, chunk_rng(5, 2), 20, turns=3)
    np.testing.assert_array_equal(snap.game.state.control, whole.control)
    np.testing.assert_array_equal(snap.game.state.outcome_turn, whole.outcome_turn)


def test_a_variant_file_is_the_same_change_as_its_set() -> None:
    """``no_russian_air.yaml`` sets the sorties to 0 (and says why): as ``--set`` does."""
    kw = dict(at=10, runs=60, seed=3, chunk_size=25)
    by_set = wargame.branch(ALEPPO, changes=[NO_SORTIES], **kw)  # type: ignore[arg-type]
    by_file = wargame.branch(ALEPPO, variant=NO_AIR, **kw)  # type: ignore[arg-type]
    assert [r.to_dict() for r in by_file.comparison.outcomes] == \
        [r.to_dict() for r in by_set.comparison.outcomes]
    assert by_file.variant == NO_AIR and by_set.changes == (NO_SORTIES,)
    assert any(r.pairs.a_only or r.pairs.b_only for r in by_set.comparison.outcomes)


def test_the_games_kept_are_the_batch_games_where_the_outcome_holds() -> None:
    """``kept`` is the count a ``--per-turn`` batch of the same seed gives at that turn."""
    res = wargame.branch(ALEPPO, at=9, given="daesh_reaches_corridor", changes=[NO_SORTIES],
                         runs=80, seed=12, chunk_size=30)
    rows = wargame.batch(ALEPPO, runs=80, seed=12, chunk_size=30, per_turn=True).tables()[
        "outcomes_by_turn"].rows()
    count = next(r[4] for r in rows if r[0] == 9 and r[3] == "daesh_reaches_corridor")
    assert res.kept == count and res.reached == 80


@settings(max_examples=15)
@given(seed=st.integers(0, 2**32), at=st.integers(0, 6), games=st.integers(1, 6))
def test_any_turn_any_seed_a_snapshot_plays_on_as_simulate(seed: int, at: int,
                                                           games: int) -> None:
    c = _compiled(TOY)
    rng = np.random.default_rng(seed)
    game = start(c, rng, games, record_turns=True)
    play_on(c, game, rng, at)
    again, rng2 = Snapshot.of(game, rng).resume()
    play_on(c, again, rng2, c.turns)
    _same_result(finish(c, again), simulate(c, np.random.default_rng(seed), games,
                                            record_turns=True))


def test_resume_refuses_another_branch(tmp_path: Path) -> None:
    store = tmp_path / "b.db"
    base = ["branch", TOY, "--set", "factions.red.quality=1.5", "--runs", "30", "--seed", "1",
            "--store", store]
    code, first, err = _cli(*base, "--at", "2")
    assert code == 0, err
    _fails(*_cli(*base, "--at", "3", "--resume"), 2,
           "sweep design or branch (--at, --given, the change) differs")
    code, again, err = _cli(*base, "--at", "2", "--resume")
    assert code == 0 and again == first, err
    code, shown, err = _cli("results", "show", store)
    assert code == 0 and shown == first, err


def test_a_branch_puts_the_change_into_the_state_it_carries_over() -> None:
    """Relations, faction settings and the model's per-place rates held by the state take the
    changed values from the branch on; the rest of the state stays as the game left it."""
    from wargame.engine.branch import carry_over

    a = _compiled(TOY)
    b = _compiled(TOY, ("factions.red.quality=1.7", "factions.red.morale=0.8",
                        "model.engagement_rate=0.5", "model.rout_ratio=5"))
    rng = np.random.default_rng(3)
    game = start(a, rng, 30)
    play_on(a, game, rng, 2)
    st = game.state
    before = {f.name: np.array(getattr(st, f.name), copy=True) for f in fields(State)}
    new = branch_params(a, b, game.params, np.random.default_rng(9))
    applied = carry_over(a, b, st, game.params, new)
    assert applied == {"red.quality", "red.morale", "model.engagement_rate",
                       "model.rout_ratio"}
    red = a.factions.index("red")
    np.testing.assert_array_equal(st.quality[:, red], 1.7)
    np.testing.assert_array_equal(st.base_morale[:, red], 0.8)
    np.testing.assert_allclose(st.morale[:, red] - before["morale"][:, red],
                               0.8 - before["base_morale"][:, red])
    np.testing.assert_array_equal(st.rout_ratio, 5.0)
    # Each place keeps its own intensity: with no spread, every place's chance is the rate.
    np.testing.assert_allclose(st.engage_p, 0.5)
    for name in ("control", "strength", "siege", "casualties", "op_target", "relation"):
        np.testing.assert_array_equal(getattr(st, name), before[name], err_msg=name)


def test_a_changed_relation_holds_from_the_branch_on() -> None:
    from wargame.engine.branch import carry_over

    aleppo = ROOT / "scenarios" / "aleppo_2015.yaml"
    base = _compiled(aleppo)
    allied = _compiled(ROOT / "scenarios" / "variants" / "pyd_regime_alliance.yaml")
    rng = np.random.default_rng(5)
    game = start(base, rng, 8)
    play_on(base, game, rng, 3)
    carry_over(base, allied, game.state, game.params,
               branch_params(base, allied, game.params, np.random.default_rng(1)))
    pyd, regime = base.factions.index("pyd"), base.factions.index("regime")
    assert base.init_relation[pyd, regime] != allied.init_relation[pyd, regime]
    np.testing.assert_array_equal(game.state.relation[:, pyd, regime],
                                  allied.init_relation[pyd, regime])
    np.testing.assert_array_equal(game.state.relation[:, regime, pyd],
                                  allied.init_relation[regime, pyd])
