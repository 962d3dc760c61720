"""The campaign layer: where the forces stand (operations are in
:mod:`wargame.engine.phases.operations`).

The rules (``docs/model.md``, "The campaign layer"), all switched off by ``model.campaign:
false``:

* **Garrisons that stay.** A place that touches an enemy, one of the same holder within
  ``hold_depth`` links behind such a place (the second line), and one that a hostile faction
  has as an objective, keeps ``hold_share x cap_def`` (the defenders its front holds on a day,
  from :mod:`wargame.engine.space`) before anything is sent away or attacks from it; any other
  place keeps ``min_garrison``.
* **Massing.** While a faction's operation masses or fights, each of its places in supply
  sends ``redeploy_share`` of its surplus above what it holds to the places nearest each
  objective (its staging area). A faction whose places lie inside an enemy operation's
  sector sends its surplus to them in the same way (the defender commits its reserves to
  the threatened sector).
* **Quiet fronts.** A garrison that touches an enemy and was not attacked this turn loses
  ``quiet_loss_per_day x days`` of its strength to raids, shelling and snipers.
* **Regeneration.** Each faction recruits ``recruitment`` fighters a year per 1,000 people of
  the places it holds in supply, where they live; and ``wounded_return`` of its casualties
  come back to duty at the rate ``1 / return_days``, at its places in supply in proportion
  to what they hold.

Each rule is one compiled kernel that works game by game and visits only the places where
something happens; sums over places are added in numpy's order
(:func:`wargame.engine.common.sum_by_owner`), so the games are the same bit for bit as with
the numpy rules they replaced.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from wargame.engine.common import WAR, sum_by_owner
from wargame.engine.compile import UNREACHABLE, Compiled, Graph
from wargame.engine.links import WarLinks
from wargame.engine.state import Campaign, Factions, Forces, State, per_faction


class Holding(NamedTuple):
    """What a place keeps before it sends fighters away (:func:`fronts`)."""

    need: np.ndarray              # [N] float64: kept at the front, in the second line, or
    #                               where an enemy wants it
    floor: float                  # min_garrison: kept elsewhere
    objective_places: np.ndarray  # [M] intp: the places some faction may ever want
    near_start: np.ndarray        # [N + 1] intp: place n's second line is
    near: np.ndarray              # [L] intp: near[near_start[n]:near_start[n + 1]]


class Massing(NamedTuple):
    """The settings of massing (:func:`mass_kernel`)."""

    radius: int                   # operation_radius: links from an objective to its sector's edge
    share: float                  # redeploy_share: share of a surplus sent a turn


class Manpower(NamedTuple):
    """Each faction's fighters on the way back or already arrived, game by game."""

    wounded: np.ndarray           # [R, F] float64: wounded who will return to duty
    arrived: np.ndarray           # [R, F] float64: reinforcements, recruits and returns so far


class Regeneration(NamedTuple):
    """The settings of recruitment and returning wounded (:func:`regenerate_kernel`)."""

    population: np.ndarray        # [N] float64: people at each place
    rate: np.ndarray              # [R, F] float64: recruits a year per 1,000 people held
    wounded_return: float         # share of casualties who return to duty
    days: float                   # calendar days of a turn
    back_share: float             # share of the wounded who return this turn


@njit(cache=True)
def near_objective(op_target: np.ndarray, r: int, f: int, hops: np.ndarray, radius: int,
                   n: int) -> bool:
    """Whether place ``n`` lies within ``radius`` links of one of the objectives of faction
    ``f``'s operation in game ``r`` (``op_target[r, f]``, -1: none)."""
    for k in range(op_target.shape[2]):
        t = op_target[r, f, k]
        if t >= 0 and hops[t, n] <= radius:
            return True
    return False


@njit(cache=True)
def fronts(front: np.ndarray, hold: np.ndarray, forces: Forces, factions: Factions,
           graph: Graph, links: WarLinks, every: bool, rule: Holding) -> None:
    """Which places touch an enemy at war (``front`` [R, N] bool: the source of a link at
    war, ``links``), and what each place keeps (``hold`` [R, N]): ``need`` at the front, at
    the places of the same holder within ``hold_depth`` links behind it (``rule.near``), and
    where a faction at war with the holder has the place among its objectives (only
    ``objective_places`` can be), ``floor`` elsewhere. Written in every game if ``every``,
    else only in the games whose links were made again at their last refresh
    (``links.made``)."""
    ctrl, relation, objective = forces.control, factions.relation, factions.objective
    src = graph.src
    need, floor, objective_places = rule.need, rule.floor, rule.objective_places
    near_start, near = rule.near_start, rule.near
    R, N = ctrl.shape
    F = relation.shape[1]
    for r in range(R):
        if not every and not links.made[r]:
            continue
        for n in range(N):
            front[r, n] = False
        for i in range(links.n_links[r]):
            front[r, src[links.edges[r, i]]] = True
        for n in range(N):
            hold[r, n] = need[n] if front[r, n] else floor
        # The second line: the holder's places just behind its front keep their hold too.
        for m in range(N):
            if front[r, m]:
                for j in range(near_start[m], near_start[m + 1]):
                    if ctrl[r, near[j]] == ctrl[r, m]:
                        hold[r, near[j]] = need[near[j]]
        for i in range(objective_places.shape[0]):
            n = objective_places[i]
            a = ctrl[r, n]
            if front[r, n] or a < 0:
                continue
            for f in range(F):
                if f != a and relation[r, f, a] == WAR and objective[r, f, n] > 0:
                    hold[r, n] = need[n]
                    break


