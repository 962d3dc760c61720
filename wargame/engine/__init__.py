"""The vectorised turn-based engine: arrays with a leading replicate axis, no I/O."""

from wargame.engine.compile import Compiled, compile_scenario
from wargame.engine.result import GameResult
from wargame.engine.run import finish, play_on, simulate, start
from wargame.engine.snapshot import Game, Snapshot

__all__ = ["Compiled", "Game", "GameResult", "Snapshot", "compile_scenario", "finish",
           "play_on", "simulate", "start"]
