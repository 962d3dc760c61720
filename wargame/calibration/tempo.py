"""Campaign tempo calibrated on modern battles for towns and cities, as the engine uses it.

CDB90's battles are one or two days of combat; these parameters say how many such days a week
of fighting for a place brings, how fast built-up ground is cleared, and how often a defence
collapses or a siege ends in a deal. The numbers live in ``wargame/data/tempo.json``, written
by ``validation/modern_battles.py`` (never by hand); ``tests/test_modern_battles.py`` reruns
the fit and compares. See ``docs/validation.md``, "Modern city battles".
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

from wargame.jsontypes import JSONObject, RawMapping, mapping, number
from wargame.scenario.settings import SETTINGS, Setting

__all__ = ["TEMPO_FILE", "TEMPO_SETTINGS", "Tempo", "load_tempo"]

TEMPO_FILE = "tempo.json"
"""File name of the fitted tempo inside the ``wargame/data`` directory."""

TEMPO_SETTINGS: tuple[Setting, ...] = tuple(
    s for s in SETTINGS if s.calibrated == "modern battles")
"""The settings ``tempo.json`` gives (``wargame/scenario/settings.py``, "calibrated: modern
battles"), in registry order; a value is checked against the setting's own bounds."""


@dataclass(frozen=True)
class Tempo:
    """Fitted and counted tempo parameters (see ``docs/model.md``, "Time" and "Space"), read
    as attributes by their setting names (``tempo.engagement_rate``):

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

    values: Mapping[str, float]
    sources: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        names = [s.name for s in TEMPO_SETTINGS]
        problems = [f"{name} is missing" for name in names if name not in self.values]
        problems += [f"{name} is not a tempo setting" for name in self.values
                     if name not in names]
        problems += [p for s in TEMPO_SETTINGS if s.name in self.values
                     if (p := s.problem(self.values[s.name])) is not None]
        if problems:
            raise ValueError("invalid tempo: " + "; ".join(problems))

    def __getattr__(self, name: str) -> float:
        values = self.__dict__.get("values")  # absent while a pickle is being restored
        if values is None or name not in values:
            raise AttributeError(name)
        return float(values[name])

    def to_dict(self) -> JSONObject:
        """The parameters as a JSON-ready dict (the ``parameters`` of ``tempo.json``)."""
        return {**{s.name: self.values[s.name] for s in TEMPO_SETTINGS},
                "sources": dict(self.sources)}

    @classmethod
    def from_dict(cls, data: RawMapping) -> Tempo:
        """Build from the ``parameters`` mapping of ``tempo.json`` (extra keys ignored;
        ``TypeError`` naming a value of the wrong type)."""
        missing = [s.name for s in TEMPO_SETTINGS if s.name not in data]
        if missing:
            raise ValueError("invalid tempo: " + "; ".join(f"{n} is missing" for n in missing))
        return cls({s.name: number(data[s.name], s.name) for s in TEMPO_SETTINGS},
                   sources={str(k): str(v) for k, v in mapping(data.get("sources", {}),
                                                               "sources").items()})


@cache
def load_tempo() -> Tempo:
    """The packaged tempo (``wargame/data/tempo.json``), read once and cached."""
    text = files("wargame").joinpath("data", TEMPO_FILE).read_text(encoding="utf-8")
    return Tempo.from_dict(json.loads(text)["parameters"])
