"""The turn loop: ``simulate`` plays R replicates of a scenario at once."""

from __future__ import annotations

from typing import Any

import numpy as np

from wargame.engine import combat, kernels, orders, outcomes, support
from wargame.engine.compile import Compiled
from wargame.engine.result import GameResult
from wargame.engine.state import State, initial_state, sample_params
from wargame.errors import UsageError


def supply_phase(c: Compiled, st: State, sup: support.TurnSupport,
                 log: list[dict[str, Any]] | None, t: int) -> np.ndarray:
    """Trace supply; besieged places lose strength. Returns the supply multiplier [R, N].

    A place is in supply if a chain of links through places held by its controller or allies
    joins it to a supply source of its controller or an ally (allies share supply).
    """
    m = c.scenario.model
    mult, newly = kernels.supply(
        st.control, st.relation, sup.source_faction, sup.source_place, sup.source_on, c.src,
        c.dst, c.out_start, sup.airlift, float(m.siege_attrition), float(m.unsupplied_power),
        st.siege, st.strength, st.casualties)
    if log is not None:
        for r, n in zip(*np.nonzero(newly), strict=True):
            log.append({"turn": t, "replicate": int(r), "kind": "encircled",
                        "settlement": int(n), "faction": int(st.control[r, n]),
                        "airlift": float(sup.airlift[r, n])})
    return mult


def morale_phase(c: Compiled, st: State, captured: np.ndarray, lost: np.ndarray,
                 before: np.ndarray, p: dict[str, np.ndarray]) -> None:
    """Morale moves with captures, losses and casualties; factions below threshold collapse."""
    now = st.faction_strength(c.n_factions)
    m = c.scenario.model
    casualty_rate = np.where(before > 0, (before - now).clip(0) / np.maximum(before, 1e-9), 0)
    st.morale += 0.05 * (captured - lost) - 0.5 * casualty_rate
    st.morale += m.morale_recovery * (st.base_morale - st.morale)
    np.clip(st.morale, 0.05, 1.0, out=st.morale)
    threshold = np.stack([p[f"{f}.collapse_at"] for f in c.factions], axis=1)
    st.collapsed |= (now < threshold * st.initial) & (st.initial > 0)


def redeploy(c: Compiled, st: State) -> None:
    """Rear garrisons send part of their surplus one link toward the front.

    Distance to the front (in links through the controller's own places) is 0 for places
    touching an enemy, then 1, 2, or 3 for anything further; a rear place sends
    ``redeploy_share`` of its surplus above ``min_garrison``, split evenly, to its own
    neighbours that are nearer the front.
    """
    m = c.scenario.model
    kernels.redeploy(st.control, st.relation, st.strength, c.src, c.dst, c.out_start,
                     float(m.min_garrison), float(m.redeploy_share))


def simulate(c: Compiled, rng: np.random.Generator, replicates: int, turns: int | None = None,
             deterministic: bool = False, log: bool = False,
             record_turns: bool = False) -> GameResult:
    """Play ``replicates`` games of the compiled scenario at once.

    All randomness comes from ``rng``: first one draw per replicate of every uncertain
    parameter, then the dice of each turn. ``deterministic`` uses parameter means and expected
    casualties (no luck); chance-triggered events still use ``rng``.
    """
    if replicates < 1:
        raise UsageError("replicates must be at least 1")
    T = c.turns if turns is None else turns
    if T < 0:
        raise UsageError("turns must not be negative")
    R, F = replicates, c.n_factions
    p = sample_params(c, rng, R, deterministic)
    st = initial_state(c, p, R)
    records: list[dict[str, Any]] | None = [] if log else None
    ctl_hist = [st.control.copy()] if record_turns else []
    str_hist = [st.faction_strength(F)] if record_turns else []
    out_hist: list[np.ndarray] = []
    outcomes.evaluate(c, st, 0)
    if record_turns:
        out_hist.append(st.outcome_now.copy())
    cal = c.calibration
    for t in range(1, T + 1):
        before = st.faction_strength(F)
        support.run_events(c, st, p, t, rng, records)
        support.reinforce(c, st, p, t)
        sup = support.external_support(c, st, p, t, records)
        supply_mult = supply_phase(c, st, sup, records, t)
        per_fighter = (st.quality * (0.5 + st.morale) * sup.fire
                       * (1.0 - 0.5 * st.collapsed))                        # [R, F]
        unit, def_unit, def_power = kernels.unit_power(
            st.control, per_fighter, sup.quality_bonus, supply_mult, sup.suppress,
            c.defence_mult, st.strength)
        od = orders.choose(c, st, unit, def_power, sup.air_side, cal.air_superiority_multiplier)
        bt = combat.fight(c, st, od, p, def_unit, sup.air_side, rng, deterministic)
        captured = np.zeros((R, F))
        lost = np.zeros((R, F))
        if bt is not None:
            captured, lost = combat.resolve(c, st, od, bt, records, t)
        morale_phase(c, st, captured, lost, before, p)
        redeploy(c, st)
        np.maximum(st.strength, 0.0, out=st.strength)
        outcomes.evaluate(c, st, t)
        if record_turns:
            ctl_hist.append(st.control.copy())
            out_hist.append(st.outcome_now.copy())
            str_hist.append(st.faction_strength(F))
    final = st.outcome_now.copy()
    turn = st.outcome_turn.copy()
    for k, (_, o) in enumerate(c.scenario.outcomes.items()):
        if o.when == "final":
            ok = final[:, k] & (o.by_turn is None or o.by_turn >= T)
            turn[:, k] = np.where(ok, T, -1)
    return GameResult(
        factions=list(c.factions), settlements=list(c.settlements), outcomes=list(c.outcomes),
        turns=T, control=st.control.copy(), initial_strength=st.initial.copy(),
        strength=st.faction_strength(F), casualties=st.casualties.copy(),
        reinforcements=st.arrived.copy(), outcome_turn=turn, outcome_final=final,
        control_by_turn=np.stack(ctl_hist) if record_turns else None,
        outcome_by_turn=np.stack(out_hist) if record_turns else None,
        strength_by_turn=np.stack(str_hist) if record_turns else None,
        log=records, params=p,
    )
