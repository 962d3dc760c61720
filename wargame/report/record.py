"""One game as a structured record, turn by turn: the one place that reads the engine's log.

The engine's narrative log (``GameResult.log``, ``simulate(..., log=True)``) is a list of
dicts with a ``kind`` (``event``, ``strike``, ``encircled``, ``capture``, ``repulse``,
``surrender``, ``culminated``) and
faction and settlement *indices*. :func:`game_record` turns it, with the per-turn arrays of
``record_turns=True``, into a :class:`Game`: for every turn its dates, who holds every place,
each faction's strength, and the turn's events, air strikes, encirclements and battles (sides,
force ratio, result), all with ids. ``wargame run`` renders its narrative from this record and
prints it with ``--format json``.

The reading is tolerant, so the engine can add to its log without breaking anything here:

* keys this module does not know are kept, translated from indices to ids when they are named
  in :data:`FACTION_KEYS` / :data:`PLACE_KEYS` (and their list forms), in each item's
  ``extra``;
* records of a kind this module does not know go, translated the same way, to the turn's
  ``other`` list.

To give a new kind or key its own field, add it here (and its sentence in
:mod:`wargame.report.narrative`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from wargame.montecarlo.tidy import Table, need, table
from wargame.scenario.calendar import turn_end, turn_start
from wargame.textsafe import terminal

if TYPE_CHECKING:
    from wargame.engine import Compiled, GameResult
    from wargame.scenario.schema import Scenario

FACTION_KEYS = ("defender", "attacker", "faction", "target", "by", "holder", "taker")
FACTION_LIST_KEYS = ("attackers", "routed", "factions")
PLACE_KEYS = ("settlement", "place", "from", "to")
PLACE_LIST_KEYS = ("retreat_to", "breakout_to", "settlements", "places", "objectives")
BATTLE_RESULTS = {"capture": "captured", "repulse": "held"}
_SKIP = ("turn", "replicate", "kind")


def _plain(v: Any) -> Any:
    """numpy scalars and arrays as plain JSON-ready values."""
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    return v


class _Ids:
    """Faction and settlement indices of the log as ids."""

    def __init__(self, factions: list[str], settlements: list[str]) -> None:
        self.factions = factions
        self.settlements = settlements

    def faction(self, i: Any) -> str | None:
        return self.factions[int(i)] if 0 <= int(i) < len(self.factions) else None

    def place(self, i: Any) -> str | None:
        return self.settlements[int(i)] if 0 <= int(i) < len(self.settlements) else None

    def translate(self, rec: dict[str, Any]) -> dict[str, Any]:
        """Every key but turn/replicate/kind, indices named by the key lists made ids."""
        out: dict[str, Any] = {}
        for k, v in rec.items():
            if k in _SKIP:
                continue
            if k in FACTION_KEYS and isinstance(v, int | np.integer):
                out[k] = self.faction(v)
            elif k in FACTION_LIST_KEYS and isinstance(v, list | tuple):
                out[k] = [self.faction(x) for x in v]
            elif k in PLACE_KEYS and isinstance(v, int | np.integer):
                out[k] = self.place(v)
            elif k in PLACE_LIST_KEYS and isinstance(v, list | tuple):
                out[k] = [self.place(x) for x in v]
            elif k == "strength" and isinstance(v, dict):
                out[k] = {self.faction(f): _plain(x) for f, x in v.items()}
            else:
                out[k] = _plain(v)
        return out


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
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Battle:
    """One battle: who fought whom at what force ratio, and who holds the place after."""

    place: str
    result: str                # "captured" (the attacker took it) or "held"
    defender: str
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
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Surrender:
    """A besieged place handed over by a deal."""

    place: str
    faction: str | None       # the garrison's
    taker: str | None         # the besieger's
    evacuated: float          # fighters evacuated to a place of their faction (0: captured)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Culminated:
    """A faction's operation (or offensive) that ended: why, and how long it pauses."""

    faction: str | None
    pause_turns: int
    why: str = "culminated"           # achieved, culminated, ran its course, stalled, collapsed
    objectives: list[str | None] = field(default_factory=list)
    lost: float = 0.0                 # losses of its attacking forces
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OperationOpened:
    """A faction opens an operation on its objectives; it masses first for some turns."""

    faction: str | None
    objectives: list[str | None]
    massing_turns: int
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Encircled:
    """A place newly cut off from supply."""

    place: str
    faction: str | None
    airlift: float
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EventFired:
    """A scenario event that fired."""

    event: str
    name: str
    extra: dict[str, Any] = field(default_factory=dict)


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
    other: list[dict[str, Any]] = field(default_factory=list)   # log kinds not known here
    garrison: dict[str, float] = field(default_factory=dict)    # place -> its holder's fighters
    killed: dict[str, float] = field(default_factory=dict)      # place -> civilians killed so far
    displaced: dict[str, float] = field(default_factory=dict)   # place -> civilians fled so far

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (dates as ISO text; each item's ``extra`` merged into it)."""
        def item(x: Any) -> dict[str, Any]:
            d = asdict(x)
            return {**{k: v for k, v in d.items() if k != "extra"}, **d.get("extra", {})}
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
                "operations": [item(x) for x in self.operations], "other": list(self.other),
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
class Game:
    """One game: the seed, each turn's record (turn 0 is the starting position) and the end.

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

    def story(self) -> dict[int, list[str]]:
        """The narrative's sentences, by turn."""
        from wargame.report.narrative import turn_sentences

        before = [None, *(t.control for t in self.turns)]
        return {t.turn: turn_sentences(self.scenario, t, b)
                for t, b in zip(self.turns, before, strict=False)}

    def narrative(self, width: int = 80) -> str:
        """The turn-by-turn story and final tables as plain text, ``width`` columns wide
        (what ``wargame run`` prints)."""
        import io

        from rich.console import Console

        from wargame.report.narrative import narrative

        console = Console(width=width, record=True, file=io.StringIO(), color_system=None,
                          force_jupyter=False, emoji=False)
        console.print(f"{terminal(self.scenario_name)} — {self.label}")
        console.print(narrative(self))
        return "".join(line.rstrip() + "\n" for line in console.export_text().splitlines())

    def to_dict(self) -> dict[str, Any]:
        """What ``wargame run --format json`` prints, as plain data."""
        story = self.story()
        return {"scenario": self.scenario_name, "scenario_digest": self.digest,
                "seed": self.seed, "replay": None if self.replay is None else asdict(self.replay),
                "label": self.label,
                "turns": [{**t.to_dict(), "story": story.get(t.turn, [])} for t in self.turns],
                "control": dict(self.control),
                "outcomes": {k: asdict(v) for k, v in self.outcomes.items()},
                "strength": {k: asdict(v) for k, v in self.factions.items()}}

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


def _battle(d: dict[str, Any], result: str, strikes: list[Strike]) -> Battle:
    d = dict(d)
    place = d.pop("settlement")
    defender = d.pop("defender")
    strengths = d.pop("strength", {}) or {}
    routed = set(d.pop("routed", []) or [])
    sides = [Side(f, "defender" if f == defender else "attacker", float(s0), float(s1),
                  f in routed) for f, (s0, s1) in strengths.items() if f is not None]
    air = [s for s in strikes if s.place == place]
    return Battle(place, result, defender, d.pop("attacker"), d.pop("attackers", []),
                  float(d.pop("ratio")), sides, d.pop("retreat_to", []),
                  d.pop("survivors", None), float(sum(s.sorties for s in air)),
                  sorted({s.provider for s in air}), float(d.pop("days", 0.0)),
                  float(d.pop("fought", 0.0)), int(d.pop("line_breaks", 0)),
                  float(d.pop("cleared_before", 0.0)), float(d.pop("cleared_after", 0.0)),
                  str(d.pop("how", "held")), d.pop("breakout_to", []), d)


def _turn(t: int, recs: list[dict[str, Any]], ids: _Ids, sc: Scenario,
          control: dict[str, str | None], strength: dict[str, float],
          garrison: dict[str, float]) -> TurnRecord:
    events, strikes, encircled, battles, other = [], [], [], [], []
    surrenders: list[Surrender] = []
    culminated: list[Culminated] = []
    operations: list[OperationOpened] = []
    for rec in recs:
        kind = rec.get("kind")
        d = ids.translate(rec)
        if kind == "event":
            events.append(EventFired(d.pop("event"), d.pop("name"), d))
        elif kind == "strike":
            strikes.append(Strike(d.pop("line"), d.pop("provider"), d.pop("settlement"),
                                  float(d.pop("sorties")), float(d.pop("kills")),
                                  d.pop("target", None), d))
        elif kind == "encircled":
            encircled.append(Encircled(d.pop("settlement"), d.pop("faction"),
                                       float(d.pop("airlift", 0.0)), d))
        elif kind == "surrender":
            surrenders.append(Surrender(d.pop("settlement"), d.pop("faction", None),
                                        d.pop("taker", None), float(d.pop("evacuated", 0.0)),
                                        d))
        elif kind == "culminated":
            culminated.append(Culminated(d.pop("faction", None), int(d.pop("pause_turns", 0)),
                                         str(d.pop("why", "culminated")),
                                         list(d.pop("objectives", [])),
                                         float(d.pop("lost", 0.0)), d))
        elif kind == "operation":
            operations.append(OperationOpened(d.pop("faction", None),
                                              list(d.pop("objectives", [])),
                                              int(d.pop("massing_turns", 0)), d))
    for rec in recs:  # battles after the turn's strikes are known
        kind = rec.get("kind")
        if kind in BATTLE_RESULTS:
            battles.append(_battle(ids.translate(rec), BATTLE_RESULTS[kind], strikes))
        elif kind not in ("event", "strike", "encircled", "surrender", "culminated",
                          "operation"):
            other.append({"kind": kind, **ids.translate(rec)})
    return TurnRecord(t, turn_start(sc, t), turn_end(sc, t), control, strength, events,
                      strikes, encircled, battles, surrenders, culminated, operations, other,
                      garrison)


def game_record(c: Compiled, res: GameResult, seed: int, digest: str,
                replicate: int = 0, replay: Replay | None = None) -> Game:
    """The structured record of one replicate (played with ``log=True, record_turns=True``);
    ``replay`` says which game of a batch it is."""
    if res.control_by_turn is None or res.strength_by_turn is None:
        raise ValueError("a game record needs simulate(..., record_turns=True)")
    sc = c.scenario
    ids = _Ids(list(c.factions), list(c.settlements))
    by_turn: dict[int, list[dict[str, Any]]] = {}
    for rec in res.log or []:
        if rec.get("replicate", 0) == replicate:
            by_turn.setdefault(int(rec.get("turn", 0)), []).append(rec)
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
    return Game(sc.scenario.name, digest, seed, turns, outcomes, factions, sc, replay)
