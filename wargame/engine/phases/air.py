"""Air strikes against the beneficiary's enemies (part of phase 2, external support).

Each ``air_strikes`` support line spreads its sorties ``s`` over the enemy-held places that
touch the beneficiary's land, in proportion to ``priority(target faction) x strength``. At
each place, with ``K = air_kill_cap x strength``:

    kills = K (1 - exp(-kills_per_sortie x s / K))

(linear for few sorties, saturating at ``K``), and the forces there fight at
``1 - suppression (1 - exp(-s / air_saturation_sorties))`` of their power this turn. The side
whose strikes hit a place attacks it with the CDB90 air-superiority multiplier. While the
beneficiary has an operation under way (massing or fighting), ``air_focus`` of the sorties go
to the enemy places within ``operation_radius`` links of its objectives, the rest as above.

Settings (``model:``): ``air_kill_cap``, ``air_saturation_sorties``; per line:
``sorties_per_turn``, ``kills_per_sortie``, ``suppression``, ``targets``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from wargame.engine.compile import Graph
from wargame.engine.links import WarLinks
from wargame.engine.phases.garrisons import near_objective
from wargame.engine.state import Campaign, Forces


class AirLine(NamedTuple):
    """One air-strike line this turn, and what it did at each place (for the narrative)."""

    side: int                     # the beneficiary
    prio: np.ndarray              # [R, F] float64: priority of each target faction
    sorties: np.ndarray           # [R] float64: sorties this turn
    kills_per_sortie: np.ndarray  # [R] float64
    suppression: np.ndarray       # [R] float64: power taken away by saturating strikes
    alloc: np.ndarray             # [R, N] float64 sorties at each place, or [0, 0]: not kept
    kills: np.ndarray             # [R, N] float64 kills at each place, or [0, 0]: not kept


class AirRule(NamedTuple):
    """The scenario's settings of air strikes."""

    kill_cap: float               # air_kill_cap: kills at a place at most, per fighter there
    saturation: float             # air_saturation_sorties
    radius: int                   # operation_radius (-1: no sectors)
    focus_share: float            # air_focus: share of sorties over an operation's sector


class AirCover(NamedTuple):
    """What every line's strikes did to the turn's combat, summed over the lines (in place)."""

    suppress: np.ndarray          # [R, N] float64: power multiplier of the forces at each place
    air_side: np.ndarray          # [R, N] int16: the line's beneficiary that flew the most there
    best: np.ndarray              # [R, N] float64: the most sorties one line flew there
    sorties: np.ndarray           # [R, N] float64: sorties flown against each place


@njit(cache=True)
def air_strikes(line: AirLine, rule: AirRule, forces: Forces, cover: AirCover, graph: Graph,
                links: WarLinks, campaign: Campaign) -> None:
    """One air-strike line for all replicates; updates the state (``forces``) and the turn's
    support (``cover``) in place and, if ``line.alloc`` and ``line.kills`` are [R, N] (not
    [0, 0]), fills them with the sorties and kills at each place (for the narrative).

    Sorties go to places of factions the beneficiary ``side`` is at war with that touch its
    own land (the targets of the links at war, ``links``, that leave it), in proportion to
    ``prio`` [R, F] x the garrison's strength. Kills at a place saturate at ``kill_cap`` x
    its strength: ``cap (1 - exp(-kills_per_sortie x sorties / cap))``; suppression of its
    power ``1 - suppression (1 - exp(-sorties / saturation))``. The place's air side is the
    line that flew the most sorties over it. ``alloc`` and ``kills`` must come in zeroed.
    Where some candidates lie in the sector of the beneficiary's operation (within ``radius``
    links, ``hops``, of its objectives ``op_target`` while it masses or fights, ``op_stage``
    > 0; ``radius`` < 0: no sectors), ``focus_share`` of the sorties go to them and the rest
    to the others, each part in proportion to the same weights.
    """
    ctrl, strength, casualties = forces.control, forces.strength, forces.casualties
    side, prio, sorties = line.side, line.prio, line.sorties
    kills_per_sortie, suppression = line.kills_per_sortie, line.suppression
    alloc, kills = line.alloc, line.kills
    kill_cap, saturation = rule.kill_cap, rule.saturation
    radius, focus_share = rule.radius, rule.focus_share
    suppress, air_side, best = cover.suppress, cover.air_side, cover.best
    total_sorties = cover.sorties
    src, dst, hops = graph.src, graph.dst, graph.hops
    op_target, op_stage = campaign.target, campaign.stage
    R, N = ctrl.shape
    record = alloc.shape[0] > 0
    w = np.empty(N)
    seen = np.zeros(N, dtype=np.bool_)
    cand = np.empty(N, dtype=np.intp)
    focus = np.empty(N, dtype=np.bool_)
    for r in range(R):
        # Enemy places touching the beneficiary's land.
        nc = 0
        for i in range(links.n_links[r]):
            e = links.edges[r, i]
            n = dst[e]
            if ctrl[r, src[e]] == side and not seen[n]:
                seen[n] = True
                cand[nc] = n
                nc += 1
        total = 0.0
        total_in = 0.0
        in_op = radius >= 0 and op_stage[r, side] > 0
        for i in range(nc):
            n = cand[i]
            seen[n] = False
            w[i] = prio[r, ctrl[r, n]] * strength[r, n]
            focus[i] = in_op and near_objective(op_target, r, side, hops, radius, n)
            if focus[i]:
                total_in += w[i]
            else:
                total += w[i]
        share_in = focus_share if total_in > 0.0 else 0.0
        if total <= 0.0 and total_in > 0.0:
            share_in = 1.0
        scale = sorties[r] * (1.0 - share_in) / max(total, 1e-12)
        scale_in = sorties[r] * share_in / max(total_in, 1e-12)
        for i in range(nc):
            a = w[i] * (scale_in if focus[i] else scale)
            if a <= 0.0:
                continue
            n = cand[i]
            if record:
                alloc[r, n] = a
            cap = kill_cap * strength[r, n]
            k = cap * -math.expm1(-kills_per_sortie[r] * a / max(cap, 1e-12))
            if record:
                kills[r, n] = k
            strength[r, n] -= k
            casualties[r, ctrl[r, n]] += k
            suppress[r, n] *= 1.0 - suppression[r] * -math.expm1(-a / saturation)
            if a > best[r, n]:
                best[r, n] = a
                air_side[r, n] = side
            total_sorties[r, n] += a
