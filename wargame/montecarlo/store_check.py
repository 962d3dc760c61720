"""What a store must hold to be believed: checked when it is read, never trusted.

A store may come from anyone (it is a file one mails). Reading one checks, before any of it is
used:

* **the spec** (:func:`spec_from`): every field of the right type and range (a JSON list where
  a mapping belongs is "damaged", not an internal error), a plan no larger than a run may be
  (:data:`MAX_PLANNED_CHUNKS`), and ``n_chunks`` agreeing with ``runs`` and ``chunk_size``;
* **the labels** (:func:`labels_from`): lists of text of matching lengths, ISO dates;
* **the seal** (:func:`seal_of`): a SHA-256 of each record that gives the chunks their
  meaning (the spec with its plan, the labels that name the places, factions and outcomes,
  the scenario copy), written when the store is made; a record changed since says which;
* **each chunk** (:func:`chunk_digest`, :func:`check_arrays`): its digest, a SHA-256 over the
  seal, its point, its chunk index, its games and its data, so a chunk moved to another
  index, swapped with another or edited no longer matches, nor does one whose labels were
  swapped; then the arrays it holds, by name, type and shape (which also bounds what
  decompressing it can cost), and its histograms' rows;
* **the finish** (:func:`rows_digest`): when a run ends, a digest of every chunk row
  (point, chunk, games, digest), so a row deleted, renumbered or edited in a finished store is
  reported as a change, never read as an unfinished run.

The digest detects accidents and tampering by anyone who does not recompute it; it is not a
signature (there is no secret), so a store is as trustworthy as whoever made it, and a forged
one can only be a wrong result, never a crash or a hang.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError, field_validator

from wargame.montecarlo.civilians import ARRAYS as CIVILIAN_ARRAYS
from wargame.montecarlo.seeds import ChunkPlan
from wargame.montecarlo.spec import (
    MAX_POINTS,
    SPEC_FORMAT,
    BatchSpec,
    BranchDesign,
    Design,
    Point,
    SweepDesign,
)
from wargame.montecarlo.stats import LogBins, merge_sparse
from wargame.montecarlo.summary import Labels
from wargame.montecarlo.tally import BINS, HIST_FIELDS, SUM_FIELDS, Arrays
from wargame.scenario.limits import MAX_TURNS
from wargame.textsafe import excerpt

MAX_PLANNED_CHUNKS = 1_000_000
"""The most chunks one run may plan (sweep points times chunks per point): a million chunks of
the default 1,000 games are a billion games. The plan is checked before any work, for a run
and for a store read back, whose ``runs`` could otherwise make reading it loop for ever."""

LEGACY_BINS = LogBins(top=1e9)
"""The strength bins of stores before version 3: dense, with every value from 1e9 up in one."""
SEALED = ("spec", "labels", "scenario")
"""The metadata records the seal covers: everything that gives the chunks their meaning."""

_STRICT = ConfigDict(extra="forbid", strict=True, frozen=True)
_KINDS = {"i": ("i", "u"), "f": ("f",)}
Digest = str
_HEX64 = r"^[0-9a-f]{64}$"


class _PointData(BaseModel):
    model_config = _STRICT
    values: dict[str, JsonValue]
    overrides: list[str]
    digest: str = Field(pattern=_HEX64)


class _SpecData(BaseModel):
    """The stored spec as data, every field typed
    (see :class:`~wargame.montecarlo.spec.BatchSpec`)."""

    model_config = _STRICT
    format: Literal[1]
    kind: Literal["batch", "sweep", "compare", "branch"]
    scenario: str
    digest: str = Field(pattern=_HEX64)
    overrides: list[str]
    seed: int = Field(ge=0)
    runs: int = Field(ge=1)
    chunk_size: int = Field(ge=1)
    turns: int | None = Field(ge=1, le=MAX_TURNS)
    per_turn: bool = False
    precision: float | None = Field(None, gt=0, lt=0.5)
    points: list[_PointData] = Field(default_factory=list, max_length=MAX_POINTS)
    design: dict[str, JsonValue] = Field(default_factory=dict)   # checked by kind: _design
    versions: dict[str, str] = Field(default_factory=dict)
    n_chunks: int


class _SweepDesignData(BaseModel):
    """A sweep's design (:class:`~wargame.montecarlo.spec.SweepDesign`)."""

    model_config = _STRICT
    design: Literal["grid", "lhs", "sobol"]
    vary: list[str]
    points: int | None = Field(ge=1)
    unit: list[list[float]] | None = Field(max_length=MAX_POINTS)


