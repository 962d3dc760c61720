"""Cross-reference and graph checks that a per-value schema cannot express.

Each check yields ``(path, message)`` pairs so that every problem is reported in one pass.
"""

from __future__ import annotations

import difflib
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from typing import TypeAlias

from wargame.jsontypes import RawMapping
from wargame.scenario.schema import Condition, Scenario
from wargame.textsafe import quoted

PathMsg = tuple[tuple[str | int, ...], str]


MIN_PREFIX = 3   # a misspelling this long that begins a known name is taken for it


def closest(name: str, known: Iterable[str]) -> str | None:
    """The known name ``name`` most likely stands for, or ``None``.

    A name cut short or run on (``sortie`` for ``sorties_per_turn``, ``strengths`` for
    ``strength``) matches by prefix when exactly one known name fits; otherwise the closest by
    :func:`difflib.get_close_matches` (ratio at least 0.6).
    """
    names = list(dict.fromkeys(known))
    if len(name) >= MIN_PREFIX:
        fits = [k for k in names if k != name and (k.startswith(name) or (
            len(k) >= MIN_PREFIX and name.startswith(k)))]
        if len(fits) == 1:
            return fits[0]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    return close[0] if close else None


def suggest(name: str, known: Iterable[str]) -> str:
    """A ``did you mean`` hint, or the empty string."""
    close = closest(name, known)
    return f" (did you mean {quoted(close)}?)" if close else ""


Ids: TypeAlias = Mapping[str, object]
"""The entries of a section by id: the raw document's (so an entry that failed validation is
still a known id) or the validated scenario's; only the ids are read."""


def _ref(path: tuple[str | int, ...], kind: str, name: str, known: Ids) -> Iterator[
    PathMsg
]:
    if name not in known:
        yield path, f"unknown {kind} {quoted(name)}{suggest(name, known)}"


def _ids(raw: RawMapping | None, key: str, fallback: Ids) -> Ids:
    section = (raw or {}).get(key)
    return section if isinstance(section, dict) else fallback


def check(sc: Scenario, raw: RawMapping | None = None, partial: bool = False) -> list[PathMsg]:
    """All cross-reference problems of a scenario, in document order.

    ``raw`` is the unvalidated document: ids are looked up there, so that an entry which failed
    schema validation (and was left out of ``sc``) does not also show up as an unknown id.
    ``partial`` skips the whole-graph reachability check when entries were left out.
    """
    out: list[PathMsg] = []
    F = _ids(raw, "factions", sc.factions)
    S = _ids(raw, "settlements", sc.settlements)
    outcomes = _ids(raw, "outcomes", sc.outcomes)
    supports = _ids(raw, "support", sc.support)
    if len(F) < 2:
        out.append((("factions",), "a scenario needs at least two factions"))
    if not S:
        out.append((("settlements",), "a scenario needs at least one settlement"))
    for fid, f in sc.factions.items():
        base = ("factions", fid)
        for s in f.doctrine.objectives:
            out += _ref((*base, "doctrine", "objectives", s), "settlement", s, S)
        if isinstance(f.doctrine.last_stand, list):
            for i, s in enumerate(f.doctrine.last_stand):
                out += _ref((*base, "doctrine", "last_stand", i), "settlement", s, S)
        for i, s in enumerate(f.supply_sources):
            out += _ref((*base, "supply_sources", i), "settlement", s, S)
        for i, r in enumerate(f.reinforcements):
            for j, s in enumerate(r.at):
                out += _ref((*base, "reinforcements", i, "at", j), "settlement", s, S)
            if r.last_turn is not None and r.last_turn < r.first_turn:
                out.append(((*base, "reinforcements", i, "last_turn"),
                            "last_turn is before first_turn"))
    seen_pairs: set[frozenset[str]] = set()
    for i, rel in enumerate(sc.relations.pairs):
        for j, a in enumerate(rel.between):
            out += _ref(("relations", "pairs", i, "between", j), "faction", a, F)
        pair = frozenset(rel.between)
        if len(pair) == 1:
            out.append((("relations", "pairs", i, "between"),
                        "a faction has no relation to itself"))
        elif pair in seen_pairs:
            out.append((("relations", "pairs", i, "between"),
                        f"duplicate relation between {rel.between[0]} and {rel.between[1]}"))
        seen_pairs.add(pair)
    for sid, place in sc.settlements.items():
        out += _ref(("settlements", sid, "controller"), "faction", place.controller, F)
        for g in place.garrison:
            out += _ref(("settlements", sid, "garrison", g), "faction", g, F)
            if g in F and g != place.controller:
                out.append((("settlements", sid, "garrison", g),
                            f"only the controller ({place.controller}) may garrison a "
                            "settlement"))
    out += _check_links(sc, S, partial)
    if not partial:
        out += _check_operations(sc)
    for lid, line in sc.support.items():
        base = ("support", lid)
        out += _ref((*base, "beneficiary"), "faction", line.beneficiary, F)
        if line.last_turn is not None and line.last_turn < line.first_turn:
            out.append(((*base, "last_turn"), "last_turn is before first_turn"))
        for key in ("at", "settlements"):
            for j, s in enumerate(getattr(line, key, None) or []):
                out += _ref((*base, key, j), "settlement", s, S)
        for t in getattr(line, "targets", None) or {}:
            out += _ref((*base, "targets", t), "faction", t, F)
    for oid, o in sc.outcomes.items():
        out += _check_condition(("outcomes", oid), o, F, S)
    for eid, e in sc.events.items():
        base = ("events", eid)
        t = e.trigger
        if t.captured is not None:
            out += _ref((*base, "trigger", "captured", "settlement"), "settlement",
                        t.captured.settlement, S)
            if t.captured.by is not None:
                out += _ref((*base, "trigger", "captured", "by"), "faction", t.captured.by, F)
        if t.outcome is not None:
            out += _ref((*base, "trigger", "outcome"), "outcome", t.outcome, outcomes)
        for i, eff in enumerate(e.effects):
            p = (*base, "effects", i)
            if eff.set_relation:
                for j, a in enumerate(eff.set_relation.between):
                    out += _ref((*p, "set_relation", "between", j), "faction", a, F)
            if eff.scale_support:
                out += _ref((*p, "scale_support", "support"), "support line",
                            eff.scale_support.support, supports)
            if eff.reinforce:
                out += _ref((*p, "reinforce", "faction"), "faction", eff.reinforce.faction, F)
                out += _ref((*p, "reinforce", "settlement"), "settlement",
                            eff.reinforce.settlement, S)
            if eff.doctrine:
                out += _ref((*p, "doctrine", "faction"), "faction", eff.doctrine.faction, F)
                for s in eff.doctrine.objectives or {}:
                    out += _ref((*p, "doctrine", "objectives", s), "settlement", s, S)
    return out


