"""The story of one game: why each town changed hands, turn by turn.

A function of the game's structured record (:mod:`wargame.report.record`), never of the
engine's log directly, so the sentences and ``wargame run --format json`` tell the same game.
:class:`wargame.report.game.Game` gives these as the game's methods (``story``,
``narrative``).
"""

from __future__ import annotations

import io
from collections.abc import Mapping

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.text import Text

from wargame.display import Col, fitted, pct
from wargame.report.effects import faction_name, idle
from wargame.report.record import Battle, EventFired, GameRecord, Strike, Surrender, TurnRecord
from wargame.scenario.calendar import span
from wargame.scenario.schema import Scenario
from wargame.textsafe import printable, terminal

RATIO_CAP = 100.0
"""Force ratios beyond this (either way) are told as "more than 100:1": the exact figure of a
nearly empty garrison (1549.8:1) says nothing more, and reads as a precision the model lacks."""


def _ratio(x: float) -> str:
    if x >= RATIO_CAP:
        return f"more than {RATIO_CAP:.0f}:1"
    if x <= 1 / RATIO_CAP:
        return f"less than 1:{RATIO_CAP:.0f}"
    return f"{x:.1f}:1" if x >= 1 else f"1:{1 / x:.1f}"


def _names(sc: Scenario) -> tuple[dict[str | None, str], dict[str | None, str]]:
    fname: dict[str | None, str] = {fid: faction_name(sc, fid) for fid in sc.factions}
    fname[None] = "nobody"
    sname: dict[str | None, str] = {sid: s.name for sid, s in sc.settlements.items()}
    return fname, sname


def _days(x: float) -> str:
    n = round(x)
    return "half a day" if 0 < x < 0.75 else f"{n} day{'s' if n != 1 else ''}"


def _their(name: str) -> str:
    """The possessive of a faction's name: ``the regime's``, ``the rebels'``."""
    return name + ("'" if name.endswith("s") else "'s")


def _men(n: float) -> str:
    k = round(n)
    return f"{k:,} {'man' if k == 1 else 'men'}"


def _strikes(strikes: list[Strike], place: str | None,
             fname: dict[str | None, str]) -> str:
    """Who struck whom from the air at ``place`` this turn: `` The Russian Aerospace Forces
    flew 40 sorties against the rebels there.``"""
    flown: dict[tuple[str, str | None], float] = {}
    for s in strikes:
        if s.place == place and s.sorties >= 0.5:
            flown[(s.provider, s.target)] = flown.get((s.provider, s.target), 0.0) + s.sorties
    bits = []
    for (provider, target), n in flown.items():
        k = round(n)
        whom = f" against {fname.get(target, target)}" if target is not None else ""
        bits.append(f" {provider} flew {k} sortie{'s' if k != 1 else ''}{whom} there.")
    return "".join(bits)


def _battle(b: Battle, fname: dict[str | None, str], sname: dict[str | None, str],
            strikes: list[Strike]) -> str:
    d, a = fname.get(b.defender, b.defender), fname.get(b.attacker, b.attacker)
    air_txt = _strikes(strikes, b.place, fname)
    others = [fname.get(f, f) for f in b.attackers if f != b.attacker]
    also = f" (also attacked by {', '.join(others)})" if others else ""
    side = {s.faction: s for s in b.sides}
    place = sname.get(b.place, b.place)
    if b.result == "captured":
        left = side[b.defender].end if b.defender in side else 0.0
        some = round(left) >= 1   # said as a whole number of men: "(0 men)" is "none"
        why = {
            "cleared": (f"after clearing the last {pct(1 - b.cleared_before)} of it"
                        if b.cleared_before > 0 else f"in {_days(b.fought)} of fighting"),
            "broken": "when the worn-down garrison gave it up",
            "exhausted": (f"when its garrison was down to {_men(left)}" if some
                          else "when no defenders were left"),
            "collapsed": "when the defence collapsed",
        }.get(b.how, f"in {_days(b.fought)} of fighting")
        if not some:
            fate = "; no defenders were left" if b.how != "exhausted" else "; none got away"
        elif b.retreat_to:
            fate = f"; {d} fell back on {', '.join(sname.get(n, n) for n in b.retreat_to)}"
        elif b.breakout_to:
            fate = (f"; its garrison, cut off, broke out to "
                    f"{', '.join(sname.get(n, n) for n in b.breakout_to)} ({_men(left)} set out)")
        else:
            fate = f"; its garrison, cut off, surrendered ({_men(left)})"
        return f"{a} took {place} from {d} at {_ratio(b.ratio)}{also}, {why}{fate}.{air_txt}"
    att = side.get(b.attacker)
    a0, a1 = (att.start, att.end) if att is not None else (0.0, 0.0)
    odds = _ratio(b.ratio)
    if b.fought <= 0:
        return f"{a} massed against {place} ({odds}) but did not engage this week.{air_txt}"
    lost = f"the attackers lost {a0 - a1:,.0f} of {a0:,.0f}"
    if b.defender in side and side[b.defender].start > 0:
        gar = side[b.defender]
        lost += f", the defenders {gar.start - gar.end:,.0f} of {gar.start:,.0f}"
    if b.cleared_after > b.cleared_before:
        return (f"{a} fought for {place} ({odds}) for {_days(b.fought)} and has cleared "
                f"{pct(b.cleared_after)} of it; {lost}.{air_txt}")
    if att is not None and att.routed:
        return f"{d} held {place} against {a} ({odds}) and threw them back; {lost}.{air_txt}"
    return (f"{d} held {place} against {a} ({odds}): {_days(b.fought)} of fighting took no "
            f"ground; {lost}.{air_txt}")


