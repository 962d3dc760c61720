"""The vectorised turn-based engine: arrays with a leading replicate axis, no I/O."""

from wargame.engine.compile import Compiled, compile_scenario
from wargame.engine.kernel_cache import defer_registries as _defer_registries
from wargame.engine.kernel_cache import refresh as _refresh_kernel_cache
from wargame.engine.result import GameResult
from wargame.engine.run import finish, play_on, simulate, start
from wargame.engine.snapshot import Game, Snapshot

# Numba loads a cached kernel on its first call, not on import: clear a stale cache first.
_refresh_kernel_cache()
# ... and load cached kernels without Numba's compiler registries, which only compiling needs
# (and build those, when compiling, without Numba's BLAS probe, which imports scipy.linalg).
_defer_registries()

__all__ = ["Compiled", "Game", "GameResult", "Snapshot", "compile_scenario", "finish",
           "play_on", "simulate", "start"]
