"""The campaign layer: operations (where the forces stand is in
:mod:`wargame.engine.phases.garrisons`).

Real wars are quiet fronts punctuated by a few offensives a year. Each offensive has a main
effort, masses, culminates and is followed by a regrouping pause; the fighters are replaced.
The rules (``docs/model.md``, "The campaign layer"), all switched off by ``model.campaign:
false``:

* **Operations.** A faction that is not regrouping (``rest``) and has no operation opens up
  to ``doctrine.operations`` of them. Each has an axis, the hostile place its orders
  (:mod:`wargame.engine.phases.orders`) score highest, more than ``2 x operation_radius``
  links from the other axes, and an objective, the hostile place within
  ``operation_radius`` links of the axis that its doctrine weights most (``objectives``; of
  places it does not name, the one of most ``value``). It then masses for ``massing_days``
  (no attack), and fights: it attacks only places within ``operation_radius`` links of an
  objective, and holds everywhere else. The operation ends when it has taken its objectives,
  when it culminates (its attacking forces have lost ``culmination_loss`` of the strength the
  faction had when it began, or it has run ``push_days``), or when a turn passes with no
  attack in its sectors (it stalls). After a culmination or a stall the faction regroups for
  ``pause_days`` before it plans again.
* **Exploitation** (``exploitation``). An operation that takes its objectives before it is
  spent goes on at once: the faction picks its next axis and objective as above and attacks
  without massing, and the offensive's losses and days keep counting toward its culmination.
  It ends, and the faction regroups for ``pause_days``, when it culminates, runs
  ``push_days``, stalls, or finds nothing more to attack (``exhausted``). Without
  exploitation, an operation that took its objectives ends there and the next one masses.
* **Brittle defences.** An attacker plans against a garrison's power times the chance that
  it does not collapse over an operation (:func:`planned_defence`), so a weaker attacker may
  attack a defender whose morale is low.

Garrisons that stay, massing, quiet fronts and regeneration are in
:mod:`wargame.engine.phases.garrisons`.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from wargame.engine.common import WAR
from wargame.engine.compile import Compiled, Graph
from wargame.engine.events import EngineEvent, OperationEnded, OperationOpened
from wargame.engine.links import WarLinks
from wargame.engine.phases.engagement import REFERENCE_MORALE
from wargame.engine.phases.garrisons import front_places, near_objective
from wargame.engine.state import Campaign, Factions, Forces, State

OBJECTIVE_TIE = 1e-3
"""Worth given up per link of distance when choosing an objective (the nearest of equals)."""

MASSING, FIGHTING = 1, 2
"""Stages of an operation (0: none, the faction holds or regroups)."""


class Plan(NamedTuple):
    """What the orders may do this turn (the turn's plan, one kernel argument)."""

    idle: np.ndarray       # [R, F] bool: makes no attack and poses no threat (collapsed, pausing)
    ready: np.ndarray      # [R, F] bool: plans a new operation this turn (scores its candidates)
    allowed: np.ndarray    # [R, F, N] bool: may attack the place this turn
    hold: np.ndarray       # [R, N] float64: fighters each place keeps before it sends or attacks
    front: np.ndarray      # [R, N] bool: faces an enemy (campaign layer; all false without it)
    mass_first: np.ndarray  # [R, F] bool: a new operation masses before it attacks


class Candidates(NamedTuple):
    """The targets that factions planning an operation found viable this turn."""

    rows: np.ndarray       # [Rc] intp: the games where some faction plans (``Plan.ready``)
    score: np.ndarray      # [Rc, F, N] float64: each ready faction's summed score of every target
    row: np.ndarray        # [R] intp: each game's row of ``score`` (-1: no faction plans)


class OperationRule(NamedTuple):
    """The settings with which factions open operations."""

    radius: int            # operation_radius: links from an objective to its sector's edge
    worth_scale: float     # puts stated objectives above every value
    slots: np.ndarray      # [F] int: operations a faction runs at once (doctrine.operations)
    value: np.ndarray      # [N] float64: each place's value


class BrittleRule(NamedTuple):
    """The settings of brittle defences (:func:`brittle`)."""

    rate: np.ndarray       # [R] float64: collapse_rate, a daily hazard at the reference morale
    push_days: float       # calendar days a place is exposed over an operation
    slope: float           # collapse_morale_slope


@njit(cache=True)
def allowed_places(op_target: np.ndarray, fighting: np.ndarray, open_now: np.ndarray,
                   hops: np.ndarray, radius: int) -> np.ndarray:
    """[R, F, N]: every place for a faction that opens an operation and attacks at once
    (``open_now``), the places within ``radius`` links of its objectives for one whose
    operation fights, none otherwise."""
    R, F, _ = op_target.shape
    N = hops.shape[0]
    allowed = np.zeros((R, F, N), dtype=np.bool_)
    for r in range(R):
        for f in range(F):
            if open_now[r, f]:
                allowed[r, f, :] = True
            elif fighting[r, f]:
                for n in range(N):
                    allowed[r, f, n] = near_objective(op_target, r, f, hops, radius, n)
    return allowed


def plan(c: Compiled, st: State, links: WarLinks) -> Plan:
    """Which factions attack where this turn, and which plan a new operation (``links``: the
    state's links at war)."""
    m = c.scenario.model
    R, F, N = st.replicates, c.n_factions, c.n_settlements
    if not m.campaign:
        return Plan(idle=st.collapsed | (st.rest > 0), ready=np.zeros((R, F), bool),
                    allowed=np.ones((R, F, N), bool),
                    hold=np.full((R, N), float(m.min_garrison)),
                    front=np.zeros((R, N), bool), mass_first=np.zeros((R, F), bool))
    front, hold = front_places(c, st, links)
    ready = ((st.op_stage == 0) & (st.rest == 0) & ~st.collapsed
             & (c.operations[None, :] > 0) & (st.aggression > 0))
    fighting = (st.op_stage == FIGHTING) & ~st.collapsed
    mass_first = (m.massing_days > 0) & ~st.massed
    allowed = allowed_places(st.op_target, fighting, ready & ~mass_first, c.hops,
                             int(m.operation_radius))
    return Plan(idle=st.collapsed | ~(fighting | ready), ready=ready, allowed=allowed,
                hold=hold, front=front, mass_first=mass_first)


@njit(cache=True)
def brittle(def_power: np.ndarray, forces: Forces, morale: np.ndarray, graph: Graph,
            links: WarLinks, rule: BrittleRule) -> np.ndarray:
    """``def_power`` [R, N] times ``exp(-hazard)`` at each end of a link at war (``links``:
    the places orders look at; elsewhere the power as it is), ``hazard = rate x push_days x
    exp(-slope (morale - REFERENCE_MORALE))`` with the holder's morale (faction 0's for a
    place held by nobody)."""
    ctrl, src, dst = forces.control, graph.src, graph.dst
    rate, push_days, slope = rule.rate, rule.push_days, rule.slope
    R, N = ctrl.shape
    F = morale.shape[1]
    out = def_power.copy()
    mark = np.zeros(N, dtype=np.bool_)
    steady = np.empty(F)
    for r in range(R):
        for i in range(links.n_links[r]):
            e = links.edges[r, i]
            mark[src[e]] = True
            mark[dst[e]] = True
        for f in range(F):
            steady[f] = math.exp(-slope * (morale[r, f] - REFERENCE_MORALE))
        for n in range(N):
            if mark[n]:
                mark[n] = False
                a = max(ctrl[r, n], 0)
                hazard = rate[r] * push_days * steady[a]
                out[r, n] = def_power[r, n] * math.exp(-hazard)
    return out


def planned_defence(c: Compiled, st: State, p: dict[str, np.ndarray],
                    def_power: np.ndarray, links: WarLinks) -> np.ndarray:
    """The defending power an attacker plans against -> [R, N]: each place's power times the
    chance that its garrison does not collapse over an operation (brittle defences).

    Over an operation of ``push_days`` a place under attack is exposed for ``push_days``
    calendar days; the garrison collapses over them with the chance of phase 5
    (:func:`collapse_chance`, from ``collapse_rate`` and the controller's morale). A planner
    counts on that: a low-morale garrison invites an attack by a weaker enemy (Mosul 2014,
    Kunduz 2015). Only the places at either end of a link between factions at war are worked
    out (:func:`brittle`): no attacker plans against the others.
    """
    m = c.scenario.model
    if not m.campaign:
        return def_power
    return brittle(def_power, st.forces(), st.morale, c.graph, links,
                   BrittleRule(p["model.collapse_rate"], float(m.push_days),
                               float(m.collapse_morale_slope)))


@njit(cache=True)
def open_operations(candidates: Candidates, plan: Plan, forces: Forces, factions: Factions,
                    graph: Graph, campaign: Campaign, rule: OperationRule) -> np.ndarray:
    """Open the operations of :func:`launch` in the games ``candidates.rows`` (``score``
    [Rc, F, N] their candidates), in place in ``campaign`` -> [R, F] bool, the factions that
    opened one."""
    rows, cand = candidates.rows, candidates.score
    ready, mass_first = plan.ready, plan.mass_first
    ctrl, strength = forces.control, forces.strength
    relation, objective = factions.relation, factions.objective
    hops = graph.hops
    op_target, op_stage, op_turns = campaign.target, campaign.stage, campaign.turns
    massed, pressing, offensive_base = campaign.massed, campaign.pressing, campaign.base
    offensive_loss, offensive_days = campaign.loss, campaign.days
    radius, worth_scale, slots, value = rule.radius, rule.worth_scale, rule.slots, rule.value
    R, N = ctrl.shape
    F = ready.shape[1]
    K = op_target.shape[2]
    opened = np.zeros((R, F), dtype=np.bool_)
    score = np.empty((F, N))
    chosen = np.empty((F, K), dtype=np.intp)
    axis = np.empty(F, dtype=np.intp)
    aim = np.empty(F, dtype=np.intp)
    for i in range(rows.shape[0]):
        r = rows[i]
        some = False
        for f in range(F):
            for n in range(N):
                score[f, n] = cand[i, f, n] if ready[r, f] else 0.0
                some |= score[f, n] > 0
        if not some:
            continue
        chosen[:] = -1
        for k in range(K):
            any_ok = False
            for f in range(F):
                best = 0
                for n in range(1, N):
                    if score[f, n] > score[f, best]:
                        best = n
                axis[f] = best
                ok = score[f, best] > 0 and k < slots[f]
                any_ok |= ok
                # The objective: the hostile place within reach of the axis that the
                # doctrine weights most (the nearest of equals).
                top = -np.inf
                aim[f] = 0
                for n in range(N):
                    a = ctrl[r, n]
                    d = hops[best, n]
                    if a >= 0 and d <= radius and relation[r, f, a] == WAR:
                        w = (objective[r, f, n] * worth_scale + value[n]) - OBJECTIVE_TIE * d
                        if w > top:
                            top = w
                            aim[f] = n
                if ok:
                    chosen[f, k] = aim[f]
            if not any_ok:
                break
            # The next operation's axis lies outside this one's sector.
            for f in range(F):
                for n in range(N):
                    if hops[aim[f], n] <= 2 * radius:
                        score[f, n] = 0.0
        for f in range(F):
            if chosen[f, 0] < 0:
                continue
            opened[r, f] = True
            op_target[r, f, :] = chosen[f, :]
            op_stage[r, f] = MASSING if mass_first[r, f] else FIGHTING
            massed[r, f] = False
            op_turns[r, f] = 0
            if pressing[r, f]:
                # Exploitation: the same offensive goes on; its losses and days still count.
                pressing[r, f] = False
                continue
            total = 0.0
            for n in range(N):
                if ctrl[r, n] == f:
                    total += strength[r, n]
            offensive_base[r, f] = total
            offensive_loss[r, f] = 0.0
            offensive_days[r, f] = 0.0
    return opened


def launch(c: Compiled, st: State, pl: Plan, cand: Candidates, t: int,
           log: list[EngineEvent] | None) -> None:
    """Ready factions with a viable target open an operation on their best ones.

    For each of up to ``doctrine.operations`` slots: the axis is the candidate of highest
    summed score (:func:`wargame.engine.phases.orders.choose`), the objective the hostile
    place within ``operation_radius`` links of it that is worth most (stated objectives
    first by weight, then value; ``OBJECTIVE_TIE`` per link of distance), and the next axis
    lies more than ``2 x operation_radius`` links away. Only the games where some faction
    plans are worked on (:func:`open_operations`)."""
    m = c.scenario.model
    # An offensive that took its objectives and finds no target it can take is over.
    pressing = pl.ready & st.pressing
    if cand.rows.size == 0:
        _exhausted(c, st, pressing, t, log)
        return
    opened = open_operations(
        cand, pl, st.forces(), st.factions(), c.graph, st.campaign(),
        OperationRule(int(m.operation_radius), 1.0 + float(c.value.max(initial=0.0)),
                      c.operations, c.value))
    if log is not None:
        for r, f in zip(*np.nonzero(opened), strict=True):
            log.append(OperationOpened(
                t, int(r), int(f), tuple(int(x) for x in st.op_target[r, f] if x >= 0),
                massing_turns(c) if pl.mass_first[r, f] else 0))
    _exhausted(c, st, pressing & ~opened, t, log)


def _exhausted(c: Compiled, st: State, over: np.ndarray, t: int,
               log: list[EngineEvent] | None) -> None:
    """End the offensives ``over`` [R, F]: they took their objectives and found no next
    target within reach, so the faction regroups for ``pause_days``."""
    if not over.any():
        return
    pause = math.ceil(c.scenario.model.pause_days / c.scenario.scenario.days_per_turn)
    if log is not None:
        for r, f in zip(*np.nonzero(over), strict=True):
            log.append(OperationEnded(t, int(r), int(f), pause, "exhausted", (),
                                      float(st.offensive_loss[r, f])))
    st.rest[over] = pause
    st.massed[over] = False
    st.pressing[over] = False
    st.offensive_loss[over] = 0.0
    st.offensive_days[over] = 0.0


def massing_turns(c: Compiled) -> int:
    """Whole turns an operation masses before it attacks."""
    return math.ceil(c.scenario.model.massing_days / c.scenario.scenario.days_per_turn)


def advance(c: Compiled, st: State, attack_loss: np.ndarray, attacked: np.ndarray, t: int,
            log: list[EngineEvent] | None) -> None:
    """Move every operation on by a turn: massing ends, fighting culminates or runs out."""
    m = c.scenario.model
    days = c.scenario.scenario.days_per_turn
    np.maximum(st.rest - 1, 0, out=st.rest)
    massing = st.op_stage == MASSING
    st.op_turns[massing] += 1
    start = massing & (st.op_turns >= massing_turns(c))
    now = st.faction_strength(c.n_factions)
    st.op_stage[start] = FIGHTING
    st.offensive_base[start] = now[start]
    fighting = (st.op_stage == FIGHTING) & ~start
    st.offensive_loss += np.where(fighting & attacked, attack_loss, 0.0)
    st.offensive_days += np.where(fighting & attacked, days, 0.0)
    spent = fighting & (st.offensive_loss > m.culmination_loss * st.offensive_base)
    long = fighting & (st.offensive_days >= m.push_days)
    done = fighting & ~attacked
    tgt = st.op_target
    R = st.replicates
    holder = st.control[np.arange(R)[:, None, None], np.maximum(tgt, 0)]         # [R, F, K]
    mine = (holder == np.arange(c.n_factions)[None, :, None]) | (tgt < 0)
    won = (st.op_stage == FIGHTING) & mine.all(axis=2)
    ended = spent | long | done | won | (st.collapsed & (st.op_stage > 0))
    if not ended.any():
        return
    # The pause: none after an operation that took its objectives (the next one still masses),
    # pause_days after one that culminated or stalled.
    pause = np.where(won, 0, math.ceil(m.pause_days / days))
    if log is not None:
        for r, f in zip(*np.nonzero(ended), strict=True):
            why = ("achieved" if won[r, f] else "culminated" if spent[r, f]
                   else "ran its course" if long[r, f]
                   else "collapsed" if st.collapsed[r, f] else "stalled")
            log.append(OperationEnded(
                t, int(r), int(f), int(pause[r, f]), why,
                tuple(int(x) for x in st.op_target[r, f] if x >= 0),
                float(st.offensive_loss[r, f])))
    st.rest[ended] = pause[ended]
    st.op_stage[ended] = 0
    st.op_target[ended] = -1
    # Exploitation: an offensive that took its objectives before it was spent goes on at
    # once, without massing; its losses and days keep counting.
    go_on = won & ~(spent | long | st.collapsed) if m.exploitation else np.zeros_like(won)
    st.massed[go_on] = True
    st.pressing[go_on] = True
    stop = ended & ~go_on
    st.offensive_loss[stop] = 0.0
    st.offensive_days[stop] = 0.0
