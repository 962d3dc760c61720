"""The chunks of a branch (``wargame branch``): games played to a turn, the ones that meet a
condition kept, and each played on twice from that point on common random numbers.

Chunk ``i`` plays its games to turn ``at`` on its own stream (``chunk_rng(seed, i)``, exactly
as the same chunk of ``wargame batch`` does), or takes them from a saved state. The games that
meet the condition are one index on the replicate axis. Both continuations start from a copy
of that state and from the same state of the chunk's generator: one plays the scenario as it
was, the other the changed one, with the changed parameters drawn from ``branch_rng(seed, i)``
for every game of the chunk (then indexed like the state), so a game's draw does not depend on
which other games met the condition.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from wargame.montecarlo.seeds import branch_rng, chunk_rng
from wargame.montecarlo.tally import Arrays, pair_stats

if TYPE_CHECKING:
    from wargame.engine import Compiled, Snapshot
    from wargame.montecarlo.run import ChunkOut, ChunkTask


@dataclass(frozen=True)
class BranchPlan:
    """What every chunk of a branch shares: both versions of the scenario, the turn of the
    branch, the condition (an outcome's index, ``None``: every game) and, from a saved state,
    each chunk's games at that turn."""

    a: Compiled
    b: Compiled
    at: int
    given: int | None
    saved: dict[int, Snapshot] | None = None


def reach(c: Compiled, seed: int, chunk: int, games: int, at: int) -> Snapshot:
    """Chunk ``chunk``'s games of a batch seeded ``seed``, played to the end of turn ``at``."""
    from wargame.engine import Snapshot, play_on, start

    rng = chunk_rng(seed, chunk)
    game = start(c, rng, games)
    play_on(c, game, rng, at)
    return Snapshot(game, dict(rng.bit_generator.state))


def play_to(plan: BranchPlan, task: ChunkTask) -> tuple[int, Snapshot]:
    """One chunk's games at the turn of the branch (to save them: ``--save-state``)."""
    return task.chunk, reach(plan.a, task.seed, task.chunk, task.games, plan.at)


def play_branch(plan: BranchPlan, task: ChunkTask) -> ChunkOut:
    """Play one chunk of a branch and count its paired outcomes (runs in a worker)."""
    snap = plan.saved[task.chunk] if plan.saved is not None else \
        reach(plan.a, task.seed, task.chunk, task.games, plan.at)
    return task.point, task.chunk, branch_stats(plan, snap, task.seed, task.chunk), None


def branch_stats(plan: BranchPlan, snap: Snapshot, seed: int, chunk: int) -> Arrays:
    """The paired statistics of one chunk (:func:`~wargame.montecarlo.tally.pair_stats`), with
    ``games`` the games played to the branch, ``kept`` those that met the condition, and
    ``changed_read`` whether the changed arm read each changed parameter
    (:func:`~wargame.engine.branch.changed_params`, in order) after the branch."""
    from wargame.engine import finish, play_on
    from wargame.engine.branch import ReadParams, branch_params, carry_over, changed_params

    a, b = plan.a, plan.b
    games = snap.replicates
    changed = changed_params(a, b)
    read: set[str] = set()
    keep = np.ones(games, dtype=bool) if plan.given is None else \
        snap.game.state.outcome_now[:, plan.given].copy()
    params_b = branch_params(a, b, snap.game.params, branch_rng(seed, chunk))
    index = np.flatnonzero(keep)
    every = list(range(len(a.outcomes)))
    if index.size == 0:
        out = _no_pairs(len(every), a.turns, b.turns)
    else:
        kept = snap.take(index)
        game_a, rng_a = kept.resume()
        play_on(a, game_a, rng_a, a.turns)
        game_b, rng_b = kept.resume()
        game_b.params = ReadParams({k: v[index] for k, v in params_b.items()})
        carried = carry_over(a, b, game_b.state, kept.game.params, game_b.params)
        play_on(b, game_b, rng_b, b.turns)
        read = game_b.params.read | carried
        out = pair_stats(finish(a, game_a), finish(b, game_b), every, every)
    out["games"] = np.array(games, dtype=np.int64)
    out["kept"] = np.array(index.size, dtype=np.int64)
    out["changed_read"] = np.array([k in read for k in changed], dtype=np.int64)
    return out


def _no_pairs(outcomes: int, turns_a: int, turns_b: int) -> Arrays:
    """The paired statistics of no game."""
    return {"pair": np.zeros((outcomes, 4), np.int64),
            "pair_turn_a": np.zeros((outcomes, turns_a + 1), np.int64),
            "pair_turn_b": np.zeros((outcomes, turns_b + 1), np.int64),
            "pair_shift": np.zeros((outcomes, turns_a + turns_b + 1), np.int64)}
