"""Batch benchmarks (not a test): throughput, scaling, memory and sweep time.

    .venv/bin/python benchmarks/bench_batch.py                 # the full set (tens of minutes)
    .venv/bin/python benchmarks/bench_batch.py --quick         # a smoke run (about a minute)

Measures, on ``scenarios/aleppo_2015.yaml``:

1. games per second for ``--games`` games (default 100,000) with 1 and 2 worker processes,
   and the scaling efficiency ``rate(2) / (2 * rate(1))``;
2. peak memory (``resource.getrusage`` maximum resident set size; one process, so it covers
   all the work) of a ``--memory-games`` batch (default 1,000,000) next to a 10,000-game
   batch, on ``--memory-scenario`` (default the Aleppo scenario): streaming aggregation keeps
   it flat;
3. peak memory of the same ``--memory-games`` batch writing one record per game to a Parquet
   file (``wargame batch --games FILE``), next to 10,000 games: the records stream to disk
   in row groups, so memory stays flat too;
4. wall time of a ``--sweep-size`` x ``--sweep-size`` grid sweep (default 20 x 20) with
   ``--sweep-runs`` games per point (default 1,000).

Each measurement runs in a fresh subprocess so that peak memory is its own. Prints a markdown
table for ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "aleppo_2015.yaml"
SWEEP_A = "support.russian_air.sorties_per_turn"
SWEEP_B = "factions.regime.doctrine.aggression"


def _child(kind: str, games: int, workers: int, size: int,
           scenario: Path = SCENARIO) -> dict[str, float]:
    """Run one measurement in this process (called in a subprocess) and return numbers."""
    import wargame
    from wargame.montecarlo.executors import make_executor

    make_executor(workers, None)  # fail early on bad options
    start = time.perf_counter()
    extra: dict[str, float] = {}
    if kind == "batch":
        played = wargame.batch(scenario, runs=games, seed=20151013, workers=workers).games
    elif kind == "games":
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / "games.parquet"
            played = wargame.batch(scenario, runs=games, seed=20151013, workers=workers,
                                   games=target).games
            extra["file_mib"] = target.stat().st_size / 2**20
    else:
        varies = [f"{SWEEP_A}=0:300:{size}", f"{SWEEP_B}=0.1:0.9:{size}"]
        played = wargame.sweep(SCENARIO, varies, runs=games, seed=20151013,
                               workers=workers).games
    wall = time.perf_counter() - start
    kib = 1024 if sys.platform != "darwin" else 1  # ru_maxrss is KiB on Linux, bytes on macOS
    return {"wall": wall, "games": played,
            "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * kib / 2**20, **extra}


def measure(kind: str, games: int, workers: int, size: int = 0,
            scenario: Path = SCENARIO) -> dict[str, float]:
    """One measurement in a fresh interpreter."""
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(games), str(workers),
                          str(size), str(scenario)], check=True, capture_output=True, text=True,
                         cwd=ROOT)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    """Parse options, run the measurements, print the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--games", type=int, default=100_000)
    ap.add_argument("--memory-games", type=int, default=1_000_000)
    ap.add_argument("--sweep-size", type=int, default=20)
    ap.add_argument("--sweep-runs", type=int, default=1000)
    ap.add_argument("--memory-scenario", type=Path, default=SCENARIO)
    ap.add_argument("--sweep-workers", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    ap.add_argument("--skip", nargs="*", default=[], choices=["speed", "memory", "games", "sweep"])
    ap.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, games, workers, size, scenario = args.child
        print(json.dumps(_child(kind, int(games), int(workers), int(size), Path(scenario))))
        return
    if args.quick:
        args.games, args.memory_games, args.sweep_size, args.sweep_runs = 4000, 20_000, 4, 200
    rows = []
    if "speed" not in args.skip:
        one = measure("batch", args.games, 1)
        two = measure("batch", args.games, 2)
        r1, r2 = one["games"] / one["wall"], two["games"] / two["wall"]
        rows.append((f"{args.games:,} games, 1 worker", f"{one['wall']:.1f} s",
                     f"{r1:,.0f} games/s"))
        rows.append((f"{args.games:,} games, 2 workers", f"{two['wall']:.1f} s",
                     f"{r2:,.0f} games/s; scaling efficiency {r2 / (2 * r1):.0%}"))
    if "memory" not in args.skip:
        name = args.memory_scenario.name
        for games in (10_000, args.memory_games):
            m = measure("batch", games, 1, scenario=args.memory_scenario)
            rows.append((f"{games:,} games of {name}, 1 worker: peak memory",
                         f"{m['wall']:.1f} s", f"peak RSS {m['rss_mib']:.0f} MiB"))
    if "games" not in args.skip:
        name = args.memory_scenario.name
        for games in (10_000, args.memory_games):
            m = measure("games", games, 1, scenario=args.memory_scenario)
            rows.append((f"{games:,} games of {name} with per-game records (`--games`), "
                         "1 worker: peak memory", f"{m['wall']:.1f} s",
                         f"peak RSS {m['rss_mib']:.0f} MiB; file {m['file_mib']:.0f} MiB"))
    if "sweep" not in args.skip:
        n = args.sweep_size
        sw = measure("sweep", args.sweep_runs, args.sweep_workers, n)
        rows.append((f"sweep {n} x {n} grid, {args.sweep_runs:,} games per point, "
                     f"{args.sweep_workers} workers", f"{sw['wall']:.1f} s",
                     f"{sw['games'] / sw['wall']:,.0f} games/s"))
    print(f"Scenario `{SCENARIO.relative_to(ROOT)}`; {platform.processor() or platform.machine()}"
          f", {os.cpu_count()} CPUs, Python {platform.python_version()}; chunk size 1,000.\n")
    print("| measurement | wall time | result |\n|---|---:|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} |")


if __name__ == "__main__":
    main()
