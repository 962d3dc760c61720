"""Phase 2 of a turn: external support.

* **Reinforcements** (a faction's own ``reinforcements:`` and ``kind: reinforcements`` support
  lines): ``men_per_turn x scale`` arrive at the first listed place the faction holds; none
  arrive if it holds none. The faction's quality becomes the strength-weighted mean of its
  quality and theirs.
* **Air strikes**: :mod:`wargame.engine.phases.air`.
* **Airlift** keeps a share ``capacity`` of a besieged place's supply (phase 3).
* **Supply** lines make places (``at:``) supply sources for the beneficiary while active, and
  multiply its in-supply power by ``quality_bonus``.
* **Artillery** multiplies the beneficiary's power by ``1 + (fire_multiplier - 1) x scale``.

``scale`` is the line's intensity, 1 unless an event changed it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wargame.engine.compile import Compiled
from wargame.engine.events import EngineEvent, Strike
from wargame.engine.links import WarLinks
from wargame.engine.phases.air import AirCover, AirLine, AirRule, air_strikes
from wargame.engine.state import State
from wargame.scenario.schema import Airlift, AirStrikes, Artillery, Supply


@dataclass
class TurnSupport:
    """What external support does to this turn's supply and combat."""

    suppress: np.ndarray        # [R, N] power multiplier of the forces at each place (<= 1)
    sorties: np.ndarray         # [R, N] sorties flown against each place
    air_side: np.ndarray        # [R, N] faction whose strikes hit the place (-1 none)
    airlift: np.ndarray         # [R, N] share of supply flown in (0..1)
    source_faction: np.ndarray  # [K] supply sources: the scenario's, then supply lines'
    source_place: np.ndarray    # [K]
    source_on: np.ndarray       # [R, K] whether each source is active
    quality_bonus: np.ndarray   # [R, F]
    fire: np.ndarray            # [R, F] artillery multiplier


def _active(first: int, last: int | None, t: int, T: int) -> bool:
    return first <= t <= (last if last is not None else T)


def reinforce(c: Compiled, st: State, p: dict[str, np.ndarray], t: int) -> None:
    """Deliver every active reinforcement stream at the first of its places the faction holds."""
    R = st.replicates
    rows = np.arange(R)
    for stream in c.streams:
        if not stream.first <= t <= stream.last:
            continue
        men = p[stream.men].copy()
        if stream.support is not None:
            men *= st.support_scale[:, stream.support]
        at = np.array(stream.at)
        held = st.control[:, at] == stream.faction                      # [R, k]
        ok = held.any(axis=1) & (men > 0)
        where = at[np.argmax(held, axis=1)]
        men = np.where(ok, men, 0.0)
        if stream.quality is not None:
            total = st.faction_strength(c.n_factions)[:, stream.faction]
            q = st.quality[:, stream.faction]
            st.quality[:, stream.faction] = np.where(
                ok, (q * total + p[stream.quality] * men) / np.maximum(total + men, 1e-9), q)
        np.add.at(st.strength, (rows, where), men)
        st.arrived[:, stream.faction] += men


def external_support(c: Compiled, st: State, p: dict[str, np.ndarray], t: int,
                     log: list[EngineEvent] | None, links: WarLinks) -> TurnSupport:
    """Air strikes (attrition and suppression), airlift, cross-border supply and artillery
    (``links``: the state's links at war, where air strikes look for targets)."""
    R, N, F = st.replicates, c.n_settlements, c.n_factions
    T = c.turns
    m = c.scenario.model
    sup = TurnSupport(
        suppress=np.ones((R, N)), sorties=np.zeros((R, N)), air_side=-np.ones((R, N), np.int16),
        airlift=np.zeros((R, N)), source_faction=np.zeros(0, np.intp),
        source_place=np.zeros(0, np.intp), source_on=np.zeros((R, 0), bool),
        quality_bonus=np.ones((R, F)), fire=np.ones((R, F)),
    )
    base_f, base_n = np.nonzero(c.supply_source)
    src_f: list[int] = [int(x) for x in base_f]
    src_n: list[int] = [int(x) for x in base_n]
    src_on = [np.ones(R, dtype=bool)] * len(src_f)
    # The kernel's arguments that are the same for every line, made once a turn.
    cover = AirCover(sup.suppress, sup.air_side, np.zeros((R, N)), sup.sorties)
    air_rule = AirRule(float(m.air_kill_cap), float(m.air_saturation_sorties),
                       int(m.operation_radius) if m.campaign else -1, float(m.air_focus))
    forces, campaign = st.forces(), st.campaign()
    for k, (lid, line) in enumerate(c.scenario.support.items()):
        if not _active(line.first_turn, line.last_turn, t, T):
            continue
        b = c.factions.index(line.beneficiary)
        scale = st.support_scale[:, k]
        if isinstance(line, AirStrikes):
            sorties = p[f"support.{lid}.sorties"] * scale
            prio = np.zeros((R, F))
            if line.targets:
                for tf in line.targets:
                    prio[:, c.factions.index(tf)] = p[f"support.{lid}.target.{tf}"]
            else:
                prio[:] = 1.0
            shape = (R, N) if log is not None else (0, 0)
            alloc = np.zeros(shape)
            kills = np.zeros(shape)
            air_strikes(
                AirLine(b, prio, sorties, p[f"support.{lid}.kills_per_sortie"],
                        p[f"support.{lid}.suppression"], alloc, kills),
                air_rule, forces, cover, c.graph, links, campaign)
            if log is not None:
                for r, n in zip(*np.nonzero(alloc >= 0.5), strict=True):
                    log.append(Strike(t, int(r), lid, line.provider, int(n),
                                      float(alloc[r, n]), float(kills[r, n]),
                                      int(st.control[r, n])))
        elif isinstance(line, Airlift):
            cap = p[f"support.{lid}.capacity"] * np.minimum(scale, 1.0)
            for s in line.settlements:
                n = c.settlements.index(s)
                held = st.control[:, n] == b
                sup.airlift[:, n] = np.maximum(sup.airlift[:, n], np.where(held, cap, 0.0))
        elif isinstance(line, Supply):
            on = scale > 0
            for s in line.at:
                src_f.append(b)
                src_n.append(c.settlements.index(s))
                src_on.append(on)
            sup.quality_bonus[:, b] *= np.where(on, p[f"support.{lid}.quality_bonus"], 1.0)
        elif isinstance(line, Artillery):
            fire = 1 + (p[f"support.{lid}.fire"] - 1) * scale
            sup.fire[:, b] *= fire
    sup.source_faction = np.array(src_f, dtype=np.intp)
    sup.source_place = np.array(src_n, dtype=np.intp)
    if src_on:
        sup.source_on = np.ascontiguousarray(np.stack(src_on, axis=1))
    return sup
