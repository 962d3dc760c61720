"""Outcomes: evaluate each outcome's condition on the state, for all replicates at once.

Evaluated after every turn (and at turn 0): the first turn each ``when: ever`` outcome holds
is recorded (only up to ``by_turn`` if given); ``when: final`` outcomes are judged at the end.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from wargame.engine.common import ALLIED
from wargame.engine.compile import Compiled, OutcomeTest
from wargame.engine.state import State


def holds(c: Compiled, st: State, test: OutcomeTest) -> np.ndarray:
    """Whether the condition ``test`` (:attr:`Compiled.outcome_tests`) holds in each
    replicate -> [R] bool."""
    kind = test.kind
    if kind == "controls":
        mine = st.control[:, test.places] == test.faction
        return mine.all(axis=1) if test.flag else mine.any(axis=1)
    if kind == "connected":
        return connected(st.control, st.relation, test.faction, test.flag, test.places,
                         test.targets, c.out_start, c.dst)
    if kind == "collapsed":
        return st.collapsed[:, test.faction].copy()
    if kind in ("civilians_killed", "displaced"):
        count = st.civilians_killed if kind == "civilians_killed" else st.displaced
        where = count[:, test.places] if test.places.size else count
        return where.sum(axis=1) >= test.at_least
    if kind == "not_":
        return ~holds(c, st, test.parts[0])
    if kind == "all":
        out = np.ones(st.replicates, dtype=bool)
        for sub in test.parts:
            out &= holds(c, st, sub)
        return out
    out = np.zeros(st.replicates, dtype=bool)
    for sub in test.parts:
        out |= holds(c, st, sub)
    return out


def evaluate(c: Compiled, st: State, t: int) -> None:
    """Update ``outcome_now`` and record the first turn each ``ever`` outcome held."""
    for k, (o, test) in enumerate(zip(c.scenario.outcomes.values(), c.outcome_tests,
                                      strict=True)):
        now = holds(c, st, test)
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
