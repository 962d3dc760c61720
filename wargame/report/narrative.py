"""The story of one game: why each town changed hands, turn by turn."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from wargame.engine.compile import Compiled
from wargame.engine.result import GameResult
from wargame.report.overview import turn_date


def _ratio(x: float) -> str:
    return f"{x:.1f}:1" if x >= 1 else f"1:{1 / max(x, 1e-9):.1f}"


def turn_sentences(c: Compiled, res: GameResult, replicate: int = 0) -> dict[int, list[str]]:
    """Sentences per turn for one replicate, from the engine's turn log."""
    sc = c.scenario
    fname = {i: f.short_name or f.name for i, f in enumerate(sc.factions.values())}
    sname = {i: s.name for i, s in enumerate(sc.settlements.values())}
    recs = [r for r in (res.log or []) if r["replicate"] == replicate]
    strikes: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    for r in recs:
        if r["kind"] == "strike":
            strikes[(r["turn"], r["settlement"])].append(r)
    out: dict[int, list[str]] = defaultdict(list)
    for r in recs:
        t = r["turn"]
        kind = r["kind"]
        if kind == "event":
            out[t].append(f"Event: {r['name']}.")
        elif kind == "encircled":
            lift = f" (airlift covers {r['airlift']:.0%})" if r["airlift"] > 0 else ""
            out[t].append(f"{fname[r['faction']]} in {sname[r['settlement']]} are cut off "
                          f"from supply{lift}.")
        elif kind in ("capture", "repulse"):
            place = r["settlement"]
            d = fname[r["defender"]]
            a = fname[r["attacker"]]
            air = sum(x["sorties"] for x in strikes.get((t, place), []))
            providers = sorted({x["provider"] for x in strikes.get((t, place), [])})
            air_txt = (f", with {air:.0f} {'/'.join(providers)} sorties against the defenders"
                       if air >= 1 else "")
            others = [fname[f] for f in r["attackers"] if f != r["attacker"]]
            also = f" (also attacked by {', '.join(others)})" if others else ""
            if kind == "capture":
                s1 = r["strength"][r["defender"]][1]
                if r["retreat_to"]:
                    where = ", ".join(sname[n] for n in r["retreat_to"])
                    fate = f"{d} fell back on {where}"
                else:
                    fate = f"its garrison, cut off, surrendered ({s1:,.0f} men)"
                out[t].append(f"{a} took {sname[place]} from {d} at "
                              f"{_ratio(r['ratio'])}{air_txt}{also}; {fate}.")
            else:
                a0, a1 = r["strength"][r["attacker"]]
                routed = " and routed them" if r["attacker"] in r["routed"] else ""
                out[t].append(f"{d} held {sname[place]} against {a} "
                              f"({_ratio(r['ratio'])}{air_txt}){routed}; the attackers lost "
                              f"{a0 - a1:,.0f} of {a0:,.0f}.")
    return {t: [x[:1].upper() + x[1:] for x in lines] for t, lines in out.items()}


def narrative(c: Compiled, res: GameResult, replicate: int = 0) -> RenderableType:
    """The turn-by-turn story, the final control table, outcomes and strengths."""
    sc = c.scenario
    parts: list[RenderableType] = []
    story = turn_sentences(c, res, replicate)
    for t in range(1, res.turns + 1):
        lines = story.get(t, [])
        if not lines:
            continue
        head = Text(f"Turn {t}, {turn_date(sc, t):%d %b %Y}", style="bold")
        parts.append(head)
        parts.extend(Text(f"  {line}") for line in lines)
    if not parts:
        parts.append(Text("No town changed hands and nobody attacked."))
    parts.append(Text(""))
    parts.append(final_tables(c, res, replicate))
    return Group(*parts)


def final_tables(c: Compiled, res: GameResult, replicate: int = 0) -> RenderableType:
    """Final control by faction, outcomes with the turn they came true, strengths."""
    sc = c.scenario
    head = Text(f"Control after turn {res.turns} ({turn_date(sc, res.turns):%d %b %Y})",
                style="bold")
    ctl = Table()
    ctl.add_column("faction")
    ctl.add_column("n", justify="right")
    ctl.add_column("settlements")
    names = list(sc.settlements.values())
    init = c.init_control
    for i, f in enumerate(sc.factions.values()):
        held = [k for k in range(len(names)) if res.control[replicate, k] == i]
        if not held:
            continue
        text = Text()
        for j, k in enumerate(held):
            style = "bold" if init[k] != i else ""
            text.append(names[k].name + ("*" if init[k] != i else ""), style=style)
            if j < len(held) - 1:
                text.append(", ")
        ctl.add_row(Text(f.name, style=f.colour or ""), str(len(held)), text)
    ctl.caption = "* taken during the game"
    ot = Table()
    ot.add_column("outcome")
    ot.add_column("result")
    for k, (_, o) in enumerate(sc.outcomes.items()):
        t = int(res.outcome_turn[replicate, k])
        if t < 0:
            verdict = "no"
        elif o.when == "final":
            verdict = "yes, at the end"
        elif t == 0:
            verdict = "yes, from the start"
        else:
            verdict = f"yes, turn {t} ({turn_date(sc, t):%d %b %Y})"
        ot.add_row(o.name, verdict)
    st = Table()
    for col in ("faction", "start", "reinforcements", "casualties", "end"):
        st.add_column(col, justify="left" if col == "faction" else "right")
    for i, f in enumerate(sc.factions.values()):
        st.add_row(f.name, f"{res.initial_strength[replicate, i]:,.0f}",
                   f"{res.reinforcements[replicate, i]:,.0f}",
                   f"{res.casualties[replicate, i]:,.0f}", f"{res.strength[replicate, i]:,.0f}")
    return Group(head, ctl, Text("Outcomes", style="bold"), ot, Text("Strength", style="bold"),
                 st)


def game_json(c: Compiled, res: GameResult, seed: int, digest: str,
              replicate: int = 0) -> dict[str, Any]:
    """One game as plain data (``wargame run --format json``)."""
    sc = c.scenario
    story = turn_sentences(c, res, replicate)
    fids = list(sc.factions)
    return {
        "scenario": sc.scenario.name, "scenario_digest": digest, "seed": seed,
        "turns": [{"turn": t, "date": turn_date(sc, t).isoformat(), "story": story.get(t, [])}
                  for t in range(1, res.turns + 1)],
        "control": {s: (fids[int(x)] if x >= 0 else None)
                    for s, x in zip(res.settlements, res.control[replicate], strict=True)},
        "outcomes": {o: {"turn": int(res.outcome_turn[replicate, k]) if
                         res.outcome_turn[replicate, k] >= 0 else None,
                         "final": bool(res.outcome_final[replicate, k])}
                     for k, o in enumerate(res.outcomes)},
        "strength": {f: {"start": float(res.initial_strength[replicate, i]),
                         "reinforcements": float(res.reinforcements[replicate, i]),
                         "casualties": float(res.casualties[replicate, i]),
                         "end": float(res.strength[replicate, i])}
                     for i, f in enumerate(fids)},
    }
