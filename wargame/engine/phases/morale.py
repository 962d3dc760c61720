"""Phase 6 of a turn: morale, the collapse of factions, and the culmination of offensives.

**Morale.** Each faction's morale moves by ``morale_per_place`` per place captured (minus per
place lost), by ``-morale_per_casualty_rate x`` the share of its strength lost this turn, and
back toward its starting value by ``morale_recovery`` of the gap; it stays within
[``MORALE_FLOOR``, 1] (judgement).

**Collapse of a faction.** A faction whose strength falls below ``collapse_at x`` its initial
strength collapses for the rest of the game: it no longer attacks and fights at
``collapsed_power`` of its power (judgement).

**Culmination** (without the campaign layer; with it, :mod:`wargame.engine.phases.operations`
applies the same two limits to operations). An offensive runs from the first turn a faction
attacks to the first turn it does not. It culminates (the faction pauses) when the losses of
its attacking forces since the offensive began exceed ``culmination_loss`` of the strength it
had then, or when it has run ``push_days``. The faction then makes no attack for
``pause_days`` (rounded up to whole turns), and a new offensive starts after. Defaults:
``culmination_loss`` 0.25, from the modern battles table (al-Shabaab's Mogadishu offensive of
2010 broke within about three weeks after losing more than a quarter of its force);
``push_days`` 91, about the 14 weeks of the Mosul east offensive before its pause (judgement:
JP 5-0 and ADP 3-90 define the culminating point but give no number); ``pause_days``: see
``docs/model.md`` (the modern-battle fit plays one assault with 21 days).
"""

from __future__ import annotations

import math

import numpy as np

from wargame.engine.compile import Compiled
from wargame.engine.state import State, per_faction

MORALE_FLOOR = 0.05
"""The lowest morale a faction can fall to."""


def morale_phase(c: Compiled, st: State, captured: np.ndarray, lost: np.ndarray,
                 before: np.ndarray, p: dict[str, np.ndarray]) -> None:
    """Morale moves with captures, losses and casualties; factions below threshold collapse."""
    now = st.faction_strength(c.n_factions)
    m = c.scenario.model
    casualty_rate = np.where(before > 0, (before - now).clip(0) / np.maximum(before, 1e-9), 0)
    st.morale += m.morale_per_place * (captured - lost) - m.morale_per_casualty_rate * casualty_rate
    st.morale += m.morale_recovery * (st.base_morale - st.morale)
    np.clip(st.morale, MORALE_FLOOR, 1.0, out=st.morale)
    threshold = per_faction(c, p, "collapse_at")
    st.collapsed |= (now < threshold * st.initial) & (st.initial > 0)


def recover(c: Compiled, st: State, fought: np.ndarray) -> None:
    """A garrison not fought this turn (``fought`` [R, N] false) sheds ``morale_recovery`` of its
    wear."""
    np.multiply(st.wear, 1.0 - c.scenario.model.morale_recovery, out=st.wear, where=~fought)


def culmination(c: Compiled, st: State, attack_loss: np.ndarray, attacked: np.ndarray
                ) -> np.ndarray:
    """Advance every faction's offensive by a turn; returns which culminated [R, F] bool."""
    m = c.scenario.model
    days = c.scenario.scenario.days_per_turn
    now = st.faction_strength(c.n_factions)
    np.maximum(st.rest - 1, 0, out=st.rest)
    st.offensive_loss = np.where(attacked, st.offensive_loss + attack_loss, 0.0)
    st.offensive_days = np.where(attacked, st.offensive_days + days, 0.0)
    st.offensive_base = np.where(attacked, st.offensive_base, now)
    culminated = attacked & (
        (st.offensive_loss > m.culmination_loss * st.offensive_base)
        | (st.offensive_days >= m.push_days))
    pause_turns = math.ceil(m.pause_days / days)
    if pause_turns > 0:
        st.rest[culminated] = pause_turns
    st.offensive_loss[culminated] = 0.0
    st.offensive_days[culminated] = 0.0
    st.offensive_base[culminated] = now[culminated]
    return culminated
