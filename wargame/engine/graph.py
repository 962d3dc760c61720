"""Graph propagation over the settlement network for all replicates at once.

Reachability (supply, connected-territory outcomes) is computed by flooding along directed
edges. Replicates are packed into bits (``numpy.packbits``) so one byte operation advances
eight replicates; a flood costs O(diameter x edges x R/8) byte operations, with no Python loop
over replicates.
"""

from __future__ import annotations

import numpy as np

from wargame.engine.compile import Compiled


class Flooder:
    """Precomputed edge orderings for :meth:`flood` and edge-wise reductions."""

    def __init__(self, c: Compiled) -> None:
        self.n = c.n_settlements
        self.src = c.src
        self.dst = c.dst
        self.e = len(c.src)
        self.by_dst = c.by_dst
        self.src_by_dst = c.src[c.by_dst]
        indeg = np.bincount(c.dst, minlength=self.n)
        outdeg = np.bincount(c.src, minlength=self.n)
        self.has_in = indeg > 0
        self.has_out = outdeg > 0
        last = max(self.e - 1, 0)
        self.dst_starts = np.minimum(c.dst_starts, last)
        self.src_starts = np.minimum(c.src_starts, last)

    def flood(self, start: np.ndarray, edge_ok: np.ndarray) -> np.ndarray:
        """Settlements reachable from ``start`` [R, N] along edges with ``edge_ok`` [R, E]."""
        R = start.shape[0]
        if self.e == 0 or R == 0:
            return start.copy()
        reach = np.packbits(start.T, axis=1)                     # [N, B]
        ok = np.packbits(edge_ok.T, axis=1)[self.by_dst]         # [E, B] sorted by dst
        mask = self.has_in[:, None]
        for _ in range(self.n):
            msg = reach[self.src_by_dst] & ok
            inc = np.bitwise_or.reduceat(msg, self.dst_starts, axis=0) * mask
            new = reach | inc
            if np.array_equal(new, reach):
                break
            reach = new
        return np.unpackbits(reach, axis=1, count=R).T.astype(bool)

    def sum_into(self, values: np.ndarray) -> np.ndarray:
        """Sum edge values [R, E] over each destination settlement -> [R, N]."""
        if self.e == 0:
            return np.zeros((values.shape[0], self.n))
        out = np.add.reduceat(values[:, self.by_dst], self.dst_starts, axis=1)
        return out * self.has_in

    def sum_from(self, values: np.ndarray) -> np.ndarray:
        """Sum edge values [R, E] over each source settlement -> [R, N]."""
        if self.e == 0:
            return np.zeros((values.shape[0], self.n))
        return np.add.reduceat(values, self.src_starts, axis=1) * self.has_out

    def max_from(self, values: np.ndarray) -> np.ndarray:
        """Maximum of edge values [R, E] over each source settlement -> [R, N] (0 if none)."""
        if self.e == 0:
            return np.zeros((values.shape[0], self.n))
        return np.maximum.reduceat(values, self.src_starts, axis=1) * self.has_out

    def any_into(self, values: np.ndarray) -> np.ndarray:
        """Whether any edge [R, E] into each settlement is true -> [R, N]."""
        if self.e == 0:
            return np.zeros((values.shape[0], self.n), dtype=bool)
        out = np.logical_or.reduceat(values[:, self.by_dst], self.dst_starts, axis=1)
        return out & self.has_in
