"""The compiled kernels of the turn's phases on small cases whose answers can be worked out by
hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from wargame.engine.common import pairwise_sum, sum_by_owner
from wargame.engine.compile import SELF, STANCE, Graph, hop_counts
from wargame.engine.links import find_war_links, refresh_war_links
from wargame.engine.phases.combat import assemble
from wargame.engine.phases.engagement import (
    BROKEN,
    CLEARED,
    COLLAPSED,
    EXHAUSTED,
    HOLD,
    Assault,
    Engagements,
    EngageRule,
    Will,
    collapse_chance,
    engage,
    side_breaks,
)
from wargame.engine.phases.operations import Candidates, Plan
from wargame.engine.phases.orders import Odds, Orders, OrdersRule, orders
from wargame.engine.phases.outcomes import connected
from wargame.engine.phases.redeploy import redeploy
from wargame.engine.phases.supply import DealRule, SiegeRule, besiege, supplied, surrender
from wargame.engine.space import Places
from wargame.engine.state import Factions, Forces

WAR, NEUTRAL, ALLIED = STANCE["war"], STANCE["neutral"], STANCE["allied"]


def graph(n: int, links: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Directed edges (both ways, sorted by source) and the offsets of each place's edges."""
    directed = sorted({(a, b) for a, b in links} | {(b, a) for a, b in links})
    src = np.array([a for a, _ in directed], dtype=np.intp)
    dst = np.array([b for _, b in directed], dtype=np.intp)
    out_start = np.append(np.searchsorted(src, np.arange(n)), len(src)).astype(np.intp)
    return src, dst, out_start


def graph_of(n: int, edges: tuple[np.ndarray, np.ndarray, np.ndarray]) -> Graph:
    """The kernels' map of ``n`` places from :func:`graph`'s edges (no neighbour lists)."""
    src, dst, out_start = edges
    return Graph(src, dst, out_start, -np.ones((n, 1), np.intp), hop_counts(n, src, dst))


def relations(stance: dict[tuple[int, int], int], n_factions: int, R: int = 1) -> np.ndarray:
    rel = np.full((n_factions, n_factions), WAR, dtype=np.int8)
    for (a, b), s in stance.items():
        rel[a, b] = rel[b, a] = s
    np.fill_diagonal(rel, SELF)
    return np.ascontiguousarray(np.broadcast_to(rel, (R, n_factions, n_factions)))


PATH = graph(4, [(0, 1), (1, 2), (2, 3)])          # 0 - 1 - 2 - 3


def test_connected_needs_own_or_allied_places() -> None:
    _, dst, out_start = PATH
    ctrl = np.array([[0, 0, 1, 0], [0, 0, 0, 0]], dtype=np.int16)
    start = np.array([True, False, False, False])
    to = np.array([False, False, False, True])
    alone = connected(ctrl, relations({}, 2, 2), 0, False, start, to, out_start, dst)
    assert alone.tolist() == [False, True]
    allied = relations({(0, 1): ALLIED}, 2, 2)
    assert connected(ctrl, allied, 0, True, start, to, out_start, dst).tolist() == [
        True, True]
    # Allies only count when asked for, and neutrals never do.
    assert connected(ctrl, allied, 0, False, start, to, out_start, dst).tolist() == [
        False, True]
    neutral = relations({(0, 1): NEUTRAL}, 2, 2)
    assert connected(ctrl, neutral, 0, True, start, to, out_start, dst).tolist() == [
        False, True]


