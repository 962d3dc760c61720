"""Read-only containers for loaded scenarios: a validated scenario cannot change under a run.

A :class:`~wargame.scenario.load.Loaded` scenario holds its resolved data and its validated
model; both are frozen deeply by :func:`freeze`, so a faction added to a mapping, a settlement
deleted or a turn count set after validation is refused where it is written, and the digest a
result carries is always that of what was played. :class:`FrozenDict` and :class:`FrozenList`
are a ``dict`` and a ``list`` to every reader (JSON, pydantic, ``isinstance``);
``copy.deepcopy`` of either gives plain, writable containers, the way to make a variant.
"""

from __future__ import annotations

import copy
from typing import Any, NoReturn

from pydantic import BaseModel

from wargame.errors import UsageError


class ReadOnly(UsageError, TypeError):
    """A write to a loaded scenario (a usage error, and a ``TypeError`` as for a tuple)."""


def _refuse(*_: Any, **__: Any) -> NoReturn:
    raise ReadOnly("a loaded scenario is read-only: change the file, pass overrides "
                   "(--set), or change copy.deepcopy(loaded.data) and validate it again")


class FrozenDict(dict[Any, Any]):
    """A ``dict`` that refuses every change."""

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse
    __ior__ = _refuse

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[Any, Any]:
        return {copy.deepcopy(k, memo): copy.deepcopy(v, memo) for k, v in self.items()}

    def __copy__(self) -> dict[Any, Any]:
        return dict(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenDict, (dict(self),))


class FrozenList(list[Any]):
    """A ``list`` that refuses every change."""

    __setitem__ = __delitem__ = append = extend = insert = pop = remove = clear = _refuse
    sort = reverse = __iadd__ = __imul__ = _refuse

    def __deepcopy__(self, memo: dict[int, Any]) -> list[Any]:
        return [copy.deepcopy(v, memo) for v in self]

    def __copy__(self) -> list[Any]:
        return list(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenList, (list(self),))


def freeze(value: Any) -> Any:
    """``value`` made read-only all the way down: mappings and lists become frozen copies,
    pydantic models (already frozen) have their mapping and list fields frozen in place."""
    if isinstance(value, (FrozenDict, FrozenList)):
        return value
    if isinstance(value, dict):
        return FrozenDict({k: freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)) and not _named_tuple(value):
        frozen = [freeze(v) for v in value]
        return FrozenList(frozen) if isinstance(value, list) else tuple(frozen)
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            inner = value.__dict__.get(name)
            done = freeze(inner)
            if done is not inner:
                object.__setattr__(value, name, done)  # the model itself is frozen already
        return value
    return value


def _named_tuple(value: Any) -> bool:
    return isinstance(value, tuple) and hasattr(value, "_fields")
