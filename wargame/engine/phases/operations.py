"""The campaign layer: operations, garrisons that stay, quiet fronts and regeneration.

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
  ``pause_days`` before it plans again; after taking its objectives it plans the next
  operation at once (and masses for it).
* **Brittle defences.** An attacker plans against a garrison's power times the chance that
  it does not collapse over an operation (:func:`planned_defence`), so a weaker attacker may
  attack a defender whose morale is low.
* **Garrisons that stay.** A place that touches an enemy, or that a hostile faction has as an
  objective, keeps ``hold_share x cap_def`` (the defenders its front holds on a day, from
  :mod:`wargame.engine.space`) before anything is sent away or attacks from it; any other
  place keeps ``min_garrison``.
* **Massing.** While a faction's operation masses or fights, each of its places in supply
  sends ``redeploy_share`` of its surplus above what it holds to the places nearest each
  objective (its staging area). A faction whose places lie inside an enemy operation's
  sector sends its surplus to them in the same way (the defender commits its reserves to
  the threatened sector).
* **Quiet fronts.** A garrison that touches an enemy and was not attacked this turn loses
  ``quiet_loss_per_day x days`` of its strength to raids, shelling and snipers.
* **Regeneration.** Each faction recruits ``recruitment`` fighters a year per 1,000 people of
  the places it holds in supply, where they live; and ``wounded_return`` of its casualties
  come back to duty at the rate ``1 / return_days``, at its places in supply in proportion
  to what they hold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numba import njit

from wargame.engine.common import WAR
from wargame.engine.compile import UNREACHABLE, Compiled
from wargame.engine.phases.engagement import REFERENCE_MORALE
from wargame.engine.state import State

OBJECTIVE_TIE = 1e-3
"""Worth given up per link of distance when choosing an objective (the nearest of equals)."""

MASSING, FIGHTING = 1, 2
"""Stages of an operation (0: none, the faction holds or regroups)."""


@dataclass
class Plan:
    """What the orders may do this turn."""

    idle: np.ndarray       # [R, F] makes no attack and poses no threat (collapsed, pausing)
    ready: np.ndarray      # [R, F] plans a new operation this turn (scores its candidates)
    allowed: np.ndarray    # [R, F, N] may attack the place this turn
    hold: np.ndarray       # [R, N] fighters each place keeps before it sends or attacks
    mass_first: np.ndarray  # [R, F] a new operation masses before it attacks


@njit(cache=True)
def fronts(ctrl: np.ndarray, relation: np.ndarray, src: np.ndarray, dst: np.ndarray,
           objective: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which places touch an enemy at war (``front``), and which a faction at war with their
    holder has among its objectives (``wanted``) -> two [R, N] bool arrays."""
    R, N = ctrl.shape
    F = relation.shape[1]
    front = np.zeros((R, N), dtype=np.bool_)
    wanted = np.zeros((R, N), dtype=np.bool_)
    for r in range(R):
        for e in range(src.shape[0]):
            a = ctrl[r, src[e]]
            b = ctrl[r, dst[e]]
            if a >= 0 and b >= 0 and a != b and relation[r, a, b] == WAR:
                front[r, src[e]] = True
        for n in range(N):
            a = ctrl[r, n]
            if a < 0:
                continue
            for f in range(F):
                if f != a and objective[r, f, n] > 0 and relation[r, f, a] == WAR:
                    wanted[r, n] = True
                    break
    return front, wanted


def by_holder(values: np.ndarray, ctrl: np.ndarray, n_factions: int) -> np.ndarray:
    """Sum of ``values`` [R, N] over each faction's places -> [R, F]."""
    return np.stack([np.where(ctrl == f, values, 0.0).sum(axis=1) for f in range(n_factions)],
                    axis=1)


def front_places(c: Compiled, st: State) -> tuple[np.ndarray, np.ndarray]:
    """Places facing an enemy, and places an enemy wants, in the state as it is (see
    :func:`fronts`)."""
    return fronts(st.control, st.relation, c.src, c.dst, st.objective)


