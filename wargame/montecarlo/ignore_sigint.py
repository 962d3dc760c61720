"""Imported first by the worker pool's fork server: ignore SIGINT there and in every worker.

The fork server saves the SIGINT handler it finds after its preloads and gives it to each
worker it forks, so ignoring SIGINT here makes workers ignore it from their first instruction.
A Ctrl-C reaches the whole process group; the parent alone acts on it (it stops the pool, see
:mod:`wargame.montecarlo.executors` and :mod:`wargame.interrupts`). Without this, a Ctrl-C while the
server imported the engine, or while a worker started, printed that process's traceback.
The server also ends when the process that started it dies (:mod:`.lifeline`).
"""

import signal

from wargame.montecarlo import lifeline

signal.signal(signal.SIGINT, signal.SIG_IGN)
lifeline.from_environment()  # and end when the process that started the pool dies
