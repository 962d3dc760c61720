"""``wargame plot``: charts of outcomes, their timing, sweeps, sensitivities and comparisons."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from wargame.cli.common import EXAMPLE_SCENARIO as A
from wargame.cli.common import Command, Group, examples, handle_errors
from wargame.cli.options import (
    HeightOpt,
    OutcomeOpt,
    PictureOpt,
    PlotRunsOpt,
    QuietOpt,
    ScenarioAArg,
    ScenarioBArg,
    ScenarioOrStoreArg,
    SeedOpt,
    SetOpt,
    SizeOpt,
    StoredGamesOpt,
    VaryOpt,
    WidthOpt,
    WorkersOpt,
)
from wargame.cli.picture_cmds import footnote, games_for, scenario_of
from wargame.cli.progress import Reporter
from wargame.errors import UsageError
from wargame.outputs import wrote

if TYPE_CHECKING:
    from wargame.jsontypes import JSONValue
    from wargame.montecarlo.spec import PointValues

plot_app = typer.Typer(help="Charts as PNG or SVG: outcomes by date, timing, sweep heatmaps, "
                            "tornado charts and A/B comparisons.", no_args_is_help=True,
                       cls=Group, epilog=examples(
                           f"wargame plot outcomes {A} --runs 2000 --seed 7 --out outcomes.png"))

DEFAULT_RUNS = 1000


def _outputs(out: Path, size: str | None, width: int | None,
             height: int | None) -> tuple[int, int]:
    from wargame.report.figures import check_output, parse_size

    check_output(out)
    return parse_size(size, width, height)


def _known(oids: list[str], known: list[str]) -> None:
    for oid in oids:
        if oid not in known:
            raise UsageError(f"--outcome {oid!r}: no such outcome; the scenario's outcomes are "
                             f"{', '.join(known)}")


def _save(fig: Any, out: Path, rep: Reporter) -> None:
    from wargame.report.figures import pixel_size, save

    replaced = save(fig, out)
    w, h = pixel_size(fig)
    rep.note(wrote(out, replaced, f"{w}x{h}"))


@plot_app.command("outcomes", cls=Command, epilog=examples(
    f"wargame plot outcomes {A} --runs 2000 --seed 7 --out outcomes.png",
    "wargame plot outcomes --store aleppo.db --outcome kuweires_falls --out kuweires.svg"))
@handle_errors
def outcomes(
    out: PictureOpt, scenario: ScenarioOrStoreArg = None, runs: PlotRunsOpt = None,
    store: StoredGamesOpt = None,
    outcome: Annotated[list[str] | None, typer.Option(
        "--outcome", help="Only these outcomes (repeatable; default all).",
        show_default=False)] = None,
    seed: SeedOpt = None, set_: SetOpt = None, workers: WorkersOpt = None,
    size: SizeOpt = None, width: WidthOpt = None, height: HeightOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Each outcome's probability by date, with its 95% Wilson band."""
    from wargame.report.plots import outcome_times, outcomes_chart

    w, h = _outputs(out, size, width, height)
    with Reporter(quiet) as rep:
        p = games_for(scenario, runs, store, seed, set_ or [], workers, rep, DEFAULT_RUNS)
        _known(outcome or [], p.labels.outcomes)
        ot = outcome_times(p.tally, p.labels, scenario_of(p))
        fig = outcomes_chart(ot, w, h, scenario_of(p).scenario.name, outcome,
                             footnote(p.games, p.spec.seed, p.spec.digest))
        _save(fig, out, rep)


@plot_app.command("timing", cls=Command, epilog=examples(
    f"wargame plot timing {A} --outcome pyd_unites_afrin_kobane --runs 2000 --seed 7 "
    "--out timing.png"))
