"""Scenario discovery: the tree finds the input that decides an outcome."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import wargame
from wargame.cli.app import app
from wargame.montecarlo.discovery import fit

pytest.importorskip("sklearn")
ROOT = Path(__file__).resolve().parent.parent
TOY = str(ROOT / "tests" / "data" / "valid" / "toy.yaml")

# Red takes C only when blue is weak: blue's strength is sampled, so discovery should find it.
DECIDED = """
scenario: {name: Decided, start_date: 2015-10-13, turns: 3}
factions:
  red:
    name: Red
    strength: 2000
    doctrine: {aggression: 1.0, objectives: {c: 10}}
    supply_sources: [a]
  blue:
    name: Blue
    strength: {dist: uniform, low: 100, high: 3000}
    quality: {dist: uniform, low: 0.99, high: 1.01}
    supply_sources: [c]
settlements:
  a: {name: A, lat: 36.0, lon: 37.0, controller: red}
  c: {name: C, lat: 36.1, lon: 37.1, controller: blue, fortification: fortified}
links:
  - {between: [a, c], km: 5}
outcomes:
  red_takes_c: {name: Red takes C, controls: {faction: red, settlements: [c]}}
model: {campaign: false, collapse_rate: 0, capitulation_rate: 0}   # the garrison alone decides
"""


def test_fit_finds_a_threshold() -> None:
    rng = np.random.default_rng(0)
    x = rng.random((2000, 2))
    y = x[:, 0] > 0.6
    found = fit(x, ["a", "b"], y, "o", depth=1)
    assert [b.text() for b in found.boxes] == ["a > 0.6", "a ≤ 0.6"] or \
        found.boxes[0].limits[0].low == pytest.approx(0.6, abs=0.01)
    best = found.boxes[0]
    assert best.density == 1.0 and best.coverage == 1.0
    assert list(found.importance) == ["a"]


def test_discover_names_the_deciding_parameter(tmp_path: Path) -> None:
    path = tmp_path / "decided.yaml"
    path.write_text(DECIDED, encoding="utf-8")
    found = wargame.discover(path, "red_takes_c", runs=1000, seed=3, depth=2)
    assert next(iter(found.importance)) == "factions.blue.strength"
    best = found.boxes[0]
    assert best.density > 0.9
    assert all(lim.parameter == "factions.blue.strength" for lim in best.limits)
    batch = wargame.batch(path, runs=1000, seed=3)
    assert found.hits == batch.outcome("red_takes_c").count   # the same games as the batch


def test_cli_discover_from_a_games_file(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    target = tmp_path / "g.parquet"
    runner = CliRunner()
    res = runner.invoke(app, ["batch", TOY, "--runs", "400", "--seed", "2", "--games",
                              str(target), "--quiet"])
    assert res.exit_code == 0, res.stderr
    res = runner.invoke(app, ["discover", "--games", str(target), "--outcome", "red_takes_c",
                              "--format", "json"])
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["games"] == 400
    direct = wargame.discover(TOY, "red_takes_c", runs=400, seed=2)
    assert data == direct.to_dict()


@pytest.mark.parametrize(("args", "message"), [
    (["--outcome", "nope", TOY], "--outcome 'nope': no such outcome; the outcomes are "
                                 "red_takes_c"),
    (["--outcome", "red_takes_c", TOY, "--set", "factions.blue.strength=1000"],
     "nothing to discover: the scenario has no uncertain parameters"),
    (["--outcome", "red_wins", str(ROOT / "tests" / "data" / "engine" / "duel.yaml")],
     "--outcome 'red_wins': no such outcome; the scenario defines no outcomes"),
    (["--outcome", "red_takes_c"], "missing SCENARIO (or --games FILE)"),
    (["--outcome", "red_takes_c", TOY, "--min-share", "0.7"],
     "--min-share must be between 0 and 0.5 (got 0.7)"),
])
def test_discover_errors(args: list[str], message: str) -> None:
    res = CliRunner().invoke(app, ["discover", *args, "--runs", "50", "--seed", "1"])
    assert res.exit_code == 2, res.stderr
    assert message in res.stderr and res.stdout == ""
