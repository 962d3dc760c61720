"""The game state as arrays with a leading replicate axis, and its initialisation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from wargame.engine import space
from wargame.engine.common import by_faction
from wargame.engine.compile import Compiled
from wargame.scenario.params import param_mean, param_sample


class Forces(NamedTuple):
    """Who holds each place with how many fighters, and what each faction has lost: the
    state most kernels read and change, as one argument (:meth:`State.forces`)."""

    control: np.ndarray     # [R, N] int16: controller of each place (-1: nobody)
    strength: np.ndarray    # [R, N] float64: fighters at each place
    casualties: np.ndarray  # [R, F] float64: each faction's losses so far


class Factions(NamedTuple):
    """Each faction's stance, morale and doctrine in each game (:meth:`State.factions`)."""

    relation: np.ndarray    # [R, F, F] int8: STANCE codes, SELF on the diagonal
    morale: np.ndarray      # [R, F] float64
    aggression: np.ndarray  # [R, F] float64
    reserve: np.ndarray     # [R, F] float64: share of a garrison kept back
    objective: np.ndarray   # [R, F, N] float64: weight of each place among its objectives


class Campaign(NamedTuple):
    """Each faction's operation in each game (:meth:`State.campaign`)."""

    target: np.ndarray      # [R, F, K] intp: objectives (-1: none)
    stage: np.ndarray       # [R, F] int8: 0 none, 1 massing, 2 fighting
    turns: np.ndarray       # [R, F] int16: turns in the current stage
    massed: np.ndarray      # [R, F] bool: the next operation attacks without massing
    pressing: np.ndarray    # [R, F] bool: its offensive took its objectives and goes on
    base: np.ndarray        # [R, F] float64: strength when the offensive began
    loss: np.ndarray        # [R, F] float64: losses of its attacks in the offensive
    days: np.ndarray        # [R, F] float64: days the offensive has run


@dataclass
class State:
    """Everything that changes during a game; ``R`` replicates of ``N`` places, ``F`` factions.

    Forces at a settlement always belong to its controller, so strength is [R, N]; attacking
    forces exist only inside a turn's battles.
    """

    control: np.ndarray        # [R, N] int16
    strength: np.ndarray       # [R, N] float64
    quality: np.ndarray        # [R, F]
    morale: np.ndarray         # [R, F]
    base_morale: np.ndarray    # [R, F]
    aggression: np.ndarray     # [R, F]
    reserve: np.ndarray        # [R, F]
    objective: np.ndarray      # [R, F, N]
    relation: np.ndarray       # [R, F, F] int8
    support_scale: np.ndarray  # [R, S]
    siege: np.ndarray          # [R, N] int16: consecutive turns out of supply
    collapsed: np.ndarray      # [R, F] bool
    fired: np.ndarray          # [R, events] bool
    initial: np.ndarray        # [R, F]
    casualties: np.ndarray     # [R, F]
    arrived: np.ndarray        # [R, F] reinforcements that arrived
    outcome_now: np.ndarray    # [R, O] bool
    outcome_turn: np.ndarray   # [R, O] int16
    rout_ratio: np.ndarray     # [R] sampled rout ratio (used by orders and combat)
    cleared: np.ndarray        # [R, N] share of each place its attackers have cleared
    wear: np.ndarray           # [R, N] summed daily loss shares of the garrison under attack
    assaulted: np.ndarray      # [R, N] bool: attacked last turn (no capitulation there)
    engage_p: np.ndarray       # [R, N] chance that a day at the place sees an engagement
    advance: np.ndarray        # [R, N] km cleared on an engagement day the attacker wins
    offensive_loss: np.ndarray  # [R, F] losses of the faction's attacks in its offensive
    offensive_base: np.ndarray  # [R, F] its strength when the offensive began
    offensive_days: np.ndarray  # [R, F] days the offensive has run
    rest: np.ndarray           # [R, F] int16: turns of operational pause left
    op_target: np.ndarray      # [R, F, K] objectives of each faction's operation (-1: none)
    op_stage: np.ndarray       # [R, F] int8: 0 none, 1 massing, 2 fighting
    op_turns: np.ndarray       # [R, F] int16: turns in the current stage
    wounded: np.ndarray        # [R, F] wounded who will return to duty
    massed: np.ndarray         # [R, F] bool: the next operation attacks without massing
    pressing: np.ndarray       # [R, F] bool: its offensive took its objectives and goes on
    people: np.ndarray         # [R, N] civilians still at each place (phases/civilians.py)
    civilians_killed: np.ndarray  # [R, N] civilians killed at each place so far
    displaced: np.ndarray      # [R, N] civilians who have fled each place so far

    @property
    def replicates(self) -> int:
        """``R``."""
        return int(self.control.shape[0])

    # The bundles are made on each call, from the arrays the state holds at that moment: a
    # phase may replace an array (``st.offensive_loss = ...``), so a bundle is not kept.

    def forces(self) -> Forces:
        """Control, strength and casualties as one kernel argument."""
        return Forces(self.control, self.strength, self.casualties)

    def factions(self) -> Factions:
        """Relations, morale and doctrine as one kernel argument."""
        return Factions(self.relation, self.morale, self.aggression, self.reserve,
                        self.objective)

    def campaign(self) -> Campaign:
        """The operations' state as one kernel argument."""
        return Campaign(self.op_target, self.op_stage, self.op_turns, self.massed, self.pressing,
                        self.offensive_base, self.offensive_loss, self.offensive_days)

    def faction_strength(self, n_factions: int) -> np.ndarray:
        """Total strength per faction [R, F]."""
        return by_faction(self.strength, self.control, n_factions)


