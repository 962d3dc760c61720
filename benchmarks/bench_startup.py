"""Start-up benchmarks (not a test): where a batch's fixed cost goes, and what the ways to
remove it would give.

    python benchmarks/bench_startup.py                # every part, 3 repeats
    python benchmarks/bench_startup.py steps aot      # some parts

Parts (each measured in fresh processes, ``--repeats`` times; median and best seconds):

``steps``
    ``wargame batch scenarios/aleppo_2015.yaml --runs 1 --workers 1 --format json`` taken
    apart in one process: the command line's modules, the batch layer's (with numpy,
    pydantic and the schema), reading and checking the scenario, Numba's import, the
    engine's modules, Numba's registries (built on the first kernel call whatever the cache
    holds, unless the engine defers them to a compile: the step is then empty), the first
    game (loading the kernels it calls from the cache) and a second game.
``overlap``
    the same command, with and without a thread that imports the engine and builds Numba's
    registries while the main thread loads the command line and reads the scenario.
``resident``
    a resident process that has run the command once (modules imported, kernels loaded)
    forks a child per request: the child's wall time, what a resident server would cost
    beyond its client's start (``python -c "import socket"``, also timed).
``aot``
    one kernel (``by_faction``) compiled ahead of time with ``numba.pycc`` into an extension
    module in a temporary directory (needs a C compiler), then in fresh processes: import
    numpy, the extension and call it, against importing the Numba-compiled kernel and its
    first call from the cache.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARGV = ["wargame", "batch", "scenarios/aleppo_2015.yaml", "--runs", "1", "--workers", "1",
        "--format", "json", "--seed", "1"]

STEPS = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    t = [time.perf_counter()]
    def lap():
        t.append(time.perf_counter())
    import wargame.cli.app; lap()
    import wargame.api, wargame.montecarlo.jobs; lap()
    from wargame.scenario import load
    loaded = load(Path("scenarios/aleppo_2015.yaml"), []); lap()
    import numba; lap()
    import numpy as np
    import wargame.engine; lap()
    from numba.core import caching
    from numba.core.registry import cpu_target
    if not getattr(caching.Cache.load_overload, "deferred", False):
        cpu_target.target_context.refresh()   # what the first kernel call builds
    lap()
    c = wargame.engine.compile_scenario(loaded.scenario)
    wargame.engine.simulate(c, np.random.default_rng(1), 1); lap()
    wargame.engine.simulate(c, np.random.default_rng(1), 1); lap()
    kernels = {id(v): v for m in list(sys.modules.values())
               if m is not None and m.__name__.startswith("wargame.engine")
               for v in vars(m).values() if isinstance(v, numba.core.registry.CPUDispatcher)}
    loaded = sum(1 for v in kernels.values() if v.overloads)
    print(json.dumps([b - a for a, b in zip(t, t[1:])] + [len(kernels), loaded]))
""")
STEP_NAMES = ["command line (Typer, Rich, the commands)",
              "batch layer (numpy, pydantic, the schema)", "read and check the scenario",
              "Numba's import", "the engine's modules", "Numba's registries (first call)",
              "first game (kernels loaded from the cache)", "a second game"]

OVERLAP = textwrap.dedent("""
    import os, sys, threading
    def warm():
        try:
            import wargame.engine
            from numba.core.registry import cpu_target
            cpu_target.target_context.refresh()
        except Exception:
            pass
    if os.environ.get("OVERLAP"):
        threading.Thread(target=warm, daemon=True).start()
    sys.argv = ARGV
    from wargame.cli.main import main
    sys.stdout = open(os.devnull, "w")
    main()
""")

RESIDENT = textwrap.dedent("""
    import os, statistics, sys, time
    def run():
        from wargame.cli.main import main
        sys.argv = list(ARGV)
        try:
            main()
        except SystemExit:
            pass
    null = os.open(os.devnull, os.O_WRONLY)
    saved = os.dup(1)
    os.dup2(null, 1)
    run()
    sys.stdout.flush()
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            run()
            os._exit(0)
        os.waitpid(pid, 0)
        times.append(time.perf_counter() - start)
    sys.stdout.flush()
    os.dup2(saved, 1)
    print(" ".join(map(str, times)))
""")

