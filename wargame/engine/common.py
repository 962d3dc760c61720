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


@njit(cache=True)
def _pairwise_block(x: np.ndarray, lo: int, n: int) -> float:
    """numpy's sum of a block of at most 128: eight running sums (plain sum below 8)."""
    if n < 8:
        res = 0.0
        for i in range(n):
            res += x[lo + i]
        return res
    r0, r1, r2, r3 = x[lo], x[lo + 1], x[lo + 2], x[lo + 3]
    r4, r5, r6, r7 = x[lo + 4], x[lo + 5], x[lo + 6], x[lo + 7]
    i = 8
    while i < n - n % 8:
        r0 += x[lo + i]
        r1 += x[lo + i + 1]
        r2 += x[lo + i + 2]
        r3 += x[lo + i + 3]
        r4 += x[lo + i + 4]
        r5 += x[lo + i + 5]
        r6 += x[lo + i + 6]
        r7 += x[lo + i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += x[lo + i]
        i += 1
    return res


@njit(cache=True)
def pairwise_sum(x: np.ndarray, lo: int, n: int) -> float:
    """Sum of ``x[lo:lo + n]`` in numpy's order (its pairwise summation: blocks of up to 128,
    halved above that at a multiple of 8), so that a compiled sum gives the same bits as
    ``numpy.sum`` over a contiguous axis and the games stay the same. The halving is walked
    with an explicit stack: Numba's cache does not reload recursive kernels safely."""
    if n <= 128:
        return _pairwise_block(x, lo, n)
    depth = 64
    f_lo = np.empty(depth, dtype=np.intp)
    f_n = np.empty(depth, dtype=np.intp)
    f_left = np.empty(depth)            # the left half's sum, once known
    f_stage = np.zeros(depth, dtype=np.intp)
    top = 0
    f_lo[0], f_n[0] = lo, n
    value = 0.0
    while top >= 0:
        m = f_n[top]
        if m <= 128:
            value = _pairwise_block(x, f_lo[top], m)
            top -= 1
        else:
            half = m // 2
            half -= half % 8
            if f_stage[top] == 0:                # descend into the left half
                f_stage[top] = 1
                f_lo[top + 1], f_n[top + 1], f_stage[top + 1] = f_lo[top], half, 0
                top += 1
                continue
            if f_stage[top] == 1:                # left done: descend into the right half
                f_left[top] = value
                f_stage[top] = 2
                f_lo[top + 1], f_n[top + 1] = f_lo[top] + half, m - half
                f_stage[top + 1] = 0
                top += 1
                continue
            value = f_left[top] + value          # both done
            top -= 1
    return value


@njit(cache=True)
def sum_by_owner(x: np.ndarray, owner: np.ndarray, out: np.ndarray, scratch: np.ndarray,
                 acc: np.ndarray) -> None:
    """``out[f]`` = the sum of ``x[n]`` [N] over the places with ``owner[n] == f`` (``owner``
    < 0: nobody's), in numpy's order: the bits of ``np.where(owner == f, x, 0).sum()`` for
    every ``f`` at once (adding a zero changes no sum). ``scratch`` [N] and ``acc``
    [len(out), 8] are work space."""
    N = x.shape[0]
    F = out.shape[0]
    if N > 128:                                  # numpy halves: one masked sum per owner
        for f in range(F):
            for n in range(N):
                scratch[n] = x[n] if owner[n] == f else 0.0
            out[f] = pairwise_sum(scratch, 0, N)
        return
    if N < 8:
        for f in range(F):
            out[f] = 0.0
        for n in range(N):
            if owner[n] >= 0:
                out[owner[n]] += x[n]
        return
    acc[:, :] = 0.0
    body = N - N % 8
    for n in range(body):
        if owner[n] >= 0:
            acc[owner[n], n % 8] += x[n]
    for f in range(F):
        out[f] = ((acc[f, 0] + acc[f, 1]) + (acc[f, 2] + acc[f, 3])) + (
            (acc[f, 4] + acc[f, 5]) + (acc[f, 6] + acc[f, 7]))
    for n in range(body, N):
        if owner[n] >= 0:
            out[owner[n]] += x[n]
