"""The story of one game: why each town changed hands, turn by turn.

Rendered from the game's structured record (:mod:`wargame.report.record`), never from the
engine's log directly, so the sentences and ``wargame run --format json`` tell the same game.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from wargame.report.record import Battle, Game, TurnRecord
from wargame.scenario.calendar import span
from wargame.scenario.schema import Scenario
from wargame.textsafe import printable, terminal


def _ratio(x: float) -> str:
    return f"{x:.1f}:1" if x >= 1 else f"1:{1 / max(x, 1e-9):.1f}"


def _names(sc: Scenario) -> tuple[dict[str | None, str], dict[str | None, str]]:
    fname: dict[str | None, str] = {fid: f.short_name or f.name
                                    for fid, f in sc.factions.items()}
    fname[None] = "nobody"
    sname: dict[str | None, str] = {sid: s.name for sid, s in sc.settlements.items()}
    return fname, sname


def _days(x: float) -> str:
    n = round(x)
    return "half a day" if 0 < x < 0.75 else f"{n} day{'s' if n != 1 else ''}"


def _battle(b: Battle, fname: dict[str | None, str], sname: dict[str | None, str]) -> str:
    d, a = fname.get(b.defender, b.defender), fname.get(b.attacker, b.attacker)
    air_txt = (f", with {b.sorties:.0f} {'/'.join(b.providers)} sorties against the defenders"
               if b.sorties >= 1 else "")
    others = [fname.get(f, f) for f in b.attackers if f != b.attacker]
    also = f" (also attacked by {', '.join(others)})" if others else ""
    side = {s.faction: s for s in b.sides}
    place = sname.get(b.place, b.place)
    if b.result == "captured":
        left = side[b.defender].end if b.defender in side else 0.0
        why = {
            "cleared": (f"after clearing the last {1 - b.cleared_before:.0%} of it"
                        if b.cleared_before > 0 else f"in {_days(b.fought)} of fighting"),
            "broken": "when the worn-down garrison gave it up",
            "exhausted": (f"when its garrison was down to {left:,.0f}" if left >= 1
                          else "when no defenders were left"),
            "collapsed": "when the defence collapsed",
        }.get(b.how, f"in {_days(b.fought)} of fighting")
        if left < 1:
            fate = "no defenders were left" if b.how != "exhausted" else "none got away"
        elif b.retreat_to:
            fate = f"{d} fell back on {', '.join(sname.get(n, n) for n in b.retreat_to)}"
        else:
            fate = f"its garrison, cut off, surrendered ({left:,.0f} men)"
        return (f"{a} took {place} from {d} at {_ratio(b.ratio)}{air_txt}{also}, {why}; "
                f"{fate}.")
    att = side.get(b.attacker)
    a0, a1 = (att.start, att.end) if att is not None else (0.0, 0.0)
    odds = f"{_ratio(b.ratio)}{air_txt}"
    if b.fought <= 0:
        return f"{a} massed against {place} ({odds}) but did not engage this week."
    lost = f"the attackers lost {a0 - a1:,.0f} of {a0:,.0f}"
    if b.cleared_after > b.cleared_before:
        return (f"{a} fought for {place} ({odds}) for {_days(b.fought)}, and has cleared "
                f"{b.cleared_after:.0%} of it; {lost}.")
    if att is not None and att.routed:
        return f"{d} held {place} against {a} ({odds}) and threw them back; {lost}."
    return (f"{d} held {place} against {a} ({odds}): {_days(b.fought)} of fighting took no "
            f"ground; {lost}.")


def turn_sentences(sc: Scenario, turn: TurnRecord) -> list[str]:
    """The sentences of one turn: events, encirclements, then battles."""
    fname, sname = _names(sc)
    lines = [f"Event: {e.name}." for e in turn.events]
    for e in turn.encircled:
        lift = f" (airlift covers {e.airlift:.0%})" if e.airlift > 0 else ""
        lines.append(f"{fname.get(e.faction, e.faction)} in {sname.get(e.place, e.place)} "
                     f"are cut off from supply{lift}.")
    lines += [_battle(b, fname, sname) for b in turn.battles]
    for x in turn.surrenders:
        gone = (f"its {x.evacuated:,.0f} fighters were evacuated" if x.evacuated >= 1
                else "its garrison went into captivity")
        lines.append(f"{fname.get(x.faction, x.faction)} in {sname.get(x.place, x.place)} "
                     f"surrendered to {fname.get(x.taker, x.taker)} after a siege; {gone}.")
    for c in turn.culminated:
        weeks = f"{c.pause_turns} turn{'s' if c.pause_turns != 1 else ''}"
        lines.append(f"{fname.get(c.faction, c.faction)}'s offensive has culminated: it "
                     f"pauses for {weeks}.")
    return [x[:1].upper() + x[1:] for x in lines]


def narrative(game: Game) -> RenderableType:
    """The turn-by-turn story, the final control table, outcomes and strengths."""
    sc = game.scenario
    parts: list[RenderableType] = []
    for turn in game.turns[1:]:
        lines = turn_sentences(sc, turn)
        if not lines:
            continue
        parts.append(Text(f"Turn {turn.turn}, {span(sc, turn.turn)}", style="bold"))
        parts.extend(Text(f"  {printable(line)}") for line in lines)
    if not parts:
        parts.append(Text("No town changed hands and nobody attacked."))
    parts.append(Text(""))
    parts.append(final_tables(game))
    return Group(*parts)


def final_tables(game: Game) -> RenderableType:
    """Final control by faction, outcomes with the turn they came true, strengths."""
    sc = game.scenario
    last = game.final.turn
    end = game.final.end_date
    head = Text(f"Control at the end of turn {last} ({end.day} {end:%b %Y})", style="bold")
    ctl = Table()
    ctl.add_column("faction")
    ctl.add_column("n", justify="right")
    ctl.add_column("settlements")
    start = game.turns[0].control
    for fid, f in sc.factions.items():
        held = [s for s, who in game.control.items() if who == fid]
        if not held:
            continue
        text = Text()
        for j, s in enumerate(held):
            taken = start[s] != fid
            text.append(printable(sc.settlements[s].name) + ("*" if taken else ""),
                        style="bold" if taken else "")
            if j < len(held) - 1:
                text.append(", ")
        ctl.add_row(Text(printable(f.name), style=f.colour or ""), str(len(held)), text)
    ctl.caption = "* taken during the game"
    ot = Table()
    ot.add_column("outcome")
    ot.add_column("result")
    for oid, o in sc.outcomes.items():
        t = game.outcomes[oid].turn
        if t is None:
            verdict = "no"
        elif o.when == "final":
            verdict = "yes, at the end"
        elif t == 0:
            verdict = "yes, from the start"
        else:
            verdict = f"yes, turn {t} ({span(sc, t)})"
        ot.add_row(terminal(o.name), verdict)
    st = Table()
    for col in ("faction", "start", "reinforcements", "casualties", "end"):
        st.add_column(col, justify="left" if col == "faction" else "right")
    for fid, f in sc.factions.items():
        v = game.factions[fid]
        st.add_row(terminal(f.name), f"{v.start:,.0f}", f"{v.reinforcements:,.0f}",
                   f"{v.casualties:,.0f}", f"{v.end:,.0f}")
    return Group(head, ctl, Text("Outcomes", style="bold"), ot, Text("Strength", style="bold"),
                 st)
