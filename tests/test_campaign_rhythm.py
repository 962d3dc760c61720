"""The pauses between offensives that ``validation/campaigns.py`` compares with history:
captures by one faction more than ``BURST_GAP_DAYS`` apart belong to different offensives.
No games are played."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from scripts import validation_script

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cp() -> ModuleType:
    return validation_script("campaigns")


def test_only_gaps_longer_than_the_burst_gap_are_pauses(cp: ModuleType) -> None:
    gap = cp.BURST_GAP_DAYS
    got = cp.offensive_gaps({0: [0, 3, gap, gap + 1 + gap, 200], 1: [10], 2: [5, 5 + gap + 2]})
    assert sorted(got) == sorted([gap + 1, 200 - (2 * gap + 1), gap + 2])


def test_captures_are_read_per_faction_from_the_control_by_turn(cp: ModuleType) -> None:
    # Turn 1: faction 1 takes place 0; turn 2 nothing; turn 3: faction 1 takes place 1 and
    # faction 0 retakes place 0; turn 4: place 1 is left to nobody (not a capture).
    ctl = np.array([[0, 0], [1, 0], [1, 0], [0, 1], [0, -1]])
    assert cp.capture_days(ctl, 7) == {1: [7, 21], 0: [21]}


def test_history_counts_a_row_only_where_the_place_changes_hands(cp: ModuleType) -> None:
    hind = validation_script("aleppo_hindcast")

    def row(place: str, day: int, who: str) -> hind.Change:
        return hind.Change(place, dt.date(2020, 1, 1) + dt.timedelta(days=day), who, "s", "")

    th = cp.Theatre("t", ROOT / "none.yaml", [
        row("a", 0, "x"),          # x takes a
        row("b", 10, "y"),         # b was y's already: not a capture
        row("c", 40, "x"),         # x takes c, 40 days after a: one pause
        row("a", 45, "z"),         # z takes a
        row("d", 100, "x"),        # after the end: left out
    ], [])
    got = cp.offensive_gaps_history(th, {"a": "y", "b": "y", "c": "y", "d": "y"},
                                    dt.date(2020, 3, 1))
    assert got == [40]
