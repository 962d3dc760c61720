"""Compiled helpers shared by the phases of a turn: stances, sums by faction, graph floods.

Edges are directed, both directions of every link, sorted by source: the edges leaving place
``n`` are ``out_start[n]:out_start[n + 1]``. Stance codes are those of
:data:`wargame.engine.compile.STANCE` (war 0, neutral 1, allied 2) and ``SELF`` (3).

Every kernel is compiled by Numba on first use and cached on disk (``cache=True``), so only the
first run after an install pays the compile time.
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
def flood_one(r: int, reach: np.ndarray, stack: np.ndarray, out_start: np.ndarray,
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
def expit(x: float) -> float:
    """The logistic function, without overflow."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


@njit(cache=True)
def kth_largest(x: np.ndarray, k: int, rank: int) -> float:
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
def find_sorted(keys: np.ndarray, lo: int, hi: int, value: int) -> int:
    """Index of ``value`` in the sorted ``keys[lo:hi]`` (which contains it)."""
    while lo < hi:
        mid = (lo + hi) // 2
        if keys[mid] < value:
            lo = mid + 1
        else:
            hi = mid
    return lo
