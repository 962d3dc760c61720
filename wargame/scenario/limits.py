"""The limits of the scenario format: the largest values the engine's arithmetic and the calendar
can carry, and the one bound on turns that every command uses.

``docs/scenario-format.md`` ("Limits") states each of them. They are checked when a scenario is
validated (and a command's ``--turns`` when the command starts), so a scenario that validates
plays without overflow: no ``inf`` or ``nan`` in a result, no date past the calendar's end.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from typing import Any

MAX_TURNS = 1000
"""Turns a game may last: ``scenario.turns`` and every command's ``--turns`` (1 to this)."""

MAX_DAYS_PER_TURN = 366
"""Days a turn may cover (``scenario.days_per_turn``, 1 to this)."""

MAX_MAGNITUDE = 1e9
"""The largest size of any number in a scenario (strengths, garrisons, reinforcements,
weights, values, populations, distribution parameters): a billion, some forty times the
world's men under arms. The engine squares strengths (Lanchester's square law), multiplies
them by qualities and multipliers and sums them over places and turns, which stays far below
the float64 limit (about 1.8e308) from here; and a batch's strength percentiles are binned at
1% up to the same bound (``wargame.batch.stats.LogBins.top``)."""

MAX_LOGNORMAL_SIGMA = 5.0
"""The largest ``sigma`` of a log-normal distribution: a draw is ``median * exp(sigma z)``, and a
larger spread (a factor of e^5 = 148 per standard deviation) is a typing mistake that could
overflow."""

EARLIEST_START = dt.date(1, 1, 2)
"""The earliest ``scenario.start_date``: turn 0 ends the day before it (see
:mod:`wargame.scenario.calendar`), which the calendar must hold."""

LATEST_START = dt.date.max - dt.timedelta(days=MAX_DAYS_PER_TURN * MAX_TURNS - 1)
"""The latest ``scenario.start_date`` (4 Dec 8997): the longest possible game, ``MAX_TURNS``
turns of ``MAX_DAYS_PER_TURN`` days, then still ends by 31 Dec 9999, the calendar's last day."""


def check_turns(turns: int | None, option: str = "--turns") -> None:
    """A usage error unless ``turns`` is ``None`` or a whole number from 1 to ``MAX_TURNS``."""
    from wargame.errors import UsageError

    if turns is not None and not 1 <= turns <= MAX_TURNS:
        raise UsageError(f"{option} must be between 1 and {MAX_TURNS:,} (got {turns})")


def too_large(data: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...],
                                                                            str]]:
    """``(path, message)`` for every number in ``data`` larger than ``MAX_MAGNITUDE`` in size."""
    if isinstance(data, bool):
        return
    if isinstance(data, (int, float)):
        if isinstance(data, float) and not math.isfinite(data):
            return  # the schema says "must be a finite number"
        if abs(data) > MAX_MAGNITUDE:
            yield path, (f"{_number(data)} is too large: numbers in a scenario are at most "
                         f"{MAX_MAGNITUDE:g} in size (see Limits in the format reference)")
    elif isinstance(data, dict):
        for k, v in data.items():
            yield from too_large(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from too_large(v, (*path, i))


def _number(x: int | float) -> str:
    if isinstance(x, float):
        return f"{x:g}"
    if abs(x) >= 10**15:  # counted from its bits: Python will not print a 5,000-digit number
        return f"a whole number of about {math.floor(x.bit_length() * math.log10(2)) + 1:,} digits"
    return f"{x:,}"
