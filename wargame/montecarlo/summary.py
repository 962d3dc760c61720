"""From summed chunk statistics to the numbers a batch reports, as typed records.

* outcome probability: share of games where the outcome came true, with a 95% Wilson interval;
* time to an outcome: the 10th, 50th and 90th percentile of the first turn it held, among the
  games where it came true (inverted empirical CDF, exact), with the turn's end date;
* final control: share of games each faction (or nobody) held each settlement at the end;
* strength and casualties per faction: the exact mean and a 90% range of games (5th to 95th
  percentile) from 1%-wide log bins (each reported value within 0.5% of the exact percentile,
  clamped to the exact minimum and maximum).

Dates follow :mod:`wargame.scenario.calendar`: a turn has a start and an end date, and what is
reported at a turn is the state at the close of its end date.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass
from typing import Generic, Literal, TypeVar, overload

from wargame.jsontypes import JSONObject, RawMapping
from wargame.montecarlo.stats import count_quantile, sparse_quantile, wilson
from wargame.montecarlo.tally import BINS, HIST_FIELDS, Tally

NOBODY = "none"
QUANTILES = (("p10", 0.1), ("median", 0.5), ("p90", 0.9))


@dataclass(frozen=True)
class Labels:
    """Names and dates the tables need, so a store can be shown without the scenario file."""

    factions: list[str]
    faction_names: list[str]
    settlements: list[str]
    settlement_names: list[str]
    outcomes: list[str]
    outcome_names: list[str]
    start_dates: list[str | None]  # ISO first day of each turn 0..T (None for turn 0)
    end_dates: list[str]           # ISO last day of each turn 0..T

    def to_dict(self) -> JSONObject:
        """JSON-ready form (stored in the store's metadata)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: RawMapping) -> Labels:
        """Read back :meth:`to_dict`, and the labels of stores made before turns had a start
        and an end date (their ``dates`` were the day after each turn); ``TypeError`` or
        ``ValueError`` if ``d`` is not labels."""
        if "dates" in d and "end_dates" not in d:
            after = [dt.date.fromisoformat(x) for x in _texts(d, "dates")]
            end_dates = [(x - dt.timedelta(days=1)).isoformat() for x in after]
            start_dates: list[str | None] = [None, *(x.isoformat() for x in after[:-1])]
        else:
            end_dates = _texts(d, "end_dates")
            start_dates = _texts(d, "start_dates", nullable=True)
        return cls(_texts(d, "factions"), _texts(d, "faction_names"), _texts(d, "settlements"),
                   _texts(d, "settlement_names"), _texts(d, "outcomes"),
                   _texts(d, "outcome_names"), start_dates, end_dates)

    @property
    def turns(self) -> int:
        """The last turn ``T``."""
        return len(self.end_dates) - 1

    def start_date(self, turn: int | None) -> dt.date | None:
        """The first day of ``turn`` (``None`` for turn 0, no turn, or a turn out of range)."""
        if turn is None or not 0 <= turn < len(self.start_dates):
            return None
        iso = self.start_dates[turn]
        return None if iso is None else dt.date.fromisoformat(iso)

    def end_date(self, turn: int | None) -> dt.date | None:
        """The last day of ``turn`` (``None`` for no turn or a turn out of range)."""
        if turn is None or not 0 <= turn < len(self.end_dates):
            return None
        return dt.date.fromisoformat(self.end_dates[turn])


@overload
def _texts(d: RawMapping, key: str) -> list[str]: ...


@overload
def _texts(d: RawMapping, key: str, nullable: Literal[True]) -> list[str | None]: ...


def _texts(d: RawMapping, key: str, nullable: bool = False) -> list[str] | list[str | None]:
    """``d[key]``, a list of text (and nulls, if ``nullable``), or ``TypeError``."""
    value = d.get(key)
    if not isinstance(value, list) or not all(
            isinstance(x, str) or (nullable and x is None) for x in value):
        raise TypeError(f"{key} is not a list of text")
    return [x if x is None else str(x) for x in value]


def _num(x: float) -> float | None:
    """JSON has no NaN: an undefined number is ``None``."""
    return None if math.isnan(x) else x


def _iso(d: dt.date | None) -> str | None:
    return None if d is None else d.isoformat()


Q = TypeVar("Q", int, dt.date)


@dataclass(frozen=True)
class Quantiles(Generic[Q]):
    """The 10th, 50th and 90th percentile of a turn, or of its end date (``None``: no games)."""

    p10: Q | None
    median: Q | None
    p90: Q | None

    def to_dict(self) -> JSONObject:
        """JSON-ready (dates as ISO text)."""
        return {k: (v.isoformat() if isinstance(v, dt.date) else v)
                for k, v in asdict(self).items()}


@dataclass(frozen=True)
class OutcomeStat:
    """One outcome over a batch: how often it came true, and when."""

    id: str
    name: str
    games: int
    count: int
    probability: float | None
    ci95: tuple[float, float]
    turn: Quantiles[int]           # of the first turn it held, among the games where it
    end_date: Quantiles[dt.date]   # came true, and the end dates of those turns

    def to_dict(self) -> JSONObject:
        """The ``outcomes`` row of ``wargame batch --format json``."""
        return {"id": self.id, "name": self.name, "games": self.games, "count": self.count,
                "probability": self.probability, "ci95": list(self.ci95),
                "turn": self.turn.to_dict(), "end_date": self.end_date.to_dict()}


@dataclass(frozen=True)
class ControlShare:
    """Share of games a faction (or ``none``) held a settlement at the end."""

    settlement: str
    faction: str
    count: int
    probability: float | None


@dataclass(frozen=True)
class Spread:
    """Mean and 90% range (5th to 95th percentile of games) of a quantity, and its extremes.

    The mean can lie outside the 90% range when fewer than 5% of the games are far from the
    rest (a faction that loses men in only a few games); ``min`` and ``max`` bound it.
    """

    mean: float | None
    p05: float | None
    p95: float | None
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class FactionStat:
    """A faction's strength, casualties and reinforcements over a batch."""

    id: str
    name: str
    initial_mean: float | None
    reinforcements_mean: float | None
    strength: Spread
    casualties: Spread

    def to_dict(self) -> JSONObject:
        """The ``factions`` row of ``wargame batch --format json``."""
        return asdict(self)


@dataclass(frozen=True)
class TurnOutcome:
    """Share of games an outcome holds at the close of a turn (``--per-turn``)."""

    turn: int
    start_date: dt.date | None
    end_date: dt.date
    outcome: str
    count: int
    probability: float


@dataclass(frozen=True)
class TurnControl:
    """Share of games a faction (or ``none``) holds a settlement at the close of a turn."""

    turn: int
    start_date: dt.date | None
    end_date: dt.date
    settlement: str
    faction: str
    count: int
    probability: float


@dataclass(frozen=True)
class PerTurn:
    """The ``--per-turn`` statistics: outcomes and control at every turn 0..T."""

    outcomes: list[TurnOutcome]
    control: list[TurnControl]

    def to_dict(self) -> JSONObject:
        """JSON-ready (dates as ISO text)."""
        def row(r: TurnOutcome | TurnControl) -> JSONObject:
            d: JSONObject = asdict(r)
            d["start_date"], d["end_date"] = _iso(r.start_date), _iso(r.end_date)
            return d
        return {"outcomes": [row(r) for r in self.outcomes],
                "control": [row(r) for r in self.control]}


def outcome_stats(tally: Tally, labels: Labels) -> list[OutcomeStat]:
    """Probability, interval and time to each outcome."""
    n = tally.games
    rows = []
    for o, oid in enumerate(labels.outcomes):
        k = int(tally.ints["outcome_count"][o]) if n else 0
        ci = wilson(k, n)
        hist = tally.ints["outcome_turn"][o] if n else None
        turns = [count_quantile(hist, q) if hist is not None else None for _, q in QUANTILES]
        rows.append(OutcomeStat(oid, labels.outcome_names[o], n, k, _num(ci.estimate),
                                (ci.low, ci.high), Quantiles(*turns),
                                Quantiles(*(labels.end_date(t) for t in turns))))
    return rows


def control_shares(tally: Tally, labels: Labels) -> list[ControlShare]:
    """Share of games each faction (or nobody) held each settlement at the end."""
    n = tally.games
    who = [*labels.factions, NOBODY]
    rows = []
    for s, sid in enumerate(labels.settlements):
        for f, fid in enumerate(who):
            k = int(tally.ints["control"][s, f]) if n else 0
            rows.append(ControlShare(sid, fid, k, _num(k / n if n else math.nan)))
    return rows


def faction_stats(tally: Tally, labels: Labels) -> list[FactionStat]:
    """Mean and 90% range of final strength and casualties, and mean reinforcements."""
    rows = []
    means = {name: tally.mean(name) for name in ("initial", "strength", "casualties",
                                                 "reinforcements")}
    for f, fid in enumerate(labels.factions):
        spread = {}
        for name in HIST_FIELDS:
            index, counts = tally.histogram(name, f)
            lo = float(tally.mins[f"{name}_min"][f])
            hi = float(tally.maxs[f"{name}_max"][f])
            finite = tally.games > 0
            spread[name] = Spread(_num(means[name][f]),
                                  _num(sparse_quantile(index, counts, 0.05, BINS, lo, hi)),
                                  _num(sparse_quantile(index, counts, 0.95, BINS, lo, hi)),
                                  lo if finite else None, hi if finite else None)
        rows.append(FactionStat(fid, labels.faction_names[f], _num(means["initial"][f]),
                                _num(means["reinforcements"][f]), spread["strength"],
                                spread["casualties"]))
    return rows


@dataclass(frozen=True)
class GarrisonStat:
    """The fighters at one place at the end of the games (its holder's, whoever that is):
    the mean, the median and the 10th and 90th percentiles of games."""

    settlement: str
    name: str
    mean: float | None
    p10: float | None
    p90: float | None
    median: float | None


def garrison_stats(tally: Tally, labels: Labels) -> list[GarrisonStat]:
    """Each place's final garrison over the batch; none when some of the chunks did not
    count it (a store begun by an older version)."""
    n = tally.games
    if n == 0 or "garrison_bins" not in tally.bins:
        return []
    mean = tally.mean("garrison")
    out = []
    for s, sid in enumerate(labels.settlements):
        index, counts = tally.histogram("garrison", s)
        if int(counts.sum()) != n:           # some chunks did not count it
            return []
        lo = float(tally.mins["garrison_min"][s])
        hi = float(tally.maxs["garrison_max"][s])
        out.append(GarrisonStat(sid, labels.settlement_names[s], _num(mean[s]),
                                _num(sparse_quantile(index, counts, 0.10, BINS, lo, hi)),
                                _num(sparse_quantile(index, counts, 0.90, BINS, lo, hi)),
                                _num(sparse_quantile(index, counts, 0.50, BINS, lo, hi))))
    return out


def per_turn_stats(tally: Tally, labels: Labels) -> PerTurn:
    """Share of games each outcome holds, and each control, at every turn."""
    n = tally.games
    who = [*labels.factions, NOBODY]
    cbt = tally.ints["control_by_turn"]
    obt = tally.ints["outcome_by_turn"]

    def dates(t: int) -> tuple[dt.date | None, dt.date]:
        end = labels.end_date(t)
        assert end is not None
        return labels.start_date(t), end

    control = [TurnControl(t, *dates(t), sid, fid, int(cbt[t, s, f]), int(cbt[t, s, f]) / n)
               for t in range(cbt.shape[0]) for s, sid in enumerate(labels.settlements)
               for f, fid in enumerate(who)]
    outcomes = [TurnOutcome(t, *dates(t), oid, int(obt[t, o]), int(obt[t, o]) / n)
                for t in range(obt.shape[0]) for o, oid in enumerate(labels.outcomes)]
    return PerTurn(outcomes, control)


def precise_enough(tally: Tally, precision: float) -> bool:
    """Whether every outcome's 95% Wilson half-width is below ``precision``."""
    n = tally.games
    if n == 0:
        return False
    counts = tally.ints["outcome_count"]
    return all(wilson(int(k), n).half_width < precision for k in counts)
