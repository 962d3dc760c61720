"""A branch: games saved at a turn, played on with another version of their scenario.

The other version (the same scenario with changed values) compiles to a second
:class:`~wargame.engine.compile.Compiled`. It must have the same map: the same settlements,
links and factions in the same order, and state arrays of the same shapes (the same events,
support lines, outcomes and operation slots), since the games' state at the branch point is
carried over as it is. Its parameters are the games' own draws, except those whose definition
changed (or that are new), which are drawn again from a stream of their own
(:func:`branch_params`).
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np

from wargame.engine import space
from wargame.engine.compile import Compiled
from wargame.engine.state import State, engagement_chance, initial_state, sample_params
from wargame.scenario.params import Param, param_sample


def map_differences(a: Compiled, b: Compiled) -> list[str]:
    """What differs between the maps of ``a`` and ``b``, one phrase each (empty: the same map).

    Settlements, links and factions, in their order, then anything else that gives the game
    state another shape (events, support lines, outcomes, operation slots).
    """
    out = []
    for what, x, y in (("settlements", a.settlements, b.settlements),
                       ("factions", a.factions, b.factions)):
        if x != y:
            out.append(_list_difference(what, x, y))
    links_a = set(zip(a.src.tolist(), a.dst.tolist(), strict=True))
    links_b = set(zip(b.src.tolist(), b.dst.tolist(), strict=True))
    if not out and links_a != links_b:
        names = a.settlements
        gone = sorted(links_a - links_b)
        new = sorted(links_b - links_a)
        parts = [f"{names[s]}–{names[d]} removed" for s, d in gone if s < d][:3] + \
                [f"{names[s]}–{names[d]} added" for s, d in new if s < d][:3]
        out.append("links differ (" + ", ".join(parts) + ")")
    elif not out and not (np.array_equal(a.src, b.src) and np.array_equal(a.dst, b.dst)):
        out.append("links are in another order")
    for what, x, y in (("events", list(a.scenario.events), list(b.scenario.events)),
                       ("support lines", a.support_ids, b.support_ids),
                       ("outcomes", a.outcomes, b.outcomes)):
        if x != y:
            out.append(_list_difference(what, x, y))
    if not out:
        sa, sb = _shapes(a), _shapes(b)
        out += [f"the game state's {k} has shape {sa[k]} in one and {sb[k]} in the other"
                for k in sa if sa[k] != sb[k]]
    return out


def _list_difference(what: str, x: list[str], y: list[str]) -> str:
    gone = [i for i in x if i not in y]
    new = [i for i in y if i not in x]
    if not gone and not new:
        return f"{what} are in another order"
    parts = ([f"without {', '.join(gone[:5])}"] if gone else []) + \
            ([f"with {', '.join(new[:5])}"] if new else [])
    return f"{what} differ ({'; '.join(parts)})"


def state_layout(c: Compiled) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    """The shape of every state field of one game and its type (made from the mean game, so
    no random number of any game is used)."""
    rng = np.random.default_rng(0)
    st = initial_state(c, sample_params(c, rng, 1, True), 1, rng, True)
    return {f.name: (np.shape(getattr(st, f.name))[1:], np.asarray(getattr(st, f.name)).dtype)
            for f in fields(State)}


def _shapes(c: Compiled) -> dict[str, tuple[int, ...]]:
    return {k: shape for k, (shape, _) in state_layout(c).items()}


def _definition(p: Param) -> object:
    """What a parameter draws from (its value or distribution, not its source or note)."""
    if isinstance(p, float):
        return p
    return p.model_dump(exclude={"source", "note"})


def changed_params(a: Compiled, b: Compiled) -> list[str]:
    """Parameters of ``b`` that ``a`` defines otherwise or not at all, in ``b``'s order."""
    return [k for k, p in b.params.items()
            if k not in a.params or _definition(a.params[k]) != _definition(p)]


