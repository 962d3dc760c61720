"""The turn loop: ``simulate`` plays R replicates of a scenario at once.

One turn, in order (each phase is a module of :mod:`wargame.engine.phases`): events; external
support (reinforcements, air strikes, airlift, supply lines, artillery); supply, sieges and
negotiated surrenders; orders; the days of engagement at every contested place; control
changes, returns and retreats; morale, faction collapse and the culmination of offensives;
redeployment; outcomes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from wargame.engine.common import by_faction
from wargame.engine.compile import Compiled
from wargame.engine.phases import (
    combat,
    events,
    garrisons,
    morale,
    operations,
    orders,
    outcomes,
    resolve,
    support,
)
from wargame.engine.phases.power import unit_power
from wargame.engine.phases.redeploy import redeploy
from wargame.engine.phases.supply import supply_phase
from wargame.engine.result import GameResult
from wargame.engine.state import initial_state, sample_params
from wargame.errors import UsageError


def simulate(c: Compiled, rng: np.random.Generator, replicates: int, turns: int | None = None,
             deterministic: bool = False, log: bool = False, record_turns: bool = False,
             values: Mapping[str, np.ndarray] | None = None) -> GameResult:
    """Play ``replicates`` games of the compiled scenario at once.

    All randomness comes from ``rng``: first one draw per replicate of every uncertain
    parameter, then each place's intensity, then the dice of each turn. ``deterministic``
    uses parameter means and expected values (no luck, no collapse or surrender draws);
    chance-triggered events still use ``rng``. ``values`` replaces the drawn values of the
    named parameters by the given arrays (one value per replicate), after every draw, so the
    stream of random numbers does not depend on it: fits and sweeps use it to play many
    settings in one call.
    """
    if replicates < 1:
        raise UsageError("replicates must be at least 1")
    T = c.turns if turns is None else turns
    if T < 0:
        raise UsageError("turns must not be negative")
    R, F = replicates, c.n_factions
    p = sample_params(c, rng, R, deterministic)
    for name, value in (values or {}).items():
        if name not in p:
            raise UsageError(f"unknown parameter {name!r}")
        p[name] = np.broadcast_to(np.asarray(value, dtype=float), (R,)).copy()
    st = initial_state(c, p, R, rng, deterministic)
    records: list[dict[str, Any]] | None = [] if log else None
    ctl_hist = [st.control.copy()] if record_turns else []
    str_hist = [st.faction_strength(F)] if record_turns else []
    gar_hist = [st.strength.copy()] if record_turns else []
    out_hist: list[np.ndarray] = []
    outcomes.evaluate(c, st, 0)
    if record_turns:
        out_hist.append(st.outcome_now.copy())
    for t in range(1, T + 1):
        before = st.faction_strength(F)
        casualties_before = st.casualties.copy()
        events.run_events(c, st, p, t, rng, records)
        support.reinforce(c, st, p, t)
        sup = support.external_support(c, st, p, t, records)
        supply_mult, captured, lost = supply_phase(c, st, sup, p, rng, deterministic,
                                                   records, t)
        unit, def_unit, def_power = unit_power(c, st, sup, supply_mult)
        plan = operations.plan(c, st)
        planned = operations.planned_defence(c, st, p, def_power)
        od, candidates = orders.choose(c, st, unit, planned, sup.air_side, plan)
        bt = combat.fight(c, st, od, p, def_unit, sup.air_side, rng, deterministic)
        attack_loss = np.zeros((R, F))
        attacked = np.zeros((R, F), dtype=bool)
        fought = np.zeros((R, c.n_settlements), dtype=bool)
        if bt is not None:
            fought[bt.rep, bt.place] = bt.fought > 0
            won, gone = resolve.resolve(c, st, od, bt, records, t)
            captured += won
            lost += gone
            attack_loss, attacked = combat.attack_losses(bt, R, F)
        morale.morale_phase(c, st, captured, lost, before, p)
        morale.recover(c, st, fought)
        if c.scenario.model.campaign:
            operations.launch(c, st, plan, candidates, t, records)
            operations.advance(c, st, attack_loss, attacked, t, records)
            front, hold = garrisons.front_places(c, st)
            garrisons.quiet_front(c, st, fought, front)
            garrisons.regenerate(c, st, p, st.casualties - casualties_before, hold)
            garrisons.mass(c, st, hold)
        else:
            hold = plan.hold
            culminated = morale.culmination(c, st, attack_loss, attacked)
            if records is not None:
                for r, f in zip(*np.nonzero(culminated), strict=True):
                    records.append({"turn": t, "replicate": int(r), "kind": "culminated",
                                    "faction": int(f), "pause_turns": int(st.rest[r, f])})
        redeploy(st.control, st.relation, st.strength, c.src, c.dst, c.out_start,
                 hold, float(c.scenario.model.redeploy_share))
        np.maximum(st.strength, 0.0, out=st.strength)
        outcomes.evaluate(c, st, t)
        if record_turns:
            ctl_hist.append(st.control.copy())
            out_hist.append(st.outcome_now.copy())
            str_hist.append(st.faction_strength(F))
            gar_hist.append(st.strength.copy())
    final = st.outcome_now.copy()
    turn = st.outcome_turn.copy()
    for k, (_, o) in enumerate(c.scenario.outcomes.items()):
        if o.when == "final":
            ok = final[:, k] & (o.by_turn is None or o.by_turn >= T)
            turn[:, k] = np.where(ok, T, -1)
    return GameResult(
        factions=list(c.factions), settlements=list(c.settlements), outcomes=list(c.outcomes),
        turns=T, control=st.control.copy(), initial_strength=st.initial.copy(),
        strength=by_faction(st.strength, st.control, F), casualties=st.casualties.copy(),
        garrison=st.strength.copy(),
        reinforcements=st.arrived.copy(), outcome_turn=turn, outcome_final=final,
        control_by_turn=np.stack(ctl_hist) if record_turns else None,
        outcome_by_turn=np.stack(out_hist) if record_turns else None,
        strength_by_turn=np.stack(str_hist) if record_turns else None,
        garrison_by_turn=np.stack(gar_hist) if record_turns else None,
        log=records, params=p,
    )
