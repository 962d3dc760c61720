"""One game as a structured record, turn by turn: the one place that reads the engine's log.

The engine's log (``GameResult.log``, ``simulate(..., log=True)``) is a list of typed events
(:mod:`wargame.engine.events`) with faction and settlement *indices*. :func:`game_record`
turns it, with the per-turn arrays of ``record_turns=True``, into a :class:`GameRecord`: for
every turn its dates, who holds every place, each faction's strength, and the turn's events,
air strikes, encirclements and battles (sides, force ratio, result), all with ids.

The events are a closed union, matched here by class: a new kind of event fails the type
check (``assert_never``) until it has its place in the record (and its sentence in
:mod:`wargame.report.narrative`, which tells the game from this record alone).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, assert_never

import numpy as np

from wargame.jsontypes import JSONObject
from wargame.montecarlo.tidy import Table, need, table
from wargame.scenario.calendar import turn_end, turn_start

if TYPE_CHECKING:
    from wargame.engine import Compiled, GameResult
    from wargame.engine import events as ev
    from wargame.scenario.schema import Scenario

class _Ids:
    """Faction and settlement indices of the log as ids (-1: none)."""

    def __init__(self, factions: list[str], settlements: list[str]) -> None:
        self.factions = factions
        self.settlements = settlements

    def faction(self, i: int) -> str | None:
        return self.factions[i] if 0 <= i < len(self.factions) else None

    def place(self, i: int) -> str | None:
        return self.settlements[i] if 0 <= i < len(self.settlements) else None


@dataclass(frozen=True)
class Side:
    """One side of a battle: strength at the start and end, whether it broke and ran."""

    faction: str
    role: str          # "defender" or "attacker"
    start: float
    end: float
    routed: bool


@dataclass(frozen=True)
class Strike:
    """Air strikes flown against one place in a turn."""

    line: str
    provider: str
    place: str
    sorties: float
    kills: float
    target: str | None


@dataclass(frozen=True)
class Battle:
    """One battle: who fought whom at what force ratio, and who holds the place after."""

    place: str
    result: str                # "captured" (the attacker took it) or "held"
    defender: str | None       # None: nobody held the place
    attacker: str              # the winner if captured, else the strongest attacker
    attackers: list[str]
    ratio: float               # the main attacker's power over the defender's, at the start
    sides: list[Side]
    retreat_to: list[str]      # captured: where the defenders fell back (none: surrendered)
    survivors: float | None    # captured: the winner's fighters left holding the place
    sorties: float             # air sorties flown against the defenders this turn
    providers: list[str]       # who flew them
    days: float = 0.0          # days of engagement drawn for the turn
    fought: float = 0.0        # days actually fought (the attackers may be thrown back)
    line_breaks: int = 0       # days on which the defending line broke
    cleared_before: float = 0.0   # share of the place the attackers had cleared before
    cleared_after: float = 0.0    # and after the turn (0 once it fell)
    how: str = "held"          # held, cleared, broken (worn down), exhausted or collapsed
    breakout_to: list[str] = field(default_factory=list)   # captured, cut off: broke out to


@dataclass(frozen=True)
class Surrender:
    """A place handed over by a deal: besieged, or outnumbered (a capitulation)."""

    place: str
    faction: str | None       # the garrison's
    taker: str | None         # the besieger's, or the outnumbering neighbour's
    evacuated: float          # fighters evacuated to a place of their faction (0: captured)
    besieged: bool = True     # false: a capitulation without a siege
    deserted: float = 0.0     # fighters who went home or over instead (deal_desertion)


@dataclass(frozen=True)
class Culminated:
    """A faction's operation (or offensive) that ended: why, and how long it pauses."""

    faction: str | None
    pause_turns: int
    why: str = "culminated"           # achieved, exhausted, culminated, ran its course...
    objectives: list[str | None] = field(default_factory=list)
    lost: float = 0.0                 # losses of its attacking forces


@dataclass(frozen=True)
class OperationOpened:
    """A faction opens an operation on its objectives; it masses first for some turns."""

    faction: str | None
    objectives: list[str | None]
    massing_turns: int


@dataclass(frozen=True)
class Encircled:
    """A place newly cut off from supply."""

    place: str
    faction: str | None
    airlift: float


@dataclass(frozen=True)
class EventFired:
    """A scenario event that fired."""

    event: str
    name: str


