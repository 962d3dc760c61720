"""Engine benchmark: replicates per second and memory, by batch size and graph size.

Run: ``.venv/bin/python benchmarks/bench_engine.py`` (about three minutes on the reference
machine). Prints a markdown table; the figures in docs/performance.md come from this script.
Each size is timed three times after a warm-up call (which loads the compiled kernels); the
table gives the best and the median. Single-threaded BLAS is forced so that "one core" means
one core; the kernels are single-threaded.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np

from wargame.engine import compile_scenario, simulate
from wargame.scenario import load
from wargame.scenario.load import validate_document
from wargame.scenario.yamlio import Document

ROOT = Path(__file__).resolve().parent.parent


def grid_scenario(n: int, seed: int = 0) -> dict[str, Any]:
    """A generated theatre: a sqrt(n) x sqrt(n) grid split between four factions."""
    side = round(n**0.5)
    rng = np.random.default_rng(seed)
    fids = ["north", "south", "east", "west"]
    sett: dict[str, Any] = {}
    links = []
    for i in range(side):
        for j in range(side):
            owner = fids[(i >= side // 2) * 2 + (j >= side // 2)]
            sett[f"s{i}_{j}"] = {"name": f"S{i}.{j}", "lat": 30 + i * 0.05, "lon": 35 + j * 0.05,
                                 "controller": owner, "value": float(rng.uniform(0.5, 2)),
                                 "terrain": str(rng.choice(["rural", "urban", "mountain"]))}
            if i:
                links.append({"between": [f"s{i - 1}_{j}", f"s{i}_{j}"]})
            if j:
                links.append({"between": [f"s{i}_{j - 1}", f"s{i}_{j}"]})
    corners = {"north": "s0_0", "south": f"s{side - 1}_0", "east": f"s0_{side - 1}",
               "west": f"s{side - 1}_{side - 1}"}
    factions = {f: {"name": f, "strength": {"dist": "uniform", "low": 80 * n, "high": 120 * n},
                    "doctrine": {"aggression": 0.6, "max_offensives": max(3, n // 40)},
                    "supply_sources": [corners[f]]} for f in fids}
    return {"scenario": {"name": f"grid {side}x{side}", "start_date": "2015-10-13",
                         "turns": 26},
            "factions": factions, "settlements": sett, "links": links,
            "outcomes": {"north_wins": {
                "name": "north holds the centre",
                "controls": {"faction": "north", "settlements": [f"s{side // 2}_{side // 2}"]},
            }}}


def measure(compiled: Any, replicates: int, seed: int = 1, repeat: int = 3
            ) -> tuple[float, float, float]:
    """Best and median seconds of ``repeat`` vectorised calls, and peak traced MiB of one."""
    simulate(compiled, np.random.default_rng(seed), min(replicates, 10), turns=1)  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        simulate(compiled, np.random.default_rng(seed), replicates)
        times.append(time.perf_counter() - t0)
    tracemalloc.start()
    simulate(compiled, np.random.default_rng(seed), replicates)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return min(times), statistics.median(times), peak / 2**20


def cold_start() -> float:
    """Seconds for a first game in a new process with an empty kernel cache (compilation)."""
    code = ("import numpy as np; from wargame.engine import compile_scenario, simulate; "
            "from wargame.scenario import load; "
            f"c = compile_scenario(load({str(ROOT / 'scenarios' / 'aleppo_2015.yaml')!r})"
            ".scenario); simulate(c, np.random.default_rng(1), 1)")
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=env)
        return time.perf_counter() - t0


# One timing in a given checkout's interpreter: a warm-up call, then one timed call.
_ONE = """
import sys, time
import numpy as np
from wargame.engine import compile_scenario, simulate
from wargame.scenario import load
c = compile_scenario(load(sys.argv[1]).scenario)
simulate(c, np.random.default_rng(0), 50)
t = time.perf_counter()
simulate(c, np.random.default_rng(1), int(sys.argv[2]))
elapsed = time.perf_counter() - t
# The work a turn has to do: links between factions at war (first relations), per game-turn.
res = simulate(c, np.random.default_rng(2), 300, record_turns=True)
ctl = res.control_by_turn[1:].astype(np.intp)
a, b = ctl[:, :, c.src], ctl[:, :, c.dst]
war = (a != b) & (c.init_relation[np.maximum(a, 0), np.maximum(b, 0)] == 0)
print(elapsed, war.sum() / (300 * ctl.shape[0]))
"""


def side_by_side(other: Path, sizes: list[int], repeats: int = 5) -> None:
    """Time this checkout and ``other`` (its ``.venv``, else this interpreter) on the Aleppo
    scenario, each on its own version of the file and its own package, alternating runs so
    that both see the same load on a shared machine."""
    scenario = "scenarios/aleppo_2015.yaml"     # each checkout plays its own version of it
    venv = other / ".venv" / "bin" / "python"    # its own environment, else this one
    runs = {"this checkout": (sys.executable, ROOT),
            f"{other}": (str(venv) if venv.exists() else sys.executable, other)}
    print("| checkout | replicates | best s | median s | games/s (best) | war links per "
          "game-turn |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in sizes:
        times: dict[str, list[float]] = {k: [] for k in runs}
        links: dict[str, float] = {}
        for _ in range(repeats):
            for name, (py, cwd) in runs.items():
                env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                       "PYTHONPATH": str(cwd)}
                out = subprocess.run([py, "-c", _ONE, scenario, str(r)], cwd=cwd, env=env,
                                     capture_output=True, text=True, check=True)
                elapsed, war = out.stdout.strip().splitlines()[-1].split()
                times[name].append(float(elapsed))
                links[name] = float(war)
        for name, ts in times.items():
            print(f"| {name} | {r:,} | {min(ts):.2f} | {statistics.median(ts):.2f} "
                  f"| {r / min(ts):,.0f} | {links[name]:.1f} |", flush=True)


def main() -> None:
    """Run the benchmark and print markdown tables."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="smaller sizes (a smoke run)")
    ap.add_argument("--against", type=Path, default=None,
                    help="another checkout (with its .venv) to time side by side, alternating")
    ap.add_argument("--repeat", type=int, default=5,
                    help="timed runs of each checkout with --against (alternating)")
    args = ap.parse_args()
    if args.against is not None:
        side_by_side(args.against.resolve(), [1000, 10000] if not args.quick else [1000],
                     args.repeat)
        return
    aleppo = compile_scenario(load(ROOT / "scenarios" / "aleppo_2015.yaml").scenario)
    sizes = [100, 1000, 10000, 30000] if not args.quick else [100, 1000]
    print("| scenario | settlements | replicates | turns | best s | median s | games/s "
          "| peak MiB | KiB/replicate |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in sizes:
        best, med, mib = measure(aleppo, r)
        print(f"| aleppo_2015 | {aleppo.n_settlements} | {r:,} | 26 | {best:.2f} | {med:.2f} "
              f"| {r / best:,.0f} | {mib:.0f} | {mib * 1024 / r:.1f} |", flush=True)
    grids = [(400, 1000), (4000, 100)] if not args.quick else [(400, 10)]
    for n, r in grids:
        doc = grid_scenario(n)
        c = compile_scenario(validate_document(Document(doc, {}, "<grid>")))
        best, med, mib = measure(c, r)
        print(f"| grid | {c.n_settlements} | {r:,} | 26 | {best:.2f} | {med:.2f} "
              f"| {r / best:,.1f} | {mib:.0f} | {mib * 1024 / r:.1f} |", flush=True)
    print(f"\nFirst game in a new process with an empty kernel cache: {cold_start():.1f} s")

if __name__ == "__main__":
    main()
