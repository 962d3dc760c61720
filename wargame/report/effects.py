"""What a scenario's events do, in words: for ``wargame show`` and for the story of a game.

:func:`effect_text` says what one effect does as written (``russian_air ×1.1–2.0 (mode 1.4)``);
:func:`idle` says why an effect changes nothing in a given game (the support line it scales
has nothing to scale, the place a faction is reinforced at is not held), so the story never
tells of a step up when there is nothing to step up.
"""

from __future__ import annotations

from wargame.scenario.params import Param, Triangular, param_mean
from wargame.scenario.schema import Effect, Event, Scenario

SCALED = {"air_strikes": ("sorties_per_turn", "flies no sorties"),
          "reinforcements": ("men_per_turn", "sends no men")}
"""What a support line of each kind has to scale, and how to say that it has none."""


def faction_name(sc: Scenario, fid: str) -> str:
    """How a story names faction ``fid`` in a sentence: its short name, or its name."""
    f = sc.factions[fid]
    return f.short_name or f.name


def _num(x: float, digits: int) -> str:
    return f"{x:,.{digits}f}"


def amount(p: Param, digits: int = 0) -> str:
    """A parameter as a number or a range: ``400``, ``300–600``, ``1.1–2.0 (mode 1.4)``."""
    if isinstance(p, float):
        return _num(p, digits)
    lo, hi = p.support()
    if lo == hi or not (lo > float("-inf") and hi < float("inf")):
        return _num(param_mean(p), digits)
    mode = f" (mode {_num(p.mode, digits)})" if isinstance(p, Triangular) else ""
    return f"{_num(lo, digits)}–{_num(hi, digits)}{mode}"


def effect_text(effect: Effect) -> str:
    """One effect in words, with ids: ``pyd – rebels: war``, ``rebels +300–600 at azaz``."""
    if effect.set_relation is not None:
        a, b = effect.set_relation.between
        return f"{a} – {b}: {effect.set_relation.stance}"
    if effect.scale_support is not None:
        s = effect.scale_support
        return f"{s.support} ×{amount(s.factor, 2)}"
    if effect.reinforce is not None:
        r = effect.reinforce
        return f"{r.faction} +{amount(r.amount)} at {r.settlement}"
    d = effect.doctrine
    assert d is not None  # an effect has exactly one key (schema)
    bits = []
    if d.aggression is not None:
        bits.append(f"aggression {amount(d.aggression, 2)}")
    if d.reserve_share is not None:
        bits.append(f"reserve {amount(d.reserve_share, 2)}")
    if d.objectives is not None:
        bits.append("objectives " + ", ".join(d.objectives) if d.objectives
                    else "no objectives")
    return f"{d.faction}: {', '.join(bits) or 'doctrine unchanged'}"


def event_text(event: Event) -> str:
    """Every effect of an event, ``; ``-separated."""
    return "; ".join(effect_text(e) for e in event.effects)


def idle(sc: Scenario, effect: Effect, turn: int,
         control: dict[str, str | None]) -> str | None:
    """Why ``effect``, fired at ``turn`` with ``control`` the holders at the turn's start,
    changes nothing in this game; ``None`` when it may change something."""
    if effect.scale_support is not None:
        sid = effect.scale_support.support
        line = sc.support[sid]
        name = line.name or sid
        if turn > (line.last_turn if line.last_turn is not None else turn):
            return f"{name} ended at turn {line.last_turn}"
        if line.kind in SCALED:
            key, none = SCALED[line.kind]
            p: Param = getattr(line, key)
            if (p if isinstance(p, float) else p.support()[1]) <= 0:
                return f"{name} {none}"
        return None
    if effect.reinforce is not None:
        r = effect.reinforce
        if control.get(r.settlement) != r.faction:
            return (f"{sc.settlements[r.settlement].name} is not held by "
                    f"{faction_name(sc, r.faction)}")
    return None