def _check_condition(path: tuple[str | int, ...], c: Condition, F: Ids,
                     S: Ids) -> list[PathMsg]:
    out: list[PathMsg] = []
    if c.controls is not None:
        out += _ref((*path, "controls", "faction"), "faction", c.controls.faction, F)
        for i, s in enumerate(c.controls.settlements):
            out += _ref((*path, "controls", "settlements", i), "settlement", s, S)
    if c.connected is not None:
        out += _ref((*path, "connected", "faction"), "faction", c.connected.faction, F)
        for key, ids in (("from", c.connected.from_), ("to", c.connected.to)):
            for i, s in enumerate(ids):
                out += _ref((*path, "connected", key, i), "settlement", s, S)
    if c.collapsed is not None:
        out += _ref((*path, "collapsed"), "faction", c.collapsed, F)
    for key in ("civilians_killed", "displaced"):
        civ = getattr(c, key)
        for i, s in enumerate(civ.settlements or [] if civ is not None else []):
            out += _ref((*path, key, "settlements", i), "settlement", s, S)
    if c.not_ is not None:
        out += _check_condition((*path, "not"), c.not_, F, S)
    for key in ("all", "any"):
        for i, sub in enumerate(getattr(c, key) or []):
            out += _check_condition((*path, key, i), sub, F, S)
    return out


def _check_links(sc: Scenario, S: Ids, partial: bool) -> list[PathMsg]:
    out: list[PathMsg] = []
    seen: set[frozenset[str]] = set()
    adj: dict[str, set[str]] = {s: set() for s in sc.settlements}
    for i, link in enumerate(sc.links):
        a, b = link.between
        bad = False
        for j, s in enumerate(link.between):
            if s not in S:
                out.append((("links", i, "between", j),
                            f"link to unknown settlement {quoted(s)}{suggest(s, S)}"))
                bad = True
        if a == b:
            out.append((("links", i, "between"), f"self-link: {a} is linked to itself"))
            continue
        pair = frozenset((a, b))
        if pair in seen:
            out.append((("links", i, "between"), f"duplicate link between {a} and {b}"))
        seen.add(pair)
        if not bad and a in adj and b in adj:
            adj[a].add(b)
            adj[b].add(a)
    if adj and not partial and not any(p[0][0] == "links" for p in out):
        start = next(iter(adj))
        reached = {start}
        queue = deque([start])
        while queue:
            for nb in adj[queue.popleft()]:
                if nb not in reached:
                    reached.add(nb)
                    queue.append(nb)
        for sid in S:
            if sid not in reached and sid in adj:
                out.append((("settlements", sid),
                            f"unreachable: no chain of links joins it to {start}"))
    return out



def _check_operations(sc: Scenario) -> list[PathMsg]:
    """A first operation falls within the game. (An objective can always be reached: the
    graph is checked to be connected.)"""
    out: list[PathMsg] = []
    for fid, f in sc.factions.items():
        first = f.doctrine.first_operation_turn
        if first is not None and first > sc.scenario.turns:
            out.append((("factions", fid, "doctrine", "first_operation_turn"),
                        f"turn {first} is after the last turn ({sc.scenario.turns})"))
    return out
