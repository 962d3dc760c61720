"""Workers benchmark (not a test): the constants of the default number of workers, and the
break-even of one process against a pool, measured side by side.

    python benchmarks/bench_workers.py                 # constants and break-even
    python benchmarks/bench_workers.py --repeats 5 --runs 2000 4000 8000

Measures, on ``scenarios/aleppo_2015.yaml``:

1. the engine's cost in this process, after a warm-up: a chunk of one game and a chunk of
   1,000 games (best of ``--repeats``), which give ``TURN_SECONDS`` (a turn's fixed cost) and
   ``PLACE_TURN_SECONDS`` (each game's place and turn) of :mod:`wargame.montecarlo.workers`;
2. a pool's start in a fresh process: two workers each playing a one-game chunk, less one
   such chunk in this process (``POOL_START_SECONDS``);
3. whole ``wargame batch --format json`` commands at each of ``--runs`` with ``--workers 1``
   and ``--workers 2``, alternating, ``--repeats`` times (median), with the number of
   workers the rule picks for each.

Prints markdown for ``docs/performance.md``. The machine's load (1-minute average) is printed
with each part: a pool gains only on cores nothing else uses.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = "scenarios/aleppo_2015.yaml"


def _env() -> dict[str, str]:
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "NO_COLOR": "1", "NUMBA_NUM_THREADS": "1",
            "PYTHONPATH": str(ROOT) + (os.pathsep + path if path else "")}


def _engine(repeats: int) -> tuple[float, float, int, int]:
    """Best seconds of a one-game and a 1,000-game chunk; places and turns."""
    import numpy as np

    from wargame.engine import compile_scenario, simulate
    from wargame.scenario import load

    sc = load(ROOT / SCENARIO).scenario
    c = compile_scenario(sc)
    simulate(c, np.random.default_rng(1), 10)
    best = {}
    for games in (1, 1000):
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            simulate(c, np.random.default_rng(1), games)
            times.append(time.perf_counter() - start)
        best[games] = min(times)
    return best[1], best[1000], len(sc.settlements), sc.scenario.turns


def _pool_child() -> None:
    """In a fresh process: the start of a pool of two, printed in seconds."""
    import numpy as np

    from wargame.engine import compile_scenario, simulate
    from wargame.montecarlo.executors import ProcessExecutor
    from wargame.montecarlo.run import ChunkTask, play_chunk
    from wargame.scenario import load

    c = compile_scenario(load(ROOT / SCENARIO).scenario)
    simulate(c, np.random.default_rng(1), 1)
    start = time.perf_counter()
    play_chunk({0: c}, ChunkTask(0, 0, 1, 1, None, False))
    one = time.perf_counter() - start
    start = time.perf_counter()
    tasks = [ChunkTask(0, i, 1, 1, None, False) for i in range(2)]
    list(ProcessExecutor(2).imap(play_chunk, {0: c}, tasks))
    print(time.perf_counter() - start - one)


def _pool(repeats: int) -> list[float]:
    got = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, __file__, "--pool-child"], cwd=ROOT, env=_env(),
                             capture_output=True, text=True, check=True)
        got.append(float(out.stdout.strip().splitlines()[-1]))
    return got


def _batch(runs: int, workers: int) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "wargame", "batch", SCENARIO, "--runs", str(runs),
                    "--workers", str(workers), "--seed", "1", "--format", "json", "--quiet"],
                   cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--runs", type=int, nargs="+", default=[2000, 4000, 8000])
    parser.add_argument("--pool-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.pool_child:
        _pool_child()
        return
    sys.path.insert(0, str(ROOT))
    from wargame.montecarlo import workers

    one, thousand, places, turns = _engine(args.repeats)
    turn_s = one / turns
    place_turn_s = (thousand - one) / 999 / (places * turns)
    print(f"load {os.getloadavg()[0]:.1f}: a one-game chunk {one:.3f} s, 1,000 games "
          f"{thousand:.3f} s ({places} places, {turns} turns): TURN_SECONDS {turn_s:.2e} "
          f"(set {workers.TURN_SECONDS:.2e}), PLACE_TURN_SECONDS {place_turn_s:.2e} "
          f"(set {workers.PLACE_TURN_SECONDS:.2e})")
    pool = _pool(args.repeats)
    print(f"load {os.getloadavg()[0]:.1f}: pool start (two workers) median "
          f"{statistics.median(pool):.2f} s, best {min(pool):.2f} s "
          f"(POOL_START_SECONDS {workers.POOL_START_SECONDS})\n")

    times: dict[tuple[int, int], list[float]] = {(r, w): [] for r in args.runs for w in (1, 2)}
    for _ in range(args.repeats):
        for runs in args.runs:
            for w in (1, 2):
                times[(runs, w)].append(_batch(runs, w))
    print(f"load {os.getloadavg()[0]:.1f} at the end; whole commands, seconds, median / best "
          f"of {args.repeats}:\n")
    print("| games | --workers 1 | --workers 2 | the rule picks (2 cores) |")
    print("|---:|---:|---:|---:|")
    for runs in args.runs:
        chunks = math.ceil(runs / 1000)
        pick = workers.auto_workers(runs, chunks, turns, places * turns, 2)
        cells = [f"{statistics.median(times[(runs, w)]):.2f} / {min(times[(runs, w)]):.2f}"
                 for w in (1, 2)]
        print(f"| {runs:,} | {cells[0]} | {cells[1]} | {pick} |")


if __name__ == "__main__":
    main()
