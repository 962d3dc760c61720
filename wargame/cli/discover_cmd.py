"""``wargame discover``: which sampled inputs make an outcome happen (scenario discovery)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from wargame.cli.common import EXAMPLE_SCENARIO as A
from wargame.cli.common import Command, examples, handle_errors, stdout_console
from wargame.cli.options import (
    ChunkOpt,
    OutcomeOpt,
    QuietOpt,
    RunsOpt,
    SeedOpt,
    SetOpt,
    TableOrJson,
    TableOrJsonOpt,
    WorkersOpt,
)
from wargame.cli.progress import Reporter
from wargame.display import Col, fitted, pct, plural
from wargame.textsafe import printable


@handle_errors
def discover(
    outcome: OutcomeOpt,
    scenario: Annotated[Path | None, typer.Argument(
        help="Scenario YAML file (or --games FILE instead).", show_default=False)] = None,
    games: Annotated[Path | None, typer.Option(
        "--games", help="Read the per-game records of an earlier `wargame batch --games "
        "FILE` instead of playing.", show_default=False)] = None,
    runs: RunsOpt = None, seed: SeedOpt = None, workers: WorkersOpt = None,
    chunk_size: ChunkOpt = None, set_: SetOpt = None,
    depth: Annotated[int, typer.Option("--depth", help="Depth of the tree (at most 2^depth "
                                       "boxes).")] = 3,
    min_share: Annotated[float, typer.Option(
        "--min-share", help="Smallest box, as a share of the games.")] = 0.05,
    fmt: TableOrJsonOpt = TableOrJson.table,
    quiet: QuietOpt = False,
) -> None:
    """Find the ranges of the sampled parameters in which an outcome comes true most often.

    Plays a batch with per-game records (or reads --games) and fits a decision tree
    (scikit-learn, wargame[discover]) of the outcome on every uncertain parameter.
    """
    from wargame.api import discover as run_discover

    with Reporter(quiet) as rep:
        found = run_discover(scenario, outcome, games=games, runs=runs, seed=seed,
                             chunk_size=chunk_size, workers=workers, overrides=set_ or [],
                             depth=depth, min_share=min_share, reporter=rep)
    if fmt is TableOrJson.json:
        typer.echo(json.dumps(found.to_dict(), indent=2))
        return
    out = stdout_console()
    out.print(Text(f"{printable(found.outcome)}: came true in {found.hits:,} of "
                   f"{plural(found.games, 'game')} ({pct(found.base_rate, 1)})", style="bold"))
    out.print(fitted([Col("inputs in the box"), Col("games", "right", False),
                      Col("density", "right", False), Col("coverage", "right", False)],
                     [[b.text("\n"), f"{b.games:,}", pct(b.density, 1), pct(b.coverage, 1)]
                      for b in found.boxes],
                     title="Boxes of sampled inputs, densest first (a decision tree's leaves)",
                     caption="density: share of the box's games where it came true; coverage: "
                     "share of all the games where it came true that fall in the box",
                     sections=range(len(found.boxes))))
    if found.importance:
        out.print(fitted([Col("parameter"), Col("importance", "right", False)],
                         [[name, pct(v)] for name, v in found.importance.items()],
                         title="Inputs the tree split on (importance)"))
    else:
        out.print("No split: no sampled input separates the games where it came true.")


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("discover", cls=Command, epilog=examples(
        f"wargame discover {A} --outcome daesh_reaches_corridor --runs 2000 --seed 7",
        "wargame discover --games games.parquet --outcome kuweires_falls"))(discover)