def _places(ids: list[str | None], sname: Mapping[str | None, str]) -> str:
    """Place names joined as 'A', 'A and B', 'A, B and C'."""
    names = [sname.get(x, x) for x in ids if x is not None]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _event(sc: Scenario, e: EventFired, turn: int,
           before: dict[str, str | None] | None) -> str:
    """An event that fired, told by what it changes in this game: one whose every effect has
    nothing to act on (a support line scaled up that flies no sorties) is said to change
    nothing, rather than told by its name."""
    ev = sc.events.get(e.event)
    if ev is None or before is None:
        return f"Event: {e.name}."
    why = [idle(sc, x, turn, before) for x in ev.effects]
    idle_ones = [w for w in why if w is not None]
    if idle_ones and len(idle_ones) == len(why):
        return (f"The event \u201c{e.name}\u201d changes nothing in this game: "
                f"{'; '.join(idle_ones)}.")
    if idle_ones:
        return f"Event: {e.name} (in part only: {'; '.join(idle_ones)})."
    return f"Event: {e.name}."


def _garrison_gone(x: Surrender) -> str:
    """What became of a garrison that made a deal: evacuated, gone home, or captive."""
    away, home = round(x.evacuated) >= 1, round(x.deserted) >= 1
    if away and home:
        return (f"{x.evacuated:,.0f} of its fighters were evacuated and {x.deserted:,.0f} went "
                "home or changed sides")
    if away:
        return f"its {x.evacuated:,.0f} fighters were evacuated"
    if home:
        return f"its {x.deserted:,.0f} fighters went home or changed sides"
    return "its garrison went into captivity"


def turn_sentences(sc: Scenario, turn: TurnRecord,
                   before: dict[str, str | None] | None = None) -> list[str]:
    """The sentences of one turn, in the order the turn plays them: events, encirclements and
    deals (phase 3), battles, then operations. ``before`` is who held each place at the start
    of the turn (to tell what an event changes)."""
    fname, sname = _names(sc)
    lines = [_event(sc, e, turn.turn, before) for e in turn.events]
    for e in turn.encircled:
        lift = f" (airlift covers {pct(e.airlift)} of its needs)" if e.airlift > 0 else ""
        lines.append(f"{_their(fname.get(e.faction, e.faction) or '')} garrison in "
                     f"{sname.get(e.place, e.place)} is cut off from supply{lift}.")
    for x in turn.surrenders:
        gone = _garrison_gone(x)
        how = "after a siege" if x.besieged else "without a fight, outnumbered"
        lines.append(f"{_their(fname.get(x.faction, x.faction) or '')} garrison in "
                     f"{sname.get(x.place, x.place)} surrendered to "
                     f"{fname.get(x.taker, x.taker)} {how}; {gone}.")
    lines += [_battle(b, fname, sname, turn.strikes) for b in turn.battles]
    for o in turn.operations:
        aims = _places(o.objectives, sname)
        mass = (f", massing for {o.massing_turns} turn{'s' if o.massing_turns != 1 else ''} "
                "first" if o.massing_turns > 0 else "")
        lines.append(f"{fname.get(o.faction, o.faction) or ''} launched an operation against "
                     f"{aims}{mass}.")
    for c in turn.culminated:
        weeks = f"{c.pause_turns} turn{'s' if c.pause_turns != 1 else ''}"
        who = _their(fname.get(c.faction, c.faction) or '')
        if c.why == "exhausted":
            lines.append(f"{who} offensive has taken all it could reach: it pauses for {weeks}.")
            continue
        if not c.objectives:
            lines.append(f"{who} offensive has culminated: it pauses for {weeks}.")
            continue
        aims = _places(c.objectives, sname)
        how = {"achieved": f"has taken {aims}",
               "culminated": f"against {aims} has culminated after losing {c.lost:,.0f} men",
               "ran its course": f"against {aims} has run its course",
               "stalled": f"against {aims} has stalled: nothing in its sector can be attacked",
               "collapsed": f"against {aims} ends as the faction collapses"}.get(
                   c.why, f"against {aims} has ended")
        then = (f"a pause of {weeks} follows" if c.pause_turns > 0
                else "it presses on at once" if sc.model.exploitation
                else "it plans its next operation at once")
        lines.append(f"{who} operation {how}; {then}.")
    return [x[:1].upper() + x[1:] for x in lines]


