"""Graph operations over the settlement network for all replicates at once.

Edge arrays are [R, E] (directed edges, both directions of every link, sorted by source);
settlement arrays are [R, N]. Sums over edges are matrix products with an incidence matrix
(dense for small graphs, sparse for large ones); reachability floods pack replicates into bits
(``numpy.packbits``) so one byte operation advances eight replicates. No Python loop runs over
replicates.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from wargame.engine.compile import Compiled

DENSE_LIMIT = 512


def take(x: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Columns ``idx`` of a [R, K] array (``np.take`` is several times faster than ``x[:, i]``)."""
    return np.take(x, idx, axis=1)


def lookup(table: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """``table[r, idx[r, k]]`` for a per-replicate table [R, F] and indices [R, K] (idx >= 0)."""
    R, F = table.shape
    return np.take(table.ravel(), np.arange(R)[:, None] * F + idx)


def _pack64(x: np.ndarray) -> np.ndarray:
    """Pack a [R, K] boolean array into [K, ceil(R / 64)] uint64 words (replicates as bits)."""
    packed = np.packbits(x.T, axis=1)                                  # [K, ceil(R / 8)]
    pad = (-packed.shape[1]) % 8
    if pad:
        packed = np.pad(packed, ((0, 0), (0, pad)))
    return np.ascontiguousarray(packed).view(np.uint64)


class Flooder:
    """Precomputed incidence structures for sums, maxima and floods over edges."""

    def __init__(self, c: Compiled) -> None:
        self.n = N = c.n_settlements
        self.src = c.src
        self.dst = c.dst
        self.e = E = len(c.src)
        self.by_dst = c.by_dst
        self.src_by_dst = c.src[c.by_dst]
        self.has_in = np.bincount(c.dst, minlength=N) > 0
        self.dst_starts = np.minimum(c.dst_starts, max(E - 1, 0))
        rows = np.arange(E)
        into = sp.csr_matrix((np.ones(E), (rows, c.dst)), shape=(E, N))
        out = sp.csr_matrix((np.ones(E), (rows, c.src)), shape=(E, N))
        self.dense = N <= DENSE_LIMIT
        self._into: Any = into.toarray() if self.dense else into.T.tocsr()
        self._out: Any = out.toarray() if self.dense else out.T.tocsr()
        self._into32 = self._into.astype(np.float32)
        self._out32 = self._out.astype(np.float32)
        # Padded lists of each settlement's outgoing edges (E = a column of zeros).
        deg = np.bincount(c.src, minlength=N)
        D = max(1, int(deg.max()) if E else 1)
        self.out_edges = np.full((N, D), E, dtype=np.intp)
        for k in range(E):
            s = c.src[k]
            self.out_edges[s, k - c.src_starts[s]] = k

    def _mul(self, v: np.ndarray, m32: Any, m64: Any) -> np.ndarray:
        m = m32 if v.dtype == np.float32 else m64
        if self.dense:
            return np.asarray(v @ m)
        return np.asarray((m @ v.T).T)

    def sum_into(self, v: np.ndarray) -> np.ndarray:
        """Sum edge values [R, E] over each destination -> [R, N] (dtype kept: float32/64)."""
        v = v if v.dtype in (np.float32, np.float64) else v.astype(np.float32)
        return self._mul(v, self._into32, self._into)

    def sum_from(self, v: np.ndarray) -> np.ndarray:
        """Sum edge values [R, E] over each source -> [R, N]."""
        v = v if v.dtype in (np.float32, np.float64) else v.astype(np.float32)
        return self._mul(v, self._out32, self._out)

    def max_from(self, v: np.ndarray) -> np.ndarray:
        """Maximum of non-negative edge values [R, E] over each source -> [R, N] (0 if none)."""
        padded = np.concatenate([v, np.zeros((v.shape[0], 1), v.dtype)], axis=1)
        best = np.take(padded, self.out_edges[:, 0], axis=1)
        for d in range(1, self.out_edges.shape[1]):
            np.maximum(best, np.take(padded, self.out_edges[:, d], axis=1), out=best)
        return best

    def flood(self, start: np.ndarray, edge_ok: np.ndarray) -> np.ndarray:
        """Settlements reachable from ``start`` [R, N] along edges with ``edge_ok`` [R, E]."""
        R = start.shape[0]
        if self.e == 0 or R == 0:
            return start.copy()
        reach = _pack64(start)                                   # [N, W] uint64 words
        ok = _pack64(edge_ok)[self.by_dst]                       # [E, W] sorted by dst
        mask = self.has_in[:, None]
        for _ in range(self.n):
            msg = reach[self.src_by_dst] & ok
            inc = np.bitwise_or.reduceat(msg, self.dst_starts, axis=0) * mask
            new = reach | inc
            if np.array_equal(new, reach):
                break
            reach = new
        return np.unpackbits(reach.view(np.uint8), axis=1, count=R).T.astype(bool)
