"""A loaded scenario with more ``--set`` overrides applied, without reading its YAML again.

Used for each point of a sweep (its ``--vary`` values), for the change a branch makes, and for
the ``--set`` of a batch given an already loaded scenario (the Python API's ``overrides``).
"""

from __future__ import annotations

import copy

from wargame.scenario.load import Loaded, apply_set, validate_document
from wargame.scenario.yamlio import Document


def apply_overrides(base: Loaded, extra: list[str], option: str = "--set") -> Loaded:
    """The base scenario with ``extra`` ``--set`` overrides applied, validated.

    Equivalent to ``load(path, [*overrides, *extra])`` (same data, same digest) without
    reading the YAML again, which is most of the cost of loading: a 400-point sweep of a large
    scenario loads in seconds. Problems are located at the ``--set`` (or, for a sweep's point,
    the ``--vary``: ``option``) that caused them.
    """
    doc = Document(copy.deepcopy(base.data), {}, base.path)
    for expr in extra:
        apply_set(doc, expr, option)
    return Loaded(validate_document(doc), doc.data, base.path, (*base.overrides, *extra))
