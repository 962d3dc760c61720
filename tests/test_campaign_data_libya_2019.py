"""Integrity of the western Libya 2019-20 campaign data set and its scenario.

``validation/data/campaigns/libya_2019/`` holds the places, road links, dated control changes
and published strengths of the campaign; ``scenarios/libya_2019.yaml`` is built from it. These
checks read the files only: no game is played.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from campaign_data import STRENGTH_COLUMNS, check_compare, great_circle_km, read_table

from wargame.scenario import Loaded, load

ROOT = Path(__file__).resolve().parents[1]
THEATRE = "libya_2019"
DATA = ROOT / "validation" / "data" / "campaigns" / THEATRE
SCENARIO = ROOT / "scenarios" / "libya_2019.yaml"
# The same columns as the Aleppo history, so one scoring script can read both.
HISTORY_COLUMNS = ["settlement", "date", "controller", "source", "note"]
KINDS = {"city", "town", "village", "base", "crossing"}


def read(name: str) -> tuple[list[str], list[dict[str, str]]]:
    return read_table(THEATRE, name)


@pytest.fixture(scope="module")
def loaded() -> Loaded:
    return load(SCENARIO)


@pytest.fixture(scope="module")
def places() -> dict[str, dict[str, str]]:
    columns, rows = read("places.csv")
    assert columns == ["id", "name", "lat", "lon", "population", "kind", "controller_start",
                       "source", "note"]
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), "duplicate place ids"
    return {r["id"]: r for r in rows}


def period(loaded: Loaded) -> tuple[dt.date, dt.date]:
    meta = loaded.scenario.scenario
    return meta.start_date, meta.start_date + dt.timedelta(days=meta.days_per_turn * meta.turns - 1)


def test_scenario_validates_with_weekly_turns_over_the_history(loaded: Loaded) -> None:
    meta = loaded.scenario.scenario
    assert meta.start_date == dt.date(2019, 4, 4)
    assert meta.days_per_turn == 7
    _, rows = read("history.csv")
    last = max(dt.date.fromisoformat(r["date"]) for r in rows)
    assert period(loaded)[1] >= last


def test_places_are_the_scenario_settlements(loaded: Loaded,
                                             places: dict[str, dict[str, str]]) -> None:
    settlements = loaded.scenario.settlements
    assert set(places) == set(settlements)
    assert 15 <= len(places) <= 45
    factions = set(loaded.scenario.factions)
    for pid, p in places.items():
        s = settlements[pid]
        assert p["kind"] in KINDS, pid
        assert p["controller_start"] in factions, pid
        assert p["controller_start"] == s.controller, pid
        assert (float(p["lat"]), float(p["lon"])) == (s.lat, s.lon), pid
        assert s.population == (int(p["population"]) if p["population"] else 0), pid
        assert s.approximate == ("approximate" in p["note"].lower()), pid
        assert p["source"].strip(), pid


def test_links_join_known_places_with_computed_distances(
        loaded: Loaded, places: dict[str, dict[str, str]]) -> None:
    columns, rows = read("links.csv")
    assert columns == ["a", "b", "km", "basis", "source"]
    pairs = set()
    for r in rows:
        a, b = r["a"], r["b"]
        assert a in places and b in places and a != b, (a, b)
        pair = frozenset((a, b))
        assert pair not in pairs, (a, b)
        pairs.add(pair)
        assert r["basis"] in {"stated", "road knowledge"}, (a, b)
        assert r["source"].strip(), (a, b)
        expected = great_circle_km(float(places[a]["lat"]), float(places[a]["lon"]),
                                   float(places[b]["lat"]), float(places[b]["lon"]))
        assert float(r["km"]) == pytest.approx(expected, abs=0.06), (a, b)
    scenario_links = {frozenset(link.between): link.km for link in loaded.scenario.links}
    assert set(scenario_links) == pairs
    for r in rows:
        assert scenario_links[frozenset((r["a"], r["b"]))] == float(r["km"]), (r["a"], r["b"])


def test_history_rows_are_dated_changes_of_known_places(
        loaded: Loaded, places: dict[str, dict[str, str]]) -> None:
    columns, rows = read("history.csv")
    assert columns == HISTORY_COLUMNS
    assert len(rows) >= 20
    start, end = period(loaded)
    factions = set(loaded.scenario.factions)
    last: dict[str, tuple[dt.date, str]] = {}
    for r in rows:
        place = r["settlement"]
        assert place in places, place
        assert r["controller"] in factions, (place, r["controller"])
        assert r["source"].strip(), place
        when = dt.date.fromisoformat(r["date"])
        assert start <= when <= end, (place, when)
        before_date, before = last.get(place, (start, places[place]["controller_start"]))
        assert when >= before_date, f"{place}: rows not in date order"
        # One row per change: a row always hands the place to someone else.
        assert r["controller"] != before, f"{place} on {when}: no change of controller"
        last[place] = (when, r["controller"])
    got = {(r["settlement"], r["date"]): r["controller"] for r in rows}
    # Spot checks of the best-documented dates.
    assert got[("gharyan", "2019-04-04")] == "lna"
    assert got[("gharyan", "2019-06-26")] == "gna"
    assert got[("sirte", "2020-01-06")] == "lna"
    assert got[("al_watiya", "2020-05-18")] == "gna"
    assert got[("tarhuna", "2020-06-05")] == "gna"


def test_strengths_cover_both_factions_with_sourced_ranges(loaded: Loaded) -> None:
    columns, rows = read("strengths.csv")
    assert columns == STRENGTH_COLUMNS
    check_compare(rows)
    factions = set(loaded.scenario.factions)
    seen = set()
    for r in rows:
        assert r["faction"] in factions, r
        dt.date.fromisoformat(r["date"])
        low = float(r["low"])
        if r["high"]:
            assert low <= float(r["high"]), r
        assert r["scope"].strip() and r["source"].strip(), r
        seen.add(r["faction"])
    assert seen == factions


def test_every_cited_source_id_is_declared(loaded: Loaded) -> None:
    declared = {s["id"] for s in loaded.data["scenario"]["sources"]}
    cited: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "source" and isinstance(value, str):
                    # "a; b" cites several; "id (basis: ...)" adds a remark after the id.
                    cited.update(part.strip().split(" ")[0] for part in value.split(";"))
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(loaded.data)
    assert cited <= declared, f"undeclared sources: {sorted(cited - declared)}"
    assert declared <= cited, f"sources never cited: {sorted(declared - cited)}"
