"""Phase 5 of a turn: assemble the battles, draw their days and luck, fight them.

Battles are compacted: only (replicate, settlement) pairs where someone attacks are fought, as
a [B, K] array of sides (slot 0 the defender, then one slot per attacking faction in faction
order). The days of fighting and the engagements themselves are in
:mod:`wargame.engine.phases.engagement`.

**Days of engagement.** A contested place is fought over on ``days ~ Binomial(days_per_turn,
p)`` days of the turn, ``p`` being the place's chance of an engagement on a day
(``engagement_rate``, moved for each place and game by its intensity, ``engagement_spread``;
see :func:`wargame.engine.state.engagement_chance`). ``battle_days`` fixes the days instead
(at most the turn), as the Lanchester checks do. A deterministic game fights the expected
``days_per_turn x p`` days.

**Luck.** In a random game each side's fire coefficient ``k`` is multiplied by
``exp(sigma z_i)``, ``z_i = sqrt(rho) z_0 + sqrt(1 - rho) e_i``: a battle-wide intensity shock
and one per side, standard normal, with the dispersion ``sigma`` and correlation ``rho`` of
``ln k`` across CDB90 battles. Drawn once per battle and turn; ``--deterministic`` sets them 0.

Randomness, in this order each turn: the days of every battle, then the luck shocks, then one
uniform per battle for the collapse test. A deterministic game never collapses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from wargame.engine.common import WAR, find_sorted
from wargame.engine.compile import Compiled, Graph
from wargame.engine.phases.engagement import Assault, Engagements, EngageRule, Will, engage
from wargame.engine.phases.orders import Orders
from wargame.engine.state import Forces, State, per_faction


@dataclass
class Battles:
    """The turn's battles as compact arrays (B battles, K side slots)."""

    rep: np.ndarray        # [B] replicate
    place: np.ndarray      # [B] settlement
    faction: np.ndarray    # [B, K] faction of each side (-1 empty slot)
    start: np.ndarray      # [B, K] strength at the start
    end: np.ndarray        # [B, K] strength at the end
    power0: np.ndarray     # [B, K] power at the start (strength x every multiplier)
    routed: np.ndarray     # [B, K] bool: the side broke on some day of the turn
    winner: np.ndarray     # [B] slot that holds the place afterwards (0 = defender held)
    how: np.ndarray        # [B] how the turn ended (engagement.HOLD, CLEARED, ...)
    days: np.ndarray       # [B] days of engagement drawn for the turn
    fought: np.ndarray     # [B] days actually fought
    line_breaks: np.ndarray  # [B] days on which the defending line broke
    cleared_before: np.ndarray  # [B] share of the place cleared before the turn
    cleared_after: np.ndarray   # [B] and after it (0 once it fell)
    order_battle: np.ndarray  # [M] the battle of each attack in the turn's orders
    order_slot: np.ndarray    # [M] its side slot in that battle


def engagement_days(c: Compiled, st: State, br: np.ndarray, bn: np.ndarray,
                    rng: np.random.Generator, deterministic: bool) -> np.ndarray:
    """Days of engagement of each battle this turn [B] (see the module's docstring)."""
    m = c.scenario.model
    turn_days = c.scenario.scenario.days_per_turn
    if m.battle_days is not None:
        return np.full(br.size, float(min(m.battle_days, turn_days)))
    p = st.engage_p[br, bn]
    if deterministic:
        return turn_days * p
    return rng.binomial(turn_days, p).astype(np.float64)


def fight(c: Compiled, st: State, orders: Orders, p: dict[str, np.ndarray], def_unit: np.ndarray,
          air_side: np.ndarray, rng: np.random.Generator, deterministic: bool) -> Battles | None:
    """Assemble the turn's battles and fight their engagement days."""
    if orders.rep.size == 0:
        return None
    m = c.scenario.model
    br, bn, fac, S, mult, H, b_of, slot = assemble(
        orders, st.forces(), st.relation, c.graph, def_unit, air_side,
        float(c.calibration.air_superiority_multiplier))
    B, K = S.shape
    days = engagement_days(c, st, br, bn, rng, deterministic)
    k = np.where(np.arange(K) == 0, p["model.defender_k_per_day"][br][:, None],
                 p["model.attacker_k_per_day"][br][:, None])
    collapse_u: np.ndarray
    if deterministic:
        collapse_u = np.ones(B)
    else:
        sigma = p["model.luck_sigma"][br][:, None]
        rho = max(c.calibration.luck_correlation, 0.0)
        z = (np.sqrt(rho) * rng.standard_normal((B, 1))
             + np.sqrt(1.0 - rho) * rng.standard_normal((B, K)))
        k = k * np.exp(sigma * z)
        collapse_u = np.asarray(rng.random(B), dtype=np.float64)
    bp = per_faction(c, p, "breakpoint")
    rule = EngageRule(int(m.steps_per_day), m.law == "square", float(m.rout_loss),
                      float(m.hold_threshold), float(m.min_hold_share),
                      bool(m.engagement_model),
                      float(m.collapse_morale_slope),
                      float(c.scenario.scenario.days_per_turn),
                      float(m.max_engaged_ratio))
    sp = c.space
    end, routed, winner, how, fought, breaks, before = engage(
        Engagements(br, bn, fac, S, mult, np.ascontiguousarray(k), H, days, collapse_u),
        sp, Assault(st.advance, st.cleared, st.wear),
        Will(bp, st.morale, st.rout_ratio, p["model.collapse_rate"],
             p["model.garrison_break"], c.last_stand), rule,
        st.casualties)
    return Battles(rep=br, place=bn, faction=fac, start=S, end=end, power0=S * mult,
                   routed=routed, winner=winner, how=how, days=days, fought=fought,
                   line_breaks=breaks, cleared_before=before,
                   cleared_after=st.cleared[br, bn].copy(), order_battle=b_of,
                   order_slot=slot)


