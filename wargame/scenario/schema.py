"""The scenario format as typed, frozen pydantic models.

``docs/scenario-format.md`` documents every key; ``wargame schema`` prints the JSON Schema
generated from these models. Cross-references (ids that must exist, graph checks) live in
:mod:`wargame.scenario.checks`, so this module only states the shape of each value.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    create_model,
    model_validator,
)

from wargame.scenario.limits import (
    EARLIEST_START,
    LATEST_START,
    MAX_DAYS_PER_TURN,
    MAX_TURNS,
)
from wargame.scenario.messages import describe
from wargame.scenario.params import POSITIVE_FLOOR, STRICT, Param, bounded
from wargame.scenario.settings import model_fields

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=64)]
Turn = Annotated[int, Field(ge=1, le=MAX_TURNS)]
"""A turn number (1 to MAX_TURNS, the longest game any command plays)."""
if TYPE_CHECKING:  # to the type checker every bounded parameter is a Param
    Count: TypeAlias = Param
    Fraction: TypeAlias = Param
    Positive: TypeAlias = Param
    Multiplier: TypeAlias = Param
else:
    Count = bounded(0.0, None)
    Fraction = bounded(0.0, 1.0)
    Positive = bounded(POSITIVE_FLOOR, None)
    Multiplier = bounded(1.0, 10.0)


Terrain = Literal["urban", "suburban", "rural", "mountain", "desert", "forest"]
Fortification = Literal["none", "prepared", "fortified"]
Stance = Literal["war", "neutral", "allied"]
Road = Literal["highway", "road", "track"]


def _date_text(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def _in_calendar(day: dt.date) -> dt.date:
    if not EARLIEST_START <= day <= LATEST_START:
        raise ValueError(f"must be between {EARLIEST_START.isoformat()} and "
                         f"{LATEST_START.isoformat()}, so that every turn of the longest game "
                         f"fits the calendar (got {day.isoformat()})")
    return day


class Entry(BaseModel):
    """Base of every entry: strict keys, frozen, and optional provenance."""

    model_config = STRICT
    source: str | None = None
    note: str | None = None


class Source(Entry):
    """A reference the scenario draws on."""

    id: Id
    title: str
    url: str | None = None
    # YAML reads an unquoted 2015-10-01 as a date; keep it as the text the user wrote.
    date: Annotated[str | None, BeforeValidator(_date_text)] = None


class Meta(Entry):
    """The ``scenario:`` block: name, dates and turn structure."""

    name: str = Field(min_length=1)
    description: str = ""
    start_date: Annotated[dt.date, Field(strict=False), AfterValidator(_in_calendar)]
    days_per_turn: int = Field(7, ge=1, le=MAX_DAYS_PER_TURN)
    turns: int = Field(26, ge=1, le=MAX_TURNS)
    sources: list[Source] = []


def _last_stand(value: object) -> object:
    """``doctrine.last_stand`` is true, false or a list of settlement ids: one message for any
    other value (pydantic would give one per member of the union)."""
    if isinstance(value, bool) or (isinstance(value, list)
                                   and all(isinstance(x, str) for x in value)):
        return value
    raise ValueError("must be true, false or a list of settlement ids (got "
                     f"{describe(value)})")


class Doctrine(Entry):
    """How a faction chooses its offensives."""

    aggression: Fraction = 0.5
    reserve_share: Fraction = 0.3
    max_offensives: int = Field(3, ge=0, le=100)
    operations: int = Field(1, ge=0, le=20)
    first_operation_turn: Turn | None = None
    last_stand: Annotated[bool | list[str], BeforeValidator(_last_stand)] = False
    objectives: dict[Id, Count] = {}


class Reinforcement(Entry):
    """A stream of fresh fighters arriving each turn at the first listed settlement held."""

    men_per_turn: Count
    at: list[Id] = Field(min_length=1)
    first_turn: Turn = 1
    last_turn: Turn | None = None


class Faction(Entry):
    """A fighting side."""

    name: str = Field(min_length=1)
    short_name: str | None = Field(None, min_length=1, max_length=24)
    colour: str | None = Field(None, pattern=r"^#[0-9a-fA-F]{6}$")
    strength: Count
    quality: Positive = 1.0
    morale: Fraction = 0.6
    breakpoint: Fraction | None = None
    collapse_at: Fraction = 0.2
    recruitment: Count = 3.0
    deal_desertion: Fraction = 0.0
    doctrine: Doctrine = Doctrine()
    supply_sources: list[Id] = []
    reinforcements: list[Reinforcement] = []


class Relation(Entry):
    """The stance between two factions."""

    between: Annotated[list[Id], Field(min_length=2, max_length=2)]
    stance: Stance


class Relations(Entry):
    """Stances between factions; unlisted pairs take ``default``."""

    default: Stance = "war"
    pairs: list[Relation] = []


class Settlement(Entry):
    """A node of the theatre graph."""

    name: str = Field(min_length=1)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    approximate: bool = False
    population: int = Field(0, ge=0)
    terrain: Terrain = "rural"
    fortification: Fortification = "none"
    value: float = Field(1.0, ge=0)
    region: str = ""
    controller: Id
    garrison: dict[Id, Count] = {}


class Link(Entry):
    """An undirected road link."""

    between: Annotated[list[Id], Field(min_length=2, max_length=2)]
    km: float | None = Field(None, ge=0, le=10_000)
    road: Road = "road"


class _SupportBase(Entry):
    name: str = ""
    provider: str = Field(min_length=1)
    beneficiary: Id
    first_turn: Turn = 1
    last_turn: Turn | None = None


class AirStrikes(_SupportBase):
    """Air strikes against the beneficiary's enemies."""

    kind: Literal["air_strikes"]
    sorties_per_turn: Count
    kills_per_sortie: Count = 0.5
    suppression: Fraction = 0.3
    targets: dict[Id, Count] = {}


