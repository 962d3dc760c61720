"""Engine cost by phase: where the time of a batch goes, and the work each turn has to do.

Run: ``NUMBA_NUM_THREADS=1 .venv/bin/python benchmarks/bench_phases.py [--replicates 10000]``
(``PYTHONPATH=../prev`` to time another checkout's engine with the same script).
Times every phase of the turn loop (``wargame.engine.run``) over one ``simulate`` call of the
Aleppo scenario, after a warm-up call, single-threaded; the best of ``--repeat`` calls for
each phase. Prints a markdown table: seconds a batch, share, and microseconds per game-turn;
then the work counted over the run (links between factions at war, places fought over, games
with a faction planning or with a candidate operation, attacks ordered), per game-turn.
Timers add a few microseconds per call (26 turns x about 20 calls), negligible at 10,000
replicates. ``--cpu`` counts the process's CPU time instead of the wall clock: on a shared
machine it leaves out the time other work held the core.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import importlib
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from wargame.engine import compile_scenario, simulate
from wargame.engine.common import WAR
from wargame.engine.phases import operations, orders
from wargame.scenario import load

ROOT = Path(__file__).resolve().parent.parent

# (label, module whose attribute run.py calls, attribute). A rule that lives in another module
# in another checkout is listed under both; only what exists is timed, so the same script
# times an older checkout too (``PYTHONPATH=../prev``).
PHASES: list[tuple[str, str, str]] = [
    ("events", "events", "run_events"),
    ("war links", "run", "find_war_links"),
    ("war links", "run", "refresh_war_links"),
    ("reinforcements", "support", "reinforce"),
    ("external support (air strikes...)", "support", "external_support"),
    ("supply, sieges, surrenders", "run", "supply_phase"),
    ("unit power", "run", "unit_power"),
    ("plan (operations)", "operations", "plan"),
    ("planned defence", "operations", "planned_defence"),
    ("orders", "orders", "choose"),
    ("battles", "combat", "fight"),
    ("control changes, retreats", "resolve", "resolve"),
    ("attack losses", "combat", "attack_losses"),
    ("morale, collapse", "morale", "morale_phase"),
    ("morale recovery", "morale", "recover"),
    ("culmination (no campaign)", "morale", "culmination"),
    ("launch operations", "operations", "launch"),
    ("advance operations", "operations", "advance"),
    ("fronts and holds", "garrisons", "front_places"),
    ("fronts and holds", "operations", "front_places"),
    ("fronts and holds", "operations", "hold_of"),
    ("quiet fronts", "garrisons", "quiet_front"),
    ("quiet fronts", "operations", "quiet_front"),
    ("regeneration", "garrisons", "regenerate"),
    ("regeneration", "operations", "regenerate"),
    ("massing", "garrisons", "mass"),
    ("massing", "operations", "mass"),
    ("redeployment", "run", "redeploy"),
    ("outcomes", "outcomes", "evaluate"),
]


def module(name: str) -> Any:
    """The engine module of that name (``run`` or a phase), None if this checkout has none."""
    try:
        return importlib.import_module("wargame.engine." + ("run" if name == "run"
                                                           else f"phases.{name}"))
    except ImportError:
        return None


def wrapped() -> list[tuple[str, Any, str]]:
    """The (label, module, attribute) of every phase this checkout has."""
    out = []
    for label, name, attr in PHASES:
        mod = module(name)
        if mod is not None and hasattr(mod, attr):
            out.append((label, mod, attr))
    return out


class Timers:
    """Seconds spent in each wrapped phase (a phase called inside another counts for itself
    only), and the work counted."""

    clock: Callable[[], float] = time.perf_counter

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.work: dict[str, float] = defaultdict(float)
        self.inner: list[float] = []            # time spent in nested phases, per level

    def wrap(self, label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            self.inner.append(0.0)
            t0 = Timers.clock()
            out = fn(*args, **kwargs)
            elapsed = Timers.clock() - t0
            nested = self.inner.pop()
            self.seconds[label] += elapsed - nested
            if self.inner:
                self.inner[-1] += elapsed
            return out
        return timed


def count_work(timers: Timers, counting: bool) -> Callable[[], None]:
    """Wrap the orders and launch to count the work of each turn; returns an undo."""
    choose, launch = orders.choose, operations.launch

    def choose_counted(c: Any, st: Any, *args: Any) -> Any:
        od, cand = choose(c, st, *args)
        if counting:
            ctrl = st.control.astype(np.intp)
            a, b = ctrl[:, c.src], ctrl[:, c.dst]
            rr = np.arange(ctrl.shape[0])[:, None]
            war = (a >= 0) & (b >= 0) & (a != b) & (
                st.relation[rr, np.maximum(a, 0), np.maximum(b, 0)] == WAR)
            timers.work["war links (directed)"] += war.sum()
            timers.work["attacks ordered"] += od.rep.size
            timers.work["places attacked"] += np.unique(od.rep * c.n_settlements
                                                        + c.dst[od.edge]).size
            pl = next(a for a in args if hasattr(a, "ready"))      # the Plan
            timers.work["games with a faction planning"] += pl.ready.any(axis=1).sum()
            if isinstance(cand, np.ndarray):                     # [R, F, N]
                score, ready = cand, pl.ready
            else:                                                # the games that plan only
                score, ready = cand.score, pl.ready[cand.rows]
            timers.work["games with a candidate operation"] += (
                (score > 0) & ready[..., None]).any(axis=(1, 2)).sum()
            timers.work["games with an operation on"] += (st.op_stage > 0).any(axis=1).sum()
        return od, cand

    orders.choose = choose_counted

    def undo() -> None:
        orders.choose, operations.launch = choose, launch

    return undo


def main() -> None:
    """Time each phase and print the table."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--replicates", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "aleppo_2015.yaml")
    ap.add_argument("--cpu", action="store_true",
                    help="time with the process's CPU time, not the wall clock")
    args = ap.parse_args()
    Timers.clock = time.process_time if args.cpu else time.perf_counter
    c = compile_scenario(load(args.scenario).scenario)
    R = args.replicates
    simulate(c, np.random.default_rng(0), 50)                     # warm-up: load the kernels
    best: dict[str, float] = {}
    totals = []
    phases = wrapped()
    originals = [(mod, attr, getattr(mod, attr)) for _, mod, attr in phases]
    work: dict[str, float] = {}
    turns = 0
    for i in range(args.repeat):
        timers = Timers()
        for label, mod, attr in phases:
            setattr(mod, attr, timers.wrap(label, getattr(mod, attr)))
        undo = count_work(timers, counting=i == 0)
        t0 = Timers.clock()
        res = simulate(c, np.random.default_rng(args.seed), R)
        totals.append(Timers.clock() - t0)
        undo()
        for mod, attr, fn in originals:
            setattr(mod, attr, fn)
        turns = res.turns
        if i == 0:
            work = dict(timers.work)
        for label, s in timers.seconds.items():
            best[label] = min(best.get(label, np.inf), s)
    total = min(totals)
    phased = sum(best.values())
    game_turns = R * turns
    print(f"{args.scenario.name}, {R:,} replicates x {turns} turns, best of {args.repeat}: "
          f"{total:.2f} s{' CPU' if args.cpu else ''} ({R / total:,.0f} games/s)\n")
    print("| phase | s a batch | share | µs per game-turn |")
    print("|---|---:|---:|---:|")
    rows = sorted(best.items(), key=lambda kv: -kv[1])
    rows.append(("the turn loop's own numpy (the rest)", max(total - phased, 0.0)))
    for label, s in rows:
        if s < 5e-4:
            continue
        print(f"| {label} | {s:.3f} | {100 * s / total:.0f}% | {1e6 * s / game_turns:.2f} |")
    print(f"| **total** | {total:.3f} | 100% | {1e6 * total / game_turns:.2f} |")
    print("\n| work counted | per game-turn |")
    print("|---|---:|")
    for label, n in work.items():
        print(f"| {label} | {n / game_turns:.2f} |")


if __name__ == "__main__":
    main()
