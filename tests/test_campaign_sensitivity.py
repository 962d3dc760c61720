"""Which judgement defaults ``validation/campaign_sensitivity.py`` tries, and at what values.
No games are played but in the last test, which plays a few."""

from __future__ import annotations

from types import ModuleType

import pytest
from scripts import validation_script

from wargame.scenario.settings import SETTINGS


@pytest.fixture(scope="module")
def cs() -> ModuleType:
    return validation_script("campaign_sensitivity")


def test_every_judgement_default_that_is_a_number_is_tried_and_nothing_else(
        cs: ModuleType) -> None:
    names = [s.name for s in cs.judgement_settings()]
    assert "hold_share" in names and "air_focus" in names and "massing_days" in names
    for s in SETTINGS:
        if s.name in names:
            assert s.source.startswith("judgement") and s.default not in (None, 0)
    # Calibrated, fitted or sourced defaults are not: the fit's own two, CDB90's, and a
    # numerical step.
    for name in ("pause_days", "capitulation_rate", "planning_ratio", "breakout_loss",
                 "steps_per_day"):
        assert name not in names


def test_values_are_halved_and_doubled_within_bounds(cs: ModuleType) -> None:
    by = {s.name: s for s in cs.judgement_settings()}
    assert cs.scaled(by["hold_share"], 0.5) == 0.125 and cs.scaled(by["hold_share"], 2) == 0.5
    # A fraction stops at 1; a whole number is rounded away from its default.
    assert cs.scaled(by["air_focus"], 2) == 1.0
    assert cs.scaled(by["hold_depth"], 0.5) == 0 and cs.scaled(by["push_days"], 0.5) == 45
    # A lower bound holds: front_deployment_weight is at least 1.
    assert cs.scaled(by["front_deployment_weight"], 0.5) == 1.0


def test_a_setting_it_does_not_try_is_refused(cs: ModuleType,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert cs.main(["--settings", "pause_days", "--runs", "1"]) == 2
    assert "not a judgement setting tried here: pause_days" in capsys.readouterr().err


@pytest.mark.slow
def test_the_defaults_row_and_a_setting_row_are_reported(
        cs: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    assert cs.main(["--settings", "hold_depth", "--runs", "4", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "At the defaults: mean skill" in out
    row = next(line for line in out.splitlines() if line.startswith("| `hold_depth`"))
    # The default, then half (0) and double (2), each with a skill, a tempo and a theatre.
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[:3] == ["`hold_depth`", "1", "0"] and cells[6] == "2"


@pytest.mark.parametrize("factors", ["0,2", "half", ""])
def test_factors_must_be_numbers_above_zero(cs: ModuleType, factors: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert cs.main(["--factors", factors, "--runs", "1"]) == 2
    assert "--factors:" in capsys.readouterr().err
