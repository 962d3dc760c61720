"""How much the judgement defaults matter on the four theatres: each ``model:`` setting whose
default is a judgement, halved and doubled, one at a time.

Usage (from the repository root)::

    .venv/bin/python validation/campaign_sensitivity.py              # every such setting
    .venv/bin/python validation/campaign_sensitivity.py --settings hold_share,air_focus
    .venv/bin/python validation/campaign_sensitivity.py --runs 200 --workers 1
    .venv/bin/python validation/campaign_sensitivity.py --settings hold_share --factors 0.75,1.5

The settings are those of the registry (``wargame/scenario/settings.py``) whose ``source``
is a judgement and whose default is a number other than 0, less ``steps_per_day`` (a
numerical step, not an assumption about war). Each is played at ``DEFAULT_FACTORS`` times its
default (clipped to its bounds; whole-number settings rounded away from the default), every
other setting at its default, the fitted ``pause_days`` and ``capitulation_rate`` included:
no fit is redone. Every theatre of ``validation/campaigns.py`` is played ``VARIANT_SEEDS`` times
(seeds ``SEED``, ``SEED + 1``...) with ``RUNS`` games and scored as the fit scores it: the
month-end Brier skill against a uniform guess, and the changes of control a month against
history's. The mean over seeds is reported, and the difference from the defaults.

This is a check, not a fit: nothing here sets a default. A setting that moves the theatres'
skill little within a factor of two of its default is one the theatres cannot tell, and one
that moves it much is one on which their scores rest.

Writes the markdown tables it prints to ``validation/results/campaign_sensitivity.md``
(unless ``--settings`` or ``--factors`` changes what is played).
"""

from __future__ import annotations

import argparse
import math
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "validation"))

import aleppo_hindcast as hind  # noqa: E402  (the table format)
import campaigns  # noqa: E402  (the theatres and their scoring)

from wargame.scenario.settings import BY_NAME, SETTINGS, Setting  # noqa: E402

REPORT = ROOT / "validation" / "results" / "campaign_sensitivity.md"
DEFAULT_FACTORS = (0.5, 2.0)
"""The values tried: half and twice each default."""
LEFT_OUT = ("steps_per_day",)
"""Judgement settings that are numerical steps, not assumptions about war."""


@dataclass(frozen=True)
class Played:
    """The theatres at one setting: per theatre, the mean over seeds."""

    skill: dict[str, float]           # skill against uniform
    changes: dict[str, float]         # changes of control a month in the games
    history: dict[str, float]         # and in history

    @property
    def mean_skill(self) -> float:
        return float(np.mean(list(self.skill.values())))

    @property
    def tempo(self) -> float:
        """Geometric mean over theatres of changes a month, games over history."""
        return float(np.exp(np.mean([math.log(max(self.changes[n], 1e-9) / self.history[n])
                                     for n in self.changes])))


def judgement_settings() -> list[Setting]:
    """The settings tried, in the registry's order."""
    return [s for s in SETTINGS
            if s.source.startswith("judgement") and s.kind in ("number", "whole")
            and isinstance(s.default, (int, float)) and not isinstance(s.default, bool)
            and s.default != 0 and s.name not in LEFT_OUT]


def scaled(setting: Setting, factor: float) -> float | int:
    """``factor`` times the setting's default, within its bounds (whole numbers rounded away
    from the default, so that half of 1 is 0)."""
    assert isinstance(setting.default, (int, float))
    v = float(setting.default) * factor
    if setting.high is not None:
        v = min(v, setting.high)
    if setting.low is not None:
        v = max(v, setting.low)
    if setting.kind == "whole":
        return math.floor(v) if factor < 1 else math.ceil(v)
    return v


def play_all(sets: tuple[str, ...], runs: int, seed: int) -> Played:
    """Every theatre at the model's defaults with ``sets``, over ``VARIANT_SEEDS`` seeds."""
    point = default_point()
    skill, changes, history = {}, {}, {}
    for th in campaigns.theatres():
        got = [campaigns.play(th, point, runs, seed + k, sets)
               for k in range(campaigns.VARIANT_SEEDS)]
        skill[th.name] = float(np.mean([g.skill_uniform for g in got]))
        changes[th.name] = float(np.mean([g.changes_per_month for g in got]))
        history[th.name] = got[0].actual_per_month
    return Played(skill, changes, history)