class Reinforcements(_SupportBase):
    """Ground forces sent by a provider, arriving each turn."""

    kind: Literal["reinforcements"]
    men_per_turn: Count
    at: list[Id] = Field(min_length=1)
    quality: Positive = 1.0


class Airlift(_SupportBase):
    """Supply flown into besieged places."""

    kind: Literal["airlift"]
    settlements: list[Id] = Field(min_length=1)
    capacity: Fraction = 1.0


class Supply(_SupportBase):
    """Cross-border supply: extra supply sources and better-equipped fighters."""

    kind: Literal["supply"]
    at: list[Id] = Field(min_length=1)
    quality_bonus: Multiplier = 1.0


class Artillery(_SupportBase):
    """Fire support that multiplies the beneficiary's combat power in battle."""

    kind: Literal["artillery"]
    fire_multiplier: Multiplier


Support = Annotated[
    AirStrikes | Reinforcements | Airlift | Supply | Artillery, Field(discriminator="kind")
]


class Controls(Entry):
    """True when ``faction`` holds all (or any) of ``settlements``."""

    faction: Id
    settlements: list[Id] = Field(min_length=1)
    mode: Literal["all", "any"] = "all"


class Connected(Entry):
    """True when a path of settlements held by ``faction`` (and its allies) joins the two sets."""

    faction: Id
    from_: list[Id] = Field(alias="from", min_length=1)
    to: list[Id] = Field(min_length=1)
    with_allies: bool = False

    model_config = ConfigDict(**STRICT, populate_by_name=True)


CONDITION_FIELDS = ("controls", "connected", "collapsed", "civilians_killed", "displaced",
                    "not_", "all", "any")
"""The condition keys (as field names: ``not`` is ``not_``), in the order errors list them."""


class Civilians(Entry):
    """True when at least ``at_least`` civilians have been killed (or have fled) so far, at
    the given ``settlements`` or, without them, everywhere."""

    at_least: float = Field(ge=0, le=1e9)
    settlements: list[Id] | None = Field(None, min_length=1)


