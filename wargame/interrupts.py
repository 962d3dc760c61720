"""Ctrl-C and SIGTERM: stop cleanly at any moment, never from inside compiled code.

Why the engine needs this. Python runs a signal handler between two bytecodes of the main
thread; the default SIGINT handler raises ``KeyboardInterrupt`` there. While a Numba-compiled
kernel returns, Numba boxes its result into Python objects, and to do so it calls back into a
little Python code (``numba.core.serialize._numba_unpickle`` rebuilds the arrays' dtypes).
A ``KeyboardInterrupt`` raised inside that callback leaves an exception set while the
callback's caller, compiled code, goes on and returns a result anyway, so CPython reports
``SystemError: CPUDispatcher(<function supply ...>) returned a result with an exception set``
instead of the interrupt (about one Ctrl-C in three during a batch).

The fix, at the depth where the fault is: the handler installed here never raises while any
Numba code is running on the main thread's stack (nor while a worker process is being
started, see :func:`_unsafe_places`). It notes the signal and asks again a few
milliseconds later (:func:`_thread.interrupt_main`); as soon as the main thread is back in
ordinary Python (the engine's turn loop, the batch, the store), the next call raises. So an
interrupt lands within a few milliseconds of the current kernel call ending, and always as a
``KeyboardInterrupt`` (:class:`Terminated` for SIGTERM), which every ``finally`` and ``with``
on the way up handles as usual: stores commit or roll back whole chunks, worker pools shut
down. The command line maps it to exit code 130 (143 for SIGTERM) and one line on stderr.

A process started with SIGINT ignored (``nohup``, a background job of a script) keeps ignoring
it. Worker processes ignore SIGINT from birth (see :mod:`wargame.montecarlo.executors`): the parent
stops them.
"""

from __future__ import annotations

import _thread
import importlib.util
import os
import signal
import threading
from collections.abc import Callable
from types import FrameType

RETRY_SECONDS = 0.005
"""How soon a deferred interrupt is tried again (a kernel call lasts milliseconds)."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that the same clean-up runs; exit code 143."""


_UNSAFE_DIRS: tuple[str, ...] = ()


class _State:
    received = 0  # the first signal since install(), 0 for none
    reported = False
    retrying = False
    holding = False  # hold() was called: the command is ending, nothing more is raised


_state = _State()


def _package_dirs(*names: str) -> tuple[str, ...]:
    """Source folders of packages, found without importing them."""
    dirs = []
    for name in names:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        for where in (spec.submodule_search_locations or []) if spec else []:
            dirs.append(os.path.join(os.path.realpath(where), ""))
    return tuple(dirs)


def _unsafe_places() -> tuple[str, ...]:
    """Code an interrupt must not cut through: Numba's and llvmlite's (see above), and the
    standard library's starting of worker processes (an interrupt halfway through sent a
    worker a truncated process object, which it reported with a traceback, or left a started
    worker unknown to its pool, which then never stopped it), and pydantic's validation of a
    scenario (its compiled core runs Python's signal handlers from inside a validator; an
    interrupt raised there was printed as "Exception ignored" and turned every pattern check
    of the scenario into a false error before the command stopped)."""
    places = _package_dirs("numba", "llvmlite", "multiprocessing", "pydantic", "pydantic_core")
    concurrent = _package_dirs("concurrent")
    if concurrent:
        places += (os.path.join(concurrent[0], "futures", "process.py"),)
    return places or ("\0",)


def _in_compiled_code(frame: FrameType | None) -> bool:
    """Whether code of :func:`_unsafe_places` is on the stack (a compiled kernel's callback,
    a Numba dispatcher, a worker being started), or the signal came while Python ran a
    callback of the garbage collector (a finaliser, or the weak-reference callback that drops
    an import's module lock), where an exception cannot be raised: Python would print it as
    "Exception ignored" and lose the interrupt."""
    if frame is not None and _in_callback(frame):
        return True
    while frame is not None:
        code = frame.f_code
        if code.co_filename.startswith(_UNSAFE_DIRS) or code.co_name in _CALLBACKS_ANYWHERE \
                or code.co_filename.endswith(_CALLBACK_FILES):
            return True
        frame = frame.f_back
    return False


