"""Campaign tempo calibrated on modern battles for towns and cities, as the engine uses it.

CDB90's battles are one or two days of combat; these parameters say how many such days a week
of fighting for a place brings, how fast built-up ground is cleared, and how often a defence
collapses or a siege ends in a deal. The numbers live in ``wargame/data/tempo.json``, written
by ``validation/modern_battles.py`` (never by hand); ``tests/test_modern_battles.py`` reruns
the fit and compares. See ``docs/validation.md``, "Modern city battles".
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

__all__ = ["TEMPO_FILE", "Tempo", "load_tempo"]

TEMPO_FILE = "tempo.json"
"""File name of the fitted tempo inside the ``wargame/data`` directory."""

_FIELDS: tuple[str, ...] = (
    "engagement_rate",
    "engagement_spread",
    "urban_advance_km_per_day",
    "garrison_break",
    "collapse_rate",
    "surrender_rate",
)


@dataclass(frozen=True)
class Tempo:
    """Fitted and counted tempo parameters (see ``docs/model.md``, "Time" and "Space").

    * ``engagement_rate``: chance that a given day of a turn sees a CDB90-type engagement at a
      contested place (the median over places and games).
    * ``engagement_spread``: standard deviation, on the logit scale, of that chance between
      places and games (some fronts are fought hard, others barely).
    * ``urban_advance_km_per_day``: ground an attacker clears on an engagement day it wins in
      urban terrain.
    * ``garrison_break``: the wear (summed daily loss shares) at which a garrison of morale 0.5
      gives its place up (``x (0.5 + morale)`` for other morale).
    * ``collapse_rate``: daily hazard that a garrison under attack collapses outright, at the
      reference morale 0.6.
    * ``surrender_rate``: daily hazard that a besieged place ends its siege by a deal.
    """

    engagement_rate: float
    engagement_spread: float
    urban_advance_km_per_day: float
    garrison_break: float
    collapse_rate: float
    surrender_rate: float
    sources: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems = []
        if not 0.0 < self.engagement_rate <= 1.0:
            problems.append("engagement_rate must lie in (0, 1]")
        if not (math.isfinite(self.engagement_spread) and self.engagement_spread >= 0):
            problems.append("engagement_spread must be >= 0")
        if not (math.isfinite(self.garrison_break) and self.garrison_break > 0):
            problems.append("garrison_break must be > 0")
        if not (math.isfinite(self.urban_advance_km_per_day)
                and self.urban_advance_km_per_day > 0):
            problems.append("urban_advance_km_per_day must be > 0")
        for name in ("collapse_rate", "surrender_rate"):
            if not 0.0 <= getattr(self, name) < 1.0:
                problems.append(f"{name} must lie in [0, 1)")
        if problems:
            raise ValueError("invalid tempo: " + "; ".join(problems))

    def to_dict(self) -> dict[str, Any]:
        """The parameters as a JSON-ready dict (the ``parameters`` of ``tempo.json``)."""
        return {**{name: getattr(self, name) for name in _FIELDS}, "sources": dict(self.sources)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Tempo:
        """Build from the ``parameters`` mapping of ``tempo.json`` (extra keys ignored)."""
        return cls(**{name: float(data[name]) for name in _FIELDS},
                   sources={str(k): str(v) for k, v in data.get("sources", {}).items()})


@cache
def load_tempo() -> Tempo:
    """The packaged tempo (``wargame/data/tempo.json``), read once and cached."""
    text = files("wargame").joinpath("data", TEMPO_FILE).read_text(encoding="utf-8")
    return Tempo.from_dict(json.loads(text)["parameters"])