class _BranchDesignData(BaseModel):
    """A branch's design (:class:`~wargame.montecarlo.spec.BranchDesign`); ``changed`` is
    absent from stores made before it was recorded."""

    model_config = _STRICT
    at: int = Field(ge=0, le=MAX_TURNS)
    given: str | None
    changes: list[str]
    variant: str | None
    variant_digest: str | None = Field(pattern=_HEX64)
    changed: list[str] = Field(default_factory=list)


def _design(kind: str, data: dict[str, JsonValue]) -> Design:
    """The design a stored spec of ``kind`` holds (:class:`BadStore` if it is not one)."""
    if kind == "branch":
        try:
            b = _BranchDesignData.model_validate(data)
        except ValidationError as exc:
            raise BadStore(f"its spec is damaged: design.{_problem(exc)}") from None
        return BranchDesign(**b.model_dump())
    if not data:
        return None
    if kind != "sweep":
        raise BadStore(f"its spec is damaged: a {kind} has no design (got "
                       f"{excerpt(repr(sorted(data)))})")
    try:
        d = _SweepDesignData.model_validate(data)
    except ValidationError as exc:
        raise BadStore(f"its spec is damaged: design.{_problem(exc)}") from None
    return SweepDesign(**d.model_dump())


class _LabelsData(BaseModel):
    model_config = _STRICT
    factions: list[str]
    faction_names: list[str]
    settlements: list[str]
    settlement_names: list[str]
    outcomes: list[str]
    outcome_names: list[str]
    start_dates: list[str | None] = Field(min_length=1, max_length=MAX_TURNS + 1)
    end_dates: list[str] = Field(min_length=1, max_length=MAX_TURNS + 1)

    @field_validator("end_dates", "start_dates")
    @classmethod
    def _iso(cls, days: list[str | None]) -> list[str | None]:
        for d in days:
            if d is not None:
                dt.date.fromisoformat(d)
        return days


def _kind(data: Any) -> str:
    return {list: "a list", str: "text", int: "a number", float: "a number",
            type(None): "null", bool: "true or false"}.get(type(data), type(data).__name__)


class BadStore(ValueError):
    """What is wrong with a store's contents (the message, without the file name)."""


