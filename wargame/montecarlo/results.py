"""What a batch returns: typed results with JSON, tidy DataFrames and labelled arrays.

:class:`BatchResult` is what ``wargame batch`` prints; :mod:`wargame.montecarlo.sweep_result` and
:mod:`wargame.montecarlo.compare_result` hold the sweep's and the comparison's. Each result

* holds its numbers as typed records (``result.outcomes[0].probability``);
* gives the exact JSON of ``--format json`` (:meth:`BatchResult.to_dict`);
* lays them out as typed tables (:meth:`BatchResult.tables`, :mod:`wargame.montecarlo.tidy`), as
  pandas DataFrames (:meth:`BatchResult.to_pandas`) and, where the data is an array by nature
  (turn x settlement x controller), as an xarray Dataset (:meth:`BatchResult.to_xarray`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wargame.jsontypes import JSONObject
from wargame.montecarlo.civilians import CivilianStats, civilian_stats
from wargame.montecarlo.spec import BatchSpec
from wargame.montecarlo.stats import wilson
from wargame.montecarlo.summary import (
    NOBODY,
    ControlShare,
    FactionStat,
    GarrisonStat,
    Labels,
    OutcomeStat,
    PerTurn,
    control_shares,
    faction_stats,
    garrison_stats,
    outcome_stats,
    per_turn_stats,
)
from wargame.montecarlo.tally import BINS, Tally
from wargame.montecarlo.tidy import Table, need, table

if TYPE_CHECKING:
    from wargame.montecarlo.games import GameRecords
    from wargame.scenario import Loaded

BATCH_TABLES = ("outcomes", "control", "factions", "timing", "civilians", "civilians_by_place",
                "outcomes_by_turn", "control_by_turn", "civilians_by_turn")


def to_json(result: JSONObject) -> str:
    """A result as one JSON object (stable key order, so equal results are equal bytes)."""
    return json.dumps(result, indent=2, sort_keys=True)


def pick(tables: dict[str, Table], name: str) -> Table:
    """One of a result's tables by name (a ``ValueError`` naming the choices if unknown)."""
    if name not in tables:
        raise ValueError(f"no table {name!r}; this result has: {', '.join(tables)}")
    return tables[name]


