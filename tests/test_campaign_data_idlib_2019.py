"""Integrity of the Idlib 2019-20 campaign data set and its scenario.

``validation/data/campaigns/idlib_2019/`` holds the places, road links, dated control changes
and published strength estimates of the theatre; ``scenarios/idlib_2019.yaml`` is built from
them. These checks tie the two together: every id exists, every row cites a source, dates lie
in the period and run forward per place, controllers are the scenario's factions, and the
scenario's map is the data set's. No game is played.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import defaultdict
from pathlib import Path

import pytest
from campaign_data import STRENGTH_COLUMNS, check_compare, great_circle_km, read_table

from wargame.scenario import Loaded, load

ROOT = Path(__file__).resolve().parents[1]
THEATRE = "idlib_2019"
DATA = ROOT / "validation" / "data" / "campaigns" / THEATRE
SCENARIO = ROOT / "scenarios" / "idlib_2019.yaml"
ALEPPO_HISTORY = ROOT / "validation" / "data" / "aleppo_history.csv"
SLUG = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
KINDS = {"city", "town", "village", "base", "crossing"}
BASES = {"stated", "road knowledge"}


def _rows(name: str) -> tuple[list[str], list[dict[str, str]]]:
    return read_table(THEATRE, name)


def _haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return great_circle_km(a[0], a[1], b[0], b[1])


@pytest.fixture(scope="module")
def scenario() -> Loaded:
    return load(SCENARIO)


@pytest.fixture(scope="module")
def places() -> dict[str, dict[str, str]]:
    header, rows = _rows("places.csv")
    assert header == ["id", "name", "lat", "lon", "population", "kind", "controller_start",
                      "source", "note"]
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), "duplicate place ids"
    return {r["id"]: r for r in rows}


def _period(sc: Loaded) -> tuple[dt.date, dt.date]:
    meta = sc.scenario.scenario
    return meta.start_date, meta.start_date + dt.timedelta(days=meta.days_per_turn * meta.turns - 1)


def test_scenario_validates_with_weekly_turns_from_30_april_2019(scenario: Loaded) -> None:
    meta = scenario.scenario.scenario
    assert meta.start_date == dt.date(2019, 4, 30)
    assert meta.days_per_turn == 7
    _, last = _period(scenario)
    assert last >= dt.date(2020, 3, 6), "the game must reach the ceasefire of 6 March 2020"


def test_places_are_well_formed_and_cited(places: dict[str, dict[str, str]],
                                          scenario: Loaded) -> None:
    assert 15 <= len(places) <= 45
    factions = set(scenario.scenario.factions)
    for pid, r in places.items():
        assert SLUG.match(pid), pid
        assert r["name"].strip(), pid
        assert -90 <= float(r["lat"]) <= 90 and -180 <= float(r["lon"]) <= 180, pid
        assert r["population"] == "" or int(r["population"]) > 0, pid
        assert r["kind"] in KINDS, (pid, r["kind"])
        assert r["controller_start"] in factions, (pid, r["controller_start"])
        assert r["source"].strip(), f"{pid}: no source"


def test_places_are_the_scenarios_settlements(places: dict[str, dict[str, str]],
                                              scenario: Loaded) -> None:
    settlements = scenario.scenario.settlements
    assert set(places) == set(settlements)
    for pid, r in places.items():
        s = settlements[pid]
        assert s.controller == r["controller_start"], pid
        assert (s.lat, s.lon) == (float(r["lat"]), float(r["lon"])), pid
        assert s.approximate == r["note"].startswith("approximate"), pid
        assert s.population == (int(r["population"]) if r["population"] else 0), pid


def test_links_join_known_places_are_cited_and_measured(places: dict[str, dict[str, str]],
                                                        scenario: Loaded) -> None:
    header, rows = _rows("links.csv")
    assert header == ["a", "b", "km", "basis", "source"]
    pairs = set()
    for r in rows:
        a, b = r["a"], r["b"]
        assert a in places and b in places and a != b, (a, b)
        pair = frozenset((a, b))
        assert pair not in pairs, f"link {a}-{b} listed twice"
        pairs.add(pair)
        assert r["basis"] in BASES, (a, b, r["basis"])
        assert r["source"].strip(), f"{a}-{b}: no source"
        km = _haversine_km((float(places[a]["lat"]), float(places[a]["lon"])),
                           (float(places[b]["lat"]), float(places[b]["lon"])))
        assert abs(float(r["km"]) - km) < 0.06, (a, b, r["km"], round(km, 2))
    assert pairs == {frozenset(link.between) for link in scenario.scenario.links}


def test_history_has_the_aleppo_columns_and_valid_rows(places: dict[str, dict[str, str]],
                                                       scenario: Loaded) -> None:
    with open(ALEPPO_HISTORY, newline="", encoding="utf-8") as f:
        aleppo_header = next(csv.reader(f))
    header, rows = _rows("history.csv")
    assert header == aleppo_header
    assert rows, "no control changes"
    factions = set(scenario.scenario.factions)
    first, last = _period(scenario)
    by_place: dict[str, list[tuple[dt.date, str]]] = defaultdict(list)
    for r in rows:
        place = r["settlement"]
        assert place in places, place
        day = dt.date.fromisoformat(r["date"])
        assert first <= day <= last, (place, r["date"])
        assert r["controller"] in factions, (place, r["controller"])
        assert r["source"].strip(), f"{place} {r['date']}: no source"
        by_place[place].append((day, r["controller"]))
    for place, changes in by_place.items():
        days = [d for d, _ in changes]
        assert days == sorted(days) and len(set(days)) == len(days), f"{place}: dates out of order"
        held = places[place]["controller_start"]
        for day, controller in changes:
            assert controller != held, f"{place} {day}: not a change of control"
            held = controller


def test_strengths_are_cited_ranges_of_scenario_factions(scenario: Loaded) -> None:
    header, rows = _rows("strengths.csv")
    assert header == STRENGTH_COLUMNS
    check_compare(rows)
    factions = set(scenario.scenario.factions)
    seen = set()
    for r in rows:
        dt.date.fromisoformat(r["date"])
        assert r["faction"] in factions, r["faction"]
        seen.add(r["faction"])
        low = float(r["low"]) if r["low"] else None
        high = float(r["high"]) if r["high"] else None
        assert low is None or low > 0
        if low is not None and high is not None:
            assert low <= high, r
        assert high is None or low is not None, "a high without a low"
        assert r["scope"].strip() and r["source"].strip(), r
        assert low is not None or r["note"].strip(), "a row without a number must say why"
    assert seen == factions
