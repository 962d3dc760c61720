"""Compiled kernels for the graph phases of a turn.

The settlement-graph phases (supply and sieges, air-strike targeting, orders, battles,
redeployment, connectivity outcomes) touch every directed link of every replicate several
times a turn. As numpy expressions over [R, E] arrays
they cost dozens of passes over memory per phase; here each phase is one pass, compiled by
Numba. The data layout is the engine's: arrays with a leading replicate axis, one call per phase
per turn whatever the number of replicates. The loops run in machine code, not in Python.

Edges are directed, both directions of every link, sorted by source: the edges leaving place
``n`` are ``out_start[n]:out_start[n + 1]``. Stance codes are those of
:data:`wargame.engine.compile.STANCE` (war 0, neutral 1, allied 2) and ``SELF`` (3).

Kernels are compiled on first use and cached on disk (``cache=True``), so only the first run
after an install pays the compile time.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

WAR = 0
ALLIED = 2   # and SELF = 3: a stance >= ALLIED is friendly


@njit(cache=True)
def by_faction(x: np.ndarray, ctrl: np.ndarray, n_factions: int) -> np.ndarray:
    """Sum ``x`` [R, N] over the places each faction controls -> [R, F] (``ctrl`` < 0 skipped)."""
    R, N = x.shape
    out = np.zeros((R, n_factions))
    for r in range(R):
        for n in range(N):
            f = ctrl[r, n]
            if f >= 0:
                out[r, f] += x[r, n]
    return out


@njit(cache=True)
def unit_power(ctrl: np.ndarray, per_fighter: np.ndarray, quality_bonus: np.ndarray,
               supply: np.ndarray, suppress: np.ndarray, defence_mult: np.ndarray,
               strength: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Power per fighter at each place -> (attacking [R, N], defending [R, N], defending
    total [R, N]).

    ``per_fighter`` [R, F] is the faction part (quality, morale, artillery, collapse);
    the place multiplies in its supply, air suppression, the faction's supply-line
    ``quality_bonus`` (only in supply) and, defending, ``defence_mult`` [N] (terrain and
    fortification).
    """
    R, N = ctrl.shape
    unit = np.empty((R, N))
    def_unit = np.empty((R, N))
    def_power = np.empty((R, N))
    for r in range(R):
        for n in range(N):
            f = ctrl[r, n]
            # 1 + (bonus - 1) rather than bonus: the same rounding as the numpy engine had.
            bonus = 1.0 + (quality_bonus[r, f] - 1.0) if supply[r, n] >= 1.0 else 1.0
            u = per_fighter[r, f] * supply[r, n] * suppress[r, n] * bonus
            unit[r, n] = u
            def_unit[r, n] = u * defence_mult[n]
            def_power[r, n] = strength[r, n] * def_unit[r, n]
    return unit, def_unit, def_power


@njit(cache=True)
def _flood_one(r: int, reach: np.ndarray, stack: np.ndarray, out_start: np.ndarray,
               dst: np.ndarray, edge_ok: np.ndarray) -> None:
    """Depth-first flood of replicate ``r`` from the places already marked in ``reach``."""
    N = reach.shape[1]
    top = 0
    for n in range(N):
        if reach[r, n]:
            stack[top] = n
            top += 1
    while top > 0:
        top -= 1
        m = stack[top]
        for e in range(out_start[m], out_start[m + 1]):
            n = dst[e]
            if not reach[r, n] and edge_ok[e]:
                reach[r, n] = True
                stack[top] = n
                top += 1


@njit(cache=True)
def connected(ctrl: np.ndarray, relation: np.ndarray, faction: int, with_allies: bool,
              start: np.ndarray, targets: np.ndarray, out_start: np.ndarray,
              dst: np.ndarray) -> np.ndarray:
    """[R] bool: whether a chain of places held by ``faction`` (or its allies, if
    ``with_allies``) joins one of the ``start`` places to one of the ``targets`` ([N] bool)."""
    R, N = ctrl.shape
    found = np.zeros(R, dtype=np.bool_)
    passable = np.empty(N, dtype=np.bool_)
    reach = np.empty(N, dtype=np.bool_)
    stack = np.empty(N, dtype=np.intp)
    for r in range(R):
        top = 0
        for n in range(N):
            g = ctrl[r, n]
            passable[n] = g == faction or (with_allies and relation[r, faction, g] == ALLIED)
            reach[n] = start[n] and passable[n]
            if reach[n]:
                found[r] |= targets[n]
                stack[top] = n
                top += 1
        while top > 0 and not found[r]:
            top -= 1
            m = stack[top]
            for e in range(out_start[m], out_start[m + 1]):
                n = dst[e]
                if not reach[n] and passable[n]:
                    if targets[n]:
                        found[r] = True
                        break
                    reach[n] = True
                    stack[top] = n
                    top += 1
    return found


