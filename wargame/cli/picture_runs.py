"""The games behind the pictures: play a batch, or read one back from a ``--store`` file.

Pictures need the batch's summed statistics (:class:`~wargame.batch.tally.Tally`: the turn each
outcome first held, control at every turn), not only the summary tables, so this module runs
the batch layer's own pieces (:func:`~wargame.batch.run.collect` over
:func:`~wargame.batch.run.play_chunk`) with the same spec ``wargame batch`` builds. The same
scenario, ``--set``, ``--seed`` and ``--runs`` therefore play exactly the games
``wargame batch`` plays, and the picture's numbers are the table's.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from wargame.batch import sweep
from wargame.batch.executors import make_executor
from wargame.batch.jobs import labels_for
from wargame.batch.run import collect, play_chunk, tallies_from_store
from wargame.batch.seeds import DEFAULT_CHUNK_SIZE, ChunkPlan, fresh_seed
from wargame.batch.spec import BatchSpec
from wargame.batch.store import StoreError, open_existing
from wargame.batch.summary import Labels, batch_summary
from wargame.batch.tally import Tally
from wargame.cli.batch_cmds import Reporter
from wargame.engine import Compiled, compile_scenario
from wargame.errors import UsageError
from wargame.report.overview import turn_date
from wargame.scenario import Loaded, load

DEFAULT_RUNS = 1000


@dataclass
class Played:
    """A batch of one scenario, with what is needed to draw and to replay it."""

    loaded: Loaded
    spec: BatchSpec
    labels: Labels
    tally: Tally
    complete: bool = True

    @cached_property
    def compiled(self) -> Compiled:
        """The compiled scenario (for supply rings on the map)."""
        return compile_scenario(self.loaded.scenario)

    @cached_property
    def summary(self) -> dict[str, Any]:
        """What ``wargame batch --format json`` prints for these games."""
        return batch_summary(self.spec, self.tally, self.labels)

    @property
    def turns(self) -> int:
        """Turns played (the spec's, else the scenario's)."""
        return self.spec.turns or self.loaded.scenario.scenario.turns

    @property
    def games(self) -> int:
        """Games counted."""
        return self.tally.games


def settle_seed(seed: int | None, rep: Reporter) -> int:
    """The seed to use: the given one, or a fresh one announced on stderr for replay."""
    if seed is None:
        seed = fresh_seed()
        rep.note(f"seed {seed} (pass --seed {seed} to replay this run)")
    elif seed < 0:
        raise UsageError(f"--seed must not be negative (got {seed})")
    return seed


def _check_runs(runs: int) -> None:
    if runs < 1:
        raise UsageError(f"--runs must be at least 1 (got {runs})")
    try:
        ChunkPlan(runs, DEFAULT_CHUNK_SIZE)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _collect(spec: BatchSpec, shared: dict[int, Compiled], workers: int | None,
             rep: Reporter) -> list[Tally]:
    executor = make_executor(workers, None)
    rep.start(spec.runs * spec.n_points)
    try:
        return collect(spec, play_chunk, shared, executor, None, rep.advance)
    finally:
        close = getattr(executor, "close", None)
        if close is not None:
            close()


def play(path: Path, overrides: list[str], runs: int, seed: int, workers: int | None,
         rep: Reporter, loaded: Loaded | None = None) -> Played:
    """Play ``runs`` games with per-turn statistics, as ``wargame batch --per-turn`` would.

    ``loaded`` saves loading the scenario again when the caller already has.
    """
    _check_runs(runs)
    loaded = loaded or load(path, overrides)
    turns = loaded.scenario.scenario.turns
    spec = BatchSpec("batch", str(path), loaded.digest, list(overrides), seed, runs,
                     DEFAULT_CHUNK_SIZE, turns, per_turn=True)
    labels = labels_for(loaded, turns, turn_date)
    tally = _collect(spec, {0: compile_scenario(loaded.scenario)}, workers, rep)[0]
    return Played(loaded, spec, labels, tally)


def play_points(path: Path, overrides: list[str], values: list[dict[str, Any]], runs: int,
                seed: int, workers: int | None, rep: Reporter) -> tuple[Labels, list[Tally]]:
    """Play every variant (``--set`` values on top of ``overrides``) on the same seed.

    A point with no values is the scenario as given. Common random numbers: every point plays
    the same chunk streams, as in ``wargame sweep``.
    """
    _check_runs(runs)
    base = load(path, overrides)
    points, loadeds = sweep.load_points(path, overrides, values)
    turns = base.scenario.scenario.turns
    spec = BatchSpec("sweep", str(path), base.digest, list(overrides), seed, runs,
                     DEFAULT_CHUNK_SIZE, turns, points=points)
    shared = {k: compile_scenario(one.scenario) for k, one in enumerate(loadeds)}
    return labels_for(base, turns, turn_date), _collect(spec, shared, workers, rep)


def read(store: Path, scenario: Path | None, overrides: list[str], rep: Reporter) -> Played:
    """A finished (or partial) ``wargame batch --store`` run, checked against its scenario.

    The scenario file gives coordinates and colours; it must be the one the store was made
    from (same digest once the store's own ``--set`` overrides are applied).
    """
    if overrides:
        raise UsageError("--set cannot be combined with --store: the store was played with "
                         "its own overrides, which are applied automatically")
    with open_existing(store) as st:
        spec = st.spec()
        if spec.kind != "batch":
            raise UsageError(f"{store} holds a {spec.kind}, not a batch"
                             + (" (draw it with `wargame plot sweep --store`)"
                                if spec.kind == "sweep" else ""))
        try:
            labels = Labels.from_dict(st.meta("labels"))
        except TypeError as exc:
            raise StoreError(f"{store}: damaged store (bad labels: {exc})") from None
        tallies, complete = tallies_from_store(st, spec)
    path = scenario if scenario is not None else Path(spec.scenario)
    loaded = load(path, list(spec.overrides))
    if loaded.digest != spec.digest:
        raise UsageError(f"{path} is not the scenario {store} was played from (digest "
                         f"{loaded.digest[:12]} here, {spec.digest[:12]} in the store; it was "
                         f"made from {spec.scenario})")
    tally = tallies[0]
    if tally.games == 0:
        raise StoreError(f"{store} holds no finished games yet")
    if not complete:
        rep.note(f"warning: {store} holds an unfinished run ({tally.games:,} of "
                 f"{spec.runs:,} games); the picture shows those games")
    return Played(loaded, spec, labels, tally, complete)


def replay_hint(p: Played, command: str) -> str:
    """The command line that draws the same picture again."""
    sets = "".join(f" --set {o}" for o in p.spec.overrides)
    return f"wargame {command} {p.spec.scenario} --runs {p.spec.runs} --seed {p.spec.seed}{sets}"
