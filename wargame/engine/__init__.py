"""The vectorised turn-based engine: arrays with a leading replicate axis, no I/O."""

from wargame.engine.compile import Compiled, compile_scenario
from wargame.engine.kernel_cache import refresh as _refresh_kernel_cache
from wargame.engine.kernel_cache import skip_blas_probe as _skip_blas_probe
from wargame.engine.result import GameResult
from wargame.engine.run import finish, play_on, simulate, start
from wargame.engine.snapshot import Game, Snapshot

# Numba loads a cached kernel on its first call, not on import: clear a stale cache first.
_refresh_kernel_cache()
# ... and spare the first kernel call Numba's BLAS probe, which imports scipy.linalg.
_skip_blas_probe()

__all__ = ["Compiled", "Game", "GameResult", "Snapshot", "compile_scenario", "finish",
           "play_on", "simulate", "start"]