def branch_params(a: Compiled, b: Compiled, drawn: dict[str, np.ndarray],
                  rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The parameters of the games played on with ``b``: their own draws under ``a``
    (``drawn``, ``[R]`` each), and a draw from ``rng`` for each parameter ``b`` changes
    (:func:`changed_params`, drawn in that order, one value per game)."""
    R = len(next(iter(drawn.values()))) if drawn else 0
    changed = set(changed_params(a, b))
    return {k: param_sample(p, rng, R) if k in changed else drawn[k]
            for k, p in b.params.items()}


STATE_PARAMS = {"quality": "quality", "morale": "base_morale", "aggression": "aggression",
                "reserve_share": "reserve"}
"""Faction parameters the game state holds from its start (``State`` field by parameter)."""


def carry_over(a: Compiled, b: Compiled, st: State, old: dict[str, np.ndarray],
               params: dict[str, np.ndarray]) -> set[str]:
    """Put ``b``'s changes into the state of games saved under ``a``, in place; the names of
    the changed parameters it applied.

    A game's state keeps what the scenario set at the start; a branch that changes it means
    the change to hold from the branch on:

    * a relation that ``b`` states otherwise (``a`` and ``b`` differ in their initial stance)
      takes ``b``'s stance, whatever the game had come to;
    * a faction's ``quality``, ``aggression``, ``reserve_share`` and objective weights take
      their new value, and its ``morale`` moves by the change of its base morale;
    * ``model.rout_ratio`` takes its new value; ``model.urban_advance_km_per_day`` gives each
      place its new advance; ``model.engagement_rate`` and ``model.engagement_spread`` give each
      place its new chance of an engagement from the place's own intensity (the normal draw
      ``z`` of the game, recovered from the old chance; with no spread before there is none to
      recover, and the place keeps the median intensity).

    ``old`` are the games' parameters under ``a``, ``params`` the branch's for the same games
    (:func:`branch_params`), ``[R]`` each.
    """
    changed = set(changed_params(a, b))
    applied: set[str] = set()
    differ = a.init_relation != b.init_relation
    if differ.any():
        st.relation[:, differ] = b.init_relation[differ]
    for fi, f in enumerate(b.factions):
        for name, field_name in STATE_PARAMS.items():
            key = f"{f}.{name}"
            if key not in changed:
                continue
            arr = getattr(st, field_name)
            if name == "morale":
                st.morale[:, fi] += params[key] - arr[:, fi]
            arr[:, fi] = params[key]
            applied.add(key)
        for n, place in enumerate(b.settlements):
            key = f"{f}.objective.{place}"
            if key in changed:
                st.objective[:, fi, n] = params[key]
                applied.add(key)
    if "model.rout_ratio" in changed:
        st.rout_ratio[:] = params["model.rout_ratio"]
        applied.add("model.rout_ratio")
    advance = "model.urban_advance_km_per_day"
    if advance in changed:
        st.advance[:] = space.advance(b.space, b.calibration.advance_km_per_day["rural"],
                                      params[advance])
        applied.add(advance)
    rate, spread = "model.engagement_rate", "model.engagement_spread"
    if rate in changed or spread in changed:
        p0 = np.clip(st.engage_p, 1e-12, 1.0 - 1e-12)
        r0 = np.clip(old[rate], 1e-9, 1.0 - 1e-9)[:, None]
        s0 = old[spread][:, None]
        logit = np.log(p0 / (1.0 - p0)) - np.log(r0 / (1.0 - r0))
        z = np.divide(logit, s0, out=np.zeros_like(logit), where=s0 > 0)
        st.engage_p[:] = engagement_chance(params[rate], params[spread], z)
        applied |= {rate, spread} & changed
    return applied


class ReadParams(dict[str, np.ndarray]):
    """The parameters of games being played, noting every name the engine reads
    (``read``): a branch says which changed parameters no game read after it."""

    def __init__(self, values: dict[str, np.ndarray]) -> None:
        super().__init__(values)
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> np.ndarray:
        self.read.add(key)
        return super().__getitem__(key)
