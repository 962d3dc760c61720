"""The jobs behind the API and the commands: a batch, a sweep, a comparison, a stored run.

Each job checks its options, fixes the seed, loads and compiles the scenario(s), opens the
store, runs the chunks on the chosen executor and returns a typed result
(:class:`~wargame.montecarlo.results.BatchResult`,
:class:`~wargame.montecarlo.sweep_result.SweepResult`,
:class:`~wargame.montecarlo.compare_result.CompareResult`). Nothing here prints: messages for the
user go to ``sink.note`` (and into the result's ``notes``) and progress to ``sink.advance``.
:mod:`wargame.api` gives these jobs their public signatures; the CLI calls that.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from wargame.arguments import flag, path, share, text, texts, whole
from wargame.display import plural
from wargame.errors import UsageError
from wargame.jsontypes import JSONObject, JSONValue
from wargame.montecarlo.executors import Executor, make_executor
from wargame.montecarlo.results import BatchResult
from wargame.montecarlo.run import collect, play_chunk, play_pair, tallies_from_store
from wargame.montecarlo.seeds import DEFAULT_CHUNK_SIZE, fresh_seed
from wargame.montecarlo.spec import BatchSpec, Point, PointValues, SweepDesign
from wargame.montecarlo.store import (
    SCHEMA_VERSION,
    UNSEALED_VERSION,
    BadStoreFile,
    Store,
    create_or_resume,
    open_existing,
    peek_spec,
)
from wargame.montecarlo.store_check import check_plan
from wargame.montecarlo.summary import Labels, precise_enough
from wargame.montecarlo.tally import Tally
from wargame.montecarlo.workers import auto_workers, available_cores
from wargame.scenario import Loaded, load
from wargame.scenario.calendar import turn_end, turn_start
from wargame.scenario.limits import (
    check_memory,
    check_sweep_memory,
    check_turns,
    game_bytes,
    shape,
)
from wargame.textsafe import excerpt

if TYPE_CHECKING:  # a batch needs none of these: they load with the job that does
    from wargame.montecarlo.branch_result import BranchResult
    from wargame.montecarlo.compare_result import CompareResult
    from wargame.montecarlo.sweep_result import SweepResult

DEFAULT_RUNS = 1000
DEFAULT_PRECISION_CAP = 100_000
ScenarioArg = str | Path | Loaded


class Sink(Protocol):
    """Where a job reports: notes (stderr in the CLI) and progress in games."""

    def note(self, message: str) -> None:
        """A line for the user (not a result)."""

    def start(self, total: int) -> None:
        """The number of games the job will play at most."""

    def advance(self, games: int) -> None:
        """``games`` more games counted."""


class Quiet:
    """A sink that shows nothing (the API's default; notes still reach the result)."""

    def note(self, message: str) -> None:
        """Drop the note."""

    def start(self, total: int) -> None:
        """Nothing to start."""

    def advance(self, games: int) -> None:
        """Nothing to show."""


class _Notes:
    """Passes notes on to the sink and keeps them for the result."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.kept: list[str] = []
        self.drawn: int | None = None   # a fresh seed not yet announced

    def note(self, message: str) -> None:
        self.kept.append(message)
        self.sink.note(message)


@dataclass(frozen=True)
class Options:
    """Options shared by the jobs (``None``: the default, or the stored value on resume).

    ``executor`` is an object with the :class:`~wargame.montecarlo.executors.Executor` protocol
    to run the chunks on instead of ``workers``/``scheduler`` (the caller closes it).
    """

    runs: int | None = None
    seed: int | None = None
    chunk_size: int | None = None
    workers: int | None = None
    scheduler: str | None = None
    turns: int | None = None
    store: Path | None = None
    resume: bool = False
    executor: Executor | None = None


def _check(opts: Options) -> None:
    """Every option of the right type and in its range (:mod:`wargame.arguments`)."""
    whole("--runs", opts.runs, 1)
    whole("--chunk-size", opts.chunk_size, 1)
    whole("--seed", opts.seed, 0)
    whole("--workers", opts.workers, 1)
    check_turns(opts.turns)
    text("--scheduler", opts.scheduler)
    path("--store", opts.store)
    flag("--resume", opts.resume)
    if opts.executor is not None and not callable(getattr(opts.executor, "imap", None)):
        raise UsageError("executor must have an imap(fn, shared, tasks) method (see "
                         "wargame.montecarlo.executors.Executor)")
    if opts.resume and opts.store is None:
        raise UsageError("--resume needs --store FILE (the store to continue)")
    if opts.executor is not None and (opts.workers not in (None, 1) or opts.scheduler):
        raise UsageError("give an executor, or workers/scheduler, not both")


def _settle(opts: Options, notes: _Notes, default_runs: int) -> Options:
    """Fill the seed, runs and chunk size: from the store on resume, else defaults or fresh.

    A fresh seed is noted by :func:`_announce` once the inputs are known to be good (valid,
    within the memory budget), so that an error is never preceded by a seed.
    """
    _check(opts)
    stored = peek_spec(opts.store) if opts.store is not None and opts.resume else None
    if stored is not None:
        opts = replace(opts, seed=stored.seed if opts.seed is None else opts.seed,
                       runs=stored.runs if opts.runs is None else opts.runs,
                       chunk_size=stored.chunk_size if opts.chunk_size is None
                       else opts.chunk_size)
    if opts.seed is None:
        opts = replace(opts, seed=fresh_seed())
        notes.drawn = opts.seed
    opts = replace(opts, runs=opts.runs or default_runs,
                   chunk_size=opts.chunk_size or DEFAULT_CHUNK_SIZE)
    _check_plan(opts, 1)
    return opts


def _check_plan(opts: Options, points: int) -> None:
    """The run's chunks counted before any is built (at most MAX_PLANNED_CHUNKS)."""
    try:
        check_plan(opts.runs or 1, opts.chunk_size or 1, points)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _announce(notes: _Notes) -> None:
    """Say the fresh seed drawn by :func:`_settle`, once."""
    if notes.drawn is not None:
        notes.note(f"seed {notes.drawn} (pass --seed {notes.drawn} to replay this run)")
        notes.drawn = None


def resolve(scenario: ScenarioArg, overrides: Sequence[str]) -> tuple[str, Loaded]:
    """The scenario's name as given and its loaded form with every override applied.

    A :class:`~wargame.scenario.Loaded` scenario keeps its own overrides; ``overrides`` go on
    top, exactly as ``load(path, [*its_overrides, *overrides])`` would apply them.
    """
    overrides = texts("overrides", overrides)
    if isinstance(scenario, Loaded):
        from wargame.scenario.overrides import apply_overrides

        loaded = apply_overrides(scenario, list(overrides)) if overrides else scenario
        return scenario.path, loaded
    if not isinstance(scenario, (str, Path)) or not str(scenario):
        raise UsageError("the scenario must be a file name or a scenario from wargame.load "
                         f"(got {excerpt(repr(scenario), 60)})")
    return str(Path(scenario)), load(Path(scenario), list(overrides))


def labels_for(loaded: Loaded, turns: int) -> Labels:
    """Ids, names and turn dates of a scenario, for tables and stores."""
    sc = loaded.scenario
    starts = [turn_start(sc, t) for t in range(turns + 1)]
    return Labels(
        factions=list(sc.factions), faction_names=[f.name for f in sc.factions.values()],
        settlements=list(sc.settlements),
        settlement_names=[s.name for s in sc.settlements.values()],
        outcomes=list(sc.outcomes), outcome_names=[o.name for o in sc.outcomes.values()],
        start_dates=[None if d is None else d.isoformat() for d in starts],
        end_dates=[turn_end(sc, t).isoformat() for t in range(turns + 1)])


@dataclass(frozen=True)
class Work:
    """The size of a run, for the default number of workers (:mod:`wargame.montecarlo.workers`):
    its games and chunks, and a game's turns and places × turns (summed over the scenarios a
    chunk plays)."""

    games: int
    chunks: int
    turns: int
    place_turns: int

    @staticmethod
    def of(spec: BatchSpec, scenarios: Sequence[Any], turns: int | None, points: int) -> Work:
        """The work of ``spec`` at ``points`` points, each chunk playing ``scenarios``
        (schema scenarios) ``turns`` turns or their own."""
        played = [turns or sc.scenario.turns for sc in scenarios]
        return Work(spec.runs * points, spec.plan.n_chunks * points, sum(played),
                    sum(len(sc.settlements) * t for sc, t in zip(scenarios, played, strict=True)))


def _workers(opts: Options, work: Work) -> int | None:
    """``--workers`` as given, or without it (and without a scheduler or an executor) the
    number the run's size calls for on this machine (:func:`~.workers.auto_workers`)."""
    if opts.workers is not None or opts.scheduler is not None or opts.executor is not None:
        return opts.workers
    return auto_workers(work.games, work.chunks, work.turns, work.place_turns,
                        available_cores())


@contextmanager
def _executor(opts: Options, sink: Sink, work: Work) -> Iterator[Executor]:
    """The chunks' executor for ``work``; one made here is closed here, one given is the
    caller's. A sink with a ``workers(count)`` method (the CLI's progress bar) is told how
    many worker processes play."""
    if opts.executor is not None:
        yield opts.executor
        return
    workers = _workers(opts, work)
    executor = make_executor(workers, opts.scheduler)
    told = getattr(sink, "workers", None)
    if callable(told) and opts.scheduler is None:
        told(getattr(executor, "workers", 1))
    try:
        yield executor
    finally:
        close = getattr(executor, "close", None)
        if close is not None:
            close()


def _run(spec: BatchSpec, shared: Any, opts: Options, sink: Sink, notes: _Notes,
         labels: Labels, work: Work, records: Any = None, scenario: Loaded | None = None,
         fn: Any = play_chunk) -> list[Tally]:
    """Play the run's chunks (``work``) with ``fn`` (a batch's or sweep's by default) into the
    store, if any, and return the totals."""
    store: Store | None = None
    with _executor(opts, sink, work) as executor:
        try:
            if opts.store is not None:
                store = create_or_resume(opts.store, spec, labels, opts.resume,
                                         None if scenario is None else scenario.data)
                if opts.resume and store.done():
                    notes.note(f"resuming: {len(store.done())} chunk(s) already in "
                               f"{opts.store}" + (" (played again for their per-game "
                                                  "records)" if records is not None else ""))
                    stored = store.spec().versions
                    if stored != spec.versions:
                        notes.note(f"warning: the stored chunks were played with {stored}, "
                                   f"this run uses {spec.versions}; the result may differ "
                                   "from an uninterrupted run")
            sink.start(spec.runs * spec.n_points)
            tallies = collect(spec, fn, shared, executor, store, sink.advance,
                              records=records)
            if store is not None:
                store.finish()  # a row changed from now on is a change, not an unfinished run
            return tallies
        finally:
            if store is not None:
                store.close()


def batch_job(scenario: ScenarioArg, overrides: Sequence[str], opts: Options, sink: Sink,
              per_turn: bool = False, precision: float | None = None,
              games: Path | bool | None = None) -> BatchResult:
    """``wargame batch``: outcome, control and strength statistics of many games.

    ``games``: a ``.parquet`` path to stream one record per game to, ``True`` to keep them in
    memory (``result.records``), or ``None``.
    """
    from wargame.engine import compile_scenario
    from wargame.montecarlo import games as gm

    share("--precision", precision, 0, 0.5)
    flag("--per-turn", per_turn)
    if games is not None and not isinstance(games, (bool, Path)):
        raise UsageError("games must be a .parquet file name, True (keep the records in "
                         f"memory) or None (got {excerpt(repr(games), 60)})")
    if isinstance(games, Path):
        gm.check_games_path(games)
    notes = _Notes(sink)
    _check(opts)
    name, loaded = resolve(scenario, overrides)  # a bad file fails before a seed is drawn
    opts = _settle(opts, notes, DEFAULT_PRECISION_CAP if precision is not None else DEFAULT_RUNS)
    turns = opts.turns or loaded.scenario.scenario.turns
    spec = BatchSpec("batch", name, loaded.digest, list(loaded.overrides), int(opts.seed or 0),
                     int(opts.runs or 0), int(opts.chunk_size or 0), turns, per_turn, precision)
    labels = labels_for(loaded, turns)
    check_memory([shape(loaded.scenario, turns)], min(spec.runs, spec.chunk_size),
                 per_turn or bool(games))
    _announce(notes)   # the run fits: now the seed is worth noting
    compiled = compile_scenario(loaded.scenario)
    sink_records = None
    if games:
        layout = gm.layout_for(compiled, spec.seed, spec.chunk_size)
        sink_records = gm.RecordSink(layout, games if isinstance(games, Path) else None,
                                     {**spec.to_dict(), "seed": str(spec.seed)})
    ok = False
    try:
        tally = _run(spec, {0: compiled}, opts, sink, notes, labels,
                     Work.of(spec, [loaded.scenario], turns, 1), sink_records, loaded)[0]
        ok = True
    finally:
        records = sink_records.close(ok) if sink_records is not None else None
    if precision is not None:
        if precise_enough(tally, precision):
            notes.note(f"every outcome within ±{precision:g} after {plural(tally.games, 'game')}")
        else:
            notes.note(f"stopped at the cap of {plural(spec.runs, 'game')} before every outcome "
                       f"was within ±{precision:g}; raise --runs to go on")
    return BatchResult.from_tally(spec, tally, labels, loaded=loaded, records=records,
                                  notes=tuple(notes.kept))


def sweep_job(scenario: ScenarioArg, overrides: Sequence[str], varies: Sequence[str],
              design: str, points: int | None, opts: Options, sink: Sink) -> SweepResult:
    """``wargame sweep``: outcome probabilities at every point and a sensitivity summary."""
    from wargame.montecarlo import sensitivity, sweep

    parsed = [sweep.parse_vary(v) for v in varies]
    notes = _Notes(sink)
    _check(opts)
    resolve(scenario, overrides)  # a bad file fails before a seed is drawn (loads are cached)
    opts = _settle(opts, notes, DEFAULT_RUNS)
    seed = int(opts.seed or 0)
    values, unit = sweep.design_points(parsed, design, points, seed)
    if design != "grid":
        sensitivity.need_salib()
    varies_turns = any(v.path == "scenario.turns" for v in parsed)
    design_info = SweepDesign(design, list(varies), points,
                              None if unit is None else unit.tolist())
    return _points(scenario, overrides, values, opts, sink, notes, design_info, varies_turns)


def points_job(scenario: ScenarioArg, overrides: Sequence[str], values: list[PointValues],
               opts: Options, sink: Sink) -> SweepResult:
    """Every variant (``--set`` values on top of ``overrides``) on the same seed.

    A point with no values is the scenario as given. Common random numbers: every point plays
    the same chunk streams, as in ``wargame sweep``.
    """
    notes = _Notes(sink)
    _check(opts)
    resolve(scenario, overrides)  # a bad file fails before a seed is drawn (loads are cached)
    opts = _settle(opts, notes, DEFAULT_RUNS)
    return _points(scenario, overrides, values, opts, sink, notes, None, False)


def _points(scenario: ScenarioArg, overrides: Sequence[str], values: list[PointValues],
            opts: Options, sink: Sink, notes: _Notes, design_info: SweepDesign | None,
            varies_turns: bool) -> SweepResult:
    from wargame.montecarlo import sweep
    from wargame.montecarlo.sweep_result import SweepResult

    name, base = resolve(scenario, overrides)
    _check_plan(opts, len(values))
    pts, shapes = sweep.load_points(Path(name), list(base.overrides), values, base)
    turns = opts.turns or (None if varies_turns else base.scenario.scenario.turns)
    spec = BatchSpec("sweep", name, base.digest, list(base.overrides), int(opts.seed or 0),
                     int(opts.runs or 0), int(opts.chunk_size or 0), turns,
                     points=pts, design=design_info)
    labels = labels_for(base, turns or base.scenario.scenario.turns)
    biggest = max(((n, f, o, turns or t) for n, f, o, t in shapes),
                  key=lambda s: game_bytes(s[0], s[1], s[2], s[3], False))
    check_memory([biggest], min(spec.runs, spec.chunk_size), False)
    check_sweep_memory(len(pts), biggest, spec.runs, min(spec.runs, spec.chunk_size))
    _announce(notes)   # every point is valid and fits: now the seed is worth noting
    shared = sweep.PointScenarios(base, [pt.overrides for pt in pts])
    work = Work.of(spec, [base.scenario], turns, spec.n_points)
    tallies = _run(spec, shared, opts, sink, notes, labels, work, scenario=base)
    return SweepResult.from_tallies(spec, tallies, labels, notes=tuple(notes.kept))


def compare_job(a: ScenarioArg, b: ScenarioArg, overrides: Sequence[str], opts: Options,
                sink: Sink) -> CompareResult:
    """``wargame compare``: each outcome in A and B and the paired difference B - A."""
    from wargame.engine import compile_scenario
    from wargame.montecarlo.compare_result import CompareResult, Side

    if opts.store is not None:
        raise UsageError("compare does not keep a store")
    notes = _Notes(sink)
    _check(opts)
    (name_a, la), (name_b, lb) = resolve(a, overrides), resolve(b, overrides)
    _same_theatre(name_a, la, name_b, lb, notes)
    opts = _settle(opts, notes, DEFAULT_RUNS)
    out_a, out_b = list(la.scenario.outcomes), list(lb.scenario.outcomes)
    shared_ids = [o for o in out_a if o in out_b]
    for side, ids in (("A", out_a), ("B", out_b)):
        lone = [o for o in ids if o not in shared_ids]
        if lone:
            notes.note(f"only in {side}, not compared: {', '.join(lone)}")
    if not shared_ids:
        raise UsageError(f"{name_a} and {name_b} share no outcome ids to compare")
    for oid in shared_ids:
        if _question(la, oid) != _question(lb, oid):
            notes.note(f"note: outcome {oid} is tested differently in A and B; the two "
                       "probabilities answer different questions")
    spec = BatchSpec("compare", name_a, la.digest, list(la.overrides), int(opts.seed or 0),
                     int(opts.runs or 0), int(opts.chunk_size or 0), opts.turns,
                     points=[Point({"scenario": name_a}, [], la.digest),
                             Point({"scenario": name_b}, [], lb.digest)])
    check_memory([shape(la.scenario, opts.turns), shape(lb.scenario, opts.turns)],
                 min(spec.runs, spec.chunk_size), False)
    _announce(notes)   # both scenarios are comparable and fit: now the seed is worth noting
    shared = (compile_scenario(la.scenario), compile_scenario(lb.scenario),
              [out_a.index(o) for o in shared_ids], [out_b.index(o) for o in shared_ids])
    work = Work.of(spec, [la.scenario, lb.scenario], opts.turns, 1)
    with _executor(opts, sink, work) as executor:
        sink.start(spec.runs)
        tally = collect(spec, play_pair, shared, executor, None, sink.advance, points=1)[0]
    names = [la.scenario.outcomes[o].name for o in shared_ids]
    final = [la.scenario.outcomes[o].when == "final" for o in shared_ids]
    return CompareResult.from_tally(spec, Side(name_a, la.digest), Side(name_b, lb.digest),
                                    shared_ids, names, tally, final, notes=tuple(notes.kept))


_NOT_THE_TEST = ("name", "note", "source", "description")


def _question(loaded: Loaded, oid: str) -> object:
    """What an outcome tests (its definition without its name and notes)."""
    outcomes = loaded.data.get("outcomes")
    raw = outcomes.get(oid, {}) if isinstance(outcomes, dict) else {}
    return {k: v for k, v in raw.items() if k not in _NOT_THE_TEST} \
        if isinstance(raw, dict) else raw


def _same_theatre(name_a: str, la: Loaded, name_b: str, lb: Loaded, notes: _Notes) -> None:
    """Refuse to compare two unrelated scenarios; say what differs between two versions.

    ``compare`` pairs a scenario with a variant of it (usually ``extends:`` it): the same
    settlements and factions, with other values. Scenarios that share no settlement or no
    faction are refused; ones that share only some are compared with a note naming the rest.
    """
    sa, sb = la.scenario, lb.scenario
    for what, x, y in (("settlements", list(sa.settlements), list(sb.settlements)),
                       ("factions", list(sa.factions), list(sb.factions))):
        if not set(x) & set(y):
            raise UsageError(
                f"{name_a} and {name_b} are not two versions of one scenario: they share no "
                f"{what}. compare plays a scenario against a variant of it (one that "
                "extends: it), outcome by outcome")
        for side, mine, theirs in (("A", x, y), ("B", y, x)):
            lone = [i for i in mine if i not in theirs]
            if lone:
                notes.note(f"note: {what} only in {side}: {', '.join(lone)}")


@dataclass(frozen=True)
class Stored:
    """What a store holds: the kind of run, its results, whether it finished, the resolved
    scenario it was played from (``None`` in stores before version 2) and what reading it
    noticed (rows left out, chunks not checked)."""

    kind: str
    result: BatchResult | SweepResult | BranchResult
    complete: bool
    chunks: int
    expected: int
    scenario: JSONObject | None = None
    notes: tuple[str, ...] = ()


def read_store(path: Path) -> Stored:
    """Rebuild the results from a store (without the scenario file), checking it as it goes
    (:mod:`wargame.montecarlo.store_check`)."""
    with open_existing(path) as store:
        spec = store.spec()
        labels = store.labels()
        tallies, complete = tallies_from_store(store, spec)
        chunks = len(store.done())
        ignored = store.ignored()
        scenario = store.scenario()
        version = store.version
    notes: list[str] = []
    if ignored:
        notes.append(f"warning: {path} holds {ignored:,} chunk row(s) outside its run's plan; "
                     "they were left out")
    if version < SCHEMA_VERSION:
        what = ("its chunks carry no digest, so a changed chunk cannot be detected"
                if version < UNSEALED_VERSION else "its labels and scenario copy are not "
                "sealed, so a change to them cannot be detected")
        notes.append(f"note: {path} was made by an earlier wargame (store version {version}): "
                     f"{what}")
    expected = spec.plan.n_chunks * spec.n_points
    result: BatchResult | SweepResult | BranchResult
    if spec.kind == "batch":
        result = BatchResult.from_tally(spec, tallies[0], labels, complete=complete,
                                        notes=tuple(notes))
    elif spec.kind == "sweep":
        from wargame.montecarlo.sweep_result import SweepResult

        result = SweepResult.from_tallies(spec, tallies, labels, complete=complete,
                                          notes=tuple(notes))
    elif spec.kind == "branch":
        if not tallies[0].has("pair"):
            raise BadStoreFile(f"{path}: holds no finished chunk of its branch yet; run the "
                               "same command with --resume to play it")
        result = _stored_branch(spec, tallies[0], labels, scenario, complete, tuple(notes))
    else:
        raise BadStoreFile(f"{path}: holds a {spec.kind}, which is never stored")
    return Stored(spec.kind, result, complete, chunks, expected, scenario, tuple(notes))


def _stored_branch(spec: BatchSpec, tally: Tally, labels: Labels,
                   scenario: JSONObject | None, complete: bool,
                   notes: tuple[str, ...]) -> BranchResult:
    """A stored branch (``wargame branch --store``): outcomes judged at the end (which have no
    timing) are read from the store's copy of the scenario."""
    from wargame.montecarlo.branch_result import BranchResult

    outcomes = (scenario or {}).get("outcomes")
    final = [isinstance(outcomes, dict) and _when(outcomes.get(o)) == "final"
             for o in labels.outcomes]
    at, given = spec.branch.at, spec.branch.given
    names = dict(zip(labels.outcomes, labels.outcome_names, strict=True))
    return BranchResult.from_tally(spec, tally, labels.outcomes, labels.outcome_names, final,
                                   labels.end_dates[at] if at < len(labels.end_dates) else None,
                                   None if given is None else names.get(given),
                                   complete=complete, notes=notes)


def _when(outcome: JSONValue) -> JSONValue:
    """An outcome's ``when`` in a stored scenario copy (``None`` if it has none)."""
    return outcome.get("when") if isinstance(outcome, dict) else None


def embedded_scenario(store: Path, data: JSONObject, spec: BatchSpec) -> Loaded:
    """The scenario a store keeps, validated as a scenario file is."""
    from wargame.scenario.load import from_data

    return from_data(data, f"{store} (its scenario)", spec.scenario, tuple(spec.overrides))


def read_batch(store: Path, scenario: Path | None, sink: Sink) -> BatchResult:
    """A finished (or partial) ``wargame batch --store`` run, with the scenario it came from.

    The scenario gives names, coordinates and colours: by default the copy the store holds of
    the resolved scenario it played (a path named inside a store is never read); with
    ``scenario``, that file, which must be the one the store was made from (same digest once
    the store's own ``--set`` overrides are applied).
    """
    got = read_store(store)
    if not isinstance(got.result, BatchResult):
        raise UsageError(f"{store} holds a {got.kind}, not a batch"
                         + (" (draw it with `wargame plot sweep --store`)"
                            if got.kind == "sweep" else ""))
    res = got.result
    for line in got.notes:
        sink.note(line)
    if scenario is not None:
        loaded = load(scenario, list(res.spec.overrides))
        where = str(scenario)
    elif got.scenario is not None:
        loaded = embedded_scenario(store, got.scenario, res.spec)
        where = f"the scenario kept in {store}"
    else:
        raise UsageError(f"{store} was made by an earlier wargame and holds no copy of its "
                         f"scenario: give the scenario file it was played from "
                         f"({excerpt(res.spec.scenario, 200)}) before --store")
    if loaded.digest != res.spec.digest:
        raise UsageError(f"{where} is not the scenario {store} was played from (digest "
                         f"{loaded.digest[:12]} here, {res.spec.digest[:12]} in the store; it "
                         f"was made from {excerpt(res.spec.scenario, 200)})")
    if res.games == 0:
        raise BadStoreFile(f"{store} holds no finished games yet")
    if not got.complete:
        sink.note(f"warning: {store} holds an unfinished run ({res.games:,} of "
                  f"{plural(res.spec.runs, 'game')}); the picture shows those games")
    return replace(res, loaded=loaded)
