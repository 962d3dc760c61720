"""Phases 5-7 of a turn: battles, morale breaks and routs, control changes.

Battles are compacted: only (replicate, settlement) pairs where someone attacks are simulated,
as a [B, K] array of sides (slot 0 the defender, then one slot per attacking faction).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from wargame.engine import kernels
from wargame.engine.compile import Compiled
from wargame.engine.orders import Orders
from wargame.engine.state import State


@dataclass
class Battles:
    """The turn's battles as compact arrays (B battles, K side slots)."""

    rep: np.ndarray        # [B] replicate
    place: np.ndarray      # [B] settlement
    faction: np.ndarray    # [B, K] faction of each side (-1 empty slot)
    start: np.ndarray      # [B, K] strength at the start
    end: np.ndarray        # [B, K] strength at the end
    power0: np.ndarray     # [B, K] power at the start (strength x every multiplier)
    routed: np.ndarray     # [B, K] bool
    winner: np.ndarray     # [B] slot that holds the place afterwards (0 = defender held)
    order_battle: np.ndarray  # [M] the battle of each attack in the turn's orders
    order_slot: np.ndarray    # [M] its side slot in that battle


def lanchester(S: np.ndarray, mult: np.ndarray, k: np.ndarray, H: np.ndarray, days: float,
               steps_per_day: int, law: str) -> np.ndarray:
    """Integrate Lanchester attrition for many battles at once (Heun's method).

    ``S`` [B, K] strengths, ``mult`` [B, K] power per fighter, ``k`` [B, K] fire coefficients
    per day, ``H`` [B, K, K] hostility (H[b, i, j]: i fires at j). Square law: side i splits its
    aimed fire over its enemies in proportion to their strength,
    dS_j/dt = -S_j * sum_i H_ij k_i P_i / T_i with P_i = S_i mult_i, T_i = sum_h H_ih S_h.
    Linear law: dS_j/dt = -S_j * sum_i H_ij k_i P_i.
    """
    n_steps = max(1, round(days * steps_per_day))
    return kernels.lanchester(np.ascontiguousarray(S, dtype=float),
                              np.ascontiguousarray(mult, dtype=float),
                              np.ascontiguousarray(k, dtype=float),
                              np.ascontiguousarray(H, dtype=bool), float(days), n_steps,
                              law == "square")


def battle_days(c: Compiled) -> float:
    """Days of fighting in a turn's battle: ``model.battle_days`` or the CDB90 median battle
    duration, never more than the turn."""
    m = c.scenario.model
    days = m.battle_days if m.battle_days is not None else c.calibration.battle_days
    return float(min(days, c.scenario.scenario.days_per_turn))


def fight(c: Compiled, st: State, orders: Orders, p: dict[str, np.ndarray], def_unit: np.ndarray,
          air_side: np.ndarray, rng: np.random.Generator, deterministic: bool) -> Battles | None:
    """Assemble the turn's battles, fight them, and decide routs and winners.

    Breaks: a side breaks if it lost more than ``breakpoint x (0.5 + morale)`` of its strength
    while losing the exchange (a higher loss fraction than its strongest enemy's), or if its
    enemies' power exceeds ``rout_ratio`` x its own at the end. A side only breaks while some
    enemy still stands; a side below ``hold_threshold`` fighters is gone. The defender holds
    if it stands; otherwise the strongest standing attacker takes the place.
    """
    if orders.rep.size == 0:
        return None
    F = c.n_factions
    m = c.scenario.model
    br, bn, fac, S, mult, H, b_of, slot = kernels.assemble(
        orders.rep, orders.edge, orders.amount, orders.unit_power, orders.faction, c.src,
        c.dst, st.strength, st.control, def_unit, air_side,
        float(c.calibration.air_superiority_multiplier), st.relation, F)
    B, K = S.shape
    k = np.where(np.arange(K) == 0, p["model.defender_k"][br][:, None],
                 p["model.attacker_k"][br][:, None])
    if not deterministic:
        # Luck: each side's fire effectiveness this battle is log-normal around the fitted k
        # (median-preserving), with the dispersion and the between-sides correlation of ln k
        # fitted on CDB90: a battle-wide intensity shock plus a shock for each side.
        sigma = p["model.luck_sigma"][br][:, None]
        rho = c.calibration.luck_correlation
        z = (np.sqrt(max(rho, 0.0)) * rng.standard_normal((B, 1))
             + np.sqrt(1.0 - max(rho, 0.0)) * rng.standard_normal((B, K)))
        k = k * np.exp(sigma * z)
    end = lanchester(S, mult, k, H, battle_days(c), m.steps_per_day, m.law)
    bp = np.stack([p[f"{f}.breakpoint"] for f in c.factions], axis=1)
    routed, winner = kernels.decide(br, fac, S, end, mult, H, bp, st.morale, st.rout_ratio,
                                    float(m.hold_threshold), st.casualties)
    return Battles(rep=br, place=bn, faction=fac, start=S, end=end, power0=S * mult,
                   routed=routed, winner=winner, order_battle=b_of, order_slot=slot)


