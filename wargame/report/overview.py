"""``wargame show``: a readable overview of a scenario."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from rich.console import Console, Group, RenderableType
from rich.text import Text

from wargame.display import Col, Fit, fitted, keyed, table
from wargame.report.effects import event_text
from wargame.scenario.calendar import turn_end
from wargame.scenario.load import Loaded
from wargame.scenario.params import (
    Choice,
    Fixed,
    LogNormal,
    Normal,
    Param,
    Triangular,
    Uniform,
    param_source,
)
from wargame.scenario.schema import Condition, Doctrine, Faction, Scenario, Source
from wargame.textsafe import printable


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
    for civ, what in ((c.civilians_killed, "civilians killed"), (c.displaced, "displaced")):
        if civ is not None:
            where = f" at {'/'.join(civ.settlements)}" if civ.settlements else ""
            return f"at least {civ.at_least:,.0f} {what}{where}"
    if c.not_ is not None:
        return f"not ({describe_condition(c.not_)})"
    parts = c.all if c.all is not None else c.any or []
    word = " and " if c.all is not None else " or "
    return word.join(f"({describe_condition(x)})" for x in parts)


def overview(loaded: Loaded) -> RenderableType:
    """Everything ``wargame show`` prints but the sources (:func:`sources`)."""
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
    ft = _factions(sc, held)

    rt = fitted([Col("between", wrap=False), Col("stance", wrap=False), Col("source / note")],
                [[" – ".join(r.between), r.stance, r.source or r.note or ""]
                 for r in sc.relations.pairs],
                title=f"Relations (unlisted pairs: {sc.relations.default})")

    st = fitted([Col("controller", key=True), Col("n", "right", False), Col("settlements")],
                [[fid, str(len(held[fid])), ", ".join(sorted(held[fid]))]
                 for fid in sc.factions if held[fid]], title="Settlements by controller")
    gar = garrisons(sc)

    sup = _support(sc)

    ev_rows = []
    for eid, e in sc.events.items():
        t = e.trigger
        bits = [f"{k}={v}" for k, v in (("turn", t.turn), ("from turn", t.from_turn),
                                         ("chance", t.chance), ("outcome", t.outcome)) if v]
        if t.captured:
            bits.append(f"{t.captured.settlement} taken" + (f" by {t.captured.by}"
                                                               if t.captured.by else ""))
        ev_rows.append([eid, ", ".join(bits), event_text(e)])
    known = [*sc.factions, *sc.settlements, *sc.support, *sc.events, *sc.outcomes]
    doc_rows = [[fid, text] for fid, f in sc.factions.items() if (text := doctrine_text(sc, f))]
    dt = fitted([Col("id", key=True), Col("beyond the defaults", ids=True)], doc_rows,
                title="Doctrine", known=known)
    ev = fitted([Col("id", key=True), Col("trigger", ids=True), Col("what it does", ids=True)],
                ev_rows, title="Events", known=known)

    ot_rows = []
    for oid, o in sc.outcomes.items():
        when = " at the end" if o.when == "final" else ""
        by = f" by turn {o.by_turn}" if o.by_turn else ""
        ot_rows.append([oid, o.name, describe_condition(o) + when + by])
    ot = fitted([Col("id", key=True), Col("question"), Col("test", ids=True)], ot_rows,
                title="Outcomes", known=known)

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

    parts: list[RenderableType] = [head, ft]
    parts += [t for t, n in ((dt, len(doc_rows)), (rt, len(sc.relations.pairs)), (st, len(held)),
                             (gar, len(held)),
                             (sup, len(sc.support)), (ev, len(ev_rows)),
                             (ot, len(ot_rows))) if n]
    parts.append(graph)
    uncertain = sum(1 for _ in _uncertain(sc))
    parts.append(Text(f"{uncertain} uncertain parameters are sampled once per game."))
    return Group(*parts)


def doctrine_text(sc: Scenario, f: Faction) -> str:
    """What a faction's doctrine and recruitment say beyond the defaults, in words (empty if
    nothing); aggression is in the factions table."""
    d, base, fields = f.doctrine, Doctrine(), Faction.model_fields
    bits = []
    if d.operations != base.operations:
        bits.append(f"{d.operations} operation{'s' if d.operations != 1 else ''} at a time")
    if d.first_operation_turn is not None:
        bits.append(f"first operation attacks on turn {d.first_operation_turn}")
    if d.objectives:
        bits.append("objectives " + ", ".join(f"{sc.settlements[s].name} ({w:g})"
                                               for s, w in d.objectives.items()))
    if d.last_stand is True:
        bits.append("fights to the end everywhere")
    elif d.last_stand:
        bits.append("fights to the end at "
                    + ", ".join(sc.settlements[s].name for s in d.last_stand))
    if d.reserve_share != base.reserve_share:
        none = _share(d.reserve_share) == "0%"
        bits.append("keeps no reserve" if none else
                    f"keeps {_share(d.reserve_share)} of a garrison back")
    if d.max_offensives != base.max_offensives:
        bits.append("makes no attack" if d.max_offensives == 0 else
                    f"at most {d.max_offensives} attack{'s' if d.max_offensives != 1 else ''} "
                    "a turn")
    if f.recruitment != fields["recruitment"].default:
        bits.append(f"recruits {fmt_param(f.recruitment)} a year per 1,000 people held")
    if f.deal_desertion != fields["deal_desertion"].default:
        bits.append(f"{_share(f.deal_desertion)} of a garrison that makes a deal goes home")
    return "; ".join(bits)


def _share(p: Param | float) -> str:
    """A share in words: a fixed one as a percentage, a distribution as its range."""
    x = p.value if isinstance(p, Fixed) else p
    return f"{x:.0%}" if isinstance(x, float | int) else fmt_param(x, 2)


def _factions(sc: Scenario, held: dict[str, list[str]]) -> Fit:
    """The factions table; narrow, their names and sources move to a key under it."""
    nums = [Col("strength", "right", False), Col("quality", "right", False),
            Col("morale", "right", False), Col("aggr.", "right", False),
            Col("held", "right", False)]
    rows: list[tuple[Text, str, list[str | Text], str]] = []
    for fid, f in sc.factions.items():
        rows.append((Text(printable(fid), style=f.colour or ""), f.name,
                     [fmt_param(f.strength), fmt_param(f.quality, 2), fmt_param(f.morale, 2),
                      fmt_param(f.doctrine.aggression, 2), str(len(held[fid]))],
                     param_source(f.strength) or f.source or ""))
    wide = [Col("id", wrap=False), Col("name"), *nums, Col("source")]
    wide_rows: list[list[str | Text]] = [[fid, name, *values, src]
                                         for fid, name, values, src in rows]

    def named(_c: Console) -> RenderableType:
        key = Text()
        for fid, name, _, src in rows:
            key.append(fid)
            key.append(printable(f": {name}" + (f" (sources: {src})" if src else "") + "\n"))
        return Group(table([Col("id", wrap=False), *nums],
                           [[fid, *values] for fid, _, values, _ in rows], title="Factions"),
                     key)

    return Fit(lambda _c: table(wide, wide_rows, title="Factions"), named)


def start_garrisons(sc: Scenario) -> tuple[dict[str, float], dict[str, str | None]]:
    """The fighters at each place at the start, and who holds it: explicit ``garrison:``
    entries, and the rest of each faction spread by value (twice as densely at the front,
    ``model.front_deployment_weight``), with every parameter at its mean."""
    import numpy as np

    from wargame.engine import compile_scenario
    from wargame.engine.state import initial_state, sample_params

    c = compile_scenario(sc)
    rng = np.random.default_rng(0)  # a deterministic start draws nothing from it
    st = initial_state(c, sample_params(c, rng, 1, True), 1, rng, True)
    control = {s: c.factions[int(f)] if f >= 0 else None
               for s, f in zip(c.settlements, st.control[0], strict=True)}
    garrison = {s: float(x) for s, x in zip(c.settlements, st.strength[0], strict=True)}
    return garrison, control


def garrisons(sc: Scenario) -> Text:
    """Who stands where at the start (:func:`start_garrisons`), by faction, largest
    garrisons first."""
    from wargame.report.narrative import forces_lines

    garrison, control = start_garrisons(sc)
    out = Text()
    out.append("Starting garrisons (every parameter at its mean)\n", style="italic")
    for line in forces_lines(sc, garrison, control):
        out.append(printable(line) + "\n")
    return out


def sup_rows(sc: Scenario) -> list[list[str]]:
    """One row per external support line."""
    m = sc.scenario
    out = []
    for sid, line in sc.support.items():
        intensity = {
            "air_strikes": lambda x: f"{fmt_param(x.sorties_per_turn)} sorties/turn",
            "reinforcements": lambda x: f"{fmt_param(x.men_per_turn)} men/turn",
            "airlift": lambda x: f"{', '.join(x.settlements)}",
            "supply": lambda x: f"via {', '.join(x.at)}",
            "artillery": lambda x: f"×{fmt_param(x.fire_multiplier, 2)} fire",
        }[line.kind](line)
        last = line.last_turn if line.last_turn is not None else m.turns
        out.append([sid, line.kind, f"{line.provider} → {line.beneficiary}", intensity,
                    f"{line.first_turn}–{last}", line.source or ""])
    return out


def _support(sc: Scenario) -> Fit:
    """External support lines; narrower, the sources move to a list under the table, then
    the ids are abbreviated with a key."""
    rows = sup_rows(sc)
    cols = [Col("id", key=True), Col("kind", wrap=False), Col("provider → beneficiary"),
            Col("intensity", ids=True), Col("turns", wrap=False)]
    wide = [*cols, Col("source")]
    src = Text(printable("".join(f"{r[0]}: source {r[-1]}\n" for r in rows if r[-1])))
    narrow = [r[:-1] for r in rows]
    title = "External support"
    known = list(sc.settlements)
    return Fit(lambda _c: table(wide, rows, title=title),
               lambda _c: Group(table(cols, narrow, title=title), src),
               lambda _c: Group(keyed(cols, narrow, title=title), src),
               lambda _c: Group(keyed(cols, narrow, title=title, known=known), src))


def sources(refs: Sequence[Source]) -> Text:
    """The sources as a list: id, title and date, then the address on a line of its own.

    Print it with ``soft_wrap=True``: lines are then never cut or folded, so an address can be
    copied whole (the terminal wraps long lines for the eye only).
    """
    out = Text()
    out.append("Sources\n", style="italic")
    for ref in refs:
        out.append(printable(ref.id), style="bold")
        out.append(printable(f": {ref.title}" + (f" ({ref.date})" if ref.date else "")) + "\n")
        if ref.url:
            out.append(f"  {printable(ref.url)}\n")
        if ref.note:
            out.append(f"  {printable(ref.note)}\n", style="dim")
    return out


def _uncertain(sc: Scenario) -> list[str]:
    from wargame.scenario.walk import uncertain_params

    return [path for path, _ in uncertain_params(sc)]

