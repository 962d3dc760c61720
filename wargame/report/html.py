"""``wargame report``: one self-contained HTML file an analyst can mail to a colleague.

The page holds the scenario's summary and sources, the outcome table, the map and the charts,
and everything needed to replay the batch (seed, scenario digest, overrides, versions).
Pictures are embedded as base64 PNG ``data:`` URIs and the styles are inline, so the file
opens offline and refers to nothing outside itself. Source URLs are printed as text, not
links, for the same reason. Every string goes through :func:`wargame.textsafe.html_text`, the
one escape point: HTML-escaped, with control characters and escape sequences removed, so
``cat report.html`` shows text and runs nothing; the finished page is checked once more.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wargame.display import interval, pct, plural
from wargame.report.overview import describe_condition, fmt_param
from wargame.report.palette import text_on
from wargame.report.regions import region_table, share_text
from wargame.scenario.calendar import turn_end
from wargame.scenario.params import param_source
from wargame.scenario.schema import Scenario
from wargame.textsafe import html_text, without_controls

if TYPE_CHECKING:
    from wargame.montecarlo.results import BatchResult

CSS = """
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;max-width:1100px;
margin:2em auto;padding:0 1em;color:#1a1a1a;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;
margin-top:2em}table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
th,td{padding:.25em .6em;border-bottom:1px solid #e4e4e4;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.n{text-align:right;font-variant-numeric:tabular-nums}
img{max-width:100%;height:auto;border:1px solid #ddd}figure{margin:1em 0}
figcaption{font-size:.85em;color:#555}.sw{display:inline-block;width:.9em;height:.9em;
border:1px solid #555;vertical-align:middle;margin-right:.3em}.muted{color:#666}
code,pre{background:#f6f6f6;padding:.1em .3em;font-size:.9em}pre{padding:.6em;overflow-x:auto}
td.c{text-align:right;font-variant-numeric:tabular-nums;min-width:2.6em}
""".strip()


@dataclass(frozen=True)
class Picture:
    """An embedded image: its title, a caption and PNG bytes."""

    title: str
    caption: str
    png: bytes

    def html(self) -> str:
        """A ``<figure>`` with the PNG inline as a data URI."""
        data = base64.b64encode(self.png).decode("ascii")
        return (f'<figure><img alt="{_e(self.title)}" src="data:image/png;base64,{data}">'
                f"<figcaption>{_e(self.caption)}</figcaption></figure>")


def _e(x: Any) -> str:
    return html_text(x)


def _pct(p: float | None) -> str:
    return pct(p, 1)   # 0.0% only for never, 100.0% only for always (wargame.display)


def _num(x: float | None) -> str:
    return "–" if x is None else f"{x:,.0f}"


def _date(d: dt.date | None) -> str:
    if d is None:
        return "–"
    return f"{d.day} {d:%b %Y}"


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], numeric: Collection[int] = (),
           raw: bool = False) -> str:
    """An HTML table; cells are escaped unless ``raw`` (already HTML)."""
    th = "".join(f"<th>{_e(h)}</th>" for h in head)
    body = []
    for r in rows:
        cells = "".join(f'<td{" class=n" if k in numeric else ""}>'
                        f"{c if raw else _e(c)}</td>" for k, c in enumerate(r))
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def outcome_section(summary: BatchResult, sc: Scenario | None = None) -> str:
    """The outcome table: probability, 95% interval and when it came true."""
    rows = []
    for o in summary.outcomes:
        lo, hi = o.ci95
        t = o.end_date
        final = sc is not None and o.id in sc.outcomes and sc.outcomes[o.id].when == "final"
        if final:
            when = "judged at the end"
        elif t.median is None:
            when = "–"
        elif t.p10 == t.p90:
            when = _date(t.median)
        else:
            when = f"{_date(t.median)} ({_date(t.p10)} – {_date(t.p90)})"
        rows.append([o.name, _pct(o.probability), interval(lo, hi, 1, " – "), when, o.id])
    return _table(["outcome", "probability", "95% interval (Wilson)",
                   "by the end of (median, 10% – 90% of games)", "id"], rows, {1})


def control_section(summary: BatchResult, sc: Scenario) -> str:
    """Final control by region: the share of games each faction holds each place."""
    rt = region_table(summary.control, sc)
    cols = [*range(len(rt.factions)), *([len(rt.factions)] if rt.has_nobody else [])]
    head = ["region", "place", *[rt.faction_names[f] if f < len(rt.factions) else "nobody"
                                 for f in cols]]
    th = "".join(f"<th>{_e(h)}</th>" for h in head[:2])
    for f in cols:
        colour = rt.colours[f]
        th += f'<th><span class=sw style="background:{colour}"></span>{_e(head[2 + f])}</th>'
    body = []
    for region, idx in rt.groups:
        for k, i in enumerate(idx):
            cells = [f"<td>{_e(region) if k == 0 else ''}</td>", f"<td>{_e(rt.names[i])}</td>"]
            lead = max(cols, key=lambda f: rt.shares[i, f])
            for f in cols:
                p = float(rt.shares[i, f])
                style = ""
                if f == lead and p > 0:
                    style = f' style="background:{rt.colours[f]};color:{text_on(rt.colours[f])}"'
                cells.append(f"<td class=c{style}>{_e(share_text(p))}</td>")
            body.append(f"<tr>{''.join(cells)}</tr>")
    return (f"<table><thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            '<p class=muted>Percent of games each faction holds the place at the end; the most '
            "likely holder is shaded in its colour.</p>")


def faction_section(summary: BatchResult, sc: Scenario) -> str:
    """Strength at the start and end, casualties and reinforcements (means and 90% ranges).

    A mean outside its 90% range (a faction that loses men in fewer than 5% of the games) is
    marked, and a note under the table says how far the few other games go.
    """
    from wargame.report.tables import spread

    rows, notes = [], []
    for f in summary.factions:
        fac = sc.factions.get(f.id)
        colour = fac.colour if fac is not None and fac.colour else None
        sw = f'<span class=sw style="background:{colour}"></span>' if colour else ""
        s, c = f.strength, f.casualties
        cells = []
        for what, q in (("strength at the end", s), ("casualties", c)):
            span = "–" if q.p05 is None or q.p95 is None else f"{q.p05:,.0f} – {q.p95:,.0f}"
            note = spread(q)[1]
            if note:
                notes.append(f"† {f.name}, {what}: {note}.")
                span += " †"
            cells.append(span)
        rows.append([sw + _e(f.name), _num(f.initial_mean), _num(s.mean), _e(cells[0]),
                     _num(c.mean), _e(cells[1]), _num(f.reinforcements_mean)])
    table = _table(["faction", "strength at start", "at end (mean)", "at end (90% of games)",
                    "casualties (mean)", "casualties (90% of games)",
                    "reinforcements (mean)"], rows, {1, 2, 3, 4, 5, 6}, raw=True)
    return table + "".join(f"<p class=muted>{_e(n)}</p>" for n in notes)


CIVILIAN_ROWS = 12
"""The hardest-hit places the report's civilian table lists."""


def civilian_section(summary: BatchResult, sc: Scenario) -> str:
    """Civilians killed and displaced: over all places (mean and 90% of games), and at the
    hardest-hit places (means)."""
    civ = summary.civilians
    if civ is None:
        return ("<p class=muted>This batch did not count civilians (a store made by an older "
                "version).</p>")
    rows = [[t.what, _num(t.mean), f"{t.p05:,.0f} – {t.p95:,.0f}"] for t in civ.totals]
    totals = _table(["civilians", "mean", "90% of games"], rows, {1, 2})
    pops = {sid: s.population for sid, s in sc.settlements.items()}
    hit = sorted((p for p in civ.places if p.killed + p.displaced >= 0.5),
                 key=lambda p: -(p.killed + p.displaced))[:CIVILIAN_ROWS]
    places = _table(["place", "population", "killed (mean)", "fled (mean)"],
                    [[p.name, _num(pops.get(p.settlement)), _num(p.killed), _num(p.displaced)]
                     for p in hit], {1, 2, 3})
    note = ("<p class=muted>Killed: by fighting, air strikes and sieges; displaced: people who "
            "fled a place ahead of an attack or after it fell. The rates and their published "
            "sources are in docs/model.md; docs/validation.md sets the model's figures beside "
            "published counts.</p>")
    return totals + (places if hit else "") + note


def scenario_section(sc: Scenario, digest: str) -> str:
    """What the scenario says: period, factions, outcome definitions, sources."""
    m = sc.scenario
    end = turn_end(sc, m.turns)
    parts = [f"<p>{_e(m.description.strip())}</p>" if m.description else "",
             f"<p>{m.start_date.day} {m.start_date:%b %Y} to {end.day} {end:%b %Y}: "
             f"{m.turns} turns of {m.days_per_turn} days; {len(sc.settlements)} places, "
             f"{len(sc.links)} links. Scenario digest <code>{_e(digest)}</code>.</p>"]
    rows = []
    for fid, f in sc.factions.items():
        sw = f'<span class=sw style="background:{f.colour}"></span>' if f.colour else ""
        held = sum(1 for s in sc.settlements.values() if s.controller == fid)
        rows.append([sw + _e(f.name), _e(fid), _e(fmt_param(f.strength)), str(held),
                     _e(param_source(f.strength) or f.source or "")])  # as `show` gives it
    parts.append("<h3>Factions</h3>" + _table(["faction", "id", "strength", "places held",
                                               "source"], rows, {3}, raw=True))
    outs = [[o.name, describe_condition(o) + (" (at the end)" if o.when == "final" else "")
             + (f" (by turn {o.by_turn})" if o.by_turn else ""), oid]
            for oid, o in sc.outcomes.items()]
    parts.append("<h3>Outcomes tested</h3>" + _table(["outcome", "test", "id"], outs))
    if m.sources:
        items = "".join(
            f"<li><b>{_e(s.id)}</b>: {_e(s.title)}"
            + (f" <span class=muted>({_e(s.date)})</span>" if s.date else "")
            + (f"<br><span class=muted>{_e(s.url)}</span>" if s.url else "")
            + (f"<br><span class=muted>{_e(s.note)}</span>" if s.note else "") + "</li>"
            for s in m.sources)
        parts.append("<h3>Sources</h3><p class=muted>Addresses are printed, not linked: the "
                     f"report opens offline.</p><ul>{items}</ul>")
    return "".join(parts)


def replay_section(summary: BatchResult, replay: str) -> str:
    """Seed, digest, overrides, chunking and versions: all it takes to get the same numbers."""
    spec = summary.spec
    rows = [["command", f"<code>{_e(replay)}</code>"],
            ["seed", f"<code>{_e(spec.seed)}</code>"],
            ["games", f"{summary.games:,} (asked {spec.runs:,}; chunks of "
                      f"{spec.chunk_size:,})"],
            ["scenario", f"<code>{_e(spec.scenario)}</code>"],
            ["scenario digest (SHA-256)", f"<code>{_e(spec.digest)}</code>"],
            ["overrides (--set)", _e(", ".join(spec.overrides) or "none")],
            ["versions", _e(", ".join(f"{k} {val}" for k, val in spec.versions.items()))]]
    return _table(["", ""], rows, raw=True)


def report_html(sc: Scenario, summary: BatchResult, pictures: dict[str, Picture],
                replay: str, generated: str = "") -> str:
    """The whole page. ``pictures`` may hold ``map``, ``outcomes`` and ``timing``."""
    name = sc.scenario.name
    lead = (f"{plural(summary.games, 'game')} of this scenario, seed {summary.seed}. "
            "Probabilities are shares of games; intervals are 95% Wilson score intervals.")
    body = [f"<h1>{_e(name)}</h1>", f"<p class=muted>{_e(lead)} {_e(generated)}</p>",
            "<h2>Outcomes</h2>", outcome_section(summary, sc)]
    for key, heading in (("map", "Map"), ("outcomes", "Outcomes by date"),
                         ("timing", "When outcomes come true")):
        if key in pictures:
            body += [f"<h2>{heading}</h2>", pictures[key].html()]
    body += ["<h2>Who holds what at the end</h2>", control_section(summary, sc),
             "<h2>Forces</h2>", faction_section(summary, sc),
             "<h2>Civilians</h2>", civilian_section(summary, sc),
             "<h2>The scenario</h2>", scenario_section(sc, summary.spec.digest),
             "<h2>Replay</h2>", replay_section(summary, replay)]
    page = ("<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
            '<meta name=viewport content="width=device-width, initial-scale=1">'
            f"<title>{_e(name)} – wargame report</title><style>{CSS}</style></head>"
            f"<body>{''.join(body)}</body></html>\n")
    return without_controls(page)  # a safety net behind _e, as the consoles have