AOT_BUILD = textwrap.dedent("""
    import warnings
    warnings.simplefilter("ignore")
    import numpy as np
    from numba.pycc import CC
    cc = CC("wargame_aot")
    cc.output_dir = "."
    @cc.export("by_faction", "f8[:,:](f8[:,:], i8[:,:], i8)")
    def by_faction(x, ctrl, n_factions):
        R, N = x.shape
        out = np.zeros((R, n_factions))
        for r in range(R):
            for n in range(N):
                f = ctrl[r, n]
                if f >= 0:
                    out[r, f] += x[r, n]
        return out
    cc.compile()
""")
AOT_USE = ("import numpy as np\nimport wargame_aot\n"
           "wargame_aot.by_faction(np.ones((3, 4)), np.zeros((3, 4), dtype=np.int64), 2)\n")
JIT_USE = ("import numpy as np\nfrom wargame.engine.common import by_faction\n"
           "by_faction(np.ones((3, 4)), np.zeros((3, 4), dtype=np.int64), 2)\n")


def _env() -> dict[str, str]:
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "NO_COLOR": "1", "NUMBA_NUM_THREADS": "1",
            "PYTHONPATH": str(ROOT) + (os.pathsep + path if path else "")}


def _python(code: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    got = subprocess.run([sys.executable, "-c", f"ARGV = {ARGV!r}\n{code}"], cwd=cwd,
                         env=env or _env(), capture_output=True, text=True, check=True)
    return time.perf_counter() - start, got.stdout


def _mb(times: list[float]) -> str:
    return f"{statistics.median(times):.3f} / {min(times):.3f}"


def steps(repeats: int) -> None:
    runs = [[float(x) for x in _python(STEPS)[1].strip()[1:-1].split(",")]
            for _ in range(repeats)]
    kernels, loaded = int(runs[0][-2]), int(runs[0][-1])
    runs = [r[:-2] for r in runs]
    print("| step | seconds (median / best) |\n|---|---:|")
    for i, name in enumerate(STEP_NAMES):
        print(f"| {name} | {_mb([r[i] for r in runs])} |")
    total = [sum(r[:-1]) for r in runs]
    print(f"| **before the second game** | **{_mb(total)}** |\n")
    print(f"The games loaded {loaded} of the engine's {kernels} compiled kernels.\n")


def overlap(repeats: int) -> None:
    plain: list[float] = []
    threaded: list[float] = []
    for _ in range(repeats):
        plain.append(_python(OVERLAP)[0])
        threaded.append(_python(OVERLAP, env={**_env(), "OVERLAP": "1"})[0])
    print(f"whole command: one thread {_mb(plain)}, with the warm-up thread {_mb(threaded)}\n")


def resident(repeats: int) -> None:
    _, out = _python(RESIDENT.replace("REPEATS", str(repeats)))
    child = [float(x) for x in out.split()]
    client = [_python("import socket, json")[0] for _ in range(repeats)]
    print(f"resident process: forked child runs the command in {_mb(child)}; a client's "
          f"start (python, socket) {_mb(client)}\n")


def aot(repeats: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", AOT_BUILD], cwd=tmp, env=_env(), check=True,
                       capture_output=True)
        built = time.perf_counter() - start
        size = sum(p.stat().st_size for p in Path(tmp).glob("wargame_aot*"))
        env = {**_env(), "PYTHONPATH": tmp}
        ahead = [_python(AOT_USE, Path(tmp), env)[0] for _ in range(repeats)]
        numpy_only = [_python("import numpy", Path(tmp), env)[0] for _ in range(repeats)]
        jit = [_python(JIT_USE)[0] for _ in range(repeats)]
    print(f"pycc build of one kernel {built:.1f} s, {size / 1024:.0f} KiB; fresh process: "
          f"numpy alone {_mb(numpy_only)}, numpy + the AOT kernel and a call {_mb(ahead)}, "
          f"numpy + the Numba kernel and its first call from the cache {_mb(jit)}\n")


PARTS = {"steps": steps, "overlap": overlap, "resident": resident, "aot": aot}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("parts", nargs="*", help=f"any of {', '.join(PARTS)} (default: all)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    unknown = [p for p in args.parts if p not in PARTS]
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    for part in args.parts or list(PARTS):
        print(f"## {part} (load {os.getloadavg()[0]:.1f})\n", flush=True)
        PARTS[part](args.repeats)


if __name__ == "__main__":
    main()
