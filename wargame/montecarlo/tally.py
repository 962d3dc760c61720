"""Sufficient statistics of a chunk of games, and their exact, order-independent sum.

A chunk of ``R`` games (a :class:`~wargame.engine.result.GameResult`) is reduced to a few
fixed-size arrays (:func:`chunk_stats`) whose size does not depend on ``R``; every summary the
batch reports (probabilities, intervals, turn and strength quantiles) is computed from their
sum. Counts are integers and add exactly; float totals are added as exact fractions
(:class:`fractions.Fraction` of each chunk's float64 sum), so the combined result is the same
bit for bit whatever order the chunks are added in.

Arrays of one chunk (``O`` outcomes, ``N`` settlements, ``F`` factions, ``T`` turns, ``K``
occupied strength bins, see :class:`~wargame.montecarlo.stats.LogBins`):

===================  ==============  =======================================================
name                 shape           meaning
===================  ==============  =======================================================
games                ()              games in the chunk
outcome_count        [O]             games where the outcome came true
outcome_turn         [O, T+1]        games where it first held at turn t
control              [N, F+1]        final controller (last column: nobody)
<q>_sum              [F] float       sum over games, q in initial, strength, casualties,
                                     reinforcements
<q>_bins             [K, 3]          log-binned histogram, q in strength, casualties: one
                                     row (faction, bin, games) per occupied bin, sorted
<q>_min, <q>_max     [F] float       exact extremes, q in strength, casualties
garrison_sum         [N] float       final fighters at each place (its holder's), summed
garrison_bins        [K, 3]          their log-binned histogram (place, bin, games)
garrison_min, _max   [N] float       their exact extremes
civilians_*, ...     see           what the games cost civilians
                     wargame.montecarlo.civilians
control_by_turn      [T+1, N, F+1]   controller at every turn (``--per-turn`` only)
outcome_by_turn      [T+1, O]        outcome holds at turn t (``--per-turn`` only)
pair                 [O, 4]          ``compare`` only: both, A only, B only, neither
pair_turn_a          [O, Ta+1]       ``compare`` only: games where it first held at turn t
                                     in A (and ``pair_turn_b`` in B)
pair_shift           [O, Ta+Tb+1]    ``compare`` only, games where it came true in both:
                                     B's turn minus A's, offset by ``Ta``
===================  ==============  =======================================================
"""

from __future__ import annotations

import io
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

from wargame.montecarlo import civilians
from wargame.montecarlo.stats import LogBins, add_sparse, sparse_histogram

if TYPE_CHECKING:
    from wargame.engine.result import GameResult

Arrays = dict[str, np.ndarray]

BINS = LogBins()
SUM_FIELDS = ("initial", "strength", "casualties", "reinforcements")
HIST_FIELDS = ("strength", "casualties")


def achieved(res: GameResult) -> np.ndarray:
    """``[R, O]`` bool: whether each outcome came true in each game.

    The engine has already applied the outcome's ``when`` and ``by_turn`` to ``outcome_turn``:
    a ``when: ever`` outcome came true at the first turn it held (by ``by_turn``), a
    ``when: final`` one at the last turn if it held then; -1 means it did not come true.
    """
    return np.asarray(res.outcome_turn) >= 0


def chunk_stats(res: GameResult, per_turn: bool = False) -> Arrays:
    """Reduce a chunk of games to its sufficient statistics (see the module docstring)."""
    r = res.replicates
    t = res.turns
    n_f = len(res.factions)
    done = achieved(res)
    out: Arrays = {"games": np.array(r, dtype=np.int64)}
    out["outcome_count"] = done.sum(axis=0).astype(np.int64)
    turn = np.asarray(res.outcome_turn, dtype=np.int64)
    hist = np.zeros((len(res.outcomes), t + 1), dtype=np.int64)
    for o in range(len(res.outcomes)):
        # Time to the outcome among the games where it came true.
        hist[o] = np.bincount(np.clip(turn[done[:, o], o], 0, t), minlength=t + 1)
    out["outcome_turn"] = hist
    out["control"] = _control_counts(np.asarray(res.control), n_f)
    values = {"initial": res.initial_strength, "strength": res.strength,
              "casualties": res.casualties, "reinforcements": res.reinforcements}
    for name in SUM_FIELDS:
        out[f"{name}_sum"] = np.asarray(values[name], dtype=np.float64).sum(axis=0)
    for name in HIST_FIELDS:
        v = np.asarray(values[name], dtype=np.float64)
        out[f"{name}_bins"] = sparse_histogram(v.T, BINS)
        out[f"{name}_min"] = v.min(axis=0) if r else np.full(n_f, np.inf)
        out[f"{name}_max"] = v.max(axis=0) if r else np.full(n_f, -np.inf)
    if res.garrison is not None:
        g = np.asarray(res.garrison, dtype=np.float64)
        out["garrison_sum"] = g.sum(axis=0)
        out["garrison_bins"] = sparse_histogram(g.T, BINS)
        out["garrison_min"] = g.min(axis=0) if r else np.full(g.shape[1], np.inf)
        out["garrison_max"] = g.max(axis=0) if r else np.full(g.shape[1], -np.inf)
    out.update(civilians.chunk_arrays(res, BINS, per_turn))
    if per_turn:
        if res.control_by_turn is None or res.outcome_by_turn is None:
            raise ValueError("per-turn statistics need simulate(..., record_turns=True)")
        cbt = np.asarray(res.control_by_turn)
        out["control_by_turn"] = np.stack([_control_counts(cbt[k], n_f)
                                           for k in range(cbt.shape[0])])
        out["outcome_by_turn"] = np.asarray(res.outcome_by_turn, dtype=bool).sum(
            axis=1).astype(np.int64)
    return out


