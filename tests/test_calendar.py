"""One convention for turn dates: the scenario format's table is what the code computes."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from wargame.scenario import load
from wargame.scenario.calendar import span, turn_end, turn_start

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "scenario-format.md"
SC = load(ROOT / "scenarios" / "aleppo_2015.yaml").scenario


def _date(text: str) -> dt.date | None:
    return None if text == "–" else dt.datetime.strptime(text, "%d %b %Y").date()


def test_the_documented_table_is_what_the_code_computes() -> None:
    section = DOC.read_text(encoding="utf-8").split("### Turns and dates")[1]
    rows = re.findall(r"^\| (\d+) \| (.+?) \| (.+?) \|$", section, re.M)
    assert len(rows) == 4
    for turn, start, end in rows:
        assert turn_start(SC, int(turn)) == _date(start)
        assert turn_end(SC, int(turn)) == _date(end)


def test_turns_tile_the_calendar() -> None:
    for k in range(1, SC.scenario.turns + 1):
        start = turn_start(SC, k)
        assert start == turn_end(SC, k - 1) + dt.timedelta(days=1)
        assert (turn_end(SC, k) - start).days == SC.scenario.days_per_turn - 1
    assert span(SC, 6) == "17–23 Nov 2015"
    assert span(SC, 3) == "27 Oct – 2 Nov 2015"
    assert span(SC, 0) == "before 13 Oct 2015"


def test_stores_made_before_start_and_end_dates_still_read() -> None:
    from wargame.montecarlo.summary import Labels

    old = {"factions": ["red"], "faction_names": ["Red"], "settlements": ["a"],
           "settlement_names": ["A"], "outcomes": [], "outcome_names": [],
           "dates": ["2015-10-13", "2015-10-20", "2015-10-27"]}   # the day after each turn
    labels = Labels.from_dict(old)
    assert labels.end_dates == ["2015-10-12", "2015-10-19", "2015-10-26"]
    assert labels.start_dates == [None, "2015-10-13", "2015-10-20"]
