"""Batch, sweep and comparison results as rich tables and long CSV rows.

The results are the typed results of :mod:`wargame.montecarlo.results`,
:mod:`wargame.montecarlo.sweep_result` and :mod:`wargame.montecarlo.compare_result`; this
module only lays them out (the Monte Carlo layer computes, the report layer presents).
:func:`to_csv` is the one CSV writer: the commands' CSV and ``wargame results export`` both
go through it.

Batch CSV columns (long format, one number per row): ``kind, id, faction, turn, start_date,
end_date, statistic, value``. ``kind`` is ``meta``, ``outcome``, ``control``, ``faction``,
``civilians`` (``id`` ``killed`` or ``displaced``), ``civilians_place``, ``civilians_by_turn``,
``outcome_by_turn`` or ``control_by_turn``; otherwise ``id`` is the outcome, settlement or
faction id.
The typed tables of ``wargame results export`` hold the same numbers with one type per column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.text import Text

from wargame.display import Col, Fit, fitted, interval, pct, plural, points, table
from wargame.textsafe import csv_cell, printable

if TYPE_CHECKING:
    from wargame.montecarlo.branch_result import BranchResult
    from wargame.montecarlo.civilians import CivilianStats
    from wargame.montecarlo.compare_result import CompareResult
    from wargame.montecarlo.results import BatchResult
    from wargame.montecarlo.summary import ControlShare, Spread
    from wargame.montecarlo.sweep_result import SweepResult
    from wargame.montecarlo.tidy import Table as TidyTable

BATCH_COLUMNS = ["kind", "id", "faction", "turn", "start_date", "end_date", "statistic",
                 "value"]
META_KEYS = ("scenario", "digest", "seed", "runs", "games", "chunk_size", "n_chunks",
             "chunks_used", "turns", "precision")


def _pct(p: float | None) -> str:
    return pct(p, 1)


def _ci(ci: Sequence[float]) -> str:
    return interval(ci[0], ci[1])


def _n(x: float | None) -> str:
    return "–" if x is None else f"{x:,.0f}"


def batch_rows(result: BatchResult) -> Iterator[list[Any]]:
    """Long rows of a batch result (see the module docstring for the columns)."""
    meta = result.meta()
    for key in META_KEYS:
        if key in meta:
            yield ["meta", "", "", "", "", "", key, meta[key]]
    lab = result.labels
    for o in result.outcomes:
        for stat, v in (("probability", o.probability), ("count", o.count),
                        ("games", o.games), ("ci95_low", o.ci95[0]), ("ci95_high", o.ci95[1])):
            yield ["outcome", o.id, "", "", "", "", stat, v]
        for q in ("p10", "median", "p90"):
            t = getattr(o.turn, q)
            yield ["outcome", o.id, "", t, lab.start_date(t), lab.end_date(t), f"turn_{q}", t]
    for c in result.control:
        yield ["control", c.settlement, c.faction, "", "", "", "probability", c.probability]
    for f in result.factions:
        yield ["faction", f.id, f.id, "", "", "", "initial_mean", f.initial_mean]
        yield ["faction", f.id, f.id, "", "", "", "reinforcements_mean", f.reinforcements_mean]
        for q, spread in (("strength", f.strength), ("casualties", f.casualties)):
            for stat in ("mean", "p05", "p95", "min", "max"):
                yield ["faction", f.id, f.id, "", "", "", f"{q}_{stat}", getattr(spread, stat)]
    civ = result.civilians
    if civ is not None:
        for tot in civ.totals:
            for stat in ("mean", "p05", "p95", "min", "max"):
                yield ["civilians", tot.what, "", "", "", "", stat, getattr(tot, stat)]
        for pl in civ.places:
            yield ["civilians_place", pl.settlement, "", "", "", "", "killed_mean", pl.killed]
            yield ["civilians_place", pl.settlement, "", "", "", "", "displaced_mean",
                   pl.displaced]
        for ct in civ.by_turn or []:
            for stat, v in (("killed_mean", ct.killed), ("displaced_mean", ct.displaced)):
                yield ["civilians_by_turn", "", "", ct.turn, lab.start_date(ct.turn),
                       lab.end_date(ct.turn), stat, v]
    per = result.per_turn
    if per is not None:
        for r in per.outcomes:
            yield ["outcome_by_turn", r.outcome, "", r.turn, r.start_date, r.end_date,
                   "probability", r.probability]
        for c2 in per.control:
            yield ["control_by_turn", c2.settlement, c2.faction, c2.turn, c2.start_date,
                   c2.end_date, "probability", c2.probability]


def sweep_rows(result: SweepResult) -> tuple[list[str], Iterator[list[Any]]]:
    """Columns and rows of a sweep: one row per point and outcome."""
    paths = result.paths
    cols = ["point", *paths, "outcome", "games", "probability", "ci95_low", "ci95_high"]

    def rows() -> Iterator[list[Any]]:
        for pt in result.points:
            for o in pt.outcomes:
                yield [pt.point, *(pt.values[p] for p in paths), o.id, pt.games,
                       o.probability, o.ci95[0], o.ci95[1]]
    return cols, rows()


COMPARE_COLUMNS = ["outcome", "games", "p_a", "a_ci95_low", "a_ci95_high", "p_b", "b_ci95_low",
                   "b_ci95_high", "difference", "diff_ci95_low", "diff_ci95_high"]


def compare_rows(result: CompareResult) -> Iterator[list[Any]]:
    """One row per compared outcome."""
    for o in result.outcomes:
        d = o.difference
        yield [o.id, o.games, o.a.probability, *o.a.ci95, o.b.probability, *o.b.ci95,
               d.probability, *d.ci95]


def to_csv(columns: Sequence[str], rows: Iterator[list[Any]]) -> str:
    """CSV text with a header row (``None`` as an empty cell, dates as ``YYYY-MM-DD``).

    Every cell goes through :func:`wargame.textsafe.csv_cell`: text that a spreadsheet would
    run as a formula gets a leading ``'``; numbers stay numbers.
    """
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([csv_cell(c) for c in columns])
    for r in rows:
        w.writerow(["" if v is None else csv_cell(v) for v in r])
    return buf.getvalue()


def table_csv(table: TidyTable) -> str:
    """One typed table as CSV."""
    return to_csv(table.names, table.rows())


def _date(d: Any) -> str:
    return "" if d is None else f"{d.day} {d:%b %Y}"


def _dates(a: Any, b: Any) -> str:
    """Two dates as a range, the year once when they share it: ``16 Nov–14 Dec 2015``."""
    if a is None or b is None:
        return ""
    if a == b:
        return _date(a)
    if a.year == b.year:
        return f"{a.day} {a:%b}–{_date(b)}"
    return f"{_date(a)}–{_date(b)}"


def _at_the_end(result: BatchResult) -> set[str]:
    """The outcomes judged at the end of the game only (``when: final``): they have no
    timing to show. Known from the scenario; a result read back from a store without it
    shows every outcome's turns."""
    if result.loaded is None:
        return set()
    return {oid for oid, o in result.loaded.scenario.outcomes.items() if o.when == "final"}


