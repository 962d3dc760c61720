"""Shares that never round to a lie, and terminal tables that fit without cutting text."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from wargame.display import interval, pct, plural, points, share
from wargame.montecarlo.summary import ControlShare, Spread
from wargame.report.regions import control_by_region
from wargame.report.tables import spread


@pytest.mark.parametrize(("p", "digits", "text"), [
    (0.0, 0, "0"), (1.0, 0, "100"), (0.005, 0, "<1"), (0.995, 0, ">99"), (10 / 2000, 0, "<1"),
    (0.0004, 1, "<0.1"), (0.9996, 1, ">99.9"), (1999 / 2000, 1, ">99.9"), (0.556, 1, "55.6"),
    (None, 0, "–"),
])
def test_share_examples(p: float | None, digits: int, text: str) -> None:
    assert share(p, digits) == text


@given(st.integers(0, 10_000), st.integers(1, 10_000), st.sampled_from([0, 1]))
def test_zero_means_never_and_hundred_always(k: int, n: int, digits: int) -> None:
    k = min(k, n)
    s = share(k / n, digits)
    assert (float(s.lstrip("<>")) == 0 and not s.startswith(("<", ">"))) == (k == 0)
    assert (float(s.lstrip("<>")) == 100 and not s.startswith(("<", ">"))) == (k == n)


def test_intervals_round_outwards_and_differences_are_never_a_false_zero() -> None:
    assert interval(0.0000883, 0.0028) == "0.0–0.3%"
    assert interval(0.9997, 1.0) == "99.9–100.0%"
    assert points(0.0) == "0.0" and points(0.0004) == "+0.04" and points(-0.059) == "-5.9"
    assert pct(0.5) == "50%" and plural(1, "game") == "1 game" and plural(2000, "game") == \
        "2,000 games"


def test_a_mean_outside_its_range_is_marked_and_explained() -> None:
    cell, note = spread(Spread(164.0, 0.0, 0.0, 0.0, 4_512.0))
    assert cell == "164 (0–0) †"
    assert note == "mean 164 above the 90% range: a few games reach 4,512"
    assert spread(Spread(10.0, 5.0, 20.0, 0.0, 30.0))[1] == ""


ROWS = [ControlShare(f"place_{i}", f, 0, p)
        for i in range(6)
        for f, p in zip(("daesh", "rebels", "regime", "pyd", "turkey", "none"),
                        (0.2, 0.3, 0.3, 0.1, 0.05, 0.05), strict=True)]


@pytest.mark.parametrize("width", [60, 80, 120, 200])
def test_control_table_fits_and_cuts_nothing(width: int) -> None:
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(control_by_region(ROWS))
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= width
    assert "…" not in text
    assert "█" not in text   # no colour: the bar would say nothing


def test_control_bar_only_in_colour_and_when_it_fits() -> None:
    console = Console(width=160, record=True, color_system="truecolor", force_terminal=True,
                      file=io.StringIO())
    console.print(control_by_region(ROWS))
    assert "█" in console.export_text()
