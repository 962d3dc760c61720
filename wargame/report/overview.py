"""``wargame show``: a readable overview of a scenario."""

from __future__ import annotations

from collections import Counter, defaultdict

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from wargame.scenario.calendar import turn_end
from wargame.scenario.load import Loaded
from wargame.scenario.params import (
    Choice,
    LogNormal,
    Normal,
    Param,
    Triangular,
    Uniform,
    param_source,
)
from wargame.scenario.schema import Condition, Scenario
from wargame.textsafe import printable, terminal


def fmt_param(p: Param, digits: int = 0) -> str:
    """A parameter as text: ``12,000`` or ``triangular 8,000-12,000-18,000``."""
    if isinstance(p, float):
        return f"{p:,.{digits}f}"

    def f(x: float) -> str:
        return f"{x:,.{digits}f}"

    if isinstance(p, Uniform):
        return f"uniform {f(p.low)}–{f(p.high)}"
    if isinstance(p, Triangular):
        return f"tri {f(p.low)}/{f(p.mode)}/{f(p.high)}"
    if isinstance(p, Normal):
        return f"normal {f(p.mean_)}±{f(p.sd)}"
    if isinstance(p, LogNormal):
        return f"lognormal med {f(p.median)}"
    if isinstance(p, Choice):
        return "choice " + "/".join(f(v) for v in p.values)
    return f(p.mean())


def describe_condition(c: Condition) -> str:
    """A condition in words."""
    if c.controls is not None:
        joiner = " and " if c.controls.mode == "all" else " or "
        return f"{c.controls.faction} holds {joiner.join(c.controls.settlements)}"
    if c.connected is not None:
        allies = " (with allies)" if c.connected.with_allies else ""
        return (f"{c.connected.faction}{allies} links {'/'.join(c.connected.from_)} "
                f"to {'/'.join(c.connected.to)}")
    if c.collapsed is not None:
        return f"{c.collapsed} collapses"
    if c.not_ is not None:
        return f"not ({describe_condition(c.not_)})"
    parts = c.all if c.all is not None else c.any or []
    word = " and " if c.all is not None else " or "
    return word.join(f"({describe_condition(x)})" for x in parts)


def overview(loaded: Loaded) -> RenderableType:
    """Everything ``wargame show`` prints."""
    sc = loaded.scenario
    m = sc.scenario
    head = Text()
    head.append(f"{printable(m.name)}\n", style="bold")
    if m.description:
        head.append(f"{printable(m.description.strip())}\n")
    end = turn_end(sc, m.turns)
    head.append(f"{m.start_date:%d %b %Y} to {end:%d %b %Y}: {m.turns} turns of "
                f"{m.days_per_turn} days. Scenario hash {loaded.digest[:12]}.\n")

    held: dict[str, list[str]] = defaultdict(list)
    for s in sc.settlements.values():
        held[s.controller].append(s.name)
    ft = Table(title="Factions", title_justify="left")
    for col in ("id", "name", "strength", "quality", "morale", "aggr.", "held", "source"):
        ft.add_column(col, justify="right" if col in ("strength", "quality", "morale", "aggr.",
                                                       "held") else "left")
    for fid, f in sc.factions.items():
        style = f.colour or ""
        ft.add_row(Text(fid, style=style), terminal(f.name), fmt_param(f.strength),
                   fmt_param(f.quality, 2), fmt_param(f.morale, 2),
                   fmt_param(f.doctrine.aggression, 2), str(len(held[fid])),
                   terminal(param_source(f.strength) or f.source or ""))

    rt = Table(title=f"Relations (unlisted pairs: {sc.relations.default})", title_justify="left")
    rt.add_column("between")
    rt.add_column("stance")
    rt.add_column("source / note")
    for r in sc.relations.pairs:
        rt.add_row(" – ".join(r.between), r.stance, terminal(r.source or r.note or ""))

    st = Table(title="Settlements by controller", title_justify="left")
    st.add_column("controller")
    st.add_column("n", justify="right")
    st.add_column("settlements")
    for fid in sc.factions:
        if held[fid]:
            st.add_row(fid, str(len(held[fid])), terminal(", ".join(sorted(held[fid]))))

    sup = Table(title="External support", title_justify="left")
    for col in ("id", "kind", "provider → beneficiary", "intensity", "turns", "source"):
        sup.add_column(col)
    for sid, line in sc.support.items():
        intensity = {
            "air_strikes": lambda x: f"{fmt_param(x.sorties_per_turn)} sorties/turn",
            "reinforcements": lambda x: f"{fmt_param(x.men_per_turn)} men/turn",
            "airlift": lambda x: f"{', '.join(x.settlements)}",
            "supply": lambda x: f"via {', '.join(x.at)}",
            "artillery": lambda x: f"×{fmt_param(x.fire_multiplier, 2)} fire",
        }[line.kind](line)
        last = line.last_turn if line.last_turn is not None else m.turns
        sup.add_row(sid, line.kind, terminal(f"{line.provider} → {line.beneficiary}"), intensity,
                    f"{line.first_turn}–{last}", terminal(line.source or ""))

    ev = Table(title="Events", title_justify="left")
    ev.add_column("id")
    ev.add_column("trigger")
    ev.add_column("effects", justify="right")
    for eid, e in sc.events.items():
        t = e.trigger
        bits = [f"{k}={v}" for k, v in (("turn", t.turn), ("from turn", t.from_turn),
                                         ("chance", t.chance), ("outcome", t.outcome)) if v]
        if t.captured:
            bits.append(f"{t.captured.settlement} taken" + (f" by {t.captured.by}"
                                                               if t.captured.by else ""))
        ev.add_row(eid, ", ".join(bits), str(len(e.effects)))

    ot = Table(title="Outcomes", title_justify="left")
    ot.add_column("id")
    ot.add_column("question")
    ot.add_column("test")
    for oid, o in sc.outcomes.items():
        when = " at the end" if o.when == "final" else ""
        by = f" by turn {o.by_turn}" if o.by_turn else ""
        ot.add_row(oid, terminal(o.name), describe_condition(o) + when + by)

    degree: Counter[str] = Counter()
    for link in sc.links:
        degree[link.between[0]] += 1
        degree[link.between[1]] += 1
    approx = sum(s.approximate for s in sc.settlements.values())
    km = [link.km for link in sc.links if link.km is not None]
    graph = Text(
        f"Graph: {len(sc.settlements)} settlements ({approx} with approximate coordinates), "
        f"{len(sc.links)} links, mean degree {2 * len(sc.links) / max(1, len(sc.settlements)):.1f}"
        + (f", links {min(km):.1f}–{max(km):.1f} km" if km else "") + "\n"
    )

    src = Table(title="Sources", title_justify="left")
    src.add_column("id")
    src.add_column("title")
    src.add_column("url / date")
    for ref in m.sources:
        src.add_row(ref.id, terminal(ref.title),
                    terminal(" ".join(x for x in (ref.url, ref.date) if x)))
    parts: list[RenderableType] = [head, ft]
    parts += [t for t in (rt, st, sup, ev, ot) if t.row_count]
    parts.append(graph)
    if m.sources:
        parts.append(src)
    uncertain = sum(1 for _ in _uncertain(sc))
    parts.append(Text(f"{uncertain} uncertain parameters are sampled once per game."))
    return Group(*parts)


def _uncertain(sc: Scenario) -> list[str]:
    from wargame.scenario.walk import uncertain_params

    return [path for path, _ in uncertain_params(sc)]

