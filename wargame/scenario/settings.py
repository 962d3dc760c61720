"""The model settings: every key of a scenario's ``model:`` block, declared once.

Each :class:`Setting` gives the one name of a setting (its YAML key, and ``model.NAME`` in the
engine's parameters, the fit, the records and ``--set``), its type and bounds, its default and
where the default comes from, whether it may be a distribution (sampled once per game), the
engine module that reads it and a line of documentation. From :data:`SETTINGS` come

* the schema's ``ModelSettings`` (:func:`model_fields`, in :mod:`wargame.scenario.schema`);
* the compiled parameters (``wargame/engine/compile.py``: every sampled setting);
* the fields and checks of ``wargame/data/tempo.json`` (``wargame/calibration/tempo.py``: the
  settings calibrated on modern battles);
* the table of ``docs/scenario-format.md`` (:mod:`wargame.scenario.settings_doc`:
  ``python -m wargame.scenario.settings_doc --update docs/scenario-format.md`` rewrites it,
  ``tests/test_settings_registry.py`` fails when they disagree).

``docs/model.md`` gives every formula and argues every default; ``source`` here names it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field

Kind = Literal["number", "whole", "switch", "choice"]

CDB90 = "calibrated: CDB90"
"""Source of a setting left unset that takes its value from ``wargame/data/calibration.json``."""
MODERN_BATTLES = "calibrated: modern battles (tempo.json)"
"""Source of a setting left unset that takes its value from ``wargame/data/tempo.json``."""


@dataclass(frozen=True)
class Setting:
    """One ``model:`` setting.

    ``low``/``high`` bound every value the setting may take (``None``: no bound);
    ``above_low`` makes ``low`` itself out of bounds. ``default`` ``None`` means unset: a
    setting whose ``source`` is :data:`CDB90` or :data:`MODERN_BATTLES` then takes the
    calibrated value, any other is off. ``read_by`` is the module of ``wargame/engine/`` that
    reads it.
    """

    name: str
    kind: Kind
    default: float | int | bool | str | None
    source: str
    read_by: str
    doc: str
    example: str
    low: float | None = None
    high: float | None = None
    above_low: bool = False
    sampled: bool = False
    choices: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """The name of the setting among the compiled parameters and ``--set`` paths."""
        return f"model.{self.name}"

    @property
    def calibrated(self) -> Literal["CDB90", "modern battles"] | None:
        """Which fit gives the value when the setting is unset, if any."""
        if self.source == CDB90:
            return "CDB90"
        return "modern battles" if self.source == MODERN_BATTLES else None

    def problem(self, value: float) -> str | None:
        """What is wrong with a plain number for this setting, or ``None`` if it is allowed
        (the checks of a calibrated value; the schema states the same bounds to pydantic)."""
        if not math.isfinite(value):
            return f"{self.name} must be a finite number"
        if self.low is not None and (value <= self.low if self.above_low else value < self.low):
            return f"{self.name} must be {'more than' if self.above_low else 'at least'} " \
                   f"{bound_text(self.low)} (got {value:g})"
        if self.high is not None and value > self.high:
            return f"{self.name} must be at most {bound_text(self.high)} (got {value:g})"
        return None


def _fraction(name: str, default: float | None, source: str, read_by: str, doc: str,
              example: str, **kw: Any) -> Setting:
    return Setting(name, "number", default, source, read_by, doc, example, low=0.0, high=1.0,
                   **kw)


_SWITCH = "switch: the full model"
_JUDGEMENT = "judgement"

# In the order of the phases that read them. The sampled settings are drawn in this order
# (before every other parameter of a game): moving one changes every random game.
SETTINGS: tuple[Setting, ...] = (
    # Combat: the Lanchester law of an engagement day (phases/combat.py, phases/engagement.py).
    Setting("law", "choice", "square", "judgement: aimed fire", "phases/combat.py",
            "Lanchester law of an engagement day (aimed or area fire).", "linear",
            choices=("square", "linear")),
    Setting("steps_per_day", "whole", 1, _JUDGEMENT, "phases/combat.py",
            "Integration steps per day of fighting.", "2", low=1, high=48),
    Setting("attacker_k_per_day", "number", None, CDB90, "phases/combat.py",
            "Attacker's fire effectiveness per day.", "0.02", low=0.0, above_low=True,
            sampled=True),
    Setting("defender_k_per_day", "number", None, CDB90, "phases/combat.py",
            "Defender's fire effectiveness per day.", "0.03", low=0.0, above_low=True,
            sampled=True),
    Setting("luck_sigma", "number", None, CDB90, "phases/combat.py",
            "Battle-to-battle spread of effectiveness, log scale.", "0.5", low=0.0, high=3.0,
            sampled=True),
    Setting("rout_ratio", "number", 3.0, "the 3:1 rule", "state.py",
            "Odds in contact at which a side breaks.", "4", low=1.0, high=100.0, sampled=True),
    # Time: how many days of a turn a contested place is fought over (phases/combat.py).
    Setting("battle_days", "number", None, "off: the days are drawn (engagement_rate)",
            "phases/combat.py",
            "Fix the days of fighting at every attacked place each turn (at most the turn) instead "
            "of drawing them.", "2", low=0.0, high=366.0, above_low=True),
    _fraction("engagement_rate", None, MODERN_BATTLES, "state.py",
              "Chance that a day at an attacked place sees an engagement.", "0.3", sampled=True),
    Setting("engagement_spread", "number", None, MODERN_BATTLES, "state.py",
            "Spread of that chance between places and games, logit scale.", "0.5", low=0.0,
            high=3.0, sampled=True),
    # Space: frontage and ground (wargame/engine/space.py).
    Setting("engagement_model", "switch", True, _SWITCH, "space.py",
            "Fight on a limited front with ground to clear and garrison wear (`false`: classic "
            "decisive battles).", "false"),
    Setting("urban_density", "number", 9200.0, "Demographia World Urban Areas (2006)", "space.py",
            "People per km² of built-up area, to turn a population into an area.", "12000",
            low=0.0, high=1e6, above_low=True),
    Setting("min_area_km2", "number", 1.0, _JUDGEMENT, "space.py",
            "Smallest area of a place, for villages, bases and crossings.", "0.5", low=0.0,
            high=1e5, above_low=True),
    Setting("urban_advance_km_per_day", "number", None, MODERN_BATTLES, "state.py",
            "Ground cleared on a won day in urban terrain (km).", "0.2", low=0.0, above_low=True,
            sampled=True),
    # Breaks, routs and collapse (phases/engagement.py).
    _fraction("rout_loss", 0.15, _JUDGEMENT, "phases/combat.py",
              "Extra loss of a repulsed attacker, or of a garrison that retreats.", "0.1"),
    Setting("max_engaged_ratio", "number", 1e6,
            "no cap: the modern battles favour 3, the theatres do not (docs/validation.md)",
            "phases/combat.py",
            "The attackers engaged on a day bring at most this many times the power of the "
            "defenders engaged; the rest wait (1,000,000: no cap).", "6", low=1.0, high=1e6),
    _fraction("breakout_loss", 0.35, "Debaltseve 2015 and Ilovaisk 2014", "phases/resolve.py",
              "Loss of a cut-off garrison that breaks out to the nearest places its faction "
              "holds when its place falls.", "0.5"),
    Setting("hold_threshold", "number", 10.0, _JUDGEMENT, "phases/combat.py",
            "A place whose defenders fall to this many fighters or fewer changes hands.", "25",
            low=0.0),
    _fraction("min_hold_share", 0.05, _JUDGEMENT, "phases/combat.py",
              "A garrison below this share of what its front holds cannot hold the place.", "0"),
    Setting("garrison_break", "number", None, MODERN_BATTLES, "phases/combat.py",
            "Summed daily losses at which a garrison (times 0.5 + morale) gives its place up.",
            "0.8", low=0.0, above_low=True, sampled=True),
    _fraction("collapse_rate", None, MODERN_BATTLES, "phases/combat.py",
              "Hazard per calendar day under attack that a garrison collapses, at morale 0.6 (0 "
              "switches collapse off).", "0", sampled=True),
    Setting("collapse_morale_slope", "number", 9.6, "judgement: Mosul 2014",
            "phases/combat.py",
            "How fast the collapse hazard grows as morale falls: ten times per 0.24 of morale.",
            "5", low=0.0, high=100.0),
    # Operations, culmination and pauses (phases/operations.py).
    Setting("campaign", "switch", True, _SWITCH, "run.py",
            "The campaign layer: operations with objectives, massing and pauses, garrisons that "
            "stay, quiet fronts and regeneration (`false`: every faction attacks wherever the 3:1 "
            "rule allows, every turn).", "false"),
    Setting("culmination_loss", "number", 0.25, "al-Shabaab's Mogadishu offensive, 2010",
            "phases/operations.py",
            "Share of its strength an offensive may lose before the faction pauses (1: never).",
            "0.4", low=0.0, high=1.0, above_low=True),
    Setting("push_days", "whole", 91, "judgement: the Mosul eastern offensive, 2016–17",
            "phases/operations.py", "Longest offensive before the faction pauses; also the days "
            "of attack a planner counts a brittle garrison exposed to collapse.", "60", low=1,
            high=100_000),
    Setting("pause_days", "whole", 63, "fitted on four theatres (validation/campaigns.py)",
            "phases/morale.py",
            "Pause after an operation culminates or stalls (none after one that took its "
            "objectives).", "28", low=0, high=10_000),
    Setting("exploitation", "switch", False,
            "tried on four theatres, not the default (validation/campaigns.py)",
            "phases/operations.py",
            "An operation that takes its objectives before it is spent goes on to the next "
            "ones at once, without massing (`false`: it ends there and the next one masses).",
            "true"),
    Setting("massing_days", "whole", 14, "judgement: Aleppo, October 2015", "phases/operations.py",
            "Days an operation masses before it attacks.", "0", low=0, high=10_000),
    Setting("operation_radius", "whole", 2, _JUDGEMENT, "phases/operations.py",
            "An operation attacks only places within this many links of its objectives.", "1",
            low=0, high=100),
    Setting("hold_share", "number", 0.25, _JUDGEMENT, "phases/garrisons.py",
            "Share of what its front holds (`cap_def`) a place facing an enemy, or wanted by one, "
            "keeps before sending or attacking.", "0.5", low=0.0, high=10.0),
    Setting("hold_depth", "whole", 1, "judgement: a defence in depth keeps a second line",
            "compile.py",
            "Links behind a place facing an enemy within which the holder's places keep their "
            "hold too (0: the front line only).", "0", low=0, high=100),
    # Quiet fronts and regeneration (phases/garrisons.py).
    Setting("quiet_loss_per_day", "number", 0.0002, "judgement: Donbas 2019–20 and Syria 2016",
            "phases/garrisons.py",
            "Daily loss of a garrison facing an enemy in a week it is not attacked (raids, "
            "shelling).", "0.0001", low=0.0, high=0.1),
    _fraction("wounded_return", 0.3, "judgement after Dupuy (1986)", "phases/garrisons.py",
              "Share of casualties that come back to duty.", "0.2"),
    Setting("return_days", "number", 20.0, "Dupuy (1986), p. 90", "phases/garrisons.py",
            "Mean days until they do.", "30", low=0.0, high=10_000.0, above_low=True),
    # Supply and sieges (phases/supply.py).
    _fraction("siege_attrition", 0.01, "judgement: the siege of Kuweires", "phases/supply.py",
              "Loss per turn of a cut-off garrison.", "0.03"),
    _fraction("unsupplied_power", 0.6, "judgement after Dupuy's QJM", "phases/supply.py",
              "Combat power of forces cut off from supply.", "0.5"),
    _fraction("surrender_rate", None, MODERN_BATTLES, "phases/supply.py",
              "Daily hazard that a besieged place ends its siege by a deal (0 switches deals "
              "off).", "0", sampled=True),
    Setting("capitulation_rate", "number", 0.003,
            "fitted on four theatres (validation/campaigns.py)", "phases/supply.py",
            "Daily hazard, at morale 0.6, that a garrison outmatched `rout_ratio` to 1 in power "
            "by a neighbour at war and in supply hands its place over by a deal, without a "
            "fight (0: only besieged places make deals).", "0.002", low=0.0, high=1.0,
            sampled=True),
    # Orders (phases/orders.py).
    Setting("planning_ratio", "number", 3.0, "the 3:1 rule", "phases/orders.py",
            "The force ratio a cautious attacker plans for (raised to 1 − aggression).", "2",
            low=1.0, high=100.0),
    Setting("min_garrison", "number", 50.0, _JUDGEMENT, "phases/orders.py",
            "Fighters always left behind in a place (more where the campaign layer keeps a "
            "garrison: `hold_share`).", "100", low=0.0),
    # Morale (phases/morale.py).
    _fraction("morale_recovery", 0.2, _JUDGEMENT, "phases/morale.py",
              "Share of the gap to starting morale (and of a quiet garrison's wear) recovered "
              "each turn.", "0.1"),
    _fraction("morale_per_place", 0.05, _JUDGEMENT, "phases/morale.py",
              "Morale gained per place captured (lost per place lost).", "0.02"),
    Setting("morale_per_casualty_rate", "number", 0.5, _JUDGEMENT, "phases/morale.py",
            "Morale lost per unit of the turn's casualty rate.", "1", low=0.0, high=10.0),
    _fraction("collapsed_power", 0.5, _JUDGEMENT, "phases/power.py",
              "Combat power of a faction that has collapsed.", "0.3"),
    # Air strikes (phases/air.py, called by phases/support.py).
    _fraction("air_kill_cap", 0.3, _JUDGEMENT, "phases/support.py",
              "Largest share of a place's defenders air strikes can kill in a turn.", "0.2"),
    Setting("air_saturation_sorties", "number", 20.0, _JUDGEMENT, "phases/support.py",
            "Sorties on one place at which its suppression reaches about two thirds (1 − 1/e) of "
            "`suppression`.", "30", low=0.0, above_low=True),
    _fraction("air_focus", 0.75, _JUDGEMENT, "phases/support.py",
              "Share of a line's sorties flown over the sector of the beneficiary's operation "
              "while it masses or fights.", "0.5"),
    # Redeployment (phases/redeploy.py) and initial deployment (state.py).
    _fraction("redeploy_share", 0.5, _JUDGEMENT, "phases/garrisons.py",
              "Share of a rear garrison's surplus sent toward the front each turn.", "0.3"),
    Setting("front_deployment_weight", "number", 2.0, _JUDGEMENT, "state.py",
            "How much more densely free forces deploy where a place touches an enemy.", "3",
            low=1.0, high=100.0),
    # Civilians (phases/civilians.py): deaths and flight; false (or every rate 0): none.
    Setting("civilians", "switch", True, _SWITCH, "phases/civilians.py",
            "Count civilian deaths and flight at every place (`false`: none; the rest of the game "
            "is the same either way).", "false"),
    _fraction("civilian_fighting_deaths", 6.1e-5, "Mosul 2016–17 (AP)", "phases/civilians.py",
              "Share of the people at a place killed per day of a battle there.", "0.0001"),
    Setting("civilian_air_deaths", "number", 2.5, "Mosul 2016–17 (AP, CENTCOM)",
            "phases/civilians.py",
            "Civilians killed per sortie over a place at its full population; fewer as it "
            "empties.", "1", low=0.0, high=1000.0),
    _fraction("civilian_siege_deaths", 5e-5, "the Sphere Handbook (2018)",
              "phases/civilians.py",
              "Excess deaths per person per day at a place out of supply.", "0.0001"),
    _fraction("civilian_flight_rate", 0.0095, "Mosul 2016–17 (IOM)", "phases/civilians.py",
              "Rate per day at which people leave a place that is attacked, or is the "
              "objective of a hostile operation that is fighting next door.", "0.005"),
    _fraction("civilian_fall_flight", 0.36, "eastern Aleppo 2016 (UN OCHA)",
              "phases/civilians.py",
              "Share of the people left who leave a place when it changes hands.", "0.2"),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}
"""The settings by name."""


def model_fields() -> dict[str, tuple[Any, Any]]:
    """The pydantic field definitions of ``ModelSettings`` (for ``pydantic.create_model``),
    in registry order: ``{name: (type, FieldInfo)}``."""
    from wargame.scenario.params import POSITIVE_FLOOR, bounded

    fields: dict[str, tuple[Any, Any]] = {}
    for s in SETTINGS:
        typ: Any
        info: Any = Field(s.default)
        if s.kind == "switch":
            typ = bool
        elif s.kind == "choice":
            typ = Literal[s.choices]
        elif s.sampled:
            typ = bounded(POSITIVE_FLOOR if s.above_low and s.low == 0 else s.low, s.high)
        else:
            typ = int if s.kind == "whole" else float
            low, high = _whole(s, s.low), _whole(s, s.high)
            info = Field(s.default, gt=low if s.above_low else None,
                         ge=None if s.above_low else low, le=high)
        fields[s.name] = (typ | None if s.default is None else typ, info)
    return fields


def _whole(s: Setting, x: float | None) -> float | int | None:
    return int(x) if x is not None and s.kind == "whole" else x


def bound_text(x: float) -> str:
    """A bound as the docs write it: 1,000,000, 0.1, 3."""
    return f"{int(x):,}" if float(x).is_integer() else f"{x:g}"
