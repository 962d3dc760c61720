"""From summed chunk statistics to the numbers a batch reports (JSON-ready data).

* outcome probability: share of games where the outcome came true, with a 95% Wilson interval;
* time to an outcome: the 10th, 50th and 90th percentile of the first turn it held, among the
  games where it came true (inverted empirical CDF, exact), with the turn's date;
* final control: share of games each faction (or nobody) held each settlement at the end;
* strength and casualties per faction: the exact mean and a 90% range of games (5th to 95th
  percentile) from 1%-wide log bins (each reported value within 0.5% of the exact percentile,
  clamped to the exact minimum and maximum).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from wargame.batch.spec import BatchSpec
from wargame.batch.stats import binned_quantile, count_quantile, wilson
from wargame.batch.tally import BINS, HIST_FIELDS, Tally

NOBODY = "none"


@dataclass(frozen=True)
class Labels:
    """Names the tables need, so a store can be shown without the scenario file."""

    factions: list[str]
    faction_names: list[str]
    settlements: list[str]
    settlement_names: list[str]
    outcomes: list[str]
    outcome_names: list[str]
    dates: list[str]  # ISO date at the end of each turn 0..T

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (stored in the store's metadata)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Labels:
        """Read back :meth:`to_dict`."""
        return cls(**d)

    def date(self, turn: int | None) -> str | None:
        """The date at the end of ``turn`` (``None`` for no turn)."""
        if turn is None:
            return None
        return self.dates[turn] if 0 <= turn < len(self.dates) else None


def _num(x: float) -> float | None:
    """JSON has no NaN: report an undefined number as null."""
    return None if math.isnan(x) else x


def outcome_rows(tally: Tally, labels: Labels) -> list[dict[str, Any]]:
    """Probability, interval and time to each outcome."""
    n = tally.games
    rows = []
    for o, oid in enumerate(labels.outcomes):
        k = int(tally.ints["outcome_count"][o]) if n else 0
        ci = wilson(k, n)
        hist = tally.ints["outcome_turn"][o] if n else None
        turns = {name: (count_quantile(hist, q) if hist is not None else None)
                 for name, q in (("p10", 0.1), ("median", 0.5), ("p90", 0.9))}
        rows.append({
            "id": oid, "name": labels.outcome_names[o], "games": n, "count": k,
            "probability": _num(ci.estimate), "ci95": [ci.low, ci.high],
            "turn": turns, "date": {key: labels.date(t) for key, t in turns.items()},
        })
    return rows


def control_rows(tally: Tally, labels: Labels) -> list[dict[str, Any]]:
    """Share of games each faction (or nobody) held each settlement at the end."""
    n = tally.games
    who = [*labels.factions, NOBODY]
    rows = []
    for s, sid in enumerate(labels.settlements):
        for f, fid in enumerate(who):
            k = int(tally.ints["control"][s, f]) if n else 0
            rows.append({"settlement": sid, "faction": fid, "count": k,
                         "probability": _num(k / n if n else math.nan)})
    return rows


def faction_rows(tally: Tally, labels: Labels) -> list[dict[str, Any]]:
    """Mean and 90% range of final strength and casualties, and mean reinforcements."""
    rows = []
    means = {name: tally.mean(name) for name in ("initial", "strength", "casualties",
                                                 "reinforcements")}
    for f, fid in enumerate(labels.factions):
        row: dict[str, Any] = {"id": fid, "name": labels.faction_names[f],
                               "initial_mean": _num(means["initial"][f]),
                               "reinforcements_mean": _num(means["reinforcements"][f])}
        for name in HIST_FIELDS:
            hist = tally.ints[f"{name}_hist"][f]
            lo = float(tally.mins[f"{name}_min"][f])
            hi = float(tally.maxs[f"{name}_max"][f])
            row[name] = {"mean": _num(means[name][f]),
                         "p05": _num(binned_quantile(hist, 0.05, BINS, lo, hi)),
                         "p95": _num(binned_quantile(hist, 0.95, BINS, lo, hi))}
        rows.append(row)
    return rows


def per_turn_rows(tally: Tally, labels: Labels) -> dict[str, list[dict[str, Any]]]:
    """Probability of each outcome holding, and of each control, at every turn."""
    n = tally.games
    who = [*labels.factions, NOBODY]
    cbt = tally.ints["control_by_turn"]
    obt = tally.ints["outcome_by_turn"]
    control = [{"turn": t, "date": labels.date(t), "settlement": sid, "faction": fid,
                "probability": int(cbt[t, s, f]) / n}
               for t in range(cbt.shape[0]) for s, sid in enumerate(labels.settlements)
               for f, fid in enumerate(who)]
    outcomes = [{"turn": t, "date": labels.date(t), "outcome": oid,
                 "probability": int(obt[t, o]) / n}
                for t in range(obt.shape[0]) for o, oid in enumerate(labels.outcomes)]
    return {"control": control, "outcomes": outcomes}


def batch_summary(spec: BatchSpec, tally: Tally, labels: Labels) -> dict[str, Any]:
    """Everything ``wargame batch`` reports, with the spec, as one JSON-ready object."""
    meta = spec.to_dict()
    meta.pop("points", None)
    meta.pop("design", None)
    out: dict[str, Any] = {
        "meta": {**meta, "games": tally.games, "chunks_used": tally.chunks},
        "outcomes": outcome_rows(tally, labels),
        "control": control_rows(tally, labels) if tally.games else [],
        "factions": faction_rows(tally, labels) if tally.games else [],
    }
    if spec.per_turn and tally.games and tally.has("control_by_turn"):
        out["per_turn"] = per_turn_rows(tally, labels)
    return out


def precise_enough(tally: Tally, precision: float) -> bool:
    """Whether every outcome's 95% Wilson half-width is below ``precision``."""
    n = tally.games
    if n == 0:
        return False
    counts = tally.ints["outcome_count"]
    return all(wilson(int(k), n).half_width < precision for k in counts)
