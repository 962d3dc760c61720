"""What a comparison returns: each shared outcome in A and B and the paired difference B - A."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from wargame.jsontypes import JSONObject
from wargame.montecarlo.results import pick, to_json
from wargame.montecarlo.spec import BatchSpec
from wargame.montecarlo.stats import count_quantile, paired_difference, wilson
from wargame.montecarlo.summary import QUANTILES, Quantiles
from wargame.montecarlo.tally import Tally
from wargame.montecarlo.tidy import Table, table

DIFFERENCE_METHOD = "Newcombe (1998) paired, method 10"


@dataclass(frozen=True)
class Estimate:
    """A probability with its 95% interval."""

    probability: float
    ci95: tuple[float, float]


@dataclass(frozen=True)
class Pairs:
    """The paired 2x2 table of one outcome: games where it came true in both, A only, ..."""

    both: int
    a_only: int
    b_only: int
    neither: int


@dataclass(frozen=True)
class Timing:
    """When an outcome came true in A and in B (10th, 50th, 90th percentile of the first turn,
    among the games where it did), and the paired change of that turn, B's minus A's, in the
    ``both`` games where it came true in both."""

    a: Quantiles[int]
    b: Quantiles[int]
    shift: Quantiles[int]
    both: int

    def to_dict(self) -> JSONObject:
        """JSON-ready."""
        return {"a_turn": asdict(self.a), "b_turn": asdict(self.b),
                "shift_turns": asdict(self.shift), "both": self.both}


def _quantiles(hist: np.ndarray, offset: int = 0) -> Quantiles[int]:
    qs = [count_quantile(hist, q) for _, q in QUANTILES]
    return Quantiles(*(None if x is None else x - offset for x in qs))


@dataclass(frozen=True)
class CompareRow:
    """One outcome both scenarios define."""

    id: str
    name: str
    games: int
    a: Estimate
    b: Estimate
    difference: Estimate   # B - A, Newcombe's paired interval
    pairs: Pairs
    timing: Timing | None = None   # None for outcomes judged at the end

    def to_dict(self) -> JSONObject:
        """The ``outcomes`` row of ``wargame compare --format json``."""
        return {"id": self.id, "name": self.name, "games": self.games,
                "a": {"probability": self.a.probability, "ci95": list(self.a.ci95)},
                "b": {"probability": self.b.probability, "ci95": list(self.b.ci95)},
                "difference": {"estimate": self.difference.probability,
                               "ci95": list(self.difference.ci95),
                               "method": DIFFERENCE_METHOD},
                "pairs": vars(self.pairs).copy(),
                "timing": None if self.timing is None else self.timing.to_dict()}


@dataclass(frozen=True)
class Side:
    """One of the two scenarios compared."""

    scenario: str
    digest: str


@dataclass(frozen=True)
class CompareResult:
    """Two scenarios played on the same random numbers, outcome by outcome."""

    spec: BatchSpec
    a: Side
    b: Side
    games: int
    outcomes: list[CompareRow]
    tally: Tally = field(repr=False, compare=False)
    notes: tuple[str, ...] = ()

    @classmethod
    def from_tally(cls, spec: BatchSpec, a: Side, b: Side, ids: list[str], names: list[str],
                   tally: Tally, final: list[bool] | None = None,
                   **extra: Any) -> CompareResult:
        """Rows from the summed paired counts (``final``: outcomes judged at the end, which
        have no timing)."""
        rows = []
        timed = tally.has("pair_shift")
        for k, (oid, name) in enumerate(zip(ids, names, strict=True)):
            both, a_only, b_only, neither = (int(x) for x in tally.ints["pair"][k])
            n = both + a_only + b_only + neither
            pa, pb = wilson(both + a_only, n), wilson(both + b_only, n)
            d = paired_difference(both, a_only, b_only, neither)
            timing = None
            if timed and not (final is not None and final[k]):
                ta = tally.ints["pair_turn_a"][k]
                timing = Timing(_quantiles(ta), _quantiles(tally.ints["pair_turn_b"][k]),
                                _quantiles(tally.ints["pair_shift"][k], len(ta) - 1), both)
            rows.append(CompareRow(oid, name, n, Estimate(pa.estimate, (pa.low, pa.high)),
                                   Estimate(pb.estimate, (pb.low, pb.high)),
                                   Estimate(d.estimate, (d.low, d.high)),
                                   Pairs(both, a_only, b_only, neither), timing))
        return cls(spec, a, b, tally.games, rows, tally, **extra)

    @property
    def seed(self) -> int:
        """The root seed."""
        return self.spec.seed

    def meta(self) -> JSONObject:
        """The run's spec, both scenarios and the games counted (the JSON ``meta``)."""
        meta = self.spec.to_dict()
        for key in ("points", "design", "per_turn", "precision", "scenario", "digest"):
            meta.pop(key)
        meta.update(a=vars(self.a).copy(), b=vars(self.b).copy(), games=self.games)
        return meta

    def to_dict(self) -> JSONObject:
        """Exactly what ``wargame compare --format json`` prints, as plain data."""
        return {"meta": self.meta(), "outcomes": [r.to_dict() for r in self.outcomes]}

    def to_json(self) -> str:
        """The JSON text ``wargame compare --format json`` prints (without the newline)."""
        return to_json(self.to_dict())

    def tables(self) -> dict[str, Table]:
        """``outcomes``: one row per shared outcome."""
        return {"outcomes": table("outcomes", [
            ("outcome", "str"), ("name", "str"), ("games", "int"), ("p_a", "float"),
            ("a_ci95_low", "float"), ("a_ci95_high", "float"), ("p_b", "float"),
            ("b_ci95_low", "float"), ("b_ci95_high", "float"), ("difference", "float"),
            ("diff_ci95_low", "float"), ("diff_ci95_high", "float"), ("both", "int"),
            ("a_only", "int"), ("b_only", "int"), ("neither", "int"),
            ("a_turn_median", "int"), ("b_turn_median", "int"), ("shift_median", "int"),
            ("shift_p10", "int"), ("shift_p90", "int")],
            [(r.id, r.name, r.games, r.a.probability, *r.a.ci95, r.b.probability, *r.b.ci95,
              r.difference.probability, *r.difference.ci95, r.pairs.both, r.pairs.a_only,
              r.pairs.b_only, r.pairs.neither,
              *((None,) * 5 if r.timing is None else
                (r.timing.a.median, r.timing.b.median, r.timing.shift.median,
                 r.timing.shift.p10, r.timing.shift.p90)))
             for r in self.outcomes], self.meta())}

    def to_pandas(self, table: str = "outcomes") -> Any:
        """The ``outcomes`` table as a :class:`pandas.DataFrame`."""
        return pick(self.tables(), table).to_pandas()
