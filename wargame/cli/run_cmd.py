"""``wargame run``: play one game and tell its story."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from wargame.cli.common import EXAMPLE_SCENARIO as A
from wargame.cli.common import Command, examples, handle_errors, stderr_console, stdout_console
from wargame.cli.options import GameSeedOpt, ScenarioArg, SetOpt, TableOrJson, TurnsOpt
from wargame.textsafe import terminal


@handle_errors
def run(
    scenario: ScenarioArg, seed: GameSeedOpt = None, turns: TurnsOpt = None,
    set_: SetOpt = None,
    deterministic: Annotated[bool, typer.Option(
        help="Parameter means and expected casualties, no dice.")] = False,
    fmt: Annotated[TableOrJson, typer.Option(
        "--format", "-f", help="Output format: the story (table), or the turn-by-turn record with "
        "the story (json).")] = TableOrJson.table,
    game_: Annotated[int | None, typer.Option(
        "--game", help="Replay game K (counted from 0) of the batch with this --seed and "
        "--runs: the game column of its per-game records.", show_default=False)] = None,
    runs: Annotated[int | None, typer.Option(
        "--runs", "-n", help="With --game: the batch's number of games.",
        show_default=False)] = None,
    chunk_size: Annotated[int | None, typer.Option(
        "--chunk-size", help="With --game: the batch's games per chunk (default 1000).",
        show_default=False)] = None,
    forces: Annotated[bool, typer.Option(
        "--forces", help="After each turn's story, the fighters each faction holds at each "
        "place (always in --format json).")] = False,
) -> None:
    """Play one game and tell, turn by turn, why each town changed hands."""
    from wargame.api import load, play
    from wargame.errors import UsageError
    from wargame.report.narrative import narrative

    if game_ is None and (runs is not None or chunk_size is not None):
        raise UsageError("--runs and --chunk-size go with --game (which game of the batch "
                         "to replay)")
    if game_ is not None and deterministic:
        raise UsageError("--deterministic plays no batch: it cannot go with --game")
    loaded = load(scenario, set_ or [])
    drawn = seed is None
    game = play(loaded, seed=seed, turns=turns, deterministic=deterministic, game=game_,
                runs=runs, chunk_size=chunk_size)
    if drawn:
        stderr_console().print(f"seed {game.seed} (replay with --seed {game.seed})")
    if fmt is TableOrJson.json:
        typer.echo(json.dumps(game.to_dict(), indent=2))
    else:
        out = stdout_console()
        sets = "".join(f", --set {o}" for o in loaded.overrides)
        turns_note = f", {turns} turns" if turns is not None else ""
        how = ", deterministic (parameter means, expected losses)" if deterministic else ""
        out.print(f"[bold]{terminal(loaded.scenario.scenario.name)}[/] — "
                  f"{terminal(game.label + turns_note + sets + how)}")
        out.print(narrative(game, forces=forces))


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("run", cls=Command, epilog=examples(
        f"wargame run {A} --seed 1",
        f"wargame run {A} --seed 1 --set support.russian_air.sorties_per_turn=0",
        f"wargame run {A} --seed 1 --forces",
        f"wargame run {A} --game 3 --runs 2000 --seed 7",
        f"wargame run {A} --seed 1 --format json > game.json"))(run)
