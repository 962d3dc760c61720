"""What the phases report when a game keeps its log (``simulate(..., log=True)``): typed events.

``GameResult.log`` is a list of these, in the order they happened. Every event carries the
``turn`` it happened in and the ``replicate`` (game) it happened to; factions and settlements
are *indices* into ``GameResult.factions`` and ``GameResult.settlements`` (-1: none), lists
are tuples, numbers plain Python ``int`` and ``float``. :data:`EngineEvent` is the closed
union of them: a reader matches on the class (:mod:`wargame.report.record` does, and mypy
checks that it handles every one).

This module is a leaf: it imports nothing of the package, so any phase can emit its events
and any layer above can read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias


@dataclass(frozen=True, slots=True)
class EventFired:
    """A scenario event fired (phase 1)."""

    turn: int
    replicate: int
    event: str          # its id in the scenario
    name: str           # its name (the id if it has none)


@dataclass(frozen=True, slots=True)
class Strike:
    """Air strikes of a support line against one place in a turn (at least half a sortie)."""

    turn: int
    replicate: int
    line: str           # the support line's id
    provider: str       # who flies it
    settlement: int
    sorties: float
    kills: float        # fighters killed
    target: int         # the faction holding the place (struck)


@dataclass(frozen=True, slots=True)
class Encircled:
    """A place newly cut off from supply."""

    turn: int
    replicate: int
    settlement: int
    faction: int        # the garrison's
    airlift: float      # share of its needs an airlift covers


@dataclass(frozen=True, slots=True)
class Surrender:
    """A place handed over by a deal: besieged, or outnumbered by a neighbour at war (a
    capitulation)."""

    turn: int
    replicate: int
    settlement: int
    faction: int        # the garrison's
    taker: int          # the besieger (or the outnumbering neighbour) who takes the place
    evacuated: float    # fighters evacuated to a place of their faction (0: captured)
    besieged: bool      # false: a capitulation without a siege
    deserted: float     # fighters who went home or over instead (the faction's deal_desertion)


@dataclass(frozen=True, slots=True)
class BattleSide:
    """One side of a battle: a faction's strength at the start and the end of the turn's
    engagement, and whether it broke and ran."""

    faction: int
    start: float
    end: float
    routed: bool


@dataclass(frozen=True, slots=True)
class Battle:
    """What every battle reports (the fields :class:`Capture` and :class:`Repulse` share)."""

    turn: int
    replicate: int
    settlement: int
    defender: int                   # the holder at the start (-1: nobody)
    attackers: tuple[int, ...]      # every attacking faction, in slot order
    attacker: int                   # the winner if the place fell, else the strongest attacker
    ratio: float                    # the main attacker's power over the defender's, at the start
    sides: tuple[BattleSide, ...]   # the defender (if any) first, then the attackers
    days: float                     # days of engagement drawn for the turn
    fought: float                   # days actually fought
    line_breaks: int                # days on which the defending line broke
    cleared_before: float           # share of the place the attackers had cleared before
    cleared_after: float            # and after the turn
    how: str                        # held, cleared, broken, exhausted or collapsed


@dataclass(frozen=True, slots=True)
class Capture(Battle):
    """A battle in which the place fell to ``attacker``."""

    retreat_to: tuple[int, ...]     # where the beaten garrison fell back
    breakout_to: tuple[int, ...]    # cut off (no retreat): where it broke out to (none:
    #                                 it surrendered)
    survivors: float                # the beaten garrison's fighters left after the battle


@dataclass(frozen=True, slots=True)
class Repulse(Battle):
    """A battle in which the defender held the place."""


@dataclass(frozen=True, slots=True)
class OperationOpened:
    """A faction opens an operation on its objectives (campaign layer)."""

    turn: int
    replicate: int
    faction: int
    objectives: tuple[int, ...]
    massing_turns: int  # whole turns it masses before it attacks (0: attacks at once)


@dataclass(frozen=True, slots=True)
class OperationEnded:
    """A faction's operation ended (campaign layer): why, and how long the faction pauses."""

    turn: int
    replicate: int
    faction: int
    pause_turns: int
    why: str            # achieved, exhausted, culminated, ran its course, collapsed, stalled
    objectives: tuple[int, ...]
    lost: float         # losses of its attacking forces


@dataclass(frozen=True, slots=True)
class OffensiveCulminated:
    """A faction's offensive culminated (without the campaign layer): it pauses."""

    turn: int
    replicate: int
    faction: int
    pause_turns: int


EngineEvent: TypeAlias = (EventFired | Strike | Encircled | Surrender | Capture | Repulse
               | OperationOpened | OperationEnded | OffensiveCulminated)
"""Every event the engine logs."""

EVENT_TYPES: tuple[type[EngineEvent], ...] = (
    EventFired, Strike, Encircled, Surrender, Capture, Repulse, OperationOpened,
    OperationEnded, OffensiveCulminated)
"""The classes of :data:`EngineEvent`, for code that needs them at run time."""
