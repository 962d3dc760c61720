"""What a sweep returns: each point's outcome probabilities and the sensitivity summary."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from wargame.jsontypes import JSONObject
from wargame.montecarlo import sensitivity, sweep
from wargame.montecarlo.results import pick, to_json
from wargame.montecarlo.sensitivity import Sensitivity, SensitivityRow
from wargame.montecarlo.spec import BatchSpec, PointValues, SweepDesign
from wargame.montecarlo.stats import wilson
from wargame.montecarlo.summary import Labels
from wargame.montecarlo.tally import Tally
from wargame.montecarlo.tidy import Table, kind_of, need, table


@dataclass(frozen=True)
class PointOutcome:
    """One outcome at one sweep point."""

    id: str
    count: int
    probability: float | None
    ci95: tuple[float, float]


@dataclass(frozen=True)
class SweepPoint:
    """One point of the design: the values set, the scenario digest, and each outcome."""

    point: int                 # 1-based, in run order
    values: PointValues        # --vary path -> value
    digest: str
    games: int
    outcomes: list[PointOutcome]


__all__ = ["PointOutcome", "Sensitivity", "SensitivityRow", "SweepPoint", "SweepResult"]


@dataclass(frozen=True)
class SweepResult:
    """A batch at every point of a parameter design, on common random numbers."""

    spec: BatchSpec
    labels: Labels
    points: list[SweepPoint]
    sensitivity: Sensitivity | None
    tallies: list[Tally] = field(repr=False, compare=False)
    notes: tuple[str, ...] = ()
    complete: bool = True

    @classmethod
    def from_tallies(cls, spec: BatchSpec, tallies: list[Tally], labels: Labels,
                     **extra: Any) -> SweepResult:
        """Per-point probabilities and, when every point has games, the sensitivity."""
        points = []
        for k, (pt, tally) in enumerate(zip(spec.points, tallies, strict=True)):
            n = tally.games
            outs = []
            for o, oid in enumerate(labels.outcomes):
                c = int(tally.ints["outcome_count"][o]) if n else 0
                ci = wilson(c, n)
                outs.append(PointOutcome(oid, c, None if n == 0 else ci.estimate,
                                         (ci.low, ci.high)))
            points.append(SweepPoint(k + 1, pt.values, pt.digest, n, outs))
        sens = None
        d = spec.design
        if (all(t.games for t in tallies) and labels.outcomes and isinstance(d, SweepDesign)
                and d.vary):
            import numpy as np

            probs = {oid: np.array([p.outcomes[o].probability for p in points], dtype=float)
                     for o, oid in enumerate(labels.outcomes)}
            counts = {oid: [p.outcomes[o].count for p in points]
                      for o, oid in enumerate(labels.outcomes)}
            sens = sensitivity.summarise(d.design, [p.values for p in points],
                                         None if d.unit is None else np.asarray(d.unit),
                                         cls.paths_of(spec), probs, spec.seed, counts,
                                         [p.games for p in points])
        return cls(spec, labels, points, sens, tallies, **extra)

    @property
    def seed(self) -> int:
        """The root seed."""
        return self.spec.seed

    @staticmethod
    def paths_of(spec: BatchSpec) -> list[str]:
        """The varied paths, in ``--vary`` order."""
        d = spec.design
        return [sweep.parse_vary(v).path for v in d.vary] if isinstance(d, SweepDesign) else []

    @property
    def paths(self) -> list[str]:
        """The varied paths, in ``--vary`` order."""
        return self.paths_of(self.spec)

    @property
    def design(self) -> str:
        """``grid``, ``lhs`` or ``sobol``."""
        d = self.spec.design
        return d.design if isinstance(d, SweepDesign) else "grid"

    @property
    def games(self) -> int:
        """Games played, over every point."""
        return sum(p.games for p in self.points)

    def meta(self) -> JSONObject:
        """The run's spec with the games counted (the JSON ``meta``)."""
        meta = self.spec.to_dict()
        meta.pop("points")
        d = self.spec.design
        meta["design"] = ({"design": d.design, "vary": d.vary, "points": d.points}
                          if isinstance(d, SweepDesign) else {})
        meta["games"] = self.games
        return meta

    def to_dict(self) -> JSONObject:
        """Exactly what ``wargame sweep --format json`` prints, as plain data."""
        return {"meta": self.meta(),
                "outcomes": [{"id": i, "name": n} for i, n in
                             zip(self.labels.outcomes, self.labels.outcome_names, strict=True)],
                "points": [{"point": p.point, "values": p.values, "digest": p.digest,
                            "games": p.games,
                            "outcomes": [{**asdict(o), "ci95": list(o.ci95)}
                                         for o in p.outcomes]} for p in self.points],
                "sensitivity": None if self.sensitivity is None else asdict(self.sensitivity)}

    def to_json(self) -> str:
        """The JSON text ``wargame sweep --format json`` prints (without the newline)."""
        return to_json(self.to_dict())

    def tables(self) -> dict[str, Table]:
        """``points`` (one row per point and outcome) and ``sensitivity``."""
        meta = self.meta()
        paths = self.paths
        kinds = [kind_of([p.values.get(path) for p in self.points]) for path in paths]
        points = table("points", [("point", "int"), *zip(paths, kinds, strict=True),
                                  ("outcome", "str"), ("games", "int"), ("count", "int"),
                                  ("probability", "float"), ("ci95_low", "float"),
                                  ("ci95_high", "float")],
                       [(p.point, *(p.values.get(path) for path in paths), o.id, p.games,
                         o.count, o.probability, *o.ci95)
                        for p in self.points for o in p.outcomes], meta)
        rows = []
        for r in self.sensitivity.outcomes if self.sensitivity is not None else []:
            for path, e in r.effects.items():
                stats: list[tuple[str, float | None]] = (
                    [("S1", e["S1"]), *([("ST", e["ST"])] if "ST" in e else [])]
                    if isinstance(e, dict) else [("main_effect", e)])
                rows += [(r.outcome, path, name, value, path == r.most)
                         for name, value in stats]
        sens = table("sensitivity", [("outcome", "str"), ("parameter", "str"),
                                     ("statistic", "str"), ("value", "float"),
                                     ("moves_most", "bool")], rows, meta)
        return {"points": points, "sensitivity": sens}

    def to_pandas(self, table: str = "points") -> Any:
        """``points`` (default) or ``sensitivity`` as a :class:`pandas.DataFrame`."""
        return pick(self.tables(), table).to_pandas()

    def to_xarray(self) -> Any:
        """Probabilities as labelled arrays (an :class:`xarray.Dataset`).

        A grid has one dimension per varied path (its levels) and ``outcome``; a sampled
        design has ``point`` and ``outcome``, with the sampled values as coordinates on
        ``point``. Variables: ``probability``, ``ci95_low``, ``ci95_high``, ``games``.
        """
        xr = need("xarray")
        import numpy as np

        oids = self.labels.outcomes
        prob = np.array([[np.nan if o.probability is None else o.probability
                          for o in p.outcomes] for p in self.points], dtype=float)
        low = np.array([[o.ci95[0] for o in p.outcomes] for p in self.points], dtype=float)
        high = np.array([[o.ci95[1] for o in p.outcomes] for p in self.points], dtype=float)
        games = np.array([p.games for p in self.points])
        attrs = {"wargame": json.dumps(self.meta(), default=str)}
        dims = ("point", "outcome")
        coords: dict[str, object] = {"point": [p.point for p in self.points], "outcome": oids}
        for path in self.paths:
            coords[path] = ("point", [p.values[path] for p in self.points])
        ds = xr.Dataset({"probability": (dims, prob), "ci95_low": (dims, low),
                         "ci95_high": (dims, high), "games": ("point", games)},
                        coords=coords, attrs=attrs)
        if self.design == "grid" and self.points:
            if len(self.paths) == 1:
                ds = ds.swap_dims({"point": self.paths[0]})
            else:
                ds = ds.set_index(point=self.paths).unstack("point")
        return ds
