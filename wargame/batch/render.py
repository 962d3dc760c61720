"""Batch, sweep and comparison results as rich tables, long CSV rows, JSON and Parquet.

The results are the JSON-ready dicts of :mod:`wargame.batch.jobs`; this module only lays them
out. (Batch results have their own layout here rather than in ``wargame.report``, which
renders single scenarios and games.)

Batch CSV columns (long format, one number per row): ``kind, id, faction, turn, date,
statistic, value``. ``kind`` is ``meta``, ``outcome``, ``control``, ``faction``,
``outcome_by_turn`` or ``control_by_turn``; ``id`` is the outcome, settlement or faction id.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from wargame.errors import WargameError

BATCH_COLUMNS = ["kind", "id", "faction", "turn", "date", "statistic", "value"]
META_KEYS = ("scenario", "digest", "seed", "runs", "games", "chunk_size", "n_chunks",
             "chunks_used", "turns", "precision")


def to_json(result: dict[str, Any]) -> str:
    """The result as one JSON object (stable key order, so equal results are equal bytes)."""
    return json.dumps(result, indent=2, sort_keys=True)


def _pct(p: float | None) -> str:
    return "–" if p is None else f"{100 * p:.1f}%"


def _ci(ci: list[float]) -> str:
    return f"{100 * ci[0]:.1f}–{100 * ci[1]:.1f}%"


def _n(x: float | None) -> str:
    return "–" if x is None else f"{x:,.0f}"


def batch_rows(result: dict[str, Any]) -> Iterator[list[Any]]:
    """Long rows of a batch result (see the module docstring for the columns)."""
    meta = result["meta"]
    for key in META_KEYS:
        if key in meta:
            yield ["meta", "", "", "", "", key, meta[key]]
    for o in result["outcomes"]:
        for stat in ("probability", "count", "games"):
            yield ["outcome", o["id"], "", "", "", stat, o[stat]]
        yield ["outcome", o["id"], "", "", "", "ci95_low", o["ci95"][0]]
        yield ["outcome", o["id"], "", "", "", "ci95_high", o["ci95"][1]]
        for q in ("p10", "median", "p90"):
            t = o["turn"][q]
            yield ["outcome", o["id"], "", "" if t is None else t, o["date"][q] or "",
                   f"turn_{q}", "" if t is None else t]
    for c in result["control"]:
        yield ["control", c["settlement"], c["faction"], "", "", "probability", c["probability"]]
    for f in result["factions"]:
        yield ["faction", f["id"], f["id"], "", "", "initial_mean", f["initial_mean"]]
        yield ["faction", f["id"], f["id"], "", "", "reinforcements_mean",
               f["reinforcements_mean"]]
        for q in ("strength", "casualties"):
            for stat in ("mean", "p05", "p95"):
                yield ["faction", f["id"], f["id"], "", "", f"{q}_{stat}", f[q][stat]]
    per = result.get("per_turn")
    if per:
        for r in per["outcomes"]:
            yield ["outcome_by_turn", r["outcome"], "", r["turn"], r["date"], "probability",
                   r["probability"]]
        for r in per["control"]:
            yield ["control_by_turn", r["settlement"], r["faction"], r["turn"], r["date"],
                   "probability", r["probability"]]


def sweep_rows(result: dict[str, Any]) -> tuple[list[str], Iterator[list[Any]]]:
    """Columns and rows of a sweep: one row per point and outcome."""
    paths = [v.split("=", 1)[0].strip() for v in result["meta"]["design"]["vary"]]
    cols = ["point", *paths, "outcome", "games", "probability", "ci95_low", "ci95_high"]

    def rows() -> Iterator[list[Any]]:
        for pt in result["points"]:
            for o in pt["outcomes"]:
                yield [pt["point"], *(pt["values"][p] for p in paths), o["id"], pt["games"],
                       o["probability"], o["ci95"][0], o["ci95"][1]]
    return cols, rows()


COMPARE_COLUMNS = ["outcome", "games", "p_a", "a_ci95_low", "a_ci95_high", "p_b", "b_ci95_low",
                   "b_ci95_high", "difference", "diff_ci95_low", "diff_ci95_high"]


def compare_rows(result: dict[str, Any]) -> Iterator[list[Any]]:
    """One row per compared outcome."""
    for o in result["outcomes"]:
        d = o["difference"]
        yield [o["id"], o["games"], o["a"]["probability"], *o["a"]["ci95"],
               o["b"]["probability"], *o["b"]["ci95"], d["estimate"], *d["ci95"]]


def to_csv(columns: list[str], rows: Iterator[list[Any]]) -> str:
    """CSV text with a header row."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    return buf.getvalue()