class Condition(Entry):
    """A condition on the state: exactly one of the keys."""

    controls: Controls | None = None
    connected: Connected | None = None
    collapsed: Id | None = None
    civilians_killed: Civilians | None = None
    displaced: Civilians | None = None
    not_: Condition | None = Field(None, alias="not")
    all: list[Condition] | None = None
    any: list[Condition] | None = None

    model_config = ConfigDict(**STRICT, populate_by_name=True)

    @model_validator(mode="after")
    def _exactly_one(self) -> Condition:
        keys = [k for k in CONDITION_FIELDS if getattr(self, k) is not None]
        if len(keys) != 1:
            names = ", ".join(k.rstrip("_") for k in CONDITION_FIELDS)
            raise ValueError(f"needs exactly one of: {names} (got {len(keys)})")
        return self


class Outcome(Condition):
    """A question the scenario answers."""

    name: str = Field(min_length=1)
    when: Literal["ever", "final"] = "ever"
    by_turn: Turn | None = None


class Captured(Entry):
    """Trigger: ``settlement`` is held by ``by`` (or by anyone but its first controller)."""

    settlement: Id
    by: Id | None = None


class Trigger(Entry):
    """When an event fires: all the given keys must hold in the same turn."""

    turn: Turn | None = None
    from_turn: Turn | None = None
    captured: Captured | None = None
    outcome: Id | None = None
    chance: Fraction | None = None

    @model_validator(mode="after")
    def _some(self) -> Trigger:
        if all(getattr(self, k) is None for k in ("turn", "from_turn", "captured", "outcome",
                                                    "chance")):
            raise ValueError("needs at least one of: turn, from_turn, captured, outcome, chance")
        return self


class SetRelation(Entry):
    """Effect: change the stance between two factions."""

    between: Annotated[list[Id], Field(min_length=2, max_length=2)]
    stance: Stance


class ScaleSupport(Entry):
    """Effect: set a support line's intensity to ``factor`` times its base (0 stops it)."""

    support: Id
    factor: Count


class Reinforce(Entry):
    """Effect: add fighters to a faction at a settlement it holds."""

    faction: Id
    settlement: Id
    amount: Count


class ChangeDoctrine(Entry):
    """Effect: change a faction's aggression, reserve share or objectives."""

    faction: Id
    aggression: Fraction | None = None
    reserve_share: Fraction | None = None
    objectives: dict[Id, Count] | None = None


class Effect(Entry):
    """What an event does: exactly one of the keys."""

    set_relation: SetRelation | None = None
    scale_support: ScaleSupport | None = None
    reinforce: Reinforce | None = None
    doctrine: ChangeDoctrine | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Effect:
        keys = [k for k in ("set_relation", "scale_support", "reinforce", "doctrine")
                if getattr(self, k) is not None]
        if len(keys) != 1:
            raise ValueError(
                "needs exactly one of: set_relation, scale_support, reinforce, doctrine "
                f"(got {len(keys)})"
            )
        return self


class Event(Entry):
    """A trigger and its effects."""

    name: str = ""
    trigger: Trigger
    effects: list[Effect] = Field(min_length=1)
    once: bool = True


class ModelSettingsBase(Entry):
    """Engine settings: one field per setting of the registry, ``wargame/scenario/settings.py``.

    ``docs/model.md`` gives every formula and ``docs/scenario-format.md`` every default with its
    source. Settings left out (``None``) take the calibrated values: CDB90
    (``wargame/data/calibration.json``) and the modern city battles
    (``wargame/data/tempo.json``). Settings typed as parameters may be distributions, sampled
    once per game; the others are plain numbers.
    """

    if TYPE_CHECKING:  # the fields come from the registry, so the type checker sees Any
        def __getattr__(self, name: str) -> Any: ...


if TYPE_CHECKING:
    ModelSettings: TypeAlias = ModelSettingsBase
else:
    ModelSettings = create_model("ModelSettings", __base__=ModelSettingsBase,
                                 __module__=__name__, **model_fields())
    ModelSettings.__doc__ = ModelSettingsBase.__doc__


class Scenario(Entry):
    """A whole scenario file after ``extends`` and ``--set`` are applied."""

    scenario: Meta
    factions: dict[Id, Faction]
    relations: Relations = Relations()
    settlements: dict[Id, Settlement]
    links: list[Link] = []
    support: dict[Id, Support] = {}
    events: dict[Id, Event] = {}
    outcomes: dict[Id, Outcome] = {}
    model: ModelSettings = ModelSettings()
    extends: str | None = None