@handle_errors
def timing(
    out: PictureOpt, outcome: OutcomeOpt, scenario: ScenarioOrStoreArg = None,
    runs: PlotRunsOpt = None,
    store: StoredGamesOpt = None, seed: SeedOpt = None, set_: SetOpt = None,
    workers: WorkersOpt = None, size: SizeOpt = None, width: WidthOpt = None,
    height: HeightOpt = None, quiet: QuietOpt = False,
) -> None:
    """When one outcome came true: the share of games by the turn it first held, with dates."""
    from wargame.api import load
    from wargame.report.plots import outcome_times, timing_chart

    w, h = _outputs(out, size, width, height)
    if store is None and scenario is not None:   # a typo in --outcome fails before any game
        _known([outcome], list(load(scenario, set_ or []).scenario.outcomes))
    with Reporter(quiet) as rep:
        p = games_for(scenario, runs, store, seed, set_ or [], workers, rep, DEFAULT_RUNS)
        _known([outcome], p.labels.outcomes)
        ot = outcome_times(p.tally, p.labels, scenario_of(p))
        fig = timing_chart(ot, outcome, w, h, scenario_of(p).scenario.name,
                           footnote(p.games, p.spec.seed, p.spec.digest))
        _save(fig, out, rep)


@plot_app.command("sweep", cls=Command, epilog=examples(
    f"wargame plot sweep {A} --outcome kuweires_falls --vary "
    "support.russian_air.sorties_per_turn=0:300:4 --vary factions.daesh.strength=5000:11000:4 "
    "--runs 500 --seed 7 --out sweep.png"))
