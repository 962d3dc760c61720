"""Phase 8 of a turn: rear garrisons send part of their surplus toward the front.

Distance to the front, in links through the controller's own places, is 0 for places touching
an enemy, then 1, 2, and 3 for anything further. A rear place sends ``redeploy_share`` of its
strength above what it holds (``min_garrison``, or with the campaign layer ``hold_share x
cap_def`` where a hostile faction has it as an objective), split evenly, to its own neighbours
that are nearer the front (judgement).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from wargame.engine.links import WarLinks


@njit(cache=True)
def redeploy(ctrl: np.ndarray, strength: np.ndarray, dst: np.ndarray, out_start: np.ndarray,
             links: WarLinks, hold: np.ndarray, share: float) -> None:
    """Move part of every rear garrison's surplus one link toward the front (in place).

    Distance to the front, in links through the controller's own places: 0 for the target of
    a link at war (``links``), then 1, 2, and 3 for anything further. A place at distance > 0
    with own neighbours nearer the front sends ``share`` of its strength above what it holds
    (``hold`` [R, N]: ``min_garrison``, or more where the campaign layer keeps a garrison),
    split evenly between them.
    """
    R, N = ctrl.shape
    cr = np.empty(N, dtype=np.intp)
    dist = np.empty(N, dtype=np.int8)
    level = np.empty(2 * N, dtype=np.intp)
    n_toward = np.empty(N, dtype=np.int64)
    surplus = np.empty(N)
    for r in range(R):
        for n in range(N):
            cr[n] = ctrl[r, n]
            dist[n] = 3
        n_level = 0                        # places at the current distance
        for i in range(links.n_links[r]):
            n = dst[links.edges[r, i]]
            if dist[n] != 0:
                dist[n] = 0
                level[n_level] = n
                n_level += 1
        if n_level == 0:
            continue                       # no front, nowhere to send anything
        for d in (1, 2):                   # widen through own places, one link at a time
            n_next = 0
            for i in range(n_level):
                m = level[i]
                for e in range(out_start[m], out_start[m + 1]):
                    n = dst[e]
                    if cr[n] == cr[m] and dist[n] > d:
                        dist[n] = d
                        level[n_level + n_next] = n
                        n_next += 1
            for i in range(n_next):
                level[i] = level[n_level + i]
            n_level = n_next
        for m in range(N):
            surplus[m] = 0.0
            if dist[m] == 0 or strength[r, m] <= hold[r, m]:
                continue
            k = 0
            for e in range(out_start[m], out_start[m + 1]):
                if cr[dst[e]] == cr[m] and dist[dst[e]] < dist[m]:
                    k += 1
            n_toward[m] = k
            if k > 0:
                surplus[m] = (strength[r, m] - hold[r, m]) * share
        for m in range(N):
            if surplus[m] > 0.0:
                strength[r, m] -= surplus[m]
                part = surplus[m] / n_toward[m]
                for e in range(out_start[m], out_start[m + 1]):
                    if cr[dst[e]] == cr[m] and dist[dst[e]] < dist[m]:
                        strength[r, dst[e]] += part
