"""Regenerate the example pictures of docs/howto-pictures.md (docs/img/map_*.png, plot_*.png).

Run from the repository root:

    .venv/bin/python docs/make_images.py

Each picture is made by the ``wargame`` command printed before it, exactly as a user would type
it (at a smaller size, to keep the repository light). Seeds are fixed, so the pictures only
change when the engine, the scenario or the drawing code does.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from typer.testing import CliRunner

from wargame.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
SIZE = "--size 1000x750"
ALEPPO = "scenarios/aleppo_2015.yaml"
COMMANDS = [
    f"map {ALEPPO} --out docs/img/map_start.png {SIZE}",
    f"map {ALEPPO} --runs 2000 --seed 42 --out docs/img/map_batch.png {SIZE}",
    f"map {ALEPPO} --runs 2000 --seed 42 --turn 6 --out docs/img/map_turn6.png {SIZE}",
    f"plot outcomes {ALEPPO} --runs 2000 --seed 42 --out docs/img/plot_outcomes.png {SIZE}",
    f"plot timing {ALEPPO} --outcome pyd_unites_afrin_kobane --runs 2000 --seed 42 "
    f"--out docs/img/plot_timing.png {SIZE}",
    f"plot sweep {ALEPPO} --outcome kuweires_falls "
    "--vary support.russian_air.sorties_per_turn=0:300:4 "
    "--vary factions.daesh.strength=5000:11000:4 --runs 500 --seed 42 "
    f"--out docs/img/plot_sweep.png {SIZE}",
    f"plot tornado {ALEPPO} --outcome kuweires_falls "
    "--vary support.russian_air.sorties_per_turn=0:300 --vary factions.daesh.strength=5000:11000 "
    "--vary factions.regime.quality=0.8:1.2 --vary factions.daesh.morale=0.5:0.9 "
    f"--runs 1000 --seed 42 --out docs/img/plot_tornado.png {SIZE}",
    f"plot compare {ALEPPO} scenarios/variants/no_russian_air.yaml --runs 2000 --seed 42 "
    f"--out docs/img/plot_compare.png {SIZE}",
]


def main() -> int:
    """Run every command from the repository root; stop at the first failure."""
    import os

    os.chdir(ROOT)
    runner = CliRunner()
    for cmd in COMMANDS:
        print(f"$ wargame {cmd}", flush=True)
        res = runner.invoke(app, [*shlex.split(cmd), "--quiet"])
        sys.stderr.write(res.stderr)
        if res.exit_code != 0:
            return res.exit_code
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
