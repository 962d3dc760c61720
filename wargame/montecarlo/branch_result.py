"""What a branch returns (``wargame branch``): how many games reached the branch and met its
condition, and, outcome by outcome, the games played on as they were (A) and with the change
(B), with the paired difference B - A (a :class:`~wargame.montecarlo.compare_result.CompareResult`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from wargame.jsontypes import JSONObject
from wargame.montecarlo.compare_result import CompareResult, Side
from wargame.montecarlo.results import pick, to_json
from wargame.montecarlo.spec import BatchSpec
from wargame.montecarlo.tally import Tally
from wargame.montecarlo.tidy import Table


@dataclass(frozen=True)
class BranchResult:
    """Games played to turn ``at``, those that met ``given`` (every game without it), each
    played on twice on the same random numbers: ``comparison.a`` as it was, ``comparison.b``
    with the change. ``reached``: games played to turn ``at``; ``kept``: those branched."""

    spec: BatchSpec
    at: int
    at_date: str | None
    given: str | None
    given_name: str | None
    changes: tuple[str, ...]
    variant: str | None
    reached: int
    kept: int
    comparison: CompareResult
    complete: bool = True
    notes: tuple[str, ...] = ()

    @classmethod
    def from_tally(cls, spec: BatchSpec, tally: Tally, ids: list[str], names: list[str],
                   final: list[bool], at_date: str | None, given_name: str | None,
                   complete: bool = True, notes: tuple[str, ...] = ()) -> BranchResult:
        """The result from the summed chunk statistics (:func:`branch_stats`)."""
        b = spec.branch
        changes = tuple(b.changes)
        what = ", ".join([*([f"variant {b.variant}"] if b.variant else []), *changes])
        kept = int(tally.ints["kept"]) if tally.has("kept") else 0
        comparison = CompareResult.from_tally(
            spec, Side(f"as it was from turn {b.at}", spec.digest),
            Side(f"with {what}", b.variant_digest or ""), ids, names, tally, final)
        return cls(spec, b.at, at_date, b.given, given_name, changes, b.variant,
                   tally.games, kept, replace(comparison, games=kept), complete, notes)

    @property
    def seed(self) -> int:
        """The root seed."""
        return self.spec.seed

    @property
    def share_kept(self) -> float:
        """The share of the games played to the branch that met the condition."""
        return self.kept / self.reached if self.reached else float("nan")

    def meta(self) -> JSONObject:
        """The run's spec and the branch's counts (the JSON ``meta``)."""
        meta = self.spec.to_dict()
        for key in ("points", "design", "per_turn", "precision"):
            meta.pop(key)
        meta.update(at=self.at, at_date=self.at_date, given=self.given, changes=list(
            self.changes), variant=self.variant,
            variant_digest=self.spec.branch.variant_digest,
            changed=list(self.spec.branch.changed), reached=self.reached,
            kept=self.kept, complete=self.complete)
        return meta

    def to_dict(self) -> JSONObject:
        """Exactly what ``wargame branch --format json`` prints, as plain data."""
        return {"meta": self.meta(),
                "outcomes": [r.to_dict() for r in self.comparison.outcomes]}

    def to_json(self) -> str:
        """The JSON text ``wargame branch --format json`` prints (without the newline)."""
        return to_json(self.to_dict())

    def tables(self) -> dict[str, Table]:
        """``outcomes``: one row per outcome, the columns of ``compare``'s (A: as it was,
        B: with the change)."""
        return {name: replace(t, meta=self.meta())
                for name, t in self.comparison.tables().items()}

    def to_pandas(self, table: str = "outcomes") -> Any:
        """The ``outcomes`` table as a :class:`pandas.DataFrame`."""
        return pick(self.tables(), table).to_pandas()