def resolve(c: Compiled, st: State, orders: Orders, bt: Battles,
            log: list[dict[str, Any]] | None, t: int) -> tuple[np.ndarray, np.ndarray]:
    """Apply control changes, send back surviving attackers and retreat beaten defenders.

    The winner's survivors hold the place. Attackers who did not take it go home if home is
    still theirs, less ``rout_loss`` of the survivors if they routed (otherwise they are
    lost). Beaten defenders retreat, less ``rout_loss``, split evenly between the neighbours
    their faction still holds, or surrender if there are none.

    Returns per-faction counts of places captured and lost this turn, [R, F] each.
    """
    F = c.n_factions
    R = st.replicates
    captured = np.zeros((R, F))
    lost_places = np.zeros((R, F))
    survivors = kernels.resolve(
        bt.rep, bt.place, bt.faction, bt.start, bt.end, bt.routed, bt.winner, orders.rep,
        orders.edge, orders.amount, orders.faction, bt.order_battle, bt.order_slot, c.src,
        c.neighbours, float(c.scenario.model.rout_loss), st.control, st.strength,
        st.casualties, captured, lost_places)
    if log is not None:
        nb = c.neighbours[bt.place]                               # [B, D]
        old = bt.faction[:, 0]
        nb_ok = (nb >= 0) & (st.control[bt.rep[:, None], np.maximum(nb, 0)] == old[:, None])
        _log_battles(c, bt, nb, nb_ok, survivors, log, t)
    return captured, lost_places


def _log_battles(c: Compiled, bt: Battles, nb: np.ndarray, nb_ok: np.ndarray,
                 survivors: np.ndarray, log: list[dict[str, Any]], t: int) -> None:
    B, K = bt.start.shape
    for b in range(B):
        w = int(bt.winner[b])
        attackers = [int(bt.faction[b, s]) for s in range(1, K) if bt.faction[b, s] >= 0]
        main = w if w > 0 else 1 + int(np.argmax(bt.power0[b, 1:]))
        ratio = float(bt.power0[b, main] / max(bt.power0[b, 0], 1e-9))
        rec: dict[str, Any] = {
            "turn": t, "replicate": int(bt.rep[b]), "settlement": int(bt.place[b]),
            "defender": int(bt.faction[b, 0]), "attackers": attackers,
            "attacker": int(bt.faction[b, main]), "ratio": ratio,
            "strength": {int(bt.faction[b, s]): [float(bt.start[b, s]), float(bt.end[b, s])]
                         for s in range(K) if bt.faction[b, s] >= 0},
            "routed": [int(bt.faction[b, s]) for s in range(K) if bt.routed[b, s]],
        }
        if w > 0:
            rec["kind"] = "capture"
            rec["retreat_to"] = [int(x) for x in nb[b][nb_ok[b]]]
            rec["survivors"] = float(survivors[b])
        else:
            rec["kind"] = "repulse"
        log.append(rec)