def sample_params(c: Compiled, rng: np.random.Generator, R: int,
                  deterministic: bool) -> dict[str, np.ndarray]:
    """One draw per replicate of every parameter, in the compiled (document) order."""
    if deterministic:
        return {k: np.full(R, param_mean(p)) for k, p in c.params.items()}
    return {k: param_sample(p, rng, R) for k, p in c.params.items()}


def per_faction(c: Compiled, p: dict[str, np.ndarray], name: str) -> np.ndarray:
    """The game-by-game draws of faction setting ``name`` (``<faction>.<name>`` in ``p``), as
    an [R, F] table in faction order."""
    return np.stack([p[f"{f}.{name}"] for f in c.factions], axis=1)


def engagement_chance(rate: np.ndarray, spread: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Chance of an engagement on a day at each place -> [R, N]: the game's ``rate`` [R] moved
    on the logit scale by ``spread`` [R] standard deviations ``z`` [R, N] (a place's own
    intensity, drawn once per game)."""
    rate = np.clip(rate, 1e-9, 1.0 - 1e-9)[:, None]
    logit = np.log(rate / (1.0 - rate)) + spread[:, None] * z
    return 1.0 / (1.0 + np.exp(-logit))


def initial_state(c: Compiled, p: dict[str, np.ndarray], R: int, rng: np.random.Generator,
                  deterministic: bool) -> State:
    """Deploy each faction: explicit garrisons first, the rest spread by settlement value.

    Then each place draws its intensity (``engage_p``): in a random game one standard normal
    per place, after every parameter draw; with ``deterministic`` the median.
    """
    F, N = c.n_factions, c.n_settlements
    control = np.tile(c.init_control.astype(np.int16), (R, 1))
    strength = np.zeros((R, N))
    sc = c.scenario
    # Free forces deploy by value, front_deployment_weight times as densely where the place
    # touches an enemy.
    ctl = c.init_control
    at_war = c.init_relation[ctl[c.src], ctl[c.dst]] == 0
    front = np.bincount(c.src[at_war], minlength=N) > 0
    weight = np.maximum(c.value, 1e-6) * np.where(front, sc.model.front_deployment_weight, 1.0)
    cap = np.where(np.isfinite(c.space.cap_def), c.space.cap_def, 0.0)
    wanted = np.zeros(N, dtype=bool)
    for k, fac in enumerate(sc.factions.values()):
        for sid in fac.doctrine.objectives:
            j = c.settlements.index(sid)
            wanted[j] |= c.init_relation[k, ctl[j]] == 0
    hold = np.where(front | wanted,
                    np.maximum(sc.model.min_garrison, sc.model.hold_share * cap), 0.0)
    for fi, (fid, _) in enumerate(sc.factions.items()):
        held = np.flatnonzero(c.init_control == fi)
        if held.size == 0:
            continue
        fixed = np.zeros((R, N), dtype=bool)
        for s in held:
            key = f"garrison.{c.settlements[s]}.{fid}"
            if key in p:
                strength[:, s] = p[key]
                fixed[:, s] = True
        rest = np.maximum(0.0, p[f"{fid}.strength"] - strength[:, held].sum(axis=1))
        if sc.model.campaign:
            # What holding each place needs first (scaled down if the faction is short),
            # then the rest by value.
            need = np.where(fixed[:, held], 0.0, hold[held])
            total = need.sum(axis=1)
            part = np.where(total > 0, np.minimum(1.0, rest / np.maximum(total, 1e-9)), 0.0)
            strength[:, held] += need * part[:, None]
            rest = rest - need.sum(axis=1) * part
        w = np.where(fixed[:, held], 0.0, weight[held])
        no_free = w.sum(axis=1) == 0
        w[no_free] = weight[held]
        strength[:, held] += rest[:, None] * w / w.sum(axis=1, keepdims=True)

    objective = np.zeros((R, F, N))
    for fi, f in enumerate(c.factions):
        for n, name in enumerate(c.settlements):
            key = f"{f}.objective.{name}"
            if key in p:
                objective[:, fi, n] = p[key]
    morale = per_faction(c, p, "morale")
    st = State(
        control=control, strength=strength, quality=per_faction(c, p, "quality"),
        morale=morale.copy(), base_morale=morale, aggression=per_faction(c, p, "aggression"),
        reserve=per_faction(c, p, "reserve_share"), objective=objective,
        relation=np.broadcast_to(c.init_relation, (R, F, F)).copy(),
        support_scale=np.ones((R, len(c.support_ids))), siege=np.zeros((R, N), np.int16),
        collapsed=np.zeros((R, F), dtype=bool), fired=np.zeros((R, len(sc.events)), bool),
        initial=np.zeros((R, F)), casualties=np.zeros((R, F)), arrived=np.zeros((R, F)),
        outcome_now=np.zeros((R, len(c.outcomes)), dtype=bool),
        outcome_turn=np.full((R, len(c.outcomes)), -1, dtype=np.int16),
        rout_ratio=p["model.rout_ratio"],
        cleared=np.zeros((R, N)), wear=np.zeros((R, N)),
        assaulted=np.zeros((R, N), dtype=bool),
        engage_p=engagement_chance(p["model.engagement_rate"], p["model.engagement_spread"],
                                   np.zeros((R, N)) if deterministic
                                   else rng.standard_normal((R, N))),
        advance=space.advance(c.space, c.calibration.advance_km_per_day["rural"],
                              p["model.urban_advance_km_per_day"]),
        offensive_loss=np.zeros((R, F)), offensive_base=np.zeros((R, F)),
        offensive_days=np.zeros((R, F)), rest=np.zeros((R, F), np.int16),
        op_target=np.full((R, F, max(1, int(c.operations.max(initial=0)))), -1, np.intp),
        op_stage=np.zeros((R, F), np.int8), op_turns=np.zeros((R, F), np.int16),
        wounded=np.zeros((R, F)), massed=np.zeros((R, F), bool),
        pressing=np.zeros((R, F), bool),
        people=np.tile(c.population, (R, 1)), civilians_killed=np.zeros((R, N)),
        displaced=np.zeros((R, N)),
    )
    if sc.model.campaign:
        first_cycle(c, st, rng, deterministic)
    st.initial = st.faction_strength(F)
    st.offensive_base = st.initial.copy()
    return st




def first_cycle(c: Compiled, st: State, rng: np.random.Generator, deterministic: bool) -> None:
    """Where each faction stands in its cycle of operations when the game starts.

    A faction with ``doctrine.first_operation_turn`` k has massed before the start: its first
    operation attacks on turn k. Any other faction is met at a random point of its cycle: its
    first regroup pause is drawn uniformly from 0 to ``pause_days`` (whole turns; the middle
    with ``deterministic``), after every other draw of the initial state.
    """
    R, F = st.replicates, c.n_factions
    pause = int(np.ceil(c.scenario.model.pause_days / c.scenario.scenario.days_per_turn))
    u = np.full((R, F), 0.5) if deterministic else rng.random((R, F))
    rest = np.floor(u * (pause + 1)).astype(np.int16)
    first = c.first_operation > 0
    st.rest[:] = np.where(first[None, :], c.first_operation[None, :] - 1, rest)
    st.massed[:] = first[None, :]
