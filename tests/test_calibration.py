"""Tests of the CDB90 calibration (the fit in calibration/, the values wargame.calibration reads)
and of calibration.json."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from same import assert_same

from calibration.cdb90 import load_battles, map_posture, map_terrain
from calibration.fit import ENGINE_MODEL, FitResult, build_document, fold_skill
from calibration.logistic import brier_score, fit_logistic, log_loss
from wargame.calibration import POSTURES, TERRAINS, Calibration, load_calibration

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "validation" / "data" / "cdb90"
JSON_PATH = ROOT / "wargame" / "data" / "calibration.json"
BASELINES = (
    "attacker always wins (training base rate)",
    "3:1 rule (training rates of the two bins)",
)


@pytest.fixture(scope="module")
def fitted() -> tuple[FitResult, dict[str, Any]]:
    """One run of the whole fit, shared by the tests of this module (about 0.5 s)."""
    return build_document(DATA_DIR)


def test_rerunning_the_fit_reproduces_calibration_json(fitted: tuple[FitResult, Any]) -> None:
    _, document = fitted
    on_disk = json.loads(JSON_PATH.read_text(encoding="utf-8"))
    assert_same(document, on_disk)


def test_engine_model_beats_both_baselines_on_the_held_out_battles(
    fitted: tuple[FitResult, Any],
) -> None:
    result, _ = fitted
    y = result.test.success
    model = result.forecasts[ENGINE_MODEL]
    for name in BASELINES:
        baseline = result.forecasts[name]
        assert brier_score(model, y) < brier_score(baseline, y), name
        assert log_loss(model, y) < log_loss(baseline, y), name


@pytest.mark.parametrize("fold", range(4))
def test_engine_model_beats_both_baselines_in_every_fold(
    fitted: tuple[FitResult, Any], fold: int
) -> None:
    result, _ = fitted
    skill = fold_skill(result.battles, fold)["skill"]
    for name in BASELINES:
        assert skill[ENGINE_MODEL]["brier"] < skill[name]["brier"], name
        assert skill[ENGINE_MODEL]["log_loss"] < skill[name]["log_loss"], name


def test_load_calibration_types_and_keys() -> None:
    cal = load_calibration()
    assert cal is load_calibration()  # cached
    assert isinstance(cal, Calibration)
    assert list(cal.posture_multiplier) == list(POSTURES)
    assert list(cal.terrain_multiplier) == list(TERRAINS)
    assert set(TERRAINS) == {"urban", "suburban", "rural", "mountain", "desert", "forest"}
    assert set(POSTURES) == {"hasty", "prepared", "fortified"}
    assert cal.posture_multiplier["hasty"] == 1.0
    assert cal.terrain_multiplier["rural"] == 1.0
    multipliers = [*cal.posture_multiplier.values(), *cal.terrain_multiplier.values()]
    assert all(isinstance(m, float) and m > 0 for m in multipliers)
    assert cal.air_superiority_multiplier >= 1.0
    for value in (cal.attacker_k_per_day, cal.defender_k_per_day, cal.luck_sigma):
        assert isinstance(value, float) and value > 0
    assert 0.0 < cal.breakpoint < 1.0
    assert cal.success_log_ratio > 0
    assert all(isinstance(v, str) and v for v in cal.sources.values())
    for name in (*(f"posture_multiplier.{p}" for p in POSTURES), "breakpoint", "luck_sigma"):
        assert name in cal.sources


def test_p_success_is_a_monotone_probability() -> None:
    cal = load_calibration()
    log_ratio = np.linspace(-5.0, 5.0, 201)
    for posture in POSTURES:
        for terrain in TERRAINS:
            for air in (-1.0, 0.0, 1.0):
                p = cal.p_success(log_ratio, posture, terrain, air)
                assert p.shape == log_ratio.shape
                assert np.all((p >= 0.0) & (p <= 1.0))
                assert np.all(np.diff(p) > 0)
    # Defences and air superiority move the probability the right way.
    assert cal.p_success(0.0, "fortified") < cal.p_success(0.0, "hasty")
    assert cal.p_success(0.0, air=1.0) > cal.p_success(0.0) > cal.p_success(0.0, air=-1.0)
    assert math.isclose(float(cal.p_success(0.0)), 1.0 / (1.0 + math.exp(-cal.success_intercept)))


def test_p_success_broadcasts_arrays_of_names() -> None:
    cal = load_calibration()
    postures = np.array(["hasty", "fortified", "prepared"])
    terrains = np.array(["urban", "rural", "forest"])
    p = cal.p_success(np.array([0.0, 0.5, 1.0]), postures, terrains, np.array([1, 0, -1]))
    expected = [
        cal.p_success(lr, po, te, a)
        for lr, po, te, a in zip([0.0, 0.5, 1.0], postures, terrains, [1, 0, -1], strict=True)
    ]
    assert np.allclose(p, expected)
    with pytest.raises(KeyError):
        cal.p_success(0.0, "entrenched")


def test_calibration_rejects_wrong_keys() -> None:
    good = load_calibration().to_dict()
    bad = {**good, "terrain_multiplier": {**good["terrain_multiplier"], "jungle": 1.2}}
    with pytest.raises(ValueError, match="terrain_multiplier keys"):
        Calibration.from_dict(bad)


def test_logistic_fitter_recovers_known_coefficients() -> None:
    rng = np.random.default_rng(20240611)
    n = 20_000
    true = np.array([-0.5, 1.2, -0.8])
    x = np.column_stack([np.ones(n), rng.normal(size=n), rng.integers(0, 2, size=n)])
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-(x @ true)))).astype(float)
    fit = fit_logistic(x, y, ("b0", "b1", "b2"))
    # Tolerance 0.1 is about four standard errors at this n; the reported se must agree.
    assert np.all(np.abs(fit.coef - true) < 0.1), fit.coef
    assert np.all(fit.stderr < 0.05)
    assert np.all(np.abs(fit.coef - true) < 4 * fit.stderr)


def test_ridge_keeps_a_separated_fit_finite() -> None:
    x = np.column_stack([np.ones(6), [-3.0, -2.0, -1.0, 1.0, 2.0, 3.0]])
    y = np.array([0.0, 0.0, 0.0, 1.0, 1.0, 1.0])
    fit = fit_logistic(x, y, ("b0", "b1"), ridge=1.0)
    assert np.all(np.isfinite(fit.coef)) and 0 < fit.coef[1] < 10


def test_scores_on_known_values() -> None:
    y = np.array([1.0, 0.0])
    assert brier_score([0.5, 0.5], y) == pytest.approx(0.25)
    assert log_loss([0.5, 0.5], y) == pytest.approx(math.log(2.0))
    assert log_loss([1.0, 0.0], y) == pytest.approx(0.0, abs=1e-9)  # clipped, no warning


def test_negative_codes_are_restored_from_the_caa_file() -> None:
    battles = load_battles(DATA_DIR)
    # The tidied battles.csv has blanks where CDB90 says -1; losses and defender air
    # superiority must nevertheless be present after the repair.
    assert np.sum(battles.wina == -1) > 100
    assert np.sum(battles.air == -1) > 20
    assert set(np.unique(battles.wina).tolist()) == {-1, 0, 1}


def test_code_mappings() -> None:
    assert map_posture("HD") == "hasty" and map_posture("DL") == "hasty"
    assert map_posture("PD") == "prepared" and map_posture("FD") == "fortified"
    assert map_posture("") is None
    assert map_terrain("", "", "U") == "urban"
    assert map_terrain("R", "D", "") == "desert"
    assert map_terrain("G", "W", "") == "mountain"
    assert map_terrain("F", "W", "") == "forest"
    assert map_terrain("R", "M", "") == "rural"
    assert map_terrain("", "", "") is None


def test_calibration_code_reads_no_shared_data() -> None:
    forbidden = "/work/" + "shared"
    files = [*(ROOT / "wargame" / "calibration").glob("*.py"), *(ROOT / "calibration").glob("*.py"),
             ROOT / "validation" / "cdb90_fit.py"]
    for path in files:
        assert forbidden not in path.read_text(encoding="utf-8"), path
