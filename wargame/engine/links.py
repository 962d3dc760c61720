"""The links between factions at war, found once and shared by the phases that scan them.

A directed link ``m -> n`` is *at war* when its two ends are held by different factions at war
(``control[m] != control[n]`` and ``relation[control[m], control[n]] == WAR``). Fronts, brittle
defences, orders, air strikes and redeployment each look at these links only, about a third of
all links in a war of several factions. :class:`WarLinks` lists them game by game, in edge
order (hence grouped by source, as the phases' own scans were), and :func:`refresh_war_links`
makes the list again in the games, and only the games, where control changed since it was
last made or an event set a relation. The turn loop (:mod:`wargame.engine.run`) refreshes it
after every step that can change them: the events (relations), the surrenders of the supply
phase and the battles (control).

Each game's list is a row of a padded array (``edges[r, :n_links[r]]``) rather than one
compressed list of all games, so that a game's list is made again in place.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from wargame.engine.common import WAR


class WarLinks(NamedTuple):
    """The directed links at war in each game, and the state they were found in."""

    edges: np.ndarray      # [R, E] int32: game r's links at war, edges[r, :n_links[r]], in order
    n_links: np.ndarray    # [R] int32: how many
    control: np.ndarray    # [R, N] control when each game's list was made
    made: np.ndarray       # [R] bool: the game's list was made again at the last refresh


@njit(cache=True)
def _find(r: int, ctrl: np.ndarray, relation: np.ndarray, src: np.ndarray, dst: np.ndarray,
          links: WarLinks) -> None:
    """Make game ``r``'s list, and remember the control it was made from."""
    W = 0
    for e in range(src.shape[0]):
        a = ctrl[r, src[e]]
        b = ctrl[r, dst[e]]
        if a != b and relation[r, a, b] == WAR:
            links.edges[r, W] = e
            W += 1
    links.n_links[r] = W
    links.control[r, :] = ctrl[r, :]


@njit(cache=True)
def _control_changed(r: int, ctrl: np.ndarray, links: WarLinks) -> bool:
    """Whether control in game ``r`` differs from that its list was made from. No early exit:
    the loop vectorises."""
    diff = False
    for n in range(ctrl.shape[1]):
        diff |= ctrl[r, n] != links.control[r, n]
    return diff


@njit(cache=True)
def refresh_kernel(ctrl: np.ndarray, relation: np.ndarray, src: np.ndarray, dst: np.ndarray,
                   links: WarLinks, relations_set: np.ndarray) -> int:
    """Make the list again in every game whose control changed or whose relations were set
    (``relations_set`` [R] bool, or empty: none) -> how many."""
    made = 0
    some = relations_set.shape[0] > 0
    for r in range(ctrl.shape[0]):
        links.made[r] = (some and relations_set[r]) or _control_changed(r, ctrl, links)
        if links.made[r]:
            _find(r, ctrl, relation, src, dst, links)
            made += 1
    return made


@njit(cache=True)
def find_kernel(ctrl: np.ndarray, relation: np.ndarray, src: np.ndarray, dst: np.ndarray,
                links: WarLinks) -> None:
    """Make every game's list."""
    for r in range(ctrl.shape[0]):
        _find(r, ctrl, relation, src, dst, links)


def find_war_links(control: np.ndarray, relation: np.ndarray, src: np.ndarray,
                   dst: np.ndarray) -> WarLinks:
    """The links at war of every game, with ``control`` [R, N] and ``relation`` [R, F, F]
    as they are (``src``, ``dst`` [E]: the directed links)."""
    R = control.shape[0]
    links = WarLinks(edges=np.empty((R, src.shape[0]), dtype=np.int32),
                     n_links=np.zeros(R, dtype=np.int32), control=np.empty_like(control),
                     made=np.ones(R, dtype=np.bool_))
    find_kernel(control, relation, src, dst, links)
    return links


def refresh_war_links(links: WarLinks, control: np.ndarray, relation: np.ndarray,
                      src: np.ndarray, dst: np.ndarray,
                      relations_set: np.ndarray | None = None) -> int:
    """Bring ``links`` up to date, in place, in the games where ``control`` differs from the
    control it was made from or where ``relations_set`` [R] bool (the events' report) says a
    relation was set -> the number of games whose list was made again (``links.made`` marks
    them). Relations change by events only, so no other step passes ``relations_set``."""
    none = np.zeros(0, dtype=np.bool_)
    return int(refresh_kernel(control, relation, src, dst, links,
                              none if relations_set is None else relations_set))
