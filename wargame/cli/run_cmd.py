"""``wargame run``: play one game and tell its story."""

from __future__ import annotations

import json
import secrets
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from wargame.cli.common import handle_errors, stderr_console, stdout_console
from wargame.errors import UsageError
from wargame.scenario import load


class Format(StrEnum):
    """Output formats of ``run``."""

    table = "table"
    json = "json"


@handle_errors
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.", show_default=False)],
    seed: Annotated[int | None, typer.Option(help="Random seed; drawn and printed if omitted.",
                                             show_default=False)] = None,
    turns: Annotated[int | None, typer.Option(help="Number of turns (default: the scenario's).",
                                              show_default=False)] = None,
    set_: Annotated[list[str] | None, typer.Option(
        "--set", help="Override a value: path=value. Repeatable.", show_default=False)] = None,
    deterministic: Annotated[bool, typer.Option(
        help="Parameter means and expected casualties, no dice.")] = False,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.table,
) -> None:
    """Play one game and tell, turn by turn, why each town changed hands."""
    from wargame.engine import compile_scenario, simulate
    from wargame.report.narrative import game_json, narrative

    if seed is not None and seed < 0:
        raise UsageError("--seed must be a non-negative integer")
    if turns is not None and not 0 <= turns <= 1000:
        raise UsageError("--turns must be between 0 and 1000")
    loaded = load(scenario, set_ or [])
    if seed is None:
        seed = secrets.randbits(63)
        stderr_console().print(f"seed {seed} (replay with --seed {seed})")
    compiled = compile_scenario(loaded.scenario)
    res = simulate(compiled, np.random.default_rng(seed), 1, turns=turns,
                   deterministic=deterministic, log=True)
    if fmt is Format.json:
        typer.echo(json.dumps(game_json(compiled, res, seed, loaded.digest), indent=2))
    else:
        out = stdout_console()
        out.print(f"[bold]{loaded.scenario.scenario.name}[/] — seed {seed}")
        out.print(narrative(compiled, res))


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("run")(run)
