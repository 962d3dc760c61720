"""Read the modern city battles table into numbers the standard scenario needs.

The table (``validation/data/modern_battles/battles.csv``) gives strengths, air support and
populations in words. Every rule that turns words into numbers is here, applied the same way to
every row, so that a battle the rules have not seen is read the same way:

* **Strength** (:func:`strength_range`): parenthesised remarks are dropped; the text is split
  into alternative estimates at ``;``, ``/``, ``->`` and " or "; within an estimate, numbers
  joined by ``+`` are summed (forces that fought together), a range ``a-b`` gives its two
  ends, and "some hundred"/"hundreds" reads as 100-900 and "several thousand" as
  2,000-9,000. The result is the lowest and highest total over the estimates. Four-digit
  years, percentages, kilometres and days are not strengths. Blank or "unknown": no estimate.
* **Population** (:func:`population`): the first number of at least 1,000 (the sources list
  the census figure first); an airport or "n/a" is 0 (a place with no town).
* **Air support** (:func:`has_air`): any text except blank, "none..." or "unspecified".
* **Airlift** (:func:`airlifted`): the defender's air support mentions air-dropped supply, an
  airlift, an air bridge or air supply.
* **Encircled** (:func:`encircled`): the name or the notes speak of a siege, a besieged place,
  a pocket, an enclave or a blockade. (This is known at the start of a battle; the outcome
  column is not read for it.)
* **Siege** (:func:`is_siege`): the name starts with "Siege of": a blockade rather than an
  assault.
* **Failed attack** (:func:`failed`): the outcome starts with "attacker failure", "attacker
  defeated", "initial attacker ... failed" or "ceasefire".
* **Collapse** (:func:`collapsed`): the outcome or the notes speak of a collapse or of the
  place being overrun (used only to count the collapse rate).
* **Ended by a deal** (:func:`by_deal`): the outcome speaks of negotiation, evacuation,
  surrender, deals or reconciliation (used only to count the surrender rate).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from dataclasses import dataclass
from pathlib import Path

_NUMBER = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(k\b|thousand)?", re.IGNORECASE)
_NOT_A_STRENGTH = re.compile(
    r"(km\b|%|days?\b|hours?\b|h\b|(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?"
    r"|aug(ust)?|sept?(ember)?|oct(ober)?|nov(ember)?|dec(ember)?)\b)", re.IGNORECASE)
MIN_STRENGTH = 50.0
"""Numbers below this in a strength text are not strengths (unit counts, ages, ...)."""


@dataclass(frozen=True)
class Battle:
    """One row of the table, as the standard scenario reads it."""

    name: str
    start: dt.date
    duration_days: float
    attacker: tuple[float, float] | None      # lowest and highest estimate
    defender: tuple[float, float] | None
    population: float | None                  # None: not given
    attacker_air: bool
    defender_air: bool
    airlift: bool
    siege: bool
    encircled: bool
    failed: bool
    collapsed: bool
    by_deal: bool
    confidence: str


def _numbers(text: str) -> list[float]:
    out = []
    for m in _NUMBER.finditer(text):
        digits = m.group(1)
        value = float(digits.replace(",", ""))
        if m.group(2):
            value *= 1000.0
        elif "," not in digits and 1900 <= value <= 2100:
            continue                                     # a year
        if _NOT_A_STRENGTH.match(text[m.end():].lstrip()):
            continue
        out.append(value)
    return out


def strength_range(text: str) -> tuple[float, float] | None:
    """Lowest and highest total strength in a strength text, or None (rules: module doc)."""
    if not text.strip() or re.match(r"\s*(unknown|n/a)", text, re.IGNORECASE):
        return None
    bare = re.sub(r"\([^)]*\)", "", text)
    lows: list[float] = []
    highs: list[float] = []
    for estimate in re.split(r";|/|->| or ", bare):
        lo = hi = 0.0
        found = False
        for part in estimate.split("+"):
            values = [v for v in _numbers(part) if v >= MIN_STRENGTH]
            if values:
                found = True
                lo += min(values)
                hi += max(values)
        if found:
            lows.append(lo)
            highs.append(hi)
    if lows:
        return (min(lows), max(highs))
    if re.search(r"hundred", text, re.IGNORECASE):
        return (100.0, 900.0)
    if re.search(r"several thousand", text, re.IGNORECASE):
        return (2000.0, 9000.0)
    return None


def population(text: str) -> float | None:
    """The city's population, 0 for an airport, None if not given."""
    if re.search(r"airport|n/a", text, re.IGNORECASE):
        return 0.0
    values = [v for v in _numbers(text) if v >= 1000]
    return values[0] if values else None


def has_air(text: str) -> bool:
    """Whether a side had air support."""
    t = text.strip().lower()
    return bool(t) and not t.startswith("none") and "unspecified" not in t


def airlifted(text: str) -> bool:
    """Whether the defender was supplied by air."""
    return bool(re.search(r"air-?drop|airlift|air bridge|air supply", text, re.IGNORECASE))


def encircled(name: str, notes: str) -> bool:
    """Whether the place was cut off (see the module doc)."""
    return bool(re.search(r"siege|besieg|pocket|enclave|blockade", f"{name} {notes}",
                          re.IGNORECASE))


def is_siege(name: str) -> bool:
    """Whether the battle is a blockade ("Siege of ...") rather than an assault."""
    return name.strip().lower().startswith("siege of")


def failed(outcome: str) -> bool:
    """Whether the attack failed."""
    return bool(re.match(r"\s*(attacker (failure|defeated)|initial attacker.*fail|ceasefire)",
                         outcome, re.IGNORECASE))


def collapsed(outcome: str, notes: str) -> bool:
    """Whether the defence collapsed."""
    return bool(re.search(r"collapse|overrun", f"{outcome} {notes}", re.IGNORECASE))


def by_deal(outcome: str) -> bool:
    """Whether the battle ended by a negotiated surrender or evacuation."""
    return bool(re.search(r"negotiat|evacuat|surrender|deal|reconcil", outcome, re.IGNORECASE))


def read(path: Path) -> list[Battle]:
    """Every row of the table at ``path``."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for r in rows:
        out.append(Battle(
            name=r["name"].strip(),
            start=dt.date.fromisoformat(r["start_date"].strip()),
            duration_days=float(r["duration_days"]),
            attacker=strength_range(r["attacker_strength"]),
            defender=strength_range(r["defender_strength"]),
            population=population(r["city_population"]),
            attacker_air=has_air(r["attacker_air"]),
            defender_air=has_air(r["defender_air"]),
            airlift=airlifted(r["defender_air"]),
            siege=is_siege(r["name"]),
            encircled=encircled(r["name"], r["notes"]),
            failed=failed(r["outcome"]),
            collapsed=collapsed(r["outcome"], r["notes"]),
            by_deal=by_deal(r["outcome"]),
            confidence=r["confidence"].strip(),
        ))
    return out


def geometric_midpoint(rng: tuple[float, float]) -> float:
    """The geometric mean of a range's two ends."""
    return math.sqrt(rng[0] * rng[1])
