"""Where chunks run: in this process, in a process pool, or on a Dask cluster.

Every executor takes the same module-level function ``fn(shared, task)``, the ``shared`` data
every task needs (compiled scenarios: sent to each worker once, not with every task) and an
iterable of tasks, and yields results as they finish. At most ``window`` tasks are in flight,
so memory stays bounded whatever the number of chunks. The order in which results arrive does
not matter: the caller combines them by chunk index.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

from wargame.arguments import whole
from wargame.errors import UsageError, WargameError
from wargame.extras import needs
from wargame.jsontypes import RawMapping
from wargame.montecarlo import lifeline
from wargame.textsafe import excerpt

if TYPE_CHECKING:  # the pool's modules load when a pool is made, not for one process
    from concurrent.futures import Future, ProcessPoolExecutor

Fn = Callable[[Any, Any], Any]


class Executor(Protocol):
    """Runs ``fn(shared, task)`` for each task; yields results in completion order."""

    def imap(self, fn: Fn, shared: Any, tasks: Iterable[Any]) -> Iterator[Any]:
        """Run the tasks; close the iterator to stop early (unfinished work is dropped)."""
        ...  # pragma: no cover


class SerialExecutor:
    """Everything in this process, one chunk after another."""

    name = "serial"

    def imap(self, fn: Fn, shared: Any, tasks: Iterable[Any]) -> Iterator[Any]:
        """Run the tasks in order."""
        for task in tasks:
            yield fn(shared, task)


_SHARED: Any = None


def _init_worker(shared: Any) -> None:
    """Keep the shared data in the worker; leave Ctrl-C to the parent, which stops the pool;
    end when the parent dies (:mod:`.lifeline`).

    Workers of the fork server ignore SIGINT from birth already (:mod:`.ignore_sigint`);
    this covers the ``spawn`` start method.
    """
    global _SHARED
    _SHARED = shared
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    lifeline.die_with_parent()  # a killed main process leaves no idle worker behind


def _call(fn: Fn, task: Any) -> Any:
    return fn(_SHARED, task)


# Thread pools of the numerical libraries. Each worker is one process per core already; letting
# OpenBLAS start a thread per core in every worker as well oversubscribes the machine (two
# workers on two cores ran slower than one before this).
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def _context() -> Any:
    # forkserver: workers start from a clean process, not a fork of one that may hold threads
    # (the progress bar's, Dask's) and their locks.
    if sys.platform != "win32" and "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        # Ignore Ctrl-C in the server and its workers first, then import the engine once in
        # the server, not in every worker.
        ctx.set_forkserver_preload(["wargame.montecarlo.ignore_sigint", "wargame.montecarlo.run",
                                    "wargame.engine"])
        _start_forkserver()
        return ctx
    return multiprocessing.get_context("spawn")


def _start_forkserver() -> None:
    """Start the fork server with single-threaded numerical libraries (unless the user chose),
    and with SIGINT blocked.

    The server and the workers forked from it read these variables when they import numpy;
    this process, which imported numpy long ago, is not affected. The server is started while
    this thread blocks SIGINT, and a signal mask is kept through ``fork`` and ``exec``, so the
    server holds Ctrl-C back from its first instruction until :mod:`.ignore_sigint` ignores it
    (for the workers too). This process's handler is not touched: setting SIGINT to be ignored
    here, as this once did, threw away a Ctrl-C that came in those milliseconds (the kernel
    gives it to another thread, or keeps it pending, and ignoring discards it), and the
    command ran on to its end with exit code 0. Now such a Ctrl-C reaches the handler, by
    another thread or as soon as the block ends. The resource tracker is started first: the
    standard library starts it with SIGINT blocked, then unblocks SIGINT in the calling
    thread, which inside the block would leave the server unprotected.
    """
    from multiprocessing import forkserver, resource_tracker

    resource_tracker.ensure_running()
    saved = {k: os.environ.get(k) for k in (*_THREAD_VARS, lifeline.PARENT_VARIABLE)}
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        for k in _THREAD_VARS:
            os.environ.setdefault(k, "1")
        os.environ[lifeline.PARENT_VARIABLE] = str(os.getpid())
        forkserver.ensure_running()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class ProcessExecutor:
    """A pool of ``workers`` processes on this machine."""

    name = "processes"

    def __init__(self, workers: int) -> None:
        self.workers = workers

    def imap(self, fn: Fn, shared: Any, tasks: Iterable[Any]) -> Iterator[Any]:
        """Run the tasks with at most two per worker in flight."""
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

        others = multiprocessing.active_children()
        pool = ProcessPoolExecutor(self.workers, mp_context=_context(),
                                   initializer=_init_worker, initargs=(shared,))
        it = iter(tasks)
        running: set[Future[Any]] = set()
        clean = False
        try:
            for task in it:
                running.add(pool.submit(_call, fn, task))
                if len(running) >= 2 * self.workers:
                    break
            while running:
                finished, running = wait(running, return_when=FIRST_COMPLETED)
                for fut in finished:
                    for task in it:
                        running.add(pool.submit(_call, fn, task))
                        break
                    yield fut.result()
            clean = True
        finally:
            if clean:
                pool.shutdown(wait=True)
            else:
                _stop(pool, others)


WORKER_STOP_SECONDS = 5.0
"""How long a stopped pool waits for each ended worker to be gone."""


def _stop(pool: ProcessPoolExecutor, others: list[Any]) -> None:
    """End the workers now (interrupted, or failed): their chunks are dropped, not waited for.

    Without this the pool would let each worker finish its chunk first (minutes, with large
    chunks), and a SIGTERM'd parent could exit before its workers. The workers, then the
    pool's manager thread, are waited for, at most WORKER_STOP_SECONDS each.
    """
    # A Ctrl-C that lands while the pool starts a worker can leave that worker running but not
    # yet in the pool's table; it is still among this process's children started since the
    # pool was made (``others``: the children there were before, left alone), so end it too.
    procs = list((getattr(pool, "_processes", None) or {}).values())
    procs += [p for p in multiprocessing.active_children()
              if p not in others and p not in procs]
    results = getattr(pool, "_result_queue", None)
    manager = getattr(pool, "_executor_manager_thread", None)  # shutdown() forgets both
    # Shut down first, then end the workers: once its workers are gone the pool's manager
    # thread takes its lock to join them, and a shutdown() after that could wait on the lock.
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        if proc.is_alive():
            proc.terminate()
    for proc in procs:
        proc.join(WORKER_STOP_SECONDS)
    # A worker ended while it wrote a result leaves half a message in the result pipe, and the
    # manager thread waits for the rest forever (this process holds the pipe's other end), so
    # the interpreter would hang at exit joining it. With no worker left, that end is closed:
    # the manager reads end-of-file, finds the pool broken and ends.
    writer = getattr(results, "_writer", None)
    if writer is not None and not any(proc.is_alive() for proc in procs):
        writer.close()
    if manager is not None:  # it closes the queues (and their semaphores) as it ends
        manager.join(WORKER_STOP_SECONDS)


class DaskExecutor:
    """Tasks on a Dask ``distributed`` cluster at ``address`` (optional extra ``wargame[dask]``)."""

    name = "dask"

    def __init__(self, address: str) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise WargameError(needs("--scheduler", "Dask", "dask")) from None
        scheme = _check_address(address)
        if scheme != "inproc":
            _probe(address, scheme)
        try:
            self.client = Client(address, set_as_default=False, timeout=CONNECT_SECONDS)
        except (OSError, TimeoutError, ValueError, TypeError):
            raise _unreachable(address) from None
        info: RawMapping = self.client.scheduler_info() or {}
        workers = info.get("workers")
        threads = sum(int(w.get("nthreads", 1)) if isinstance(w, dict) else 1
                      for w in (workers.values() if isinstance(workers, dict) else ()))
        self.window = max(2, 2 * threads)

    def imap(self, fn: Fn, shared: Any, tasks: Iterable[Any]) -> Iterator[Any]:
        """Run the tasks with about two per worker thread in flight."""
        from distributed import as_completed

        [shared_f] = self.client.scatter([shared], broadcast=True)
        it = iter(tasks)
        pending = {self.client.submit(fn, shared_f, t, pure=False)
                   for t in itertools.islice(it, self.window)}
        queue = as_completed(list(pending), loop=self.client.loop)
        try:
            for fut in queue:
                pending.discard(fut)
                for task in it:
                    nxt = self.client.submit(fn, shared_f, task, pure=False)
                    pending.add(nxt)
                    queue.add(nxt)
                    break
                yield fut.result()
        finally:
            if pending:
                self.client.cancel(list(pending))

    def close(self) -> None:
        """Disconnect from the scheduler."""
        self.client.close()


SCHEMES = ("tcp", "tls", "ws", "wss", "inproc")
"""The address schemes ``--scheduler`` takes (Dask's UCX transport needs extra packages and
hardware, and is not offered)."""
CONNECT_SECONDS = 10
"""How long to wait for a scheduler to answer."""


def _check_address(address: str) -> str:
    """Reject a malformed or unusable address before Dask tries (a half-made client would
    spend 20 s closing itself and print a traceback); returns its scheme."""
    from distributed.comm.addressing import parse_address, parse_host_port

    where = f"--scheduler {excerpt(repr(address), 200)}"
    try:
        scheme, location = parse_address(address)
    except (ValueError, TypeError):
        raise UsageError(f"{where}: not an address; use tcp://HOST:PORT") from None
    if scheme not in SCHEMES:
        known = "unknown" if scheme not in _dask_schemes() else "unsupported"
        raise UsageError(f"{where}: {known} address scheme {excerpt(repr(scheme))}; use "
                         "tcp://HOST:PORT (or tls://, ws://, wss://, inproc://)")
    if scheme == "inproc":
        from distributed.comm.inproc import global_manager

        try:
            listening = global_manager.get_listener_for(location) is not None
        except (ValueError, TypeError):
            listening = False
        if not listening:
            raise UsageError(f"{where}: no scheduler of this process has this address "
                             "(inproc:// reaches a scheduler started in the same Python "
                             "process; from the command line use tcp://HOST:PORT)")
        return scheme
    try:
        parse_host_port(location)
    except (ValueError, TypeError):
        raise UsageError(f"{where}: needs a host and a port, as in "
                         f"{scheme}://HOST:PORT") from None
    return scheme


def _dask_schemes() -> list[str]:
    from distributed.comm.registry import backends

    return list(backends)


def _probe(address: str, scheme: str) -> None:
    """Connect once and hang up, before making a client: a scheduler that is not there, or a
    TLS address without certificates configured, is a clear error, with no client left to
    time out as it is collected."""
    import asyncio

    from distributed.comm import connect
    from distributed.security import Security

    async def knock() -> None:
        args = Security().get_connection_args("client")
        comm = await connect(address, timeout=CONNECT_SECONDS, **args)
        await comm.close()

    try:
        asyncio.run(knock())
    except (TypeError, ValueError):
        if scheme == "tls" or scheme == "wss":
            raise WargameError(f"cannot connect to the Dask scheduler at {address}: {scheme}:// "
                               "needs TLS certificates in the Dask configuration "
                               "(distributed.comm.tls)") from None
        raise _unreachable(address) from None
    except (OSError, TimeoutError):
        raise _unreachable(address) from None
    except Exception:  # whatever a server that is no scheduler makes Dask do
        raise WargameError(f"cannot use {excerpt(address, 200)} as a Dask scheduler: what "
                           "answered there is not one") from None


def _unreachable(address: str) -> WargameError:
    return WargameError(f"cannot reach the Dask scheduler at {excerpt(address, 200)}: no "
                        f"scheduler answered within {CONNECT_SECONDS} s")


def make_executor(workers: int | None, scheduler: str | None) -> SerialExecutor | \
        ProcessExecutor | DaskExecutor:
    """The executor for ``--workers`` / ``--scheduler``."""
    if scheduler is not None:
        if workers not in (None, 1):
            raise UsageError("--workers and --scheduler cannot be combined "
                             "(the cluster decides the workers)")
        return DaskExecutor(scheduler)
    workers = whole("--workers", workers, 1) or 1
    if workers == 1:
        return SerialExecutor()
    return ProcessExecutor(min(workers, (os.cpu_count() or 1) * 4))