@dataclass(frozen=True)
class TurnRecord:
    """Everything that happened in one turn, and the state at its close."""

    turn: int
    start_date: dt.date | None
    end_date: dt.date
    control: dict[str, str | None]    # settlement -> faction (None: nobody)
    strength: dict[str, float]        # faction -> total strength
    events: list[EventFired] = field(default_factory=list)
    strikes: list[Strike] = field(default_factory=list)
    encircled: list[Encircled] = field(default_factory=list)
    battles: list[Battle] = field(default_factory=list)
    surrenders: list[Surrender] = field(default_factory=list)
    culminated: list[Culminated] = field(default_factory=list)
    operations: list[OperationOpened] = field(default_factory=list)
    garrison: dict[str, float] = field(default_factory=dict)    # place -> its holder's fighters
    killed: dict[str, float] = field(default_factory=dict)      # place -> civilians killed so far
    displaced: dict[str, float] = field(default_factory=dict)   # place -> civilians fled so far

    def to_dict(self) -> JSONObject:
        """JSON-ready (dates as ISO text). ``other`` is always empty: it held the log records
        of kinds the record did not know, before the engine's events were a closed union, and
        stays so that the format does not change."""
        item = asdict
        return {"turn": self.turn,
                "start_date": None if self.start_date is None else self.start_date.isoformat(),
                "end_date": self.end_date.isoformat(), "control": dict(self.control),
                "strength": dict(self.strength),
                "events": [item(e) for e in self.events],
                "strikes": [item(s) for s in self.strikes],
                "encircled": [item(e) for e in self.encircled],
                "battles": [item(b) for b in self.battles],
                "surrenders": [item(x) for x in self.surrenders],
                "culminated": [item(x) for x in self.culminated],
                "operations": [item(x) for x in self.operations], "other": [],
                "garrison": dict(self.garrison), "killed": dict(self.killed),
                "displaced": dict(self.displaced)}


@dataclass(frozen=True)
class FactionEnd:
    """A faction over the whole game."""

    start: float
    reinforcements: float
    casualties: float
    end: float


@dataclass(frozen=True)
class OutcomeEnd:
    """An outcome's verdict: the turn it came true (``None``: it did not) and whether it holds
    at the end."""

    turn: int | None
    final: bool


@dataclass(frozen=True)
class Replay:
    """Which game of a batch a game is: game ``game`` of ``runs`` games with root seed ``seed``
    in chunks of ``chunk_size`` (``wargame run --game K --runs N --seed S``)."""

    game: int
    runs: int
    chunk_size: int
    default_chunk: bool = True   # chunk_size is the default (not repeated in the command)