def batch_tables(result: BatchResult,
                 control: Callable[[Sequence[ControlShare]], RenderableType] | None = None,
                 ) -> RenderableType:
    """Rich tables of a batch: outcomes, final control, factions (and per turn).

    ``control`` renders the final-control rows instead of the plain table (the CLI passes the
    report layer's region-grouped table).
    """
    spec = result.spec
    sets = printable("".join(f", --set {o}" for o in spec.overrides))
    parts: list[RenderableType] = [Text(
        f"{printable(spec.scenario)}: {plural(result.games, 'game')}, seed {spec.seed}, "
        f"{plural(result.turns, 'turn')}{sets}", style="bold")]
    parts.append(_outcome_table(result))
    if result.control and control is not None:
        parts.append(control(result.control))
    elif result.control:
        factions = list(dict.fromkeys(c.faction for c in result.control))
        by: dict[str, dict[str, float | None]] = {}
        for c in result.control:
            by.setdefault(c.settlement, {})[c.faction] = c.probability
        parts.append(fitted([Col("settlement"), *(Col(f, "right", False) for f in factions)],
                            [[sid, *(_pct(row[fid]) for fid in factions)]
                             for sid, row in by.items()],
                            title="Final control (share of games)"))
    if result.factions:
        parts.append(faction_table(result))
    garrisons = garrison_table(result)
    if garrisons is not None:
        parts.append(garrisons)
    if result.civilians is not None:
        parts.append(civilian_table(result.civilians))
    if result.per_turn is not None:
        parts.extend(_per_turn_tables(result))
    return Group(*parts)