@njit(cache=True)
def supplied(ctrl: np.ndarray, relation: np.ndarray, source_faction: np.ndarray,
             source_place: np.ndarray, source_on: np.ndarray, src: np.ndarray, dst: np.ndarray,
             out_start: np.ndarray) -> np.ndarray:
    """Which places are in supply -> [R, N] bool.

    Supply sources are (faction, place) pairs, ``source_on`` [R, K] saying whether each is
    active in each replicate. A place is a source if it is an active source of its controller
    or of an ally of its controller; supply then flows along links whose two ends are held by
    the same faction or by allies. Places held by nobody (``ctrl`` < 0) are never supplied and
    carry no supply.
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
        _flood_one(r, reach, stack, out_start, dst, ok)
    return reach


@njit(cache=True)
def supply(ctrl: np.ndarray, relation: np.ndarray, source_faction: np.ndarray,
           source_place: np.ndarray, source_on: np.ndarray, src: np.ndarray, dst: np.ndarray,
           out_start: np.ndarray, airlift: np.ndarray, attrition: float, unsupplied_power: float,
           siege: np.ndarray, strength: np.ndarray, casualties: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray]:
    """Trace supply (:func:`supplied`) and apply sieges, for all replicates -> (supply
    multiplier [R, N], newly cut off [R, N] bool).

    A place out of supply counts another turn of ``siege``, loses
    ``attrition x (1 - airlift)`` of its strength (booked as casualties) and fights at
    ``unsupplied_power + (1 - unsupplied_power) x airlift``; in supply, the multiplier is 1.
    """
    R, N = ctrl.shape
    reach = supplied(ctrl, relation, source_faction, source_place, source_on, src, dst,
                     out_start)
    mult = np.ones((R, N))
    newly = np.zeros((R, N), dtype=np.bool_)
    for r in range(R):
        for n in range(N):
            if reach[r, n]:
                siege[r, n] = 0
                continue
            newly[r, n] = siege[r, n] == 0
            siege[r, n] += 1
            loss = strength[r, n] * attrition * (1.0 - airlift[r, n])
            strength[r, n] -= loss
            casualties[r, ctrl[r, n]] += loss
            mult[r, n] = unsupplied_power + (1.0 - unsupplied_power) * airlift[r, n]
    return mult, newly


@njit(cache=True)
def redeploy(ctrl: np.ndarray, relation: np.ndarray, strength: np.ndarray, src: np.ndarray,
             dst: np.ndarray, out_start: np.ndarray, min_garrison: float, share: float) -> None:
    """Move part of every rear garrison's surplus one link toward the front (in place).

    Distance to the front, in links through the controller's own places: 0 for a place with an
    enemy neighbour, then 1, 2, and 3 for anything further. A place at distance > 0 with own
    neighbours nearer the front sends ``share`` of its strength above ``min_garrison``, split
    evenly between them.
    """
    R, N = ctrl.shape
    E = dst.shape[0]
    cr = np.empty(N, dtype=np.intp)
    same = np.empty(E, dtype=np.bool_)
    dist = np.empty(N, dtype=np.int8)
    level = np.empty(2 * N, dtype=np.intp)
    n_toward = np.empty(N, dtype=np.int64)
    surplus = np.empty(N)
    for r in range(R):
        for n in range(N):
            cr[n] = ctrl[r, n]
            dist[n] = 3
        n_level = 0                        # places at the current distance
        for e in range(E):
            a = cr[src[e]]
            b = cr[dst[e]]
            same[e] = a == b
            if not same[e] and dist[dst[e]] != 0 and relation[r, a, b] == WAR:
                dist[dst[e]] = 0
                level[n_level] = dst[e]
                n_level += 1
        if n_level == 0:
            continue                       # no front, nowhere to send anything
        for d in (1, 2):                   # widen through own places, one link at a time
            n_next = 0
            for i in range(n_level):
                m = level[i]
                for e in range(out_start[m], out_start[m + 1]):
                    n = dst[e]
                    if same[e] and dist[n] > d:
                        dist[n] = d
                        level[n_level + n_next] = n
                        n_next += 1
            for i in range(n_next):
                level[i] = level[n_level + i]
            n_level = n_next
        for m in range(N):
            surplus[m] = 0.0
            if dist[m] == 0 or strength[r, m] <= min_garrison:
                continue
            k = 0
            for e in range(out_start[m], out_start[m + 1]):
                if same[e] and dist[dst[e]] < dist[m]:
                    k += 1
            n_toward[m] = k
            if k > 0:
                surplus[m] = (strength[r, m] - min_garrison) * share
        for m in range(N):
            if surplus[m] > 0.0:
                strength[r, m] -= surplus[m]
                part = surplus[m] / n_toward[m]
                for e in range(out_start[m], out_start[m + 1]):
                    if same[e] and dist[dst[e]] < dist[m]:
                        strength[r, dst[e]] += part


@njit(cache=True)
def _expit(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


@njit(cache=True)
def _kth_largest(x: np.ndarray, k: int, rank: int) -> float:
    """The ``rank``-th largest of ``x[:k]`` (inf for rank 0); partially sorts ``x[:k]``."""
    if rank <= 0:
        return np.inf
    for i in range(rank):                      # selection sort of the top ``rank``
        j_best = i
        for j in range(i + 1, k):
            if x[j] > x[j_best]:
                j_best = j
        x[i], x[j_best] = x[j_best], x[i]
    return x[rank - 1]


@njit(cache=True)
def orders(ctrl: np.ndarray, relation: np.ndarray, strength: np.ndarray, reserve: np.ndarray,
           collapsed: np.ndarray, aggression: np.ndarray, rout_ratio: np.ndarray,
           objective: np.ndarray, unit_att: np.ndarray, def_power: np.ndarray,
           air_side: np.ndarray, value: np.ndarray, max_offensives: np.ndarray,
           need: np.ndarray, src: np.ndarray, dst: np.ndarray, min_garrison: float,
           air_mult: float, intercept: float, slope: float
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every faction's offensives, for all replicates -> (replicate, edge, fighters) of each
    committed attack, in replicate then edge order. The rules are in
    :func:`wargame.engine.orders.choose`; ``need`` [R, F] is each faction's planning ratio.

    Only the links between factions at war matter, so each replicate first lists them (in
    edge order, hence grouped by source) and every later step runs over that list.
    """
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
        for e in range(E):
            a = cr[src[e]]
            b = cr[dst[e]]
            if a != b and relation[r, a, b] == WAR:
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
            keep[m] = max(min_garrison, strength[r, m] * reserve[r, f])
            could[m] = 0.0
            if not collapsed[r, f] and aggression[r, f] > 0:
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
            if not collapsed[r, f]:
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
                        c *= air_mult
                    c = max(c, 1e-9)
                    d = max(def_power[r, n], 1e-9)
                    if c >= d * thr[f] or a >= 1.0:
                        p = _expit(intercept + slope * math.log(c / d))
                        pair[f, n] = p * (1.0 + objective[r, f, n] + value[n])
            score[q] = pair[f, n]
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
            kth = _kth_largest(ranks, k, cap)
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
                    sent *= air_mult
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