def to_parquet(columns: list[str], rows: Iterator[list[Any]], out: Any) -> None:
    """Write the long rows as a Parquet file (optional extra ``wargame[parquet]``).

    The ``value`` column mixes numbers and text (metadata), so it is written as text next to a
    numeric ``value_num`` column (null for text).
    """
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise WargameError("Parquet export needs pyarrow: pip install 'wargame[parquet]'") \
            from None
    data: dict[str, list[Any]] = {c: [] for c in columns}
    numeric: list[float | None] = []
    for r in rows:
        for c, v in zip(columns, r, strict=True):
            data[c].append(None if v in ("", None) else str(v))
        last = r[-1]
        numeric.append(float(last) if isinstance(last, int | float) and
                       not isinstance(last, bool) else None)
    table = pa.table({**{c: pa.array(v, pa.string()) for c, v in data.items()},
                      "value_num": pa.array(numeric, pa.float64())})
    pq.write_table(table, out)


def batch_tables(result: dict[str, Any],
                 control: Callable[[list[dict[str, Any]]], RenderableType] | None = None,
                 ) -> RenderableType:
    """Rich tables of a batch: outcomes, final control, factions (and per turn).

    ``control`` renders the final-control rows instead of the plain table (the CLI passes the
    report layer's region-grouped table).
    """
    meta = result["meta"]
    parts: list[RenderableType] = [Text(
        f"{meta['scenario']}: {meta['games']:,} games, seed {meta['seed']}, "
        f"{meta['turns']} turns", style="bold")]
    t = Table(title="Outcomes", title_justify="left")
    for col in ("outcome", "probability", "95% interval", "median turn (date)", "10–90% turn"):
        t.add_column(col, justify="left" if col == "outcome" else "right")
    for o in result["outcomes"]:
        tr, dates = o["turn"], o["date"]
        med = "–" if tr["median"] is None else f"{tr['median']} ({dates['median']})"
        span = "–" if tr["p10"] is None else f"{tr['p10']}–{tr['p90']}"
        t.add_row(o["name"], _pct(o["probability"]), _ci(o["ci95"]), med, span)
    parts.append(t)
    if result["control"] and control is not None:
        parts.append(control(result["control"]))
    elif result["control"]:
        factions = list(dict.fromkeys(c["faction"] for c in result["control"]))
        ct = Table(title="Final control (share of games)", title_justify="left")
        ct.add_column("settlement")
        for f in factions:
            ct.add_column(f, justify="right")
        by: dict[str, dict[str, float]] = {}
        for c in result["control"]:
            by.setdefault(c["settlement"], {})[c["faction"]] = c["probability"]
        for s, row in by.items():
            ct.add_row(s, *(_pct(row[f]) for f in factions))
        parts.append(ct)
    if result["factions"]:
        ft = Table(title="Factions (mean, and 5th–95th percentile of games)",
                   title_justify="left")
        for col in ("faction", "start", "final strength", "casualties", "reinforcements"):
            ft.add_column(col, justify="left" if col == "faction" else "right")
        for f in result["factions"]:
            s, c = f["strength"], f["casualties"]
            ft.add_row(f["id"], _n(f["initial_mean"]),
                       f"{_n(s['mean'])} ({_n(s['p05'])}–{_n(s['p95'])})",
                       f"{_n(c['mean'])} ({_n(c['p05'])}–{_n(c['p95'])})",
                       _n(f["reinforcements_mean"]))
        parts.append(ft)
    per = result.get("per_turn")
    if per:
        parts.extend(_per_turn_tables(result, per))
    return Group(*parts)


