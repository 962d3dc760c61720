"""The Python API: the same runs as the commands, with typed results (docs/api.md).

``wargame.load``, ``wargame.play``, ``wargame.batch``, ``wargame.sweep``, ``wargame.compare``,
``wargame.branch``, ``wargame.discover``, ``wargame.read_store`` and ``wargame.open_store``
take the commands' arguments (``runs``, ``seed``, ``workers``, ``chunk_size``, ``overrides``
for ``--set``, ``store``, ``scheduler`` or an ``executor``) and give exactly the commands'
numbers: the commands are a thin layer over these functions.

This module imports nothing heavy: numpy, the engine and the batch layer load on the first
call, and pandas, xarray and pyarrow (``wargame[data]``) only when a result is converted.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wargame.montecarlo.branch_result import BranchResult
    from wargame.montecarlo.compare_result import CompareResult
    from wargame.montecarlo.discovery import Discovery
    from wargame.montecarlo.executors import Executor
    from wargame.montecarlo.jobs import Sink, Stored
    from wargame.montecarlo.results import BatchResult
    from wargame.montecarlo.sweep_result import SweepResult
    from wargame.report.game import Game
    from wargame.scenario import Loaded

def load(path: str | Path, overrides: Sequence[str] = ()) -> Loaded:
    """Read, merge (``extends``), override and validate a scenario file.

    ``overrides`` are ``--set`` expressions, ``"path=value"`` with a YAML value, applied in
    order. Raises :class:`wargame.errors.InvalidInput` listing every problem, located.
    """
    from wargame import arguments
    from wargame.scenario import load as _load

    where = arguments.path("the scenario", path, optional=False)
    return _load(where or Path(), arguments.texts("overrides", overrides))


def play(scenario: str | Path | Loaded, *, seed: int | None = None, turns: int | None = None,
         overrides: Sequence[str] = (), deterministic: bool = False,
         game: int | None = None, runs: int | None = None,
         chunk_size: int | None = None) -> Game:
    """Play one game and return its record, turn by turn (``wargame run``).

    Without ``game``, this is ``wargame run --seed SEED``: the game draws from
    ``numpy.random.default_rng(seed)``; without ``seed`` one is drawn (``result.seed``).
    With ``game``, it replays game number ``game`` of ``wargame.batch(scenario, seed=seed,
    runs=runs, chunk_size=chunk_size)`` (the ``game`` column of its per-game records): the
    same game, now with its story.
    """
    from wargame import arguments
    from wargame.montecarlo.jobs import resolve
    from wargame.scenario.limits import check_turns

    arguments.whole("--seed", seed, 0)
    arguments.whole("game", game, 0)
    arguments.whole("--runs", runs, 1)
    arguments.whole("--chunk-size", chunk_size, 1)
    arguments.flag("deterministic", deterministic)
    check_turns(turns)
    _, loaded = resolve(scenario, overrides)
    if game is not None:
        return _replay(loaded, seed, game, runs, chunk_size, turns)
    if seed is None:
        from wargame.montecarlo.seeds import fresh_seed

        seed = fresh_seed()
    import numpy as np

    from wargame.engine import compile_scenario, simulate
    from wargame.report.game import Game
    from wargame.report.record import game_record
    from wargame.scenario.limits import check_memory, shape

    check_memory([shape(loaded.scenario, turns)], 1, True, option="")
    compiled = compile_scenario(loaded.scenario)
    res = simulate(compiled, np.random.default_rng(seed), 1, turns=turns,
                   deterministic=deterministic, log=True, record_turns=True)
    return Game.of(game_record(compiled, res, seed, loaded.digest))


def _replay(loaded: Loaded, seed: int | None, game: int, runs: int | None,
            chunk_size: int | None, turns: int | None) -> Game:
    from wargame.engine import compile_scenario, simulate
    from wargame.errors import UsageError
    from wargame.montecarlo.seeds import DEFAULT_CHUNK_SIZE, ChunkPlan, chunk_rng
    from wargame.report.game import Game
    from wargame.report.record import Replay, game_record

    if seed is None or runs is None:
        raise UsageError("replaying a game of a batch (--game) needs the batch's --seed and "
                         "--runs")
    try:
        plan = ChunkPlan(runs, chunk_size or DEFAULT_CHUNK_SIZE)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if not 0 <= game < runs:
        raise UsageError(f"--game must be between 0 and {runs - 1} (got {game})")
    chunk, replicate = divmod(game, plan.chunk_size)
    from wargame.scenario.limits import check_memory, shape

    check_memory([shape(loaded.scenario, turns)], plan.games(chunk), True)
    compiled = compile_scenario(loaded.scenario)
    # A chunk's games share its generator (parameters are drawn for the whole chunk first),
    # so the game is replayed with its whole chunk.
    res = simulate(compiled, chunk_rng(seed, chunk), plan.games(chunk), turns=turns,
                   log=True, record_turns=True)
    replay = Replay(game, runs, plan.chunk_size, chunk_size is None)
    return Game.of(game_record(compiled, res, seed, loaded.digest, replicate, replay))


def batch(scenario: str | Path | Loaded, *, runs: int | None = None, seed: int | None = None,
          chunk_size: int | None = None, workers: int | None = None,
          scheduler: str | None = None, executor: Executor | None = None,
          turns: int | None = None, overrides: Sequence[str] = (), per_turn: bool = False,
          precision: float | None = None, store: str | Path | None = None,
          resume: bool = False, games: str | Path | bool | None = None,
          reporter: Sink | None = None) -> BatchResult:
    """Play many games of a scenario (``wargame batch``).

    ``games``: a ``.parquet`` file to stream one record per game to (``--games``), or
    ``True`` to keep them in memory; either way they are in ``result.records``. ``reporter``
    receives notes and progress (see :class:`wargame.montecarlo.jobs.Sink`); notes are also in
    ``result.notes``. Without ``seed`` a fresh one is drawn: ``result.seed``.
    """
    from wargame.montecarlo.jobs import Options, Quiet, batch_job

    opts = Options(runs, seed, chunk_size, workers, scheduler, turns,
                   _store(store), resume, executor)
    where = Path(games) if isinstance(games, str | Path) else games
    return batch_job(scenario, overrides, opts, reporter or Quiet(), per_turn, precision, where)


def sweep(scenario: str | Path | Loaded, vary: Sequence[str], *, design: str = "grid",
          points: int | None = None, runs: int | None = None, seed: int | None = None,
          chunk_size: int | None = None, workers: int | None = None,
          scheduler: str | None = None, executor: Executor | None = None,
          turns: int | None = None, overrides: Sequence[str] = (),
          store: str | Path | None = None, resume: bool = False,
          reporter: Sink | None = None) -> SweepResult:
    """A batch at every point of a parameter design (``wargame sweep``).

    ``vary`` holds ``--vary`` expressions: ``"path=start:stop:steps"`` or ``"path=a,b,c"``.
    ``design`` is ``grid``, ``lhs`` or ``sobol`` (these two with ``points``).
    """
    from wargame import arguments
    from wargame.montecarlo.jobs import Options, Quiet, sweep_job

    arguments.text("design", design, optional=False)
    arguments.whole("--points", points, 1)
    vary = arguments.texts("vary", vary)
    opts = Options(runs, seed, chunk_size, workers, scheduler, turns,
                   _store(store), resume, executor)
    return sweep_job(scenario, overrides, list(vary), design.lower(), points, opts,
                     reporter or Quiet())


def compare(a: str | Path | Loaded, b: str | Path | Loaded, *, runs: int | None = None,
            seed: int | None = None, chunk_size: int | None = None,
            workers: int | None = None, scheduler: str | None = None,
            executor: Executor | None = None, turns: int | None = None,
            overrides: Sequence[str] = (), reporter: Sink | None = None) -> CompareResult:
    """Two scenarios on common random numbers, with B - A and its paired interval
    (``wargame compare``)."""
    from wargame.montecarlo.jobs import Options, Quiet, compare_job

    opts = Options(runs, seed, chunk_size, workers, scheduler, turns, executor=executor)
    return compare_job(a, b, overrides, opts, reporter or Quiet())


def branch(scenario: str | Path | Loaded, *, at: int | None = None, given: str | None = None,
           changes: Sequence[str] = (), variant: str | Path | Loaded | None = None,
           runs: int | None = None, seed: int | None = None, chunk_size: int | None = None,
           workers: int | None = None, scheduler: str | None = None,
           executor: Executor | None = None, store: str | Path | None = None,
           resume: bool = False, save_state: str | Path | None = None,
           from_state: str | Path | None = None, reporter: Sink | None = None) -> BranchResult:
    """What-if from the middle of a war (``wargame branch``).

    Plays ``runs`` games to the end of turn ``at``; keeps the games where outcome ``given``
    holds then (every game without it); plays each kept game on twice from that state on the
    same random numbers: as it was (A), and with ``changes`` (``--set`` expressions) or as
    ``variant`` (B). The result holds B - A per outcome with paired intervals, as
    :func:`compare`'s, and the games played to turn ``at`` (``reached``) and kept (``kept``).
    ``save_state`` writes every game at turn ``at`` to a file; ``from_state`` branches from
    such a file without playing the first turns again (its seed, runs and turn are used).
    """
    from wargame.montecarlo.branch_job import Branch, branch_job
    from wargame.montecarlo.jobs import Options, Quiet

    opts = Options(runs, seed, chunk_size, workers, scheduler, None, _store(store), resume,
                   executor)
    from wargame import arguments

    br = Branch(at, given, tuple(arguments.texts("changes", changes)), variant,
                arguments.path("save_state", save_state),
                arguments.path("from_state", from_state))
    return branch_job(scenario, br, opts, reporter or Quiet())


def discover(scenario: str | Path | Loaded | None = None, outcome: str = "", *,
             games: str | Path | Any = None, runs: int | None = None,
             seed: int | None = None, chunk_size: int | None = None,
             workers: int | None = None, overrides: Sequence[str] = (), depth: int = 3,
             min_share: float = 0.05, reporter: Sink | None = None) -> Discovery:
    """Which sampled inputs make ``outcome`` happen (``wargame discover``).

    Plays a batch with per-game records (or reads ``games``: a ``--games`` Parquet file, or a
    batch result's ``records``) and fits a decision tree of the outcome on the sampled
    parameters; the result lists the tree's boxes with their share of games and of the
    outcome. Needs ``wargame[discover]``.
    """
    from wargame.montecarlo.discovery import discover_job

    return discover_job(scenario, outcome, games, runs, seed, chunk_size, workers,
                        list(overrides), depth, min_share, reporter)


def read_store(path: str | Path) -> BatchResult | SweepResult | BranchResult:
    """The result a ``--store`` file holds (``wargame results show``); an unfinished run has
    ``complete=False``."""
    return open_store(path).result


def open_store(path: str | Path) -> Stored:
    """Everything a ``--store`` file holds: the kind of run, its result, whether it finished
    (``complete``, ``chunks`` of ``expected``), the scenario it was played from, and what
    reading it noticed (``notes``: rows left out, chunks not checked)."""
    from wargame.montecarlo.jobs import read_store as _read

    return _read(_required_store(path))


def _store(store: Any) -> Path | None:
    from wargame import arguments

    return arguments.path("store", store)


def _required_store(store: Any) -> Path:
    from wargame import arguments

    return arguments.path("store", store, optional=False) or Path()


__all__ = ["batch", "branch", "compare", "discover", "load", "play", "read_store", "sweep"]
