"""Integrity of the Afghanistan 2021 campaign data set and its scenario.

``validation/data/campaigns/afghanistan_2021/`` holds the places, road links, dated control
changes and strength estimates of the Taliban offensive of 1 May - 31 August 2021;
``scenarios/afghanistan_2021.yaml`` is written from it. These checks are fast: no game is
played.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from campaign_data import STRENGTH_COLUMNS, check_compare, great_circle_km, read_table

from wargame.scenario import Loaded, load

ROOT = Path(__file__).resolve().parents[1]
THEATRE = "afghanistan_2021"
DATA = ROOT / "validation" / "data" / "campaigns" / THEATRE
SCENARIO = ROOT / "scenarios" / "afghanistan_2021.yaml"
HISTORY_COLUMNS = ["settlement", "date", "controller", "source", "note"]
PERIOD = (dt.date(2021, 5, 1), dt.date(2021, 8, 31))
KINDS = {"city", "town", "village", "base", "crossing"}
HOW = ("assault", "collapse", "negotiated", "not stated")


def rows(name: str) -> list[dict[str, str]]:
    return read_table(THEATRE, name)[1]


def header(name: str) -> list[str]:
    return read_table(THEATRE, name)[0]


@pytest.fixture(scope="module")
def loaded() -> Loaded:
    return load(SCENARIO)


@pytest.fixture(scope="module")
def places() -> dict[str, dict[str, str]]:
    return {r["id"]: r for r in rows("places.csv")}


def distance_km(a: dict[str, str], b: dict[str, str]) -> float:
    return great_circle_km(float(a["lat"]), float(a["lon"]), float(b["lat"]), float(b["lon"]))


def test_history_has_exactly_the_columns_of_the_aleppo_history() -> None:
    with (ROOT / "validation" / "data" / "aleppo_history.csv").open(encoding="utf-8") as f:
        aleppo = next(csv.reader(f))
    assert header("history.csv") == aleppo == HISTORY_COLUMNS


def test_places_are_well_formed(places: dict[str, dict[str, str]]) -> None:
    assert header("places.csv") == ["id", "name", "lat", "lon", "population", "kind",
                                    "controller_start", "source", "note"]
    assert 15 <= len(places) <= 45
    assert len(places) == len(rows("places.csv")), "an id is repeated"
    for pid, p in places.items():
        assert pid.isascii() and pid == pid.lower() and pid.replace("_", "").isalnum(), pid
        assert p["kind"] in KINDS, pid
        assert 29.0 <= float(p["lat"]) <= 39.0 and 60.0 <= float(p["lon"]) <= 75.0, pid
        assert p["population"] == "" or int(p["population"]) > 0, pid
        assert p["source"].strip(), pid
        if p["population"]:
            assert "population:" in p["source"], f"{pid}: a population without its source"


def test_links_join_known_places_with_their_straight_line_distance(
        places: dict[str, dict[str, str]]) -> None:
    links = rows("links.csv")
    assert header("links.csv") == ["a", "b", "km", "basis", "source"]
    pairs = set()
    for link in links:
        a, b = link["a"], link["b"]
        assert a in places and b in places and a != b, (a, b)
        pair = frozenset((a, b))
        assert pair not in pairs, (a, b)
        pairs.add(pair)
        assert link["basis"] in {"stated", "road knowledge"}, (a, b)
        assert link["source"].strip(), (a, b)
        assert float(link["km"]) == pytest.approx(distance_km(places[a], places[b]), abs=0.06)


def test_every_history_row_is_a_dated_sourced_change_within_the_period(
        places: dict[str, dict[str, str]], loaded: Loaded) -> None:
    factions = set(loaded.scenario.factions)
    history = rows("history.csv")
    assert history
    holder = {pid: p["controller_start"] for pid, p in places.items()}
    last: dict[str, dt.date] = {}
    for r in history:
        place, date = r["settlement"], dt.date.fromisoformat(r["date"])
        assert place in places, place
        assert PERIOD[0] <= date <= PERIOD[1], (place, date)
        assert r["controller"] in factions, (place, r["controller"])
        assert r["source"].strip(), place
        assert date >= last.get(place, PERIOD[0]), f"{place}: rows not in date order"
        last[place] = date
        assert r["controller"] != holder[place], f"{place} on {date}: not a change of control"
        holder[place] = r["controller"]
        # How the place fell is recorded in every note (after "uncertain: ..." when there is one).
        assert "how: " in r["note"] and r["note"].split("how: ", 1)[1].startswith(HOW), place


def test_strengths_quote_sourced_ranges_for_each_faction(loaded: Loaded) -> None:
    factions = set(loaded.scenario.factions)
    strengths = rows("strengths.csv")
    assert header("strengths.csv") == STRENGTH_COLUMNS
    check_compare(strengths)
    dates: dict[str, set[dt.date]] = {f: set() for f in factions}
    for r in strengths:
        date = dt.date.fromisoformat(r["date"])
        assert PERIOD[0] <= date <= PERIOD[1], r
        assert r["faction"] in factions, r
        low = float(r["low"])
        assert low > 0, r
        assert r["high"] == "" or float(r["high"]) >= low, r
        assert r["scope"].strip() and r["source"].strip(), r
        dates[r["faction"]].add(date)
    for faction, seen in dates.items():
        # the start, the end and at least one point in between
        assert min(seen) == PERIOD[0] and max(seen) == PERIOD[1] and len(seen) >= 3, faction


def test_the_scenario_matches_the_data_set(places: dict[str, dict[str, str]],
                                           loaded: Loaded) -> None:
    sc = loaded.scenario
    assert set(sc.settlements) == set(places)
    for pid, p in places.items():
        s = sc.settlements[pid]
        assert (s.lat, s.lon) == (float(p["lat"]), float(p["lon"])), pid
        assert s.controller == p["controller_start"], pid
        assert s.population == (int(p["population"]) if p["population"] else 0), pid
    assert {frozenset(link.between) for link in sc.links} == {
        frozenset((r["a"], r["b"])) for r in rows("links.csv")}


def test_the_scenario_validates_and_covers_the_period_in_weekly_turns(loaded: Loaded) -> None:
    meta = loaded.scenario.scenario
    assert meta.start_date == PERIOD[0]
    assert meta.days_per_turn == 7
    last_turn_starts = meta.start_date + dt.timedelta(days=7 * (meta.turns - 1))
    last_turn_ends = meta.start_date + dt.timedelta(days=7 * meta.turns - 1)
    assert last_turn_starts <= PERIOD[1] <= last_turn_ends
    assert 3 <= len(loaded.scenario.outcomes) <= 6
