"""The vectorised turn-based engine: arrays with a leading replicate axis, no I/O."""

from wargame.engine.compile import Compiled, compile_scenario
from wargame.engine.result import GameResult
from wargame.engine.run import simulate

__all__ = ["Compiled", "GameResult", "compile_scenario", "simulate"]
