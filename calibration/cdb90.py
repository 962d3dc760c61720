"""Read CDB90 (US Army CAA, 1991; tidied by J. Arnold) into one row per usable battle.

The tables are the copies in ``validation/data/cdb90`` (see its ``ATTRIBUTION.md``). Every
filter is recorded with the number of battles that survive it, so the documentation can quote
the counts the code actually produced.

Data repair: in the tidied ``battles.csv`` every negative code is blank (``wina`` -1 and -9,
``aeroa`` -1 and 9, ``surpa`` < 0, ...), so "attacker lost" cannot be told from "unknown". The
codes ``WINA`` and ``AEROA`` are therefore read from the public-domain CAA file
``original_M000121/CDB90-patched_combined.csv``, after checking that they agree with the tidied
table wherever the tidied table is not blank.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "AIR_CODES",
    "POSTURE_CODES",
    "BattleSet",
    "load_battles",
    "map_posture",
    "map_terrain",
]

POSTURE_CODES: dict[str, str] = {
    "HD": "hasty",  # hasty defence
    "PD": "prepared",  # prepared defence
    "FD": "fortified",  # fortified defence
    "DL": "hasty",  # delaying action: a mobile defence with no prepared positions
    "WD": "hasty",  # withdrawal: likewise
}
"""CDB90 ``post1`` (defender's primary posture) -> engine posture."""

AIR_CODES: dict[str, int] = {"1": 1, "0": 0, "-1": -1}
"""CDB90 ``AEROA`` -> +1 attacker, -1 defender, 0 neither has air superiority (9 = unknown)."""

OUTCOME_CODES: dict[str, int] = {"1": 1, "0": 0, "-1": -1}
"""CDB90 ``WINA`` -> 1 attacker won, 0 draw, -1 attacker lost (-9 = unknown)."""

ORIGINAL_FILE = Path("original_M000121") / "CDB90-patched_combined.csv"
ORIGINAL_FIELDS: tuple[str, ...] = ("WINA", "AEROA", "WOFA1", "WOFD1", "KMDA")
"""Fields read from the CAA file: outcome and air superiority codes (repaired, see above), the
attacker's and defender's front widths at the start (km) and the attacker's advance (km)."""
MISSING_CODE = -9999.0
"""The CAA file's code for an unknown number."""


def map_terrain(terra1: str, terra2: str, terra3: str) -> str | None:
    """Engine terrain class for one CDB90 terrain description, or None if not available.

    Precedence: urban (``terra3`` U) > desert (``terra2`` D or dunes) > mountain (rugged,
    ``terra1`` G) > forest (heavily wooded, ``terra2`` W) > rural (rolling or flat with mixed or
    bare cover). CDB90 has no suburban class.
    """
    if terra3 == "U":
        return "urban"
    if terra2 == "D" or terra3 == "D":
        return "desert"
    if terra1 == "G":
        return "mountain"
    if terra2 == "W":
        return "forest"
    if terra1 in ("R", "F"):
        return "rural"
    return None


def map_posture(post1: str) -> str | None:
    """Engine posture for CDB90 ``post1`` (``DL``/``WD`` -> hasty), or None if not available."""
    return POSTURE_CODES.get(post1)


@dataclass(frozen=True)
class BattleSet:
    """Usable battles as parallel arrays, plus the filter log that produced them."""

    isqno: NDArray[np.int64]
    name: NDArray[np.str_]
    year: NDArray[np.int64]
    att_strength: NDArray[np.float64]
    def_strength: NDArray[np.float64]
    att_casualties: NDArray[np.float64]
    def_casualties: NDArray[np.float64]
    days: NDArray[np.float64]  # calendar days (``duration1``); NaN if unknown
    active_days: NDArray[np.float64]  # summed active periods (``duration2``); NaN if unknown
    posture: NDArray[np.str_]
    terrain: NDArray[np.str_]
    air: NDArray[np.int64]
    wina: NDArray[np.int64]
    att_width: NDArray[np.float64]  # attacker's front width at the start, km (WOFA1); NaN unknown
    def_width: NDArray[np.float64]  # defender's front width at the start, km (WOFD1); NaN unknown
    advance_km: NDArray[np.float64]  # attacker's advance, km (KMDA; negative: it fell back)
    filters: tuple[tuple[str, int], ...]

    def __len__(self) -> int:
        return int(self.isqno.size)

    @property
    def log_ratio(self) -> NDArray[np.float64]:
        """``ln(attacker / defender initial strength)``."""
        out: NDArray[np.float64] = np.log(self.att_strength / self.def_strength)
        return out

    @property
    def success(self) -> NDArray[np.float64]:
        """1.0 where the attacker won (``wina == 1``); draws and losses are 0.0."""
        return (self.wina == 1).astype(np.float64)

    def subset(self, mask: NDArray[np.bool_], label: str | None = None) -> BattleSet:
        """The battles where ``mask`` is true; with ``label``, log it as a filter step."""
        filters = self.filters
        if label is not None:
            filters = (*filters, (label, int(np.sum(mask))))
        return BattleSet(
            **{
                name: getattr(self, name)[mask]
                for name in self.__dataclass_fields__
                if name != "filters"
            },
            filters=filters,
        )


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _number(text: str) -> float:
    text = text.strip()
    return float(text) if text not in ("", "NA") else float("nan")


def _original_codes(data_dir: Path) -> dict[int, dict[str, str]]:
    """``WINA`` and ``AEROA`` per battle from the CAA file (header row, then code rows)."""
    with (data_dir / ORIGINAL_FILE).open(newline="", encoding="latin-1") as fh:
        rows = list(csv.reader(fh))
    header = [h.strip() for h in rows[0]]
    col = {name: header.index(name) for name in ("ISQNO", *ORIGINAL_FIELDS)}
    out: dict[int, dict[str, str]] = {}
    for row in rows[1:]:
        if row and row[0].strip().isdigit():
            out[int(row[col["ISQNO"]])] = {k: row[col[k]].strip() for k in ORIGINAL_FIELDS}
    return out


def _check_restored(tidied: str, original: str, field: str, isqno: int) -> None:
    """The tidied value must equal the CAA code, or be blank where the CAA code is negative."""
    if tidied == original or (tidied == "" and original.startswith("-")):
        return
    if field == "aeroa" and tidied == "" and original == "9":
        return
    raise ValueError(f"CDB90 battle {isqno}: {field} is {tidied!r} tidied but {original!r} in CAA")


def _caa_number(text: str) -> float:
    """A number of the CAA file; blank or the missing code -9999 is NaN."""
    value = _number(text)
    return float("nan") if value == MISSING_CODE else value


def _initial_strength(side: dict[str, str]) -> float:
    """Initial strength: ``intst``, else ``str`` when ``code`` 1 says it is also initial."""
    intst = _number(side["intst"])
    if np.isfinite(intst):
        return intst
    if side["code"].strip() == "1":
        return _number(side["str"])
    return float("nan")  # code 3 (total engaged) or 2 (average): not an initial strength


def load_battles(data_dir: Path) -> BattleSet:
    """Read the CDB90 tables in ``data_dir`` and return the battles usable for the fit.

    Filters, in order (each logged with the count that survives it): drop sub-engagements that
    duplicate a parent battle; outcome known; both initial strengths known and comparable
    (``intst``, or total strength with ``code`` 1); casualties known on both sides; defender
    posture known; air superiority known; primary terrain known.
    """
    battles = _read(data_dir / "battles.csv")
    sides = {(r["isqno"], r["attacker"]): r for r in _read(data_dir / "belligerents.csv")}
    durations = {r["isqno"]: r for r in _read(data_dir / "battle_durations.csv")}
    terrain_rows = {r["isqno"]: r for r in _read(data_dir / "terrain.csv") if r["terrano"] == "1"}
    original = _original_codes(data_dir)

    filters: list[tuple[str, int]] = [("battles in CDB90", len(battles))]
    rows: list[dict[str, Any]] = []
    for b in battles:
        isq = int(b["isqno"])
        codes = original[isq]
        _check_restored(b["wina"].strip(), codes["WINA"], "wina", isq)
        _check_restored(b["aeroa"].strip(), codes["AEROA"], "aeroa", isq)
        att, dfd = sides[(b["isqno"], "1")], sides[(b["isqno"], "0")]
        t = terrain_rows.get(b["isqno"], {"terra1": "", "terra2": "", "terra3": ""})
        dur = durations.get(b["isqno"], {"duration1": "", "duration2": "", "datetime": ""})
        # Two battles (429, 435) have only the end time: take the year from whatever is given.
        date = dur["datetime"] or dur.get("datetime_min", "") or dur.get("datetime_max", "")
        rows.append(
            {
                "isqno": isq,
                "name": b["name"],
                "year": int(date[:4]) if date[:4].isdigit() else -1,
                "parent": b["parent"].strip(),
                "wina": OUTCOME_CODES.get(codes["WINA"]),
                "air": AIR_CODES.get(codes["AEROA"]),
                "att_strength": _initial_strength(att),
                "def_strength": _initial_strength(dfd),
                "att_casualties": _number(att["cas"]),
                "def_casualties": _number(dfd["cas"]),
                "days": _number(dur["duration1"]),
                "active_days": _number(dur["duration2"]),
                "posture": map_posture(b["post1"].strip()),
                "terrain": map_terrain(t["terra1"], t["terra2"], t["terra3"]),
                "att_width": _caa_number(codes["WOFA1"]),
                "def_width": _caa_number(codes["WOFD1"]),
                "advance_km": _caa_number(codes["KMDA"]),
            }
        )

    def keep(label: str, predicate: Callable[[dict[str, Any]], bool]) -> None:
        nonlocal rows
        rows = [r for r in rows if predicate(r)]
        filters.append((label, len(rows)))

    keep("not a sub-engagement duplicating a parent battle", lambda r: r["parent"] == "")
    keep("outcome known (wina 1, 0 or -1)", lambda r: r["wina"] is not None)
    keep(
        "initial strengths known on both sides (intst, or str with code 1)",
        lambda r: all(np.isfinite(r[k]) and r[k] > 0 for k in ("att_strength", "def_strength")),
    )
    keep(
        "casualties known on both sides",
        lambda r: all(np.isfinite(r[k]) for k in ("att_casualties", "def_casualties")),
    )
    keep("defender posture known", lambda r: r["posture"] is not None)
    keep("air superiority known (aeroa not 9)", lambda r: r["air"] is not None)
    keep("primary terrain known", lambda r: r["terrain"] is not None)

    def col(name: str, dtype: type) -> Any:
        return np.array([r[name] for r in rows], dtype=dtype)

    return BattleSet(
        isqno=col("isqno", np.int64),
        name=col("name", np.str_),
        year=col("year", np.int64),
        att_strength=col("att_strength", np.float64),
        def_strength=col("def_strength", np.float64),
        att_casualties=col("att_casualties", np.float64),
        def_casualties=col("def_casualties", np.float64),
        days=col("days", np.float64),
        active_days=col("active_days", np.float64),
        posture=col("posture", np.str_),
        terrain=col("terrain", np.str_),
        air=col("air", np.int64),
        wina=col("wina", np.int64),
        att_width=col("att_width", np.float64),
        def_width=col("def_width", np.float64),
        advance_km=col("advance_km", np.float64),
        filters=tuple(filters),
    )
