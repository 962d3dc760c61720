"""Commands for many games: batch, sweep, compare, branch, and results (show/export a
store)."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from wargame.cli.common import EXAMPLE_SCENARIO as A
from wargame.cli.common import (
    Command,
    Group,
    examples,
    handle_errors,
    stderr_console,
    stdout_console,
)
from wargame.cli.options import (
    BranchRunsOpt,
    ChangeOpt,
    ChunkOpt,
    Format,
    FormatOpt,
    GamesOpt,
    QuietOpt,
    ResumeOpt,
    RunsOpt,
    ScenarioAArg,
    ScenarioArg,
    ScenarioBArg,
    SchedulerOpt,
    SeedOpt,
    SetOpt,
    StoreArg,
    StoreOpt,
    TurnsOpt,
    VaryOpt,
    WorkersOpt,
)
from wargame.cli.progress import Reporter
from wargame.display import plural
from wargame.errors import UsageError
from wargame.textsafe import terminal

if TYPE_CHECKING:
    from wargame.scenario import Scenario


class ExportFormat(StrEnum):
    """Formats of ``results export``."""

    csv = "csv"
    json = "json"
    parquet = "parquet"


def _emit(fmt: Format, result: Any, kind: str, scenario: Scenario | None = None) -> None:
    from wargame.report.tables import batch_tables, branch_tables, compare_tables, sweep_tables

    if fmt is Format.json:
        sys.stdout.write(result.to_json() + "\n")
    elif fmt is Format.csv:
        sys.stdout.write(_csv(result, kind))
    elif kind == "batch":
        from wargame.report.regions import control_by_region

        def regions(rows: Any) -> Any:
            title = "Final control (share of games), by region"
            return control_by_region(rows, scenario, title=title)

        stdout_console().print(batch_tables(result, control=regions))
    else:
        draw: Any = {"batch": batch_tables, "sweep": sweep_tables,
                     "compare": compare_tables, "branch": branch_tables}[kind]
        stdout_console().print(draw(result))


def _csv(result: Any, kind: str) -> str:
    from wargame.report.tables import (
        BATCH_COLUMNS,
        COMPARE_COLUMNS,
        batch_rows,
        compare_rows,
        sweep_rows,
        to_csv,
    )

    if kind == "batch":
        return to_csv(BATCH_COLUMNS, batch_rows(result))
    if kind == "sweep":
        return to_csv(*sweep_rows(result))
    if kind == "branch":
        result = result.comparison
    return to_csv(COMPARE_COLUMNS, compare_rows(result))


@handle_errors
def batch(
    scenario: ScenarioArg, runs: RunsOpt = None, seed: SeedOpt = None,
    workers: WorkersOpt = None,
    chunk_size: ChunkOpt = None, set_: SetOpt = None, turns: TurnsOpt = None,
    fmt: FormatOpt = Format.table,
    per_turn: Annotated[bool, typer.Option(
        "--per-turn", help="Also each outcome and each control, at every turn.")] = False,
    precision: Annotated[float | None, typer.Option(
        "--precision", help="Play chunks until every outcome's 95% interval half-width is "
        "below this (e.g. 0.01); --runs is the cap.", show_default=False)] = None,
    store: StoreOpt = None, resume: ResumeOpt = False, scheduler: SchedulerOpt = None,
    games: GamesOpt = None, quiet: QuietOpt = False,
) -> None:
    """Play many games of a scenario: outcome probabilities, control, strengths."""
    from wargame.api import batch as run_batch

    with Reporter(quiet) as rep:
        result = run_batch(scenario, runs=runs, seed=seed, chunk_size=chunk_size,
                           workers=workers, scheduler=scheduler, turns=turns,
                           overrides=set_ or [], per_turn=per_turn, precision=precision,
                           store=store, resume=resume, games=games, reporter=rep)
    if games is not None and result.records is not None:
        rep.note(f"wrote {games} ({plural(len(result.records), 'game')})")
    _emit(fmt, result, "batch", result.loaded.scenario if result.loaded else None)


@handle_errors
def sweep(
    scenario: ScenarioArg,
    vary: VaryOpt,
    design: Annotated[str, typer.Option(
        "--design", help="grid (every combination), lhs (Latin hypercube) or sobol "
        "(Saltelli); lhs and sobol need wargame[sensitivity].")] = "grid",
    points: Annotated[int | None, typer.Option(
        "--points", help="Sample size of lhs and sobol designs.", show_default=False)] = None,
    runs: RunsOpt = None, seed: SeedOpt = None, workers: WorkersOpt = None,
    chunk_size: ChunkOpt = None, set_: SetOpt = None, turns: TurnsOpt = None,
    fmt: FormatOpt = Format.table, store: StoreOpt = None, resume: ResumeOpt = False,
    scheduler: SchedulerOpt = None, quiet: QuietOpt = False,
) -> None:
    """Play a batch at each point of a parameter design; say what moves each outcome most."""
    from wargame.api import sweep as run_sweep

    with Reporter(quiet) as rep:
        result = run_sweep(scenario, vary, design=design, points=points, runs=runs, seed=seed,
                           chunk_size=chunk_size, workers=workers, scheduler=scheduler,
                           turns=turns, overrides=set_ or [], store=store, resume=resume,
                           reporter=rep)
    _emit(fmt, result, "sweep")


@handle_errors
def compare(
    a: ScenarioAArg, b: ScenarioBArg,
    runs: RunsOpt = None, seed: SeedOpt = None, workers: WorkersOpt = None,
    chunk_size: ChunkOpt = None, set_: SetOpt = None, turns: TurnsOpt = None,
    fmt: FormatOpt = Format.table, scheduler: SchedulerOpt = None, quiet: QuietOpt = False,
) -> None:
    """Compare two scenarios on common random numbers: B − A with a paired interval."""
    from wargame.api import compare as run_compare

    with Reporter(quiet) as rep:
        result = run_compare(a, b, runs=runs, seed=seed, chunk_size=chunk_size,
                             workers=workers, scheduler=scheduler, turns=turns,
                             overrides=set_ or [], reporter=rep)
    _emit(fmt, result, "compare")


@handle_errors
def branch(
    scenario: ScenarioArg,
    at: Annotated[int | None, typer.Option(
        "--at", help="Branch after this turn (0: before the first). Needed unless "
        "--from-state gives it.", show_default=False)] = None,
    given: Annotated[str | None, typer.Option(
        "--given", help="Keep only the games where this outcome (an id of the scenario's "
        "outcomes:) holds at that turn. Without it every game branches.",
        show_default=False)] = None,
    set_: ChangeOpt = None,
    variant: Annotated[Path | None, typer.Option(
        "--variant", help="The change as a scenario file (a version of SCENARIO, usually "
        "extends: it); --set goes on top.", show_default=False)] = None,
    runs: BranchRunsOpt = None,
    seed: SeedOpt = None, workers: WorkersOpt = None,
    chunk_size: ChunkOpt = None, fmt: FormatOpt = Format.table, store: StoreOpt = None,
    resume: ResumeOpt = False,
    save_state: Annotated[Path | None, typer.Option(
        "--save-state", help="Also write every game at the turn of the branch to this file "
        "(.npz), to branch again from it.", show_default=False)] = None,
    from_state: Annotated[Path | None, typer.Option(
        "--from-state", help="Branch from the games a --save-state file holds (its seed, "
        "runs and turn), without playing the first turns again.", show_default=False)] = None,
    scheduler: SchedulerOpt = None, quiet: QuietOpt = False,
) -> None:
    """What if, from the middle of the war: play to a turn, keep the games where an outcome
    holds, and play each on twice on the same random numbers, as it was and changed."""
    from wargame.api import branch as run_branch

    with Reporter(quiet) as rep:
        result = run_branch(scenario, at=at, given=given, changes=set_ or [], variant=variant,
                            runs=runs, seed=seed, chunk_size=chunk_size, workers=workers,
                            scheduler=scheduler, store=store, resume=resume,
                            save_state=save_state, from_state=from_state, reporter=rep)
    _emit(fmt, result, "branch")


results_app = typer.Typer(help="Show or export the results kept in a --store file.",
                          no_args_is_help=True, cls=Group, epilog=examples(
                              "wargame results show aleppo.db",
                              "wargame results export aleppo.db --table outcomes --out "
                              "outcomes.csv"))
def _read(path: Path) -> Any:
    from wargame.api import open_store

    got = open_store(path)
    for line in got.notes:
        stderr_console().print(terminal(line))
    if not got.complete:
        stderr_console().print(terminal(
            f"warning: {path} holds {got.chunks} of {got.expected} chunks (an unfinished run); "
            "these are partial results. Finish it by running the same command with --resume."))
    return got


@results_app.command("show", cls=Command, epilog=examples(
    "wargame results show aleppo.db", "wargame results show aleppo.db --format json"))
@handle_errors
def results_show(file: StoreArg, fmt: FormatOpt = Format.table) -> None:
    """Print a stored batch or sweep, as the run printed it."""
    got = _read(file)
    _emit(fmt, got.result, got.kind)


@results_app.command("export", cls=Command, epilog=examples(
    "wargame results export aleppo.db --table outcomes --out outcomes.csv",
    "wargame results export aleppo.db --format parquet --out aleppo_tables"))
@handle_errors
def results_export(
    file: StoreArg,
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="Export format.",
                                              case_sensitive=False)] = ExportFormat.csv,
    table: Annotated[str | None, typer.Option(
        "--table", "-t", help="One table (batch: outcomes, control, factions, timing, "
        "civilians, civilians_by_place, outcomes_by_turn, control_by_turn, "
        "civilians_by_turn; sweep: points, sensitivity). Without it, --out is "
        "a directory that gets every table.", show_default=False)] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="File (one table, or JSON) or directory (every table).",
        metavar="FILE|DIR", show_default=False)] = None,
) -> None:
    """Export a stored batch or sweep: typed tables as CSV or Parquet, or the JSON."""
    from wargame.report.tables import table_csv

    got = _read(file)
    if fmt is ExportFormat.json:
        if table is not None:
            raise UsageError("--table is for --format csv and parquet (JSON holds everything)")
        text = got.result.to_json() + "\n"
        if out is None:
            sys.stdout.write(text)
        else:
            _write(out, lambda f: f.write(text.encode()))
        return
    tables = got.result.tables()
    if table is not None and table not in tables:
        raise UsageError(f"--table {table!r}: this {got.kind} has the tables "
                         f"{', '.join(tables)}")
    suffix = ".csv" if fmt is ExportFormat.csv else ".parquet"
    if table is None:
        if out is None or out.suffix.lower() in (".csv", ".parquet"):
            raise UsageError(f"choose a table with --table ({', '.join(tables)}), or give "
                             "--out DIR to write every table into a directory")
        _mkdir(out)
        for name, t in tables.items():
            _write_table(out / f"{name}{suffix}", t, fmt)
        return
    if out is None:
        if fmt is ExportFormat.parquet:
            raise UsageError("--format parquet needs --out FILE")
        sys.stdout.write(table_csv(tables[table]))
        return
    _write_table(out, tables[table], fmt)


def _mkdir(path: Path) -> None:
    from wargame.errors import WargameError

    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WargameError(f"{path}: cannot create the directory: {exc.strerror or exc}") \
            from None


def _write_table(path: Path, table: Any, fmt: ExportFormat) -> None:
    from wargame.report.tables import table_csv

    if fmt is ExportFormat.csv:
        text = table_csv(table)
        _write(path, lambda f: f.write(text.encode()))
        return
    from wargame.montecarlo.tidy import need

    arrow = table.to_arrow()
    pq = need("pyarrow.parquet")
    _write(path, lambda f: pq.write_table(arrow, f))


def _write(out: Path, write: Any) -> None:
    from wargame.outputs import check_target, write_with, wrote

    replaced = check_target(out)
    write_with(out, write)
    stderr_console().print(terminal(wrote(out, replaced)))


def register(app: typer.Typer) -> None:
    """Add these commands to the app."""
    app.command("batch", cls=Command, epilog=examples(
        f"wargame batch {A} --runs 2000 --seed 7",
        f"wargame batch {A} --runs 4000 --seed 7 --store aleppo.db --per-turn",
        f"wargame batch {A} --precision 0.01 --seed 7 --format json > batch.json"))(batch)
    app.command("sweep", cls=Command, epilog=examples(
        f"wargame sweep {A} --vary support.russian_air.sorties_per_turn=0:300:4 --runs 500 "
        "--seed 7",
        f"wargame sweep {A} --vary factions.daesh.morale=0.5,0.7,0.9 --vary "
        "factions.regime.quality=0.8:1.2:3 --runs 300 --seed 7"))(sweep)
    app.command("compare", cls=Command, epilog=examples(
        f"wargame compare {A} scenarios/variants/no_russian_air.yaml --runs 2000 "
        "--seed 7"))(compare)
    app.command("branch", cls=Command, epilog=examples(
        f"wargame branch {A} --at 17 --given azaz_corridor_cut --set "
        "support.russian_air.sorties_per_turn=0 --runs 2000 --seed 7",
        f"wargame branch {A} --at 17 --set support.russian_air.sorties_per_turn=0 --runs 2000 "
        "--seed 7 --save-state turn17.npz",
        f"wargame branch {A} --from-state turn17.npz --given azaz_corridor_cut --variant "
        "scenarios/variants/no_russian_air.yaml"))(branch)
    app.add_typer(results_app, name="results")
