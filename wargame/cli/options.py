"""The options and arguments several commands share, each declared once.

A command names its parameters with these types (``seed: SeedOpt = None``), so an option
reads, parses and is explained the same way wherever it appears. Options one command alone
takes (``batch --precision``, ``branch --at``) stay with that command. Where the same flag
means something else in another command it has its own declaration, named for what it holds
(``--runs`` of ``branch`` counts the games played to the branch, ``BranchRunsOpt``; its
``--set`` is the change it makes, ``ChangeOpt``).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class Format(StrEnum):
    """Output formats of batch, sweep, compare, branch and ``results show``."""

    table = "table"
    json = "json"
    csv = "csv"


class TableOrJson(StrEnum):
    """Output formats of ``run`` and ``discover``."""

    table = "table"
    json = "json"


# --- the scenario ----------------------------------------------------------------------------

ScenarioArg = Annotated[Path, typer.Argument(help="Scenario YAML file.", show_default=False)]
ScenarioOrStoreArg = Annotated[Path | None, typer.Argument(
    help="Scenario YAML file (with --store: optional, the store's own by default).",
    show_default=False)]
ScenarioAArg = Annotated[Path, typer.Argument(help="Scenario A.", show_default=False)]
ScenarioBArg = Annotated[Path, typer.Argument(help="Scenario B.", show_default=False)]
SetOpt = Annotated[list[str] | None, typer.Option(
    "--set", help="Override a value: path=value (YAML). Repeatable.", show_default=False)]
ChangeOpt = Annotated[list[str] | None, typer.Option(
    "--set", help="The change: path=value (YAML), applied from the branch on. Repeatable.",
    show_default=False)]
TurnsOpt = Annotated[int | None, typer.Option(
    "--turns", help="Play this many turns instead of the scenario's.", show_default=False)]

# --- how many games, how they are drawn and where they run -----------------------------------

RunsOpt = Annotated[int | None, typer.Option(
    "--runs", "-n", help="Games (per point). Default 1000; with --precision, the cap "
    "(default 100000).", show_default=False)]
PictureRunsOpt = Annotated[int | None, typer.Option(
    "--runs", "-n", help="Play this many games (as wargame batch does).", show_default=False)]
ReportRunsOpt = Annotated[int | None, typer.Option(
    "--runs", "-n", help="Games to play (default 1000).", show_default=False)]
BranchRunsOpt = Annotated[int | None, typer.Option(
    "--runs", "-n", help="Games played to the turn of the branch (default 1000).",
    show_default=False)]
PlotRunsOpt = Annotated[int | None, typer.Option(
    "--runs", "-n", help="Games to play (per variant; default 1000).", show_default=False)]
SeedOpt = Annotated[int | None, typer.Option(
    "--seed", help="Root seed; drawn and printed on stderr if omitted.", show_default=False)]
GameSeedOpt = Annotated[int | None, typer.Option(
    "--seed", help="Random seed (with --game, the batch's); drawn and printed if omitted.",
    show_default=False)]
ChunkOpt = Annotated[int | None, typer.Option(
    "--chunk-size", help="Games per chunk (default 1000). Part of the result: changing it "
    "changes the games played.", show_default=False)]
WorkersOpt = Annotated[int | None, typer.Option(
    "--workers", "-w", help="Worker processes on this machine. Default: from the cores "
    "available and the size of the run (one process for a small run).", show_default=False)]
SchedulerOpt = Annotated[str | None, typer.Option(
    "--scheduler", help="Run chunks on the Dask cluster at this address (needs "
    "wargame[dask]).", show_default=False)]
VaryOpt = Annotated[list[str], typer.Option(
    "--vary", help="path=start:stop:steps (numbers) or path=a,b,c (values). Repeatable.",
    show_default=False)]
OutcomeOpt = Annotated[str, typer.Option("--outcome", help="Outcome id.", show_default=False)]

# --- stores and per-game records -------------------------------------------------------------

StoreOpt = Annotated[Path | None, typer.Option(
    "--store", help="Keep every finished chunk in this SQLite file.", show_default=False)]
ResumeOpt = Annotated[bool, typer.Option(
    "--resume", help="Continue the interrupted run kept in --store.")]
StoredGamesOpt = Annotated[Path | None, typer.Option(
    "--store", help="Draw the games kept by `wargame batch --store FILE` instead.",
    show_default=False)]
StoreArg = Annotated[Path, typer.Argument(help="Store file (from --store).",
                                          show_default=False)]
GamesOpt = Annotated[Path | None, typer.Option(
    "--games", help="Also write one record per game to this Parquet file (needs "
    "wargame[data]): outcomes' first turns, final control, strengths, sampled parameters.",
    show_default=False)]

# --- output ----------------------------------------------------------------------------------

FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.",
                                           case_sensitive=False)]
TableOrJsonOpt = Annotated[TableOrJson, typer.Option("--format", "-f", help="Output format.",
                                                     case_sensitive=False)]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]
PictureOpt = Annotated[Path, typer.Option("--out", "-o", help="Output file (.png or .svg).",
                                          show_default=False)]
SizeOpt = Annotated[str | None, typer.Option(
    "--size", help="Image size in pixels, WIDTHxHEIGHT (default 1600x1200).",
    show_default=False)]
WidthOpt = Annotated[int | None, typer.Option("--width", help="Image width in pixels.",
                                              show_default=False)]
HeightOpt = Annotated[int | None, typer.Option("--height", help="Image height in pixels.",
                                               show_default=False)]
