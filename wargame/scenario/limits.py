"""The limits of the scenario format: the largest values the engine's arithmetic and the calendar
can carry, and the one bound on turns that every command uses.

``docs/scenario-format.md`` ("Limits") states each of them. They are checked when a scenario is
validated (and a command's ``--turns`` when the command starts), so a scenario that validates
plays without overflow: no ``inf`` or ``nan`` in a result, no date past the calendar's end.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Iterator
from typing import Any

from wargame.errors import UsageError

MAX_TURNS = 1000
"""Turns a game may last: ``scenario.turns`` and every command's ``--turns`` (1 to this)."""

MAX_DAYS_PER_TURN = 366
"""Days a turn may cover (``scenario.days_per_turn``, 1 to this)."""

MAX_MAGNITUDE = 1e9
"""The largest size of any number in a scenario (strengths, garrisons, reinforcements,
weights, values, populations, distribution parameters): a billion, some forty times the
world's men under arms. The engine squares strengths (Lanchester's square law), multiplies
them by qualities and multipliers and sums them over places and turns, which stays far below
the float64 limit (about 1.8e308) from here. A batch's strength percentiles are binned at 1%
over every finite value (``wargame.montecarlo.stats.LogBins``), so strengths that grow far past
this bound over a game (a billion men of reinforcements a turn) are still reported exactly."""

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
    from wargame.arguments import whole

    whole(option, turns, 1, MAX_TURNS)


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


# --- memory ---------------------------------------------------------------------------------

MEMORY_BUDGET_GIB = 4.0
"""The memory one chunk of games may take, in GiB (2^30 bytes), unless the environment variable
``WARGAME_MEMORY_BUDGET`` gives another number of GiB. Every chunk's size is checked against it
before any game is played; each worker process plays one chunk at a time."""

BUDGET_VARIABLE = "WARGAME_MEMORY_BUDGET"
MAX_BUDGET_GIB = float(2**32)
"""A larger budget counts as this one (4 EiB: no machine has more), so ``1.7e308`` is no
overflow."""

# Bytes one game (replicate) of a chunk holds, by the shape of the engine's arrays
# (wargame/engine/state.py, phases/): a float64 objective weight per faction and place
# [R, F, N]; an int8 stance per pair of factions [R, F, F]; about twenty float64 and int16
# arrays per place [R, N] (strength, cleared ground, wear, engagement chance, advance, siege,
# control and the turn's scratch arrays); eight float64 arrays per faction [R, F]. With
# per-turn records (``--per-turn``, ``--games``, ``run``): control and outcomes at every turn
# [T+1, R, N] int16 (held twice while stacked, and counted per turn) and strengths
# [T+1, R, F] float64. Measured peaks (benchmarks/bench_memory.py, docs/performance.md) stay
# below this estimate, by a factor of 1.3 to 5: it counts the objective weights as if every
# one were set, which is what a scenario may do.
BYTES_PER_FACTION_PLACE = 8
BYTES_PER_FACTION_PAIR = 1
BYTES_PER_PLACE = 160
BYTES_PER_FACTION = 64
BYTES_PER_GAME = 1024
BYTES_PER_TURN_PLACE = 6
BYTES_PER_TURN_FACTION = 16


class TooLarge(UsageError):
    """A run that would not fit the memory budget (exit code 2, before any game)."""


def memory_budget() -> int:
    """The budget of a chunk in bytes (``WARGAME_MEMORY_BUDGET`` GiB, or the default)."""
    raw = os.environ.get(BUDGET_VARIABLE, "").strip()
    if not raw:
        return int(MEMORY_BUDGET_GIB * 2**30)
    try:
        gib = float(raw)
    except ValueError:
        gib = math.nan
    if not (math.isfinite(gib) and gib > 0):
        raise UsageError(f"{BUDGET_VARIABLE}={raw!r}: give a number of GiB, such as 8")
    return int(min(gib, MAX_BUDGET_GIB) * 2**30)


