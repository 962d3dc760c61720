"""The campaign tempo fitted on modern city battles: the table's reading rules, the standard
scenario, and a rerun of the whole fit against ``wargame/data/tempo.json``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from same import assert_same
from scripts import validation_script

from wargame.calibration.tempo import load_tempo

ROOT = Path(__file__).resolve().parents[1]
TEMPO = ROOT / "wargame" / "data" / "tempo.json"


@pytest.fixture(scope="module")
def mb() -> ModuleType:
    return validation_script("modern_battles")


@pytest.fixture(scope="module")
def mt(mb: ModuleType) -> ModuleType:
    return sys.modules["modern_table"]


@pytest.mark.parametrize(("text", "expected"), [
    ("600-1,500 (current WP) / 150-600 (older copy)", (150.0, 1500.0)),
    ("10,000 Iraqi soldiers + 2,500+ tribal fighters + 3,000+ Shia militia (outskirts only)",
     (15500.0, 15500.0)),
    ("2,200 (older WP copy); 10,000+ (current WP); ~1,300 Marines in the assault",
     (1300.0, 10000.0)),
    ("Iraqi Army 6,000 (May 2015)", (6000.0, 6000.0)),
    ('"some hundred" fighters (Wolf); "hundreds" (EPA)', (100.0, 900.0)),
    ('SCBR "several thousand" (2014); ISIL unknown', (2000.0, 9000.0)),
    ("unknown", None),
    ("", None),
])
def test_strength_texts_read_as_ranges(mt: ModuleType, text: str,
                                       expected: tuple[float, float] | None) -> None:
    assert mt.strength_range(text) == expected


def test_population_air_and_outcome_rules(mt: ModuleType) -> None:
    assert mt.population("483,209 (UN 2004); 375,000 (WFP 2011)") == 483209.0
    assert mt.population("n/a (airport)") == 0.0
    assert mt.population("") is None
    assert mt.has_air("US-led coalition air support") and not mt.has_air("none noted")
    assert not mt.has_air("") and not mt.has_air("limited US/EU involvement (unspecified)")
    assert mt.airlifted("Syrian AF + Russian air (from Sep 2015); air-dropped supply")
    assert mt.encircled("Siege of Homs", "") and mt.encircled("X", "a pocket of 4 km2")
    assert mt.is_siege("Siege of Homs") and not mt.is_siege("Siege/Battle of Sadr City")
    assert mt.failed("Attacker failure: offensive halted") and mt.failed("Ceasefire 11 May")
    assert not mt.failed("Attacker victory")


def test_every_row_plays_as_a_valid_standard_scenario(mb: ModuleType, mt: ModuleType,
                                                      tmp_path: Path) -> None:
    from wargame.scenario import load

    battles = mt.read(mb.DATA)
    assert len(battles) == 28
    priors = mb.Priors.of(battles)
    for b in battles:
        for pop in mb.populations(b, priors):
            path = tmp_path / "s.yaml"
            path.write_text(mb.scenario_yaml(b, priors, pop), encoding="utf-8")
            sc = load(path).scenario
            assert ("rear" in sc.settlements) == (not b.encircled)
            assert sc.settlements["city"].population == pop


def test_interval_score_rewards_the_right_median_and_a_range_that_holds_it(
        mb: ModuleType) -> None:
    games = np.array([[20.0, 30.0, 40.0, 50.0, 60.0] * 4,      # centred on 40 days
                      [200.0, 300.0, 400.0, 500.0, 600.0] * 4])  # ten times too slow
    s = mb.score(games, 40.0, failed=False)
    assert s[0] < s[1]
    # A failed attack: only a fall before the actual duration is penalised.
    f = mb.score(games, 100.0, failed=True)
    assert f[1] == pytest.approx(0.0) and f[0] > 0


def test_counted_rates(mb: ModuleType, mt: ModuleType) -> None:
    rates = mb.counted_rates(mt.read(mb.DATA))
    assert rates["collapse_rate"]["events"] == 3
    assert rates["surrender_rate"]["events"] == 3
    tempo = load_tempo()
    assert tempo.collapse_rate == pytest.approx(rates["collapse_rate"]["rate"], rel=1e-5)
    assert tempo.surrender_rate == pytest.approx(rates["surrender_rate"]["rate"], rel=1e-5)


@pytest.mark.slow
def test_rerunning_the_fit_reproduces_tempo_json(mb: ModuleType) -> None:
    """The fitted values are written by the fit code, never by hand (about a minute on 2 cores)."""
    fit = mb.run_fit()
    fresh = json.loads(mb.render(mb.tempo_document(fit)))
    assert_same(fresh, json.loads(TEMPO.read_text(encoding="utf-8")), ordered=False)
    # The cross-validated targets of docs/validation.md, "Modern city battles".
    loo = fresh["fit"]["leave_one_out"]
    assert loo["median_abs_log2"] <= 1.0
    assert loo["coverage_10_90"] >= 0.7
    assert all(p < 0.5 for p in loo["failed"].values())


def test_the_engine_collapses_about_as_often_as_the_table_counts(mb: ModuleType) -> None:
    """``collapse_rate`` is counted per calendar day of battle and applied per day a place is
    under attack: played to their actual durations, the table's assaults collapse about once
    a playing (3 counted). Applied per day of engagement, as earlier, they collapsed a tenth
    as often (0.10)."""
    table = mb.collapses(games=100, seed=1)
    row = table.splitlines()[-1].split("|")
    model, counted = float(row[2]), float(row[3])
    assert counted == 3
    assert 0.4 < model < 3.0
