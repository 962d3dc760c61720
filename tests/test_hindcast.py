"""The Aleppo hindcast: the history variant, the history CSV and the scoring.

``validation/aleppo_hindcast.py`` plays ``scenarios/aleppo_2015_history.yaml`` and scores it
against ``validation/data/aleppo_history.csv`` (docs/validation.md, "Aleppo hindcast, October
2015 to December 2016"). These checks are fast: no games are played.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from scripts import validation_script

from wargame.scenario import Loaded, load

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "aleppo_2015.yaml"
HISTORY = ROOT / "scenarios" / "aleppo_2015_history.yaml"
# What the history variant may change: the meta block, outside support and events. Relations
# stay the base's (no event-free change of stance is justified before 2017), as do factions,
# settlements, links, outcomes and model settings.
ALLOWED = {"scenario", "support", "events"}


@pytest.fixture(scope="module")
def hc() -> ModuleType:
    return validation_script("aleppo_hindcast")


@pytest.fixture(scope="module")
def base() -> Loaded:
    return load(BASE)


@pytest.fixture(scope="module")
def history() -> Loaded:
    return load(HISTORY)


def test_history_variant_validates_and_runs_to_the_end_of_2016(history: Loaded) -> None:
    meta = history.scenario.scenario
    assert meta.start_date == dt.date(2015, 10, 13)
    assert meta.days_per_turn == 7
    last_turn_starts = meta.start_date + dt.timedelta(days=7 * (meta.turns - 1))
    last_turn_ends = meta.start_date + dt.timedelta(days=7 * meta.turns - 1)
    assert last_turn_starts <= dt.date(2016, 12, 31) <= last_turn_ends


def test_history_variant_changes_only_support_events_and_meta(base: Loaded,
                                                              history: Loaded) -> None:
    changed = {k for k in base.data.keys() | history.data.keys()
               if base.data.get(k) != history.data.get(k)}
    assert changed <= ALLOWED, f"the history variant changes {sorted(changed - ALLOWED)}"
    # Existing support lines keep their numbers: events scale them, new lines are added.
    for line_id, line in base.data["support"].items():
        assert history.data["support"][line_id] == line, line_id
    # Same clock, and the base's sources are all still listed (lists replace in variants).
    for key in ("start_date", "days_per_turn"):
        assert history.data["scenario"][key] == base.data["scenario"][key]
    for src in base.data["scenario"]["sources"]:
        assert src in history.data["scenario"]["sources"], src["id"]


def test_history_csv_is_well_formed(hc: ModuleType, history: Loaded) -> None:
    rows = hc.read_history()
    assert len(rows) >= 20
    sc = history.scenario
    start = sc.scenario.start_date
    end = start + dt.timedelta(days=7 * sc.scenario.turns - 1)
    for r in rows:
        assert r.settlement in sc.settlements, r.settlement
        assert r.controller in sc.factions, (r.settlement, r.controller)
        assert start <= r.date <= min(end, dt.date(2016, 12, 31)), (r.settlement, r.date)
        assert r.source.strip(), r.settlement
    # Spot checks of well-documented dates.
    got = {(r.settlement, r.date): r.controller for r in rows}
    assert got[("al_hader", dt.date(2015, 11, 12))] == "regime"
    assert got[("manbij", dt.date(2016, 8, 12))] == "pyd"
    assert got[("jarabulus", dt.date(2016, 8, 24))] == "rebels"
    assert got[("aleppo_east", dt.date(2016, 12, 22))] == "regime"


def test_actual_control_and_month_checkpoints(hc: ModuleType, base: Loaded) -> None:
    initial = {s: v.controller for s, v in base.scenario.settlements.items()}
    start = base.scenario.scenario.start_date
    truth = hc.actual_control(hc.read_history(), initial, start, hc.TURNS)
    assert truth["al_hader"][4] == "rebels" and truth["al_hader"][5] == "regime"  # 12 Nov: turn 5
    assert truth["khan_tuman"][hc.TURNS] == "rebels"        # regime Dec 2015, rebels May 2016
    assert truth["al_bab"][hc.TURNS] == "daesh"              # fell only in Feb 2017
    assert truth["aleppo_east"][62] == "rebels" and truth["aleppo_east"][63] == "regime"
    cps = hc.month_checkpoints(start, hc.TURNS, hc.END)
    assert len(cps) == 15
    assert cps[0] == ("2015-10", 2) and cps[-1] == ("2016-12", 63)


def test_scores_of_perfect_uniform_and_wrong_forecasts(hc: ModuleType) -> None:
    rng = np.random.default_rng(7)
    n_factions, categories = 5, 6           # five factions and "nobody"
    actual = rng.integers(0, n_factions, size=(9, 15))
    perfect = hc.score(hc.onehot_forecast(actual, categories), actual)
    assert np.all(perfect.brier == 0) and np.all(perfect.log == 0)
    uniform = hc.score(hc.uniform_forecast(actual.shape, n_factions, categories), actual)
    # Documented in docs/validation.md: Brier 1 - 1/5 = 0.8 and log score ln 5 = 1.609.
    assert uniform.overall == pytest.approx((1 - 1 / n_factions, math.log(n_factions)))
    wrong = hc.score(hc.onehot_forecast((actual + 1) % n_factions, categories), actual)
    assert wrong.overall == pytest.approx((2.0, -math.log(hc.EPS)))