def _per_turn_tables(result: dict[str, Any], per: dict[str, Any]) -> list[RenderableType]:
    turns = sorted({r["turn"] for r in per["outcomes"]} | {r["turn"] for r in per["control"]})
    dates = {r["turn"]: r["date"] for r in per["control"]}
    out: list[RenderableType] = []
    if result["outcomes"]:
        ot = Table(title="Outcome holds, by turn", title_justify="left")
        ot.add_column("turn")
        ot.add_column("date")
        ids = [o["id"] for o in result["outcomes"]]
        for i in ids:
            ot.add_column(i, justify="right")
        cell = {(r["turn"], r["outcome"]): r["probability"] for r in per["outcomes"]}
        for tn in turns:
            ot.add_row(str(tn), dates.get(tn, ""), *(_pct(cell[(tn, i)]) for i in ids))
        out.append(ot)
    st = Table(title="Most likely controller, by turn", title_justify="left")
    st.add_column("turn")
    settlements = list(dict.fromkeys(r["settlement"] for r in per["control"]))
    for s in settlements:
        st.add_column(s, justify="right")
    best: dict[tuple[int, str], tuple[float, str]] = {}
    for r in per["control"]:
        key = (r["turn"], r["settlement"])
        if key not in best or r["probability"] > best[key][0]:
            best[key] = (r["probability"], r["faction"])
    for tn in turns:
        st.add_row(str(tn), *(f"{best[(tn, s)][1]} {_pct(best[(tn, s)][0])}"
                              for s in settlements))
    out.append(st)
    return out


def sweep_tables(result: dict[str, Any]) -> RenderableType:
    """Rich tables of a sweep: probabilities at each point, then the sensitivity summary."""
    cols, rows = sweep_rows(result)
    meta = result["meta"]
    t = Table(title=f"Sweep ({meta['design']['design']}, {meta['runs']:,} games per point, "
                    f"seed {meta['seed']})", title_justify="left")
    for c in cols[:-5]:
        t.add_column(c)
    for c in ("outcome", "probability", "95% interval"):
        t.add_column(c, justify="left" if c == "outcome" else "right")
    for r in rows:
        t.add_row(*(str(v) for v in r[:-5]), str(r[-5]), _pct(r[-3]), _ci([r[-2], r[-1]]))
    parts: list[RenderableType] = [t]
    sens = result.get("sensitivity")
    if sens:
        st = Table(title=f"Sensitivity: {sens['method']}", title_justify="left")
        st.add_column("outcome")
        st.add_column("moved most by")
        st.add_column("effects")
        for row in sens["outcomes"]:
            st.add_row(row["outcome"], row["most"] or "nothing",
                       "; ".join(f"{p}: {_effect(e)}" for p, e in row["effects"].items()))
        parts.append(st)
    return Group(*parts)


def _effect(e: Any) -> str:
    if isinstance(e, dict):
        return ", ".join(f"{k} {'–' if v is None else f'{v:.2f}'}" for k, v in e.items())
    return "–" if e is None else f"{100 * e:.1f} pts"


def compare_tables(result: dict[str, Any]) -> RenderableType:
    """Rich table of a comparison."""
    meta = result["meta"]
    t = Table(title=f"A = {meta['a']['scenario']}, B = {meta['b']['scenario']}: "
                    f"{meta['games']:,} paired games, seed {meta['seed']}",
              title_justify="left")
    for col in ("outcome", "A", "B", "B − A", "95% interval (paired)"):
        t.add_column(col, justify="left" if col == "outcome" else "right")
    for o in result["outcomes"]:
        d = o["difference"]
        t.add_row(o["name"], _pct(o["a"]["probability"]), _pct(o["b"]["probability"]),
                  f"{100 * d['estimate']:+.1f} pts",
                  f"{100 * d['ci95'][0]:+.1f} to {100 * d['ci95'][1]:+.1f} pts")
    return t
