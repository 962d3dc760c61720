"""Phase 4 of a turn: every faction chooses its offensives and commits forces.

Forces at a settlement belong to its controller, so every directed link (m -> n) carries one
potential attacker: the controller of m. All factions' orders are computed together by one
compiled pass over every replicate's links (:func:`wargame.engine.kernels.orders`); the result
is the short list of links that carry an attack.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wargame.engine import kernels
from wargame.engine.compile import Compiled
from wargame.engine.state import State

PLANNING_RATIO = 3.0
"""The 3:1 rule: the force ratio a cautious attacker plans for (aggression 0)."""


@dataclass
class Orders:
    """The attacks of this turn, one entry per directed link that carries one (M entries)."""

    rep: np.ndarray         # [M] replicate
    edge: np.ndarray        # [M] directed link (src -> dst)
    amount: np.ndarray      # [M] fighters moving from src to attack dst
    unit_power: np.ndarray  # [M] power per attacking fighter (before luck and air)
    faction: np.ndarray     # [M] the attacking faction (controller of the source)


def choose(c: Compiled, st: State, unit_att: np.ndarray, def_power: np.ndarray,
           air_side: np.ndarray, air_mult: float) -> Orders:
    """Score hostile neighbours, pick targets and commit forces.

    ``unit_att`` [R, N] is the power per fighter of the forces at each place if they attack;
    ``def_power`` [R, N] the total power of the forces defending each place.

    The rules, for each replicate:

    1. *Keep back.* A garrison keeps ``max(min_garrison, reserve_share x strength)``, and also
       enough that the enemies next to it (those that attack at all) could not reach the rout
       ratio against what stays, scaled by its caution:
       ``(1 - aggression) x threat / (rout_ratio x defensive power per fighter)``.
       The rest is available.
    2. *Concentration.* An attacker estimates its power against a target as everything it
       could bring from every neighbour of the target it holds (x the air-superiority
       multiplier if its air support is over the target), and the chance of success as the
       CDB90 logistic curve of the log power ratio.
    3. *Planning rule.* It considers a target when the estimated ratio reaches
       ``3^(1 - aggression) : 1`` -- the classic 3:1 for a cautious commander (aggression
       near 0), 1:1 near 1; aggression 1 attacks whatever the odds, 0 never attacks.
       A target's score is ``P(success) x (1 + objective weight + value)``.
    4. *Offensive cap.* Each faction keeps only its ``max_offensives`` best targets (ranked by
       the summed score of the links that lead to them).
    5. *Commitment.* Each place sends everything available to its best-scoring target (split
       evenly between ties).
    6. *Plan check.* An attack whose forces actually committed fall short of the planning
       ratio is called off.
    """
    cal = c.calibration
    m = c.scenario.model
    need = PLANNING_RATIO ** (1.0 - st.aggression)                     # [R, F]
    r, e, amount = kernels.orders(
        st.control, st.relation, st.strength, st.reserve, st.collapsed, st.aggression,
        st.rout_ratio, st.objective, unit_att, def_power, air_side, c.value, c.max_offensives,
        need, c.src, c.dst, float(m.min_garrison), float(air_mult),
        float(cal.success_intercept), float(cal.success_log_ratio))
    src = c.src[e]
    return Orders(rep=r, edge=e, amount=amount, unit_power=unit_att[r, src],
                  faction=st.control[r, src].astype(np.intp))
