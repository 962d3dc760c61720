"""Pictures: ``wargame map`` and ``wargame report``, and how every picture gets its games.

Every picture command (these and the ``wargame plot`` charts of :mod:`wargame.cli.plot_cmds`)
writes one file (``--out``) and says so on stderr; stdout stays empty. Games are
played exactly as ``wargame batch`` plays them (same seed, same chunks), or read back from a
``--store`` file that ``wargame batch --store`` wrote.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from wargame.cli.common import EXAMPLE_SCENARIO as A
from wargame.cli.common import Command, examples, handle_errors
from wargame.cli.options import (
    HeightOpt,
    PictureOpt,
    PictureRunsOpt,
    QuietOpt,
    ReportRunsOpt,
    ScenarioOrStoreArg,
    SeedOpt,
    SetOpt,
    SizeOpt,
    StoredGamesOpt,
    WidthOpt,
    WorkersOpt,
)
from wargame.cli.progress import Reporter
from wargame.display import plural
from wargame.errors import UsageError
from wargame.outputs import write_text, wrote
from wargame.version import version

if TYPE_CHECKING:
    from wargame.montecarlo.results import BatchResult

class Labels(StrEnum):
    """``map --labels``: which places are named (:func:`wargame.report.maps.label_sets`)."""

    all = "all"
    contested = "contested"
    none = "none"


def footnote(games: int, seed: int | None, digest: str, extra: str = "") -> str:
    """The small print under a picture: enough to find the run again."""
    bits = [plural(games, "game") if games else "no games played"]
    if seed is not None:
        bits.append(f"seed {seed}")
    bits += [f"scenario sha256 {digest[:12]}", f"wargame {version()}"]
    return " · ".join(bits) + (f" · {extra}" if extra else "")


def games_for(scenario: Path | None, runs: int | None, store: Path | None, seed: int | None,
              overrides: list[str], workers: int | None, rep: Reporter,
              default_runs: int | None = None) -> BatchResult:
    """Play ``--runs`` games or read ``--store`` (exactly one; ``default_runs`` if neither).

    The games are those ``wargame batch --per-turn`` plays for the same arguments (the same
    API call), so a picture's numbers are the table's.
    """
    if runs is not None and store is not None:
        raise UsageError("give --runs or --store, not both")
    if store is not None:
        from wargame.montecarlo.jobs import read_batch

        if seed is not None:
            raise UsageError("--seed cannot be combined with --store (the store has its own)")
        if overrides:
            raise UsageError("--set cannot be combined with --store: the store was played "
                             "with its own overrides, which are applied automatically")
        return read_batch(store, scenario, rep)
    if scenario is None:
        raise UsageError("missing SCENARIO (a scenario file, or --store FILE)")
    runs = runs if runs is not None else default_runs
    if runs is None:
        raise UsageError("give --runs N or --store FILE")
    from wargame.api import batch

    return batch(scenario, runs=runs, seed=seed, workers=workers, overrides=overrides,
                 per_turn=True, reporter=rep)


def scenario_of(played: BatchResult) -> Any:
    """The scenario a batch was played from."""
    assert played.loaded is not None
    return played.loaded.scenario


def replay_hint(p: BatchResult, command: str) -> str:
    """The command line that draws the same picture again."""
    sets = "".join(f" --set {o}" for o in p.spec.overrides)
    return f"wargame {command} {p.spec.scenario} --runs {p.spec.runs} --seed {p.spec.seed}{sets}"


@handle_errors
def map_(
    out: PictureOpt, scenario: ScenarioOrStoreArg = None, runs: PictureRunsOpt = None,
    store: StoredGamesOpt = None,
    turn: Annotated[int | None, typer.Option(
        "--turn", help="Show control at the end of this turn (default: the last; needs games).",
        show_default=False)] = None,
    seed: SeedOpt = None, set_: SetOpt = None, workers: WorkersOpt = None,
    size: SizeOpt = None, width: WidthOpt = None, height: HeightOpt = None,
    labels: Annotated[Labels, typer.Option(
        "--labels", help="Names on the map: all places, the contested ones (every place that "
        "changes hands in some game or that an outcome names, and the most valuable others "
        "where there is room), or none.", case_sensitive=False)] = Labels.contested,
    garrisons: Annotated[bool, typer.Option(
        "--garrisons", help="Write the fighters at each place after its name: at the start, "
        "or their mean over the games at the end.")] = False,
    civilians: Annotated[bool, typer.Option(
        "--civilians", help="Write the civilians killed and fled at each place after its "
        "name: their mean over the games at the end (needs games).")] = False,
    quiet: QuietOpt = False,
) -> None:
    """Draw who holds what: initial control, or the most likely controller over many games."""
    from dataclasses import replace

    import numpy as np

    from wargame.api import load
    from wargame.engine import compile_scenario
    from wargame.report.figures import check_output, parse_size, save
    from wargame.report.maps import batch_view, draw_map, initial_view

    check_output(out)
    w, h = parse_size(size, width, height)
    if civilians and garrisons:
        raise UsageError("choose one of --garrisons and --civilians: both go after the names")
    with Reporter(quiet) as rep:
        if runs is None and store is None:
            if civilians:
                raise UsageError("--civilians needs games: add --runs N or --store FILE")
            if scenario is None:
                raise UsageError("missing SCENARIO (a scenario file, or --store FILE)")
            if turn not in (None, 0):
                raise UsageError("--turn needs games: add --runs N or --store FILE (without "
                                 "them the map shows control at the start)")
            if seed is not None:
                rep.note("note: --seed has no effect without --runs (no games are played)")
            loaded = load(scenario, set_ or [])
            view = initial_view(compile_scenario(loaded.scenario))
            sc, note = loaded.scenario, footnote(0, None, loaded.digest)
            if garrisons:
                from wargame.report.overview import start_garrisons

                at_start = start_garrisons(sc)[0]
                view = replace(view, garrison=np.array([at_start[s] for s in sc.settlements]))
        else:
            played = games_for(scenario, runs, store, seed, set_ or [], workers, rep)
            sc = scenario_of(played)
            last = played.turns
            t = last if turn is None else turn
            if not 0 <= t <= last:
                raise UsageError(f"--turn must be between 0 and {last} (got {t})")
            if t == last:
                counts = played.tally.ints["control"]
            elif played.tally.has("control_by_turn"):
                counts = played.tally.ints["control_by_turn"][t]
            else:
                raise UsageError(f"{store} has control at the end only; make it with "
                                 "`wargame batch --per-turn`, or leave out --turn")
            view = batch_view(compile_scenario(sc), counts, played.games, t,
                              played.tally.ints.get("control_by_turn"))
            note = footnote(played.games, played.spec.seed, played.spec.digest)
            if garrisons:
                if t != last or not played.garrisons:
                    raise UsageError("--garrisons with games shows them at the end of the games "
                                     "(leave out --turn)" if t != last else
                                     f"{store} holds no garrisons (made by an older version)")
                view = replace(view, garrison=np.array([g.mean or 0.0
                                                        for g in played.garrisons]))
            if civilians:
                civ = played.civilians
                if t != last or civ is None:
                    raise UsageError("--civilians shows them at the end of the games (leave "
                                     "out --turn)" if t != last else
                                     f"{store} holds no civilian counts (made by an older "
                                     "version)")
                view = replace(view, civilians=np.array([[p.killed, p.displaced]
                                                         for p in civ.places]))
        _say_outline(sc, rep)
        fig, _ = draw_map(sc, view, w, h, note, labels.value)
        rep.note(wrote(out, save(fig, out), f"{w}x{h}"))


@handle_errors
def report(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output file (.html).",
                                      show_default=False)],
    scenario: ScenarioOrStoreArg = None, runs: ReportRunsOpt = None,
    store: StoredGamesOpt = None, seed: SeedOpt = None, set_: SetOpt = None,
    workers: WorkersOpt = None, quiet: QuietOpt = False,
) -> None:
    """Write one self-contained HTML report: outcomes, map, charts, sources, replay data."""
    import datetime as dt
    from dataclasses import replace

    import numpy as np

    from wargame.engine import compile_scenario
    from wargame.report import html
    from wargame.report.figures import DEFAULT_SIZE, check_writable, figure_bytes
    from wargame.report.maps import batch_view, draw_map
    from wargame.report.plots import outcome_times, outcomes_chart, timing_overview

    check_writable(out, (".html", ".htm"))
    with Reporter(quiet) as rep:
        played = games_for(scenario, runs, store, seed, set_ or [], workers, rep, 1000)
        sc = scenario_of(played)
        note = footnote(played.games, played.spec.seed, played.spec.digest)
        view = batch_view(compile_scenario(sc), played.tally.ints["control"], played.games,
                          played.turns, played.tally.ints.get("control_by_turn"))
        if played.civilians is not None:
            view = replace(view, civilians=np.array([[p.killed, p.displaced]
                                                     for p in played.civilians.places]))
        ot = outcome_times(played.tally, played.labels, sc)
        _say_outline(sc, rep)
        pics = {
            "map": html.Picture("Map", "Most likely controller of every place at the end; "
                                "pies where no side holds a place in 95% of games; the "
                                "civilians killed and fled at the hardest-hit places.",
                                # the very map `wargame map` draws: its size, its names
                                figure_bytes(draw_map(sc, view, *DEFAULT_SIZE, note,
                                                      Labels.contested.value)[0], "png")),
            "outcomes": html.Picture("Outcomes by date", "Share of games in which each "
                                     "outcome has come true by each date, with 95% intervals.",
                                     figure_bytes(outcomes_chart(ot, 1400, 1050,
                                                                 sc.scenario.name,
                                                                 note=note), "png")),
            "timing": html.Picture("When outcomes come true", "Median date and middle 80% of "
                                   "the games in which each outcome came true.",
                                   figure_bytes(timing_overview(ot, 1400, 880,
                                                                sc.scenario.name, note=note),
                                                "png")),
        }
        stamp = f"Made {dt.date.today():%d %b %Y} with wargame {version()}."
        page = html.report_html(sc, played, pics, replay_hint(played, "report"), stamp)
        replaced = out.is_file()
        write_text(out, page)
        rep.note(wrote(out, replaced, f"{len(page.encode()) // 1024:,} KiB, self-contained"))


def _say_outline(sc: Any, rep: Reporter) -> None:
    """Tell the user when a map of a very large scenario is drawn in outline."""
    from wargame.report.maps import outline_note

    why = outline_note(sc)
    if why is not None:
        rep.note(f"note: {why}")


def register(app: typer.Typer) -> None:
    """Add ``map`` and ``report`` to the app."""
    app.command("map", cls=Command, epilog=examples(
        f"wargame map {A} --out map_start.png",
        f"wargame map {A} --runs 500 --seed 7 --out map.png",
        f"wargame map {A} --garrisons --out map_garrisons.png",
        "wargame map --store aleppo.db --turn 10 --labels all --out map_turn10.svg"))(map_)
    app.command("report", cls=Command, epilog=examples(
        f"wargame report {A} --runs 500 --seed 7 --out report.html"))(report)