def default_point() -> campaigns.Point:
    """The fitted point as the model's defaults state it."""
    pause, rate = BY_NAME["pause_days"].default, BY_NAME["capitulation_rate"].default
    assert isinstance(pause, int) and isinstance(rate, float)
    return pause, rate


def _task(args: tuple[tuple[str, ...], int, int]) -> Played:
    return play_all(*args)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--runs", type=int, default=campaigns.RUNS,
                    help=f"games per theatre and seed ({campaigns.RUNS})")
    ap.add_argument("--seed", type=int, default=campaigns.SEED,
                    help=f"first seed ({campaigns.SEED})")
    ap.add_argument("--settings", default="",
                    help="comma-separated setting names (default: every judgement setting)")
    ap.add_argument("--factors", default=",".join(f"{f:g}" for f in DEFAULT_FACTORS),
                    help="comma-separated multiples of each default to play "
                         f"(default: {','.join(f'{f:g}' for f in DEFAULT_FACTORS)})")
    ap.add_argument("--workers", type=int, default=2,
                    help="processes (the numbers do not depend on it)")
    args = ap.parse_args(argv)
    try:
        factors = tuple(float(f) for f in args.factors.split(",") if f.strip())
    except ValueError:
        print(f"--factors: not a list of numbers: {args.factors!r}", file=sys.stderr)
        return 2
    if not factors or any(f <= 0 for f in factors):
        print("--factors: give one or more numbers above 0", file=sys.stderr)
        return 2
    chosen = judgement_settings()
    if args.settings:
        wanted = [n.strip() for n in args.settings.split(",") if n.strip()]
        known = {s.name for s in chosen}
        unknown = [n for n in wanted if n not in known]
        if unknown:
            print(f"not a judgement setting tried here: {', '.join(unknown)} "
                  f"(known: {', '.join(sorted(known))})", file=sys.stderr)
            return 2
        chosen = [s for s in chosen if s.name in wanted]
    tasks: list[tuple[str, ...]] = [()]
    for s in chosen:
        for f in factors:
            tasks.append((f"model.{s.name}={scaled(s, f)}",))
    with ProcessPoolExecutor(max_workers=max(1, args.workers)) as pool:
        played = list(pool.map(_task, [(t, args.runs, args.seed) for t in tasks]))
    base = played[0]
    names = list(base.skill)
    pause, rate = default_point()
    title = ("each halved and doubled" if factors == DEFAULT_FACTORS
             else "each at " + ", ".join(f"{f:g}" for f in factors) + " times its default")
    lines = [f"## The judgement defaults on the four theatres: {title}\n",
             f"At the defaults (pause {pause} days, capitulation rate {rate:g} a day), "
             f"{args.runs} games a theatre and seed, the mean of {campaigns.VARIANT_SEEDS} "
             f"seeds from {args.seed}. Skill: Brier skill against a uniform guess, the mean "
             "over the theatres (the difference from the defaults in brackets). Tempo: "
             "changes of control a month, games over history, the geometric mean over the "
             "theatres. Most moved: the theatre whose skill moves most, and by how much.\n",
             f"At the defaults: mean skill {base.mean_skill:+.3f} "
             f"({', '.join(f'{n} {base.skill[n]:+.3f}' for n in names)}); "
             f"tempo {base.tempo:.2f}.\n"]
    rows = []
    for i, s in enumerate(chosen):
        cells = [f"`{s.name}`", f"{s.default:g}"]
        for j, f in enumerate(factors):
            p = played[1 + len(factors) * i + j]
            moved = max(names, key=lambda n: abs(p.skill[n] - base.skill[n]))
            cells += [f"{scaled(s, f):g}",
                      f"{p.mean_skill:+.3f} ({p.mean_skill - base.mean_skill:+.3f})",
                      f"{p.tempo:.2f}",
                      f"{moved} {p.skill[moved] - base.skill[moved]:+.3f}"]
        rows.append(cells)
    header = ["setting", "default"]
    for f in factors:
        header += [f"×{f:g}", "skill", "tempo", "most moved"]
    lines.append(hind.md_table(header, rows) + "\n")
    text = "\n".join(lines)
    sys.stdout.write(text)
    if not args.settings and factors == DEFAULT_FACTORS:
        REPORT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