_CALLBACKS_ANYWHERE = frozenset({"__del__", "_remove_proxy"})
"""Finalisers and weak-reference callbacks (matplotlib's callback registry drops a dead
method's proxy in ``_remove_proxy``) however deep the signal lands in what they call."""
_CALLBACK_FILES = (f"{os.sep}weakref.py", f"{os.sep}_weakrefset.py")
"""The standard library's weak-reference machinery (``weakref.finalize`` callbacks run by
the garbage collector, the dictionaries' and sets' ``remove``)."""


def _in_callback(frame: FrameType) -> bool:
    code = frame.f_code
    return code.co_name in ("__del__", "_remove", "remove") or (
        code.co_name == "cb" and code.co_filename.startswith("<frozen importlib"))


def _retry(signum: int) -> None:
    _state.retrying = False
    if _state.holding:
        return
    if signal.getsignal(signum) in (signal.SIG_IGN, signal.SIG_DFL, None):
        # The handler is set aside for a moment (the worker pool's fork server is being
        # started with SIGINT ignored): interrupt_main would do nothing and the interrupt be
        # lost, so ask again later.
        _schedule(signum)
        return
    _thread.interrupt_main(signal.Signals(signum))


def _schedule(signum: int) -> None:
    if not _state.retrying:
        _state.retrying = True
        timer = threading.Timer(RETRY_SECONDS, _retry, (signum,))
        timer.daemon = True
        timer.start()


def _handler(signum: int, frame: FrameType | None) -> None:
    if not _state.received:
        _state.received = signum
    if _in_compiled_code(frame):
        _schedule(signum)
        return
    raise Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


def install() -> None:
    """Handle SIGINT and SIGTERM as described above in this process, from now on.

    Call it from the main thread (elsewhere it does nothing); calling it again starts afresh.
    A signal this process was started with ignored stays ignored.
    """
    global _UNSAFE_DIRS
    if threading.current_thread() is not threading.main_thread():
        return
    _state.received, _state.reported, _state.holding = 0, False, False
    _set_handlers(_handler)  # first: the unsafe places take a few milliseconds to find
    if not _UNSAFE_DIRS:
        _UNSAFE_DIRS = _unsafe_places()


def hold() -> None:
    """From now on ignore SIGINT and SIGTERM: the command is stopping or done, and a signal
    must not cut short the message to the user or the interpreter's exit (CPython restores the
    default action at exit, which would end the process by the signal, without a word)."""
    _state.holding = True
    if threading.current_thread() is threading.main_thread():
        _set_handlers(signal.SIG_IGN, only_replacing=_handler)


def _set_handlers(handler: Callable[[int, FrameType | None], None] | signal.Handlers,
                  only_replacing: object = None) -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        current = signal.getsignal(sig)
        if current is not signal.SIG_IGN and only_replacing in (None, current):
            signal.signal(sig, handler)


def received() -> int | None:
    """The first interrupting signal received since :func:`install` (``None`` if none)."""
    return _state.received or None


def outcome(exc: BaseException | None = None) -> tuple[int, str]:
    """Exit code and the one line for the user: ``(143, "terminated")`` for SIGTERM, else
    ``(130, "interrupted")``."""
    if isinstance(exc, Terminated) or received() == signal.SIGTERM:
        return EXIT_TERMINATED, "terminated"
    return EXIT_INTERRUPTED, "interrupted"


EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143
"""The codes of :mod:`wargame.errors`, repeated here (checked by the tests) so that this
module imports nothing of the package: the console script installs the handlers before the
rest loads (``wargame.errors`` brings dataclasses and inspect, a third of the time before
Ctrl-C is in hand)."""


def reported() -> bool:
    """Whether the user has been told of the interrupt."""
    return _state.reported


def mark_reported() -> bool:
    """Note that the user has been told; ``False`` if they had been already."""
    told = _state.reported
    _state.reported = True
    return not told


def caused_by_interrupt(exc: BaseException) -> bool:
    """Whether an error came from an interrupt: one is pending, or one is in its chain."""
    if received() is not None:
        return True
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        if isinstance(cur, KeyboardInterrupt):
            return True
        seen.add(id(cur))
        cur = cur.__cause__ or cur.__context__
    return False