def _outcome_table(result: BatchResult) -> Fit:
    """Outcomes with their probability and when they come true: turns with the dates they
    end, on one line when the table fits, else turns above dates; an outcome judged at the
    end of the game has no timing."""
    final = _at_the_end(result)

    def rows(sep: str) -> list[list[str | Text]]:
        out: list[list[str | Text]] = []
        for o in result.outcomes:
            tr, ends = o.turn, o.end_date
            if o.id in final:
                med, span = "at the end", ""
            else:
                med = "–" if tr.median is None else f"{tr.median}{sep}{_date(ends.median)}"
                span = ("–" if tr.p10 is None else
                        f"{tr.p10}–{tr.p90}{sep}{_dates(ends.p10, ends.p90)}")
            out.append([o.name, _pct(o.probability), _ci(o.ci95), med, span])
        return out

    title = "Outcomes (when: the first turn it holds, in the games where it comes true)"
    cols = [Col("outcome"), Col("probability", "right", False),
            Col("95%\ninterval", "right", False), Col("median turn:\nit ends", "right", False),
            Col("10–90% of games:\nturns, they end", "right", False)]
    return Fit(lambda _c: table(cols, rows(": "), title=title),
               lambda _c: table(cols, rows("\n"), title=title), decorated=1)


def garrison_table(result: BatchResult) -> RenderableType | None:
    """The fighters at the places the outcomes name, at the end: the median and 10–90% of
    games (whoever holds the place; the median, not the mean, so that the middle figure
    always lies within the range beside it). The first thing to check when a place falls
    fast: was its garrison sent elsewhere? None without the scenario (a result read from a
    store) or the counts (a store begun by an older version)."""
    if result.loaded is None or not result.garrisons:
        return None
    from wargame.scenario.walk import outcome_places

    named = outcome_places(result.loaded.scenario)
    rows: list[list[str | Text]] = [
        [g.name, _n(g.median), f"{_n(g.p10)}–{_n(g.p90)}"]
        for g in result.garrisons if g.settlement in named]
    if not rows:
        return None
    return fitted([Col("place"), Col("median", "right", False),
                   Col("10–90% of games", "right", False)], rows,
                  title="Garrisons at the end, at the places the outcomes name (fighters of "
                  "whoever holds the place)")


PLACES_SHOWN = 5
"""The hardest-hit places the civilian table names."""


def civilian_table(civ: CivilianStats) -> RenderableType:
    """Civilians killed and displaced over all places (mean, and the 5th–95th percentile of
    games), and the places where most were killed or fled."""
    rows: list[list[str | Text]] = [
        ["all places", *(f"{_n(t.mean)} ({_n(t.p05)}–{_n(t.p95)})" for t in civ.totals)]]
    hit = sorted(civ.places, key=lambda p: -(p.killed + p.displaced))
    rows += [[p.name, _n(p.killed), _n(p.displaced)] for p in hit[:PLACES_SHOWN]
             if p.killed + p.displaced >= 0.5]
    return fitted([Col("place"), Col("killed", "right", False),
                   Col("displaced", "right", False)], rows,
                  title="Civilians (mean, and 5th–95th percentile of games)",
                  caption="Killed: by fighting, air strikes and sieges. Displaced: fled "
                  "ahead of an attack or after a fall. By place: the mean.")


def spread(s: Spread) -> tuple[str, str]:
    """A quantity's mean and its 90% range of games, and a note when the mean lies outside
    that range (it then comes from fewer than 5% of the games; the extremes say how far)."""
    mean = _n(s.mean)
    cell = f"{mean} ({_n(s.p05)}–{_n(s.p95)})"
    if s.mean is None or s.p05 is None or s.p95 is None:
        return cell, ""
    if round(s.mean) > round(s.p95) and s.max is not None:
        return cell + " †", (f"mean {mean} above the 90% range: a few games reach "
                             f"{_n(s.max)}")
    if round(s.mean) < round(s.p05) and s.min is not None:
        return cell + " †", (f"mean {mean} below the 90% range: a few games fall to "
                             f"{_n(s.min)}")
    return cell, ""


