"""Commands about scenario files: validate, show, schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from wargame.cli.common import EXAMPLE_SCENARIO as A
from wargame.cli.common import Command, examples, handle_errors, stderr_console, stdout_console
from wargame.cli.options import ScenarioArg, SetOpt
from wargame.errors import EXIT_INVALID, InvalidInput, WargameError
from wargame.textsafe import printable, terminal


@handle_errors
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario files to check.",
                                                show_default=False)],
    set_: SetOpt = None,
) -> None:
    """Check scenario files; print every problem as file:line:col: path: message."""
    from wargame.api import load

    out = stdout_console()
    err = stderr_console()
    failed = 0
    for f in files:
        try:
            loaded = load(f, set_ or [])
        except InvalidInput as exc:
            failed += 1
            for line in exc.lines():
                err.print(f"[bold red]error:[/] {terminal(line)}")
            continue
        except WargameError as exc:
            failed += 1
            err.print(f"[bold red]error:[/] {terminal(str(exc))}")
            continue
        sc = loaded.scenario
        # One plain line per file: never hard-wrapped at the terminal width (scripts grep it),
        # and no markup, so a file name with brackets prints as it is.
        out.print(f"{printable(f)}: ok ({len(sc.factions)} factions, "
                  f"{len(sc.settlements)} settlements, "
                  f"{len(sc.links)} links, {len(sc.outcomes)} outcomes)",
                  soft_wrap=True, markup=False)
    if failed:
        err.print(f"{failed} of {len(files)} file(s) invalid")
        raise typer.Exit(EXIT_INVALID)


@handle_errors
def show(file: ScenarioArg, set_: SetOpt = None) -> None:
    """Show a scenario: factions, relations, settlements, support, events, outcomes, sources."""
    from wargame.api import load
    from wargame.report.overview import overview, sources

    loaded = load(file, set_ or [])
    out = stdout_console()
    out.print(overview(loaded))
    if loaded.scenario.scenario.sources:
        out.print(sources(loaded.scenario.scenario.sources), soft_wrap=True)


@handle_errors
def schema(
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file.")] = None,
) -> None:
    """Print the JSON Schema of the scenario format (for editor completion and checks)."""
    from wargame.scenario.jsonschema import json_schema

    text = json.dumps(json_schema(), indent=2)
    if out is None:
        typer.echo(text)
    else:
        from wargame.outputs import check_target, write_text, wrote

        replaced = check_target(out)
        write_text(out, text + "\n")
        stderr_console().print(terminal(wrote(out, replaced)))


def register(app: typer.Typer) -> None:
    """Add these commands to the app."""
    app.command("validate", cls=Command, epilog=examples(
        f"wargame validate {A} scenarios/variants/*.yaml",
        f"wargame validate {A} --set factions.daesh.strength=9000"))(validate)
    app.command("show", cls=Command, epilog=examples(
        f"wargame show {A}",
        "wargame show scenarios/variants/no_russian_air.yaml"))(show)
    app.command("schema", cls=Command, epilog=examples(
        "wargame schema --out scenario.schema.json"))(schema)
