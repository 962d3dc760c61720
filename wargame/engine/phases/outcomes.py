"""Outcomes: evaluate each outcome's condition on the state, for all replicates at once.

Evaluated after every turn (and at turn 0): the first turn each ``when: ever`` outcome holds
is recorded (only up to ``by_turn`` if given); ``when: final`` outcomes are judged at the end.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from wargame.engine.common import ALLIED
from wargame.engine.compile import Compiled
from wargame.engine.state import State
from wargame.scenario.schema import Condition


def holds(c: Compiled, st: State, cond: Condition) -> np.ndarray:
    """Whether ``cond`` holds in each replicate -> [R] bool."""
    si = {s: i for i, s in enumerate(c.settlements)}
    if cond.controls is not None:
        f = c.factions.index(cond.controls.faction)
        idx = [si[s] for s in cond.controls.settlements]
        mine = st.control[:, idx] == f
        return mine.all(axis=1) if cond.controls.mode == "all" else mine.any(axis=1)
    if cond.connected is not None:
        f = c.factions.index(cond.connected.faction)
        start = np.zeros(c.n_settlements, dtype=bool)
        start[[si[s] for s in cond.connected.from_]] = True
        targets = np.zeros(c.n_settlements, dtype=bool)
        targets[[si[s] for s in cond.connected.to]] = True
        return connected(st.control, st.relation, f, bool(cond.connected.with_allies),
                                 start, targets, c.out_start, c.dst)
    if cond.collapsed is not None:
        return st.collapsed[:, c.factions.index(cond.collapsed)].copy()
    for civ, count in ((cond.civilians_killed, st.civilians_killed),
                       (cond.displaced, st.displaced)):
        if civ is not None:
            where = count[:, [si[s] for s in civ.settlements]] if civ.settlements else count
            return where.sum(axis=1) >= civ.at_least
    if cond.not_ is not None:
        return ~holds(c, st, cond.not_)
    if cond.all is not None:
        out = np.ones(st.replicates, dtype=bool)
        for sub in cond.all:
            out &= holds(c, st, sub)
        return out
    out = np.zeros(st.replicates, dtype=bool)
    for sub in cond.any or []:
        out |= holds(c, st, sub)
    return out


def evaluate(c: Compiled, st: State, t: int) -> None:
    """Update ``outcome_now`` and record the first turn each ``ever`` outcome held."""
    for k, (_, o) in enumerate(c.scenario.outcomes.items()):
        now = holds(c, st, o)
        st.outcome_now[:, k] = now
        if o.when == "ever" and (o.by_turn is None or t <= o.by_turn):
            first = now & (st.outcome_turn[:, k] < 0)
            st.outcome_turn[first, k] = t


@njit(cache=True)
def connected(ctrl: np.ndarray, relation: np.ndarray, faction: int, with_allies: bool,
              start: np.ndarray, targets: np.ndarray, out_start: np.ndarray,
              dst: np.ndarray) -> np.ndarray:
    """[R] bool: whether a chain of places held by ``faction`` (or its allies, if
    ``with_allies``) joins one of the ``start`` places to one of the ``targets`` ([N] bool)."""
    R, N = ctrl.shape
    found = np.zeros(R, dtype=np.bool_)
    passable = np.empty(N, dtype=np.bool_)
    reach = np.empty(N, dtype=np.bool_)
    stack = np.empty(N, dtype=np.intp)
    for r in range(R):
        top = 0
        for n in range(N):
            g = ctrl[r, n]
            passable[n] = g == faction or (with_allies and relation[r, faction, g] == ALLIED)
            reach[n] = start[n] and passable[n]
            if reach[n]:
                found[r] |= targets[n]
                stack[top] = n
                top += 1
        while top > 0 and not found[r]:
            top -= 1
            m = stack[top]
            for e in range(out_start[m], out_start[m + 1]):
                n = dst[e]
                if not reach[n] and passable[n]:
                    if targets[n]:
                        found[r] = True
                        break
                    reach[n] = True
                    stack[top] = n
                    top += 1
    return found