def attack_losses(bt: Battles, n_replicates: int, n_factions: int) -> tuple[np.ndarray,
                                                                            np.ndarray]:
    """Losses of each faction's attacking sides this turn, and which factions attacked
    -> ([R, F], [R, F] bool)."""
    return _attack_losses(bt.rep, bt.faction, bt.start, bt.end, n_replicates, n_factions)


@njit(cache=True)
def _attack_losses(rep: np.ndarray, fac: np.ndarray, start: np.ndarray, end: np.ndarray,
                   n_replicates: int, n_factions: int) -> tuple[np.ndarray, np.ndarray]:
    loss = np.zeros((n_replicates, n_factions))
    attacked = np.zeros((n_replicates, n_factions), dtype=np.bool_)
    B, K = fac.shape
    for b in range(B):
        for s in range(1, K):
            f = fac[b, s]
            if f >= 0:
                loss[rep[b], f] += start[b, s] - end[b, s]
                attacked[rep[b], f] = True
    return loss, attacked


@njit(cache=True)
def assemble(orders: Orders, forces: Forces, relation: np.ndarray, graph: Graph,
             def_unit: np.ndarray, air_side: np.ndarray, air_mult: float
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                        np.ndarray, np.ndarray]:
    """Group the turn's attacks (``orders``, sorted by replicate) into battles.

    Committed forces leave their origins first (``forces.strength`` is updated in place), so
    a place that attacks defends with what stayed. Battles are ordered by (replicate, place);
    slot 0 is the defender (``def_unit`` [R, N]: its power per fighter), then one slot per
    attacking faction in faction order. Returns ``rep [B], place [B], faction [B, K] (-1
    empty), strength [B, K], power per fighter [B, K]`` (x ``air_mult`` for the side whose
    air support, ``air_side`` [R, N], is over the place), ``hostile [B, K, K]`` (from
    ``relation`` [R, F, F]), and for each attack its battle and slot.
    """
    rep, edge, amount = orders.rep, orders.edge, orders.amount
    per_fighter, faction = orders.unit_power, orders.faction
    strength, control = forces.strength, forces.control
    src, dst = graph.src, graph.dst
    n_factions = relation.shape[1]
    M = rep.shape[0]
    F = n_factions
    br = np.empty(M, dtype=np.intp)
    bn = np.empty(M, dtype=np.intp)
    fac = np.full((M, F), -1, dtype=np.intp)
    S = np.zeros((M, F))
    P = np.zeros((M, F))
    b_of = np.empty(M, dtype=np.intp)
    slot = np.empty(M, dtype=np.intp)
    for q in range(M):
        strength[rep[q], src[edge[q]]] -= amount[q]
    B = 0
    K = 1
    i = 0
    while i < M:
        r = rep[i]
        j = i
        while j < M and rep[j] == r:
            j += 1
        b0 = B
        for q in range(i, j):                    # this replicate's targets, sorted
            n = dst[edge[q]]
            pos = b0
            while pos < B and bn[pos] < n:
                pos += 1
            if pos == B or bn[pos] != n:
                for t in range(B, pos, -1):
                    bn[t] = bn[t - 1]
                bn[pos] = n
                B += 1
        for b in range(b0, B):
            br[b] = r
            fac[b, 0] = control[r, bn[b]]
            S[b, 0] = strength[r, bn[b]]
            P[b, 0] = def_unit[r, bn[b]]
        for q in range(i, j):                    # attacking factions of each battle, sorted
            b = find_sorted(bn, b0, B, dst[edge[q]])
            b_of[q] = b
            f = faction[q]
            s = 1
            while s < F and fac[b, s] >= 0 and fac[b, s] < f:
                s += 1
            if fac[b, s] != f:
                for t in range(F - 1, s, -1):
                    fac[b, t] = fac[b, t - 1]
                fac[b, s] = f
        for q in range(i, j):
            b = b_of[q]
            s = 1
            while fac[b, s] != faction[q]:
                s += 1
            slot[q] = s
            K = max(K, s + 1)
            S[b, s] += amount[q]
            P[b, s] += amount[q] * per_fighter[q]
        i = j
    mult = np.zeros((B, K))
    hostile = np.zeros((B, K, K), dtype=np.bool_)
    for b in range(B):
        a = air_side[br[b], bn[b]]
        for s in range(K):
            f = fac[b, s]
            if f < 0:
                continue
            mult[b, s] = P[b, s] if s == 0 else P[b, s] / max(S[b, s], 1e-12)
            if f == a:
                mult[b, s] *= air_mult
            for t in range(K):
                g = fac[b, t]
                hostile[b, s, t] = g >= 0 and relation[br[b], f, g] == WAR
    return (br[:B].copy(), bn[:B].copy(), fac[:B, :K].copy(), S[:B, :K].copy(), mult, hostile,
            b_of, slot)
