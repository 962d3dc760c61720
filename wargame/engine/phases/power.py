"""Power per fighter at each place, for the orders and the battles of a turn.

    power per fighter = quality x (0.5 + morale) x artillery x (collapsed_power if collapsed)
                        x supply x air suppression x (quality_bonus of supply lines, in supply)

and a defender's power is also multiplied by the place's posture (``fortification``: none ->
hasty 1.0, prepared 1.31, fortified 1.60; CDB90 combined with Dupuy) and terrain multiplier
(urban 1.08, suburban 1.04, rural 1.0, mountain 1.0, desert 0.91, forest 1.04; Dupuy's QJM
factors with the CDB90 fit where it has data). Settings (``model:``): ``collapsed_power``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from wargame.engine.compile import Compiled
from wargame.engine.phases.support import TurnSupport
from wargame.engine.state import State


def unit_power(c: Compiled, st: State, sup: TurnSupport, supply_mult: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Power per fighter at each place -> (attacking [R, N], defending [R, N], defending
    total [R, N])."""
    m = c.scenario.model
    per_fighter = (st.quality * (0.5 + st.morale) * sup.fire
                   * np.where(st.collapsed, m.collapsed_power, 1.0))          # [R, F]
    return power_kernel(st.control, per_fighter, sup.quality_bonus, supply_mult, sup.suppress,
                        c.defence_mult, st.strength)


@njit(cache=True)
def power_kernel(ctrl: np.ndarray, per_fighter: np.ndarray, quality_bonus: np.ndarray,
               supply: np.ndarray, suppress: np.ndarray, defence_mult: np.ndarray,
               strength: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Power per fighter at each place -> (attacking [R, N], defending [R, N], defending
    total [R, N]).

    ``per_fighter`` [R, F] is the faction part (quality, morale, artillery, collapse);
    the place multiplies in its supply, air suppression, the faction's supply-line
    ``quality_bonus`` (only in supply) and, defending, ``defence_mult`` [N] (terrain and
    fortification).
    """
    R, N = ctrl.shape
    unit = np.empty((R, N))
    def_unit = np.empty((R, N))
    def_power = np.empty((R, N))
    for r in range(R):
        for n in range(N):
            f = ctrl[r, n]
            bonus = quality_bonus[r, f] if supply[r, n] >= 1.0 else 1.0
            u = per_fighter[r, f] * supply[r, n] * suppress[r, n] * bonus
            unit[r, n] = u
            def_unit[r, n] = u * defence_mult[n]
            def_power[r, n] = strength[r, n] * def_unit[r, n]
    return unit, def_unit, def_power