@dataclass(frozen=True)
class GameRecord:
    """One game: the seed, each turn's record (turn 0 is the starting position) and the end.

    The data only: :class:`wargame.report.game.Game` (what :func:`wargame.play` returns) adds
    the story told from it.

    A game replayed from a batch has its ``replay``: ``seed`` is then the batch's root seed,
    and ``wargame run --seed SEED`` alone is another game (see :attr:`label`).
    """

    scenario_name: str
    digest: str
    seed: int
    turns: list[TurnRecord]
    outcomes: dict[str, OutcomeEnd]
    factions: dict[str, FactionEnd]
    scenario: Scenario = field(repr=False, compare=False)
    replay: Replay | None = None

    @property
    def label(self) -> str:
        """Which game this is, as the command that plays it again: ``seed 7``, or ``game 3 of
        a 2,000-game batch with seed 7 (--game 3 --runs 2000 --seed 7)``."""
        r = self.replay
        if r is None:
            return f"seed {self.seed}"
        chunk = "" if r.default_chunk else f" --chunk-size {r.chunk_size}"
        return (f"game {r.game} of a {r.runs:,}-game batch with seed {self.seed} (replay with "
                f"--game {r.game} --runs {r.runs} --seed {self.seed}{chunk})")

    @property
    def final(self) -> TurnRecord:
        """The last turn's record."""
        return self.turns[-1]

    @property
    def control(self) -> dict[str, str | None]:
        """Who holds each place at the end."""
        return self.final.control

    def tables(self) -> dict[str, Table]:
        """``control``, ``strength``, ``garrison`` (fighters at each place), ``battles``,
        ``sides`` and ``events``, one row per turn and item."""
        def when(t: TurnRecord) -> tuple[int, dt.date | None, dt.date]:
            return (t.turn, t.start_date, t.end_date)
        head: list[tuple[str, Any]] = [("turn", "int"), ("start_date", "date"),
                                       ("end_date", "date")]
        return {
            "control": table("control", [*head, ("settlement", "str"), ("faction", "str")],
                             [(*when(t), s, f) for t in self.turns for s, f in t.control.items()]),
            "strength": table("strength", [*head, ("faction", "str"), ("strength", "float")],
                              [(*when(t), f, v) for t in self.turns
                               for f, v in t.strength.items()]),
            "garrison": table("garrison", [*head, ("settlement", "str"), ("faction", "str"),
                                           ("strength", "float")],
                              [(*when(t), s, t.control[s], v) for t in self.turns
                               for s, v in t.garrison.items()]),
            "battles": table("battles", [*head, ("settlement", "str"), ("result", "str"),
                                         ("how", "str"), ("defender", "str"),
                                         ("attacker", "str"), ("ratio", "float"),
                                         ("sorties", "float"), ("days_fought", "float"),
                                         ("cleared_before", "float"),
                                         ("cleared_after", "float")],
                             [(*when(t), b.place, b.result, b.how, b.defender, b.attacker,
                               b.ratio, b.sorties, b.fought, b.cleared_before,
                               b.cleared_after) for t in self.turns for b in t.battles]),
            "sides": table("sides", [*head, ("settlement", "str"), ("faction", "str"),
                                     ("role", "str"), ("start", "float"), ("end", "float"),
                                     ("routed", "bool")],
                           [(*when(t), b.place, s.faction, s.role, s.start, s.end, s.routed)
                            for t in self.turns for b in t.battles for s in b.sides]),
            "events": table("events", [*head, ("event", "str"), ("name", "str")],
                            [(*when(t), e.event, e.name) for t in self.turns
                             for e in t.events]),
        }

    def to_pandas(self, table: str = "control") -> Any:
        """One table of :meth:`tables` as a :class:`pandas.DataFrame`."""
        from wargame.montecarlo.results import pick

        return pick(self.tables(), table).to_pandas()

    def to_xarray(self) -> Any:
        """``control[turn, settlement]`` (faction ids, empty for nobody) and
        ``strength[turn, faction]`` as an :class:`xarray.Dataset`."""
        xr = need("xarray")
        places = list(self.turns[0].control)
        factions = list(self.turns[0].strength)
        control = np.array([[t.control[s] or "" for s in places] for t in self.turns])
        strength = np.array([[t.strength[f] for f in factions] for t in self.turns])
        turns = [t.turn for t in self.turns]
        ends = np.array([t.end_date for t in self.turns], dtype="datetime64[D]")
        return xr.Dataset({"control": (("turn", "settlement"), control),
                           "strength": (("turn", "faction"), strength)},
                          coords={"turn": turns, "settlement": places, "faction": factions,
                                  "end_date": ("turn", ends)},
                          attrs={"scenario": self.scenario_name, "seed": str(self.seed)})


def _battle(e: ev.Capture | ev.Repulse, ids: _Ids, strikes: list[Strike]) -> Battle:
    from wargame.engine.events import Capture

    place = ids.settlements[e.settlement]
    air = [s for s in strikes if s.place == place]
    return Battle(
        place=place, result="captured" if isinstance(e, Capture) else "held",
        defender=ids.faction(e.defender),
        attacker=ids.factions[e.attacker], attackers=[ids.factions[f] for f in e.attackers],
        ratio=e.ratio,
        sides=[Side(ids.factions[x.faction],
                    "defender" if x.faction == e.defender else "attacker", x.start, x.end,
                    x.routed) for x in e.sides],
        retreat_to=[ids.settlements[n] for n in e.retreat_to] if isinstance(e, Capture) else [],
        survivors=e.survivors if isinstance(e, Capture) else None,
        sorties=float(sum(s.sorties for s in air)), providers=sorted({s.provider for s in air}),
        days=e.days, fought=e.fought, line_breaks=e.line_breaks,
        cleared_before=e.cleared_before, cleared_after=e.cleared_after, how=e.how,
        breakout_to=([ids.settlements[n] for n in e.breakout_to] if isinstance(e, Capture)
                     else []))