def _problem(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "the record"
    from wargame.scenario.messages import schema_problem

    return f"{where}: {schema_problem(err)}"


def check_plan(runs: int, chunk_size: int, points: int = 1) -> ChunkPlan:
    """The chunk plan of a run, or :class:`BadStore`/``ValueError`` if it is too large."""
    plan = ChunkPlan(runs, chunk_size)
    if plan.n_chunks * points > MAX_PLANNED_CHUNKS:
        where = f" for each of {points:,} points" if points > 1 else ""
        raise ValueError(f"{runs:,} games in chunks of {chunk_size:,} make {plan.n_chunks:,} "
                         f"chunks{where}, more than the {MAX_PLANNED_CHUNKS:,} one run may "
                         "have: use a larger --chunk-size or fewer --runs")
    return plan


def spec_from(data: object) -> BatchSpec:
    """The spec a store records, checked field by field (:class:`BadStore` if it is not one)."""
    if not isinstance(data, dict):
        raise BadStore(f"its spec is {_kind(data)}, not a mapping")
    if data.get("format") != SPEC_FORMAT:
        raise BadStore(f"its spec has format {excerpt(repr(data.get('format')))}; this "
                       f"version reads format {SPEC_FORMAT}")
    try:
        d = _SpecData.model_validate(data)
    except ValidationError as exc:
        raise BadStore(f"its spec is damaged: {_problem(exc)}") from None
    try:
        plan = check_plan(d.runs, d.chunk_size, max(1, len(d.points)))
    except ValueError as exc:
        raise BadStore(f"its spec is damaged: {exc}") from None
    if plan.n_chunks != d.n_chunks:
        raise BadStore(f"its spec is damaged: n_chunks is {d.n_chunks}, but {d.runs} runs in "
                       f"chunks of {d.chunk_size} make {plan.n_chunks}")
    return BatchSpec(d.kind, d.scenario, d.digest, d.overrides, d.seed, d.runs, d.chunk_size,
                     d.turns, d.per_turn, d.precision,
                     [Point(dict(p.values), p.overrides, p.digest) for p in d.points],
                     _design(d.kind, d.design), d.versions)


def labels_from(data: object) -> Labels:
    """The labels a store records, checked (:class:`BadStore` if they are not labels)."""
    if isinstance(data, dict) and "dates" in data and "end_dates" not in data:
        try:  # a store made before turns had a start and an end date
            data = Labels.from_dict(data).to_dict()
        except (TypeError, ValueError, AttributeError):
            raise BadStore("its labels are damaged: 'dates' are not dates") from None
    try:
        d = _LabelsData.model_validate(data)
    except ValidationError as exc:
        raise BadStore(f"its labels are damaged: {_problem(exc)}") from None
    pairs = (("factions", "faction_names"), ("settlements", "settlement_names"),
             ("outcomes", "outcome_names"), ("start_dates", "end_dates"))
    for a, b in pairs:
        if len(getattr(d, a)) != len(getattr(d, b)):
            raise BadStore(f"its labels are damaged: {a} and {b} differ in length")
    return Labels(**d.model_dump())


def part_digest(text: str | None) -> str:
    """The SHA-256 of one metadata record as stored (an absent one hashes as empty)."""
    return hashlib.sha256((text or "").encode("utf-8")).hexdigest()


def seal_of(texts: dict[str, str | None]) -> dict[str, str]:
    """The seal of a store: the digest of each record in :data:`SEALED`, as stored."""
    return {key: part_digest(texts.get(key)) for key in SEALED}


def seal_key(seal: dict[str, str]) -> str:
    """What every chunk digest of a sealed store is taken over: the seal as one digest."""
    return hashlib.sha256(json.dumps(seal, sort_keys=True).encode("ascii")).hexdigest()


def chunk_digest(key: str, point: int, chunk: int, games: int, blob: bytes) -> Digest:
    """The digest binding a chunk's data to the run and its place: ``key`` is the seal
    (:func:`seal_key`) in a store of version 3, the stored spec text in version 2."""
    h = hashlib.sha256(b"wargame chunk\0")
    h.update(key.encode("utf-8"))
    h.update(f"\0{point}\0{chunk}\0{games}\0".encode("ascii"))
    h.update(blob)
    return h.hexdigest()


OPTIONAL_ARRAYS = frozenset({"garrison_sum", "garrison_bins", "garrison_min", "garrison_max",
                             *CIVILIAN_ARRAYS, "civilians_by_turn_sum"})
"""Arrays a chunk stored by an older version lacks (its batch then reports no garrisons, or
no civilian counts)."""


def rows_digest(rows: list[tuple[Any, Any, Any, Any]]) -> Digest:
    """The digest of a store's chunk rows ``(point, chunk, games, digest)``, in any order."""
    h = hashlib.sha256(b"wargame rows\0")
    for row in sorted(rows, key=repr):
        h.update(repr(tuple(row)).encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


class AtMost(int):
    """An axis of any length up to this one (a histogram's occupied bins)."""


Shape = tuple[int | None, ...]


def expected_arrays(labels: Labels, per_turn: bool, compare_outcomes: int | None = None,
                    legacy: bool = False,
                    branch: int | None = None) -> dict[str, tuple[Shape, str]]:
    """Name -> (shape, dtype kind) of what a chunk holds; ``None`` is the turn axis ``T+1``,
    which a sweep of ``scenario.turns`` varies from point to point, and :class:`AtMost` the
    occupied bins of a histogram. ``legacy``: the dense histograms of stores before
    version 3. ``branch``: the paired counts of a branch (``wargame branch``) that changes
    that many parameters, with the games that met its condition."""
    if compare_outcomes is not None:
        return {"games": ((), "i"), "pair": ((compare_outcomes, 4), "i")}
    if branch is not None:
        o, t1 = len(labels.outcomes), len(labels.end_dates)
        return {"games": ((), "i"), "kept": ((), "i"), "pair": ((o, 4), "i"),
                "pair_turn_a": ((o, t1), "i"), "pair_turn_b": ((o, t1), "i"),
                "pair_shift": ((o, 2 * t1 - 1), "i"), "changed_read": ((branch,), "i")}
    o, n, f = len(labels.outcomes), len(labels.settlements), len(labels.factions)
    out: dict[str, tuple[Shape, str]] = {
        "games": ((), "i"), "outcome_count": ((o,), "i"), "outcome_turn": ((o, None), "i"),
        "control": ((n, f + 1), "i")}
    for name in SUM_FIELDS:
        out[f"{name}_sum"] = ((f,), "f")
    for name in HIST_FIELDS:
        if legacy:
            out[f"{name}_hist"] = ((f, LEGACY_BINS.size), "i")
        else:
            out[f"{name}_bins"] = ((AtMost(f * BINS.size), 3), "i")
        out[f"{name}_min"] = ((f,), "f")
        out[f"{name}_max"] = ((f,), "f")
    out.update({"garrison_sum": ((n,), "f"), "garrison_bins": ((AtMost(n * BINS.size), 3), "i"),
                "garrison_min": ((n,), "f"), "garrison_max": ((n,), "f")})
    out.update({"civilians_sum": ((2,), "f"), "civilians_bins": ((AtMost(2 * BINS.size), 3), "i"),
                "civilians_min": ((2,), "f"), "civilians_max": ((2,), "f"),
                "killed_sum": ((n,), "f"), "displaced_sum": ((n,), "f")})
    if per_turn:
        out["civilians_by_turn_sum"] = ((None, 2), "f")
        out["control_by_turn"] = ((None, n, f + 1), "i")
        out["outcome_by_turn"] = ((None, o), "i")
    return out


def from_legacy(arrays: Arrays) -> Arrays:
    """A chunk of a store before version 3 with its dense histograms made sparse: the same
    bins, and the last one (every value from 1e9 up) as the bin of 1e9."""
    out = dict(arrays)
    top = int(BINS.index(np.array([LEGACY_BINS.top]))[0])
    for name in HIST_FIELDS:
        dense = np.asarray(out.pop(f"{name}_hist"), dtype=np.int64)
        f_idx, b_idx = np.nonzero(dense)
        b_new = np.where(b_idx >= LEGACY_BINS.size - 1, top, b_idx)
        out[f"{name}_bins"] = merge_sparse(f_idx * BINS.size + b_new, dense[f_idx, b_idx], BINS)
    return out


def check_blob(blob: bytes, expected: dict[str, tuple[Shape, str]]) -> None:
    """Before decompressing: the ``.npz`` holds the expected arrays and no more bytes than they
    need (so a small blob cannot expand to gigabytes)."""
    try:
        with zipfile.ZipFile(io.BytesIO(blob)) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise BadStore("its data is not a NumPy archive") from None
    names = {i.filename.removesuffix(".npy") for i in infos}
    if not names <= set(expected) or not set(expected) - names <= OPTIONAL_ARRAYS:
        raise BadStore("it does not hold the arrays of this run")
    for info in infos:
        shape, _ = expected[info.filename.removesuffix(".npy")]
        cells = int(np.prod([MAX_TURNS + 1 if s is None else s for s in shape]))
        if info.file_size > 8 * cells + 4096:  # 8-byte values and a header
            raise BadStore(f"its array {info.filename!r} is larger than this run's")


def check_arrays(arrays: Arrays, expected: dict[str, tuple[Shape, str]], games: int) -> None:
    """After decompressing: each array of the expected type and shape, counts not negative, the
    games as planned (:class:`BadStore` otherwise)."""
    turns = None
    for name, (shape, kind) in expected.items():
        if name in OPTIONAL_ARRAYS and name not in arrays:
            continue
        a = arrays[name]
        if a.dtype.kind not in _KINDS[kind] or a.ndim != len(shape):
            raise BadStore(f"its array {name!r} is not of the right type")
        for got, want in zip(a.shape, shape, strict=True):
            if isinstance(want, AtMost):
                if got > want:
                    raise BadStore(f"its array {name!r} is larger than this run's")
            elif want is None:
                if not 2 <= got <= MAX_TURNS + 1 or turns not in (None, got):
                    raise BadStore(f"its array {name!r} has the wrong number of turns")
                turns = got
            elif got != want:
                raise BadStore(f"its array {name!r} is not of this run's shape")
        if kind == "i" and a.size and int(a.min()) < 0:
            raise BadStore(f"its array {name!r} holds negative counts")
        if kind == "f" and not name.endswith(("_min", "_max")) and not np.isfinite(a).all():
            raise BadStore(f"its array {name!r} holds values that are not finite")
    if int(arrays["games"]) != games:
        raise BadStore(f"it holds {int(arrays['games'])} games where its row says {games}")
    factions = expected["strength_sum"][0][0] if "strength_sum" in expected else None
    for name in HIST_FIELDS:
        if f"{name}_bins" in expected and factions is not None:
            _check_bins(name, arrays[f"{name}_bins"], factions, games)


def _check_bins(name: str, rows: np.ndarray, factions: int, games: int) -> None:
    """A sparse histogram: rows of a faction and a bin this run has, each once and in order,
    every count at least 1, and each faction's games adding up to the chunk's."""
    if rows.size and (rows[:, 0].max() >= factions or rows[:, 1].max() >= BINS.size
                      or rows[:, 2].min() < 1):
        raise BadStore(f"its histogram {name!r} holds a bin this run has not")
    keys = rows[:, 0] * BINS.size + rows[:, 1]
    if (np.diff(keys) <= 0).any():
        raise BadStore(f"its histogram {name!r} is out of order")
    per = np.bincount(rows[:, 0], weights=rows[:, 2], minlength=factions) if rows.size \
        else np.zeros(factions)
    if factions and not (per == games).all():
        raise BadStore(f"its histogram {name!r} does not count every game once")
