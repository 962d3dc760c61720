"""The batch, sweep and compare commands: outputs on stdout, messages on stderr, exit codes."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wargame.cli.app import app

TOY = str(Path(__file__).parent / "data" / "valid" / "toy.yaml")


def _cli(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


def _clean_failure(code: int, out: str, err: str, expected_code: int) -> None:
    assert code == expected_code, err
    assert out == ""
    assert "Traceback" not in err and "internal error" not in err


def test_batch_table_on_stdout_and_drawn_seed_on_stderr() -> None:
    code, out, err = _cli("batch", TOY, "--runs", "300")
    assert code == 0, err
    assert "Outcomes" in out and "Red takes C" in out and "Final control" in out
    assert "\x1b[" not in out  # no colour codes when piped
    assert "seed" in err and "pass --seed" in err
    seed = err.split("--seed ")[1].split()[0]
    code, replay, _ = _cli("batch", TOY, "--runs", "300", "--seed", seed)
    assert replay.replace(f"seed {seed}", "") == out.replace(f"seed {seed}", "")


def test_batch_json_is_one_clean_object() -> None:
    code, out, err = _cli("batch", TOY, "--runs", "500", "--seed", "1", "-f", "json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert set(data) == {"meta", "outcomes", "control", "factions", "civilians"}
    o = data["outcomes"][0]
    assert o["id"] == "red_takes_c" and 0 <= o["ci95"][0] <= o["probability"] <= o["ci95"][1]
    assert o["turn"]["p10"] <= o["turn"]["median"] <= o["turn"]["p90"]
    assert o["end_date"]["median"].startswith("2015-")
    shares = {}
    for row in data["control"]:
        shares[row["settlement"]] = shares.get(row["settlement"], 0) + row["count"]
    assert set(shares.values()) == {500}
    red = data["factions"][0]
    # The mean may lie outside the 5-95% range of a skewed distribution (here red keeps its
    # whole strength in most games); it always lies between the extremes.
    st = red["strength"]
    assert st["min"] <= st["p05"] <= st["p95"] <= st["max"]
    assert st["min"] <= st["mean"] <= st["max"]


def test_per_turn_csv_long_format() -> None:
    code, out, err = _cli("batch", TOY, "--runs", "200", "--seed", "2", "--per-turn",
                          "-f", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["kind", "id", "faction", "turn", "start_date", "end_date",
                             "statistic", "value"]
    control = [r for r in rows if r["kind"] == "control_by_turn"]
    assert len(control) == 7 * 3 * 3  # turns 0..6, 3 settlements, red/blue/none
    at_start = {(r["id"], r["faction"]): float(r["value"]) for r in control if r["turn"] == "0"}
    assert at_start[("c", "blue")] == 1.0 and at_start[("a", "red")] == 1.0
    outcome = [r for r in rows if r["kind"] == "outcome_by_turn"]
    # Turn 0 is the position before the first turn (the eve of the start date); turn 1 is
    # 13-19 Oct 2015.
    assert [(r["start_date"], r["end_date"]) for r in outcome][:2] == [
        ("", "2015-10-12"), ("2015-10-13", "2015-10-19")]


@pytest.mark.parametrize(("args", "message"), [
    (["--runs", "0"], "--runs must be at least 1 (got 0)"),
    (["--runs", "-5"], "--runs must be at least 1 (got -5)"),
    (["--runs", "many"], "--runs"),  # Typer's own message: only the option is pinned
    (["--chunk-size", "0"], "--chunk-size must be at least 1 (got 0)"),
    (["--workers", "0"], "--workers must be at least 1 (got 0)"),
    (["--precision", "0.7"], "--precision must be between 0 and 0.5 (got 0.7)"),
    (["--seed", "-3"], "--seed must not be negative (got -3)"),
    (["--turns", "0"], "--turns must be between 1 and 1,000 (got 0)"),
    (["--turns", "10000000"], "--turns must be between 1 and 1,000 (got 10000000)"),
])
def test_bad_batch_options_are_usage_errors(args: list[str], message: str) -> None:
    code, out, err = _cli("batch", TOY, "--seed", "1", *args)
    _clean_failure(code, out, err, 2)
    assert message in " ".join(err.split())


def test_bad_set_is_a_located_error() -> None:
    code, out, err = _cli("batch", TOY, "--runs", "10", "--set", "factions.red.strenght=5")
    _clean_failure(code, out, err, 2)
    assert "--set factions.red.strenght: factions.red.strenght: no such key" in err
    code, out, err = _cli("batch", TOY, "--runs", "10", "--set", "factions.red.quality=-1")
    _clean_failure(code, out, err, 2)
    assert "factions.red.quality" in err


def test_sweep_grid_main_effects() -> None:
    code, out, err = _cli("sweep", TOY, "--vary", "factions.red.strength=1000:4000:3",
                          "--vary", "factions.red.quality=0.5,1.5", "--runs", "300",
                          "--seed", "5", "-f", "json")
    assert code == 0, err
    data = json.loads(out)
    values = [p["values"] for p in data["points"]]
    assert len(values) == 6
    assert values[0] == {"factions.red.strength": 1000, "factions.red.quality": 0.5}
    assert values[-1] == {"factions.red.strength": 4000, "factions.red.quality": 1.5}
    probs = [p["outcomes"][0]["probability"] for p in data["points"]]
    assert probs[-1] > probs[0]  # more and better red fighters take C more often
    sens = data["sensitivity"]
    assert sens["method"].startswith("main effects")
    effects = sens["outcomes"][0]["effects"]
    assert set(effects) == {"factions.red.strength", "factions.red.quality"}
    assert sens["outcomes"][0]["most"] == max(effects, key=lambda k: effects[k])


def test_sweep_csv_columns() -> None:
    code, out, err = _cli("sweep", TOY, "--vary", "factions.red.quality=0.5,1.5",
                          "--runs", "100", "--seed", "5", "-f", "csv")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == ("point,factions.red.quality,outcome,games,probability,ci95_low,"
                        "ci95_high")
    assert lines[1].startswith("1,0.5,red_takes_c,100,")


def test_sweep_points_share_random_numbers() -> None:
    # Common random numbers: two points with the same value play the very same games.
    code, out, err = _cli("sweep", TOY, "--vary", "factions.red.quality=1.0,1.0",
                          "--runs", "400", "--seed", "8", "-f", "json")
    assert code == 0, err
    a, b = json.loads(out)["points"]
    assert a["outcomes"] == b["outcomes"]


def test_sweep_lhs_sobol_indices() -> None:
    pytest.importorskip("SALib")
    code, out, err = _cli("sweep", TOY, "--vary", "factions.red.strength=500:5000",
                          "--vary", "factions.blue.quality=0.9:1.1", "--design", "lhs",
                          "--points", "40", "--runs", "200", "--seed", "3", "-f", "json")
    assert code == 0, err
    data = json.loads(out)
    assert len(data["points"]) == 40
    row = data["sensitivity"]["outcomes"][0]
    assert "RBD-FAST" in data["sensitivity"]["method"]
    assert row["most"] == "factions.red.strength"


def test_sampled_design_without_salib_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "SALib", None)
    code, out, err = _cli("sweep", TOY, "--vary", "factions.red.strength=500:5000",
                          "--design", "lhs", "--points", "8", "--runs", "10", "--seed", "1")
    _clean_failure(code, out, err, 1)
    assert "needs SALib: run 'make install-all' in the wargame folder" in err


@pytest.mark.parametrize(("vary", "extra", "message", "exit_code"), [
    ("factions.red.strength", [], "expected path=start:stop:steps or path=a,b,c", 2),
    ("factions.red.strength=1:2:x", [], "steps must be a whole number (got 'x')", 2),
    ("factions.red.strength=1:2:0", [], "steps must be at least 1 (got 0)", 2),
    ("factions.red.strength=1:2", [], "a grid needs start:stop:steps", 2),
    ("factions.red.strength=1,,2", [], "empty item in the list", 2),
    ("=1,2", [], "empty path", 2),
    ("factions.red.strength=1:2:2", ["--design", "cube"], "--design must be one of", 2),
    ("factions.red.strength=1:2:2", ["--points", "4"], "--points is for sampled designs", 2),
    ("factions.red.strength=1:2", ["--design", "lhs"], "--design lhs needs --points K", 2),
])
def test_bad_vary_is_a_usage_error(vary: str, extra: list[str], message: str,
                                   exit_code: int) -> None:
    code, out, err = _cli("sweep", TOY, "--vary", vary, *extra, "--runs", "10", "--seed", "1")
    _clean_failure(code, out, err, exit_code)
    assert message in " ".join(err.split())


def test_bad_value_at_a_sweep_point_names_the_point() -> None:
    code, out, err = _cli("sweep", TOY, "--vary", "factions.red.quality=1,-2,0.5",
                          "--runs", "10", "--seed", "1")
    _clean_failure(code, out, err, 2)
    text = " ".join(err.split())
    assert "factions.red.quality" in text
    assert "(sweep point 2: factions.red.quality=-2)" in text
    assert "sweep point 1" not in text and "sweep point 3" not in text


def test_unknown_sweep_path_is_located() -> None:
    code, out, err = _cli("sweep", TOY, "--vary", "factions.red.nonsense=1,2", "--runs", "10",
                          "--seed", "1")
    _clean_failure(code, out, err, 2)
    assert "no such key" in err and "(every sweep point)" in err
    assert err.count("no such key") == 1   # told once, not once per point
    assert "--vary factions.red.nonsense" in err and "--set" not in err


@pytest.fixture
def stronger_red(tmp_path: Path) -> Path:
    path = tmp_path / "stronger.yaml"
    path.write_text(f"extends: {TOY}\nfactions:\n  red:\n    quality: 1.5\n", encoding="utf-8")
    return path


def test_compare_uses_common_random_numbers(stronger_red: Path) -> None:
    code, out, err = _cli("compare", TOY, TOY, "--runs", "1000", "--seed", "4", "-f", "json")
    assert code == 0, err
    same = json.loads(out)["outcomes"][0]
    assert same["a"] == same["b"]  # same seeds, same scenario: the very same games
    assert same["difference"]["estimate"] == 0.0
    assert same["pairs"]["a_only"] == same["pairs"]["b_only"] == 0
    code, out, err = _cli("compare", TOY, str(stronger_red), "--runs", "1000", "--seed", "4",
                          "-f", "json")
    assert code == 0, err
    row = json.loads(out)["outcomes"][0]
    low, high = row["difference"]["ci95"]
    assert 0 < low < row["difference"]["estimate"] < high
    assert row["b"]["probability"] - row["a"]["probability"] == pytest.approx(
        row["difference"]["estimate"])
    meta = json.loads(out)["meta"]
    assert meta["a"]["digest"] != meta["b"]["digest"] and meta["seed"] == 4


def test_compare_table_and_csv(stronger_red: Path) -> None:
    code, out, _ = _cli("compare", TOY, str(stronger_red), "--runs", "200", "--seed", "4")
    assert code == 0 and "B − A" in out and "paired" in out
    code, out, _ = _cli("compare", TOY, str(stronger_red), "--runs", "200", "--seed", "4",
                        "-f", "csv")
    assert out.splitlines()[0].startswith("outcome,games,p_a,")


def test_scheduler_without_dask_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    code, out, err = _cli("batch", TOY, "--runs", "10", "--seed", "1", "--scheduler",
                          "tcp://127.0.0.1:8786")
    _clean_failure(code, out, err, 1)
    assert err == ("error: --scheduler needs Dask: run 'make install-all' in the wargame folder "
                   "(or: pip install --require-hashes -r requirements/all.txt)\n")


def test_workers_and_scheduler_together_is_a_usage_error() -> None:
    code, out, err = _cli("batch", TOY, "--runs", "10", "--seed", "1", "--workers", "2",
                          "--scheduler", "tcp://127.0.0.1:8786")
    _clean_failure(code, out, err, 2)
    assert "cannot be combined" in err


def test_progress_bar_on_a_terminal_only_and_never_on_stdout(
        monkeypatch: pytest.MonkeyPatch) -> None:
    args = ["batch", TOY, "--runs", "6000", "--chunk-size", "500", "--seed", "1", "-f", "json"]
    code, plain, err = _cli(*args)
    assert code == 0 and err == ""  # not a terminal: no bar
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich treats stderr as a terminal
    code, out, err = _cli(*args)
    assert code == 0
    assert "games/s" in err and "6000/6000" in err
    assert out == plain
    code, out, err = _cli(*args, "--quiet")
    assert code == 0 and err == "" and out == plain


@pytest.mark.parametrize(("address", "message"), [
    ("foo://bar", "--scheduler 'foo://bar': unknown address scheme 'foo'; use tcp://HOST:PORT"),
    ("localhost", "--scheduler 'localhost': needs a host and a port, as in tcp://HOST:PORT"),
])
def test_malformed_scheduler_address_is_a_usage_error(address: str, message: str) -> None:
    pytest.importorskip("distributed")
    code, out, err = _cli("batch", TOY, "--runs", "10", "--seed", "1", "--scheduler", address)
    _clean_failure(code, out, err, 2)
    assert message in err


def test_a_sweep_table_at_80_columns_never_breaks_an_outcome_id() -> None:
    # Two long parameter paths leave the outcome column little room: the paths' headers
    # wrap, the outcome ids do not (they are ids: each stays on one line, whole).
    aleppo = str(Path(__file__).parents[1] / "scenarios" / "aleppo_2015.yaml")
    res = CliRunner(env={"NO_COLOR": "1", "COLUMNS": "80"}).invoke(
        app, ["sweep", aleppo, "--vary", "support.russian_air.sorties_per_turn=0,100",
              "--vary", "factions.rebels.morale=0.4,0.6", "--runs", "20", "--seed", "1"])
    assert res.exit_code == 0, res.stderr
    lines = res.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    rows = [line for line in lines if line.lstrip().startswith("1 ")]
    assert {"nubl_zahra_relieved", "daesh_reaches_corridor"} <= {
        word for row in rows for word in row.split()}
