"""How many worker processes a run uses when ``--workers`` is not given.

A pool of processes pays a fixed cost before its first game: the fork server starts and
imports the engine, and every worker loads the compiled kernels from Numba's cache. It gains
only on the games: with ``w`` workers the chunks are shared out ``ceil(chunks / w)`` to a
worker. So the estimated time of a run is

    one process:  T
    w workers:    POOL_START_SECONDS + T * ceil(chunks / w) / chunks

where ``T``, the games' time on one core, is

    T = chunks * turns * TURN_SECONDS + games * place_turns * PLACE_TURN_SECONDS

(``turns`` a game's turns and ``place_turns`` its places × turns, summed over the scenarios
a chunk plays: two in a comparison). The rule takes the number of workers, from 1 to the
cores this process may use (and no more than the chunks), with the least estimated time; a
tie goes to fewer workers. A run too small to gain stays in this process. The choice never
changes the numbers: chunks are added up in chunk order whatever runs them
(:mod:`wargame.montecarlo.run`).

The constants were measured on a 2-core virtual machine with the Aleppo scenario
(``docs/performance.md``, "Workers by default"). The rule depends only on their ratios.
"""

from __future__ import annotations

import math
import os

PLACE_TURN_SECONDS = 0.34e-6
"""Seconds of one core to play one place of one game for one turn, beyond a turn's fixed
cost: a chunk of 1,000 games of the Aleppo scenario (45 places, 26 turns) took 0.398 s more
than a chunk of one game (``benchmarks/bench_workers.py``). Larger maps cost less per place,
so the rule starts a pool a little early for them, where it also gains most."""

TURN_SECONDS = 1.3e-3
"""Seconds of one core for one turn of a chunk whatever its games (the engine's calls): a
chunk of one game of the Aleppo scenario took 0.033 s for its 26 turns."""

POOL_START_SECONDS = 0.8
"""What a pool of workers adds to a whole command before its games: the fork server's start
with the engine imported and each worker's load of the compiled kernels (1.3 to 1.5 s for two
workers, ``benchmarks/bench_workers.py``), less the kernels' load the parent process no
longer does (about 0.6 s). Measured side by side on whole commands: at 4,000 games one
process and two workers took the same time, at 6,000 and 8,000 two workers gained 0.5 and
1.2 s. With the machine's cores busy the start costs far more (5 s measured)."""


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system says), at least 1."""
    count = getattr(os, "process_cpu_count", None)  # Python 3.13+
    if count is not None:
        return max(1, int(count() or 1))
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on Linux
        return max(1, os.cpu_count() or 1)


def estimated_seconds(games: int, chunks: int, turns: int, place_turns: int) -> float:
    """The games' time on one core, ``T`` of the module docstring."""
    return chunks * turns * TURN_SECONDS + games * place_turns * PLACE_TURN_SECONDS


def auto_workers(games: int, chunks: int, turns: int, place_turns: int, cores: int) -> int:
    """The number of worker processes for ``games`` games in ``chunks`` chunks, each game of
    ``turns`` turns and ``place_turns`` places × turns, on ``cores`` cores: the one with the
    least estimated time (module docstring)."""
    serial = estimated_seconds(games, chunks, turns, place_turns)
    best, best_time = 1, serial
    for w in range(2, min(cores, chunks) + 1):
        t = POOL_START_SECONDS + serial * math.ceil(chunks / w) / chunks
        if t < best_time:
            best, best_time = w, t
    return best
