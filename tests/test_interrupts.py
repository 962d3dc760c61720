"""Ctrl-C at any moment: exit code 130, one line on stderr, no traceback, nothing left running.

Each case starts a real ``wargame`` process in its own process group and, after a delay, sends
SIGINT to the whole group, as a terminal's Ctrl-C does (workers included). The delays cover
every phase: the first imports, loading and validating the scenario, loading the compiled
kernels, and the games themselves (where Numba once turned the signal into a ``SystemError``;
see ``wargame/interrupts.py``). The cases run a few at a time in parallel, so the whole file
takes about half a minute; on a busy machine the same delays simply land in other phases.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
ALEPPO = str(ROOT / "scenarios" / "aleppo_2015.yaml")
TOY = str(ROOT / "tests" / "data" / "valid" / "toy.yaml")
LONG = "10000000"  # games: far more than any case lets finish
PARALLEL = max(1, min(3, os.cpu_count() or 1))
"""Commands interrupted at once: no more than the cores, so that none starts slowly (three on
two cores made a start slow enough that a Ctrl-C at 0.2 s came before the handlers)."""
GROUP_GONE_SECONDS = 15.0

COMMANDS: dict[str, list[str]] = {
    # The cases without "-workers" play in one process: --workers 1, as a run that large would
    # start a pool by default.
    "batch": ["batch", ALEPPO, "--runs", LONG, "--seed", "1", "--workers", "1"],
    "batch-workers": ["batch", ALEPPO, "--runs", LONG, "--seed", "1", "--workers", "2"],
    "sweep": ["sweep", TOY, "--vary", "factions.red.quality=0.5:1.5:3", "--runs", LONG,
              "--seed", "1", "--workers", "1"],
    "compare": ["compare", TOY, TOY, "--runs", LONG, "--seed", "1", "--workers", "1"],
    "map": ["map", ALEPPO, "--runs", LONG, "--seed", "1", "--workers", "1", "--out",
            "{tmp}/m.png"],
    "report": ["report", ALEPPO, "--runs", LONG, "--seed", "1", "--workers", "1", "--out",
               "{tmp}/r.html"],
    "run": ["run", ALEPPO, "--turns", "1000", "--seed", "1"],
    "sweep-workers": ["sweep", TOY, "--vary", "factions.red.quality=0.5:1.5:3", "--runs", LONG,
                      "--seed", "1", "--workers", "2"],
    "plot": ["plot", "outcomes", TOY, "--runs", LONG, "--seed", "1", "--workers", "1",
             "--out", "{tmp}/p.png"],
    "validate": ["validate", ALEPPO],
    "show": ["show", ALEPPO],
    "batch-games": ["batch", ALEPPO, "--runs", LONG, "--seed", "1", "--workers", "2",
                    "--chunk-size", "200", "--games", "{tmp}/g.parquet"],
    "compare-workers": ["compare", TOY, TOY, "--runs", LONG, "--seed", "1", "--workers", "2"],
    "map-workers": ["map", ALEPPO, "--runs", LONG, "--seed", "1", "--workers", "2", "--out",
                    "{tmp}/mw.png"],
    "report-workers": ["report", ALEPPO, "--runs", LONG, "--seed", "1", "--workers", "2",
                       "--out", "{tmp}/rw.html"],
    "plot-workers": ["plot", "outcomes", TOY, "--runs", LONG, "--seed", "1", "--workers", "2",
                     "--out", "{tmp}/pw.png"],
    "discover-workers": ["discover", ALEPPO, "--outcome", "daesh_reaches_corridor", "--runs",
                         LONG, "--seed", "1", "--workers", "2"],
    "branch": ["branch", TOY, "--at", "2", "--set", "factions.red.quality=1.5", "--runs", LONG,
               "--seed", "1"],
    "branch-workers": ["branch", ALEPPO, "--at", "12", "--given", "azaz_corridor_cut", "--set",
                       "support.russian_air.sorties_per_turn=0", "--runs", LONG, "--seed", "1",
                       "--workers", "2", "--store", "{tmp}/branch.db"],
}
DELAYS: dict[str, list[float]] = {
    "batch": [0.3, 0.4, 0.5, 0.8, 1.1, 1.4, 1.7, 2.0, 2.6, 3.5],
    "batch-workers": [0.35, 0.6, 1.0, 1.4, 2.0, 3.0],
    "sweep": [0.25, 0.9, 1.5, 2.5],
    "compare": [0.35, 1.2, 2.2],
    "map": [0.4, 1.3, 2.4],
    "report": [0.45, 1.6, 2.8],
    "run": [0.3, 0.7, 1.2],
    "sweep-workers": [0.5, 2.0],
    "plot": [0.4, 1.5],
    "validate": [0.2],  # both finish within a second or two: Ctrl-C while they start
    "show": [0.2],
    "batch-games": [1.0, 3.0],
    "compare-workers": [0.5, 2.5],
    "map-workers": [0.6, 2.2],
    "report-workers": [0.7, 2.6],
    "plot-workers": [0.5, 2.0],
    "discover-workers": [0.8, 2.4],
    "branch": [0.4, 1.5],
    "branch-workers": [0.7, 2.4],
}
CASES = [(name, d) for name, delays in DELAYS.items() for d in delays]


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str
    left: list[str]  # processes of the group still alive afterwards


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "WARGAME_DEBUG")}
    return {**env, "NO_COLOR": "1"}


def _alive(group: int) -> list[str]:
    """Members of a process group that are still running (not zombies)."""
    found = subprocess.run(["pgrep", "-g", str(group)], capture_output=True, text=True,
                           check=False).stdout.split()
    alive = []
    for pid in found:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.append(pid)
    return alive


def interrupt(args: list[str], delay: float, sig: int = signal.SIGINT,
              group: bool = True) -> Outcome:
    """Start ``wargame ARGS``, signal it after ``delay`` seconds, and wait for the end."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "wargame", *args], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, env=_env(), cwd=ROOT, start_new_session=True,
        # pytest may have been started with SIGINT ignored (a background job): undo that.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(delay)
    if group:
        os.killpg(proc.pid, sig)
    else:
        proc.send_signal(sig)
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        return Outcome(-999, out, err + "\n(timed out)", [])
    deadline = time.monotonic() + GROUP_GONE_SECONDS
    while (left := _alive(proc.pid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    if left:
        os.killpg(proc.pid, signal.SIGKILL)
    return Outcome(proc.returncode, out, err, left)


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("interrupts")


@pytest.fixture(scope="module")
def outcomes(out_dir: Path) -> Iterator[dict[tuple[str, float], Outcome]]:
    tmp = out_dir

    def one(case: tuple[str, float]) -> Outcome:
        name, delay = case
        return interrupt([a.format(tmp=tmp) for a in COMMANDS[name]], delay)

    with ThreadPoolExecutor(PARALLEL) as pool:
        yield dict(zip(CASES, pool.map(one, CASES), strict=True))


def check_clean(got: Outcome, code: int = 130, line: str = "interrupted",
                notes: tuple[str, ...] = ()) -> None:
    """The interrupt's one line (after any expected notes that start with ``notes``)."""
    assert got.code == code, got.stderr
    lines = got.stderr.splitlines()
    assert [x for x in lines if not x.startswith(notes) or not notes] == [line], got.stderr
    assert "Traceback" not in got.stderr and "internal error" not in got.stderr
    assert got.stdout == ""
    assert got.left == [], f"still running: {got.left}"


def test_enough_cases() -> None:
    assert len(CASES) >= 30
    assert set(DELAYS) == set(COMMANDS)


@pytest.mark.parametrize("case", CASES, ids=[f"{n}-{d}s" for n, d in CASES])
def test_ctrl_c_exits_130_with_one_line(case: tuple[str, float],
                                        outcomes: dict[tuple[str, float], Outcome]) -> None:
    check_clean(outcomes[case])


def test_nothing_is_left_under_a_final_name(outcomes: dict[tuple[str, float], Outcome],
                                            out_dir: Path) -> None:
    """No picture, report or Parquet records of an interrupted run, whole or in part, and no
    temporary file either. A ``--store`` file is kept on purpose (``--resume`` continues it)
    once the run has made it, which depends on how far it got before the signal."""
    assert outcomes
    assert sorted(p.name for p in out_dir.iterdir() if p.name != "branch.db") == []


RANDOM_EXAMPLES = 4 if os.environ.get("HYPOTHESIS_PROFILE") == "ci" else 25
"""Random moments: a few, from a fixed seed, under the ``ci`` profile (``derandomize``);
more, and new ones each run, under ``dev``."""
EARLIEST = 0.3
"""No earlier: in its first tenths of a second the process is the Python interpreter starting
(and importing the package), whose own handler prints a traceback before wargame can take
charge of Ctrl-C; the fixed cases above start at 0.2 s."""


@pytest.mark.slow
@settings(max_examples=RANDOM_EXAMPLES, deadline=None)
@given(name=st.sampled_from(sorted(k for k in COMMANDS if k not in ("validate", "show"))),
       delay=st.floats(EARLIEST, 4.0))
def test_ctrl_c_at_a_random_moment(name: str, delay: float,
                                   tmp_path_factory: pytest.TempPathFactory) -> None:
    tmp = tmp_path_factory.mktemp("random")
    got = interrupt([a.format(tmp=tmp) for a in COMMANDS[name]], delay)
    check_clean(got)
    # A ``--store`` file is kept on purpose, as in test_nothing_is_left_under_a_final_name.
    assert sorted(p.name for p in tmp.iterdir() if p.name != "branch.db") == []


@pytest.mark.parametrize("delay", [0.6, 2.0])
def test_sigterm_with_workers_ends_everything(delay: float) -> None:
    # SIGTERM to the parent alone (as `kill PID` sends it): it stops its workers itself.
    got = interrupt(COMMANDS["batch-workers"], delay, signal.SIGTERM, group=False)
    check_clean(got, 143, "terminated")
    assert "leaked" not in got.stderr


def test_sigterm_to_the_whole_group_with_workers_ends_everything() -> None:
    # As a process manager or a terminal's hang-up sends it: parent and workers at once.
    got = interrupt(COMMANDS["batch-workers"], 1.5, signal.SIGTERM)
    check_clean(got, 143, "terminated")
    assert "leaked" not in got.stderr


def _chunks(store: Path) -> int:
    import sqlite3

    try:
        with sqlite3.connect(store, timeout=5) as conn:
            return int(conn.execute("SELECT count(*) FROM chunks").fetchone()[0])
    except sqlite3.Error:
        return 0


@pytest.mark.parametrize("workers", ["1", "2"])
def test_an_interrupted_store_resumes_to_the_uninterrupted_result(tmp_path: Path,
                                                                  workers: str) -> None:
    spec = ["batch", TOY, "--runs", "200000", "--chunk-size", "500", "--seed", "77",
            "--format", "json", "--quiet", "--workers", workers]
    whole = subprocess.run([sys.executable, "-m", "wargame", *spec], capture_output=True,
                           text=True, env=_env(), cwd=ROOT, check=False, timeout=300)
    assert whole.returncode == 0, whole.stderr
    store = tmp_path / "s.db"
    stored = [0]
    for delay in (1.5, 2.0):  # interrupted twice, each time after some chunks were stored
        got = interrupt([*spec, "--store", str(store), "--resume"], delay)
        if got.code == 0:
            break  # a fast machine finished first: the resume below still checks the result
        check_clean(got, notes=("resuming: ",))
        stored.append(_chunks(store))
    assert stored == sorted(stored)
    done = subprocess.run([sys.executable, "-m", "wargame", *spec, "--store", str(store),
                           "--resume"], capture_output=True, text=True, env=_env(), cwd=ROOT,
                          check=False, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(whole.stdout)


@pytest.mark.slow
def test_killing_the_main_process_ends_its_workers() -> None:
    """SIGKILL to the main process alone (the out-of-memory killer): its fork server and
    workers end with it (wargame/montecarlo/lifeline.py), instead of idling on for minutes."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "wargame", *COMMANDS["batch-workers"], "-q"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env(), cwd=ROOT,
        start_new_session=True)
    deadline = time.monotonic() + 60
    while len(_alive(proc.pid)) < 4 and time.monotonic() < deadline:  # main, server, 2 workers
        time.sleep(0.2)
    time.sleep(1.0)  # the workers are playing
    assert len(_alive(proc.pid)) >= 4
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 5.0
    while (left := _alive(proc.pid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    if left:
        os.killpg(proc.pid, signal.SIGKILL)
    assert not left, left


def _fresh_state(interrupts: ModuleType) -> None:
    """Start from a process with Python's own handlers and no interrupt received or being
    retried. Earlier tests in this process may leave otherwise: a command run in-process
    ends by ignoring SIGINT (``interrupts.hold``), which ``install`` then keeps ignored, as it
    keeps a signal the process was started with ignored."""
    time.sleep(3 * interrupts.RETRY_SECONDS)   # a retry timer still running ends first
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    interrupts._state.received, interrupts._state.reported = 0, False
    interrupts._state.retrying, interrupts._state.holding = False, False


def test_an_interrupt_deferred_while_the_handler_is_set_aside_is_not_lost() -> None:
    """A deferred Ctrl-C asked again while the fork server was being started (SIGINT ignored
    for a moment) was dropped, and the command ran to its end with exit code 0."""
    from wargame import interrupts

    _fresh_state(interrupts)
    before = signal.getsignal(signal.SIGINT)
    interrupts.install()
    try:
        mine = signal.signal(signal.SIGINT, signal.SIG_IGN)  # as _start_forkserver does
        interrupts._retry(signal.SIGINT)                     # the deferred interrupt's retry
        time.sleep(0.05)
        signal.signal(signal.SIGINT, mine)
        with pytest.raises(KeyboardInterrupt):
            for _ in range(400):
                time.sleep(0.005)
    finally:
        interrupts.hold()
        signal.signal(signal.SIGINT, before)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def test_no_interrupt_is_raised_inside_a_finaliser_however_deep() -> None:
    """A signal landing in a weakref.finalize callback run by the garbage collector, or in
    what a finaliser calls, is deferred (raised there, Python would print it as "Exception
    ignored" with a traceback, and lose it)."""
    import gc
    import weakref

    from wargame import interrupts

    seen: list[bool] = []

    def deep() -> None:
        seen.append(interrupts._in_compiled_code(sys._getframe()))

    def callback() -> None:
        deep()

    class Thing:
        pass

    class WithDel:
        def __del__(self) -> None:
            deep()

    thing = Thing()
    weakref.finalize(thing, callback)
    del thing
    obj = WithDel()
    del obj
    gc.collect()
    seen.append(interrupts._in_compiled_code(sys._getframe()))   # ordinary code
    assert seen == [True, True, False]


def test_the_exit_codes_are_those_of_the_error_policy() -> None:
    from wargame import errors, interrupts

    assert (interrupts.EXIT_INTERRUPTED, interrupts.EXIT_TERMINATED) == \
        (errors.EXIT_INTERRUPTED, errors.EXIT_TERMINATED)
    assert "wargame.errors" not in subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import wargame.interrupts"],
        capture_output=True, text=True, check=True).stderr   # in hand before the rest loads


def test_a_ctrl_c_while_the_fork_server_starts_is_not_lost(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The pool's fork server was started with SIGINT set to be ignored in this process too,
    which threw away a Ctrl-C of those milliseconds: the command ran on to its end."""
    from multiprocessing import forkserver

    from wargame import interrupts
    from wargame.montecarlo import executors

    def starting() -> None:   # Ctrl-C while the server starts, which takes a moment
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.1)

    monkeypatch.setattr(forkserver, "ensure_running", starting)
    import threading

    _fresh_state(interrupts)

    before = signal.getsignal(signal.SIGINT)
    other = threading.Thread(target=time.sleep, args=(1.0,), daemon=True)  # a progress bar's
    other.start()   # the kernel gives the signal to a thread that does not block it: this one
    interrupts.install()
    try:
        with pytest.raises(KeyboardInterrupt):
            executors._start_forkserver()
            for _ in range(400):
                time.sleep(0.005)
    finally:
        interrupts.hold()
        signal.signal(signal.SIGINT, before)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


FORK_SERVER_MASK = """
import os, subprocess, time
from wargame import interrupts
from wargame.montecarlo.executors import _start_forkserver
interrupts.install()
_start_forkserver()
for pid in subprocess.run(["pgrep", "-P", str(os.getpid())], capture_output=True,
                          text=True).stdout.split():
    status = dict(line.split(":\\t") for line in open(f"/proc/{pid}/status").read().splitlines()
                  if line.startswith(("SigBlk", "SigIgn")))
    held = (int(status["SigBlk"], 16) | int(status["SigIgn"], 16)) & 2
    print("held" if held else "open")
"""


def test_the_fork_server_holds_ctrl_c_back_from_its_first_instruction() -> None:
    """Its start-up (importing the engine) must not end in a traceback on Ctrl-C: SIGINT is
    blocked (then ignored) in it from the start, the resource tracker's start included."""
    out = subprocess.run([sys.executable, "-c", FORK_SERVER_MASK], capture_output=True,
                         text=True, env=_env(), cwd=ROOT, timeout=60, check=True).stdout
    assert out.split() and set(out.split()) == {"held"}, out


def test_an_interrupt_wrapped_in_another_error_still_exits_130(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Python turns a KeyboardInterrupt raised in a class body's ``__set_name__`` (Ctrl-C
    while Rich is imported, say) into a RuntimeError: the command still ends with 130 and
    one line, not a traceback."""
    import wargame.cli.app
    from wargame import interrupts
    from wargame.cli import main

    def cut_short(**_: object) -> None:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as exc:
            raise RuntimeError("Error calling __set_name__ on 'Field' instance") from exc

    # A command with no signal received yet (earlier tests in this process may have had one).
    for name, value in (("received", 0), ("reported", False), ("retrying", False),
                        ("holding", False)):
        monkeypatch.setattr(interrupts._state, name, value)
    monkeypatch.setattr(wargame.cli.app, "app", cut_short)
    assert main._run() == 130
    assert capsys.readouterr().err == "interrupted\n"
    # Another error, with no interrupt behind it, is not hidden.
    monkeypatch.setattr(interrupts._state, "reported", False)
    monkeypatch.setattr(wargame.cli.app, "app", lambda **_: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        main._run()