def hold_of(c: Compiled, front: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """What each place keeps -> [R, N]: ``max(min_garrison, hold_share x cap_def)`` where it
    faces an enemy or an enemy wants it, ``min_garrison`` elsewhere."""
    m = c.scenario.model
    floor = float(m.min_garrison)
    cap = np.where(np.isfinite(c.space.cap_def), c.space.cap_def, 0.0)
    need = np.maximum(floor, m.hold_share * cap)[None, :]
    return np.where(front | wanted, need, floor)


def hold_need(c: Compiled, st: State) -> np.ndarray:
    """Fighters each place keeps before it sends any away or attacks from it -> [R, N]."""
    if not c.scenario.model.campaign:
        return np.full(st.control.shape, float(c.scenario.model.min_garrison))
    return hold_of(c, *front_places(c, st))


def plan(c: Compiled, st: State) -> Plan:
    """Which factions attack where this turn, and which plan a new operation."""
    m = c.scenario.model
    R, F, N = st.replicates, c.n_factions, c.n_settlements
    hold = hold_need(c, st)
    if not m.campaign:
        return Plan(idle=st.collapsed | (st.rest > 0), ready=np.zeros((R, F), bool),
                    allowed=np.ones((R, F, N), bool), hold=hold,
                    mass_first=np.zeros((R, F), bool))
    ready = ((st.op_stage == 0) & (st.rest == 0) & ~st.collapsed
             & (c.operations[None, :] > 0) & (st.aggression > 0))
    fighting = (st.op_stage == FIGHTING) & ~st.collapsed
    target = st.op_target                                                    # [R, F, K]
    near = c.hops[np.maximum(target, 0)] <= m.operation_radius               # [R, F, K, N]
    allowed = (near & (target >= 0)[..., None]).any(axis=2) & fighting[..., None]
    mass_first = (m.massing_days > 0) & ~st.massed
    allowed |= (ready & ~mass_first)[..., None]
    return Plan(idle=st.collapsed | ~(fighting | ready), ready=ready, allowed=allowed,
                hold=hold, mass_first=mass_first)


def planned_defence(c: Compiled, st: State, p: dict[str, np.ndarray],
                    def_power: np.ndarray) -> np.ndarray:
    """The defending power an attacker plans against -> [R, N]: each place's power times the
    chance that its garrison does not collapse over an operation (brittle defences).

    Over ``push_days`` a place sees ``push_days x engage_p`` engagement days on average; the
    garrison collapses over them with the chance of phase 5 (:func:`collapse_chance`, from
    ``collapse_rate`` and the controller's morale). A planner counts on that: a low-morale
    garrison invites an attack by a weaker enemy (Mosul 2014, Kunduz 2015).
    """
    m = c.scenario.model
    if not m.campaign:
        return def_power
    R = st.replicates
    ctrl = st.control.astype(np.intp)
    morale = st.morale[np.arange(R)[:, None], np.maximum(ctrl, 0)]
    hazard = (p["model.collapse_rate"][:, None] * m.push_days * st.engage_p
              * np.exp(-m.collapse_morale_slope * (morale - REFERENCE_MORALE)))
    return def_power * np.exp(-hazard)


def launch(c: Compiled, st: State, pl: Plan, cand: np.ndarray, t: int,
           log: list[dict[str, Any]] | None) -> None:
    """Ready factions with a viable target open an operation on their best ones.

    ``cand`` [R, F, N] is each ready faction's summed score of every target its orders found
    viable (0: none). Only the games where some faction has a candidate are worked on."""
    m = c.scenario.model
    K = st.op_target.shape[2]
    score = np.where(pl.ready[..., None], cand, 0.0)
    rows = np.flatnonzero((score > 0).any(axis=(1, 2)))
    if rows.size == 0:
        return
    score = score[rows]
    F = c.n_factions
    chosen = np.full((rows.size, F, K), -1, dtype=np.intp)
    slots = c.operations[None, :]
    ctrl = st.control[rows].astype(np.intp)
    hostile = (st.relation[rows[:, None, None], np.arange(F)[None, :, None],
                           np.maximum(ctrl, 0)[:, None, :]] == WAR) & (ctrl >= 0)[:, None, :]
    # Stated objectives first (by weight), then value.
    worth = st.objective[rows] * (1.0 + c.value.max(initial=0.0)) + c.value[None, None, :]
    for k in range(K):
        axis = score.argmax(axis=2)                                           # [r, F]
        ok = (np.take_along_axis(score, axis[..., None], axis=2)[..., 0] > 0) & (k < slots)
        if not ok.any():
            break
        # The objective: the hostile place within reach of the axis that the doctrine
        # weights most (the nearest of equals; the axis target itself if nothing is worth
        # more).
        reach = c.hops[axis]                                                  # [r, F, N]
        aim = np.where((reach <= m.operation_radius) & hostile,
                       worth - OBJECTIVE_TIE * reach, -np.inf).argmax(axis=2)
        chosen[..., k] = np.where(ok, aim, -1)
        # The next operation's axis lies outside this one's sector.
        score = np.where(c.hops[aim] <= 2 * m.operation_radius, 0.0, score)
    opened_rows = chosen[..., 0] >= 0                                         # [r, F]
    if not opened_rows.any():
        return
    opened = np.zeros(pl.ready.shape, dtype=bool)
    opened[rows] = opened_rows
    st.op_target[opened] = chosen[opened_rows]
    st.op_stage[opened] = np.where(pl.mass_first[opened], MASSING, FIGHTING)
    st.massed[opened] = False
    st.op_turns[opened] = 0
    now = st.faction_strength(c.n_factions)
    st.offensive_base[opened] = now[opened]
    st.offensive_loss[opened] = 0.0
    st.offensive_days[opened] = 0.0
    if log is not None:
        for r, f in zip(*np.nonzero(opened), strict=True):
            log.append({"turn": t, "replicate": int(r), "kind": "operation", "faction": int(f),
                        "objectives": [int(x) for x in st.op_target[r, f] if x >= 0],
                        "massing_turns": massing_turns(c) if pl.mass_first[r, f] else 0})


def massing_turns(c: Compiled) -> int:
    """Whole turns an operation masses before it attacks."""
    return math.ceil(c.scenario.model.massing_days / c.scenario.scenario.days_per_turn)


def advance(c: Compiled, st: State, attack_loss: np.ndarray, attacked: np.ndarray, t: int,
            log: list[dict[str, Any]] | None) -> None:
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
            log.append({"turn": t, "replicate": int(r), "kind": "culminated",
                        "faction": int(f), "pause_turns": int(pause[r, f]), "why": why,
                        "objectives": [int(x) for x in st.op_target[r, f] if x >= 0],
                        "lost": float(st.offensive_loss[r, f])})
    st.rest[ended] = pause[ended]
    st.op_stage[ended] = 0
    st.op_target[ended] = -1
    st.offensive_loss[ended] = 0.0
    st.offensive_days[ended] = 0.0


def sector(c: Compiled, st: State, f: int) -> np.ndarray:
    """Places within ``operation_radius`` links of faction ``f``'s operation objectives while
    it masses or fights -> [R, N] bool (all false without the campaign layer)."""
    R, N = st.control.shape
    if not c.scenario.model.campaign:
        return np.zeros((R, N), dtype=bool)
    tgt = st.op_target[:, f, :]                                               # [R, K]
    near = (c.hops[np.maximum(tgt, 0)] <= c.scenario.model.operation_radius) & (
        tgt >= 0)[..., None]
    return near.any(axis=1) & (st.op_stage[:, f] > 0)[:, None]


def mass(c: Compiled, st: State, hold: np.ndarray) -> None:
    """Forces flow to where operations are: an attacker's to the places nearest its
    objectives, a defender's to its places inside an enemy operation's sector."""
    m = c.scenario.model
    share = float(m.redeploy_share)
    busy = st.op_stage > 0
    if share == 0 or not busy.any():
        return
    R = st.replicates
    F = c.n_factions
    rr = np.arange(R)
    supplied = st.siege == 0
    surplus = np.maximum(st.strength - hold, 0.0)
    sectors = {int(g): sector(c, st, int(g)) for g in np.flatnonzero(busy.any(axis=0))}
    for f in range(F):
        own = (st.control == f) & supplied                                     # [R, N]
        staging = np.zeros_like(own)
        for g, sec in sectors.items():
            if g == f:
                for k in range(st.op_target.shape[2]):
                    tgt = st.op_target[:, f, k]
                    d = np.where(own, c.hops[np.maximum(tgt, 0)], UNREACHABLE)
                    dmin = d.min(axis=1, keepdims=True)
                    staging |= ((d == dmin) & (dmin < UNREACHABLE)
                                & ((tgt >= 0) & busy[:, f])[:, None])
            else:
                staging |= own & sec & (st.relation[rr, f, g] == WAR)[:, None]
        if not staging.any():
            continue
        give = np.where(own & ~staging, surplus * share, 0.0)
        total = give.sum(axis=1)
        n_stage = staging.sum(axis=1)
        ok = ((n_stage > 0) & (total > 0))[:, None]
        gain = np.where(staging & ok, (total / np.maximum(n_stage, 1))[:, None], 0.0)
        st.strength += gain - np.where(ok, give, 0.0)


def quiet_front(c: Compiled, st: State, attacked_place: np.ndarray, front: np.ndarray) -> None:
    """Garrisons facing an enemy (``front`` [R, N]) but not attacked this turn lose a little to
    raids and fire."""
    rate = c.scenario.model.quiet_loss_per_day * c.scenario.scenario.days_per_turn
    if rate <= 0:
        return
    loss = np.where(front & ~attacked_place, st.strength * min(rate, 1.0), 0.0)
    st.strength -= loss
    st.casualties += by_holder(loss, st.control, c.n_factions)


def regenerate(c: Compiled, st: State, p: dict[str, np.ndarray], turn_casualties: np.ndarray,
               hold: np.ndarray) -> None:
    """Recruits where each faction holds people, and wounded back to duty."""
    m = c.scenario.model
    days = c.scenario.scenario.days_per_turn
    R, F = st.replicates, c.n_factions
    held = (st.siege == 0) & (st.control >= 0)                 # places in supply, held
    owner = np.maximum(st.control, 0).astype(np.intp)
    rows = np.arange(R)[:, None]
    st.wounded += m.wounded_return * np.maximum(turn_casualties, 0.0)
    rate = np.stack([p[f"{f}.recruitment"] for f in c.factions], axis=1)       # [R, F]
    pop = np.where(held, c.population[None, :], 0.0)
    held_pop = by_holder(pop, st.control, F)
    recruits = rate / 1000.0 * held_pop * days / 365.0
    weight = np.where(held, hold, 0.0)
    held_w = by_holder(weight, st.control, F)
    back = np.where(held_w > 0, st.wounded * min(1.0, days / m.return_days), 0.0)
    st.wounded -= back
    # Each place's share of its holder's recruits (by people) and returning wounded (by
    # what it holds).
    per_person = np.where(held_pop > 0, recruits / np.maximum(held_pop, 1e-300), 0.0)
    per_weight = np.where(held_w > 0, back / np.maximum(held_w, 1e-300), 0.0)
    st.strength += np.where(held, pop * per_person[rows, owner]
                            + weight * per_weight[rows, owner], 0.0)
    st.arrived += recruits + back
