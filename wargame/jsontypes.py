"""The types of untyped documents at the edge of the program, declared once.

Inside the program, what one stage hands another has a real type (a frozen dataclass, or a
``TypedDict`` for a record read back from JSON or SQLite), so mypy checks its keys. Only at the
edge is a document untyped, and then it is one of these:

* :data:`JSONObject`: a JSON object, after serialisation (what a ``to_dict()`` returns for
  ``--format json``, a record written to a store) or as parsed, before it is validated;
* :data:`RawMapping`: a mapping read from a YAML file or a JSON text, before validation,
  whose values may be anything the parser gives (a YAML date, say); :data:`RawDict` is a
  writable copy of one.

Their values are ``object``-like, never ``Any``: code that reads such a document has to check
what it reads (``isinstance``, or validation into a typed model) before using it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeAlias

JSONScalar: TypeAlias = str | int | float | bool | None
"""A JSON leaf."""

JSONValue: TypeAlias = JSONScalar | Sequence["JSONValue"] | Mapping[str, "JSONValue"]
"""Any JSON value: a leaf, an array or an object, to any depth. The containers are the
read-only (covariant) ones, so a ``list[str]`` or a ``tuple[float, float]`` is a JSON value
(``json.dumps`` writes a tuple as an array)."""

JSONObject: TypeAlias = dict[str, JSONValue]
"""An untyped JSON object at the edge: after serialisation, or before validation."""

RawMapping: TypeAlias = Mapping[str, object]
"""An untyped mapping read from YAML or JSON, before validation: read it only by checking."""

RawDict: TypeAlias = dict[str, object]
"""A writable copy of a :data:`RawMapping` (a document being pruned or merged)."""


def number(value: object, what: str) -> float:
    """A number read from a raw document (``TypeError`` naming ``what`` if it is none)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise TypeError(f"{what} is not a number")
    return float(value)


def mapping(value: object, what: str) -> RawMapping:
    """A mapping read from a raw document (``TypeError`` naming ``what`` if it is none)."""
    if not isinstance(value, Mapping):
        raise TypeError(f"{what} is not a mapping")
    return value

