"""The turn loop: ``simulate`` plays R replicates of a scenario at once."""

from __future__ import annotations

from typing import Any

import numpy as np

from wargame.engine import combat, orders, outcomes, support
from wargame.engine.compile import STANCE, Compiled
from wargame.engine.graph import Flooder
from wargame.engine.result import GameResult
from wargame.engine.state import State, add_casualties, initial_state, sample_params
from wargame.errors import UsageError


def _take(a: np.ndarray, ctrl: np.ndarray) -> np.ndarray:
    """Per-faction values [R, F] looked up at each place's controller -> [R, N]."""
    return np.take_along_axis(a, np.maximum(ctrl, 0).astype(np.intp), axis=1)


def supply_phase(c: Compiled, st: State, fl: Flooder, sup: support.TurnSupport,
                 log: list[dict[str, Any]] | None, t: int) -> np.ndarray:
    """Trace supply; besieged places lose strength. Returns the supply multiplier [R, N].

    A place is in supply if a chain of links through places held by its controller or allies
    joins it to a supply source of its controller or an ally (allies share supply).
    """
    R, N, F = st.replicates, c.n_settlements, c.n_factions
    m = c.scenario.model
    ctrl = st.control.astype(np.intp)
    friendly = orders.gather_relation(st, ctrl[:, c.src], ctrl[:, c.dst], F)
    edge_ok = (friendly == STANCE["allied"]) | (friendly == 3)
    src_any = (c.supply_source[None, :, :] | sup.sources)              # [R, F, N]
    rel = st.relation                                                  # [R, F, F]
    ally = (rel == STANCE["allied"]) | (rel == 3)
    # A place is a source if it is a source of its controller or of one of its allies.
    ally_of_ctrl = np.take_along_axis(ally, ctrl[:, :, None].clip(0), axis=1)  # [R, N, F]
    is_source = np.einsum("rnf,rfn->rn", ally_of_ctrl.astype(np.float64),
                          src_any.astype(np.float64)) > 0
    supplied = fl.flood(is_source, edge_ok)
    airlift = sup.airlift
    unsupplied = ~supplied
    newly = unsupplied & (st.siege == 0)
    st.siege = np.where(unsupplied, st.siege + 1, 0).astype(np.int16)
    loss = np.where(unsupplied, st.strength * m.siege_attrition * (1 - airlift), 0.0)
    st.strength -= loss
    add_casualties(st, np.repeat(np.arange(R), N), ctrl.ravel(), loss.ravel(), F)
    if log is not None:
        for r, n in zip(*np.nonzero(newly), strict=True):
            log.append({"turn": t, "replicate": int(r), "kind": "encircled",
                        "settlement": int(n), "faction": int(ctrl[r, n]),
                        "airlift": float(airlift[r, n])})
    return np.where(supplied, 1.0, m.unsupplied_power + (1 - m.unsupplied_power) * airlift)


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


def redeploy(c: Compiled, st: State, fl: Flooder) -> None:
    """Rear garrisons send part of their surplus one link toward the front."""
    F = c.n_factions
    m = c.scenario.model
    ctrl = st.control.astype(np.intp)
    hostile = orders.gather_relation(st, ctrl[:, c.src], ctrl[:, c.dst], F) == STANCE["war"]
    dist = np.where(fl.sum_into(hostile.astype(float)) > 0, 0, 3)      # 0 = front
    same = ctrl[:, c.src] == ctrl[:, c.dst]
    for _ in range(2):
        via = np.where(same, dist[:, c.src] + 1, 3)
        best_in = -np.maximum.reduceat((-via)[:, fl.by_dst], fl.dst_starts, axis=1)
        best_in = np.where(fl.has_in, best_in, 3)
        dist = np.minimum(dist, best_in)
    toward = same & (dist[:, c.dst] < dist[:, c.src])
    n_toward = fl.sum_from(toward.astype(float))
    surplus = np.maximum(0.0, st.strength - m.min_garrison) * m.redeploy_share
    surplus = np.where((dist > 0) & (n_toward > 0), surplus, 0.0)
    flow = np.where(toward, surplus[:, c.src] / np.maximum(n_toward[:, c.src], 1), 0.0)
    st.strength -= surplus
    st.strength += fl.sum_into(flow)


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
    fl = Flooder(c)
    records: list[dict[str, Any]] | None = [] if log else None
    ctl_hist = [st.control.copy()] if record_turns else []
    out_hist: list[np.ndarray] = []
    outcomes.evaluate(c, st, fl, 0)
    if record_turns:
        out_hist.append(st.outcome_now.copy())
    cal = c.calibration
    for t in range(1, T + 1):
        before = st.faction_strength(F)
        support.run_events(c, st, p, t, rng, records)
        support.reinforce(c, st, p, t)
        sup = support.external_support(c, st, p, t, fl, records)
        supply_mult = supply_phase(c, st, fl, sup, records, t)
        ctrl = st.control
        morale_mult = 0.5 + st.morale
        collapse = np.where(st.collapsed, 0.5, 1.0)
        unit = (_take(st.quality * morale_mult * sup.fire * collapse, ctrl) * supply_mult
                * sup.suppress * np.where(supply_mult >= 1.0, _take(sup.quality_bonus, ctrl), 1))
        def_unit = unit * c.defence_mult
        od = orders.choose(c, st, fl, unit, st.strength * def_unit, sup.air_side,
                           cal.air_superiority_multiplier)
        bt = combat.fight(c, st, od, p, def_unit, sup.air_side, rng, deterministic)
        captured = np.zeros((R, F))
        lost = np.zeros((R, F))
        if bt is not None:
            captured, lost = combat.resolve(c, st, od, bt, records, t)
        morale_phase(c, st, captured, lost, before, p)
        redeploy(c, st, fl)
        np.maximum(st.strength, 0.0, out=st.strength)
        outcomes.evaluate(c, st, fl, t)
        if record_turns:
            ctl_hist.append(st.control.copy())
            out_hist.append(st.outcome_now.copy())
    final = st.outcome_now.copy()
    turn = st.outcome_turn.copy()
    for k, (_, o) in enumerate(c.scenario.outcomes.items()):
        if o.when == "final":
            ok = final[:, k] & (o.by_turn is None or T <= o.by_turn)
            turn[:, k] = np.where(ok, T, -1)
    return GameResult(
        factions=list(c.factions), settlements=list(c.settlements), outcomes=list(c.outcomes),
        turns=T, control=st.control.copy(), initial_strength=st.initial.copy(),
        strength=st.faction_strength(F), casualties=st.casualties.copy(),
        reinforcements=st.arrived.copy(), outcome_turn=turn, outcome_final=final,
        control_by_turn=np.stack(ctl_hist) if record_turns else None,
        outcome_by_turn=np.stack(out_hist) if record_turns else None,
        log=records,
    )
