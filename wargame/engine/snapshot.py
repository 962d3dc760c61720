"""A batch of games in progress, and a saved copy of it to play on from (a snapshot).

:func:`wargame.engine.run.start` makes a :class:`Game` at turn 0 and
:func:`wargame.engine.run.play_on` plays it on; a :class:`Snapshot` is a deep copy of a game
with the state of the random generator at that moment, so that any number of continuations can
start from exactly the same point (common random numbers). Every array has the replicate axis
first (the histories: second, after the turn), so the games that meet a condition are one index
on that axis (:meth:`Snapshot.take`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np

from wargame.engine.events import EngineEvent
from wargame.engine.state import State
from wargame.jsontypes import JSONObject

HISTORIES = ("control", "outcome", "strength", "garrison", "killed", "displaced")
"""What ``record_turns`` keeps at every turn (``GameResult.<name>_by_turn``; ``killed`` is
``civilians_killed_by_turn``)."""


def copy_state(st: State, index: Any = slice(None)) -> State:
    """A copy of every field of the state (whatever fields it has), at ``index`` on the
    replicate axis."""
    return State(**{f.name: np.array(getattr(st, f.name)[index], copy=True)
                    for f in fields(State)})


@dataclass
class Game:
    """``R`` games played to the end of turn ``turn``: their state, the parameters each drew,
    and (with ``record_turns``) the histories of every turn so far, ``[R, ...]`` each."""

    state: State
    params: dict[str, np.ndarray]
    turn: int
    deterministic: bool = False
    history: dict[str, list[np.ndarray]] | None = None
    log: list[EngineEvent] | None = field(default=None)

    @property
    def replicates(self) -> int:
        """``R``."""
        return self.state.replicates

    def record(self, n_factions: int) -> None:
        """Add the state at the current turn to the histories (if kept)."""
        if self.history is None:
            return
        st = self.state
        self.history["control"].append(st.control.copy())
        self.history["outcome"].append(st.outcome_now.copy())
        self.history["strength"].append(st.faction_strength(n_factions))
        self.history["garrison"].append(st.strength.copy())
        self.history["killed"].append(st.civilians_killed.copy())
        self.history["displaced"].append(st.displaced.copy())

    def take(self, index: Any = slice(None)) -> Game:
        """A deep copy of the games at ``index`` (a slice, indices or a boolean mask)."""
        hist = None if self.history is None else {
            k: [np.array(h[index], copy=True) for h in v] for k, v in self.history.items()}
        log = None
        if self.log is not None:
            keep = np.arange(self.replicates)[index]
            new = {int(r): k for k, r in enumerate(np.atleast_1d(keep))}
            log = [replace(ev, replicate=new[ev.replicate]) for ev in self.log
                   if ev.replicate in new]
        return Game(copy_state(self.state, index),
                    {k: np.array(v[index], copy=True) for k, v in self.params.items()},
                    self.turn, self.deterministic, hist, log)


@dataclass(frozen=True)
class Snapshot:
    """A game saved at a turn, with the state of the generator that plays its next turn.

    :meth:`resume` gives a fresh copy and a generator in that state each time it is called,
    so every continuation of one snapshot sees the same random numbers.
    """

    game: Game
    rng_state: JSONObject   # numpy's bit_generator.state, as saved in a state file

    @classmethod
    def of(cls, game: Game, rng: np.random.Generator) -> Snapshot:
        """Save ``game`` (copied) and where ``rng`` stands."""
        return cls(game.take(), copy.deepcopy(dict(rng.bit_generator.state)))

    @property
    def turn(self) -> int:
        """The turn reached."""
        return self.game.turn

    @property
    def replicates(self) -> int:
        """``R``."""
        return self.game.replicates

    def resume(self) -> tuple[Game, np.random.Generator]:
        """A copy of the game to play on, and a generator where the saved one stood."""
        return self.game.take(), generator_at(self.rng_state)

    def take(self, index: Any) -> Snapshot:
        """The games at ``index`` only, with the same generator state."""
        return Snapshot(self.game.take(index), copy.deepcopy(self.rng_state))


def generator_at(state: object) -> np.random.Generator:
    """A generator of the saved state's bit generator (``PCG64`` for the batch's), in that
    state (``ValueError`` if ``state`` is not one numpy accepts)."""
    if not isinstance(state, dict):
        raise ValueError("a generator state is a mapping")
    name = state.get("bit_generator")
    bits = getattr(np.random, str(name), None)
    if not isinstance(name, str) or bits is None or \
            not isinstance(bits, type) or not issubclass(bits, np.random.BitGenerator):
        raise ValueError(f"unknown bit generator {name!r}")
    bg = bits()
    bg.state = state
    return np.random.Generator(bg)
