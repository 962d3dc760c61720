"""How ``validation/campaigns.py`` scores a theatre's strengths against published estimates:
only the estimates of the faction's own force (``same``) or of a part of it (``part``), dated
within the played period, each by how many doublings the model lies outside what it allows.
No games are played."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from types import ModuleType

import pytest
from scripts import validation_script

START, END = dt.date(2020, 1, 1), dt.date(2020, 12, 31)


@pytest.fixture(scope="module")
def cp() -> ModuleType:
    return validation_script("campaigns")


def _row(compare: str, low: str, high: str, date: str = "2020-06-01") -> dict[str, str]:
    return {"date": date, "faction": "a", "low": low, "high": high, "scope": "s",
            "source": "x", "note": "", "compare": compare}


def test_the_same_force_is_scored_outside_its_range_either_way(cp: ModuleType) -> None:
    row = _row("same", "1000", "4000")
    assert cp.estimate_error(row, 2000.0) == 0.0
    assert cp.estimate_error(row, 500.0) == pytest.approx(1.0)
    assert cp.estimate_error(row, 16000.0) == pytest.approx(2.0)
    # An open range ("6,000 or more") has no upper side.
    assert cp.estimate_error(_row("same", "6000", ""), 1e6) == 0.0


def test_a_part_only_says_the_force_was_at_least_that_large(cp: ModuleType) -> None:
    row = _row("part", "300", "300")
    assert cp.estimate_error(row, 50_000.0) == 0.0
    assert cp.estimate_error(row, 75.0) == pytest.approx(2.0)
    # A force the model has wiped out is floored at one fighter, not an infinite error.
    assert math.isfinite(cp.estimate_error(row, 0.0))


def test_only_estimates_of_the_force_with_a_figure_in_the_period_are_scored(
        cp: ModuleType) -> None:
    assert cp.scored_estimate(_row("same", "1000", "2000"), START, END)
    assert cp.scored_estimate(_row("part", "1000", ""), START, END)
    assert not cp.scored_estimate(_row("other", "1000", "2000"), START, END)
    assert not cp.scored_estimate(_row("same", "", ""), START, END)
    assert not cp.scored_estimate(_row("part", "0", "1000"), START, END)
    lead = START - dt.timedelta(days=cp.STRENGTH_LEAD_DAYS)
    assert cp.scored_estimate(_row("same", "1", "2", lead.isoformat()), START, END)
    early = lead - dt.timedelta(days=1)
    assert not cp.scored_estimate(_row("same", "1", "2", early.isoformat()), START, END)
    late = END + dt.timedelta(days=1)
    assert not cp.scored_estimate(_row("same", "1", "2", late.isoformat()), START, END)


def test_a_theatres_error_is_the_mean_over_its_scored_estimates(cp: ModuleType) -> None:
    rows = [_row("same", "1000", "4000"), _row("other", "10", "10"), _row("part", "300", "")]
    th = cp.Theatre("t", Path("none.yaml"), [], rows)
    score = cp.Score(0.1, 0.2, 0.3, 1.0, 1.0, {}, {}, (500.0, math.nan, 75.0), [], [], 1)
    assert cp.strength_error(th, score) == (pytest.approx(1.5), 2)
    none = cp.Score(0.1, 0.2, 0.3, 1.0, 1.0, {}, {}, (math.nan,) * 3, [], [], 1)
    err, n = cp.strength_error(th, none)
    assert math.isnan(err) and n == 0