def front_places(c: Compiled, st: State, links: WarLinks,
                 since: tuple[np.ndarray, np.ndarray] | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Places facing an enemy, and what each place keeps -> two [R, N] arrays, in the state as
    it is (``links``: its links at war): ``max(min_garrison, hold_share x cap_def)`` where it
    faces an enemy, lies within ``hold_depth`` links behind such a place of the same holder,
    or an enemy wants it, ``min_garrison`` elsewhere (see :func:`fronts`).

    ``since``: the two arrays as they were found at an earlier point of the turn, when the
    objectives were what they are now; they are brought up to date, in place, in the games
    whose control or relations have changed since (``links.made``), and returned."""
    m = c.scenario.model
    floor = float(m.min_garrison)
    cap = np.where(np.isfinite(c.space.cap_def), c.space.cap_def, 0.0)
    need = np.maximum(floor, m.hold_share * cap)
    if since is None:
        front, hold = np.empty(st.control.shape, dtype=bool), np.empty(st.control.shape)
    else:
        front, hold = since
    near_start, near = c.second_line
    fronts(front, hold, st.forces(), st.factions(), c.graph, links, since is None,
           Holding(need, floor, c.objective_places, near_start, near))
    return front, hold


@njit(cache=True)
def mass_kernel(forces: Forces, hold: np.ndarray, siege: np.ndarray, relation: np.ndarray,
                campaign: Campaign, graph: Graph, rule: Massing) -> None:
    """The flows of :func:`mass`, game by game, in ``forces.strength`` [R, N]: only the games
    with an operation on, and in them the factions with a staging place."""
    strength, ctrl = forces.strength, forces.control
    op_stage, op_target = campaign.stage, campaign.target
    hops, radius, share = graph.hops, rule.radius, rule.share
    R, N = ctrl.shape
    F = op_stage.shape[1]
    K = op_target.shape[2]
    surplus = np.empty(N)
    staging = np.empty(N, dtype=np.bool_)
    give = np.empty(N)
    giver = np.empty(N, dtype=np.intp)
    n_stage = np.empty(F, dtype=np.intp)
    total = np.empty(F)
    scratch = np.empty(N)
    acc = np.empty((F, 8))
    for r in range(R):
        busy = False
        for g in range(F):
            busy |= op_stage[r, g] > 0
        if not busy:
            continue
        for n in range(N):
            staging[n] = False
        # The attacker's staging areas: its places in supply nearest each objective.
        for f in range(F):
            if op_stage[r, f] <= 0:
                continue
            for k in range(K):
                t = op_target[r, f, k]
                if t < 0:
                    continue
                dmin = UNREACHABLE
                for n in range(N):
                    if ctrl[r, n] == f and siege[r, n] == 0 and hops[t, n] < dmin:
                        dmin = hops[t, n]
                if dmin < UNREACHABLE:
                    for n in range(N):
                        if ctrl[r, n] == f and siege[r, n] == 0 and hops[t, n] == dmin:
                            staging[n] = True
        # The defenders' places in supply inside an enemy operation's sector.
        for f in range(F):
            n_stage[f] = 0
        for n in range(N):
            f = ctrl[r, n]
            giver[n] = -1
            give[n] = 0.0
            if f < 0 or siege[r, n] != 0:
                continue
            if not staging[n]:
                for g in range(F):
                    if (g != f and op_stage[r, g] > 0 and relation[r, f, g] == WAR
                            and near_objective(op_target, r, g, hops, radius, n)):
                        staging[n] = True
                        break
            if staging[n]:
                n_stage[f] += 1
            else:
                x = strength[r, n] - hold[r, n]
                surplus[n] = x if x >= 0.0 else 0.0
                give[n] = surplus[n] * share
                giver[n] = f
        sum_by_owner(give, giver, total, scratch, acc)
        for n in range(N):
            f = ctrl[r, n]
            if f >= 0 and n_stage[f] > 0 and total[f] > 0:
                strength[r, n] += (total[f] / n_stage[f] if staging[n] else 0.0) - give[n]


def mass(c: Compiled, st: State, hold: np.ndarray) -> None:
    """Forces flow to where operations are: an attacker's to the places nearest its
    objectives, a defender's to its places inside an enemy operation's sector.

    In each game and for each faction, each of its places in supply that is not a staging
    place sends ``redeploy_share`` of its surplus above ``hold``; the total is shared evenly
    between the staging places (:func:`mass_kernel`)."""
    m = c.scenario.model
    share = float(m.redeploy_share)
    if share == 0:
        return
    mass_kernel(st.forces(), hold, st.siege, st.relation, st.campaign(), c.graph,
                Massing(int(m.operation_radius), share))


@njit(cache=True)
def quiet_kernel(strength: np.ndarray, casualties: np.ndarray, ctrl: np.ndarray,
                 front: np.ndarray, attacked: np.ndarray, rate: float) -> None:
    """The losses of :func:`quiet_front`, in ``strength`` [R, N] and ``casualties`` [R, F]."""
    R, N = ctrl.shape
    F = casualties.shape[1]
    loss = np.empty(N)
    owner = np.empty(N, dtype=np.intp)
    total = np.empty(F)
    scratch = np.empty(N)
    acc = np.empty((F, 8))
    for r in range(R):
        hit = False
        for n in range(N):
            loss[n] = strength[r, n] * rate if front[r, n] and not attacked[r, n] else 0.0
            strength[r, n] -= loss[n]
            hit |= loss[n] != 0.0
            owner[n] = ctrl[r, n]
        if not hit:
            continue
        sum_by_owner(loss, owner, total, scratch, acc)
        for f in range(F):
            casualties[r, f] += total[f]


def quiet_front(c: Compiled, st: State, attacked_place: np.ndarray, front: np.ndarray) -> None:
    """Garrisons facing an enemy (``front`` [R, N]) but not attacked this turn lose
    ``min(1, quiet_loss_per_day x days)`` of their strength to raids and fire."""
    rate = c.scenario.model.quiet_loss_per_day * c.scenario.scenario.days_per_turn
    if rate <= 0:
        return
    quiet_kernel(st.strength, st.casualties, st.control, front, attacked_place,
                 float(min(rate, 1.0)))


@njit(cache=True)
def regenerate_kernel(forces: Forces, manpower: Manpower, siege: np.ndarray, hold: np.ndarray,
                      turn_casualties: np.ndarray, rule: Regeneration) -> None:
    """The recruits and returning wounded of :func:`regenerate`, game by game
    (``turn_casualties`` [R, F]: each faction's casualties of the turn)."""
    strength, ctrl = forces.strength, forces.control
    wounded, arrived = manpower.wounded, manpower.arrived
    population, rate = rule.population, rule.rate
    wounded_return, days, back_share = rule.wounded_return, rule.days, rule.back_share
    R, N = ctrl.shape
    F = wounded.shape[1]
    held = np.empty(N, dtype=np.bool_)
    pop = np.empty(N)
    weight = np.empty(N)
    owner = np.empty(N, dtype=np.intp)
    held_pop = np.empty(F)
    held_w = np.empty(F)
    scratch = np.empty(N)
    acc = np.empty((F, 8))
    per_person = np.empty(F)
    per_weight = np.empty(F)
    for r in range(R):
        for n in range(N):
            owner[n] = ctrl[r, n]
            held[n] = siege[r, n] == 0 and ctrl[r, n] >= 0
            pop[n] = population[n] if held[n] else 0.0
            weight[n] = hold[r, n] if held[n] else 0.0
        sum_by_owner(pop, owner, held_pop, scratch, acc)
        sum_by_owner(weight, owner, held_w, scratch, acc)
        for f in range(F):
            x = turn_casualties[r, f]
            wounded[r, f] += wounded_return * (x if x >= 0.0 else 0.0)
            recruits = rate[r, f] / 1000.0 * held_pop[f] * days / 365.0
            back = wounded[r, f] * back_share if held_w[f] > 0 else 0.0
            wounded[r, f] -= back
            per_person[f] = recruits / held_pop[f] if held_pop[f] > 0 else 0.0
            per_weight[f] = back / held_w[f] if held_w[f] > 0 else 0.0
            arrived[r, f] += recruits + back
        for n in range(N):
            o = max(ctrl[r, n], 0)
            strength[r, n] += (pop[n] * per_person[o] + weight[n] * per_weight[o]
                               if held[n] else 0.0)


def regenerate(c: Compiled, st: State, p: dict[str, np.ndarray], turn_casualties: np.ndarray,
               hold: np.ndarray) -> None:
    """Recruits where each faction holds people, and wounded back to duty.

    Each faction recruits ``recruitment / 1000 x people x days / 365`` at its places in
    supply, in proportion to their people; ``wounded_return`` of its casualties of the turn
    join its wounded, of whom ``min(1, days / return_days)`` come back at its places in supply
    in proportion to what they hold (:func:`regenerate_kernel`)."""
    m = c.scenario.model
    days = c.scenario.scenario.days_per_turn
    rate = per_faction(c, p, "recruitment")                                    # [R, F]
    regenerate_kernel(st.forces(), Manpower(st.wounded, st.arrived), st.siege, hold,
                      turn_casualties,
                      Regeneration(c.population.astype(float), rate, float(m.wounded_return),
                                   float(days), float(min(1.0, days / m.return_days))))
