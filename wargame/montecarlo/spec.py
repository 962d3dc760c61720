"""What defines a batch or sweep: everything needed to replay it and to check a resume.

The spec is recorded with every result (JSON output, store metadata). Two runs with equal specs
produce byte-identical aggregates, whatever the number of workers or the scheduler.
"""

from __future__ import annotations

import platform
from dataclasses import asdict, dataclass, field
from typing import TypeAlias

import numpy as np

from wargame.jsontypes import JSONObject, JSONValue
from wargame.montecarlo.seeds import ChunkPlan
from wargame.version import version

SPEC_FORMAT = 1
MAX_POINTS = 100_000
"""The most points a sweep may have (its design is refused beyond; a store's spec too)."""

# Fields that must agree for ``--resume`` to continue a stored batch, with their names in
# error messages.
RESUME_FIELDS = {
    "kind": "kind of run",
    "digest": "scenario digest",
    "overrides": "--set overrides",
    "seed": "seed",
    "runs": "runs",
    "chunk_size": "chunk size",
    "turns": "turns",
    "per_turn": "--per-turn",
    "precision": "--precision",
    "points": "sweep points",
    "design": "sweep design or branch (--at, --given, the change)",
}


def versions() -> dict[str, str]:
    """The versions a result depends on (numpy's generators are stable across versions, but
    the engine may not be)."""
    return {"wargame": version(), "numpy": np.__version__,
            "python": platform.python_version()}


PointValues: TypeAlias = dict[str, JSONValue]
"""A sweep point's values: each varied path (``--vary``, ``--set`` syntax) and the value set
there, a YAML scalar as ``--set`` takes it (a number for a numeric range)."""


@dataclass(frozen=True)
class Point:
    """One sweep point: the values set and the scenario digest they give."""

    values: PointValues
    overrides: list[str]
    digest: str


@dataclass(frozen=True)
class SweepDesign:
    """How a sweep's points were made (``wargame sweep``): the design, the ``--vary``
    expressions, the sample size of a sampled design and its points in the unit cube."""

    design: str                      # grid, lhs or sobol
    vary: list[str]                  # the --vary expressions, in order
    points: int | None               # --points (sampled designs)
    unit: list[list[float]] | None   # [points, len(vary)] in [0, 1) (sampled designs)


@dataclass(frozen=True)
class BranchDesign:
    """Where and how a branch (``wargame branch``) leaves the war as it was."""

    at: int                      # the turn of the branch
    given: str | None            # the outcome a game must meet there to be kept
    changes: list[str]           # the --set changes of the variant
    variant: str | None          # the variant scenario file, if any
    variant_digest: str | None   # its digest, with the changes
    changed: list[str] = field(default_factory=list)   # model parameters redrawn


Design: TypeAlias = SweepDesign | BranchDesign | None
"""What a run adds to its spec by kind: a sweep's design, a branch's, or nothing (a batch, a
comparison, a sweep of given variants); ``{}`` in the JSON for nothing."""


@dataclass(frozen=True)
class BatchSpec:
    """A batch (one scenario) or a sweep (several points of it), fully specified.

    ``runs`` is the number of games per point; with ``precision`` it is the cap and the batch
    stops at the first chunk boundary where every outcome's Wilson half-width is below it.
    """

    kind: str
    scenario: str
    digest: str
    overrides: list[str]
    seed: int
    runs: int
    chunk_size: int
    turns: int | None  # None: each scenario's own (sweeps varying scenario.turns, compare)
    per_turn: bool = False
    precision: float | None = None
    points: list[Point] = field(default_factory=list)
    design: Design = None
    versions: dict[str, str] = field(default_factory=versions)

    @property
    def plan(self) -> ChunkPlan:
        """The chunking of each point's games."""
        return ChunkPlan(self.runs, self.chunk_size)

    @property
    def n_points(self) -> int:
        """Number of scenario variants run (1 for a batch)."""
        return max(1, len(self.points))

    @property
    def branch(self) -> BranchDesign:
        """A branch's design (``ValueError`` for any other kind of run)."""
        if not isinstance(self.design, BranchDesign):
            raise ValueError(f"a {self.kind} has no branch")
        return self.design

    def to_dict(self) -> JSONObject:
        """The spec as JSON-ready data (with the derived number of chunks)."""
        d: JSONObject = asdict(self)
        if self.design is None:
            d["design"] = {}
        d["format"] = SPEC_FORMAT
        d["n_chunks"] = self.plan.n_chunks
        return d

    def mismatches(self, other: BatchSpec) -> list[str]:
        """Human-readable differences in the fields a resume must keep."""
        mine, theirs = self.to_dict(), other.to_dict()
        out = []
        for key, label in RESUME_FIELDS.items():
            if mine[key] != theirs[key]:
                if key in ("points", "overrides", "digest"):
                    out.append(f"{label} differ")
                else:
                    out.append(f"{label} differs (stored {theirs[key]}, now {mine[key]})")
        return out
