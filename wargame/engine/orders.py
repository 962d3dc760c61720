"""Phase 4 of a turn: every faction chooses its offensives and commits forces.

Forces at a settlement belong to its controller, so every directed link (m -> n) carries one
potential attacker: the controller of m. All factions' orders are computed together on
[R, E] edge arrays; scores are float32 (they only rank choices), commitments float64.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from wargame.engine.compile import STANCE, Compiled
from wargame.engine.graph import Flooder, lookup, take
from wargame.engine.state import State

PLANNING_RATIO = 3.0
"""The 3:1 rule: the force ratio a cautious attacker plans for (aggression 0)."""


@dataclass
class Orders:
    """Forces committed along each directed link this turn."""

    commit: np.ndarray      # [R, E] fighters moving from src to attack dst
    unit_power: np.ndarray  # [R, E] power per attacking fighter (before luck and air)
    faction: np.ndarray     # [R, E] the attacking faction (controller of the source)


def gather_relation(st: State, a: np.ndarray, b: np.ndarray, F: int) -> np.ndarray:
    """Stance between factions ``a`` and ``b`` ([R, K] each, all >= 0) per replicate."""
    R = st.replicates
    return lookup(st.relation.reshape(R, F * F), a.astype(np.intp) * F + b)


def choose(c: Compiled, st: State, fl: Flooder, unit_att: np.ndarray, def_power: np.ndarray,
           air_side: np.ndarray, air_mult: float) -> Orders:
    """Score hostile neighbours, pick targets and commit forces.

    ``unit_att`` [R, N] is the power per fighter of the forces at each place if they attack;
    ``def_power`` [R, N] the total power of the forces defending each place.
    """
    F, N = c.n_factions, c.n_settlements
    m = c.scenario.model
    cal = c.calibration
    src, dst = c.src, c.dst
    ctrl = st.control.astype(np.intp)
    att = take(ctrl, src)
    war = gather_relation(st, att, take(ctrl, dst), F) == STANCE["war"]
    keep = np.maximum(m.min_garrison, st.strength * lookup(st.reserve, ctrl))
    able = ~lookup(st.collapsed, ctrl)
    # A garrison also keeps back enough that the enemies next to it (those that attack at
    # all) could not reach the rout ratio against what stays, scaled by its caution:
    # (1 - aggression) x threat / (rout_ratio x defensive power per fighter).
    aggr_n = lookup(st.aggression, ctrl)
    could = np.maximum(0.0, st.strength - keep) * able * unit_att * (aggr_n > 0)
    threat = fl.sum_into(take(could, src) * war)
    def_unit = def_power / np.maximum(st.strength, 1e-9)
    rout = st.rout_ratio[:, None]
    keep = np.maximum(keep, (1.0 - aggr_n) * threat / (rout * np.maximum(def_unit, 1e-9)))
    avail = np.maximum(0.0, st.strength - keep) * able                       # [R, N] f64
    av_e = take(avail, src) * war
    pow_e = (av_e * take(unit_att, src)).astype(np.float32)
    # Concentration: an attacker counts on every neighbour of the target it holds. Sums per
    # (replicate, attacker, target) are one bincount over a flat key.
    R = st.replicates
    key = (np.arange(R)[:, None] * F + att) * N + dst
    conc = np.take(np.bincount(key.ravel(), weights=pow_e.ravel(), minlength=R * F * N),
                   key).astype(np.float32)
    air = take(air_side, dst) == att
    conc *= 1.0 + (air_mult - 1.0) * air
    dp = take(def_power, dst).astype(np.float32)
    eff = np.log(np.maximum(conc, 1e-9)) - np.log(np.maximum(dp, 1e-9))
    p = expit(np.float32(cal.success_intercept) + np.float32(cal.success_log_ratio) * eff)
    aggr = lookup(st.aggression, att)
    # Planning rule: attack when the estimated power ratio reaches 3^(1 - aggression) : 1 --
    # the classic 3:1 for a cautious commander (aggression near 0), 1:1 near 1; aggression 1
    # itself attacks whatever the odds, and 0 never attacks.
    need = np.float32(np.log(PLANNING_RATIO)) * (1.0 - aggr)
    attractive = war & (av_e > 0) & ((eff >= need) | (aggr >= 1.0)) & (aggr > 0)
    wobj = np.take(st.objective.ravel(), key)        # key is also the flat objective index
    score = (p * (1.0 + wobj + c.value[dst]) * attractive).astype(np.float32)
    score = _cap_offensives(c, score, key)
    best = fl.max_from(score)
    chosen = (score > 0) & (score >= take(best, src))
    n_chosen = fl.sum_from(chosen.astype(np.float32))
    commit = take(avail, src) * chosen / np.maximum(take(n_chosen, src), 1.0)
    # Check the plan: the concentration estimate counted every neighbour; an attack whose
    # forces actually committed fall short of the planning ratio is called off.
    idx = np.flatnonzero(commit)                     # the few edges that carry an attack
    if idx.size:
        sent = (commit.ravel()[idx] * take(unit_att, src).ravel()[idx]
                * (1.0 + (air_mult - 1.0) * air.ravel()[idx]))
        _, group = np.unique(key.ravel()[idx], return_inverse=True)
        real = np.bincount(group, weights=sent)[group]
        enough = real >= dp.ravel()[idx] * np.exp(need.ravel()[idx])
        enough |= aggr.ravel()[idx] >= 1.0
        flat = commit.ravel()
        flat[idx[~enough]] = 0.0
    return Orders(commit=commit, unit_power=take(unit_att, src), faction=att)


def _cap_offensives(c: Compiled, score: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Keep only each faction's ``max_offensives`` best targets (ranked by summed edge score).

    ``key`` [R, E] is the flat (replicate, attacking faction, target) index of each edge.
    """
    F, N = c.n_factions, c.n_settlements
    R = score.shape[0]
    idx = np.flatnonzero(score)
    if idx.size == 0:
        return score
    tscore = np.bincount(key.ravel()[idx], weights=score.ravel()[idx], minlength=R * F * N)
    tscore = tscore.reshape(R * F, N)
    cap = np.tile(c.max_offensives, R)                                        # [R * F]
    over = np.count_nonzero(tscore, axis=1) > cap
    if not over.any():
        return score
    rows = np.flatnonzero(over)
    k = cap[rows]
    sub = tscore[rows]
    pos = np.maximum(k - 1, 0)
    ranked = -np.partition(-sub, np.unique(pos), axis=1)    # every needed rank in place
    kth = np.where(k > 0, ranked[np.arange(rows.size), pos], np.inf)
    allowed = np.ones_like(tscore, dtype=bool)
    allowed[rows] = sub >= kth[:, None]
    return score * np.take(allowed.ravel(), key)
