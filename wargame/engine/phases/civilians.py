"""Phase 9 of a turn: what the turn cost the civilians of each place.

Civilians do not fight back in this model: the phase reads what the turn's other phases did
(which places were attacked, the sorties flown over them, whether it was out of supply, the
operations aimed at it, whether it changed hands) and changes nothing but the people. It uses
no random numbers, so a game plays the same with or without it.

``people`` [R, N] are the civilians still at each place; they start at the place's
``population``. With ``D`` the days of a turn, in this order, each step on the people left by
the one before:

    killed by fighting   = people (1 - exp(-civilian_fighting_deaths x D))      if attacked
    killed by air        = people (1 - exp(-civilian_air_deaths x sorties / capacity))
    killed by siege      = people (1 - exp(-civilian_siege_deaths x D))      if out of supply
    fled ahead of attack = people (1 - exp(-civilian_flight_rate x D))       if threatened
    fled after a fall    = people x civilian_fall_flight                     if it changed hands

``capacity = max(population, urban_density x min_area_km2)`` is the people the place's
built-up area holds at the density of the space model (:mod:`wargame.engine.space`), so a
sortie over a full city kills ``civilian_air_deaths`` civilians and fewer as the city empties.
A place is *attacked* in a turn when an attack on it is one of the turn's battles (whether or
not the dice give it a day of engagement: the rate is per calendar day of a battle, as the
published figures count it), and *threatened* when it is attacked, or when it is an objective
of an operation of a faction at war with its holder that is fighting (not massing) and holds
a neighbouring place: the front is next door. Whoever dies or flees leaves ``people``; the
place's ``population`` stays what the scenario says for the rest of the model (its area and
frontage are its buildings', not its residents').

Settings (``model:``): ``civilians``, ``civilian_fighting_deaths``, ``civilian_air_deaths``,
``civilian_siege_deaths``, ``civilian_flight_rate``, ``civilian_fall_flight``; each one's
source is in ``docs/model.md``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from wargame.engine.common import WAR
from wargame.engine.compile import Compiled, Graph
from wargame.engine.phases.combat import Battles
from wargame.engine.phases.operations import FIGHTING
from wargame.engine.state import Campaign, Forces, State


class CivilianRates(NamedTuple):
    """The scenario's civilian settings, as plain numbers."""

    fighting: float   # deaths per person per day of a battle at the place
    air: float        # deaths per sortie over a place at its full capacity
    siege: float      # excess deaths per person per day out of supply
    flight: float     # share of people leaving per day of threat (as a rate)
    fall: float       # share of people leaving when the place changes hands

    @property
    def off(self) -> bool:
        """Whether every rate is zero (the phase then changes nothing)."""
        return not any(self)


def rates(c: Compiled) -> CivilianRates:
    """The civilian settings of the compiled scenario (all zero with ``civilians: false``)."""
    m = c.scenario.model
    if not m.civilians:
        return CivilianRates(0.0, 0.0, 0.0, 0.0, 0.0)
    return CivilianRates(float(m.civilian_fighting_deaths), float(m.civilian_air_deaths),
                         float(m.civilian_siege_deaths), float(m.civilian_flight_rate),
                         float(m.civilian_fall_flight))


def capacity(c: Compiled) -> np.ndarray:
    """[N] people a place's built-up area holds at the space model's density."""
    return np.asarray(c.space.area_km2) * float(c.scenario.model.urban_density)


def threatened(c: Compiled, st: State, attacked: np.ndarray) -> np.ndarray:
    """[R, N] bool: attacked this turn, or an objective of a hostile operation that is
    fighting (not massing) and whose faction holds a neighbouring place (the front is next
    door)."""
    out = np.empty(attacked.shape, dtype=np.bool_)
    _threat(attacked, st.control, st.relation, st.op_target, st.op_stage,
            c.neighbours, bool(c.scenario.model.campaign), out)
    return out


class CivilianStep(NamedTuple):
    """The turn's share of the people each step takes, and the air rule's settings."""

    fighting: float   # share killed in a turn the place is attacked
    air: float        # deaths per sortie over a place at capacity
    siege: float      # share killed in a turn out of supply
    flight: float     # share fleeing in a turn of threat
    fall: float       # share fleeing when the place changes hands
    campaign: bool    # operations exist (threat from a fighting operation next door)
    capacity: np.ndarray  # [N] float64: people each place's built-up area holds


