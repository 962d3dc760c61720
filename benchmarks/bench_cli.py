"""Command-line benchmarks (not a test): how long whole ``wargame`` commands take.

    python benchmarks/bench_cli.py                          # this checkout
    python benchmarks/bench_cli.py --against /tmp/prev      # and another, side by side

Measures, each as a whole process started afresh (after one warm-up run of each, then
``--repeats`` times, default 3; median and best wall-clock seconds):

1. the commands of the start-up targets: ``wargame --help``, ``wargame validate
   scenarios/aleppo_2015.yaml``, ``wargame batch scenarios/aleppo_2015.yaml --runs 1
   --workers 1 --format json`` (the fixed cost of a batch) and the same with ``--runs 10000``,
   with ``--workers 1`` and with the default workers;
2. the 10,000-game batch broken down by phase: interpreter start (``python -c pass``),
   imports (every module the command loads), YAML (parsing), validation (schema and
   cross-checks), kernel load (the first call of the compiled kernels beyond a later call's
   cost), engine (the games), output (the tables) and the rest (setup, the store of seeds,
   exit). The phases come from the real command, run in-process by this script with timers
   around those functions. "Beyond the engine" is the whole batch's median less the engine's
   games.

On a shared machine the CPU seconds (user + system, the process and its children) say more
than the wall clock: they leave out the time spent waiting for a core. For the commands in
one process they are about what the wall clock would be on an idle machine. They are not
given for the default workers: a pool's workers are children of the fork server, which is
never waited for, so their time is not counted.

Each checkout runs as ``PYTHON -m wargame`` with the checkout first on ``PYTHONPATH``;
``PYTHON`` is the checkout's own ``.venv/bin/python`` if it has one, else ``--python``
(default: the interpreter running this script). ``--against DIR`` runs the same
measurements on another checkout (make one of the previous main with ``git worktree add
/tmp/prev main``), in the same run, alternating the two so that both see the same machine
load. Prints markdown tables for ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = "scenarios/aleppo_2015.yaml"
ONE = ["batch", SCENARIO, "--runs", "1", "--workers", "1", "--format", "json"]
MANY = ["batch", SCENARIO, "--runs", "10000", "--workers", "1", "--format", "json"]
BATCH = [*MANY, "--seed", "1", "--quiet"]  # the one broken down by phase
COMMANDS = {
    "wargame --help": ["--help"],
    f"wargame validate {SCENARIO}": ["validate", SCENARIO],
    f"wargame {' '.join(ONE)}": [*ONE, "--seed", "1"],
    f"wargame {' '.join(MANY)}": [*MANY, "--seed", "1"],
    f"wargame {' '.join(MANY[:4])} --format json (default workers)": [
        *MANY[:4], "--format", "json", "--seed", "1"],
}
PHASES = ["interpreter", "imports", "YAML", "validation", "kernel load", "engine", "output",
          "rest"]


def _env(checkout: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "FORCE_COLOR"}
    path = env.get("PYTHONPATH")
    return {**env, "NO_COLOR": "1",
            "PYTHONPATH": str(checkout) + (os.pathsep + path if path else "")}


def _wall(argv: list[str], cwd: Path) -> float:
    return _timed(argv, cwd)[0]


def _timed(argv: list[str], cwd: Path) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of a whole process and its children."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=_env(cwd), stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _phases_child() -> None:
    """In a fresh process: run the batch command with timers around its phases; print JSON."""
    t0 = time.perf_counter()
    spent = dict.fromkeys(PHASES, 0.0)
    chunks: list[float] = []

    def timed(owner: object, name: str, phase: str) -> None:
        fn = getattr(owner, name)

        def wrapper(*args: object, **kwargs: object) -> object:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[phase] += time.perf_counter() - start
        setattr(owner, name, wrapper)

    start = time.perf_counter()
    import numba  # noqa: F401 - every module the batch command loads, timed together
    import numpy  # noqa: F401

    import wargame.cli.batch_cmds
    import wargame.engine
    import wargame.montecarlo.jobs
    import wargame.report.overview
    import wargame.report.regions
    import wargame.report.tables
    import wargame.scenario.load
    import wargame.scenario.yamlio
    spent["imports"] = time.perf_counter() - start

    modules = sys.modules  # (``wargame.scenario.load`` is also the name of a function)
    timed(modules["wargame.scenario.yamlio"], "parse", "YAML")
    timed(modules["wargame.scenario.load"], "validate_document", "validation")
    timed(modules["wargame.cli.batch_cmds"], "_emit", "output")
    simulate = wargame.engine.simulate

    def chunk(*args: object, **kwargs: object) -> object:
        start = time.perf_counter()
        try:
            return simulate(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            chunks.append(time.perf_counter() - start)
    wargame.engine.simulate = chunk  # type: ignore[assignment]

    try:  # the entry point of this checkout, or of an older one
        from wargame.cli.main import main
    except ImportError:
        from wargame.cli.app import main  # type: ignore[attr-defined,no-redef]
    sys.argv = ["wargame", *BATCH]
    out = sys.stdout
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - the command's output is not wanted
    try:
        main()
    except SystemExit:
        pass
    finally:
        sys.stdout.close()
        sys.stdout = out
    total = time.perf_counter() - t0
    # The first chunk also loads the compiled kernels; the others are games only.
    typical = statistics.median(chunks[1:]) if len(chunks) > 1 else 0.0
    spent["kernel load"] = max(0.0, chunks[0] - typical) if chunks else 0.0
    spent["engine"] = sum(chunks) - spent["kernel load"]
    spent["rest"] = total - sum(spent[p] for p in PHASES if p not in ("interpreter", "rest"))
    print(json.dumps(spent))


def _phases(python: Path, cwd: Path) -> dict[str, float]:
    got = subprocess.run([str(python), __file__, "--phases-child"], cwd=cwd, env=_env(cwd),
                         capture_output=True, text=True, check=True)
    return dict(json.loads(got.stdout.strip().splitlines()[-1]))


def _checkout(path: Path, python: Path) -> tuple[Path, Path]:
    own = path / ".venv" / "bin" / "python"
    python = own if own.exists() else python
    if not (path / "wargame" / "__init__.py").exists():
        raise SystemExit(f"{path}: not a wargame checkout")
    return path, python


def _median_best(times: list[float]) -> str:
    return f"{statistics.median(times):.2f} / {min(times):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--against", type=Path, default=None,
                        help="another checkout to compare with")
    parser.add_argument("--python", type=Path, default=Path(sys.executable),
                        help="the interpreter for a checkout without its own .venv")
    parser.add_argument("--phases-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phases_child:
        _phases_child()
        return
    sides = {"this checkout": _checkout(ROOT, args.python)}
    if args.against is not None:
        sides["--against"] = _checkout(args.against.resolve(), args.python)
    wall: dict[str, dict[str, list[float]]] = {s: {c: [] for c in COMMANDS} for s in sides}
    cpu: dict[str, dict[str, list[float]]] = {s: {c: [] for c in COMMANDS} for s in sides}
    phases: dict[str, list[dict[str, float]]] = {s: [] for s in sides}
    interp: dict[str, list[float]] = {s: [] for s in sides}
    for run in range(args.repeats + 1):  # the first round is the warm-up
        for label, argv in COMMANDS.items():
            for side, (cwd, python) in sides.items():  # one after the other: the same load
                took, used = _timed([str(python), "-m", "wargame", *argv], cwd)
                if run:
                    wall[side][label].append(took)
                    cpu[side][label].append(used)
        for side, (cwd, python) in sides.items():
            if run:
                interp[side].append(_wall([str(python), "-c", "pass"], cwd))
                phases[side].append(_phases(python, cwd))

    names = list(sides)
    print(f"{platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at the end, "
          f"{args.repeats} runs of each after a warm-up; wall-clock seconds (median / best) "
          "and CPU seconds (user + system, median; the processes' own work, whatever else "
          "runs)\n")
    print("| command | " + " | ".join(f"{n} wall | {n} CPU" for n in names) + " |")
    print("|---|" + "---:|---:|" * len(names))
    for label in COMMANDS:
        pooled = "default workers" in label  # the workers are not this process's children
        print(f"| `{label}` | " + " | ".join(
            f"{_median_best(wall[s][label])} | "
            + ("–" if pooled else f"{statistics.median(cpu[s][label]):.2f}")
            for s in names) + " |")

    print("\nThe 10,000-game batch by phase (median of the runs, seconds):\n")
    print("| phase | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    med: dict[str, dict[str, float]] = {}
    for s in names:
        med[s] = {p: statistics.median(run[p] for run in phases[s]) for p in PHASES}
        med[s]["interpreter"] = statistics.median(interp[s])
    for p in PHASES:
        print(f"| {p} | " + " | ".join(f"{med[s][p]:.3f}" for s in names) + " |")
    many = list(COMMANDS)[3]
    beyond = [statistics.median(wall[s][many]) - med[s]["engine"] for s in names]
    print("| **beyond the engine** (whole batch − engine) | "
          + " | ".join(f"**{b:.2f}**" for b in beyond) + " |")


if __name__ == "__main__":
    main()
