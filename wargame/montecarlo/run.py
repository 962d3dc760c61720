"""Run the chunks of a batch, sweep or comparison and add them up in chunk order.

Chunks run on any executor and finish in any order; :func:`collect` adds them to the totals
strictly in chunk order (holding at most a window of finished chunks). That order matters for
``--precision``, whose stopping rule is "the first chunk boundary at which every outcome is
precise enough", and for per-game records, which are written in chunk order: so the number of
games, every aggregate and every record are the same with one worker, many, or a cluster, and
after any interruption and ``--resume``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wargame.montecarlo.executors import Executor
from wargame.montecarlo.seeds import chunk_rng
from wargame.montecarlo.spec import BatchSpec
from wargame.montecarlo.store import BadStoreFile, Store
from wargame.montecarlo.summary import precise_enough
from wargame.montecarlo.tally import Arrays, Tally, chunk_stats, pair_stats

if TYPE_CHECKING:
    from wargame.montecarlo.games import Columns, GameLayout, RecordSink

Progress = Callable[[int], None]
ChunkOut = tuple[int, int, Arrays, "Columns | None"]


@dataclass(frozen=True)
class ChunkTask:
    """One chunk to play: which variant, which chunk, how many games, with what seed.

    With ``layout`` the chunk also returns its per-game records.
    """

    point: int
    chunk: int
    games: int
    seed: int
    turns: int | None
    per_turn: bool
    layout: GameLayout | None = None


def play_chunk(shared: dict[int, Any], task: ChunkTask) -> ChunkOut:
    """Play one chunk of one variant and reduce it to statistics (runs in a worker)."""
    from wargame.engine import simulate

    res = simulate(shared[task.point], chunk_rng(task.seed, task.chunk), task.games,
                   turns=task.turns, record_turns=task.per_turn or task.layout is not None)
    records = None
    if task.layout is not None:
        from wargame.montecarlo.games import game_columns

        records = game_columns(res, task.layout, task.chunk)
    return task.point, task.chunk, chunk_stats(res, task.per_turn), records


def play_pair(shared: tuple[Any, Any, list[int], list[int]], task: ChunkTask) -> ChunkOut:
    """Play one chunk of both variants on the same random numbers; count paired outcomes."""
    from wargame.engine import simulate

    a, b, ia, ib = shared
    ra = simulate(a, chunk_rng(task.seed, task.chunk), task.games, turns=task.turns)
    rb = simulate(b, chunk_rng(task.seed, task.chunk), task.games, turns=task.turns)
    return task.point, task.chunk, pair_stats(ra, rb, ia, ib), None


StopRule = Callable[[list[Tally]], bool]


def stop_rule(spec: BatchSpec) -> StopRule | None:
    """The adaptive stopping rule of ``--precision``, if any (first variant only)."""
    precision = spec.precision
    if precision is None:
        return None
    return lambda tallies: precise_enough(tallies[0], precision)


def collect(spec: BatchSpec, fn: Callable[[Any, ChunkTask], ChunkOut], shared: Any,
            executor: Executor, store: Store | None = None, progress: Progress | None = None,
            points: int | None = None, records: RecordSink | None = None) -> list[Tally]:
    """Run every chunk not in ``store``, store each as it finishes, and return the totals.

    Totals are added in (point, chunk) order; with a stopping rule the batch ends at the first
    chunk after which the rule holds, and later chunks (run or stored) are not counted. With
    ``records`` every chunk is played (a stored chunk again: the store keeps no records) and
    its records go to the sink in chunk order.
    """
    plan = spec.plan
    n_points = points if points is not None else spec.n_points
    order = [(p, i) for p in range(n_points) for i in range(plan.n_chunks)]
    stored = store.done() if store is not None and records is None else set()
    tallies = [Tally() for _ in range(n_points)]
    stop = stop_rule(spec)
    pending: dict[tuple[int, int], tuple[Arrays, Columns | None]] = {}
    pos = 0

    def drain() -> bool:
        """Add every chunk that is next in order; True when the batch is complete."""
        nonlocal pos
        while pos < len(order):
            key = order[pos]
            recs = None
            if key in pending:
                arrays, recs = pending.pop(key)
            elif key in stored and store is not None:
                got = store.get(*key)
                if got is None:
                    return False
                arrays = got
            else:
                return False
            tallies[key[0]].add(arrays)
            if records is not None and recs is not None:
                records.add(recs)
            pos += 1
            if progress is not None:
                progress(int(arrays["games"]))
            if stop is not None and stop(tallies):
                return True
        return True

    if drain():
        return tallies
    layout = records.layout if records is not None else None
    tasks = (ChunkTask(p, i, plan.games(i), spec.seed, spec.turns, spec.per_turn, layout)
             for p, i in order[pos:] if (p, i) not in stored)
    results: Iterator[ChunkOut] = executor.imap(fn, shared, tasks)
    try:
        for p, i, arrays, recs in results:
            if store is not None:
                store.put(p, i, arrays)
            pending[(p, i)] = (arrays, recs)
            if drain():
                break
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()
    return tallies


def tallies_from_store(store: Store, spec: BatchSpec) -> tuple[list[Tally], bool]:
    """The totals a store holds, and whether it holds the whole batch.

    A finished batch gives exactly what the run printed. An unfinished one gives the chunks
    stored so far (for ``--precision``, the unbroken run of chunks from the first).
    """
    plan = spec.plan
    n_points = spec.n_points
    done = store.done()
    if spec.precision is not None:
        tallies = collect(spec, play_chunk, None, _NoExecutor(), store, points=n_points)
        complete = precise_enough(tallies[0], spec.precision) or tallies[0].chunks == \
            plan.n_chunks
        return tallies, complete
    tallies = [Tally() for _ in range(n_points)]
    for p, i, arrays in store.chunks():  # the chunks of the plan only
        try:
            tallies[p].add(arrays)
        except ValueError:  # arrays of a shape the point's other chunks do not have
            raise BadStoreFile(f"{store.path}: chunk {i} of point {p} is damaged (its arrays "
                             "do not match the other chunks')") from None
    complete = len(done) == n_points * plan.n_chunks
    return tallies, complete


class _NoExecutor:
    """Runs nothing: used to read back what a store holds."""

    def imap(self, fn: Any, shared: Any, tasks: Any) -> Iterator[Any]:
        return iter(())
