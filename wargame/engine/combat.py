"""Phases 5-7 of a turn: battles, morale breaks and routs, control changes.

Battles are compacted: only (replicate, settlement) pairs where someone attacks are simulated,
as a [B, K] array of sides (slot 0 the defender, then one slot per attacking faction).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from wargame.engine.compile import STANCE, Compiled
from wargame.engine.orders import Orders
from wargame.engine.state import State, add_casualties


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


def lanchester(S: np.ndarray, mult: np.ndarray, k: np.ndarray, H: np.ndarray, days: float,
               steps_per_day: int, law: str) -> np.ndarray:
    """Integrate Lanchester attrition for many battles at once (Heun's method).

    ``S`` [B, K] strengths, ``mult`` [B, K] power per fighter, ``k`` [B, K] fire coefficients
    per day, ``H`` [B, K, K] hostility (H[b, i, j]: i fires at j). Square law: side i splits its
    aimed fire over its enemies in proportion to their strength,
    dS_j/dt = -S_j * sum_i H_ij k_i P_i / T_i with P_i = S_i mult_i, T_i = sum_h H_ih S_h.
    Linear law: dS_j/dt = -S_j * sum_i H_ij k_i P_i.
    """
    Hf = H.astype(float)

    def rate(x: np.ndarray) -> np.ndarray:
        P = k * x * mult
        if law == "square":
            T = np.einsum("bih,bh->bi", Hf, x)
            P = np.where(T > 0, P / np.where(T > 0, T, 1.0), 0.0)
        return -x * np.einsum("bij,bi->bj", Hf, P)

    n_steps = max(1, round(days * steps_per_day))
    dt = days / n_steps
    x = S.copy()
    for _ in range(n_steps):
        k1 = rate(x)
        guess = np.maximum(x + dt * k1, 0.0)
        k2 = rate(guess)
        x = np.maximum(x + 0.5 * dt * (k1 + k2), 0.0)
    return x


def battle_days(c: Compiled) -> float:
    """Days of fighting in a turn's battle: ``model.battle_days`` or the CDB90 median battle
    duration, never more than the turn."""
    m = c.scenario.model
    days = m.battle_days if m.battle_days is not None else c.calibration.battle_days
    return float(min(days, c.scenario.scenario.days_per_turn))


def fight(c: Compiled, st: State, orders: Orders, p: dict[str, np.ndarray], def_unit: np.ndarray,
          air_side: np.ndarray, rng: np.random.Generator, deterministic: bool) -> Battles | None:
    """Assemble the turn's battles, fight them, and decide routs and winners."""
    F, N = c.n_factions, c.n_settlements
    m = c.scenario.model
    r_idx, e_idx = np.nonzero(orders.commit > 0)
    if r_idx.size == 0:
        return None
    amount = orders.commit[r_idx, e_idx]
    n_idx = c.dst[e_idx]
    f_idx = orders.faction[r_idx, e_idx]
    bkeys, binv = np.unique(r_idx * N + n_idx, return_inverse=True)
    B = bkeys.size
    br, bn = bkeys // N, bkeys % N
    akeys, ainv = np.unique(binv * F + f_idx, return_inverse=True)
    ab, af = akeys // F, akeys % F
    slot = np.arange(akeys.size) - np.searchsorted(ab, ab) + 1
    K = int(slot.max()) + 1
    # Commits leave their origins first: a place that attacks defends with what stayed.
    np.subtract.at(st.strength, (r_idx, c.src[e_idx]), amount)
    S = np.zeros((B, K))
    fac = -np.ones((B, K), dtype=np.intp)
    S[:, 0] = st.strength[br, bn]
    fac[:, 0] = st.control[br, bn]
    att_S = np.bincount(ainv, weights=amount, minlength=akeys.size)
    att_pow = np.bincount(ainv, weights=amount * orders.unit_power[r_idx, e_idx],
                          minlength=akeys.size)
    S[ab, slot] = att_S
    fac[ab, slot] = af
    mult = np.zeros((B, K))
    mult[:, 0] = def_unit[br, bn]
    mult[ab, slot] = att_pow / np.maximum(att_S, 1e-12)
    air_mult = c.calibration.air_superiority_multiplier
    mult = np.where(air_side[br, bn][:, None] == fac, mult * air_mult, mult)
    rel = st.relation[br]                                         # [B, F, F]
    fi = np.maximum(fac, 0)
    H = (rel[np.arange(B)[:, None, None], fi[:, :, None], fi[:, None, :]] == STANCE["war"])
    H &= (fac >= 0)[:, :, None] & (fac >= 0)[:, None, :]
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
    # Morale breaks: losses beyond the breakpoint while losing the exchange (a higher loss
    # fraction than the strongest enemy's), or facing rout_ratio : 1 odds.
    loss_frac = (S - end) / np.maximum(S, 1e-12)
    bp = np.stack([p[f"{f}.breakpoint"] for f in c.factions], axis=1)[br[:, None], fi]
    morale = st.morale[br[:, None], fi]
    power = end * mult
    enemy = np.einsum("bij,bj->bi", H.astype(float), power)
    ratio_break = enemy > st.rout_ratio[br][:, None] * np.maximum(power, 1e-9)
    enemy_power = H.transpose(0, 2, 1) * power[:, None, :]                 # [B, i, j]
    strongest = np.argmax(enemy_power, axis=2)
    enemy_loss = np.take_along_axis(loss_frac, strongest, axis=1)
    losing = loss_frac > enemy_loss
    breaks = ((loss_frac > bp * (0.5 + morale)) & losing) | ratio_break
    alive = (end > m.hold_threshold) & (fac >= 0)
    routed = breaks & alive
    standing = alive & ~routed
    # A side only breaks if some enemy is still standing.
    enemy_standing = np.einsum("bij,bj->bi", H.astype(float), standing.astype(float)) > 0
    routed &= enemy_standing
    standing = alive & ~routed
    holds = standing[:, 0]
    cand = np.where(standing, power, -1.0)
    cand[:, 0] = -1.0
    best = np.argmax(cand, axis=1)
    winner = np.where(holds | (cand.max(axis=1) < 0), 0, best)
    add_casualties(st, np.repeat(br, K), fac.ravel(), (S - end).ravel(), F)
    return Battles(rep=br, place=bn, faction=fac, start=S, end=end, power0=S * mult,
                   routed=routed, winner=winner)


def resolve(c: Compiled, st: State, orders: Orders, bt: Battles,
            log: list[dict[str, Any]] | None, t: int) -> tuple[np.ndarray, np.ndarray]:
    """Apply control changes, send back surviving attackers and retreat beaten defenders.

    Returns per-faction counts of places captured and lost this turn, [R, F] each.
    """
    F, N = c.n_factions, c.n_settlements
    R = st.replicates
    m = c.scenario.model
    rows = np.arange(bt.start.shape[0])
    old = bt.faction[:, 0].copy()
    changed = bt.winner > 0
    new_owner = bt.faction[rows, bt.winner]
    st.control[bt.rep, bt.place] = np.where(changed, new_owner, old).astype(np.int16)
    st.strength[bt.rep, bt.place] = bt.end[rows, bt.winner]
    # Attackers who did not take the place go home (if home is still theirs).
    r_idx, e_idx = np.nonzero(orders.commit > 0)
    amount = orders.commit[r_idx, e_idx]
    key = r_idx * N + c.dst[e_idx]
    b_of = np.searchsorted(bt.rep * N + bt.place, key)
    own_f = orders.faction[r_idx, e_idx]
    orig = np.argmax(bt.faction[b_of] == own_f[:, None], axis=1)     # the force's slot
    survive = np.where(bt.start[b_of, orig] > 0,
                       bt.end[b_of, orig] / np.maximum(bt.start[b_of, orig], 1e-12), 0.0)
    alive = amount * survive
    rout_cost = np.where(bt.routed[b_of, orig], alive * m.rout_loss, 0.0)
    won = bt.winner[b_of] == orig
    home_ok = st.control[r_idx, c.src[e_idx]] == own_f
    back = np.where(~won & home_ok, alive - rout_cost, 0.0)
    lost = np.where(~won & ~home_ok, alive - rout_cost, 0.0)
    np.add.at(st.strength, (r_idx, c.src[e_idx]), back)
    add_casualties(st, r_idx, own_f, np.where(won, 0.0, lost + rout_cost), F)
    # Winning attackers: the slot's survivors already occupy the place (set above).
    # Beaten defenders retreat to neighbours they still hold, or surrender.
    beaten = changed & (bt.faction[:, 0] >= 0)
    survivors = np.where(beaten, bt.end[:, 0], 0.0)
    nb = c.neighbours[bt.place]                                   # [B, D]
    nb_ok = (nb >= 0) & (st.control[bt.rep[:, None], np.maximum(nb, 0)] == old[:, None])
    n_ok = nb_ok.sum(axis=1)
    flee = survivors * (1 - m.rout_loss)
    share = np.where(n_ok > 0, flee / np.maximum(n_ok, 1), 0.0)
    rr = np.broadcast_to(bt.rep[:, None], nb.shape)
    np.add.at(st.strength, (rr[nb_ok], nb[nb_ok]), np.broadcast_to(share[:, None],
                                                                    nb.shape)[nb_ok])
    gone = np.where(n_ok > 0, survivors - flee, survivors)
    add_casualties(st, bt.rep, bt.faction[:, 0], gone, F)
    captured = np.zeros((R, F))
    lost_places = np.zeros((R, F))
    if changed.any():
        np.add.at(captured, (bt.rep[changed], new_owner[changed]), 1)
        np.add.at(lost_places, (bt.rep[changed], old[changed]), 1)
    if log is not None:
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
