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

from wargame.engine.compile import Compiled
from wargame.engine.state import State, initial_state, sample_params
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


class ReadParams(dict[str, np.ndarray]):
    """The parameters of games being played, noting every name the engine reads
    (``read``): a branch says which changed parameters no game read after it."""

    def __init__(self, values: dict[str, np.ndarray]) -> None:
        super().__init__(values)
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> np.ndarray:
        self.read.add(key)
        return super().__getitem__(key)
