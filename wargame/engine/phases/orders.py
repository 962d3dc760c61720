"""Phase 4 of a turn: every faction chooses its offensives and commits forces.

Forces at a settlement belong to its controller, so every directed link (m -> n) carries one
potential attacker: the controller of m. All factions' orders are computed together by one
compiled pass over every replicate's links (:func:`orders`); the result is the short list of
links that carry an attack. The rules are in :func:`choose`.

Settings (``model:``): ``planning_ratio`` (the 3:1 rule), ``min_garrison``, ``rout_ratio``;
per faction: ``doctrine`` (aggression, reserve share, objectives, max offensives).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from wargame.engine.common import expit, kth_largest
from wargame.engine.compile import Compiled, Graph
from wargame.engine.links import WarLinks
from wargame.engine.phases.operations import Candidates, Plan
from wargame.engine.state import Factions, Forces, State


class OrdersRule(NamedTuple):
    """The settings of the orders: CDB90's constants and each faction's thresholds."""

    min_garrison: float
    air_mult: float       # CDB90 air-superiority multiplier
    intercept: float      # CDB90 logistic P(success): b0
    slope: float          # and b1 on the log power ratio
    need: np.ndarray            # [R, F] float64: the power ratio a faction plans an attack at
    max_offensives: np.ndarray  # [F] int: targets a faction attacks at most in a turn
    rout_ratio: np.ndarray      # [R] float64: the odds that rout a garrison


class Odds(NamedTuple):
    """What an attack from or on each place would bring, meet and gain this turn."""

    unit_att: np.ndarray    # [R, N] float64: power per fighter of the forces there if they attack
    def_power: np.ndarray   # [R, N] float64: power of the forces defending it
    air_side: np.ndarray    # [R, N] int16: faction whose air strikes hit it (-1: none)
    cleared: np.ndarray     # [R, N] float64: share of it its attackers have cleared
    value: np.ndarray       # [N] float64


class Orders(NamedTuple):
    """The attacks of this turn, one entry per directed link that carries one (M entries)."""

    rep: np.ndarray         # [M] intp: replicate
    edge: np.ndarray        # [M] intp: directed link (src -> dst)
    amount: np.ndarray      # [M] float64: fighters moving from src to attack dst
    unit_power: np.ndarray  # [M] float64: power per attacking fighter (before luck and air)
    faction: np.ndarray     # [M] intp: the attacking faction (controller of the source)


def choose(c: Compiled, st: State, unit_att: np.ndarray, def_power: np.ndarray,
           air_side: np.ndarray, pl: Plan, links: WarLinks) -> tuple[Orders, Candidates]:
    """Score hostile neighbours, pick targets and commit forces.

    ``unit_att`` [R, N] is the power per fighter of the forces at each place if they attack;
    ``def_power`` [R, N] the total power of the forces defending each place; ``links`` the
    links at war (:mod:`wargame.engine.links`), the only ones that can carry an attack.

    The rules, for each replicate:

    1. *Keep back.* A garrison keeps ``max(min_garrison, reserve_share x strength)``, and also
       enough that the enemies next to it (those that attack at all) could not reach the rout
       ratio against what stays, scaled by its caution:
       ``(1 - aggression) x threat / (rout_ratio x defensive power per fighter)``.
       The rest is available.
    2. *Concentration.* An attacker estimates its power against a target as everything it
       could bring from every neighbour of the target it holds (x the air-superiority
       multiplier if its air support is over the target), and the chance of success as the
       CDB90 logistic curve of the log power ratio.
    3. *Planning rule.* It considers a target when the estimated ratio reaches
       ``planning_ratio^(1 - aggression) : 1`` -- the classic 3:1 for a cautious commander
       (aggression near 0), 1:1 near 1; aggression 1 attacks whatever the odds, 0 never
       attacks. A target's score is
       ``P(success) x (1 + objective weight + value + share already cleared)``: an assault
       that has taken ground is pressed on.
    4. *Offensive cap.* Each faction keeps only its ``max_offensives`` best targets (ranked by
       the summed score of the links that lead to them).
    5. *Commitment.* Each place sends everything available to its best-scoring target (split
       evenly between ties).
    6. *Plan check.* An attack whose forces actually committed fall short of the planning
       ratio is called off.

    The campaign layer (``pl``, :mod:`wargame.engine.phases.operations`) says which factions
    attack at all (``idle``), where (``allowed``), and how much each place keeps (``hold``,
    instead of ``min_garrison``); for factions planning a new operation (``ready``) the
    summed scores of their viable targets are returned as candidates (for the games where
    some faction plans only), and they attack only if the operation does not mass first.
    """
    cal = c.calibration
    m = c.scenario.model
    need = m.planning_ratio ** (1.0 - st.aggression)                    # [R, F]
    rule = OrdersRule(float(m.min_garrison), float(cal.air_superiority_multiplier),
                      float(cal.success_intercept), float(cal.success_log_ratio), need,
                      c.max_offensives, st.rout_ratio)
    rows = np.flatnonzero(pl.ready.any(axis=1))
    cand_row = np.full(pl.ready.shape[0], -1, dtype=np.intp)
    cand_row[rows] = np.arange(rows.size)
    cand = Candidates(rows, np.zeros((rows.size, *pl.allowed.shape[1:])), cand_row)
    r, e, amount = orders(st.forces(), st.factions(),
                          Odds(unit_att, def_power, air_side, st.cleared, c.value), c.graph,
                          links, rule, pl, cand)
    src = c.src[e]
    return Orders(rep=r, edge=e, amount=amount, unit_power=unit_att[r, src],
                  faction=st.control[r, src].astype(np.intp)), cand


@njit(cache=True)
def orders(forces: Forces, factions: Factions, odds: Odds, graph: Graph, links: WarLinks,
           rule: OrdersRule, plan: Plan, cand: Candidates
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every faction's offensives, for all replicates -> (replicate, edge, fighters) of each
    committed attack, in replicate then edge order. The rules are in :func:`choose`;
    ``rule.need`` [R, F] is each faction's planning ratio and ``plan.idle`` [R, F] marks
    factions that do not attack this turn (collapsed or pausing); ``cand.score`` [Rc, F, N]
    gathers the scores of planning factions in the games ``cand.row`` [R] points to (-1:
    none plans).

    Only the links at war (``links``, in edge order, hence grouped by source) from a faction
    that attacks at all matter, so each replicate first lists those and every later step runs
    over that list.
    """
    ctrl, strength = forces.control, forces.strength
    reserve, aggression, objective = factions.reserve, factions.aggression, factions.objective
    unit_att, def_power, air_side = odds.unit_att, odds.def_power, odds.air_side
    cleared, value = odds.cleared, odds.value
    max_offensives, need, rout_ratio = rule.max_offensives, rule.need, rule.rout_ratio
    src, dst = graph.src, graph.dst
    idle, hold, allowed = plan.idle, plan.hold, plan.allowed
    ready, mass_first = plan.ready, plan.mass_first
    cand_row = cand.row
    score_of = cand.score
    R, N = ctrl.shape
    F = reserve.shape[1]
    E = dst.shape[0]
    cap_rep = R * E if R * E > 0 else 1
    out_r = np.empty(cap_rep, dtype=np.intp)
    out_e = np.empty(cap_rep, dtype=np.intp)
    out_a = np.empty(cap_rep)
    count = 0
    cr = np.empty(N, dtype=np.intp)
    keep = np.empty(N)
    could = np.empty(N)
    threat = np.zeros(N)
    avail = np.empty(N)
    le = np.empty(E, dtype=np.intp)          # this replicate's war links: edge,
    lm = np.empty(E, dtype=np.intp)          # source,
    ln = np.empty(E, dtype=np.intp)          # target,
    lf = np.empty(E, dtype=np.intp)          # attacking faction
    score = np.empty(E)
    commit = np.empty(E)
    thr = np.empty(F)
    n_targets = np.zeros(F, dtype=np.int64)
    pair = np.full((F, N), -1.0)
    conc = np.zeros((F, N))
    tscore = np.zeros((F, N))
    ranks = np.empty(N)
    for r in range(R):
        for n in range(N):
            cr[n] = ctrl[r, n]
        W = 0
        for i in range(links.n_links[r]):
            e = links.edges[r, i]
            a = cr[src[e]]
            # Only a faction that attacks at all can use a link: an idle one, or one with no
            # aggression, adds no threat and sends nothing.
            if not idle[r, a] and aggression[r, a] > 0:
                le[W] = e
                lm[W] = src[e]
                ln[W] = dst[e]
                lf[W] = a
                W += 1
        if W == 0:
            continue
        # Keep back: the reserve share (at least min_garrison), and enough that the enemies
        # next to a place could not reach the rout ratio against what stays, scaled by the
        # garrison's caution. Only places on a war link matter.
        for q in range(W):
            m = lm[q]
            f = lf[q]
            keep[m] = max(hold[r, m], strength[r, m] * reserve[r, f])
            could[m] = 0.0
            if not idle[r, f] and aggression[r, f] > 0:
                could[m] = max(0.0, strength[r, m] - keep[m]) * unit_att[r, m]
        for q in range(W):
            threat[ln[q]] += could[lm[q]]
        for q in range(W):
            m = lm[q]
            if q > 0 and lm[q - 1] == m:
                continue
            f = lf[q]
            def_unit = def_power[r, m] / max(strength[r, m], 1e-9)
            guard = (1.0 - aggression[r, f]) * threat[m] / (rout_ratio[r] * max(def_unit, 1e-9))
            avail[m] = 0.0
            if not idle[r, f]:
                avail[m] = max(0.0, strength[r, m] - max(keep[m], guard))
        for q in range(W):
            threat[ln[q]] = 0.0
        # Concentration: an attacker counts on all it could bring from every neighbour of
        # the target it holds.
        for f in range(F):
            thr[f] = need[r, f]
            n_targets[f] = 0
        for q in range(W):
            m = lm[q]
            if avail[m] > 0:
                conc[lf[q], ln[q]] += avail[m] * unit_att[r, m]
        # Scores depend on the (attacker, target) pair only: work each pair out once. The
        # planning test compares ratios; the success chance is the logistic curve in the log
        # ratio, for pairs that pass.
        for q in range(W):
            score[q] = 0.0
            if avail[lm[q]] <= 0:
                continue
            f = lf[q]
            n = ln[q]
            if pair[f, n] < 0.0:
                pair[f, n] = 0.0
                a = aggression[r, f]
                if a > 0:
                    c = conc[f, n]
                    if air_side[r, n] == f:
                        c *= rule.air_mult
                    c = max(c, 1e-9)
                    d = max(def_power[r, n], 1e-9)
                    if c >= d * thr[f] or a >= 1.0:
                        p = expit(rule.intercept + rule.slope * math.log(c / d))
                        pair[f, n] = p * (1.0 + objective[r, f, n] + value[n]
                                          + cleared[r, n])
            score[q] = pair[f, n]
            if ready[r, f]:
                score_of[cand_row[r], f, n] += score[q]
                if mass_first[r, f]:
                    score[q] = 0.0
            elif not allowed[r, f, n]:
                score[q] = 0.0
            if score[q] > 0:
                if tscore[f, n] == 0:
                    n_targets[f] += 1
                tscore[f, n] += score[q]
        # Each faction keeps only its max_offensives best targets.
        for f in range(F):
            cap = max_offensives[f]
            if n_targets[f] <= cap:
                continue
            k = 0
            for q in range(W):
                n = ln[q]
                if lf[q] == f and tscore[f, n] > 0:
                    ranks[k] = tscore[f, n]
                    k += 1
                    tscore[f, n] = -tscore[f, n]      # count each target once
            for q in range(W):
                if lf[q] == f and tscore[f, ln[q]] < 0:
                    tscore[f, ln[q]] = -tscore[f, ln[q]]
            kth = kth_largest(ranks, k, cap)
            for q in range(W):
                if lf[q] == f and tscore[f, ln[q]] < kth:
                    score[q] = 0.0
        # Each place attacks its best-scoring targets (ties split the force evenly); the
        # list is grouped by source.
        q0 = 0
        while q0 < W:
            m = lm[q0]
            q1 = q0
            best = 0.0
            while q1 < W and lm[q1] == m:
                best = max(best, score[q1])
                q1 += 1
            k = 0
            for q in range(q0, q1):
                if score[q] > 0 and score[q] >= best:
                    k += 1
            for q in range(q0, q1):
                commit[q] = avail[m] / k if score[q] > 0 and score[q] >= best else 0.0
            q0 = q1
        # Check the plan: an attack whose committed forces fall short of the planning ratio
        # is called off.
        for q in range(W):
            conc[lf[q], ln[q]] = 0.0
        for q in range(W):
            if commit[q] > 0:
                sent = commit[q] * unit_att[r, lm[q]]
                if air_side[r, ln[q]] == lf[q]:
                    sent *= rule.air_mult
                conc[lf[q], ln[q]] += sent
        for q in range(W):
            f = lf[q]
            n = ln[q]
            if commit[q] > 0 and (conc[f, n] >= def_power[r, n] * thr[f]
                                  or aggression[r, f] >= 1.0):
                out_r[count] = r
                out_e[count] = le[q]
                out_a[count] = commit[q]
                count += 1
        for q in range(W):                      # leave the scratch clean
            f = lf[q]
            n = ln[q]
            conc[f, n] = 0.0
            tscore[f, n] = 0.0
            pair[f, n] = -1.0
    return out_r[:count].copy(), out_e[:count].copy(), out_a[:count].copy()