def supply(ctrl: np.ndarray, rel: np.ndarray, src_f: np.ndarray, src_n: np.ndarray,
           on: np.ndarray, airlift: np.ndarray, strength: np.ndarray, siege: np.ndarray,
           casualties: np.ndarray, attrition: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    src, dst, out_start = PATH
    reach = supplied(ctrl, rel, src_f, src_n, on, src, dst, out_start)
    return besiege(reach, ctrl, airlift, SiegeRule(attrition, 0.6), siege, strength, casualties)


def test_supply_cuts_off_and_besieges() -> None:
    ctrl = np.array([[0, 1, 0, 0]], dtype=np.int16)          # faction 1 cuts the road at 1
    strength = np.full((1, 4), 100.0)
    siege = np.zeros((1, 4), dtype=np.int16)
    casualties = np.zeros((1, 2))
    airlift = np.array([[0.0, 0.0, 0.5, 0.0]])
    mult, newly = supply(ctrl, relations({}, 2), np.array([0, 1], np.intp),
                         np.array([0, 1], np.intp), np.ones((1, 2), bool), airlift, strength,
                         siege, casualties)
    # Places 2 and 3 are faction 0's but cut off from its source at 0.
    assert newly.tolist() == [[False, False, True, True]]
    assert siege.tolist() == [[0, 0, 1, 1]]
    assert mult[0].tolist() == pytest.approx([1.0, 1.0, 0.6 + 0.4 * 0.5, 0.6])
    assert strength[0].tolist() == pytest.approx([100.0, 100.0, 95.0, 90.0])
    assert casualties[0].tolist() == pytest.approx([15.0, 0.0])


def test_supply_flows_through_allies_and_inactive_sources_do_not_count() -> None:
    ctrl = np.array([[0, 1, 0, 0], [0, 1, 0, 0]], dtype=np.int16)
    on = np.array([[True], [False]])
    mult, _ = supply(ctrl, relations({(0, 1): ALLIED}, 2, 2), np.array([0], np.intp),
                     np.array([0], np.intp), on, np.zeros((2, 4)), np.full((2, 4), 100.0),
                     np.zeros((2, 4), np.int16), np.zeros((2, 2)))
    assert mult[0].tolist() == [1.0, 1.0, 1.0, 1.0]
    assert mult[1].tolist() == pytest.approx([0.6] * 4)


def test_a_surrender_hands_the_place_to_the_besieger_and_evacuates_the_garrison() -> None:
    # Faction 0 holds 0 (in supply) and 2 (cut off by faction 1 at 1 and 3).
    ctrl = np.array([[0, 1, 0, 1]], dtype=np.int16)
    reach = np.array([[True, True, False, True]])
    strength = np.array([[500.0, 300.0, 200.0, 40.0]])
    casualties = np.zeros((1, 2))
    siege = np.array([[0, 0, 5, 0]], dtype=np.int16)
    taker, evacuated, deserted = surrender(np.array([0], np.intp), np.array([2], np.intp),
                                           Forces(ctrl, strength, casualties), siege,
                                           relations({}, 2), reach, graph_of(4, PATH),
                                           DealRule(50.0, np.zeros((1, 2))))
    assert taker.tolist() == [1] and evacuated.tolist() == [200.0] and deserted.tolist() == [0]
    assert ctrl.tolist() == [[0, 1, 1, 1]] and siege[0, 2] == 0
    # The garrison joins faction 0's place in supply; the strongest besieger (at 1) sends
    # min_garrison in.
    assert strength[0].tolist() == [700.0, 250.0, 50.0, 40.0]
    assert casualties.sum() == 0.0
    # With faction 0's deal_desertion at 0.3, 60 of the 200 go home (casualties) instead.
    ctrl, siege = np.array([[0, 1, 0, 1]], dtype=np.int16), np.array([[0, 0, 5, 0]], np.int16)
    strength, casualties = np.array([[500.0, 300.0, 200.0, 40.0]]), np.zeros((1, 2))
    _, evacuated, deserted = surrender(np.array([0], np.intp), np.array([2], np.intp),
                                       Forces(ctrl, strength, casualties), siege,
                                       relations({}, 2), reach, graph_of(4, PATH),
                                       DealRule(50.0, np.array([[0.3, 0.0]])))
    assert evacuated.tolist() == [140.0] and deserted.tolist() == [60.0]
    assert strength[0].tolist() == [640.0, 250.0, 50.0, 40.0]
    assert casualties.tolist() == [[60.0, 0.0]]


def test_war_links_are_the_links_between_factions_at_war_in_edge_order() -> None:
    src, dst, _ = PATH                                       # 0 - 1 - 2 - 3
    ctrl = np.array([[0, 0, 1, 2], [0, 1, 1, 1]], dtype=np.int16)
    rel = relations({(1, 2): NEUTRAL}, 3, R=2)
    links = find_war_links(ctrl, rel, src, dst)
    pairs = [[(int(src[e]), int(dst[e])) for e in links.edges[r, :links.n_links[r]]]
             for r in range(2)]
    assert pairs == [[(1, 2), (2, 1)], [(0, 1), (1, 0)]]
    # Only the games whose control changed or where a relation was set are made again, and
    # then as new.
    ctrl[1, 3] = 0
    rel[0, 1, 2] = rel[0, 2, 1] = STANCE["war"]
    assert refresh_war_links(links, ctrl, rel, src, dst) == 1
    assert links.made.tolist() == [False, True]
    assert refresh_war_links(links, ctrl, rel, src, dst, np.array([True, False])) == 1
    fresh = find_war_links(ctrl, rel, src, dst)
    for r in range(2):
        k = links.n_links[r]
        assert k == fresh.n_links[r]
        assert links.edges[r, :k].tolist() == fresh.edges[r, :k].tolist()
    assert links.n_links.tolist() == [4, 4]
    assert refresh_war_links(links, ctrl, rel, src, dst) == 0


def test_redeploy_moves_surplus_one_link_toward_the_front() -> None:
    src, dst, out_start = PATH
    ctrl = np.array([[0, 0, 0, 1]], dtype=np.int16)          # the front is 2 | 3
    strength = np.array([[110.0, 110.0, 110.0, 50.0]])
    links = find_war_links(ctrl, relations({}, 2), src, dst)
    redeploy(ctrl, strength, dst, out_start, links, np.full(ctrl.shape, 10.0), 0.5)
    # 0 (distance 2) sends half of 100 to 1; 1 (distance 1) half of its own 100 to 2.
    assert strength[0].tolist() == pytest.approx([60.0, 110.0, 160.0, 50.0])


def test_redeploy_does_nothing_without_a_front() -> None:
    src, dst, out_start = PATH
    ctrl = np.array([[0, 0, 1, 1]], dtype=np.int16)
    strength = np.array([[110.0, 110.0, 110.0, 50.0]])
    links = find_war_links(ctrl, relations({(0, 1): NEUTRAL}, 2), src, dst)
    assert links.n_links.tolist() == [0]
    redeploy(ctrl, strength, dst, out_start, links, np.full(ctrl.shape, 10.0), 0.5)
    assert strength[0].tolist() == [110.0, 110.0, 110.0, 50.0]


def star_orders(max_offensives: int, objective: list[float]) -> tuple[np.ndarray, ...]:
    """Faction 0 holds the hub 0 with 1,000 fighters; faction 1 holds leaves 1-3 with 10."""
    edges = graph(4, [(0, 1), (0, 2), (0, 3)])
    src, dst, _ = edges
    ctrl = np.array([[0, 1, 1, 1]], dtype=np.int16)
    strength = np.array([[1000.0, 10.0, 10.0, 10.0]])
    obj = np.zeros((1, 2, 4))
    obj[0, 0, 1:] = objective
    rel = relations({}, 2)
    links = find_war_links(ctrl, rel, src, dst)
    no = np.zeros((1, 2), bool)
    return orders(
        Forces(ctrl, strength, np.zeros((1, 2))),
        Factions(rel, np.full((1, 2), 0.5), np.full((1, 2), 0.5), np.zeros((1, 2)), obj),
        Odds(np.ones((1, 4)), strength.copy(), -np.ones((1, 4), np.int16), np.zeros((1, 4)),
             np.zeros(4)),
        graph_of(4, edges), links,
        OrdersRule(1.0, 1.0, 0.0, 1.0, np.full((1, 2), 3.0 ** 0.5),
                   np.array([max_offensives, 0]), np.array([2.0])),
        Plan(idle=no, ready=no, allowed=np.ones((1, 2, 4), bool), hold=np.ones((1, 4)),
             front=np.zeros((1, 4), bool), mass_first=no),
        Candidates(np.zeros(0, np.intp), np.zeros((0, 2, 4)), np.full(1, -1, np.intp)))


def test_orders_respect_the_offensive_cap_and_pick_the_best_target() -> None:
    r, e, amount = star_orders(1, [0.0, 2.0, 1.0])
    assert r.tolist() == [0]
    assert e.tolist() == [1]                                  # edge 0 -> 2, objective 2
    # Keeps back enough that the three leaves (each could attack with 10 - 1 fighters, 27 in
    # all) cannot reach the 2:1 rout ratio against it, scaled by caution 0.5:
    # 0.5 x 27 / 2 = 6.75 fighters.
    assert amount.tolist() == pytest.approx([1000.0 - 6.75])


def test_orders_split_ties_and_leaves_never_attack_the_hub() -> None:
    r, e, amount = star_orders(3, [1.0, 1.0, 1.0])
    assert e.tolist() == [0, 1, 2]
    assert amount.tolist() == pytest.approx([(1000.0 - 6.75) / 3] * 3)
    r, e, amount = star_orders(0, [1.0, 1.0, 1.0])
    assert r.size == 0


def test_assemble_groups_attacks_into_battles() -> None:
    # 0 (faction 0) and 2 (faction 2) both attack 1 (faction 1); 3 (faction 0) attacks 4.
    src, dst, out_start = graph(5, [(0, 1), (1, 2), (3, 4)])
    edge = {(a, b): k for k, (a, b) in enumerate(zip(src, dst, strict=True))}
    ctrl = np.array([[0, 1, 2, 0, 1]], dtype=np.int16)
    strength = np.array([[100.0, 50.0, 80.0, 40.0, 20.0]])
    order_edges = np.array([edge[0, 1], edge[2, 1], edge[3, 4]], dtype=np.intp)
    br, bn, fac, S, mult, H, b_of, slot = assemble(
        Orders(np.zeros(3, np.intp), order_edges, np.array([60.0, 70.0, 30.0]),
               np.array([1.0, 2.0, 1.0]), np.array([0, 2, 0], np.intp)),
        Forces(ctrl, strength, np.zeros((1, 3))), relations({(0, 2): ALLIED}, 3),
        graph_of(5, (src, dst, out_start)), np.full((1, 5), 1.5), -np.ones((1, 5), np.int16),
        1.4)
    assert br.tolist() == [0, 0] and bn.tolist() == [1, 4]
    assert fac.tolist() == [[1, 0, 2], [1, 0, -1]]
    assert S.tolist() == [[50.0, 60.0, 70.0], [20.0, 30.0, 0.0]]
    assert mult.tolist() == [[1.5, 1.0, 2.0], [1.5, 1.0, 0.0]]
    # The two attackers are allies: each fights the defender only.
    assert H[0].tolist() == [[False, True, True], [True, False, False], [True, False, False]]
    assert b_of.tolist() == [0, 0, 1] and slot.tolist() == [1, 2, 1]
    assert strength[0].tolist() == [40.0, 50.0, 10.0, 10.0, 20.0]   # commits have left


# --- One engagement ----------------------------------------------------------------------------

RULE = EngageRule(steps_per_day=4, square=True, rout_loss=0.15, hold_threshold=10.0,
                  min_hold_share=0.0, engagement_model=True, collapse_slope=9.6,
                  turn_days=7.0, max_engaged_ratio=math.inf)


def one_battle(attackers: float, garrison: float, days: float, *, cap_att: float = 1e9,
               cap_def: float | None = None, depth: float = 2.0, advance: float = 0.5,
               cleared: float = 0.0, breakpoint: float = 0.1, k_att: float = 0.03,
               k_def: float = 0.02, collapse_u: float = 1.0, collapse_rate: float = 0.0,
               garrison_break: float = 100.0, wear: float = 0.0, last_stand: bool = False,
               rule: EngageRule = RULE, defender_power: float = 1.0) -> dict[str, object]:
    """A garrison (faction 0, slot 0) attacked by faction 1 at place 0 of one replicate; by
    default its front holds exactly the garrison (no frontage limit, no thin-garrison
    scaling)."""
    cap_def = garrison if cap_def is None else cap_def
    fac = np.array([[0, 1]], np.intp)
    S = np.array([[garrison, attackers]])
    H = np.array([[[False, True], [True, False]]])
    cl = np.array([[cleared]])
    wr = np.array([[wear]])
    cas = np.zeros((1, 2))
    no = np.zeros(1)
    end, routed, winner, how, fought, breaks, before = engage(
        Engagements(np.array([0], np.intp), np.array([0], np.intp), fac, S,
                    np.array([[defender_power, 1.0]]), np.array([[k_def, k_att]]), H,
                    np.array([days]), np.array([collapse_u])),
        Places(no, np.array([depth]), np.array([cap_att]), np.array([cap_def]), no,
               np.zeros(1, bool), np.zeros(1, bool)),
        Assault(np.array([[advance]]), cl, wr),
        Will(np.full((1, 2), breakpoint), np.full((1, 2), 0.5), np.array([3.0]),
             np.array([collapse_rate]), np.array([garrison_break]),
             np.array([[last_stand], [False]])),
        rule, cas)
    return {"end": end[0].tolist(), "routed": routed[0].tolist(), "winner": int(winner[0]),
            "how": int(how[0]), "fought": float(fought[0]), "breaks": int(breaks[0]),
            "cleared": float(cl[0, 0]), "before": float(before[0]), "wear": float(wr[0, 0]),
            "casualties": cas[0].tolist()}


def test_side_breaks_on_heavy_losses_while_losing_or_on_odds() -> None:
    # Losses of 12% against a threshold of 0.1 x (0.5 + 0.5): heavy, and worse than the enemy.
    assert side_breaks(0.12, 0.05, 1.0, 1.0, 0.1, 0.5, 3.0)
    assert not side_breaks(0.12, 0.20, 1.0, 1.0, 0.1, 0.5, 3.0)   # heavy, but winning
    assert not side_breaks(0.05, 0.01, 1.0, 2.9, 0.1, 0.5, 3.0)   # light losses, odds < 3
    assert side_breaks(0.0, 0.0, 1.0, 3.1, 0.1, 0.5, 3.0)         # odds beyond the rout ratio


def test_collapse_chance_is_the_daily_hazard_scaled_by_morale() -> None:
    assert collapse_chance(0.001, 7.0, 0.6, 9.6) == pytest.approx(1 - np.exp(-0.007))
    # Every 0.24 of morale lost multiplies the hazard by about ten.
    low = collapse_chance(0.001, 7.0, 0.36, 9.6)
    assert -np.log1p(-low) == pytest.approx(0.007 * np.exp(9.6 * 0.24))
    assert collapse_chance(0.0, 7.0, 0.05, 9.6) == 0.0


def test_a_won_day_clears_advance_over_depth_and_a_place_falls_when_cleared() -> None:
    # 1,000 against 100 (odds 10:1): the line breaks every day; 0.5 km a day of 2 km depth.
    one = one_battle(1000.0, 100.0, 1.0, breakpoint=1.0)
    assert one["breaks"] == 1 and one["cleared"] == pytest.approx(0.25)
    assert one["how"] == HOLD and one["winner"] == 0
    four = one_battle(1000.0, 100.0, 4.0, breakpoint=1.0)
    assert four["how"] == CLEARED and four["winner"] == 1 and four["cleared"] == 0.0
    # The fight carries over: a place already 80% cleared falls on the first won day.
    carried = one_battle(1000.0, 100.0, 3.0, breakpoint=1.0, cleared=0.8)
    assert carried["how"] == CLEARED and carried["fought"] == 1.0 and carried["before"] == 0.8


def test_frontage_caps_the_forces_in_contact() -> None:
    # Without caps the square law: the attacker's losses are k_def x garrison per day.
    free = one_battle(5000.0, 2000.0, 1.0, breakpoint=1.0, k_att=0.0, k_def=0.02)
    # With at most 500 defenders in contact, they inflict a quarter of that.
    capped = one_battle(5000.0, 2000.0, 1.0, breakpoint=1.0, k_att=0.0, k_def=0.02,
                        cap_def=500.0)
    assert 5000.0 - free["end"][1] == pytest.approx(0.02 * 2000.0, rel=0.01)
    lost_free = 5000.0 - free["end"][1]
    lost_capped = 5000.0 - capped["end"][1]
    assert lost_capped == pytest.approx(lost_free / 4, rel=0.02)


def test_a_thin_garrison_is_harder_to_hit() -> None:
    # 100 defenders on a front that could hold 1,000 take a tenth of the square-law fire.
    thick = one_battle(1000.0, 100.0, 1.0, breakpoint=1.0, k_att=0.01, k_def=0.0,
                       cap_def=100.0, advance=0.0)
    thin = one_battle(1000.0, 100.0, 1.0, breakpoint=1.0, k_att=0.01, k_def=0.0,
                      cap_def=1000.0, advance=0.0)
    assert 100.0 - thick["end"][0] > 5.0
    assert 100.0 - thin["end"][0] == pytest.approx((100.0 - thick["end"][0]) / 10, rel=0.02)


def test_a_repulsed_attacker_stops_and_pays_the_rout_loss() -> None:
    # 300 against 1,000: odds of 3.3:1 against the attacker break it on day 1.
    out = one_battle(300.0, 1000.0, 5.0, k_att=0.01, k_def=0.01)
    assert out["fought"] == 1.0 and out["routed"] == [False, True] and out["how"] == HOLD
    after_day = 300.0 - 0.01 * 1000.0            # about, before the rout loss
    assert out["end"][1] == pytest.approx(after_day * 0.85, rel=0.02)
    assert sum(out["casualties"]) == pytest.approx(1300.0 - sum(out["end"]))


def test_garrison_wear_breaks_the_defence() -> None:
    out = one_battle(1000.0, 1000.0, 7.0, breakpoint=1.0, k_att=0.05, k_def=0.0,
                     advance=0.0, garrison_break=0.2)
    # Each day takes about 5% of the garrison; 0.2 x (0.5 + 0.5) is reached on day 4 or 5.
    assert out["how"] == BROKEN and out["winner"] == 1 and out["wear"] == 0.0
    held = one_battle(1000.0, 1000.0, 2.0, breakpoint=1.0, k_att=0.05, k_def=0.0,
                      advance=0.0, garrison_break=0.2)
    assert held["how"] == HOLD and held["wear"] == pytest.approx(0.1, rel=0.05)
    # A garrison that fights to the end at this place (doctrine.last_stand) does not give it up.
    stand = one_battle(1000.0, 1000.0, 7.0, breakpoint=1.0, k_att=0.05, k_def=0.0,
                       advance=0.0, garrison_break=0.2, last_stand=True)
    assert stand["how"] == HOLD and stand["wear"] > 0.2


def test_a_garrison_too_thin_for_its_front_cannot_hold() -> None:
    # 40 defenders on a front for 1,000: below 5% of it the place falls at once.
    rule = RULE._replace(min_hold_share=0.05)
    out = one_battle(1000.0, 40.0, 1.0, breakpoint=1.0, k_att=0.0, k_def=0.0, cap_def=1000.0,
                     advance=0.0, rule=rule)
    assert out["how"] == EXHAUSTED and out["fought"] == 0.0
    held = one_battle(1000.0, 60.0, 1.0, breakpoint=1.0, k_att=0.0, k_def=0.0, cap_def=1000.0,
                      advance=0.0, rule=rule)
    assert held["how"] == HOLD


def test_exhaustion_and_collapse() -> None:
    gone = one_battle(5000.0, 20.0, 1.0, breakpoint=1.0, k_att=0.5, k_def=0.0, advance=0.0)
    assert gone["how"] == EXHAUSTED and gone["winner"] == 1
    # A collapse needs an attacker standing: certain at a huge hazard.
    fell = one_battle(1000.0, 1000.0, 1.0, breakpoint=1.0, advance=0.0, collapse_rate=50.0,
                      collapse_u=0.5)
    assert fell["how"] == COLLAPSED
    spent = one_battle(5.0, 1000.0, 1.0, breakpoint=1.0, advance=0.0, collapse_rate=50.0,
                       collapse_u=0.5)
    assert spent["how"] == HOLD
    # The exposure is the turn's calendar days under attack (the rate is counted per day of
    # battle), not the days of engagement: a place attacked in a week without an engagement
    # day is as exposed: the chance is 1 - exp(-rate x 7 x exp(-9.6 x (0.5 - 0.6))) at the
    # garrison's morale of 0.5.
    rate = math.log(2.0) / (7.0 * math.exp(0.96))     # an even chance over the week
    quiet = one_battle(1000.0, 1000.0, 0.0, collapse_rate=rate, collapse_u=0.49)
    assert quiet["how"] == COLLAPSED and quiet["fought"] == 0.0
    held = one_battle(1000.0, 1000.0, 0.0, collapse_rate=rate, collapse_u=0.51)
    assert held["how"] == HOLD


def test_attackers_beyond_the_engaged_ratio_wait() -> None:
    """With ``max_engaged_ratio`` 3, ten attackers to one fight as three to one: the same
    losses on both sides; without the cap the garrison loses more."""
    capped = RULE._replace(max_engaged_ratio=3.0)
    big = one_battle(10000.0, 1000.0, 1.0, breakpoint=1.0, advance=0.0, rule=capped)
    three = one_battle(3000.0, 1000.0, 1.0, breakpoint=1.0, advance=0.0)
    free = one_battle(10000.0, 1000.0, 1.0, breakpoint=1.0, advance=0.0)
    assert big["casualties"] == pytest.approx(three["casualties"], rel=1e-12)
    assert free["casualties"][0] > 2 * big["casualties"][0]
    # A defence without power (out of supply with unsupplied_power 0) is not a cap.
    powerless = one_battle(3000.0, 1000.0, 1.0, breakpoint=1.0, advance=0.0, rule=capped,
                           defender_power=0.0)
    assert powerless["casualties"][0] > 0
    # Classic battles (every fighter engages) are not capped.
    classic = one_battle(10000.0, 1000.0, 1.0, breakpoint=1.0, advance=0.0,
                         rule=capped._replace(engagement_model=False))
    uncapped = one_battle(10000.0, 1000.0, 1.0, breakpoint=1.0, advance=0.0,
                          rule=RULE._replace(engagement_model=False))
    assert classic["casualties"] == uncapped["casualties"]
    assert classic["casualties"][0] > 2 * big["casualties"][0]


def test_classic_battles_lose_the_place_on_the_first_break() -> None:
    classic = RULE._replace(engagement_model=False)
    out = one_battle(1000.0, 100.0, 1.0, breakpoint=1.0, advance=0.0, rule=classic)
    assert out["how"] == CLEARED and out["winner"] == 1


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 45, 128, 129, 300, 1000, 4000])
def test_pairwise_sum_gives_numpys_bits(n: int) -> None:
    """The compiled sum adds in numpy's order, so kernels that replace numpy sums keep the
    same games (summation order changes the last bits)."""
    x = np.random.default_rng(n).lognormal(0.0, 3.0, (5, n))
    for row in x:
        assert pairwise_sum(row, 0, n) == row.sum()


@pytest.mark.parametrize("n", [0, 5, 8, 45, 128, 129, 300])
def test_sum_by_owner_gives_numpys_bits(n: int) -> None:
    """One pass sums every owner's places with the bits numpy's masked sums give."""
    rng = np.random.default_rng(n)
    x = rng.lognormal(0.0, 3.0, n)
    owner = rng.integers(-1, 4, n).astype(np.intp)
    out = np.empty(4)
    sum_by_owner(x, owner, out, np.empty(n), np.empty((4, 8)))
    for f in range(4):
        assert out[f] == np.where(owner == f, x, 0.0).sum()