def story(game: GameRecord) -> dict[int, list[str]]:
    """The sentences of every turn of ``game`` (turn 0 has none), by turn."""
    before = [None, *(t.control for t in game.turns)]
    return {t.turn: turn_sentences(game.scenario, t, b)
            for t, b in zip(game.turns, before, strict=False)}


def text(game: GameRecord, width: int = 80) -> str:
    """The turn-by-turn story and final tables as plain text, ``width`` columns wide, without
    trailing spaces (what ``wargame run`` prints)."""
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None,
                      force_jupyter=False, emoji=False)
    console.print(f"{terminal(game.scenario_name)} — {game.label}")
    console.print(narrative(game))
    return "".join(line.rstrip() + "\n" for line in console.export_text().splitlines())


FORCES_MIN = 0.5
"""Fewer fighters than this at a place are not listed (they print as 0)."""


def forces_lines(sc: Scenario, garrison: dict[str, float],
                 control: dict[str, str | None]) -> list[str]:
    """Who holds how many fighters where (``garrison`` by place, ``control`` its holder), one
    line per faction, largest garrisons first: ``Forces of the regime (41,250): Aleppo
    West 9,800, ...``."""
    fname, sname = _names(sc)
    lines = []
    for fid in sc.factions:
        held = sorted(((v, s) for s, v in garrison.items()
                       if control.get(s) == fid and v >= FORCES_MIN), reverse=True)
        if not held:
            continue
        total = sum(v for v, _ in held)
        places = ", ".join(f"{sname.get(s, s)} {v:,.0f}" for v, s in held)
        lines.append(f"Forces of {fname.get(fid, fid)} ({total:,.0f}): {places}.")
    return lines


def _indented(lines: list[str], style: str = "") -> list[RenderableType]:
    # A hanging indent: a sentence that wraps stays under its first line.
    return [Padding(Text(printable(line), style=style), (0, 0, 0, 2)) for line in lines]


def narrative(game: GameRecord, forces: bool = False) -> RenderableType:
    """The turn-by-turn story, the final control table, outcomes and strengths; with
    ``forces``, the fighters of each faction at each place at the start and after every
    turn."""
    sc = game.scenario
    parts: list[RenderableType] = []
    if forces and game.turns[0].garrison:
        start = sc.scenario.start_date
        parts.append(Text(f"At the start, {start.day} {start:%b %Y}", style="bold"))
        first = game.turns[0]
        parts.extend(_indented(forces_lines(sc, first.garrison, first.control), "dim"))
    told = False
    for prev, turn in zip(game.turns, game.turns[1:], strict=False):
        lines = turn_sentences(sc, turn, prev.control)
        told = told or bool(lines)
        if not lines and not forces:
            continue
        parts.append(Text(f"Turn {turn.turn}, {span(sc, turn.turn)}", style="bold"))
        parts.extend(_indented(lines))
        if forces:
            parts.extend(_indented(forces_lines(sc, turn.garrison, turn.control), "dim"))
    if not told:
        parts.append(Text("No town changed hands and nobody attacked."))
    parts.append(Text(""))
    parts.append(final_tables(game))
    return Group(*parts)


def final_tables(game: GameRecord) -> RenderableType:
    """Final control by faction, outcomes with the turn they came true, strengths."""
    sc = game.scenario
    last = game.final.turn
    end = game.final.end_date
    start = game.turns[0].control
    ctl: list[list[str | Text]] = []
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
        ctl.append([Text(printable(f.name), style=f.colour or ""), str(len(held)), text])
    outs: list[list[str | Text]] = []
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
        outs.append([o.name, verdict])
    strength: list[list[str | Text]] = []
    for fid, f in sc.factions.items():
        v = game.factions[fid]
        strength.append([f.name, f"{v.start:,.0f}", f"{v.reinforcements:,.0f}",
                         f"{v.casualties:,.0f}", f"{v.end:,.0f}"])
    num = [Col(c, "right", False) for c in ("start", "reinforcements", "casualties", "end")]
    parts: list[RenderableType] = [
        fitted([Col("faction"), Col("n", "right", False), Col("settlements")], ctl,
               title=f"Control at the end of turn {last} ({end.day} {end:%b %Y})",
               caption="* taken during the game"),
        fitted([Col("outcome"), Col("result")], outs, title="Outcomes"),
        fitted([Col("faction"), *num], strength, title="Strength")]
    killed, fled = game.final.killed, game.final.displaced
    if killed or fled:
        hit = sorted((s for s in killed if killed[s] + fled.get(s, 0.0) >= 0.5),
                     key=lambda s: -(killed[s] + fled.get(s, 0.0)))[:PLACES_SHOWN]
        rows: list[list[str | Text]] = [
            ["all places", f"{sum(killed.values()):,.0f}", f"{sum(fled.values()):,.0f}"]]
        rows += [[printable(sc.settlements[s].name), f"{killed[s]:,.0f}",
                  f"{fled.get(s, 0.0):,.0f}"] for s in hit]
        parts.append(fitted([Col("place"), Col("killed", "right", False),
                             Col("displaced", "right", False)], rows, title="Civilians"))
    return Group(*parts)


PLACES_SHOWN = 5
"""The hardest-hit places the civilians table of one game names."""