@njit(cache=True)
def air_strikes(ctrl: np.ndarray, relation: np.ndarray, strength: np.ndarray, side: int,
                prio: np.ndarray, sorties: np.ndarray, kills_per_sortie: np.ndarray,
                suppression: np.ndarray, kill_cap: float, saturation: float,
                out_start: np.ndarray, dst: np.ndarray, casualties: np.ndarray,
                suppress: np.ndarray, air_side: np.ndarray, best: np.ndarray,
                total_sorties: np.ndarray, alloc: np.ndarray, kills: np.ndarray) -> None:
    """One air-strike line for all replicates; updates the state and the turn's support in
    place and fills ``alloc`` and ``kills`` [R, N] (sorties and kills at each place).

    Sorties go to places of factions the beneficiary ``side`` is at war with that touch its
    own land, in proportion to ``prio`` [R, F] x the garrison's strength. Kills at a place
    saturate at ``kill_cap`` x its strength: ``cap (1 - exp(-kills_per_sortie x sorties /
    cap))``; suppression of its power ``1 - suppression (1 - exp(-sorties / saturation))``.
    The place's air side is the line that flew the most sorties over it. ``alloc`` and
    ``kills`` must come in zeroed.
    """
    R, N = ctrl.shape
    w = np.empty(N)
    seen = np.zeros(N, dtype=np.bool_)
    cand = np.empty(N, dtype=np.intp)
    for r in range(R):
        # Enemy places touching the beneficiary's land.
        nc = 0
        for m in range(N):
            if ctrl[r, m] != side:
                continue
            for e in range(out_start[m], out_start[m + 1]):
                n = dst[e]
                if not seen[n] and relation[r, side, ctrl[r, n]] == WAR:
                    seen[n] = True
                    cand[nc] = n
                    nc += 1
        total = 0.0
        for i in range(nc):
            n = cand[i]
            seen[n] = False
            w[i] = prio[r, ctrl[r, n]] * strength[r, n]
            total += w[i]
        scale = sorties[r] / max(total, 1e-12)
        for i in range(nc):
            a = w[i] * scale
            if a <= 0.0:
                continue
            n = cand[i]
            alloc[r, n] = a
            cap = kill_cap * strength[r, n]
            k = cap * -math.expm1(-kills_per_sortie[r] * a / max(cap, 1e-12))
            kills[r, n] = k
            strength[r, n] -= k
            casualties[r, ctrl[r, n]] += k
            suppress[r, n] *= 1.0 - suppression[r] * -math.expm1(-a / saturation)
            if a > best[r, n]:
                best[r, n] = a
                air_side[r, n] = side
            total_sorties[r, n] += a