class Exposure(NamedTuple):
    """What the turn did at each place that touches its civilians."""

    attacked: np.ndarray        # [R, N] bool: one of the turn's battles was there
    sorties: np.ndarray         # [R, N] float64: sorties flown over it
    siege: np.ndarray           # [R, N] int16: turns out of supply (0: in supply)
    control_before: np.ndarray  # [R, N] int16: its holder when the turn began


class People(NamedTuple):
    """The civilians of each place, game by game (changed in place)."""

    people: np.ndarray      # [R, N] float64: still there
    killed: np.ndarray      # [R, N] float64: killed so far
    displaced: np.ndarray   # [R, N] float64: fled so far


def civilians_phase(c: Compiled, st: State, rule: CivilianRates, attacked: np.ndarray,
                    sorties: np.ndarray, control_before: np.ndarray) -> None:
    """Book the turn's civilian deaths and flight at every place, in place on ``st``.

    ``attacked`` [R, N] says which places were attacked this turn, ``sorties`` [R, N] the
    sorties flown over each and ``control_before`` [R, N] its holder when the turn began. The
    rules are in the module's docstring; one compiled pass over the places does them all.
    """
    if rule.off:
        return
    days = float(c.scenario.scenario.days_per_turn)
    step = CivilianStep(float(-np.expm1(-rule.fighting * days)), rule.air,
                        float(-np.expm1(-rule.siege * days)),
                        float(-np.expm1(-rule.flight * days)), rule.fall,
                        bool(c.scenario.model.campaign), capacity(c))
    _civilians(step, Exposure(attacked, sorties, st.siege, control_before), st.forces(),
               st.relation, st.campaign(), c.graph,
               People(st.people, st.civilians_killed, st.displaced))


@njit(cache=True)
def _threat(attacked: np.ndarray, control: np.ndarray, relation: np.ndarray,
            op_target: np.ndarray, op_stage: np.ndarray, neighbours: np.ndarray,
            campaign: bool, out: np.ndarray) -> None:
    """Fill ``out`` [R, N] with :func:`threatened`."""
    R, N = control.shape
    F, K = op_target.shape[1], op_target.shape[2]
    for r in range(R):
        for n in range(N):
            out[r, n] = attacked[r, n]
        if not campaign:
            continue
        for f in range(F):
            if op_stage[r, f] != FIGHTING:
                continue
            for k in range(K):
                n = op_target[r, f, k]
                if n < 0 or out[r, n]:
                    continue
                h = control[r, n]
                if h < 0 or relation[r, f, h] != WAR:
                    continue
                for d in range(neighbours.shape[1]):
                    m = neighbours[n, d]
                    if m >= 0 and control[r, m] == f:
                        out[r, n] = True
                        break


@njit(cache=True)
def _civilians(step: CivilianStep, exposure: Exposure, forces: Forces, relation: np.ndarray,
               campaign: Campaign, graph: Graph, civilians: People) -> None:
    """The turn's deaths and flight, place by place, in the order of the module's docstring."""
    attacked, sorties = exposure.attacked, exposure.sorties
    siege, control_before = exposure.siege, exposure.control_before
    control, op_target, op_stage = forces.control, campaign.target, campaign.stage
    neighbours, cap = graph.neighbours, step.capacity
    people, killed, displaced = civilians.people, civilians.killed, civilians.displaced
    R, N = people.shape
    threat = np.empty((1, N), dtype=np.bool_)
    for r in range(R):
        _threat(attacked[r:r + 1], control[r:r + 1], relation[r:r + 1], op_target[r:r + 1],
                op_stage[r:r + 1], neighbours, step.campaign, threat)
        for n in range(N):
            p = people[r, n]
            if p <= 0.0:
                continue
            dead = 0.0
            if attacked[r, n]:
                dead += p * step.fighting
            if step.air > 0.0 and sorties[r, n] > 0.0:
                dead += (p - dead) * -math.expm1(-step.air * sorties[r, n] / cap[n])
            if siege[r, n] > 0:
                dead += (p - dead) * step.siege
            p -= dead
            fled = 0.0
            if threat[0, n]:
                fled += p * step.flight
            if control[r, n] != control_before[r, n]:
                fled += (p - fled) * step.fall
            people[r, n] = max(p - fled, 0.0)
            killed[r, n] += dead
            displaced[r, n] += fled


def attacked(bt: Battles | None, shape: tuple[int, int]) -> np.ndarray:
    """[R, N] bool: the places attacked this turn (one of the turn's battles)."""
    out = np.zeros(shape, dtype=bool)
    if bt is not None:
        out[bt.rep, bt.place] = True
    return out
