"""Invariants of the engine over generated scenarios (Hypothesis)."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wargame.engine import compile_scenario, simulate
from wargame.engine.events import Capture, Repulse
from wargame.scenario.load import validate_document
from wargame.scenario.yamlio import Document

STANCES = ["war", "neutral", "allied"]


@st.composite
def scenarios(draw: Any) -> dict[str, Any]:
    """A random valid scenario: connected graph, 2-4 factions, optional support and events."""
    n_f = draw(st.integers(2, 4))
    n_s = draw(st.integers(2, 8))
    fids = [f"f{i}" for i in range(n_f)]
    sids = [f"s{i}" for i in range(n_s)]
    links = [[sids[i], sids[draw(st.integers(0, i - 1))]] for i in range(1, n_s)]
    extra = draw(st.lists(st.tuples(st.integers(0, n_s - 1), st.integers(0, n_s - 1)),
                          max_size=4))
    seen = {frozenset(x) for x in links}
    for a, b in extra:
        pair = frozenset((sids[a], sids[b]))
        if a != b and pair not in seen:
            seen.add(pair)
            links.append([sids[a], sids[b]])
    control = [fids[draw(st.integers(0, n_f - 1))] for _ in sids]
    factions = {}
    for f in fids:
        strength = draw(st.one_of(st.just(0.0), st.floats(100, 5000)))
        factions[f] = {
            "name": f.upper(),
            "strength": strength,
            "quality": draw(st.floats(0.5, 2.0)),
            "morale": draw(st.floats(0.1, 1.0)),
            "deal_desertion": draw(st.floats(0, 1)),
            "doctrine": {"aggression": draw(st.floats(0, 1)),
                         "reserve_share": draw(st.floats(0, 0.9))},
            "supply_sources": draw(st.lists(st.sampled_from(sids), max_size=2, unique=True)),
        }
    pairs = []
    for i in range(n_f):
        for j in range(i + 1, n_f):
            if draw(st.booleans()):
                pairs.append({"between": [fids[i], fids[j]],
                              "stance": draw(st.sampled_from(STANCES))})
    doc: dict[str, Any] = {
        "scenario": {"name": "generated", "start_date": "2015-10-13",
                     "turns": draw(st.integers(1, 5)), "days_per_turn": draw(st.integers(1, 7))},
        "factions": factions,
        "relations": {"default": draw(st.sampled_from(STANCES)), "pairs": pairs},
        "settlements": {s: {"name": s.upper(), "lat": 36.0, "lon": 37.0 + i / 10,
                            "controller": control[i],
                            "terrain": draw(st.sampled_from(["urban", "rural", "mountain"])),
                            "fortification": draw(st.sampled_from(["none", "prepared"]))}
                        for i, s in enumerate(sids)},
        "links": [{"between": x} for x in links],
        "outcomes": {"o1": {"name": "f0 holds s0",
                            "controls": {"faction": "f0", "settlements": [sids[0]]}},
                     "o2": {"name": "f1 links", "connected": {"faction": "f1", "from": [sids[0]],
                                                              "to": [sids[-1]]}}},
    }
    if draw(st.booleans()):
        doc["support"] = {
            "air": {"kind": "air_strikes", "provider": "P", "beneficiary": fids[0],
                    "sorties_per_turn": draw(st.floats(0, 200))},
            "men": {"kind": "reinforcements", "provider": "Q", "beneficiary": fids[-1],
                    "men_per_turn": draw(st.floats(0, 500)), "at": [sids[-1]]},
        }
    if draw(st.booleans()):
        doc["events"] = {"flip": {"trigger": {"chance": draw(st.floats(0, 1))},
                                  "effects": [{"set_relation": {"between": [fids[0], fids[1]],
                                                                "stance": "war"}}]}}
    return doc


def _play(doc: dict[str, Any], seed: int, replicates: int = 3) -> Any:
    sc = validate_document(Document(doc, {}, "<generated>"))
    c = compile_scenario(sc)
    return c, simulate(c, np.random.default_rng(seed), replicates, record_turns=True, log=True)


COMMON = settings(max_examples=60, deadline=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@COMMON
@given(scenarios(), st.integers(0, 2**32))
def test_strength_never_negative_and_every_fighter_accounted_for(doc: Any, seed: int) -> None:
    _, res = _play(doc, seed)
    assert (res.strength >= 0).all()
    assert (res.casualties >= -1e-9).all()
    balance = res.initial_strength + res.reinforcements - res.casualties - res.strength
    assert np.allclose(balance, 0, atol=1e-6 * max(1.0, float(res.initial_strength.max())))


@COMMON
@given(scenarios(), st.integers(0, 2**32))
def test_control_only_passes_to_a_neighbour(doc: Any, seed: int) -> None:
    c, res = _play(doc, seed)
    hist = res.control_by_turn
    for t in range(1, hist.shape[0]):
        r_idx, n_idx = np.nonzero(hist[t] != hist[t - 1])
        for r, n in zip(r_idx, n_idx, strict=True):
            new = hist[t, r, n]
            nbrs = c.neighbours[n][c.neighbours[n] >= 0]
            assert (hist[t - 1, r, nbrs] == new).any(), (t, r, n)


@COMMON
@given(scenarios(), st.integers(0, 2**32))
def test_a_faction_without_forces_never_attacks(doc: Any, seed: int) -> None:
    doc["factions"]["f1"]["strength"] = 0.0
    doc.pop("support", None)
    doc.pop("events", None)
    _, res = _play(doc, seed)
    f1 = res.factions.index("f1")
    assert all(f1 not in e.attackers for e in res.log or [] if isinstance(e, Capture | Repulse))
    held0 = (res.control_by_turn[0] == f1).sum(axis=1)
    assert ((res.control_by_turn == f1).sum(axis=2) <= held0).all()


@COMMON
@given(scenarios(), st.integers(0, 2**32))
def test_same_seed_same_game(doc: Any, seed: int) -> None:
    _, a = _play(doc, seed)
    _, b = _play(doc, seed)
    assert np.array_equal(a.control_by_turn, b.control_by_turn)
    assert np.array_equal(a.strength, b.strength)
    assert np.array_equal(a.outcome_turn, b.outcome_turn)
    assert a.log == b.log