# --- Combat -------------------------------------------------------------------------------


@njit(cache=True)
def assemble(rep: np.ndarray, edge: np.ndarray, amount: np.ndarray, per_fighter: np.ndarray,
             faction: np.ndarray, src: np.ndarray, dst: np.ndarray, strength: np.ndarray,
             control: np.ndarray, def_unit: np.ndarray, air_side: np.ndarray, air_mult: float,
             relation: np.ndarray, n_factions: int
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                        np.ndarray, np.ndarray]:
    """Group the turn's attacks (sorted by replicate) into battles.

    Committed forces leave their origins first (``strength`` is updated in place), so a place
    that attacks defends with what stayed. Battles are ordered by (replicate, place); slot 0
    is the defender, then one slot per attacking faction in faction order. Returns
    ``rep [B], place [B], faction [B, K] (-1 empty), strength [B, K], power per fighter
    [B, K]`` (x ``air_mult`` for the side whose air support is over the place),
    ``hostile [B, K, K]``, and for each attack its battle and slot.
    """
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
            b = _find(bn, b0, B, dst[edge[q]])
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


@njit(cache=True)
def _find(keys: np.ndarray, lo: int, hi: int, value: int) -> int:
    """Index of ``value`` in the sorted ``keys[lo:hi]`` (which contains it)."""
    while lo < hi:
        mid = (lo + hi) // 2
        if keys[mid] < value:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True)
def _rate(x: np.ndarray, mult: np.ndarray, k: np.ndarray, H: np.ndarray, square: bool,
          fire: np.ndarray, out: np.ndarray) -> None:
    K = x.shape[0]
    for i in range(K):
        fire[i] = k[i] * x[i] * mult[i]
        if square:
            T = 0.0
            for h in range(K):
                if H[i, h]:
                    T += x[h]
            fire[i] = fire[i] / T if T > 0 else 0.0
    for j in range(K):
        hit = 0.0
        for i in range(K):
            if H[i, j]:
                hit += fire[i]
        out[j] = -x[j] * hit


@njit(cache=True)
def lanchester(S: np.ndarray, mult: np.ndarray, k: np.ndarray, H: np.ndarray, days: float,
               n_steps: int, square: bool) -> np.ndarray:
    """Heun integration of Lanchester attrition for every battle -> strengths at the end.

    See :func:`wargame.engine.combat.lanchester` for the equations.
    """
    B, K = S.shape
    x = S.copy()
    dt = days / n_steps
    k1 = np.empty(K)
    k2 = np.empty(K)
    guess = np.empty(K)
    fire = np.empty(K)
    for b in range(B):
        xb = x[b]
        for _ in range(n_steps):
            _rate(xb, mult[b], k[b], H[b], square, fire, k1)
            for i in range(K):
                guess[i] = max(xb[i] + dt * k1[i], 0.0)
            _rate(guess, mult[b], k[b], H[b], square, fire, k2)
            for i in range(K):
                xb[i] = max(xb[i] + 0.5 * dt * (k1[i] + k2[i]), 0.0)
    return x


