"""Phase 4 of a turn: every faction chooses its offensives and commits forces.

Forces at a settlement belong to its controller, so every directed link (m -> n) carries one
potential attacker: the controller of m. All factions' orders are computed together on
[R, E] edge arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wargame.engine.compile import STANCE, Compiled
from wargame.engine.graph import Flooder
from wargame.engine.state import State


@dataclass
class Orders:
    """Forces committed along each directed link this turn."""

    commit: np.ndarray      # [R, E] fighters moving from src to attack dst
    unit_power: np.ndarray  # [R, E] power per attacking fighter (before luck and air)
    p_success: np.ndarray   # [R, E] the attacker's own estimate of success
    faction: np.ndarray     # [R, E] the attacking faction (controller of the source)


def expit(z: np.ndarray) -> np.ndarray:
    """Numerically stable logistic function."""
    ez = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + ez), ez / (1.0 + ez))


def gather_relation(st: State, a: np.ndarray, b: np.ndarray, F: int) -> np.ndarray:
    """Stance between factions ``a`` and ``b`` ([R, K] each) per replicate; -1 if either is none."""
    R = st.replicates
    flat = st.relation.reshape(R, F * F)
    ok = (a >= 0) & (b >= 0)
    idx = np.where(ok, a.astype(np.intp) * F + b, 0)
    return np.where(ok, np.take_along_axis(flat, idx, axis=1), -1)


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
    att = ctrl[:, src]
    tgt = ctrl[:, dst]
    war = gather_relation(st, att, tgt, F) == STANCE["war"]
    own = np.take_along_axis(st.reserve, np.maximum(ctrl, 0), axis=1)
    keep = np.maximum(m.min_garrison, st.strength * own)
    can = ~np.take_along_axis(st.collapsed, np.maximum(ctrl, 0), axis=1) & (ctrl >= 0)
    avail = np.where(can, np.maximum(0.0, st.strength - keep), 0.0)
    av_e = avail[:, src] * war
    pow_e = av_e * unit_att[:, src]
    # Concentration: an attacker counts on every neighbour of the target it holds.
    conc = np.zeros_like(pow_e)
    for f in range(F):
        mine = att == f
        if not mine.any():
            continue
        tot = fl.sum_into(np.where(mine, pow_e, 0.0))
        conc += np.where(mine, tot[:, dst], 0.0)
    conc = conc * np.where(air_side[:, dst] == att, air_mult, 1.0)
    dp = def_power[:, dst]
    with np.errstate(divide="ignore"):
        eff = np.log(np.maximum(conc, 1e-9)) - np.log(np.maximum(dp, 1e-9))
    p = expit(cal.success_intercept + cal.success_log_ratio * eff)
    aggr = np.take_along_axis(st.aggression, att, axis=1)
    attractive = war & (av_e > 0) & (p >= 1.0 - aggr) & (aggr > 0)
    R = st.replicates
    obj = st.objective.reshape(R, F * N)
    wobj = np.take_along_axis(obj, att * N + dst, axis=1)
    score = np.where(attractive, p * (1.0 + wobj + c.value[dst]), 0.0)
    score = _cap_offensives(c, fl, score, att)
    best = fl.max_from(score)
    chosen = (score > 0) & (score >= best[:, src])
    n_chosen = fl.sum_from(chosen.astype(float))
    commit = np.where(chosen, avail[:, src] / np.maximum(n_chosen[:, src], 1.0), 0.0)
    return Orders(commit=commit, unit_power=unit_att[:, src], p_success=p, faction=att)


def _cap_offensives(c: Compiled, fl: Flooder, score: np.ndarray, att: np.ndarray) -> np.ndarray:
    """Keep only each faction's ``max_offensives`` best targets (by target score)."""
    F = c.n_factions
    out = score
    for f in range(F):
        k = int(c.max_offensives[f])
        mine = (att == f) & (score > 0)
        if not mine.any():
            continue
        tscore = np.maximum.reduceat(np.where(mine, score, 0.0)[:, fl.by_dst],
                                     fl.dst_starts, axis=1) * fl.has_in      # [R, N]
        n_targets = (tscore > 0).sum(axis=1)
        over = n_targets > k
        if not over.any():
            continue
        if k == 0:
            out = np.where(mine, 0.0, out)
            continue
        kth = -np.partition(-tscore[over], k - 1, axis=1)[:, k - 1]
        allowed = np.ones_like(tscore, dtype=bool)
        allowed[over] = tscore[over] >= kth[:, None]
        out = np.where(mine & ~allowed[:, c.dst], 0.0, out)
    return out
