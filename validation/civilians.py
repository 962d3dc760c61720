"""Civilian deaths and displacement in the model beside the published figures.

Usage (from the repository root)::

    .venv/bin/python validation/civilians.py              # 1,000 games a scenario
    .venv/bin/python validation/civilians.py --runs 200   # quicker

Plays the Mosul 2016-17 scenario (``scenarios/mosul_2016.yaml``, 40 weekly turns) and the
built-in Aleppo scenario (``scenarios/aleppo_2015.yaml``, 13 Oct 2015 to 12 Apr 2016, and its
history variant ``scenarios/aleppo_2015_history.yaml``, to 2 Jan 2017) with the
documented civilian rates, and prints the mean and the 5th-95th percentile of games of the
civilians killed and displaced for groups of places, with the week each half of Mosul lost
half its people and the displaced by mid-January 2017. ``docs/validation.md`` (section
"Civilians") sets them beside the published figures. Writes the markdown it prints to
``validation/results/civilians.md``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wargame.engine import compile_scenario, simulate  # noqa: E402
from wargame.scenario import load  # noqa: E402

SEED = 7
GROUPS = {
    "mosul_2016": {
        "Mosul city (east and west banks)": ["mosul_east", "mosul_west"],
        "Mosul, east bank": ["mosul_east"],
        "Mosul, west bank": ["mosul_west"],
        "the whole theatre": None,
    },
    "aleppo_2015_history": {
        "Aleppo (East)": ["aleppo_east"],
        "northern Aleppo countryside (Azaz, Tal Rifaat, Mare', Anadan)":
            ["azaz", "tal_rifaat", "mare", "anadan"],
        "the whole theatre": None,
    },
    "aleppo_2015": {
        "northern Aleppo countryside (Azaz, Tal Rifaat, Mare', Anadan)":
            ["azaz", "tal_rifaat", "mare", "anadan"],
        "Aleppo city (east and west)": ["aleppo_east", "aleppo_west"],
        "the whole theatre": None,
    },
}


def spread(x: np.ndarray) -> str:
    """Mean (5th-95th percentile of games), rounded to the hundred."""
    lo, hi = np.percentile(x, [5, 95])
    return f"{round(x.mean(), -2):,.0f} ({round(lo, -2):,.0f}–{round(hi, -2):,.0f})"


def half_gone(people: np.ndarray, pop: float) -> str:
    """Median turn at which a place has lost half its people (killed or fled)."""
    gone = (people >= pop / 2).argmax(axis=0).astype(float)
    gone[(people < pop / 2).all(axis=0)] = np.nan
    share = float(np.isfinite(gone).mean())
    med = float(np.nanmedian(gone)) if share > 0 else float("nan")
    return f"turn {med:.0f} in {100 * share:.0f}% of games" if share else "never"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1000)
    args = ap.parse_args()
    lines = [f"Civilians in the model ({args.runs:,} games a scenario, seed {SEED}): mean "
             "(5th–95th percentile of games)", ""]
    for name, groups in GROUPS.items():
        c = compile_scenario(load(ROOT / "scenarios" / f"{name}.yaml").scenario)
        res = simulate(c, np.random.default_rng(SEED), args.runs, record_turns=True)
        assert res.civilians_killed is not None and res.displaced is not None
        assert res.civilians_killed_by_turn is not None and res.displaced_by_turn is not None
        lines += [f"### {c.scenario.scenario.name} ({c.turns} turns)", "",
                  "| places | population | killed | displaced |", "|---|---|---|---|"]
        for label, ids in groups.items():
            idx = ([c.settlements.index(s) for s in ids] if ids is not None
                   else list(range(c.n_settlements)))
            pop = float(c.population[idx].sum())
            lines.append(f"| {label} | {pop:,.0f} | "
                         f"{spread(res.civilians_killed[:, idx].sum(axis=1))} | "
                         f"{spread(res.displaced[:, idx].sum(axis=1))} |")
        lines.append("")
        if name == "aleppo_2015_history":
            n = c.settlements.index("aleppo_east")
            regime = c.factions.index("regime")
            fell = res.control[:, n] == regime
            lines.append(f"- Aleppo (East) held by the regime at the end in "
                         f"{100 * fell.mean():.0f}% of games; displaced from it in those: "
                         f"{spread(res.displaced[fell, n]) if fell.any() else 'none'}")
            lines.append("")
        if name == "mosul_2016":
            # Turn 13 runs 9-15 Jan 2017: IOM had counted about 144,500 displaced by 13 Jan.
            lines.append("- displaced from the whole theatre by the end of turn 13 (15 Jan "
                         f"2017): {spread(res.displaced_by_turn[13].sum(axis=1))}")
            for sid in ("mosul_east", "mosul_west"):
                n = c.settlements.index(sid)
                gone = res.civilians_killed_by_turn[:, :, n] + res.displaced_by_turn[:, :, n]
                lines.append(f"- {sid}: half its people gone by "
                             f"{half_gone(gone, float(c.population[n]))}")
            lines.append("")
    text = "\n".join(lines)
    print(text)
    (ROOT / "validation" / "results" / "civilians.md").write_text(text + "\n",
                                                                 encoding="utf-8")


if __name__ == "__main__":
    main()
