"""The three jobs behind the commands: a batch, a sweep and a comparison.

Each job checks its options, fixes the seed, loads and compiles the scenario(s), opens the
store, runs the chunks on the chosen executor and returns JSON-ready results. Nothing here
prints: messages for the user go to ``sink.note`` and progress to ``sink.advance``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from wargame.batch import sensitivity, sweep
from wargame.batch.executors import make_executor
from wargame.batch.run import collect, play_chunk, play_pair
from wargame.batch.seeds import DEFAULT_CHUNK_SIZE, ChunkPlan, fresh_seed
from wargame.batch.spec import BatchSpec, Point
from wargame.batch.stats import paired_difference, wilson
from wargame.batch.store import Store, create_or_resume, peek_spec
from wargame.batch.summary import Labels, batch_summary, precise_enough
from wargame.batch.tally import Tally
from wargame.errors import UsageError
from wargame.scenario import Loaded, Scenario, load

DEFAULT_RUNS = 1000
DEFAULT_PRECISION_CAP = 100_000
DateOf = Callable[[Scenario, int], dt.date]


class Sink(Protocol):
    """Where a job reports: notes (stderr) and progress in games."""

    def note(self, message: str) -> None:
        """A line for the user (not a result)."""

    def start(self, total: int) -> None:
        """The number of games the job will play at most."""

    def advance(self, games: int) -> None:
        """``games`` more games counted."""


@dataclass(frozen=True)
class Options:
    """Options shared by the jobs (``None``: the default, or the stored value on resume)."""

    runs: int | None = None
    seed: int | None = None
    chunk_size: int | None = None
    workers: int | None = None
    scheduler: str | None = None
    turns: int | None = None
    store: Path | None = None
    resume: bool = False


def _check(opts: Options) -> None:
    for name, value in (("--runs", opts.runs), ("--chunk-size", opts.chunk_size)):
        if value is not None and value < 1:
            raise UsageError(f"{name} must be at least 1 (got {value})")
    if opts.seed is not None and opts.seed < 0:
        raise UsageError(f"--seed must not be negative (got {opts.seed})")
    if opts.turns is not None and opts.turns < 1:
        raise UsageError(f"--turns must be at least 1 (got {opts.turns})")
    if opts.resume and opts.store is None:
        raise UsageError("--resume needs --store FILE (the store to continue)")


def _settle(opts: Options, sink: Sink, default_runs: int) -> Options:
    """Fill the seed, runs and chunk size: from the store on resume, else defaults or fresh."""
    _check(opts)
    stored = peek_spec(opts.store) if opts.store is not None and opts.resume else None
    if stored is not None:
        opts = replace(opts, seed=stored.seed if opts.seed is None else opts.seed,
                       runs=stored.runs if opts.runs is None else opts.runs,
                       chunk_size=stored.chunk_size if opts.chunk_size is None
                       else opts.chunk_size)
    if opts.seed is None:
        opts = replace(opts, seed=fresh_seed())
        sink.note(f"seed {opts.seed} (pass --seed {opts.seed} to replay this run)")
    opts = replace(opts, runs=opts.runs or default_runs,
                   chunk_size=opts.chunk_size or DEFAULT_CHUNK_SIZE)
    try:
        ChunkPlan(opts.runs or 1, opts.chunk_size or 1)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return opts


def labels_for(loaded: Loaded, turns: int, date_of: DateOf) -> Labels:
    """Ids, names and turn dates of a scenario, for tables and stores."""
    sc = loaded.scenario
    return Labels(
        factions=list(sc.factions), faction_names=[f.name for f in sc.factions.values()],
        settlements=list(sc.settlements),
        settlement_names=[s.name for s in sc.settlements.values()],
        outcomes=list(sc.outcomes), outcome_names=[o.name for o in sc.outcomes.values()],
        dates=[date_of(sc, t).isoformat() for t in range(turns + 1)])


def _run(spec: BatchSpec, fn: Any, shared: Any, opts: Options, sink: Sink, labels: Labels,
         points: int | None = None) -> list[Tally]:
    executor = make_executor(opts.workers, opts.scheduler)
    store: Store | None = None
    try:
        if opts.store is not None:
            store = create_or_resume(opts.store, spec, labels.to_dict(), opts.resume)
            if opts.resume and store.done():
                sink.note(f"resuming: {len(store.done())} chunk(s) already in {opts.store}")
                stored = store.spec().versions
                if stored != spec.versions:
                    sink.note(f"warning: the stored chunks were played with {stored}, this run "
                              f"uses {spec.versions}; the result may differ from an "
                              "uninterrupted run")
        sink.start(spec.runs * (points or spec.n_points))
        return collect(spec, fn, shared, executor, store, sink.advance, points)
    finally:
        if store is not None:
            store.close()
        close = getattr(executor, "close", None)
        if close is not None:
            close()


def batch_job(path: Path, overrides: list[str], opts: Options, sink: Sink, date_of: DateOf,
              per_turn: bool = False, precision: float | None = None) -> dict[str, Any]:
    """``wargame batch``: outcome, control and strength statistics of many games."""
    if precision is not None and not 0 < precision < 0.5:
        raise UsageError(f"--precision must be between 0 and 0.5 (got {precision})")
    opts = _settle(opts, sink, DEFAULT_PRECISION_CAP if precision is not None else DEFAULT_RUNS)
    loaded = load(path, overrides)
    turns = opts.turns or loaded.scenario.scenario.turns
    spec = BatchSpec("batch", str(path), loaded.digest, list(overrides), int(opts.seed or 0),
                     int(opts.runs or 0), int(opts.chunk_size or 0), turns, per_turn, precision)
    labels = labels_for(loaded, turns, date_of)
    from wargame.engine import compile_scenario

    tally = _run(spec, play_chunk, {0: compile_scenario(loaded.scenario)}, opts, sink,
                 labels)[0]
    if precision is not None:
        if precise_enough(tally, precision):
            sink.note(f"every outcome within ±{precision:g} after {tally.games:,} games")
        else:
            sink.note(f"stopped at the cap of {spec.runs:,} games before every outcome "
                      f"was within ±{precision:g}; raise --runs to go on")
    return batch_summary(spec, tally, labels)


def sweep_job(path: Path, overrides: list[str], varies: list[str], design: str,
              points: int | None, opts: Options, sink: Sink,
              date_of: DateOf) -> dict[str, Any]:
    """``wargame sweep``: outcome probabilities at every point and a sensitivity summary."""
    parsed = [sweep.parse_vary(v) for v in varies]
    opts = _settle(opts, sink, DEFAULT_RUNS)
    seed = int(opts.seed or 0)
    values, unit = sweep.design_points(parsed, design, points, seed)
    if design != "grid":
        sensitivity.need_salib()
    base = load(path, overrides)
    pts, loadeds = sweep.load_points(path, overrides, values, base)
    varies_turns = any(v.path == "scenario.turns" for v in parsed)
    turns = opts.turns or (None if varies_turns else base.scenario.scenario.turns)
    design_info = {"design": design, "vary": list(varies), "points": points,
                   "unit": None if unit is None else unit.tolist()}
    spec = BatchSpec("sweep", str(path), base.digest, list(overrides), seed,
                     int(opts.runs or 0), int(opts.chunk_size or 0), turns,
                     points=pts, design=design_info)
    labels = labels_for(base, turns or base.scenario.scenario.turns, date_of)
    from wargame.engine import compile_scenario

    shared = {k: compile_scenario(one.scenario) for k, one in enumerate(loadeds)}
    tallies = _run(spec, play_chunk, shared, opts, sink, labels)
    return sweep_summary(spec, tallies, labels)


def sweep_summary(spec: BatchSpec, tallies: list[Tally], labels: Labels) -> dict[str, Any]:
    """Per-point outcome probabilities and the sensitivity summary, JSON-ready."""
    rows = []
    for k, (pt, tally) in enumerate(zip(spec.points, tallies, strict=True)):
        outs = []
        for o, oid in enumerate(labels.outcomes):
            n = tally.games
            c = int(tally.ints["outcome_count"][o]) if n else 0
            ci = wilson(c, n)
            outs.append({"id": oid, "count": c, "probability": None if n == 0 else ci.estimate,
                         "ci95": [ci.low, ci.high]})
        rows.append({"point": k + 1, "values": pt.values, "digest": pt.digest,
                     "games": tally.games, "outcomes": outs})
    design = spec.design.get("design", "grid")
    paths = [sweep.parse_vary(v).path for v in spec.design.get("vary", [])]
    complete = all(t.games for t in tallies)
    sens: dict[str, Any] | None = None
    if complete and labels.outcomes:
        probs = {oid: _probs(rows, o) for o, oid in enumerate(labels.outcomes)}
        unit = spec.design.get("unit")
        import numpy as np

        sens = sensitivity.summarise(design, [pt.values for pt in spec.points],
                                     None if unit is None else np.asarray(unit), paths,
                                     probs, spec.seed)
    meta = spec.to_dict()
    meta.pop("points")
    meta.pop("design")
    meta["design"] = {k: v for k, v in spec.design.items() if k != "unit"}
    meta["games"] = sum(t.games for t in tallies)
    return {"meta": meta, "outcomes": [{"id": i, "name": n} for i, n in
                                       zip(labels.outcomes, labels.outcome_names, strict=True)],
            "points": rows, "sensitivity": sens}


def _probs(rows: list[dict[str, Any]], o: int) -> Any:
    import numpy as np

    return np.array([r["outcomes"][o]["probability"] for r in rows], dtype=float)


def compare_job(path_a: Path, path_b: Path, overrides: list[str], opts: Options,
                sink: Sink) -> dict[str, Any]:
    """``wargame compare``: each outcome in A and B and the paired difference B - A."""
    if opts.store is not None:
        raise UsageError("compare does not keep a store")
    opts = _settle(opts, sink, DEFAULT_RUNS)
    a, b = load(path_a, overrides), load(path_b, overrides)
    out_a, out_b = list(a.scenario.outcomes), list(b.scenario.outcomes)
    shared_ids = [o for o in out_a if o in out_b]
    for side, ids in (("A", out_a), ("B", out_b)):
        lone = [o for o in ids if o not in shared_ids]
        if lone:
            sink.note(f"only in {side}, not compared: {', '.join(lone)}")
    if not shared_ids:
        raise UsageError(f"{path_a} and {path_b} share no outcome ids to compare")
    turns = opts.turns
    spec = BatchSpec("compare", str(path_a), a.digest, list(overrides), int(opts.seed or 0),
                     int(opts.runs or 0), int(opts.chunk_size or 0), turns,
                     points=[Point({"scenario": str(path_a)}, [], a.digest),
                             Point({"scenario": str(path_b)}, [], b.digest)])
    from wargame.engine import compile_scenario

    shared = (compile_scenario(a.scenario), compile_scenario(b.scenario),
              [out_a.index(o) for o in shared_ids], [out_b.index(o) for o in shared_ids])
    executor = make_executor(opts.workers, opts.scheduler)
    sink.start(spec.runs)
    try:
        tally = collect(spec, play_pair, shared, executor, None, sink.advance, points=1)[0]
    finally:
        close = getattr(executor, "close", None)
        if close is not None:
            close()
    names = {o: v.name for o, v in a.scenario.outcomes.items()}
    rows = []
    for k, oid in enumerate(shared_ids):
        both, a_only, b_only, neither = (int(x) for x in tally.ints["pair"][k])
        n = both + a_only + b_only + neither
        pa, pb = wilson(both + a_only, n), wilson(both + b_only, n)
        d = paired_difference(both, a_only, b_only, neither)
        rows.append({"id": oid, "name": names[oid], "games": n,
                     "a": {"probability": pa.estimate, "ci95": [pa.low, pa.high]},
                     "b": {"probability": pb.estimate, "ci95": [pb.low, pb.high]},
                     "difference": {"estimate": d.estimate, "ci95": [d.low, d.high],
                                    "method": "Newcombe (1998) paired, method 10"},
                     "pairs": {"both": both, "a_only": a_only, "b_only": b_only,
                               "neither": neither}})
    meta = spec.to_dict()
    meta.pop("points")
    meta.pop("design")
    meta.pop("per_turn")
    meta.pop("precision")
    meta.update(a={"scenario": str(path_a), "digest": a.digest},
                b={"scenario": str(path_b), "digest": b.digest}, games=tally.games)
    meta.pop("scenario")
    meta.pop("digest")
    return {"meta": meta, "outcomes": rows}
