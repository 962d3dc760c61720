"""Memory budget and large maps (not a test): the chunk estimate against measured peaks, and
the time to draw a map of a very large scenario.

    .venv/bin/python benchmarks/bench_memory.py            # the full set (a few minutes)
    .venv/bin/python benchmarks/bench_memory.py --quick    # fewer shapes (about a minute)

1. For generated scenarios of N settlements (a grid joined in a chain) and F factions, one
   chunk of R games is played in a fresh subprocess, with and without per-turn records; the
   extra peak resident set size over a 1-game warm-up (``getrusage`` maximum RSS) is set next
   to ``wargame.scenario.limits.game_bytes`` x R, the estimate the budget is checked with. The
   estimate must stay above the measurement (ratio > 1).
2. ``wargame map`` of N places, initial control, timed end to end in a subprocess: outline
   drawing applies above ``wargame.report.maps.DETAIL_LIMIT`` places.

Prints markdown tables for ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def scenario(n: int, f: int, turns: int) -> dict[str, Any]:
    """N settlements on a grid linked in a chain, F factions holding equal shares."""
    side = max(1, math.isqrt(n))
    return {
        "scenario": {"name": f"{n} x {f}", "start_date": "2015-10-13", "turns": turns},
        "factions": {f"f{i}": {"name": f"F{i}", "strength": 100.0 * n / f + 100}
                     for i in range(f)},
        "settlements": {f"s{k}": {"name": f"S{k}", "lat": 30 + k // side * 0.01,
                                  "lon": 30 + k % side * 0.01, "controller": f"f{k * f // n}"}
                        for k in range(n)},
        "links": [{"between": [f"s{k}", f"s{k + 1}"]} for k in range(n - 1)],
        "outcomes": {"o": {"name": "O", "controls": {"faction": "f0", "settlements": ["s0"]}}},
    }


CHILD = """
import json, resource, sys
import numpy as np
from wargame.scenario import load
from wargame.engine import compile_scenario, simulate
from wargame.montecarlo.tally import chunk_stats
path, games, rec = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
c = compile_scenario(load(path).scenario)
simulate(c, np.random.default_rng(1), 1, record_turns=rec)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
chunk_stats(simulate(c, np.random.default_rng(2), games, record_turns=rec), rec)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"extra": (peak - base) * 1024}))
"""


def memory_row(tmp: Path, n: int, f: int, turns: int, games: int, rec: bool) -> str:
    from wargame.scenario.limits import game_bytes

    path = tmp / f"s_{n}_{f}_{turns}.yaml"
    path.write_text(json.dumps(scenario(n, f, turns)), encoding="utf-8")
    out = subprocess.run([sys.executable, "-c", CHILD, str(path), str(games), str(int(rec))],
                         capture_output=True, text=True, check=True).stdout
    measured = json.loads(out)["extra"]
    estimate = game_bytes(n, f, 1, turns, rec) * games
    return (f"| {n:,} x {f:,} | {turns} | {games:,} | {'yes' if rec else 'no'} | "
            f"{measured / 2**20:,.0f} MiB | {estimate / 2**20:,.0f} MiB | "
            f"{estimate / max(measured, 1):.1f} |")


def map_row(tmp: Path, n: int, f: int) -> str:
    path = tmp / f"map_{n}_{f}.yaml"
    path.write_text(json.dumps(scenario(n, f, 2)), encoding="utf-8")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "wargame", "map", str(path), "--out",
                    str(tmp / "m.png")], capture_output=True, text=True, check=True)
    from wargame.report.maps import DETAIL_LIMIT

    how = "outline" if n > DETAIL_LIMIT else "every detail"
    return f"| {n:,} places x {f} factions | {how} | {time.perf_counter() - start:.1f} s |"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="fewer, smaller shapes")
    args = ap.parse_args()
    shapes = [(100, 50, 26, 400), (1000, 100, 26, 400), (2000, 50, 26, 400),
              (200, 1000, 26, 300), (1000, 1000, 26, 80), (1000, 10, 1000, 300)]
    maps = [(1000, 20), (1500, 20), (2000, 20), (10000, 50)]
    if args.quick:
        shapes, maps = shapes[:3], maps[:2]
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        print("| settlements x factions | turns | games | per-turn records | measured "
              "| estimate | estimate / measured |")
        print("|---|---:|---:|---|---:|---:|---:|")
        for n, f, turns, games in shapes:
            for rec in (False, True):
                print(memory_row(tmp, n, f, turns, games, rec), flush=True)
        print()
        print("| map | drawn | wall time |")
        print("|---|---|---:|")
        for n, f in maps:
            print(map_row(tmp, n, f), flush=True)


if __name__ == "__main__":
    main()
