"""How a side's daily loss depends on the force ratio in CDB90: evidence for
``model.max_engaged_ratio``.

Usage (from the repository root)::

    .venv/bin/python validation/cdb90_loss_by_ratio.py

Lanchester's square law, which the engine integrates, makes the defender's daily loss fraction
proportional to the attacker's power over its own: ten attackers to one would kill ten times
as fast as one to one. The battles CDB90's coefficients are measured on do not show that. This
script regresses the log of each side's casualty fraction per day of battle (active days where
known, else calendar days) on the log of the strength ratio, over the battles of the fit
(:func:`calibration.cdb90.load_battles`), and prints the medians by band of ratio. The
attacker's loss falls with the ratio about as the square law says (slope near -1); the
defender's does not rise with it (slope near 0, not +1): beyond a few to one the extra attackers
do not reach the defenders. ``docs/validation.md`` ("The modern battles: how many attackers can
fight") quotes the output.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from calibration.cdb90 import load_battles  # noqa: E402

DATA_DIR = ROOT / "validation" / "data" / "cdb90"
BANDS = ((0.0, 1.0), (1.0, 2.0), (2.0, 4.0), (4.0, 8.0), (8.0, np.inf))


def main() -> int:
    """Print the regression slopes and the table by band."""
    b = load_battles(DATA_DIR)
    ratio = b.att_strength / b.def_strength
    days = np.where(np.isfinite(b.active_days) & (b.active_days > 0), b.active_days, b.days)
    ok = np.isfinite(days) & (days > 0) & (b.def_casualties > 0) & (b.att_casualties > 0)
    r = ratio[ok]
    fd = b.def_casualties[ok] / b.def_strength[ok] / days[ok]
    fa = b.att_casualties[ok] / b.att_strength[ok] / days[ok]
    x = np.vstack([np.ones(r.size), np.log(r)]).T
    print(f"{ok.sum()} CDB90 battles with both sides' casualties and a duration")
    print("| side | slope of log(daily loss fraction) on log(strength ratio) | square law |")
    print("|---|---:|---:|")
    for name, y, law in (("defender", fd, "+1"), ("attacker", fa, "-1")):
        slope = float(np.linalg.lstsq(x, np.log(y), rcond=None)[0][1])
        print(f"| {name} | {slope:+.2f} | {law} |")
    print()
    print("| strength ratio | battles | defender's daily loss (median) | attacker's |")
    print("|---|---:|---:|---:|")
    for lo, hi in BANDS:
        m = (r >= lo) & (r < hi)
        band = f"{lo:g}–{hi:g}" if np.isfinite(hi) else f"{lo:g} and over"
        print(f"| {band} | {m.sum()} | {np.median(fd[m]):.1%} | {np.median(fa[m]):.1%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