def game_bytes(settlements: int, factions: int, outcomes: int, turns: int,
               records: bool) -> int:
    """The memory estimate of one game of a chunk (see the constants above)."""
    n, f = settlements, factions
    per = (BYTES_PER_FACTION_PLACE * f * n + BYTES_PER_FACTION_PAIR * f * f
           + BYTES_PER_PLACE * n + BYTES_PER_FACTION * f + BYTES_PER_GAME + outcomes)
    if records:
        per += (turns + 1) * (BYTES_PER_TURN_PLACE * n + BYTES_PER_TURN_FACTION * f
                              + 2 * outcomes)
    return per


def shape(sc: Any, turns: int | None = None) -> tuple[int, int, int, int]:
    """``(settlements, factions, outcomes, turns)`` of a scenario, for :func:`check_memory`."""
    return (len(sc.settlements), len(sc.factions), len(sc.outcomes),
            sc.scenario.turns if turns is None else turns)


def check_memory(shapes: list[tuple[int, int, int, int]], games: int, records: bool,
                 option: str = "--chunk-size") -> None:
    """A usage error before any game is played if ``games`` games of each scenario shape
    ``(settlements, factions, outcomes, turns)`` (played side by side, as ``compare`` plays its
    two) would need more than the memory budget. The message says how to stay within it."""
    per = sum(game_bytes(n, f, o, t, records) for n, f, o, t in shapes)
    budget = memory_budget()
    need = per * games
    if need <= budget:
        return
    n, f, _, t = max(shapes, key=lambda s: s[0] * s[1])
    size = f"{n:,} settlements × {f:,} factions, {t:,} turns"
    fit = budget // per
    how = (f"use {option} {fit:,} or less, or " if fit >= 1 and option else "")
    raise TooLarge(f"{games:,} games at once of this scenario ({size}) need about "
                     f"{_gib(need)} of memory, more than the budget of {_gib(budget)}: "
                     f"{how}raise the budget with {BUDGET_VARIABLE}=GiB (see Limits in the "
                     "format reference)")


# What a sweep keeps for each point until it ends (wargame/montecarlo/tally.py, sweep_result.py):
# the point's totals (outcome counts and turns [O, T+1], final control [N, F+1], exact sums as
# fractions, extremes, and the occupied strength bins, at most two per faction and game,
# 24 bytes a row), its values and digest, and its rows of the result. Measured at about
# 11 KB a point for the two-faction test scenario (docs/performance.md).
BYTES_PER_POINT = 8 * 1024
BYTES_PER_POINT_FRACTION = 200
BYTES_PER_POINT_BIN = 24
BINS_KEPT_PER_GAME = 2


def point_bytes(settlements: int, factions: int, outcomes: int, turns: int,
                games: int) -> int:
    """The memory estimate of one sweep point's totals and results."""
    n, f, o = settlements, factions, outcomes
    return (BYTES_PER_POINT + 8 * (o * (turns + 3) + n * (f + 1) + 4 * f)
            + 4 * f * BYTES_PER_POINT_FRACTION
            + BYTES_PER_POINT_BIN * f * BINS_KEPT_PER_GAME * min(games, 4096))


def check_sweep_memory(points: int, biggest: tuple[int, int, int, int], runs: int,
                       chunk_games: int) -> None:
    """A usage error before any game if ``points`` sweep points of the largest shape, with a
    chunk in play, would need more than the memory budget; the message says what fits."""
    n, f, o, t = biggest
    per = point_bytes(n, f, o, t, runs)
    chunk = game_bytes(n, f, o, t, False) * chunk_games
    budget = memory_budget()
    need = per * points + chunk
    if need <= budget:
        return
    fit = max(0, (budget - chunk) // per)
    how = f"use {fit:,} points or fewer, or " if fit >= 1 else ""
    raise TooLarge(f"a sweep of {points:,} points of this scenario ({n:,} settlements × "
                   f"{f:,} factions) keeps about {_gib(need)} of results in memory, more "
                   f"than the budget of {_gib(budget)}: {how}raise the budget with "
                   f"{BUDGET_VARIABLE}=GiB (see Limits in the format reference)")


def _gib(n: int) -> str:
    """A size for messages, never shown as 0 when it is not: GiB, MiB, KiB or bytes."""
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:,.1f} {unit}" if unit == "GiB" else f"{n / size:,.0f} {unit}"
    return f"{n:,} bytes"
