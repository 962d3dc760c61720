"""Shared readers of the campaign data sets (``validation/data/campaigns/NAME/``) for their
integrity tests."""

from __future__ import annotations

import csv
import math
from pathlib import Path

CAMPAIGNS = Path(__file__).resolve().parents[1] / "validation" / "data" / "campaigns"
STRENGTH_COLUMNS = ["date", "faction", "low", "high", "scope", "source", "note", "compare"]
"""The columns of every data set's ``strengths.csv``."""
EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG)."""


def read_table(theatre: str, name: str) -> tuple[list[str], list[dict[str, str]]]:
    """A data set's CSV file -> (its columns, its rows); a row with a stray comma (an extra
    column) fails here."""
    with (CAMPAIGNS / theatre / name).open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
        columns = list(reader.fieldnames or [])
    for i, row in enumerate(rows, start=2):
        assert None not in row and None not in row.values(), f"{name}:{i}: wrong column count"
    return columns, rows


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (haversine, mean Earth radius)."""
    p1, l1, p2, l2 = map(math.radians, (lat1, lon1, lat2, lon2))
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin((l2 - l1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def check_compare(rows: list[dict[str, str]]) -> None:
    """Every published strength says what it counts against the scenario's faction, in the
    words ``validation/campaigns.py`` scores (``COMPARE``)."""
    from scripts import validation_script

    allowed = validation_script("campaigns").COMPARE
    for r in rows:
        assert r["compare"] in allowed, r
