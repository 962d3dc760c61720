"""Phase 3: supply, sieges and negotiated surrenders.

**Supply.** A place is in supply if a chain of links through places held by its controller or
allies joins it to an active supply source of its controller or of an ally (allies share
supply). Places held by nobody are never supplied and carry no supply.

**Siege.** A place out of supply counts another turn of ``siege``, loses
``siege_attrition x (1 - airlift)`` of its strength a turn (booked as casualties) and fights at
``unsupplied_power + (1 - unsupplied_power) x airlift`` of its power.

**Negotiated surrender.** Each turn a besieged place ends its siege by a deal (surrender or
evacuation, as at Homs in 2014 or eastern Ghouta in 2018) with probability
``1 - exp(-surrender_rate x days_per_turn x (1 - airlift))``. The place passes to the
strongest hostile neighbour (the besieger), which moves ``min_garrison`` fighters in (at most
half of what it has next door); the garrison is evacuated to the strongest place its faction
holds in supply, or, if there is none, surrenders (booked as casualties). Of those who would
be evacuated, the faction's ``deal_desertion`` go home or over to the enemy instead (booked
as casualties), as the Afghan government's garrisons did in 2021. ``surrender_rate``
is a rate per day counted on the modern city battles (``validation/modern_battles.py``).

**Capitulation.** A garrison in supply, not assaulted last turn, whose strongest neighbour at
war and in supply (the besieged do not make their besiegers yield) could bring at least
``rout_ratio`` times its defensive power (each side's power as the orders weigh it: quality,
morale, supply, air suppression, posture and terrain, and the air-superiority multiplier for a
neighbour whose faction's strikes hit the place) makes the same deal without a siege and
without a fight (a garrison under assault may collapse instead, phase 5), with probability
``1 - exp(-capitulation_rate x days_per_turn x exp(-collapse_morale_slope x (morale - 0.6)))``
a turn (the collapse hazard's dependence on morale): the towns handed over by elders and
commanders, or left before an assault, of Afghanistan in 2021 and western Libya in 2020.
``capitulation_rate`` is fitted on the theatres (``validation/campaigns.py``). A faction's
``last_stand`` places make no deal of either kind; a deterministic game draws none.

Settings (``model:``): ``siege_attrition``, ``unsupplied_power``, ``surrender_rate``,
``capitulation_rate``, ``min_garrison``; see ``docs/model.md``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from wargame.engine.common import ALLIED, WAR, flood_one
from wargame.engine.compile import Compiled, Graph
from wargame.engine.events import Encircled, EngineEvent, Surrender
from wargame.engine.phases.engagement import REFERENCE_MORALE
from wargame.engine.phases.orders import Odds
from wargame.engine.phases.power import unit_power
from wargame.engine.phases.support import TurnSupport
from wargame.engine.state import Forces, State, per_faction


class DealRule(NamedTuple):
    """What a deal moves: the taker's garrison, and who of the garrison goes home."""

    min_garrison: float       # fighters the taker moves in (at most half of what it has next door)
    desertion: np.ndarray     # [R, F] float64: each faction's deal_desertion


class SiegeRule(NamedTuple):
    """The scalar settings of the siege rules."""

    attrition: float          # share of a besieged garrison lost a turn
    unsupplied_power: float   # power multiplier out of supply (without airlift)


@njit(cache=True)
def supplied(ctrl: np.ndarray, relation: np.ndarray, source_faction: np.ndarray,
             source_place: np.ndarray, source_on: np.ndarray, src: np.ndarray, dst: np.ndarray,
             out_start: np.ndarray) -> np.ndarray:
    """Which places are in supply -> [R, N] bool.

    Supply sources are (faction, place) pairs, ``source_on`` [R, K] saying whether each is
    active in each replicate. A place is a source if it is an active source of its controller
    or of an ally of its controller; supply then flows along links whose two ends are held by
    the same faction or by allies.
    """
    R, N = ctrl.shape
    E = dst.shape[0]
    K = source_faction.shape[0]
    reach = np.zeros((R, N), dtype=np.bool_)
    stack = np.empty(N, dtype=np.intp)
    ok = np.empty(E, dtype=np.bool_)
    cr = np.empty(N, dtype=np.intp)
    for r in range(R):
        for n in range(N):
            cr[n] = ctrl[r, n]
        for k in range(K):
            n = source_place[k]
            if (source_on[r, k] and cr[n] >= 0
                    and relation[r, cr[n], source_faction[k]] >= ALLIED):
                reach[r, n] = True                  # allied or the same faction
        for e in range(E):
            a = cr[src[e]]
            b = cr[dst[e]]
            ok[e] = a >= 0 and b >= 0 and (a == b or relation[r, a, b] >= ALLIED)
        flood_one(r, reach, stack, out_start, dst, ok)
    return reach