@njit(cache=True)
def decide(br: np.ndarray, fac: np.ndarray, S: np.ndarray, end: np.ndarray, mult: np.ndarray,
           H: np.ndarray, breakpoint: np.ndarray, morale: np.ndarray, rout_ratio: np.ndarray,
           hold_threshold: float, casualties: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Morale breaks and the winner of each battle -> (routed [B, K], winner slot [B]).

    Books each side's losses in ``casualties`` [R, F]. The rules are in
    :func:`wargame.engine.combat.fight`.
    """
    B, K = S.shape
    routed = np.zeros((B, K), dtype=np.bool_)
    winner = np.zeros(B, dtype=np.intp)
    loss = np.empty(K)
    power = np.empty(K)
    breaks = np.empty(K, dtype=np.bool_)
    alive = np.empty(K, dtype=np.bool_)
    standing = np.empty(K, dtype=np.bool_)
    for b in range(B):
        r = br[b]
        for i in range(K):
            loss[i] = (S[b, i] - end[b, i]) / max(S[b, i], 1e-12)
            power[i] = end[b, i] * mult[b, i]
            if fac[b, i] >= 0:
                casualties[r, fac[b, i]] += S[b, i] - end[b, i]
        for i in range(K):
            f = max(fac[b, i], 0)
            enemy = 0.0
            strongest = 0
            top = -1.0
            for j in range(K):
                if H[b, i, j]:
                    enemy += power[j]
                # The strongest enemy (first of equals; slot 0 if none).
                v = power[j] if H[b, j, i] else 0.0
                if v > top:
                    top = v
                    strongest = j
            ratio_break = enemy > rout_ratio[r] * max(power[i], 1e-9)
            losing = loss[i] > loss[strongest]
            heavy = loss[i] > breakpoint[r, f] * (0.5 + morale[r, f])
            breaks[i] = (heavy and losing) or ratio_break
            alive[i] = end[b, i] > hold_threshold and fac[b, i] >= 0
            standing[i] = alive[i] and not breaks[i]
        # A side only breaks if some enemy is still standing.
        for i in range(K):
            if alive[i] and breaks[i]:
                for j in range(K):
                    if H[b, i, j] and standing[j]:
                        routed[b, i] = True
                        break
        best = -1.0
        w = 0
        for i in range(1, K):
            if alive[i] and not routed[b, i] and power[i] > best:
                best = power[i]
                w = i
        holds = alive[0] and not routed[b, 0]
        winner[b] = 0 if holds else w
    return routed, winner


@njit(cache=True)
def resolve(br: np.ndarray, bn: np.ndarray, fac: np.ndarray, S: np.ndarray, end: np.ndarray,
            routed: np.ndarray, winner: np.ndarray, rep: np.ndarray, edge: np.ndarray,
            amount: np.ndarray, faction: np.ndarray, b_of: np.ndarray, slot: np.ndarray,
            src: np.ndarray, neighbours: np.ndarray, rout_loss: float, control: np.ndarray,
            strength: np.ndarray, casualties: np.ndarray, captured: np.ndarray,
            lost: np.ndarray) -> np.ndarray:
    """Control changes, the return of attackers and the retreat of beaten defenders, in place.

    Returns the strength of each beaten defender that survived the battle [B]. The rules are
    in :func:`wargame.engine.combat.resolve`.
    """
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
        cost = alive * rout_loss if routed[b, s] else 0.0
        home = src[edge[q]]
        if control[r, home] == f:
            strength[r, home] += alive - cost
            casualties[r, f] += cost
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
            casualties[r, old] += survivors[b]
            continue
        flee = survivors[b] * (1 - rout_loss)
        for d in range(neighbours.shape[1]):
            n = neighbours[bn[b], d]
            if n >= 0 and control[r, n] == old:
                strength[r, n] += flee / k
        casualties[r, old] += survivors[b] - flee
    return survivors
