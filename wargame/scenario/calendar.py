"""The calendar of a scenario: which days each turn covers.

One convention everywhere (tables, JSON, CSV, Parquet, charts, maps, the narrative):

* Turn ``k`` (``k = 1 .. turns``) covers ``days_per_turn`` days, from its **start date**
  ``start_date + days_per_turn * (k - 1)`` to its **end date**
  ``start_date + days_per_turn * k - 1``, both inclusive. With a 7-day turn starting on
  Tuesday 13 Oct 2015, turn 1 is 13-19 Oct and turn 6 is 17-23 Nov.
* Anything reported "at turn ``k``" (control, strengths, whether an outcome holds) is the state
  at the close of its end date.
* Turn 0 is the position before the first turn. It covers no days: it has no start date, and
  its end date is the eve of the scenario's start date (``start_date - 1``), so "the state at
  the close of the end date" holds for it too.
"""

from __future__ import annotations

import datetime as dt

from wargame.scenario.schema import Scenario


def turn_start(sc: Scenario, turn: int) -> dt.date | None:
    """The first day of ``turn`` (``None`` for turn 0, which covers no days)."""
    if turn <= 0:
        return None
    m = sc.scenario
    return m.start_date + dt.timedelta(days=m.days_per_turn * (turn - 1))


def turn_end(sc: Scenario, turn: int) -> dt.date:
    """The last day of ``turn``: the state reported at that turn is the state at its close."""
    m = sc.scenario
    return m.start_date + dt.timedelta(days=m.days_per_turn * turn - 1)


def span(sc: Scenario, turn: int) -> str:
    """``13–19 Oct 2015`` (or ``before 13 Oct 2015`` for turn 0), for sentences and titles."""
    end = turn_end(sc, turn)
    start = turn_start(sc, turn)
    if start is None:
        first = sc.scenario.start_date
        return f"before {first.day} {first:%b %Y}"
    if start == end:
        return f"{end.day} {end:%b %Y}"
    if start.year != end.year:
        return f"{start.day} {start:%b %Y} – {end.day} {end:%b %Y}"
    if start.month != end.month:
        return f"{start.day} {start:%b} – {end.day} {end:%b %Y}"
    return f"{start.day}–{end.day} {end:%b %Y}"
