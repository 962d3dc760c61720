"""Commands refuse nonsense before they play: unrelated scenarios compared, unwritable or
existing outputs, bad counts; and their errors point to the right place."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from wargame.cli.app import app

HERE = Path(__file__).parent
TOY = str(HERE / "data" / "valid" / "toy.yaml")
VARIANT = str(HERE / "data" / "valid" / "toy_variant.yaml")
RIVER = str(HERE.parent / "docs" / "examples" / "river_line.yaml")
ENV = {"NO_COLOR": "1", "COLUMNS": "80"}


def cli(*args: str) -> tuple[int, str, str]:
    res = CliRunner(env=ENV).invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


def test_compare_refuses_two_unrelated_scenarios() -> None:
    code, out, err = cli("compare", TOY, RIVER, "--runs", "10")
    assert (code, out) == (2, "")
    assert "are not two versions of one scenario: they share no settlements" in err
    assert "seed" not in err   # refused before a seed is drawn


def test_compare_of_a_variant_names_what_differs_and_times_outcomes(tmp_path: Path) -> None:
    extra = tmp_path / "more.yaml"
    extra.write_text(f"extends: {TOY}\nsettlements:\n  d: {{name: D, lat: 36.3, lon: 37.3, "
                     "controller: blue}\nlinks:\n  - {between: [a, b], km: 10}\n"
                     "  - {between: [b, c], km: 12}\n  - {between: [c, d], km: 5}\n",
                     encoding="utf-8")
    code, out, err = cli("compare", TOY, str(extra), "--runs", "200", "--seed", "3")
    assert code == 0, err
    assert "note: settlements only in B: d" in err
    assert "When it came true" in out and "B − A, turns" in out


@pytest.mark.parametrize("command", [
    ["map", TOY, "--runs", "0", "--out", "x.png"],
    ["report", TOY, "--runs", "0", "--out", "x.html"],
    ["batch", str(HERE / "data")],
    ["sweep", str(HERE / "data"), "--vary", "factions.red.quality=1,2"],
])
def test_no_seed_is_drawn_before_an_error(command: list[str], tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(*command)
    assert code == 2 and out == ""
    assert "seed" not in err and err.startswith("error: ")


@pytest.mark.parametrize("command", [
    ["report", TOY, "--runs", "50000"],
    ["map", TOY, "--runs", "50000"],
    ["plot", "outcomes", TOY, "--runs", "50000"],
])
def test_an_unwritable_out_fails_before_any_game(command: list[str], tmp_path: Path) -> None:
    where = tmp_path / "missing" / "x.html"
    suffix = ".html" if command[0] == "report" else ".png"
    code, _, err = cli(*command, "--out", str(where.with_suffix(suffix)), "--seed", "1")
    assert code == 2
    assert "does not exist" in err
    code, _, err = cli(*command, "--out", "/proc/x" + suffix, "--seed", "1")
    assert code == 2 and "cannot write in /proc" in err


def test_an_existing_out_is_replaced_and_said(tmp_path: Path) -> None:
    out = tmp_path / "map.png"
    code, _, err = cli("map", TOY, "--out", str(out), "--size", "400x300")
    assert code == 0 and "replacing" not in err
    code, _, err = cli("map", TOY, "--out", str(out), "--size", "400x300")
    assert code == 0 and f"wrote {out} (400x300), replacing the earlier file" in \
        " ".join(err.split())


def test_sweep_path_typo_suggests_by_prefix_and_says_vary() -> None:
    code, _, err = cli("sweep", TOY, "--vary", "factions.red.str=1000,2000", "--runs", "5")
    assert code == 2
    assert err.startswith("error: --vary factions.red.str: ")
    assert "did you mean 'strength'?" in err and "(every sweep point)" in err
