"""Compile a validated scenario into static arrays and a table of parameters to sample.

Nothing here is random: :func:`compile_scenario` is deterministic and its result is picklable,
so batches can ship it to worker processes. Sampling happens in :mod:`wargame.engine.state`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

import numpy as np

from wargame.calibration import Calibration, load_calibration
from wargame.calibration.tempo import Tempo, load_tempo
from wargame.engine.space import Places, places
from wargame.scenario.params import Param
from wargame.scenario.schema import (
    Airlift,
    AirStrikes,
    Artillery,
    Condition,
    Reinforcements,
    Scenario,
    Supply,
)
from wargame.scenario.settings import SETTINGS, Setting

STANCE = {"war": 0, "neutral": 1, "allied": 2}
SELF = 3
FORTIFICATION_TO_POSTURE = {"none": "hasty", "prepared": "prepared", "fortified": "fortified"}


@dataclass(frozen=True)
class Stream:
    """Fighters arriving each turn (a faction's own reinforcements or a support line)."""

    faction: int
    men: str                 # parameter name
    at: tuple[int, ...]      # settlement indices, first held one receives
    first: int
    last: int
    quality: str | None      # parameter name of their quality, None = the faction's
    support: int | None      # support-line index (scaled by events), None = own


class Graph(NamedTuple):
    """The map as the compiled kernels take it: the links and the distances between places."""

    src: np.ndarray         # [E] intp: directed edge sources (both directions of every link)
    dst: np.ndarray         # [E] intp: directed edge targets
    out_start: np.ndarray   # [N + 1] intp: edges leaving n are out_start[n]:out_start[n + 1]
    neighbours: np.ndarray  # [N, D] intp: padded neighbour lists (-1 = none)
    hops: np.ndarray        # [N, N] int16: links on the shortest path (UNREACHABLE: none)


class OutcomeTest(NamedTuple):
    """An outcome's condition with its names made indices, once per compiled scenario
    (:func:`outcome_test`; evaluated by ``phases/outcomes.py``)."""

    kind: str               # the condition's key: "controls", "connected", "collapsed",
    #                         "civilians_killed", "displaced", "not_", "all" or "any"
    faction: int            # its faction (-1: none)
    places: np.ndarray      # [k] intp: the places (controls, civilians; empty: every place),
    #                         or [N] bool: connected's start
    targets: np.ndarray     # [N] bool: connected's targets (empty for the other kinds)
    flag: bool              # controls: all of them (else any); connected: through allies
    at_least: float         # civilians: the count that makes it hold
    parts: tuple[OutcomeTest, ...]  # not_, all, any: the conditions they combine


def outcome_test(cond: Condition, factions: list[str], settlements: list[str]) -> OutcomeTest:
    """``cond`` as a :class:`OutcomeTest` on the scenario's factions and settlements (in order)."""
    si = {s: i for i, s in enumerate(settlements)}
    none = np.zeros(0, dtype=np.intp)
    blank = OutcomeTest("", -1, none, np.zeros(0, dtype=bool), False, 0.0, ())
    if cond.controls is not None:
        return blank._replace(kind="controls", faction=factions.index(cond.controls.faction),
                              places=np.array([si[s] for s in cond.controls.settlements],
                                              dtype=np.intp),
                              flag=cond.controls.mode == "all")
    if cond.connected is not None:
        start = np.zeros(len(settlements), dtype=bool)
        start[[si[s] for s in cond.connected.from_]] = True
        targets = np.zeros(len(settlements), dtype=bool)
        targets[[si[s] for s in cond.connected.to]] = True
        return blank._replace(kind="connected", faction=factions.index(cond.connected.faction),
                              places=start, targets=targets,
                              flag=bool(cond.connected.with_allies))
    if cond.collapsed is not None:
        return blank._replace(kind="collapsed", faction=factions.index(cond.collapsed))
    for kind, civ in (("civilians_killed", cond.civilians_killed),
                      ("displaced", cond.displaced)):
        if civ is not None:
            return blank._replace(kind=kind, at_least=float(civ.at_least),
                                  places=np.array([si[s] for s in civ.settlements or []],
                                                  dtype=np.intp))
    if cond.not_ is not None:
        return blank._replace(kind="not_",
                              parts=(outcome_test(cond.not_, factions, settlements),))
    kind, subs = ("all", cond.all) if cond.all is not None else ("any", cond.any or [])
    return blank._replace(kind=kind,
                          parts=tuple(outcome_test(x, factions, settlements) for x in subs))


@dataclass(frozen=True)
class Compiled:
    """Static arrays of a scenario; every uncertain number is in ``params`` by name."""

    scenario: Scenario
    calibration: Calibration
    tempo: Tempo
    factions: list[str]
    settlements: list[str]
    outcomes: list[str]
    support_ids: list[str]
    turns: int
    # graph
    src: np.ndarray            # [E] directed edge sources (both directions of every link)
    dst: np.ndarray            # [E]
    out_start: np.ndarray      # [N + 1] edges leaving n are out_start[n]:out_start[n + 1]
    neighbours: np.ndarray     # [N, D] padded neighbour lists (-1 = none)
    # settlements
    init_control: np.ndarray   # [N] int
    defence_mult: np.ndarray   # [N] posture x terrain multiplier for defenders
    value: np.ndarray          # [N]
    supply_source: np.ndarray  # [F, N] bool
    space: Places              # area, depth, frontage caps, advance rates
    # relations
    init_relation: np.ndarray  # [F, F] int8 (STANCE codes, SELF on the diagonal)
    # parameters (name -> Param), sampled once per replicate in this order
    params: dict[str, Param] = field(default_factory=dict)
    streams: list[Stream] = field(default_factory=list)
    max_offensives: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # [F]
    operations: np.ndarray = field(default_factory=lambda: np.zeros(0, int))      # [F]
    last_stand: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), bool))  # [F, N]
    first_operation: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # [F] 0: unset
    hops: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.int16))  # [N, N]
    population: np.ndarray = field(default_factory=lambda: np.zeros(0))           # [N]
    # [M] the places some faction may ever have among its objectives (doctrine or event)
    objective_places: np.ndarray = field(default_factory=lambda: np.zeros(0, np.intp))

    @cached_property
    def graph(self) -> Graph:
        """The map's arrays as one kernel argument, made once per compiled scenario."""
        return Graph(self.src, self.dst, self.out_start, self.neighbours, self.hops)

    @cached_property
    def second_line(self) -> tuple[np.ndarray, np.ndarray]:
        """For each place, the other places within ``model.hold_depth`` links of it, as
        (offsets [N + 1], places): those of place ``n`` are ``places[offsets[n]:offsets[n +
        1]]`` (``phases/garrisons.py``: the second line behind a front keeps its hold)."""
        near = (self.hops <= int(self.scenario.model.hold_depth)) & (self.hops > 0)
        rows, cols = np.nonzero(near)
        offsets = np.searchsorted(rows, np.arange(self.hops.shape[0] + 1)).astype(np.intp)
        return offsets, cols.astype(np.intp)

    @cached_property
    def outcome_tests(self) -> tuple[OutcomeTest, ...]:
        """Each outcome's condition as a :class:`OutcomeTest`, in the scenario's order."""
        return tuple(outcome_test(o, self.factions, self.settlements)
                     for o in self.scenario.outcomes.values())

    @property
    def n_factions(self) -> int:
        """Number of factions ``F``."""
        return len(self.factions)

    @property
    def n_settlements(self) -> int:
        """Number of settlements ``N``."""
        return len(self.settlements)


