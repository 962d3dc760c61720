"""The whole CDB90 calibration: data -> split -> fits -> ``calibration.json``.

:func:`build_document` is deterministic (no random numbers: the split is by battle number), so
rerunning it on ``validation/data/cdb90`` reproduces ``wargame/data/calibration.json``; the test
suite checks exactly that. Numbers are rounded to ``SIGNIFICANT`` digits, and the engine-facing
:class:`~wargame.calibration.Calibration` is built from the rounded multipliers, so every
diagnostic describes exactly what the engine loads.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from calibration.attrition import (
    Breakpoints,
    Lanchester,
    breakpoints,
    casualty_rate_slopes,
    lanchester,
)
from calibration.cdb90 import BattleSet, load_battles
from calibration.logistic import LogisticFit, fit_logistic
from calibration.multipliers import MIN_TRAIN_BATTLES, PRIOR_SD, Multipliers
from calibration.multipliers import derive_multipliers as _derive
from calibration.space import (
    MIN_ADVANCE_BATTLES,
    Advance,
    FrontageLaw,
    advance_rates,
    frontage_law,
)
from calibration.success import (
    RIDGE,
    baseline_forecasts,
    design_matrix,
    effective_log_ratio,
    fit_engine,
    fit_success,
    skill_table,
    terrain_columns,
)
from wargame.calibration import OPEN_TERRAINS, Calibration

__all__ = [
    "ENGINE_MODEL",
    "FIRST_YEAR",
    "HOLDOUT_MODULUS",
    "FitResult",
    "build_document",
    "holdout_mask",
    "render_document",
    "run_fit",
]

HOLDOUT_MODULUS = 4
"""Held-out battles: ``isqno % HOLDOUT_MODULUS == 0`` (every 4th battle); the rest train."""

FIRST_YEAR = 1900
"""The calibration uses battles from this year on (``docs/validation.md`` says why)."""

SIGNIFICANT = 6
"""Significant digits kept in ``calibration.json``."""

ENGINE_MODEL = "engine model (calibration.json: fitted b0, b1 on the power ratio)"
RAW_MODEL = "stage-1 logistic, all fitted terms"
RATIO_MODEL = "logistic on ln(force ratio) only"
ERAS: tuple[tuple[int, int], ...] = ((1600, 1799), (1800, 1899), (1900, 1938), (1939, 1945))
ERAS_LAST: tuple[int, int] = (1946, 1973)

SPLIT_TEXT = (
    f"held out: battles with isqno % {HOLDOUT_MODULUS} == 0 (every 4th battle by CDB90 number); "
    "training: the rest"
)


def holdout_mask(b: BattleSet, fold: int = 0) -> NDArray[np.bool_]:
    """True for held-out battles: ``isqno % HOLDOUT_MODULUS == fold``."""
    out: NDArray[np.bool_] = (b.isqno % HOLDOUT_MODULUS) == fold
    return out


def _round(x: float) -> float:
    return float(f"{x:.{SIGNIFICANT}g}")


def _rounded(obj: Any) -> Any:
    """Round every float in a JSON-like structure; NaN becomes None (valid JSON)."""
    if isinstance(obj, float | np.floating):
        return _round(float(obj)) if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): _rounded(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_rounded(v) for v in obj]
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


@dataclass(frozen=True)
class FitResult:
    """Everything one calibration run produced (plots and docs read from here)."""

    battles: BattleSet
    train: BattleSet
    test: BattleSet
    success: LogisticFit  # stage 1
    engine: LogisticFit  # stage 2
    ratio_only: LogisticFit
    multipliers: Multipliers
    calibration: Calibration
    lanchester: Lanchester
    lanchester_raw: Lanchester
    slopes: dict[str, dict[str, float]]
    breakpoints: Breakpoints
    frontage_attacker: FrontageLaw
    frontage_defender: FrontageLaw
    advance: Advance
    forecasts: dict[str, NDArray[np.float64]]
    skill: dict[str, dict[str, float]]


def derive_rounded(fit: LogisticFit, train: BattleSet) -> Multipliers:
    """:func:`~calibration.multipliers.derive_multipliers`, values rounded."""
    m = _derive(fit, train)
    return Multipliers(
        posture={k: _round(v) for k, v in m.posture.items()},
        terrain={k: _round(v) for k, v in m.terrain.items()},
        air=_round(m.air),
        estimates=m.estimates,
    )


def _sources(
    mult: Multipliers, n_train: int, lanch: Lanchester, bps: Breakpoints,
    fa: FrontageLaw, fd: FrontageLaw, adv: Advance,
) -> dict[str, str]:
    sources = dict(mult.sources)
    stage2 = (
        f"CDB90 logistic on the power ratio (multipliers fixed), {n_train} training battles; "
        f"{SPLIT_TEXT}"
    )
    sources["success_intercept"] = stage2
    sources["success_log_ratio"] = stage2
    text = (
        "median over {n} CDB90 battles of {cas} casualties / ({side} initial strength x "
        "multipliers x calendar days)"
    )
    sources["attacker_k_per_day"] = text.format(n=lanch.n, cas="defender", side="attacker")
    sources["defender_k_per_day"] = text.format(n=lanch.n, cas="attacker", side="defender")
    sources["luck_sigma"] = f"pooled sd of ln(k_att) and ln(k_def) over the same {lanch.n} battles"
    sources["luck_correlation"] = (
        f"correlation of ln(k_att) and ln(k_def) over the same {lanch.n} battles"
    )
    sources["breakpoint"] = f"median casualty fraction of the loser, {bps.n} decisive CDB90 battles"
    sources["battle_days"] = "median calendar duration (duration1) of the CDB90 battles used"
    for side, law in (("attacker", fa), ("defender", fd)):
        text = (f"least squares of ln(front width WOFA1/WOFD1, km) on ln(initial strength), "
                f"{side}s of {law.n} CDB90 battles: width = coef x strength^exponent")
        sources[f"frontage_{side}_coef"] = text
        sources[f"frontage_{side}_exponent"] = text
    for t in adv.by_terrain:
        n = adv.counts[t]
        how = ("its own median" if n >= MIN_ADVANCE_BATTLES
               else f"fewer than {MIN_ADVANCE_BATTLES}: the median over all "
                    f"{adv.n_won} won battles (own median {adv.own_median[t]:.3g})")
        sources[f"advance_km_per_day.{t}"] = (
            f"median advance (KMDA) per calendar day of the CDB90 battles the attacker won in "
            f"{t} terrain ({n} battles; {how})")
    return sources


def run_fit(data_dir: Path, first_year: int = FIRST_YEAR, drop_draws: bool = False) -> FitResult:
    """Run the calibration on the CDB90 tables in ``data_dir``.

    Only battles fought in ``first_year`` or later are used (0: all eras); ``drop_draws``
    removes drawn battles instead of counting them as failed attacks (a sensitivity check).
    """
    battles = load_battles(data_dir)
    if first_year > 0:
        battles = battles.subset(battles.year >= first_year, f"fought in {first_year} or later")
    if drop_draws:
        battles = battles.subset(battles.wina != 0, "decisive (draws dropped)")
    test_mask = holdout_mask(battles)
    train, test = battles.subset(~test_mask), battles.subset(test_mask)

    success = fit_success(train)
    mult = derive_rounded(success, train)
    engine = fit_engine(train, mult)
    ratio_x = np.column_stack([np.ones(len(train)), train.log_ratio])
    ratio_only = fit_logistic(ratio_x, train.success, ("intercept", "log_ratio"))
    lanch, bps = lanchester(battles, mult), breakpoints(battles)
    fa = frontage_law(battles.att_strength, battles.att_width)
    fd = frontage_law(battles.def_strength, battles.def_width)
    adv = advance_rates(battles)
    cal = Calibration(
        success_intercept=_round(float(engine.coef[0])),
        success_log_ratio=_round(float(engine.coef[1])),
        posture_multiplier=mult.posture,
        terrain_multiplier=mult.terrain,
        air_superiority_multiplier=mult.air,
        attacker_k_per_day=_round(lanch.k_att),
        defender_k_per_day=_round(lanch.k_def),
        luck_sigma=_round(lanch.luck_sigma),
        luck_correlation=_round(lanch.luck_correlation),
        breakpoint=_round(bps.loser_median),
        battle_days=_round(float(np.nanmedian(battles.days))),
        frontage_attacker_coef=_round(fa.coef),
        frontage_attacker_exponent=_round(fa.exponent),
        frontage_defender_coef=_round(fd.coef),
        frontage_defender_exponent=_round(fd.exponent),
        advance_km_per_day={t: _round(adv.by_terrain.get(t, adv.overall))
                            for t in OPEN_TERRAINS},
        sources=_sources(mult, len(train), lanch, bps, fa, fd, adv),
    )
    forecasts = {
        ENGINE_MODEL: cal.p_success(test.log_ratio, test.posture, test.terrain, test.air),
        RAW_MODEL: success.predict(design_matrix(test, terrain_columns(train))),
        RATIO_MODEL: ratio_only.predict(np.column_stack([np.ones(len(test)), test.log_ratio])),
    }
    forecasts.update(baseline_forecasts(train, test))
    return FitResult(
        battles=battles,
        train=train,
        test=test,
        success=success,
        engine=engine,
        ratio_only=ratio_only,
        multipliers=mult,
        calibration=cal,
        lanchester=lanch,
        lanchester_raw=lanchester(battles, None),
        slopes=casualty_rate_slopes(battles),
        breakpoints=bps,
        frontage_attacker=fa,
        frontage_defender=fd,
        advance=adv,
        forecasts=forecasts,
        skill=skill_table(forecasts, test.success),
    )


def fold_skill(battles: BattleSet, fold: int) -> dict[str, Any]:
    """Held-out skill of the engine model and the baselines with fold ``fold`` held out."""
    test_mask = holdout_mask(battles, fold)
    train, test = battles.subset(~test_mask), battles.subset(test_mask)
    mult = derive_rounded(fit_success(train), train)
    engine = fit_engine(train, mult)
    x = np.column_stack([np.ones(len(test)), effective_log_ratio(test, mult)])
    forecasts = {ENGINE_MODEL: engine.predict(x)}
    forecasts.update(baseline_forecasts(train, test))
    return {"fold": fold, "n_test": len(test), "skill": skill_table(forecasts, test.success)}


def _summary(result: FitResult) -> dict[str, Any]:
    fit = result.success
    return {
        "n_train": len(result.train),
        "n_test": len(result.test),
        "stage1_log_ratio": [float(fit.coef[1]), float(fit.stderr[1])],
        "engine": [float(c) for c in result.engine.coef],
        "multipliers": {**result.multipliers.posture, "air": result.multipliers.air},
        "held_out_skill": result.skill,
    }


def _era_slopes(data_dir: Path) -> list[dict[str, Any]]:
    """Ratio-only logistic per era on every usable battle (why the calibration starts in 1900)."""
    allb = load_battles(data_dir)
    rows = []
    for lo, hi in (*ERAS, ERAS_LAST):
        b = allb.subset((allb.year >= lo) & (allb.year <= hi))
        x = np.column_stack([np.ones(len(b)), b.log_ratio])
        f = fit_logistic(x, b.success, ("intercept", "log_ratio"))
        rows.append(
            {
                "years": f"{lo}-{hi}",
                "n": len(b),
                "success_rate": float(np.mean(b.success)),
                "b1": float(f.coef[1]),
                "b1_stderr": float(f.stderr[1]),
            }
        )
    return rows


def build_document(data_dir: Path) -> tuple[FitResult, dict[str, Any]]:
    """Run the calibration and its checks; return the result and ``calibration.json``."""
    result = run_fit(data_dir)
    fit, train = result.success, result.train
    document = {
        "about": (
            "Combat parameters calibrated on CDB90 (US Army CAA, 1991; tidied by J. Arnold, "
            "ODC-BY 1.0). Written by validation/cdb90_fit.py -- do not edit by hand; "
            "tests/test_calibration.py reruns the fit and compares. See docs/validation.md."
        ),
        "parameters": result.calibration.to_dict(),
        "fit": {
            "filters": [[label, n] for label, n in result.battles.filters],
            "split": SPLIT_TEXT,
            "n_train": len(train),
            "n_test": len(result.test),
            "training_success_rate": float(np.mean(train.success)),
            "ridge": RIDGE,
            "prior_sd_ln_multiplier": PRIOR_SD,
            "min_train_battles_per_terrain_class": MIN_TRAIN_BATTLES,
            "stage1_coefficients": {
                name: [float(c), float(se)]
                for name, c, se in zip(fit.names, fit.coef, fit.stderr, strict=True)
            },
            "stage2_coefficients": {
                name: [float(c), float(se)]
                for name, c, se in zip(
                    result.engine.names, result.engine.coef, result.engine.stderr, strict=True
                )
            },
            "ratio_only_coefficients": result.ratio_only.as_dict(),
            "multiplier_estimates": [asdict(e) for e in result.multipliers.estimates],
            "train_counts": {
                "posture": _counts(train.posture),
                "terrain": _counts(train.terrain),
                "air": _counts(train.air),
            },
            "held_out_skill": result.skill,
            "fourfold_skill": [fold_skill(result.battles, k) for k in range(HOLDOUT_MODULUS)],
            "lanchester_power_basis": asdict(result.lanchester),
            "lanchester_strength_basis": asdict(result.lanchester_raw),
            "casualty_rate_vs_log_ratio": result.slopes,
            "breakpoints": asdict(result.breakpoints),
            "frontage_attacker": asdict(result.frontage_attacker),
            "frontage_defender": asdict(result.frontage_defender),
            "advance": asdict(result.advance),
        },
        "sensitivity": {
            "ratio_slope_by_era": _era_slopes(data_dir),
            "all_eras": _summary(run_fit(data_dir, first_year=0)),
            "draws_dropped": _summary(run_fit(data_dir, drop_draws=True)),
        },
    }
    return result, _rounded(document)


def _counts(values: NDArray[Any]) -> dict[str, int]:
    keys, counts = np.unique(values.astype(str), return_counts=True)
    return {str(k): int(c) for k, c in zip(keys, counts, strict=True)}


def render_document(document: dict[str, Any]) -> str:
    """JSON text as written to disk (stable key order, trailing newline)."""
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