def _turn(t: int, log: Sequence[ev.EngineEvent], ids: _Ids, sc: Scenario,
          control: dict[str, str | None], strength: dict[str, float],
          garrison: dict[str, float]) -> TurnRecord:
    from wargame.engine import events as ev

    fired: list[EventFired] = []
    strikes: list[Strike] = []
    encircled: list[Encircled] = []
    surrenders: list[Surrender] = []
    culminated: list[Culminated] = []
    operations: list[OperationOpened] = []
    fights: list[ev.Capture | ev.Repulse] = []
    for e in log:
        match e:
            case ev.EventFired():
                fired.append(EventFired(e.event, e.name))
            case ev.Strike():
                strikes.append(Strike(e.line, e.provider, ids.settlements[e.settlement],
                                      e.sorties, e.kills, ids.faction(e.target)))
            case ev.Encircled():
                encircled.append(Encircled(ids.settlements[e.settlement],
                                           ids.faction(e.faction), e.airlift))
            case ev.Surrender():
                surrenders.append(Surrender(ids.settlements[e.settlement],
                                            ids.faction(e.faction), ids.faction(e.taker),
                                            e.evacuated, e.besieged, e.deserted))
            case ev.OperationEnded():
                culminated.append(Culminated(ids.faction(e.faction), e.pause_turns, e.why,
                                             [ids.place(n) for n in e.objectives], e.lost))
            case ev.OffensiveCulminated():
                culminated.append(Culminated(ids.faction(e.faction), e.pause_turns))
            case ev.OperationOpened():
                operations.append(OperationOpened(ids.faction(e.faction),
                                                  [ids.place(n) for n in e.objectives],
                                                  e.massing_turns))
            case ev.Capture() | ev.Repulse():
                fights.append(e)
            case _:
                assert_never(e)
    # The battles once the turn's strikes are known (the sorties flown at each place).
    battles = [_battle(e, ids, strikes) for e in fights]
    return TurnRecord(t, turn_start(sc, t), turn_end(sc, t), control, strength, fired,
                      strikes, encircled, battles, surrenders, culminated, operations,
                      garrison)


def game_record(c: Compiled, res: GameResult, seed: int, digest: str,
                replicate: int = 0, replay: Replay | None = None) -> GameRecord:
    """The structured record of one replicate (played with ``log=True, record_turns=True``);
    ``replay`` says which game of a batch it is."""
    if res.control_by_turn is None or res.strength_by_turn is None:
        raise ValueError("a game record needs simulate(..., record_turns=True)")
    sc = c.scenario
    ids = _Ids(list(c.factions), list(c.settlements))
    by_turn: dict[int, list[ev.EngineEvent]] = {}
    for e in res.log or []:
        if e.replicate == replicate:
            by_turn.setdefault(e.turn, []).append(e)
    turns = []
    for t in range(res.turns + 1):
        control = {s: ids.faction(x) if x >= 0 else None
                   for s, x in zip(c.settlements, res.control_by_turn[t, replicate],
                                   strict=True)}
        strength = {f: float(x) for f, x in zip(c.factions, res.strength_by_turn[t, replicate],
                                                strict=True)}
        garrison = ({} if res.garrison_by_turn is None else
                    {s: float(x) for s, x in zip(c.settlements, res.garrison_by_turn[t, replicate],
                                                 strict=True)})
        turn = _turn(t, by_turn.get(t, []), ids, sc, control, strength, garrison)
        for name, counts in (("killed", res.civilians_killed_by_turn),
                             ("displaced", res.displaced_by_turn)):
            if counts is not None:
                getattr(turn, name).update(
                    {s: float(x) for s, x in zip(c.settlements, counts[t, replicate],
                                                 strict=True)})
        turns.append(turn)
    outcomes = {o: OutcomeEnd(int(res.outcome_turn[replicate, k])
                              if res.outcome_turn[replicate, k] >= 0 else None,
                              bool(res.outcome_final[replicate, k]))
                for k, o in enumerate(res.outcomes)}
    factions = {f: FactionEnd(float(res.initial_strength[replicate, i]),
                              float(res.reinforcements[replicate, i]),
                              float(res.casualties[replicate, i]),
                              float(res.strength[replicate, i]))
                for i, f in enumerate(c.factions)}
    return GameRecord(sc.scenario.name, digest, seed, turns, outcomes, factions, sc, replay)