def pair_stats(a: GameResult, b: GameResult, a_index: list[int], b_index: list[int]) -> Arrays:
    """Paired 2x2 counts per shared outcome (both, A only, B only, neither), the turn each
    came true in A and in B, and the paired change of that turn (see the module docstring)."""
    da = achieved(a)[:, a_index]
    db = achieved(b)[:, b_index]
    table = np.stack([(da & db).sum(0), (da & ~db).sum(0), (~da & db).sum(0),
                      (~da & ~db).sum(0)], axis=1).astype(np.int64)
    ta = np.asarray(a.outcome_turn, dtype=np.int64)[:, a_index]
    tb = np.asarray(b.outcome_turn, dtype=np.int64)[:, b_index]
    n_a, n_b = a.turns, b.turns
    k = len(a_index)
    turn_a = np.zeros((k, n_a + 1), dtype=np.int64)
    turn_b = np.zeros((k, n_b + 1), dtype=np.int64)
    shift = np.zeros((k, n_a + n_b + 1), dtype=np.int64)
    for o in range(k):
        turn_a[o] = np.bincount(np.clip(ta[da[:, o], o], 0, n_a), minlength=n_a + 1)
        turn_b[o] = np.bincount(np.clip(tb[db[:, o], o], 0, n_b), minlength=n_b + 1)
        both = da[:, o] & db[:, o]
        shift[o] = np.bincount(np.clip(tb[both, o], 0, n_b) - np.clip(ta[both, o], 0, n_a)
                               + n_a, minlength=n_a + n_b + 1)
    return {"games": np.array(a.replicates, dtype=np.int64), "pair": table,
            "pair_turn_a": turn_a, "pair_turn_b": turn_b, "pair_shift": shift}


def _control_counts(control: np.ndarray, n_f: int) -> np.ndarray:
    """``[R, N]`` controller indices (-1 nobody) -> ``[N, F+1]`` counts."""
    idx = np.where(control < 0, n_f, control).astype(np.int64)
    n_s = idx.shape[1]
    flat = idx + (n_f + 1) * np.arange(n_s)[None, :]
    return np.bincount(flat.ravel(), minlength=n_s * (n_f + 1)).reshape(n_s, n_f + 1)


def to_bytes(arrays: Arrays) -> bytes:
    """Serialise a chunk's arrays (compressed ``.npz``, no pickles)."""
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)  # type: ignore[arg-type]
    return buf.getvalue()


def from_bytes(blob: bytes) -> Arrays:
    """Read back :func:`to_bytes`."""
    with np.load(io.BytesIO(blob), allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


class Tally:
    """The running total of chunk statistics: exact and independent of the order of adding."""

    def __init__(self) -> None:
        self.chunks = 0
        self.ints: Arrays = {}
        self.sums: dict[str, list[Fraction]] = {}
        self.mins: Arrays = {}
        self.maxs: Arrays = {}
        self.bins: Arrays = {}

    @property
    def games(self) -> int:
        """Games counted so far."""
        return int(self.ints["games"]) if "games" in self.ints else 0

    def add(self, arrays: Arrays) -> None:
        """Add one chunk's statistics."""
        self.chunks += 1
        for name, arr in arrays.items():
            if name.endswith("_sum"):
                fr = [Fraction(float(x)) for x in np.asarray(arr).ravel()]
                old = self.sums.get(name)
                self.sums[name] = fr if old is None else [p + q for p, q in zip(old, fr,
                                                                               strict=True)]
            elif name.endswith("_bins"):
                a = np.asarray(arr, dtype=np.int64).reshape(-1, 3)
                self.bins[name] = a if name not in self.bins else add_sparse(
                    self.bins[name], a, BINS)
            elif name.endswith("_min"):
                self.mins[name] = arr if name not in self.mins else np.minimum(
                    self.mins[name], arr)
            elif name.endswith("_max"):
                self.maxs[name] = arr if name not in self.maxs else np.maximum(
                    self.maxs[name], arr)
            else:
                a = np.asarray(arr, dtype=np.int64)
                self.ints[name] = a.copy() if name not in self.ints else self.ints[name] + a

    def mean(self, name: str) -> list[float]:
        """Exact mean per faction of a summed quantity, rounded once to float."""
        n = self.games
        if n == 0:
            return [float("nan")] * len(self.sums[f"{name}_sum"])
        return [float(s / n) for s in self.sums[f"{name}_sum"]]

    def histogram(self, name: str, faction: int) -> tuple[np.ndarray, np.ndarray]:
        """The occupied bins (ascending) of ``name`` for one faction, and their games."""
        rows = self.bins.get(f"{name}_bins", np.zeros((0, 3), dtype=np.int64))
        mine = rows[rows[:, 0] == faction]
        return mine[:, 1], mine[:, 2]

    def has(self, name: str) -> bool:
        """Whether the chunks carried ``name``."""
        return name in self.ints
