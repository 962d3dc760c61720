"""Phase 7 of a turn: control changes, the return of attackers and the retreat of the beaten.

Where a place fell (:mod:`wargame.engine.phases.engagement`), the strongest attacker still
standing takes it and its survivors occupy it. Attackers that did not take it go home if home
is still theirs (their losses, routs included, were booked during the engagement); otherwise
they are lost. A beaten garrison retreats, less ``rout_loss``, split evenly between the
neighbours its faction still holds. A garrison cut off (no such neighbour) breaks out, less
``breakout_loss``, to the nearest places its faction holds (fewest links, split evenly), as the
Ukrainian garrisons of Debaltseve and Ilovaisk did; it surrenders (all counted as casualties)
if its faction holds no place it can reach, or if its doctrine is to fight to the end
(``doctrine.last_stand``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from wargame.engine.compile import UNREACHABLE, Compiled, Graph
from wargame.engine.events import BattleSide, Capture, EngineEvent, Repulse
from wargame.engine.phases.combat import Battles
from wargame.engine.phases.engagement import FALL_KINDS
from wargame.engine.phases.orders import Orders
from wargame.engine.state import Forces, State


class BattleEnds(NamedTuple):
    """How the turn's battles ended, as :func:`resolve_kernel` takes them (B battles, K side
    slots, M attacks in the turn's orders)."""

    rep: np.ndarray           # [B] intp: replicate
    place: np.ndarray         # [B] intp: settlement
    faction: np.ndarray       # [B, K] intp: faction of each side (-1 empty slot)
    start: np.ndarray         # [B, K] float64: strength at the start
    end: np.ndarray           # [B, K] float64: strength at the end
    winner: np.ndarray        # [B] intp: slot that holds the place afterwards (0: the garrison)
    order_battle: np.ndarray  # [M] intp: the battle of each attack
    order_slot: np.ndarray    # [M] intp: its side slot in that battle


class RetreatRule(NamedTuple):
    """The settings of retreats and break-outs."""

    rout_loss: float          # share of a beaten garrison lost as it retreats
    breakout_loss: float      # share of a cut-off garrison lost as it breaks out
    last_stand: np.ndarray    # [F, N] bool: the faction's garrison there never breaks out


def resolve(c: Compiled, st: State, orders: Orders, bt: Battles,
            log: list[EngineEvent] | None, t: int) -> tuple[np.ndarray, np.ndarray]:
    """Apply the turn's control changes, returns and retreats.

    Returns per-faction counts of places captured and lost this turn, [R, F] each.
    """
    F = c.n_factions
    R = st.replicates
    captured = np.zeros((R, F))
    lost_places = np.zeros((R, F))
    survivors = resolve_kernel(
        BattleEnds(bt.rep, bt.place, bt.faction, bt.start, bt.end, bt.winner,
                   bt.order_battle, bt.order_slot), orders, st.forces(), c.graph,
        RetreatRule(float(c.scenario.model.rout_loss), float(c.scenario.model.breakout_loss),
                    c.last_stand), captured, lost_places)
    if log is not None:
        nb = c.neighbours[bt.place]                               # [B, D]
        old = bt.faction[:, 0]
        nb_ok = (nb >= 0) & (st.control[bt.rep[:, None], np.maximum(nb, 0)] == old[:, None])
        _log_battles(bt, nb, nb_ok, survivors, log, t, c.hops, c.last_stand, st.control)
    return captured, lost_places


@njit(cache=True)
def breakout_places(hops: np.ndarray, place: int, ctrl: np.ndarray, f: int) -> np.ndarray:
    """The places a cut-off garrison of faction ``f`` at ``place`` breaks out to: those it
    holds (``ctrl`` [N]) at the fewest links, none if it holds no place it can reach."""
    best = UNREACHABLE
    for m in range(ctrl.shape[0]):
        if ctrl[m] == f and hops[place, m] < best:
            best = hops[place, m]
    out = np.empty(ctrl.shape[0], dtype=np.intp)
    k = 0
    if best < UNREACHABLE:
        for m in range(ctrl.shape[0]):
            if ctrl[m] == f and hops[place, m] == best:
                out[k] = m
                k += 1
    return out[:k]