@njit(cache=True)
def besiege(reach: np.ndarray, ctrl: np.ndarray, airlift: np.ndarray, rule: SiegeRule,
            siege: np.ndarray, strength: np.ndarray, casualties: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """Apply the siege rules where ``reach`` is false -> (supply multiplier [R, N], newly cut
    off [R, N] bool); updates ``siege``, ``strength`` and ``casualties`` in place."""
    R, N = ctrl.shape
    mult = np.ones((R, N))
    newly = np.zeros((R, N), dtype=np.bool_)
    for r in range(R):
        for n in range(N):
            if reach[r, n] or ctrl[r, n] < 0:
                siege[r, n] = 0
                continue
            newly[r, n] = siege[r, n] == 0
            siege[r, n] += 1
            loss = strength[r, n] * rule.attrition * (1.0 - airlift[r, n])
            strength[r, n] -= loss
            casualties[r, ctrl[r, n]] += loss
            mult[r, n] = rule.unsupplied_power + (1.0 - rule.unsupplied_power) * airlift[r, n]
    return mult, newly


@njit(cache=True)
def surrender(rep: np.ndarray, place: np.ndarray, forces: Forces, siege: np.ndarray,
              relation: np.ndarray, reach: np.ndarray, graph: Graph, rule: DealRule
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hand each place in (``rep``, ``place``) that makes a deal to its strongest neighbour at
    war (the besieger), in place in ``forces`` and ``siege``; ``reach`` [R, N] says which
    places are in supply; ``rule`` holds ``min_garrison`` and each faction's
    ``deal_desertion``.

    Returns, per place, the new controller (-1 if no hostile neighbour: nothing happens), the
    fighters evacuated to a place of their faction in supply (0 if they surrendered) and the
    fighters who went home or over instead (both booked as casualties).
    """
    ctrl, strength, casualties = forces.control, forces.strength, forces.casualties
    out_start, dst = graph.out_start, graph.dst
    min_garrison, desertion = rule.min_garrison, rule.desertion
    M = rep.shape[0]
    N = ctrl.shape[1]
    taker = np.full(M, -1, dtype=np.intp)
    evacuated = np.zeros(M)
    deserted = np.zeros(M)
    for i in range(M):
        r, n = rep[i], place[i]
        f = ctrl[r, n]
        best, best_m = 0.0, -1
        for e in range(out_start[n], out_start[n + 1]):
            m = dst[e]
            g = ctrl[r, m]
            if g >= 0 and relation[r, f, g] == WAR and strength[r, m] > best:
                best, best_m = strength[r, m], m
        if best_m < 0:
            continue
        g = ctrl[r, best_m]
        # The garrison leaves for the strongest place its faction holds in supply.
        home, home_s = -1, -1.0
        for m in range(N):
            if ctrl[r, m] == f and reach[r, m] and m != n and strength[r, m] > home_s:
                home, home_s = m, strength[r, m]
        if home >= 0:
            # Of those who would leave, the faction's deal_desertion go home or over instead.
            deserted[i] = strength[r, n] * desertion[r, f]
            evacuated[i] = strength[r, n] - deserted[i]
            strength[r, home] += evacuated[i]
            casualties[r, f] += deserted[i]
        else:
            casualties[r, f] += strength[r, n]
        move = min(min_garrison, 0.5 * strength[r, best_m])
        strength[r, best_m] -= move
        strength[r, n] = move
        ctrl[r, n] = g
        siege[r, n] = 0
        taker[i] = g
    return taker, evacuated, deserted


@njit(cache=True)
def outnumbered(forces: Forces, relation: np.ndarray, odds: Odds, siege: np.ndarray,
                assaulted: np.ndarray, ratio: np.ndarray, air_mult: float, graph: Graph
                ) -> np.ndarray:
    """Which places in supply and not assaulted last turn face a neighbour at war that could
    bring at least ``ratio`` [R] times their defensive power -> [R, N] bool (the candidates
    for a capitulation; a place under assault may collapse instead, phase 5). A neighbour's
    power is its strength times its attacking power per fighter, times ``air_mult`` where its
    faction's strikes hit the place; a neighbour cut off (``siege`` > 0) does not count."""
    ctrl, strength = forces.control, forces.strength
    out_start, dst = graph.out_start, graph.dst
    R, N = ctrl.shape
    out = np.zeros((R, N), dtype=np.bool_)
    for r in range(R):
        for n in range(N):
            f = ctrl[r, n]
            if f < 0 or siege[r, n] > 0 or assaulted[r, n]:
                continue
            best = 0.0
            for e in range(out_start[n], out_start[n + 1]):
                m = dst[e]
                g = ctrl[r, m]
                if g < 0 or relation[r, f, g] != WAR or siege[r, m] > 0:
                    continue
                power = strength[r, m] * odds.unit_att[r, m]
                if odds.air_side[r, n] == g:
                    power *= air_mult
                best = max(best, power)
            out[r, n] = best > 0.0 and best >= ratio[r] * odds.def_power[r, n]
    return out


def supply_phase(c: Compiled, st: State, sup: TurnSupport, p: dict[str, np.ndarray],
                 rng: np.random.Generator, deterministic: bool,
                 log: list[EngineEvent] | None, t: int
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Trace supply, apply sieges and draw negotiated surrenders and capitulations.

    Returns the supply multiplier [R, N] and, per faction, the places captured and lost by
    surrender [R, F] each. A deterministic game draws no surrenders.
    """
    m = c.scenario.model
    R, F = st.replicates, c.n_factions
    reach = supplied(st.control, st.relation, sup.source_faction, sup.source_place,
                     sup.source_on, c.src, c.dst, c.out_start)
    rule = SiegeRule(float(m.siege_attrition), float(m.unsupplied_power))
    mult, newly = besiege(reach, st.control, sup.airlift, rule, st.siege, st.strength,
                          st.casualties)
    captured = np.zeros((R, F))
    lost = np.zeros((R, F))
    if log is not None:
        for r, n in zip(*np.nonzero(newly), strict=True):
            log.append(Encircled(t, int(r), int(n), int(st.control[r, n]),
                                 float(sup.airlift[r, n])))
    if deterministic:
        return mult, captured, lost
    days = c.scenario.scenario.days_per_turn
    besieged = st.siege > 0
    capitulate = p["model.capitulation_rate"]
    capitulations = bool(capitulate.any())
    if capitulations:
        # Capitulation: a garrison outmatched rout_ratio to 1 makes a deal without a fight.
        unit, _, def_power = unit_power(c, st, sup, mult)
        odds = Odds(unit, def_power, sup.air_side, st.cleared, c.value)
        outmatched = outnumbered(st.forces(), st.relation, odds, st.siege, st.assaulted,
                                 p["model.rout_ratio"],
                                 float(c.calibration.air_superiority_multiplier), c.graph)
        rep, place = np.nonzero(besieged | outmatched)
    else:
        rep, place = np.nonzero(besieged)
    if rep.size == 0:
        return mult, captured, lost
    hazard = p["model.surrender_rate"][rep] * days * (1.0 - sup.airlift[rep, place])
    if capitulations:
        morale = st.morale[rep, st.control[rep, place]]
        hazard = np.where(besieged[rep, place], hazard,
                          capitulate[rep] * days * np.exp(-float(m.collapse_morale_slope)
                                                          * (morale - REFERENCE_MORALE)))
    # A faction that fights to the end (doctrine.last_stand) makes no deal.
    hazard = np.where(c.last_stand[st.control[rep, place], place], 0.0, hazard)
    deal = rng.random(rep.size) < -np.expm1(-hazard)
    if not deal.any():
        return mult, captured, lost
    rep, place = rep[deal], place[deal]
    old = st.control[rep, place].astype(np.intp)
    sieged = besieged[rep, place]
    deal_rule = DealRule(float(m.min_garrison), per_faction(c, p, "deal_desertion"))
    taker, evacuated, deserted = surrender(rep, place, st.forces(), st.siege, st.relation,
                                           reach, c.graph, deal_rule)
    done = taker >= 0
    st.cleared[rep[done], place[done]] = 0.0
    st.wear[rep[done], place[done]] = 0.0
    np.add.at(captured, (rep[done], taker[done]), 1.0)
    np.add.at(lost, (rep[done], old[done]), 1.0)
    if log is not None:
        for i in np.flatnonzero(done):
            log.append(Surrender(t, int(rep[i]), int(place[i]), int(old[i]), int(taker[i]),
                                 float(evacuated[i]), bool(sieged[i]), float(deserted[i])))
    return mult, captured, lost
