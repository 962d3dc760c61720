"""Command-line benchmarks (not a test): how long whole ``wargame`` commands take.

    .venv/bin/python benchmarks/bench_cli.py                          # this checkout
    .venv/bin/python benchmarks/bench_cli.py --against /tmp/prev      # and another, side by side

Measures, each as a whole process started afresh (``--repeats`` times, default 5; best and
median wall-clock seconds):

1. ``wargame --help``, ``wargame --version``, ``wargame validate scenarios/aleppo_2015.yaml``
   and ``wargame batch scenarios/aleppo_2015.yaml --runs 10000 --workers 1``;
2. the same batch broken down by phase: interpreter start (``python -c pass``), imports (every
   module the command loads), YAML (parsing), validation (schema and cross-checks), kernel load
   (the first call of the compiled kernels beyond a later call's cost), engine (the games),
   output (the tables) and the rest (setup, the store of seeds, exit). The phases come from
   the real command, run in-process by this script with timers around those functions.
   "Beyond the engine" is the whole batch's best time less the engine's games.

``--against DIR`` runs the same measurements with another checkout's ``DIR/.venv`` (make one of
the previous main with ``git worktree add /tmp/prev COMMIT && make -C /tmp/prev install``), in
the same run, alternating the two so that both see the same machine load. Prints markdown
tables for ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = "scenarios/aleppo_2015.yaml"
BATCH = ["batch", SCENARIO, "--runs", "10000", "--workers", "1", "--seed", "1", "--quiet"]
COMMANDS = {
    "wargame --help": ["--help"],
    "wargame --version": ["--version"],
    f"wargame validate {SCENARIO}": ["validate", SCENARIO],
    f"wargame {' '.join(BATCH[:6])}": BATCH,
}
PHASES = ["interpreter", "imports", "YAML", "validation", "kernel load", "engine", "output",
          "rest"]


def _env() -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if k != "FORCE_COLOR"}, "NO_COLOR": "1"}


def _wall(argv: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=_env(), stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


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

    import wargame.batch.jobs
    import wargame.batch.render
    import wargame.cli.batch_cmds
    import wargame.engine
    import wargame.report.overview
    import wargame.report.regions
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
    got = subprocess.run([str(python), __file__, "--phases-child"], cwd=cwd, env=_env(),
                         capture_output=True, text=True, check=True)
    return dict(json.loads(got.stdout.strip().splitlines()[-1]))


def _checkout(path: Path) -> tuple[Path, Path]:
    python = path / ".venv" / "bin" / "python"
    if not (python.exists() and (path / ".venv" / "bin" / "wargame").exists()):
        raise SystemExit(f"{path}: no .venv with wargame installed (run `make install` there)")
    return path, python


def _best_median(times: list[float]) -> str:
    return f"{min(times):.2f} / {statistics.median(times):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--against", type=Path, default=None,
                        help="another checkout (with its own .venv) to compare with")
    parser.add_argument("--phases-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phases_child:
        _phases_child()
        return
    sides = {"this checkout": _checkout(ROOT)}
    if args.against is not None:
        sides["--against"] = _checkout(args.against.resolve())
    wall: dict[str, dict[str, list[float]]] = {s: {c: [] for c in COMMANDS} for s in sides}
    phases: dict[str, list[dict[str, float]]] = {s: [] for s in sides}
    interp: dict[str, list[float]] = {s: [] for s in sides}
    for _ in range(args.repeats):  # alternate the sides, so that both see the same load
        for side, (cwd, python) in sides.items():
            exe = str(cwd / ".venv" / "bin" / "wargame")
            for label, argv in COMMANDS.items():
                wall[side][label].append(_wall([exe, *argv], cwd))
            interp[side].append(_wall([str(python), "-c", "pass"], cwd))
            phases[side].append(_phases(python, cwd))

    names = list(sides)
    print(f"{platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} cores, {args.repeats} runs of each, seconds (best / median)\n")
    print("| command | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    for label in COMMANDS:
        print(f"| `{label}` | " + " | ".join(_best_median(wall[s][label]) for s in names) + " |")

    print("\nThe batch by phase (median of the runs, seconds):\n")
    print("| phase | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    med: dict[str, dict[str, float]] = {}
    for s in names:
        med[s] = {p: statistics.median(run[p] for run in phases[s]) for p in PHASES}
        med[s]["interpreter"] = statistics.median(interp[s])
    for p in PHASES:
        print(f"| {p} | " + " | ".join(f"{med[s][p]:.3f}" for s in names) + " |")
    batch = list(COMMANDS)[-1]
    beyond = [min(wall[s][batch]) - med[s]["engine"] for s in names]
    print("| **beyond the engine** (best whole batch − engine) | "
          + " | ".join(f"**{b:.2f}**" for b in beyond) + " |")


if __name__ == "__main__":
    main()