def _log_battles(bt: Battles, nb: np.ndarray, nb_ok: np.ndarray, survivors: np.ndarray,
                 log: list[EngineEvent], t: int, hops: np.ndarray, last_stand: np.ndarray,
                 control: np.ndarray) -> None:
    B, K = bt.start.shape
    for b in range(B):
        w = int(bt.winner[b])
        r, n, old = int(bt.rep[b]), int(bt.place[b]), int(bt.faction[b, 0])
        attackers = tuple(int(bt.faction[b, s]) for s in range(1, K) if bt.faction[b, s] >= 0)
        main = w if w > 0 else 1 + int(np.argmax(bt.power0[b, 1:]))
        sides = tuple(BattleSide(int(bt.faction[b, s]), float(bt.start[b, s]),
                                 float(bt.end[b, s]), bool(bt.routed[b, s]))
                      for s in range(K) if bt.faction[b, s] >= 0)
        # The fields of events.Battle, in order.
        battle = (t, r, n, old, attackers, int(bt.faction[b, main]),
                  float(bt.power0[b, main] / max(bt.power0[b, 0], 1e-9)), sides,
                  float(bt.days[b]), float(bt.fought[b]), int(bt.line_breaks[b]),
                  float(bt.cleared_before[b]), float(bt.cleared_after[b]),
                  FALL_KINDS[int(bt.how[b])])
        if w == 0:
            log.append(Repulse(*battle))
            continue
        retreat = tuple(int(x) for x in nb[b][nb_ok[b]])
        breakout: tuple[int, ...] = ()
        if not retreat and old >= 0 and not last_stand[old, n]:
            breakout = tuple(int(x) for x in breakout_places(hops, n, control[r], old))
        log.append(Capture(*battle, retreat_to=retreat, breakout_to=breakout,
                           survivors=float(survivors[b])))


@njit(cache=True)
def resolve_kernel(battles: BattleEnds, orders: Orders, forces: Forces, graph: Graph,
                   rule: RetreatRule, captured: np.ndarray, lost: np.ndarray) -> np.ndarray:
    """Control changes, the return of attackers and the retreat of beaten defenders, in place
    in ``forces``; counts each faction's places ``captured`` and ``lost`` [R, F].

    Returns the strength of each beaten defender that survived the battle [B]. The rules are
    in :func:`resolve`.
    """
    br, bn, fac = battles.rep, battles.place, battles.faction
    S, end, winner = battles.start, battles.end, battles.winner
    b_of, slot = battles.order_battle, battles.order_slot
    rep, edge, amount, faction = orders.rep, orders.edge, orders.amount, orders.faction
    control, strength, casualties = forces.control, forces.strength, forces.casualties
    src, neighbours, hops = graph.src, graph.neighbours, graph.hops
    rout_loss, breakout_loss, last_stand = rule.rout_loss, rule.breakout_loss, rule.last_stand
    B = br.shape[0]
    M = rep.shape[0]
    survivors = np.zeros(B)
    for b in range(B):
        w = winner[b]
        control[br[b], bn[b]] = fac[b, w]
        strength[br[b], bn[b]] = end[b, w]
    for q in range(M):
        b, s = b_of[q], slot[q]
        if winner[b] == s:
            continue                       # the winners hold the place (set above)
        r, f = rep[q], faction[q]
        alive = amount[q] * end[b, s] / S[b, s] if S[b, s] > 0 else 0.0
        home = src[edge[q]]
        if control[r, home] == f:
            strength[r, home] += alive
        else:
            casualties[r, f] += alive
    for b in range(B):
        w = winner[b]
        old = fac[b, 0]
        if w == 0:
            continue
        r = br[b]
        captured[r, fac[b, w]] += 1
        if old < 0:
            continue
        lost[r, old] += 1
        survivors[b] = end[b, 0]
        k = 0
        for d in range(neighbours.shape[1]):
            n = neighbours[bn[b], d]
            if n >= 0 and control[r, n] == old:
                k += 1
        if k == 0:
            # Cut off: break out to the nearest places the faction holds, or surrender.
            to = (breakout_places(hops, bn[b], control[r], old) if not last_stand[old, bn[b]]
                  else np.zeros(0, dtype=np.intp))
            if to.size == 0:
                casualties[r, old] += survivors[b]
                continue
            out = survivors[b] * (1 - breakout_loss)
            for m in to:
                strength[r, m] += out / to.size
            casualties[r, old] += survivors[b] - out
            continue
        flee = survivors[b] * (1 - rout_loss)
        for d in range(neighbours.shape[1]):
            n = neighbours[bn[b], d]
            if n >= 0 and control[r, n] == old:
                strength[r, n] += flee / k
        casualties[r, old] += survivors[b] - flee
    return survivors
