"""The turn loop: ``simulate`` plays R replicates of a scenario at once.

One turn, in order (each phase is a module of :mod:`wargame.engine.phases`): events; external
support (reinforcements, air strikes, airlift, supply lines, artillery); supply, sieges and
negotiated surrenders; orders; the days of engagement at every contested place; control
changes, returns and retreats; morale, faction collapse and the culmination of offensives;
redeployment; what the turn cost civilians; outcomes.

:func:`simulate` is :func:`start` (the draws, the deployment, turn 0), :func:`play_on` (the
turns) and :func:`finish` (the result). A game saved between turns
(:class:`~wargame.engine.snapshot.Snapshot`) plays on with :func:`play_on` exactly as if it
had never stopped, or with another version of its scenario (a branch,
:mod:`wargame.engine.branch`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from wargame.engine.common import by_faction
from wargame.engine.compile import Compiled
from wargame.engine.events import OffensiveCulminated
from wargame.engine.links import find_war_links, refresh_war_links
from wargame.engine.phases import (
    civilians,
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
from wargame.engine.snapshot import HISTORIES, Game
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

    The same as :func:`start`, :func:`play_on` to the last turn, then :func:`finish`.
    """
    if replicates < 1:
        raise UsageError("replicates must be at least 1")
    T = _turns(c, turns)
    game = start(c, rng, replicates, deterministic, log, record_turns, values)
    play_on(c, game, rng, T)
    return finish(c, game)


def _turns(c: Compiled, turns: int | None) -> int:
    T = c.turns if turns is None else turns
    if T < 0:
        raise UsageError("turns must not be negative")
    return T


def start(c: Compiled, rng: np.random.Generator, replicates: int, deterministic: bool = False,
          log: bool = False, record_turns: bool = False,
          values: Mapping[str, np.ndarray] | None = None) -> Game:
    """The games at turn 0: every parameter drawn, the forces deployed, the outcomes judged
    (the first part of :func:`simulate`, whose arguments these are)."""
    if replicates < 1:
        raise UsageError("replicates must be at least 1")
    R = replicates
    p = sample_params(c, rng, R, deterministic)
    for name, value in (values or {}).items():
        if name not in p:
            raise UsageError(f"unknown parameter {name!r}")
        p[name] = np.broadcast_to(np.asarray(value, dtype=float), (R,)).copy()
    st = initial_state(c, p, R, rng, deterministic)
    game = Game(st, p, 0, deterministic, {k: [] for k in HISTORIES} if record_turns else None,
                [] if log else None)
    outcomes.evaluate(c, st, 0)
    game.record(c.n_factions)
    return game


def play_on(c: Compiled, game: Game, rng: np.random.Generator, until: int) -> Game:
    """Play ``game`` on from its turn to the end of turn ``until``, in place; the dice come
    from ``rng``. The scenario ``c`` may be another version of the one the game started with
    (a branch), with the same places, links, factions and state shapes."""
    if until < game.turn:
        raise UsageError(f"cannot play back from turn {game.turn} to turn {until}")
    st, p, records = game.state, game.params, game.log
    deterministic = game.deterministic
    R, F = st.replicates, c.n_factions
    civ = civilians.rates(c)
    # The links at war, made again wherever control or a relation has changed: after the
    # events (relations), the surrenders (control) and the battles (control).
    links = find_war_links(st.control, st.relation, c.src, c.dst)
    for t in range(game.turn + 1, until + 1):
        before = st.faction_strength(F)
        casualties_before = st.casualties.copy()
        control_before = st.control.copy()
        relations_set = events.run_events(c, st, p, t, rng, records)
        refresh_war_links(links, st.control, st.relation, c.src, c.dst, relations_set)
        support.reinforce(c, st, p, t)
        sup = support.external_support(c, st, p, t, records, links)
        supply_mult, captured, lost = supply_phase(c, st, sup, p, rng, deterministic,
                                                   records, t)
        refresh_war_links(links, st.control, st.relation, c.src, c.dst)
        unit, def_unit, def_power = unit_power(c, st, sup, supply_mult)
        plan = operations.plan(c, st, links)
        planned = operations.planned_defence(c, st, p, def_power, links)
        od, candidates = orders.choose(c, st, unit, planned, sup.air_side, plan, links)
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
            refresh_war_links(links, st.control, st.relation, c.src, c.dst)
        morale.morale_phase(c, st, captured, lost, before, p)
        morale.recover(c, st, fought)
        if c.scenario.model.campaign:
            operations.launch(c, st, plan, candidates, t, records)
            operations.advance(c, st, attack_loss, attacked, t, records)
            # Only the battles have changed control since the plan found the fronts.
            front, hold = garrisons.front_places(c, st, links, (plan.front, plan.hold))
            garrisons.quiet_front(c, st, fought, front)
            garrisons.regenerate(c, st, p, st.casualties - casualties_before, hold)
            garrisons.mass(c, st, hold)
        else:
            hold = plan.hold
            culminated = morale.culmination(c, st, attack_loss, attacked)
            if records is not None:
                for r, f in zip(*np.nonzero(culminated), strict=True):
                    records.append(OffensiveCulminated(t, int(r), int(f),
                                                       int(st.rest[r, f])))
        redeploy(st.control, st.strength, c.dst, c.out_start, links, hold,
                 float(c.scenario.model.redeploy_share))
        np.maximum(st.strength, 0.0, out=st.strength)
        st.assaulted = civilians.attacked(bt, st.control.shape)
        civilians.civilians_phase(c, st, civ, st.assaulted, sup.sorties, control_before)
        outcomes.evaluate(c, st, t)
        game.turn = t
        game.record(F)
    return game


def finish(c: Compiled, game: Game) -> GameResult:
    """The result of games played to their last turn (``game.turn``): outcomes judged at the
    end are judged now."""
    st, T, F, p = game.state, game.turn, c.n_factions, game.params
    h = game.history
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
        control_by_turn=None if h is None else np.stack(h["control"]),
        outcome_by_turn=None if h is None else np.stack(h["outcome"]),
        strength_by_turn=None if h is None else np.stack(h["strength"]),
        garrison_by_turn=None if h is None else np.stack(h["garrison"]),
        civilians_killed=st.civilians_killed.copy(), displaced=st.displaced.copy(),
        civilians_killed_by_turn=None if h is None else np.stack(h["killed"]),
        displaced_by_turn=None if h is None else np.stack(h["displaced"]),
        log=game.log, params=p,
    )
