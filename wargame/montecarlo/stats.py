"""Interval estimates and quantiles computed from counts (the batch's sufficient statistics).

Everything here works on counts, never on per-game records, so a batch of any size is
summarised in memory bounded by the chunk size.

* :func:`wilson` — the Wilson score interval for a binomial proportion (Wilson 1927). It keeps
  close to nominal coverage for small counts and for proportions near 0 or 1, where the
  textbook Wald interval fails, and it never leaves ``[0, 1]``.
* :func:`paired_difference` — Newcombe's (1998, method 10) square-and-add interval for the
  difference of two proportions measured on the same games (paired, as with common random
  numbers), built from the two Wilson intervals and the (continuity-corrected) phi
  correlation of the paired 2x2 table.
* :func:`count_quantile` — quantiles of an integer quantity (a turn) from its histogram, by the
  inverted empirical CDF (the smallest value whose cumulative share reaches ``q``; numpy's
  ``method="inverted_cdf"``). Exact: the histogram has one bin per turn.
* :class:`LogBins` and :func:`sparse_quantile` — quantiles of a non-negative real quantity
  (strength, casualties) from a fixed log-spaced histogram with a stated relative resolution,
  over every finite value (kept sparse: only the bins that hold a game).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass

import numpy as np

Z95 = 1.959963984540054  # the 97.5th percentile of the standard normal


@dataclass(frozen=True)
class Interval:
    """A point estimate with a two-sided interval."""

    estimate: float
    low: float
    high: float

    @property
    def half_width(self) -> float:
        """Half the interval's width: the precision ``--precision`` compares with."""
        return (self.high - self.low) / 2


def wilson(successes: int, n: int, z: float = Z95) -> Interval:
    """Wilson score interval for ``successes`` out of ``n`` (95% by default).

    With no trials the estimate is undefined: returns ``nan`` with the interval ``[0, 1]``.
    """
    if n < 0 or successes < 0 or successes > n:
        raise ValueError(f"need 0 <= successes <= n (got {successes} of {n})")
    if n == 0:
        return Interval(math.nan, 0.0, 1.0)
    p = successes / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    # Pin the ends exactly at 0 and 1 when nothing (or everything) happened.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return Interval(p, low, high)


def paired_difference(both: int, first_only: int, second_only: int, neither: int,
                      z: float = Z95) -> Interval:
    """Newcombe's interval for ``p_second - p_first`` on paired binary data.

    The 2x2 table counts games where the event happened in both variants, in the first only,
    in the second only, and in neither. ``p_first = (both + first_only) / n`` and
    ``p_second = (both + second_only) / n``.
    """
    n = both + first_only + second_only + neither
    if n == 0:
        return Interval(math.nan, -1.0, 1.0)
    x1 = both + second_only  # the second variant ("B") first, so the estimate is B - A
    x2 = both + first_only
    p1, p2 = x1 / n, x2 / n
    w1, w2 = wilson(x1, n, z), wilson(x2, n, z)
    # Rows: B yes / B no; columns: A yes / A no.
    a, b, c, d = both, second_only, first_only, neither
    r1, r2, c1, c2 = a + b, c + d, a + c, b + d
    phi = 0.0
    if min(r1, r2, c1, c2) > 0:
        det = a * d - b * c
        # Newcombe's continuity correction of phi.
        if det > n / 2:
            phi = (det - n / 2) / math.sqrt(r1 * r2 * c1 * c2)
        elif det < 0:
            phi = det / math.sqrt(r1 * r2 * c1 * c2)
    est = p1 - p2
    dl1, du1 = p1 - w1.low, w1.high - p1
    dl2, du2 = p2 - w2.low, w2.high - p2
    low = est - math.sqrt(max(0.0, dl1 * dl1 + du2 * du2 - 2 * phi * dl1 * du2))
    high = est + math.sqrt(max(0.0, du1 * du1 + dl2 * dl2 - 2 * phi * du1 * dl2))
    return Interval(est, max(-1.0, low), min(1.0, high))


def count_quantile(hist: np.ndarray, q: float) -> int | None:
    """The ``q`` quantile of an integer variable with ``hist[k]`` observations of value ``k``.

    Inverted empirical CDF: the smallest ``k`` with ``cumsum(hist)[k] >= q * total``.
    ``None`` when the histogram is empty.
    """
    total = int(hist.sum())
    if total == 0:
        return None
    cum = np.cumsum(hist)
    # q * total may be fractional; the first k with cum >= q * total (at least one game).
    target = max(1, math.ceil(q * total - 1e-9))
    return int(np.searchsorted(cum, target, side="left"))


