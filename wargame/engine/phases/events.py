"""Phase 1 of a turn: events.

Each event's trigger is evaluated for all replicates: ``turn`` (equal), ``from_turn`` (at or
after), ``captured`` (the place is held by ``by``, or by anyone but its first controller),
``outcome`` (true at the end of the previous turn), ``chance`` (a Bernoulli draw per turn).
All given keys must hold. Where it fires (once, unless ``once: false``) the effects apply:
change a relation, set a support line's scale (``factor``, 0 stops it), add fighters at a place
the faction holds, or change doctrine.
"""

from __future__ import annotations

import numpy as np

from wargame.engine.compile import STANCE, Compiled
from wargame.engine.events import EngineEvent, EventFired
from wargame.engine.state import State


def run_events(c: Compiled, st: State, p: dict[str, np.ndarray], t: int,
               rng: np.random.Generator, log: list[EngineEvent] | None) -> np.ndarray:
    """Evaluate every event's trigger for all replicates and apply its effects where it fires
    -> [R] bool, the games where an event set a relation."""
    R = st.replicates
    relations_set = np.zeros(R, dtype=bool)
    fi = {f: i for i, f in enumerate(c.factions)}
    si = {s: i for i, s in enumerate(c.settlements)}
    oi = {o: i for i, o in enumerate(c.outcomes)}
    for k, (eid, ev) in enumerate(c.scenario.events.items()):
        tr = ev.trigger
        m = np.ones(R, dtype=bool)
        if tr.turn is not None:
            m &= t == tr.turn
        if tr.from_turn is not None:
            m &= t >= tr.from_turn
        if tr.captured is not None:
            s = si[tr.captured.settlement]
            if tr.captured.by is not None:
                m &= st.control[:, s] == fi[tr.captured.by]
            else:
                m &= st.control[:, s] != c.init_control[s]
        if tr.outcome is not None:
            m &= st.outcome_now[:, oi[tr.outcome]]
        if tr.chance is not None:
            m &= rng.random(R) < p[f"event.{eid}.chance"]
        if ev.once:
            m &= ~st.fired[:, k]
        if not m.any():
            continue
        st.fired[:, k] |= m
        for j, eff in enumerate(ev.effects):
            if eff.set_relation is not None:
                a, b = (fi[x] for x in eff.set_relation.between)
                st.relation[m, a, b] = st.relation[m, b, a] = STANCE[eff.set_relation.stance]
                relations_set |= m
            elif eff.scale_support is not None:
                s = c.support_ids.index(eff.scale_support.support)
                st.support_scale[m, s] = p[f"event.{eid}.{j}.factor"][m]
            elif eff.reinforce is not None:
                f, s = fi[eff.reinforce.faction], si[eff.reinforce.settlement]
                ok = m & (st.control[:, s] == f)
                amount = np.where(ok, p[f"event.{eid}.{j}.amount"], 0.0)
                st.strength[:, s] += amount
                st.arrived[:, f] += amount
            elif eff.doctrine is not None:
                d = eff.doctrine
                f = fi[d.faction]
                if d.aggression is not None:
                    st.aggression[m, f] = p[f"event.{eid}.{j}.aggression"][m]
                if d.reserve_share is not None:
                    st.reserve[m, f] = p[f"event.{eid}.{j}.reserve_share"][m]
                if d.objectives is not None:
                    new = np.zeros((int(m.sum()), c.n_settlements))
                    for s_id in d.objectives:
                        new[:, si[s_id]] = p[f"event.{eid}.{j}.objective.{s_id}"][m]
                    st.objective[m, f, :] = new
        if log is not None:
            for r in np.flatnonzero(m):
                log.append(EventFired(t, int(r), eid, ev.name or eid))
    return relations_set
