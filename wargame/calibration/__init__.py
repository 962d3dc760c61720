"""Combat parameters calibrated on CDB90, as the engine uses them.

The numbers live in ``wargame/data/calibration.json``, which is written by the fit code
(``validation/cdb90_fit.py`` -> :mod:`calibration.fit`, in the repository's top-level
``calibration`` package, which is not installed), never by hand; a test reruns the fit and
compares. This module only reads the file, so importing it needs numpy and nothing else.

Conventions the engine relies on:

* ``log_ratio`` is ``ln(attacker strength / defender strength)`` in raw personnel (or power
  before the multipliers below).
* Posture and terrain multipliers apply to the *defender's* power; ``hasty`` and ``rural`` are
  1.0 by definition (the baseline of the fit).
* ``air`` is +1 when the attacker has air superiority, -1 when the defender has it, 0 when
  neither; the side that has it multiplies its power by ``air_superiority_multiplier``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from wargame.jsontypes import JSONObject, RawMapping, mapping, number

__all__ = [
    "CALIBRATION_FILE",
    "OPEN_TERRAINS",
    "POSTURES",
    "TERRAINS",
    "Calibration",
    "load_calibration",
]

POSTURES: tuple[str, ...] = ("hasty", "prepared", "fortified")
"""Defender postures the engine knows, in increasing order of preparation."""

TERRAINS: tuple[str, ...] = ("urban", "suburban", "rural", "mountain", "desert", "forest")
"""Terrain classes the engine knows."""

CALIBRATION_FILE = "calibration.json"
"""File name of the fitted values inside the ``wargame/data`` directory."""

_FLOAT_FIELDS: tuple[str, ...] = (
    "success_intercept",
    "success_log_ratio",
    "air_superiority_multiplier",
    "attacker_k_per_day",
    "defender_k_per_day",
    "luck_sigma",
    "luck_correlation",
    "breakpoint",
    "battle_days",
    "frontage_attacker_coef",
    "frontage_attacker_exponent",
    "frontage_defender_coef",
    "frontage_defender_exponent",
)

OPEN_TERRAINS: tuple[str, ...] = ("rural", "mountain", "desert", "forest")
"""Terrain classes whose advance rate CDB90 gives; urban and suburban come from the modern
city battles (:mod:`wargame.calibration.tempo`)."""


@dataclass(frozen=True)
class Calibration:
    """Fitted combat parameters (see ``docs/validation.md``, section on CDB90).

    ``success_intercept`` and ``success_log_ratio`` define
    ``logit P(attack succeeds) = success_intercept + success_log_ratio * effective_log_ratio``
    where the effective log ratio includes every power multiplier; at force ratio 1, hasty
    defence, rural terrain and no air superiority the logit is ``success_intercept``.
    """

    success_intercept: float
    success_log_ratio: float
    posture_multiplier: dict[str, float]
    terrain_multiplier: dict[str, float]
    air_superiority_multiplier: float
    attacker_k_per_day: float
    defender_k_per_day: float
    luck_sigma: float
    luck_correlation: float
    breakpoint: float
    battle_days: float
    frontage_attacker_coef: float
    frontage_attacker_exponent: float
    frontage_defender_coef: float
    frontage_defender_exponent: float
    advance_km_per_day: dict[str, float]
    sources: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems: list[str] = []
        if tuple(sorted(self.posture_multiplier)) != tuple(sorted(POSTURES)):
            problems.append(f"posture_multiplier keys must be {POSTURES}")
        if tuple(sorted(self.terrain_multiplier)) != tuple(sorted(TERRAINS)):
            problems.append(f"terrain_multiplier keys must be {TERRAINS}")
        if tuple(sorted(self.advance_km_per_day)) != tuple(sorted(OPEN_TERRAINS)):
            problems.append(f"advance_km_per_day keys must be {OPEN_TERRAINS}")
        values = [*self.posture_multiplier.values(), *self.terrain_multiplier.values(),
                  *self.advance_km_per_day.values()]
        values += [getattr(self, name) for name in _FLOAT_FIELDS
                   if name not in ("success_intercept", "luck_correlation")]
        if not all(math.isfinite(v) and v > 0 for v in values):
            problems.append("multipliers, slope, k's, luck_sigma and breakpoint must be > 0")
        if not math.isfinite(self.success_intercept):
            problems.append("success_intercept must be finite")
        if self.air_superiority_multiplier < 1.0:
            problems.append("air_superiority_multiplier must be >= 1")
        if not -1.0 < self.luck_correlation < 1.0:
            problems.append("luck_correlation must lie in (-1, 1)")
        if not 0.0 < self.breakpoint < 1.0:
            problems.append("breakpoint must be a fraction in (0, 1)")
        if problems:
            raise ValueError("invalid calibration: " + "; ".join(problems))

    def effective_log_ratio(
        self,
        log_ratio: ArrayLike,
        posture: str | ArrayLike = "hasty",
        terrain: str | ArrayLike = "rural",
        air: ArrayLike = 0.0,
    ) -> NDArray[np.float64]:
        """``ln`` of the power ratio after posture, terrain and air-superiority multipliers.

        ``posture`` and ``terrain`` may be single names or arrays of names (broadcast against
        ``log_ratio``); ``air`` is +1 (attacker has air superiority), -1 (defender has it) or 0,
        and may be fractional or an array.
        """
        lr = np.asarray(log_ratio, dtype=np.float64)
        ln_post = _log_lookup(self.posture_multiplier, posture, "posture")
        ln_terr = _log_lookup(self.terrain_multiplier, terrain, "terrain")
        ln_air = math.log(self.air_superiority_multiplier)
        result: NDArray[np.float64] = lr + np.asarray(air, dtype=np.float64) * ln_air
        return result - ln_post - ln_terr

    def p_success(
        self,
        log_ratio: ArrayLike,
        posture: str | ArrayLike = "hasty",
        terrain: str | ArrayLike = "rural",
        air: ArrayLike = 0.0,
    ) -> NDArray[np.float64]:
        """Probability that an attack succeeds (CDB90 ``wina == 1``; draws count as failures).

        ``log_ratio`` is ``ln(attacker / defender strength)`` before multipliers (scalar or
        array). The defender's posture and terrain multipliers divide the ratio and air
        superiority multiplies (``air=+1``) or divides (``air=-1``) it, exactly as they scale
        power in the engine; the result is ``expit(b0 + b1 * effective_log_ratio)`` with the
        shape of the broadcast inputs, every value in [0, 1] and increasing in ``log_ratio``.
        """
        x = self.effective_log_ratio(log_ratio, posture, terrain, air)
        z = self.success_intercept + self.success_log_ratio * x
        # Numerically stable logistic without scipy: exp of a non-positive number only.
        ez = np.exp(-np.abs(z))
        out: NDArray[np.float64] = np.where(z >= 0, 1.0 / (1.0 + ez), ez / (1.0 + ez))
        return out

    def to_dict(self) -> JSONObject:
        """The parameters as a JSON-ready dict (the layout of ``calibration.json``)."""
        return {
            "success_intercept": self.success_intercept,
            "success_log_ratio": self.success_log_ratio,
            "posture_multiplier": {k: self.posture_multiplier[k] for k in POSTURES},
            "terrain_multiplier": {k: self.terrain_multiplier[k] for k in TERRAINS},
            "air_superiority_multiplier": self.air_superiority_multiplier,
            "attacker_k_per_day": self.attacker_k_per_day,
            "defender_k_per_day": self.defender_k_per_day,
            "luck_sigma": self.luck_sigma,
            "luck_correlation": self.luck_correlation,
            "breakpoint": self.breakpoint,
            "battle_days": self.battle_days,
            "frontage_attacker_coef": self.frontage_attacker_coef,
            "frontage_attacker_exponent": self.frontage_attacker_exponent,
            "frontage_defender_coef": self.frontage_defender_coef,
            "frontage_defender_exponent": self.frontage_defender_exponent,
            "advance_km_per_day": {k: self.advance_km_per_day[k] for k in OPEN_TERRAINS},
            "sources": dict(self.sources),
        }

    @classmethod
    def from_dict(cls, data: RawMapping) -> Calibration:
        """Build from the ``parameters`` mapping of ``calibration.json`` (extra keys ignored;
        ``TypeError`` naming a value of the wrong type)."""
        def table(key: str) -> dict[str, float]:
            return {k: number(v, f"{key}.{k}") for k, v in mapping(data.get(key), key).items()}

        return cls(
            **{name: number(data.get(name), name) for name in _FLOAT_FIELDS},
            posture_multiplier=table("posture_multiplier"),
            terrain_multiplier=table("terrain_multiplier"),
            advance_km_per_day=table("advance_km_per_day"),
            sources={str(k): str(v) for k, v in mapping(data.get("sources", {}),
                                                        "sources").items()},
        )


def _log_lookup(table: Mapping[str, float], names: str | ArrayLike, what: str) -> Any:
    """``ln(table[name])`` for one name or an array of names; unknown names raise KeyError."""
    if isinstance(names, str):
        if names not in table:
            raise KeyError(f"unknown {what} {names!r}; expected one of {sorted(table)}")
        return math.log(table[names])
    arr = np.asarray(names)
    unknown = set(np.unique(arr).tolist()) - set(table)
    if unknown:
        raise KeyError(f"unknown {what} {sorted(unknown)}; expected one of {sorted(table)}")
    keys = list(table)
    logs = np.log(np.array([table[k] for k in keys], dtype=np.float64))
    index = {k: i for i, k in enumerate(keys)}
    idx = np.vectorize(index.__getitem__, otypes=[np.intp])(arr) if arr.size else arr.astype(int)
    return logs[idx]


@cache
def load_calibration() -> Calibration:
    """The packaged calibration (``wargame/data/calibration.json``), read once and cached."""
    text = files("wargame").joinpath("data", CALIBRATION_FILE).read_text(encoding="utf-8")
    document = json.loads(text)
    return Calibration.from_dict(document["parameters"])
