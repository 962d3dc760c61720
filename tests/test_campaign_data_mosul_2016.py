"""Integrity of the Mosul 2016-17 campaign data set and its scenario.

``validation/data/campaigns/mosul_2016/`` holds the places, road links, dated control changes
and published strength estimates of the campaign; ``scenarios/mosul_2016.yaml`` is written from
them. These checks read the files only: no game is played.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pytest
from campaign_data import STRENGTH_COLUMNS, check_compare, great_circle_km, read_table

from wargame.scenario import Loaded, load

ROOT = Path(__file__).resolve().parents[1]
THEATRE = "mosul_2016"
DATA = ROOT / "validation" / "data" / "campaigns" / THEATRE
SCENARIO = ROOT / "scenarios" / "mosul_2016.yaml"
START = dt.date(2016, 10, 17)
END = dt.date(2017, 7, 20)
SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
KINDS = {"city", "town", "village", "base", "crossing"}
BASES = {"stated", "road knowledge"}


def rows(name: str) -> list[dict[str, str]]:
    return read_table(THEATRE, name)[1]


def columns(name: str) -> list[str]:
    return read_table(THEATRE, name)[0]


def km(a: dict[str, str], b: dict[str, str]) -> float:
    """Great-circle distance in km (mean Earth radius)."""
    return great_circle_km(float(a["lat"]), float(a["lon"]), float(b["lat"]), float(b["lon"]))


@pytest.fixture(scope="module")
def scenario() -> Loaded:
    return load(SCENARIO)


@pytest.fixture(scope="module")
def places() -> dict[str, dict[str, str]]:
    got = rows("places.csv")
    ids = [r["id"] for r in got]
    assert len(ids) == len(set(ids)), "duplicate place ids"
    return {r["id"]: r for r in got}


def test_columns_are_the_documented_ones() -> None:
    assert columns("places.csv") == ["id", "name", "lat", "lon", "population", "kind",
                                     "controller_start", "source", "note"]
    assert columns("links.csv") == ["a", "b", "km", "basis", "source"]
    with (ROOT / "validation" / "data" / "aleppo_history.csv").open(encoding="utf-8") as f:
        assert columns("history.csv") == next(csv.reader(f))
    assert columns("strengths.csv") == STRENGTH_COLUMNS
    check_compare(rows("strengths.csv"))


def test_places(places: dict[str, dict[str, str]], scenario: Loaded) -> None:
    factions = set(scenario.scenario.factions)
    assert 15 <= len(places) <= 45
    for pid, r in places.items():
        assert SLUG.match(pid), pid
        assert r["kind"] in KINDS, pid
        assert r["controller_start"] in factions, pid
        assert -90 <= float(r["lat"]) <= 90 and -180 <= float(r["lon"]) <= 180, pid
        assert r["population"] == "" or int(r["population"]) > 0, pid
        assert r["source"].strip(), pid


def test_places_are_the_scenario_settlements(places: dict[str, dict[str, str]],
                                             scenario: Loaded) -> None:
    settlements = scenario.scenario.settlements
    assert set(places) == set(settlements)
    for pid, s in settlements.items():
        r = places[pid]
        assert s.controller == r["controller_start"], pid
        assert (s.lat, s.lon) == (float(r["lat"]), float(r["lon"])), pid
        assert s.population == (int(r["population"]) if r["population"] else 0), pid
        assert s.approximate == ("approximate" in r["note"]), pid


def test_links(places: dict[str, dict[str, str]], scenario: Loaded) -> None:
    pairs = set()
    for r in rows("links.csv"):
        a, b = r["a"], r["b"]
        assert a in places and b in places and a != b, (a, b)
        assert r["basis"] in BASES, (a, b)
        assert r["source"].strip(), (a, b)
        assert float(r["km"]) == pytest.approx(km(places[a], places[b]), abs=0.06), (a, b)
        pair = frozenset((a, b))
        assert pair not in pairs, (a, b)
        pairs.add(pair)
    in_scenario = {frozenset(link.between) for link in scenario.scenario.links}
    assert in_scenario == pairs


def test_history(places: dict[str, dict[str, str]], scenario: Loaded) -> None:
    factions = set(scenario.scenario.factions)
    holder = {pid: r["controller_start"] for pid, r in places.items()}
    last: dict[str, dt.date] = {}
    got = rows("history.csv")
    assert got
    for r in got:
        pid, date = r["settlement"], dt.date.fromisoformat(r["date"])
        assert pid in places, pid
        assert START <= date <= END, (pid, date)
        assert pid not in last or date > last[pid], f"{pid}: dates not sorted"
        assert r["controller"] in factions, (pid, r["controller"])
        assert r["controller"] != holder[pid], f"{pid} on {date}: not a change of control"
        assert r["source"].strip(), (pid, date)
        last[pid], holder[pid] = date, r["controller"]


def test_strengths(scenario: Loaded) -> None:
    factions = set(scenario.scenario.factions)
    seen: dict[str, list[dt.date]] = {f: [] for f in factions}
    for r in rows("strengths.csv"):
        date = dt.date.fromisoformat(r["date"])
        assert r["faction"] in factions, r["faction"]
        assert 0 < int(r["low"]) <= int(r["high"]), r
        assert r["scope"].strip() and r["source"].strip(), r
        seen[r["faction"]].append(date)
    for faction, dates in seen.items():
        assert len(dates) >= 2, f"{faction}: fewer than two estimates"
    # The start and a point in the city battle for the defender and the main attacker.
    for faction in ("isil", "isf"):
        assert min(seen[faction]) <= START < max(seen[faction])


def test_scenario_covers_the_period(scenario: Loaded) -> None:
    meta = scenario.scenario.scenario
    assert meta.start_date == START
    assert meta.days_per_turn == 7
    last_day = meta.start_date + dt.timedelta(days=meta.days_per_turn * meta.turns - 1)
    latest = max(dt.date.fromisoformat(r["date"]) for r in rows("history.csv"))
    assert latest <= END <= last_day
