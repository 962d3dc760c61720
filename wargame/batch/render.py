"""Batch, sweep and comparison results as rich tables and long CSV rows.

The results are the typed results of :mod:`wargame.batch.results`,
:mod:`wargame.batch.sweep_result` and :mod:`wargame.batch.compare_result`; this module only lays
them out. (Batch results have their own layout here rather than in ``wargame.report``, which
renders single scenarios and games.) :func:`to_csv` is the one CSV writer: the commands' CSV
and ``wargame results export`` both go through it.

Batch CSV columns (long format, one number per row): ``kind, id, faction, turn, start_date,
end_date, statistic, value``. ``kind`` is ``meta``, ``outcome``, ``control``, ``faction``,
``outcome_by_turn`` or ``control_by_turn``; ``id`` is the outcome, settlement or faction id.
The typed tables of ``wargame results export`` hold the same numbers with one type per column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from wargame.textsafe import csv_cell, printable, terminal

if TYPE_CHECKING:
    from wargame.batch.compare_result import CompareResult
    from wargame.batch.results import BatchResult
    from wargame.batch.summary import ControlShare
    from wargame.batch.sweep_result import SweepResult
    from wargame.batch.tidy import Table as TidyTable

BATCH_COLUMNS = ["kind", "id", "faction", "turn", "start_date", "end_date", "statistic",
                 "value"]
META_KEYS = ("scenario", "digest", "seed", "runs", "games", "chunk_size", "n_chunks",
             "chunks_used", "turns", "precision")


def _pct(p: float | None) -> str:
    return "–" if p is None else f"{100 * p:.1f}%"


def _ci(ci: Sequence[float]) -> str:
    return f"{100 * ci[0]:.1f}–{100 * ci[1]:.1f}%"


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
            for stat in ("mean", "p05", "p95"):
                yield ["faction", f.id, f.id, "", "", "", f"{q}_{stat}", getattr(spread, stat)]
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


def batch_tables(result: BatchResult,
                 control: Callable[[Sequence[ControlShare]], RenderableType] | None = None,
                 ) -> RenderableType:
    """Rich tables of a batch: outcomes, final control, factions (and per turn).

    ``control`` renders the final-control rows instead of the plain table (the CLI passes the
    report layer's region-grouped table).
    """
    spec = result.spec
    parts: list[RenderableType] = [Text(
        f"{printable(spec.scenario)}: {result.games:,} games, seed {spec.seed}, "
        f"{result.turns} turns",
        style="bold")]
    t = Table(title="Outcomes", title_justify="left")
    for col in ("outcome", "probability", "95% interval", "median turn (ends)", "10–90% turn"):
        t.add_column(col, justify="left" if col == "outcome" else "right")
    for o in result.outcomes:
        tr = o.turn
        med = "–" if tr.median is None else f"{tr.median} ({_date(o.end_date.median)})"
        span = "–" if tr.p10 is None else f"{tr.p10}–{tr.p90}"
        t.add_row(terminal(o.name), _pct(o.probability), _ci(o.ci95), med, span)
    parts.append(t)
    if result.control and control is not None:
        parts.append(control(result.control))
    elif result.control:
        factions = list(dict.fromkeys(c.faction for c in result.control))
        ct = Table(title="Final control (share of games)", title_justify="left")
        ct.add_column("settlement")
        for fid in factions:
            ct.add_column(terminal(fid), justify="right")
        by: dict[str, dict[str, float | None]] = {}
        for c in result.control:
            by.setdefault(c.settlement, {})[c.faction] = c.probability
        for sid, row in by.items():
            ct.add_row(terminal(sid), *(_pct(row[fid]) for fid in factions))
        parts.append(ct)
    if result.factions:
        ft = Table(title="Factions (mean, and 5th–95th percentile of games)",
                   title_justify="left")
        for col in ("faction", "start", "final strength", "casualties", "reinforcements"):
            ft.add_column(col, justify="left" if col == "faction" else "right")
        for f in result.factions:
            s, c2 = f.strength, f.casualties
            ft.add_row(terminal(f.id), _n(f.initial_mean),
                       f"{_n(s.mean)} ({_n(s.p05)}–{_n(s.p95)})",
                       f"{_n(c2.mean)} ({_n(c2.p05)}–{_n(c2.p95)})",
                       _n(f.reinforcements_mean))
        parts.append(ft)
    if result.per_turn is not None:
        parts.extend(_per_turn_tables(result))
    return Group(*parts)


def _per_turn_tables(result: BatchResult) -> list[RenderableType]:
    per = result.per_turn
    assert per is not None
    turns = sorted({r.turn for r in per.outcomes} | {r.turn for r in per.control})
    ends = {r.turn: r.end_date for r in per.control}
    out: list[RenderableType] = []
    if result.outcomes:
        ot = Table(title="Outcome holds, by turn (at the close of its last day)",
                   title_justify="left")
        ot.add_column("turn")
        ot.add_column("ends")
        ids = [o.id for o in result.outcomes]
        for i in ids:
            ot.add_column(terminal(i), justify="right")
        cell = {(r.turn, r.outcome): r.probability for r in per.outcomes}
        for tn in turns:
            ot.add_row(str(tn), _date(ends.get(tn)), *(_pct(cell[(tn, i)]) for i in ids))
        out.append(ot)
    st = Table(title="Most likely controller, by turn", title_justify="left")
    st.add_column("turn")
    settlements = list(dict.fromkeys(r.settlement for r in per.control))
    for s in settlements:
        st.add_column(terminal(s), justify="right")
    best: dict[tuple[int, str], tuple[float, str]] = {}
    for r in per.control:
        key = (r.turn, r.settlement)
        if key not in best or r.probability > best[key][0]:
            best[key] = (r.probability, r.faction)
    for tn in turns:
        st.add_row(str(tn), *(f"{terminal(best[(tn, s)][1])} {_pct(best[(tn, s)][0])}"
                              for s in settlements))
    out.append(st)
    return out


def sweep_tables(result: SweepResult) -> RenderableType:
    """Rich tables of a sweep: probabilities at each point, then the sensitivity summary."""
    cols, rows = sweep_rows(result)
    spec = result.spec
    t = Table(title=f"Sweep ({result.design}, {spec.runs:,} games per point, "
                    f"seed {spec.seed})", title_justify="left")
    for c in cols[:-5]:
        t.add_column(terminal(c))
    for c in ("outcome", "probability", "95% interval"):
        t.add_column(c, justify="left" if c == "outcome" else "right")
    for r in rows:
        t.add_row(*(terminal(v) for v in r[:-5]), terminal(r[-5]), _pct(r[-3]),
                  _ci([r[-2], r[-1]]))
    parts: list[RenderableType] = [t]
    sens = result.sensitivity
    if sens is not None:
        st = Table(title=f"Sensitivity: {sens.method}", title_justify="left")
        st.add_column("outcome")
        st.add_column("moved most by")
        st.add_column("effects")
        for row in sens.outcomes:
            st.add_row(terminal(row.outcome), terminal(row.most or "nothing"),
                       terminal("; ".join(f"{p}: {_effect(e)}" for p, e in row.effects.items())))
        parts.append(st)
    return Group(*parts)


def _effect(e: Any) -> str:
    if isinstance(e, dict):
        return ", ".join(f"{k} {'–' if v is None else f'{v:.2f}'}" for k, v in e.items())
    return "–" if e is None else f"{100 * e:.1f} pts"


def compare_tables(result: CompareResult) -> RenderableType:
    """Rich table of a comparison."""
    t = Table(title=f"A = {terminal(result.a.scenario)}, B = {terminal(result.b.scenario)}: "
                    f"{result.games:,} paired games, seed {result.seed}",
              title_justify="left")
    for col in ("outcome", "A", "B", "B − A", "95% interval (paired)"):
        t.add_column(col, justify="left" if col == "outcome" else "right")
    for o in result.outcomes:
        d = o.difference
        t.add_row(terminal(o.name), _pct(o.a.probability), _pct(o.b.probability),
                  f"{100 * d.probability:+.1f} pts",
                  f"{100 * d.ci95[0]:+.1f} to {100 * d.ci95[1]:+.1f} pts")
    return t