def faction_table(result: BatchResult) -> RenderableType:
    """Strength at the start and end, casualties and reinforcements of every faction."""
    rows, notes = [], []
    for f in result.factions:
        (sc, sn), (cc, cn) = spread(f.strength), spread(f.casualties)
        notes += [f"† {f.id} {what}: {n}" for what, n in (("final strength", sn),
                                                           ("casualties", cn)) if n]
        rows.append([f.id, _n(f.initial_mean), sc, cc, _n(f.reinforcements_mean)])
    caption = "\n".join(notes) or None
    # The ranges may wrap under their means; a faction id is never broken (a key if need be).
    return fitted([Col("faction", key=True), Col("start", "right", False),
                   Col("final strength", "right"), Col("casualties", "right"),
                   Col("reinforcements", "right", False)], rows,
                  title="Factions (mean, and 5th–95th percentile of games)", caption=caption)


def _per_turn_tables(result: BatchResult) -> list[RenderableType]:
    per = result.per_turn
    assert per is not None
    turns = sorted({r.turn for r in per.outcomes} | {r.turn for r in per.control})
    ends = {r.turn: r.end_date for r in per.control}
    out: list[RenderableType] = []
    if result.outcomes:
        ids = [o.id for o in result.outcomes]
        cell = {(r.turn, r.outcome): r.probability for r in per.outcomes}
        out.append(fitted([Col("turn", wrap=False), Col("ends", wrap=False),
                           *(Col(i, "right", False) for i in ids)],
                          [[str(tn), _date(ends.get(tn)), *(_pct(cell[(tn, i)]) for i in ids)]
                           for tn in turns],
                          title="Outcome holds, by turn (at the close of its last day)"))
    civ = result.civilians
    if civ is not None and civ.by_turn is not None:
        out.append(fitted([Col("turn", wrap=False), Col("ends", wrap=False),
                           Col("killed", "right", False), Col("displaced", "right", False)],
                          [[str(r.turn), _date(ends.get(r.turn)), _n(r.killed),
                            _n(r.displaced)] for r in civ.by_turn],
                          title="Civilians killed and displaced so far, by turn (mean of "
                          "games)"))
    settlements = list(dict.fromkeys(r.settlement for r in per.control))
    best: dict[tuple[int, str], tuple[float, str]] = {}
    for r in per.control:
        key = (r.turn, r.settlement)
        if key not in best or r.probability > best[key][0]:
            best[key] = (r.probability, r.faction)
    out.append(fitted([Col("turn", wrap=False), *(Col(s, "right") for s in settlements)],
                      [[str(tn), *(f"{best[(tn, s)][1]} {_pct(best[(tn, s)][0])}"
                                   for s in settlements)] for tn in turns],
                      title="Most likely controller, by turn"))
    return out


def sweep_tables(result: SweepResult) -> RenderableType:
    """Rich tables of a sweep: each outcome's probability at every point, then what moves it.

    When the points fit side by side, one row per outcome and one column per point (headed by
    the value, or by the point's number with the values in a table above); otherwise one row
    per point and outcome, with its interval.
    """
    spec = result.spec
    paths = result.paths
    head = (f"Sweep ({result.design}, {plural(spec.runs, 'game')} per point, seed "
            f"{spec.seed})")
    names = dict(zip(result.labels.outcomes, result.labels.outcome_names, strict=True))
    parts: list[RenderableType] = []
    one = len(paths) == 1
    if not one:
        parts.append(fitted([Col("point", "right", False), *(Col(p) for p in paths)],
                            [[str(pt.point), *(_value(pt.values[p]) for p in paths)]
                             for pt in result.points], title=f"{head}: the points"))
    widest = max((o.ci95[1] - o.ci95[0]) / 2 for pt in result.points for o in pt.outcomes) \
        if result.points and result.points[0].outcomes else 0.0
    by_point = [{o.id: o for o in pt.outcomes} for pt in result.points]
    ids = list(result.labels.outcomes)
    title = (f"{head}: P(outcome) at each {paths[0]}" if one
             else f"{head}: P(outcome) at each point")
    wide_cols = [Col("outcome"), *(Col(_value(pt.values[paths[0]]) if one else str(pt.point),
                                       "right", False) for pt in result.points)]
    wide_rows = [[names[i], *(_pct(bp[i].probability) for bp in by_point)] for i in ids]
    caption = (f"Every probability within ±{100 * widest:.1f} points (95% Wilson interval); "
               "--format csv gives each interval.")
    cols, rows = sweep_rows(result)
    long_cols = [*(Col(c, "right" if c == "point" else "left", c != "point") for c in cols[:-5]),
                 Col("outcome", wrap=False), Col("probability", "right", False),
                 Col("95% interval", "right", False)]
    long_rows = [[*(_value(v) for v in r[:-5]), str(r[-5]), _pct(r[-3]), _ci([r[-2], r[-1]])]
                 for r in rows]
    parts.append(Fit(
        lambda _c: table(wide_cols, wide_rows, title=title, caption=caption),
        lambda _c: table(long_cols, long_rows, title=head), decorated=1))
    sens = result.sensitivity
    if sens is not None:
        srows = []
        for row in sens.outcomes:
            if row.most is None:
                most = "nothing moves it"
            elif not row.beyond_noise:
                most = "no parameter moves it beyond the noise"
            else:
                most = row.most
            srows.append([row.outcome, most,
                          "; ".join(f"{p}: {_effect(e)}" if not one else _effect(e)
                                    for p, e in row.effects.items())])
        parts.append(fitted([Col("outcome"), Col("moved most by"),
                             Col("effect" if one else "effects")], srows,
                            title=f"Sensitivity: {sens.method}",
                            caption="Beyond the noise: the outcome's counts differ between the "
                            "levels by more than chance (chi-square test, 5%)."))
    return Group(*parts)


