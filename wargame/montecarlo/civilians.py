"""What a batch's games cost civilians: the chunk statistics and their summary.

Per chunk (added to :func:`wargame.montecarlo.tally.chunk_stats`; ``N`` settlements, ``T`` turns):

======================  ============  ====================================================
name                    shape         meaning
======================  ============  ====================================================
civilians_sum           [2] float     civilians killed, displaced (all places), summed
civilians_bins          [K, 3]        their log-binned histogram (0 killed, 1 displaced)
civilians_min, _max     [2] float     their exact extremes
killed_sum              [N] float     civilians killed at each place, summed over games
displaced_sum           [N] float     civilians who fled each place, summed over games
civilians_by_turn_sum   [T+1, 2]      killed, displaced so far at each turn (``--per-turn``)
======================  ============  ====================================================

The summary gives the mean over games and the 5th and 95th percentiles (from the 1%-wide log
bins, as for casualties) of the totals, and the mean at each place.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import numpy as np

from wargame.jsontypes import JSONObject
from wargame.montecarlo.stats import LogBins, sparse_histogram, sparse_quantile

if TYPE_CHECKING:
    from wargame.engine.result import GameResult
    from wargame.montecarlo.summary import Labels
    from wargame.montecarlo.tally import Tally

WHAT = ("killed", "displaced")
"""The two counts, in the order of the arrays' last axis."""
ARRAYS = ("civilians_sum", "civilians_bins", "civilians_min", "civilians_max", "killed_sum",
          "displaced_sum")
"""What every chunk holds (a chunk stored by an older version lacks them)."""


def chunk_arrays(res: GameResult, bins: LogBins, per_turn: bool) -> dict[str, np.ndarray]:
    """The civilian statistics of a chunk of games (none if the games did not count them)."""
    if res.civilians_killed is None or res.displaced is None:
        return {}
    killed = np.asarray(res.civilians_killed, dtype=np.float64)
    fled = np.asarray(res.displaced, dtype=np.float64)
    totals = np.stack([killed.sum(axis=1), fled.sum(axis=1)])            # [2, R]
    out = {"civilians_sum": totals.sum(axis=1),
           "civilians_bins": sparse_histogram(totals, bins),
           "civilians_min": totals.min(axis=1) if totals.shape[1] else np.full(2, np.inf),
           "civilians_max": totals.max(axis=1) if totals.shape[1] else np.full(2, -np.inf),
           "killed_sum": killed.sum(axis=0), "displaced_sum": fled.sum(axis=0)}
    if (per_turn and res.civilians_killed_by_turn is not None
            and res.displaced_by_turn is not None):
        out["civilians_by_turn_sum"] = np.stack(
            [np.asarray(res.civilians_killed_by_turn).sum(axis=(1, 2)),
             np.asarray(res.displaced_by_turn).sum(axis=(1, 2))], axis=1)
    return out


@dataclass(frozen=True)
class CivilianTotal:
    """Civilians killed (or displaced) over all places in a game: the mean over games, the
    5th and 95th percentiles of games, and the extremes."""

    what: str
    mean: float
    p05: float
    p95: float
    min: float
    max: float


@dataclass(frozen=True)
class CivilianPlace:
    """The mean civilians killed at one place, and the mean who fled it, over the games."""

    settlement: str
    name: str
    killed: float
    displaced: float


@dataclass(frozen=True)
class CivilianTurn:
    """The mean civilians killed and displaced so far, at the close of a turn."""

    turn: int
    killed: float
    displaced: float


@dataclass(frozen=True)
class CivilianStats:
    """What the batch's games cost civilians."""

    totals: list[CivilianTotal]
    places: list[CivilianPlace]
    by_turn: list[CivilianTurn] | None

    def to_dict(self) -> JSONObject:
        """The ``civilians`` part of ``wargame batch --format json``."""
        out: JSONObject = {t.what: {k: v for k, v in asdict(t).items() if k != "what"}
                               for t in self.totals}
        out["places"] = [asdict(p) for p in self.places]
        if self.by_turn is not None:
            out["by_turn"] = [asdict(t) for t in self.by_turn]
        return out

    def total(self, what: str) -> CivilianTotal:
        """The ``killed`` or ``displaced`` total."""
        return self.totals[WHAT.index(what)]


def civilian_stats(tally: Tally, labels: Labels, bins: LogBins) -> CivilianStats | None:
    """The summary of the batch's civilian counts; none without games or counts (a store
    begun by an older version)."""
    n = tally.games
    if n == 0 or "civilians_bins" not in tally.bins or "killed_sum" not in tally.sums:
        return None
    means = tally.mean("civilians")
    totals = []
    for k, what in enumerate(WHAT):
        index, counts = tally.histogram("civilians", k)
        if int(counts.sum()) != n:            # some chunks did not count them
            return None
        lo = float(tally.mins["civilians_min"][k])
        hi = float(tally.maxs["civilians_max"][k])
        totals.append(CivilianTotal(what, means[k],
                                    sparse_quantile(index, counts, 0.05, bins, lo, hi),
                                    sparse_quantile(index, counts, 0.95, bins, lo, hi), lo, hi))
    killed, fled = tally.mean("killed"), tally.mean("displaced")
    places = [CivilianPlace(sid, labels.settlement_names[s], killed[s], fled[s])
              for s, sid in enumerate(labels.settlements)]
    by_turn = None
    if "civilians_by_turn_sum" in tally.sums:
        flat = tally.mean("civilians_by_turn")
        by_turn = [CivilianTurn(t, flat[2 * t], flat[2 * t + 1]) for t in range(len(flat) // 2)]
    return CivilianStats(totals, places, by_turn)