@dataclass(frozen=True)
class LogBins:
    """Fixed histogram bins for a non-negative quantity, the same for every chunk.

    Bin 0 holds exact zeros (an annihilated faction, no casualties); bin 1 holds ``(0, 1)``;
    then bins of equal width in ``log`` from 1 up to ``top``, each ``ratio`` times the last
    (1% by default, so the geometric centre is within 0.5% of any value in the bin). ``top``
    is the largest float64, so every finite value has a bin of that width: a strength of
    2e10 is reported as such, not as a cap. There are some 71,000 bins; a chunk keeps only
    those that hold a game (:func:`sparse_histogram`).
    """

    ratio: float = 1.01
    top: float = sys.float_info.max

    @property
    def n_log(self) -> int:
        """Number of log-spaced bins between 1 and ``top``."""
        return math.ceil(math.log(self.top) / math.log(self.ratio))

    @property
    def size(self) -> int:
        """Total number of bins."""
        return self.n_log + 3

    def index(self, values: np.ndarray) -> np.ndarray:
        """The bin of each value (negative values count as zero)."""
        v = np.asarray(values, dtype=np.float64)
        out = np.empty(v.shape, dtype=np.int64)
        zero = v <= 0
        small = (v > 0) & (v < 1)
        big = v >= 1
        out[zero] = 0
        out[small] = 1
        k = np.floor(np.log(np.minimum(np.maximum(v[big], 1.0), self.top))
                     / math.log(self.ratio)).astype(np.int64)
        out[big] = 2 + np.minimum(k, self.n_log)
        return out

    def histogram(self, values: np.ndarray) -> np.ndarray:
        """Dense counts per bin along the last axis: shape ``values.shape[:-1] + (size,)``
        (for tests and small inputs; chunks use :func:`sparse_histogram`)."""
        v = np.asarray(values, dtype=np.float64)
        rows = v.reshape(-1, v.shape[-1])
        out = np.zeros((rows.shape[0], self.size), dtype=np.int64)
        for i, row in enumerate(rows):
            out[i] = np.bincount(self.index(row), minlength=self.size)
        return out.reshape((*v.shape[:-1], self.size))

    def centre(self, k: int) -> float:
        """The value reported for bin ``k``: 0, 0.5, the geometric centre, or ``top``."""
        if k == 0:
            return 0.0
        if k == 1:
            return 0.5
        j = k - 2
        if j >= self.n_log:
            return self.top
        try:
            return min(float(self.ratio ** (j + 0.5)), self.top)
        except OverflowError:  # the half-bin above the largest float
            return self.top


def sparse_histogram(values: np.ndarray, bins: LogBins) -> np.ndarray:
    """The occupied bins of each row of ``values`` ``[F, R]`` as rows ``(row, bin, count)``,
    sorted by row then bin, every count at least 1: shape ``[K, 3]`` int64."""
    v = np.asarray(values, dtype=np.float64)
    if v.size == 0:
        return np.zeros((0, 3), dtype=np.int64)
    idx = bins.index(v)
    keys = (np.arange(v.shape[0], dtype=np.int64)[:, None] * bins.size + idx).ravel()
    return merge_sparse(keys, np.ones(keys.shape, dtype=np.int64), bins)


def merge_sparse(keys: np.ndarray, counts: np.ndarray, bins: LogBins) -> np.ndarray:
    """Rows ``(row, bin, count)`` of the summed ``counts`` at each ``row * size + bin`` key."""
    uniq, inverse = np.unique(keys, return_inverse=True)
    total = np.zeros(uniq.shape, dtype=np.int64)
    np.add.at(total, inverse.ravel(), counts)
    return np.stack([uniq // bins.size, uniq % bins.size, total], axis=1).astype(np.int64)


def add_sparse(a: np.ndarray, b: np.ndarray, bins: LogBins) -> np.ndarray:
    """The sum of two sparse histograms (exact: integer counts)."""
    both = np.concatenate([a, b]).astype(np.int64)
    return merge_sparse(both[:, 0] * bins.size + both[:, 1], both[:, 2], bins)


def binned_quantile(hist: np.ndarray, q: float, bins: LogBins, lo: float, hi: float) -> float:
    """The ``q`` quantile from a dense :class:`LogBins` histogram, clamped to the exact
    ``[lo, hi]`` (see :func:`sparse_quantile`)."""
    occupied = np.flatnonzero(hist)
    return sparse_quantile(occupied, np.asarray(hist)[occupied], q, bins, lo, hi)


def sparse_quantile(index: np.ndarray, counts: np.ndarray, q: float, bins: LogBins, lo: float,
                    hi: float) -> float:
    """The ``q`` quantile of the games counted in bins ``index`` (ascending), clamped to the
    exact ``[lo, hi]``.

    The bin is found by the inverted CDF, as in :func:`count_quantile`; the value is the bin's
    centre, so the relative error is at most ``(sqrt(ratio) - 1)`` (0.5% for 1% bins). Clamping
    to the exact minimum and maximum makes a constant quantity come out exact.
    """
    k = count_quantile(np.asarray(counts, dtype=np.int64), q)
    if k is None:
        return math.nan
    return min(max(bins.centre(int(index[k])), lo), hi)