@dataclass(frozen=True)
class BatchResult:
    """Outcome, control and strength statistics of a batch of games of one scenario.

    ``records`` holds the per-game records when the batch was asked for them (``games=``).
    ``tally`` is the batch's summed chunk statistics (what the pictures are drawn from) and
    ``loaded`` the scenario it was played from (``None`` when read back from a store).
    """

    spec: BatchSpec
    labels: Labels
    games: int
    chunks_used: int
    outcomes: list[OutcomeStat]
    control: list[ControlShare]
    factions: list[FactionStat]
    per_turn: PerTurn | None
    tally: Tally = field(repr=False, compare=False)
    loaded: Loaded | None = field(default=None, repr=False, compare=False)
    records: GameRecords | None = field(default=None, repr=False, compare=False)
    notes: tuple[str, ...] = ()
    complete: bool = True
    garrisons: list[GarrisonStat] = field(default_factory=list, repr=False, compare=False)
    """Each place's final garrison (mean, 10th and 90th percentiles of games)."""
    civilians: CivilianStats | None = field(default=None, repr=False, compare=False)
    """What the games cost civilians (none from a store begun by an older version)."""

    @classmethod
    def from_tally(cls, spec: BatchSpec, tally: Tally, labels: Labels, **extra: Any,
                   ) -> BatchResult:
        """Summarise summed chunk statistics."""
        n = tally.games
        per = (per_turn_stats(tally, labels)
               if spec.per_turn and n and tally.has("control_by_turn") else None)
        return cls(spec, labels, n, tally.chunks, outcome_stats(tally, labels),
                   control_shares(tally, labels) if n else [],
                   faction_stats(tally, labels) if n else [], per, tally,
                   garrisons=garrison_stats(tally, labels),
                   civilians=civilian_stats(tally, labels, BINS), **extra)

    @property
    def seed(self) -> int:
        """The root seed (pass it back to replay the batch)."""
        return self.spec.seed

    @property
    def turns(self) -> int:
        """Turns played."""
        return self.labels.turns

    def outcome(self, oid: str) -> OutcomeStat:
        """One outcome by id."""
        for o in self.outcomes:
            if o.id == oid:
                return o
        raise KeyError(f"no outcome {oid!r}; the outcomes are "
                       f"{', '.join(o.id for o in self.outcomes)}")

    def meta(self) -> JSONObject:
        """The run's spec with the games counted (the JSON ``meta``)."""
        meta = self.spec.to_dict()
        meta.pop("points", None)
        meta.pop("design", None)
        return {**meta, "games": self.games, "chunks_used": self.chunks_used}

    def to_dict(self) -> JSONObject:
        """Exactly what ``wargame batch --format json`` prints, as plain data."""
        out: JSONObject = {
            "meta": self.meta(), "outcomes": [o.to_dict() for o in self.outcomes],
            "control": [vars(c).copy() for c in self.control],
            "factions": [f.to_dict() for f in self.factions]}
        if self.civilians is not None:
            out["civilians"] = self.civilians.to_dict()
        if self.per_turn is not None:
            out["per_turn"] = self.per_turn.to_dict()
        return out

    def to_json(self) -> str:
        """The JSON text ``wargame batch --format json`` prints (without the newline)."""
        return to_json(self.to_dict())

    def tables(self) -> dict[str, Table]:
        """Every tidy table of the result (see docs/api.md for their columns)."""
        meta = self.meta()
        out = {
            "outcomes": table("outcomes", [
                ("outcome", "str"), ("name", "str"), ("games", "int"), ("count", "int"),
                ("probability", "float"), ("ci95_low", "float"), ("ci95_high", "float"),
                ("turn_p10", "int"), ("turn_median", "int"), ("turn_p90", "int"),
                ("end_date_p10", "date"), ("end_date_median", "date"), ("end_date_p90", "date")],
                [(o.id, o.name, o.games, o.count, o.probability, *o.ci95, o.turn.p10,
                  o.turn.median, o.turn.p90, o.end_date.p10, o.end_date.median,
                  o.end_date.p90) for o in self.outcomes], meta),
            "control": table("control", [
                ("settlement", "str"), ("faction", "str"), ("count", "int"),
                ("probability", "float")],
                [(c.settlement, c.faction, c.count, c.probability) for c in self.control], meta),
            "factions": table("factions", [
                ("faction", "str"), ("name", "str"), ("initial_mean", "float"),
                ("reinforcements_mean", "float"), ("strength_mean", "float"),
                ("strength_p05", "float"), ("strength_p95", "float"),
                ("casualties_mean", "float"), ("casualties_p05", "float"),
                ("casualties_p95", "float")],
                [(f.id, f.name, f.initial_mean, f.reinforcements_mean, f.strength.mean,
                  f.strength.p05, f.strength.p95, f.casualties.mean, f.casualties.p05,
                  f.casualties.p95) for f in self.factions], meta),
            "timing": self._timing(meta),
        }
        civ = self.civilians
        if civ is not None:
            out["civilians"] = table("civilians", [
                ("what", "str"), ("mean", "float"), ("p05", "float"), ("p95", "float"),
                ("min", "float"), ("max", "float")],
                [(t.what, t.mean, t.p05, t.p95, t.min, t.max) for t in civ.totals], meta)
            out["civilians_by_place"] = table("civilians_by_place", [
                ("settlement", "str"), ("name", "str"), ("killed_mean", "float"),
                ("displaced_mean", "float")],
                [(p.settlement, p.name, p.killed, p.displaced) for p in civ.places], meta)
            if civ.by_turn is not None:
                lab = self.labels
                out["civilians_by_turn"] = table("civilians_by_turn", [
                    ("turn", "int"), ("start_date", "date"), ("end_date", "date"),
                    ("killed_mean", "float"), ("displaced_mean", "float")],
                    [(r.turn, lab.start_date(r.turn), lab.end_date(r.turn), r.killed,
                      r.displaced) for r in civ.by_turn], meta)
        if self.per_turn is not None:
            out["outcomes_by_turn"] = table("outcomes_by_turn", [
                ("turn", "int"), ("start_date", "date"), ("end_date", "date"),
                ("outcome", "str"), ("count", "int"), ("probability", "float")],
                [(r.turn, r.start_date, r.end_date, r.outcome, r.count, r.probability)
                 for r in self.per_turn.outcomes], meta)
            out["control_by_turn"] = table("control_by_turn", [
                ("turn", "int"), ("start_date", "date"), ("end_date", "date"),
                ("settlement", "str"), ("faction", "str"), ("count", "int"),
                ("probability", "float")],
                [(r.turn, r.start_date, r.end_date, r.settlement, r.faction, r.count,
                  r.probability) for r in self.per_turn.control], meta)
        return out

    def _timing(self, meta: JSONObject) -> Table:
        """Share of games in which each outcome has come true by the close of each turn."""
        rows = []
        n = self.games
        lab = self.labels
        first = self.tally.ints.get("outcome_turn") if n else None
        if first is not None:
            for o, oid in enumerate(lab.outcomes):
                total = 0
                for t in range(first.shape[1]):
                    k = int(first[o, t])
                    total += k
                    ci = wilson(total, n)
                    rows.append((oid, t, lab.start_date(t), lab.end_date(t), k, total,
                                 ci.estimate, ci.low, ci.high))
        return table("timing", [
            ("outcome", "str"), ("turn", "int"), ("start_date", "date"), ("end_date", "date"),
            ("first", "int"), ("count", "int"), ("probability", "float"),
            ("ci95_low", "float"), ("ci95_high", "float")], rows, meta)

    def to_pandas(self, table: str = "outcomes") -> Any:
        """One tidy table as a :class:`pandas.DataFrame` (needs ``wargame[data]``).

        ``table`` is one of ``outcomes`` (default), ``control``, ``factions``, ``timing``,
        ``civilians`` and ``civilians_by_place`` and, for ``per_turn=True`` batches,
        ``outcomes_by_turn``, ``control_by_turn`` and ``civilians_by_turn``.
        """
        return pick(self.tables(), table).to_pandas()

    def to_xarray(self) -> Any:
        """The batch's shares as labelled arrays (an :class:`xarray.Dataset`).

        ``final_control[settlement, controller]`` and ``came_true[outcome, turn]`` always;
        ``control[turn, settlement, controller]`` and ``holds[turn, outcome]`` for
        ``per_turn=True`` batches. Controllers are the faction ids and ``none``.
        """
        xr = need("xarray")
        import numpy as np

        lab = self.labels
        n = max(self.games, 1)
        who = [*lab.factions, NOBODY]
        turns = np.arange(lab.turns + 1)
        coords: dict[str, object] = {
            "settlement": lab.settlements, "controller": who, "outcome": lab.outcomes,
            "turn": turns,
            "start_date": ("turn", np.array([lab.start_date(int(t)) or np.datetime64("NaT")
                                             for t in turns], dtype="datetime64[D]")),
            "end_date": ("turn", np.array([lab.end_date(int(t)) for t in turns],
                                          dtype="datetime64[D]")),
            "settlement_name": ("settlement", lab.settlement_names),
            "outcome_name": ("outcome", lab.outcome_names)}
        data: dict[str, tuple[tuple[str, ...], np.ndarray]] = {}
        t = self.tally
        if self.games:
            data["final_control"] = (("settlement", "controller"), t.ints["control"] / n)
            data["came_true"] = (("outcome", "turn"),
                                 np.cumsum(t.ints["outcome_turn"], axis=1) / n)
            if self.per_turn is not None:
                data["control"] = (("turn", "settlement", "controller"),
                                   t.ints["control_by_turn"] / n)
                data["holds"] = (("turn", "outcome"), t.ints["outcome_by_turn"] / n)
        return xr.Dataset(data, coords=coords, attrs={"wargame": json.dumps(self.meta())})
