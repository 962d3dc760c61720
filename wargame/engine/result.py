"""What a vectorised game (a batch of replicates) returns."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from wargame.engine.events import EngineEvent


@dataclass
class GameResult:
    """Results of ``R`` replicates of one scenario, arrays with a leading replicate axis.

    Faction, settlement and outcome indices follow ``factions``, ``settlements`` and
    ``outcomes`` (scenario order). A controller index of -1 means nobody holds the place.
    """

    factions: list[str]
    settlements: list[str]
    outcomes: list[str]
    turns: int
    control: np.ndarray              # [R, N] int16: final controller
    initial_strength: np.ndarray     # [R, F] float: strength at the start (after sampling)
    strength: np.ndarray             # [R, F] float: final total strength
    casualties: np.ndarray           # [R, F] float: combat, air and siege losses
    reinforcements: np.ndarray       # [R, F] float: fighters that arrived during the game
    outcome_turn: np.ndarray         # [R, O] int16: first turn the outcome held (-1: never)
    outcome_final: np.ndarray        # [R, O] bool: the outcome holds at the end
    garrison: np.ndarray | None = None           # [R, N] float: final fighters at each place
    control_by_turn: np.ndarray | None = None   # [T+1, R, N] int16 (record_turns=True)
    outcome_by_turn: np.ndarray | None = None   # [T+1, R, O] bool (record_turns=True)
    strength_by_turn: np.ndarray | None = None  # [T+1, R, F] float (record_turns=True)
    garrison_by_turn: np.ndarray | None = None  # [T+1, R, N] float: fighters at each place,
    #                                             all its controller's (record_turns=True)
    civilians_killed: np.ndarray | None = None    # [R, N] float: civilians killed at each place
    displaced: np.ndarray | None = None           # [R, N] float: civilians who fled each place
    civilians_killed_by_turn: np.ndarray | None = None  # [T+1, R, N] float, so far at the close
    displaced_by_turn: np.ndarray | None = None         # of each turn (record_turns=True)
    params: dict[str, np.ndarray] | None = None  # sampled value of each parameter, [R] each
    log: list[EngineEvent] | None = field(default=None)  # what happened (log=True), in order

    @property
    def replicates(self) -> int:
        """Number of replicates ``R``."""
        return int(self.control.shape[0])
