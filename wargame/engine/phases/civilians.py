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
built-up area holds at the density of the space model (:mod:`wargame.engine.space`), so a sortie
over a full city kills ``civilian_air_deaths`` civilians and fewer as the city empties. A place is
*attacked* in a turn when an attack on it is one of the turn's battles (whether or not the
dice give it a day of engagement: the rate is per calendar day of a battle, as the published
figures count it), and *threatened* when it is attacked, or when it is an objective of an operation
of a faction at war with its holder that is fighting (not massing) and holds a neighbouring
place: the front is next door. Whoever dies or flees leaves
``people``; the place's ``population`` stays what the scenario says for the rest of the model
(its area and frontage are its buildings', not its residents').

Settings (``model:``): ``civilians``, ``civilian_fighting_deaths``, ``civilian_air_deaths``,
``civilian_siege_deaths``, ``civilian_flight_rate``, ``civilian_fall_flight``; each one's
source is in ``docs/model.md``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from wargame.engine.common import WAR
from wargame.engine.compile import Compiled
from wargame.engine.phases.combat import Battles
from wargame.engine.phases.operations import FIGHTING
from wargame.engine.state import State


class CivilianRates(NamedTuple):
    """The scenario's civilian settings, as plain numbers."""

    fighting: float   # deaths per person per day fought at the place
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
    out = attacked.copy()
    if not c.scenario.model.campaign:
        return out
    R, F, _ = st.op_target.shape
    tgt = st.op_target
    rr = np.broadcast_to(np.arange(R)[:, None, None], tgt.shape)
    ff = np.broadcast_to(np.arange(F)[None, :, None], tgt.shape)
    live = (tgt >= 0) & (st.op_stage == FIGHTING)[:, :, None]
    n = np.where(live, tgt, 0)
    holder = st.control[rr, n]
    hostile = live & (holder >= 0) & (st.relation[rr, ff, np.maximum(holder, 0)] == WAR)
    nb = c.neighbours[n]                                              # [R, F, K, D]
    beside = ((nb >= 0) & (st.control[rr[..., None], np.maximum(nb, 0)] == ff[..., None]))
    near = hostile & beside.any(axis=-1)
    out[rr[near], n[near]] = True
    return out


def civilians_phase(c: Compiled, st: State, rule: CivilianRates, attacked: np.ndarray,
                    sorties: np.ndarray, control_before: np.ndarray) -> None:
    """Book the turn's civilian deaths and flight at every place, in place on ``st``.

    ``attacked`` [R, N] says which places were attacked this turn, ``sorties`` [R, N] the
    sorties flown over it and ``control_before`` [R, N] its holder when the turn began. The
    rules are in the module's docstring.
    """
    if rule.off:
        return
    days = float(c.scenario.scenario.days_per_turn)
    people = st.people
    killed = np.zeros_like(people)
    if rule.fighting > 0:
        killed += np.where(attacked, people * -np.expm1(-rule.fighting * days), 0.0)
    if rule.air > 0:
        left = people - killed
        killed += left * -np.expm1(-rule.air * sorties / capacity(c)[None, :])
    if rule.siege > 0:
        left = people - killed
        killed += np.where(st.siege > 0, left * -np.expm1(-rule.siege * days), 0.0)
    people -= killed
    fled = np.zeros_like(people)
    if rule.flight > 0:
        fled += np.where(threatened(c, st, attacked),
                         people * -np.expm1(-rule.flight * days), 0.0)
    if rule.fall > 0:
        fell = st.control != control_before
        fled += np.where(fell, (people - fled) * rule.fall, 0.0)
    people -= fled
    np.maximum(people, 0.0, out=people)
    st.civilians_killed += killed
    st.displaced += fled


def attacked(bt: Battles | None, shape: tuple[int, int]) -> np.ndarray:
    """[R, N] bool: the places attacked this turn (one of the turn's battles)."""
    out = np.zeros(shape, dtype=bool)
    if bt is not None:
        out[bt.rep, bt.place] = True
    return out
