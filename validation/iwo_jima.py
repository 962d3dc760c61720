"""Engel's Iwo Jima (1954) in the engine: daily strengths, the ODE, Engel's curve and CDB90.

Usage (from the repository root)::

    .venv/bin/python validation/iwo_jima.py

Runs ``scenarios/validation/iwo_jima.yaml`` deterministically, solves the same square law with
landings with scipy (landings at the start of their day, as in the engine, and spread over the
day, as in Engel's P(t)), reads the Iwo Jima engagements of CDB90 (battles 518-520), prints the
tables to stdout and writes ``docs/img/iwo_jima.png``. See docs/validation.md, section
"Engel's Iwo Jima"; tests/test_iwo_jima.py checks the same numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from numpy.typing import NDArray
from scipy.integrate import solve_ivp

from wargame.engine import compile_scenario, simulate
from wargame.scenario import load

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "validation" / "iwo_jima.yaml"
CDB90 = ROOT / "validation" / "data" / "cdb90"
FIGURE = ROOT / "docs" / "img" / "iwo_jima.png"
D_DAY = dt.date(1945, 2, 19)            # day 1
A, B = 0.0544, 0.0106                   # Engel: Japanese fire on the US, US fire on the Japanese
GARRISON = 21_500.0
LANDINGS = {1: 54_000.0, 3: 6_000.0, 6: 13_000.0}
DAYS = 36
IWO_JIMA_BATTLES = ("518", "519", "520")
Array = NDArray[np.float64]


def engine_by_day() -> Array:
    """[US, Japan] at the end of each day 1..36: the deterministic game stopped after each."""
    compiled = compile_scenario(load(SCENARIO).scenario)
    us, japan = compiled.factions.index("us"), compiled.factions.index("japan")
    out = np.zeros((DAYS, 2))
    for day in range(1, DAYS + 1):
        res = simulate(compiled, np.random.default_rng(0), 1, turns=day, deterministic=True)
        out[day - 1] = res.strength[0, [us, japan]]
    return out


def ode(spread: bool, per_day: int = 1) -> tuple[Array, Array]:
    """Times and [US, Japan] of dM/dt = P(t) - a N, dN/dt = -b M, stopped when N reaches 0.

    ``spread=False`` lands each day's men at its start (the engine's turns); ``spread=True``
    lands them at a constant rate over the day (Engel's P(t)). ``per_day`` output points a day.
    """
    def rhs(_: float, y: Array, rate: float) -> list[float]:
        return [rate - A * y[1], -B * y[0]]

    def gone(_: float, y: Array, rate: float) -> float:
        return float(y[1])

    gone.terminal = True  # type: ignore[attr-defined]
    y = np.array([0.0, GARRISON])
    times, values = [0.0], [y.copy()]
    for day in range(1, DAYS + 1):
        men = LANDINGS.get(day, 0.0)
        t = np.linspace(day - 1.0, day, per_day + 1)[1:]
        if not spread:
            y[0] += men
        if y[1] > 0:
            sol = solve_ivp(rhs, (day - 1.0, float(day)), y, args=(men if spread else 0.0,),
                            events=gone, dense_output=True, method="DOP853", rtol=1e-11,
                            atol=1e-6)
            t_end = float(sol.t[-1])
            pts = np.array([sol.sol(min(x, t_end)) for x in t])
            y = np.maximum(sol.y[:, -1], 0.0)
            pts[t >= t_end] = y
        else:
            y[0] += men if spread else 0.0
            pts = np.tile(y, (per_day, 1))
        times += list(t)
        values += list(np.maximum(pts, 0.0))
    return np.array(times), np.array(values)


@dataclass(frozen=True)
class Engagement:
    """One side of a CDB90 battle."""

    isqno: str
    name: str
    first: dt.date
    last: dt.date
    side: str
    unit: str
    strength: float
    code: str
    casualties: float


def cdb90_iwo_jima() -> list[Engagement]:
    """The Iwo Jima engagements of CDB90 (both sides), from the copied tables."""
    with open(CDB90 / "battles.csv", newline="", encoding="utf-8") as f:
        names = {r["isqno"]: r["name"] for r in csv.DictReader(f)}
    with open(CDB90 / "battle_durations.csv", newline="", encoding="utf-8") as f:
        dates = {r["isqno"]: (dt.date.fromisoformat(r["datetime_min"][:10]),
                              dt.date.fromisoformat(r["datetime_max"][:10]))
                 for r in csv.DictReader(f) if r["isqno"] in IWO_JIMA_BATTLES}
    out = []
    with open(CDB90 / "belligerents.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["isqno"] in IWO_JIMA_BATTLES:
                out.append(Engagement(
                    r["isqno"], names[r["isqno"]], *dates[r["isqno"]],
                    "US" if r["attacker"] == "1" else "Japan", r["nam"], float(r["str"]),
                    r["code"], float(r["cas"])))
    return sorted(out, key=lambda e: (e.isqno, e.side != "US"))


def day_of(date: dt.date) -> int:
    """Battle day of a date (19 February 1945 is day 1)."""
    return (date - D_DAY).days + 1


def cdb90_cumulative(rows: list[Engagement], side: str) -> list[tuple[int, float]]:
    """(last day of an engagement, casualties of ``side`` in all engagements ended by then)."""
    ends = sorted({day_of(e.last) for e in rows})
    return [(d, sum(e.casualties for e in rows if e.side == side and day_of(e.last) <= d))
            for d in ends]


def plot(engine: Array, impulse: tuple[Array, Array], engel: tuple[Array, Array],
         rows: list[Engagement], path: Path) -> None:
    """US and Japanese strength by day: engine, ODE, Engel's curve and CDB90 end points."""
    fig, axes = plt.subplots(2, 1, figsize=(8, 7.5), sharex=True)
    days = np.arange(1, DAYS + 1)
    engaged_jp = sum(e.strength for e in rows if e.side == "Japan")
    for k, (ax, side) in enumerate(zip(axes, ("US", "Japan"), strict=True)):
        ax.plot(engel[0], engel[1][:, k], color="0.55", ls="--",
                label="Engel's model (landings spread over the day)")
        ax.plot(impulse[0], impulse[1][:, k], color="tab:blue",
                label="square law, landings at dawn (solve_ivp)")
        ax.plot(days, engine[:, k], "o", ms=3.5, color="tab:red",
                label="engine, end of each day (deterministic)")
        start = sum(LANDINGS.values()) if side == "US" else engaged_jp
        cum = cdb90_cumulative(rows, side)
        label = ("73,000 landed - CDB90 US casualties (cumulative)" if side == "US"
                 else f"CDB90 Japanese engaged ({engaged_jp:,.0f}) - casualties (cumulative)")
        ax.plot([d for d, _ in cum], [start - c for _, c in cum], "s", mfc="none", ms=7,
                color="tab:green", label=label)
        ax.set_ylabel(f"{side} strength")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower center" if side == "US" else "lower left")
    axes[0].set_ylim(35_000, 70_000)  # the curves start at 0 before the first landing
    axes[0].set_title("Iwo Jima, 19 Feb - 26 Mar 1945: Engel's square law (a = 0.0544, "
                      "b = 0.0106)", fontsize=10)
    axes[1].set_xlabel("days since dawn on 19 February 1945 (day n of the battle ends at n)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main() -> int:
    """Run everything, print the tables, write the figure."""
    engine = engine_by_day()
    impulse_daily = ode(spread=False)[1][1:]
    engel_daily = ode(spread=True)[1][1:]
    rows = cdb90_iwo_jima()
    print("day  date    US engine   US ODE  US Engel  JP engine   JP ODE  JP Engel")
    for d in range(1, DAYS + 1):
        date = D_DAY + dt.timedelta(days=d - 1)
        e, o, g = engine[d - 1], impulse_daily[d - 1], engel_daily[d - 1]
        print(f"{d:3d}  {date:%d %b}  {e[0]:9,.0f}  {o[0]:7,.0f}  {g[0]:8,.0f}  "
              f"{e[1]:9,.0f}  {o[1]:7,.0f}  {g[1]:8,.0f}")
    fighting = impulse_daily[:, 1] > 0
    us_err = np.max(np.abs(engine[:, 0] / impulse_daily[:, 0] - 1))
    jp_err = np.max(np.abs(engine[fighting, 1] / impulse_daily[fighting, 1] - 1)[:-1])
    engel_gap = np.max(np.abs(engine[:, 0] / engel_daily[:, 0] - 1))
    print(f"\nengine vs ODE, max relative difference: US {us_err:.1e} (days 1-36), "
          f"Japan {jp_err:.1e} (days 1-34; on day 35 the last "
          f"{impulse_daily[34, 1]:,.0f} break at 100:1 and surrender)")
    print(f"engine vs Engel's curve (landings spread over the day): US within {engel_gap:.2%}")
    us_cas = sum(LANDINGS.values()) - engine[-1, 0]
    print(f"US casualties by day 36: engine {us_cas:,.0f}; Engel's curve "
          f"{sum(LANDINGS.values()) - engel_daily[-1, 0]:,.0f}; recorded 26,038 killed and "
          f"wounded ({us_cas / 26_038:.0%}), ~28,700 all casualties ({us_cas / 28_700:.0%})")
    print("\nCDB90 (validation/data/cdb90): the Iwo Jima engagements")
    print("isqno  dates (days)          side   strength (code)  casualties  unit [battle]")
    for e in rows:
        span = f"{e.first:%d %b}-{e.last:%d %b} ({day_of(e.first)}-{day_of(e.last)})"
        print(f"{e.isqno:5s}  {span:21s} {e.side:5s}  {e.strength:8,.0f} ({e.code})  "
              f"{e.casualties:10,.0f}  {e.unit} [{e.name}]")
    for side in ("US", "Japan"):
        total = sum(e.casualties for e in rows if e.side == side)
        print(f"CDB90 {side} casualties, all three engagements: {total:,.0f}")
    plot(engine, ode(spread=False, per_day=24), ode(spread=True, per_day=24), rows, FIGURE)
    print(f"\nwrote {FIGURE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