def last_stand_places(sc: Scenario, sids: list[str]) -> np.ndarray:
    """[F, N] bool: the places where each faction's garrisons fight to the end
    (``doctrine.last_stand``: ``true`` every place, a list those places, ``false`` none)."""
    out = np.zeros((len(sc.factions), len(sids)), dtype=bool)
    for k, f in enumerate(sc.factions.values()):
        stand = f.doctrine.last_stand
        if isinstance(stand, list):
            out[k, [sids.index(s) for s in stand]] = True
        else:
            out[k, :] = stand
    return out


def compile_scenario(sc: Scenario, calibration: Calibration | None = None,
                     tempo: Tempo | None = None) -> Compiled:
    """Turn a validated scenario into a :class:`Compiled` model."""
    cal = calibration or load_calibration()
    tmp = tempo or load_tempo()
    fids = list(sc.factions)
    sids = list(sc.settlements)
    fi = {f: i for i, f in enumerate(fids)}
    si = {s: i for i, s in enumerate(sids)}
    F, N = len(fids), len(sids)

    pairs = [(si[a.between[0]], si[a.between[1]]) for a in sc.links]
    directed = sorted({(a, b) for a, b in pairs} | {(b, a) for a, b in pairs})
    src = np.array([a for a, _ in directed], dtype=np.intp)
    dst = np.array([b for _, b in directed], dtype=np.intp)
    out_start = np.searchsorted(src, np.arange(N + 1)).astype(np.intp)
    deg = np.bincount(src, minlength=N) if len(src) else np.zeros(N, int)
    neighbours = -np.ones((N, max(1, int(deg.max()) if N else 1)), dtype=np.intp)
    for k, (a, b) in enumerate(directed):
        neighbours[a, k - out_start[a]] = b

    init_control = np.array([fi[s.controller] for s in sc.settlements.values()], dtype=np.int16)
    defence = np.array([
        cal.posture_multiplier[FORTIFICATION_TO_POSTURE[s.fortification]]
        * cal.terrain_multiplier[s.terrain]
        for s in sc.settlements.values()
    ])
    value = np.array([s.value for s in sc.settlements.values()])
    supply_source = np.zeros((F, N), dtype=bool)
    for f, fac in sc.factions.items():
        for s in fac.supply_sources:
            supply_source[fi[f], si[s]] = True

    rel = np.full((F, F), STANCE[sc.relations.default], dtype=np.int8)
    for r in sc.relations.pairs:
        a, b = fi[r.between[0]], fi[r.between[1]]
        rel[a, b] = rel[b, a] = STANCE[r.stance]
    np.fill_diagonal(rel, SELF)

    params: dict[str, Param] = {}
    m = sc.model
    for setting in SETTINGS:  # every setting that may be a distribution, by its one name
        if setting.sampled:
            given = getattr(m, setting.name)
            params[setting.key] = given if given is not None else calibrated(setting, cal, tmp)
    for f, fac in sc.factions.items():
        params[f"{f}.strength"] = fac.strength
        params[f"{f}.quality"] = fac.quality
        params[f"{f}.morale"] = fac.morale
        params[f"{f}.breakpoint"] = fac.breakpoint if fac.breakpoint is not None else cal.breakpoint
        params[f"{f}.collapse_at"] = fac.collapse_at
        params[f"{f}.recruitment"] = fac.recruitment
        params[f"{f}.deal_desertion"] = fac.deal_desertion
        params[f"{f}.aggression"] = fac.doctrine.aggression
        params[f"{f}.reserve_share"] = fac.doctrine.reserve_share
        for s, w in fac.doctrine.objectives.items():
            params[f"{f}.objective.{s}"] = w
    for s, st in sc.settlements.items():
        for f, g in st.garrison.items():
            params[f"garrison.{s}.{f}"] = g

    streams: list[Stream] = []
    T = sc.scenario.turns
    for f, fac in sc.factions.items():
        for k, rf in enumerate(fac.reinforcements):
            name = f"{f}.reinforcements.{k}.men"
            params[name] = rf.men_per_turn
            streams.append(Stream(fi[f], name, tuple(si[x] for x in rf.at), rf.first_turn,
                                  rf.last_turn or T, None, None))
    support_ids = list(sc.support)
    for k, (lid, line) in enumerate(sc.support.items()):
        b = fi[line.beneficiary]
        if isinstance(line, Reinforcements):
            params[f"support.{lid}.men"] = line.men_per_turn
            params[f"support.{lid}.quality"] = line.quality
            streams.append(Stream(b, f"support.{lid}.men", tuple(si[x] for x in line.at),
                                  line.first_turn, line.last_turn or T,
                                  f"support.{lid}.quality", k))
        elif isinstance(line, AirStrikes):
            params[f"support.{lid}.sorties"] = line.sorties_per_turn
            params[f"support.{lid}.kills_per_sortie"] = line.kills_per_sortie
            params[f"support.{lid}.suppression"] = line.suppression
            for t, prio in line.targets.items():
                params[f"support.{lid}.target.{t}"] = prio
        elif isinstance(line, Airlift):
            params[f"support.{lid}.capacity"] = line.capacity
        elif isinstance(line, Supply):
            params[f"support.{lid}.quality_bonus"] = line.quality_bonus
        elif isinstance(line, Artillery):
            params[f"support.{lid}.fire"] = line.fire_multiplier
    for eid, ev in sc.events.items():
        if ev.trigger.chance is not None:
            params[f"event.{eid}.chance"] = ev.trigger.chance
        for j, eff in enumerate(ev.effects):
            if eff.reinforce is not None:
                params[f"event.{eid}.{j}.amount"] = eff.reinforce.amount
            if eff.scale_support is not None:
                params[f"event.{eid}.{j}.factor"] = eff.scale_support.factor
            if eff.doctrine is not None:
                d = eff.doctrine
                if d.aggression is not None:
                    params[f"event.{eid}.{j}.aggression"] = d.aggression
                if d.reserve_share is not None:
                    params[f"event.{eid}.{j}.reserve_share"] = d.reserve_share
                for s, w in (d.objectives or {}).items():
                    params[f"event.{eid}.{j}.objective.{s}"] = w

    return Compiled(
        scenario=sc, calibration=cal, tempo=tmp, factions=fids, settlements=sids,
        outcomes=list(sc.outcomes), support_ids=support_ids, turns=T,
        src=src, dst=dst, out_start=out_start,
        neighbours=neighbours, init_control=init_control, defence_mult=defence, value=value,
        supply_source=supply_source, space=places(sc, cal), init_relation=rel,
        params=params, streams=streams,
        max_offensives=np.array([f.doctrine.max_offensives for f in sc.factions.values()]),
        operations=np.array([f.doctrine.operations for f in sc.factions.values()]),
        last_stand=last_stand_places(sc, sids),
        first_operation=np.array([f.doctrine.first_operation_turn or 0
                                  for f in sc.factions.values()]),
        hops=hop_counts(N, src, dst),
        population=np.array([float(s.population) for s in sc.settlements.values()]),
        objective_places=np.array(sorted(
            {si[s] for fac in sc.factions.values() for s in fac.doctrine.objectives}
            | {si[s] for ev in sc.events.values() for eff in ev.effects
               if eff.doctrine is not None for s in (eff.doctrine.objectives or {})}),
            dtype=np.intp),
    )


def calibrated(s: Setting, cal: Calibration, tempo: Tempo) -> float:
    """The value of a setting left unset: its CDB90 or modern-battles fit."""
    if s.calibrated is None:
        raise ValueError(f"model.{s.name} has no calibrated value to fall back on")
    return float(getattr(cal if s.calibrated == "CDB90" else tempo, s.name))


UNREACHABLE = 10_000
"""Hop count between places that no chain of links joins."""


def hop_counts(n: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Links on the shortest path between every pair of places -> [N, N] int16, whoever holds
    them (breadth-first search from each place; ``UNREACHABLE`` where no path exists)."""
    hops = np.full((n, n), UNREACHABLE, dtype=np.int16)
    adj: list[list[int]] = [[] for _ in range(n)]
    for a, b in zip(src.tolist(), dst.tolist(), strict=True):
        adj[a].append(b)
    for s in range(n):
        hops[s, s] = 0
        frontier = [s]
        d = 0
        while frontier:
            d += 1
            nxt = []
            for a in frontier:
                for b in adj[a]:
                    if hops[s, b] == UNREACHABLE:
                        hops[s, b] = d
                        nxt.append(b)
            frontier = nxt
    return hops
