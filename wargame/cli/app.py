"""The ``wargame`` command line: thin commands over the package API.

The commands call :mod:`wargame.api` for every operation it has (load, play, batch, sweep,
compare, branch, discover, read and open a store). They reach below it only for what the API
does not offer: a batch read back with the scenario it came from, for the pictures
(``montecarlo.jobs.read_batch``); the one-parameter-at-a-time design of ``plot tornado``
(``montecarlo.jobs.points_job``, ``montecarlo.sweep.parse_vary``, ``montecarlo.stats.wilson``);
the compiled map of initial control (``engine.compile_scenario``); and the reports and
pictures themselves (:mod:`wargame.report`).
"""

from __future__ import annotations

from typing import Annotated

import typer

from wargame.cli import (
    batch_cmds,
    discover_cmd,
    picture_cmds,
    plot_cmds,
    run_cmd,
    scenario_cmds,
)
from wargame.cli.common import EXAMPLE_SCENARIO as A
from wargame.cli.common import Group, examples
from wargame.version import version as wargame_version

app = typer.Typer(
    name="wargame",
    help="Scenario wargaming: validate YAML scenarios, play games, run Monte Carlo batches. "
    "Exit codes: 0 ok, 1 error, 2 invalid input or usage, 130 interrupted (Ctrl-C), "
    "143 terminated (SIGTERM).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    cls=Group,
    epilog=examples(f"wargame show {A}", f"wargame run {A} --seed 1",
                    f"wargame batch {A} --runs 2000 --seed 7"),
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"wargame {wargame_version()}")  # read when asked (30 ms)
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Scenario wargaming from the command line.

    Exit codes: 0 ok, 1 error, 2 invalid input or usage, 130 interrupted (Ctrl-C),
    143 terminated (SIGTERM).
    """


scenario_cmds.register(app)
run_cmd.register(app)
batch_cmds.register(app)
discover_cmd.register(app)
picture_cmds.register(app)
plot_cmds.register(app)
