"""Walk a validated scenario for its parameters (for overviews, sweeps and provenance)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from wargame.scenario.params import Param, param_is_uncertain
from wargame.scenario.params import _Provenance as Provenance
from wargame.scenario.schema import Scenario


def _walk(obj: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(obj, (Provenance, float)):
        yield path, obj
    elif isinstance(obj, BaseModel):
        for name, field in type(obj).model_fields.items():
            key = field.alias or name
            yield from _walk(getattr(obj, name), f"{path}.{key}" if path else key)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _walk(v, f"{path}.{k}" if path else str(k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _walk(v, f"{path}.{i}")


def uncertain_params(sc: BaseModel) -> list[tuple[str, Param]]:
    """Every parameter given as a distribution, with its dotted path."""
    return [(p, v) for p, v in _walk(sc, "") if param_is_uncertain(v)]


def outcome_places(sc: Scenario) -> set[str]:
    """The settlements any outcome names (in ``controls``, ``connected``, the civilian
    counts, nested tests)."""
    found: set[str] = set()

    def walk(c: Any) -> None:
        if c is None:
            return
        if c.controls is not None:
            found.update(c.controls.settlements)
        if c.connected is not None:
            found.update([*c.connected.from_, *c.connected.to])
        for civ in (c.civilians_killed, c.displaced):
            if civ is not None:
                found.update(civ.settlements or [])
        walk(c.not_)
        for x in (c.all or []) + (c.any or []):
            walk(x)

    for o in sc.outcomes.values():
        walk(o)
    return found