@handle_errors
def sweep_(
    out: PictureOpt, outcome: OutcomeOpt, scenario: ScenarioOrStoreArg = None,
    vary: VaryOpt = [],  # noqa: B006 (typer reads the default; it is never mutated)
    runs: PlotRunsOpt = None,
    store: Annotated[Path | None, typer.Option(
        "--store", help="Draw a grid kept by `wargame sweep --store FILE` instead.",
        show_default=False)] = None,
    seed: SeedOpt = None, set_: SetOpt = None, workers: WorkersOpt = None,
    size: SizeOpt = None, width: WidthOpt = None, height: HeightOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Heatmap of an outcome's probability over a grid of one or two parameters."""
    from wargame.api import load, read_store, sweep
    from wargame.montecarlo.sweep_result import SweepResult
    from wargame.report.comparisons import sweep_heatmap

    w, h = _outputs(out, size, width, height)
    with Reporter(quiet) as rep:
        if store is not None:
            if vary or runs is not None or seed is not None or set_:
                raise UsageError("--store draws a stored sweep: leave out --vary, --runs, "
                                 "--seed and --set")
            stored = read_store(store)
            if not isinstance(stored, SweepResult):
                raise UsageError(f"{store} holds a {stored.spec.kind}, not a sweep")
            if stored.design != "grid":
                raise UsageError(f"{store} holds a sampled design; a heatmap needs a grid")
            result = stored
            title = scenario.stem if scenario is not None else Path(
                result.spec.scenario).stem
        else:
            if scenario is None:
                raise UsageError("missing SCENARIO (or --store FILE)")
            if not 1 <= len(vary) <= 2:
                raise UsageError(f"a heatmap needs one or two --vary (got {len(vary)})")
            loaded = load(scenario, set_ or [])
            _known([outcome], list(loaded.scenario.outcomes))
            title = loaded.scenario.scenario.name
            result = sweep(loaded, vary, runs=runs or DEFAULT_RUNS, seed=seed,
                           workers=workers, reporter=rep)
        _known([outcome], result.labels.outcomes)
        fig = sweep_heatmap(result, outcome, w, h, title,
                            footnote(result.games, result.seed, result.spec.digest,
                                     f"{len(result.points)} points"))
        _save(fig, out, rep)


def _ends(expr: str) -> tuple[str, JSONValue, JSONValue]:
    """``path=lo:hi`` or ``path=a,b`` -> the path and its low and high values."""
    from wargame.montecarlo.sweep import parse_vary

    v = parse_vary(expr)
    if v.values is not None:
        if len(v.values) != 2:
            raise UsageError(f"--vary {expr!r}: a tornado needs two values, low and high")
        return v.path, v.values[0], v.values[1]
    if v.steps not in (None, 2):
        raise UsageError(f"--vary {expr!r}: a tornado needs low:high (no steps)")
    lo, hi = replace(v, steps=2).levels()
    return v.path, lo, hi


@plot_app.command("tornado", cls=Command, epilog=examples(
    f"wargame plot tornado {A} --outcome kuweires_falls --vary "
    "support.russian_air.sorties_per_turn=0:300 --vary factions.daesh.strength=5000:11000 "
    "--runs 1000 --seed 7 --out tornado.png"))
@handle_errors
def tornado(
    out: PictureOpt, outcome: OutcomeOpt, vary: VaryOpt, scenario: ScenarioOrStoreArg = None,
    runs: PlotRunsOpt = None, seed: SeedOpt = None, set_: SetOpt = None,
    workers: WorkersOpt = None, size: SizeOpt = None, width: WidthOpt = None,
    height: HeightOpt = None, quiet: QuietOpt = False,
) -> None:
    """How much each parameter moves an outcome between its low and high value, sorted."""
    from wargame.api import load
    from wargame.montecarlo.jobs import Options, points_job
    from wargame.montecarlo.stats import wilson
    from wargame.report.comparisons import Swing, tornado_chart

    w, h = _outputs(out, size, width, height)
    if scenario is None:
        raise UsageError("missing SCENARIO")
    ends = [_ends(v) for v in vary]
    paths = [e[0] for e in ends]
    if len(set(paths)) != len(paths):
        raise UsageError("each --vary path may be given once")
    loaded = load(scenario, set_ or [])
    _known([outcome], list(loaded.scenario.outcomes))
    values: list[PointValues] = [{}]
    for path, lo, hi in ends:
        values += [{path: lo}, {path: hi}]
    n = runs or DEFAULT_RUNS
    with Reporter(quiet) as rep:
        result = points_job(loaded, [], values, Options(n, seed, None, workers), rep)
        labels, tallies, s = result.labels, result.tallies, result.seed
        o = labels.outcomes.index(outcome)

        def at(k: int) -> Any:
            return wilson(int(tallies[k].ints["outcome_count"][o]), tallies[k].games)

        swings = [Swing(path, lo, hi, at(1 + 2 * j), at(2 + 2 * j))
                  for j, (path, lo, hi) in enumerate(ends)]
        fig = tornado_chart(swings, at(0), labels.outcome_names[o], n, w, h,
                            loaded.scenario.scenario.name,
                            footnote(n * len(values), s, loaded.digest,
                                     f"{len(values)} variants"))
        _save(fig, out, rep)


@plot_app.command("compare", cls=Command, epilog=examples(
    f"wargame plot compare {A} scenarios/variants/no_russian_air.yaml --runs 2000 --seed 7 "
    "--out compare.png"))
@handle_errors
def compare(
    a: ScenarioAArg, b: ScenarioBArg,
    out: PictureOpt, runs: PlotRunsOpt = None,
    outcome: Annotated[list[str] | None, typer.Option(
        "--outcome", help="Only these outcomes (repeatable; default all they share).",
        show_default=False)] = None,
    seed: SeedOpt = None, set_: SetOpt = None, workers: WorkersOpt = None,
    size: SizeOpt = None, width: WidthOpt = None, height: HeightOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """A and B side by side on the same random numbers, with the paired difference B − A."""
    from dataclasses import replace as swap

    from wargame.api import compare as run_compare
    from wargame.report.comparisons import compare_chart

    w, h = _outputs(out, size, width, height)
    with Reporter(quiet) as rep:
        result = run_compare(a, b, runs=runs or DEFAULT_RUNS, seed=seed, workers=workers,
                             overrides=set_ or [], reporter=rep)
        if outcome:
            _known(outcome, [r.id for r in result.outcomes])
            result = swap(result, outcomes=[r for r in result.outcomes if r.id in outcome])
        fig = compare_chart(result, a.name, b.name, w, h, f"{a.stem} vs {b.stem}",
                            footnote(result.games, result.seed, result.a.digest,
                                     f"B sha256 {result.b.digest[:12]}"))
        _save(fig, out, rep)


def register(app: typer.Typer) -> None:
    """Add the ``plot`` group to the app."""
    app.add_typer(plot_app, name="plot")