def _value(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _effect(e: Any) -> str:
    if isinstance(e, dict):
        return ", ".join(f"{k} {'–' if v is None else f'{v:.2f}'}" for k, v in e.items())
    return "–" if e is None else f"{points(e)} pts".lstrip("+")


def compare_tables(result: CompareResult) -> RenderableType:
    """Rich tables of a comparison: each outcome in A and B, and when it came true."""
    head = Text(f"A = {printable(result.a.scenario)}, B = {printable(result.b.scenario)}: "
                f"{plural(result.games, 'paired game')}, seed {result.seed}", style="bold")
    rows = []
    for o in result.outcomes:
        d = o.difference
        rows.append([o.name, _pct(o.a.probability), _pct(o.b.probability),
                     f"{points(d.probability)} pts",
                     f"{points(d.ci95[0])} to {points(d.ci95[1])} pts"])
    parts: list[RenderableType] = [head, fitted(
        [Col("outcome"), Col("A", "right", False), Col("B", "right", False),
         Col("B − A", "right", False), Col("95% interval (paired)", "right", False)], rows,
        title="Outcomes")]
    timed = [o for o in result.outcomes if o.timing is not None]
    if timed:
        trows = []
        for o in timed:
            t = o.timing
            assert t is not None
            trows.append([o.name, _turns(t.a), _turns(t.b),
                          "–" if t.shift.median is None else
                          f"{t.shift.median:+d} ({t.shift.p10:+d} to {t.shift.p90:+d})"
                          if t.shift.p10 is not None and t.shift.p90 is not None
                          else f"{t.shift.median:+d}", f"{t.both:,}"])
        parts.append(fitted(
            [Col("outcome"), Col("A: turn", "right", False), Col("B: turn", "right", False),
             Col("B − A, turns", "right", False), Col("games (both)", "right", False)],
            trows, title="When it came true (median turn, 10–90% of the games where it did)",
            caption="B − A: the change of the turn in the games where it came true in both, "
            "on the same random numbers (median, 10–90%); negative: sooner in B."))
    return Group(*parts)


def branch_tables(result: BranchResult) -> RenderableType:
    """Rich tables of a branch: how many games reached it and met its condition, then the
    comparison of the games played on as they were (A) and with the change (B)."""
    import datetime as dt

    day = "" if result.at_date is None else \
        f" (ending {_date(dt.date.fromisoformat(result.at_date))})"
    kept = (f"{result.kept:,} ({_pct(result.share_kept)}) met: "
            f"{printable(result.given_name or '')}" if result.given is not None else
            "every one branched")
    head = Text(f"Branch after turn {result.at}{day}: {plural(result.reached, 'game')} played "
                f"to it; {kept}", style="bold")
    return Group(head, compare_tables(result.comparison))


def _turns(q: Any) -> str:
    if q.median is None:
        return "–"
    if q.p10 == q.p90:
        return str(q.median)
    return f"{q.median} ({q.p10}–{q.p90})"
