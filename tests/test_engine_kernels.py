"""The compiled graph kernels on small graphs whose answers can be worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from wargame.engine import kernels
from wargame.engine.compile import SELF, STANCE

WAR, NEUTRAL, ALLIED = STANCE["war"], STANCE["neutral"], STANCE["allied"]


def graph(n: int, links: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Directed edges (both ways, sorted by source) and the offsets of each place's edges."""
    directed = sorted({(a, b) for a, b in links} | {(b, a) for a, b in links})
    src = np.array([a for a, _ in directed], dtype=np.intp)
    dst = np.array([b for _, b in directed], dtype=np.intp)
    out_start = np.append(np.searchsorted(src, np.arange(n)), len(src)).astype(np.intp)
    return src, dst, out_start


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
    alone = kernels.connected(ctrl, relations({}, 2, 2), 0, False, start, to, out_start, dst)
    assert alone.tolist() == [False, True]
    allied = relations({(0, 1): ALLIED}, 2, 2)
    assert kernels.connected(ctrl, allied, 0, True, start, to, out_start, dst).tolist() == [
        True, True]
    # Allies only count when asked for, and neutrals never do.
    assert kernels.connected(ctrl, allied, 0, False, start, to, out_start, dst).tolist() == [
        False, True]
    neutral = relations({(0, 1): NEUTRAL}, 2, 2)
    assert kernels.connected(ctrl, neutral, 0, True, start, to, out_start, dst).tolist() == [
        False, True]


def test_supply_cuts_off_and_besieges() -> None:
    src, dst, out_start = PATH
    ctrl = np.array([[0, 1, 0, 0]], dtype=np.int16)          # faction 1 cuts the road at 1
    strength = np.full((1, 4), 100.0)
    siege = np.zeros((1, 4), dtype=np.int16)
    casualties = np.zeros((1, 2))
    airlift = np.array([[0.0, 0.0, 0.5, 0.0]])
    mult, newly = kernels.supply(
        ctrl, relations({}, 2), np.array([0, 1], np.intp), np.array([0, 1], np.intp),
        np.ones((1, 2), bool), src, dst, out_start, airlift, 0.1, 0.6, siege, strength,
        casualties)
    # Places 2 and 3 are faction 0's but cut off from its source at 0.
    assert newly.tolist() == [[False, False, True, True]]
    assert siege.tolist() == [[0, 0, 1, 1]]
    assert mult[0].tolist() == pytest.approx([1.0, 1.0, 0.6 + 0.4 * 0.5, 0.6])
    assert strength[0].tolist() == pytest.approx([100.0, 100.0, 95.0, 90.0])
    assert casualties[0].tolist() == pytest.approx([15.0, 0.0])


def test_supply_flows_through_allies_and_inactive_sources_do_not_count() -> None:
    src, dst, out_start = PATH
    ctrl = np.array([[0, 1, 0, 0], [0, 1, 0, 0]], dtype=np.int16)
    on = np.array([[True], [False]])
    mult, _ = kernels.supply(
        ctrl, relations({(0, 1): ALLIED}, 2, 2), np.array([0], np.intp), np.array([0], np.intp),
        on, src, dst, out_start, np.zeros((2, 4)), 0.1, 0.6, np.zeros((2, 4), np.int16),
        np.full((2, 4), 100.0), np.zeros((2, 2)))
    assert mult[0].tolist() == [1.0, 1.0, 1.0, 1.0]
    assert mult[1].tolist() == pytest.approx([0.6] * 4)


def test_redeploy_moves_surplus_one_link_toward_the_front() -> None:
    src, dst, out_start = PATH
    ctrl = np.array([[0, 0, 0, 1]], dtype=np.int16)          # the front is 2 | 3
    strength = np.array([[110.0, 110.0, 110.0, 50.0]])
    kernels.redeploy(ctrl, relations({}, 2), strength, src, dst, out_start, 10.0, 0.5)
    # 0 (distance 2) sends half of 100 to 1; 1 (distance 1) half of its own 100 to 2.
    assert strength[0].tolist() == pytest.approx([60.0, 110.0, 160.0, 50.0])


def test_redeploy_does_nothing_without_a_front() -> None:
    src, dst, out_start = PATH
    ctrl = np.array([[0, 0, 1, 1]], dtype=np.int16)
    strength = np.array([[110.0, 110.0, 110.0, 50.0]])
    kernels.redeploy(ctrl, relations({(0, 1): NEUTRAL}, 2), strength, src, dst, out_start,
                     10.0, 0.5)
    assert strength[0].tolist() == [110.0, 110.0, 110.0, 50.0]


def star_orders(max_offensives: int, objective: list[float]) -> tuple[np.ndarray, ...]:
    """Faction 0 holds the hub 0 with 1,000 fighters; faction 1 holds leaves 1-3 with 10."""
    src, dst, _ = graph(4, [(0, 1), (0, 2), (0, 3)])
    ctrl = np.array([[0, 1, 1, 1]], dtype=np.int16)
    strength = np.array([[1000.0, 10.0, 10.0, 10.0]])
    obj = np.zeros((1, 2, 4))
    obj[0, 0, 1:] = objective
    return kernels.orders(
        ctrl, relations({}, 2), strength, np.zeros((1, 2)), np.zeros((1, 2), bool),
        np.full((1, 2), 0.5), np.array([2.0]), obj, np.ones((1, 4)), strength.copy(),
        -np.ones((1, 4), np.int16), np.zeros(4), np.array([max_offensives, 0]),
        np.full((1, 2), 3.0 ** 0.5), src, dst, 1.0, 1.0, 0.0, 1.0)


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
    src, dst, _ = graph(5, [(0, 1), (1, 2), (3, 4)])
    edge = {(a, b): k for k, (a, b) in enumerate(zip(src, dst, strict=True))}
    ctrl = np.array([[0, 1, 2, 0, 1]], dtype=np.int16)
    strength = np.array([[100.0, 50.0, 80.0, 40.0, 20.0]])
    order_edges = np.array([edge[0, 1], edge[2, 1], edge[3, 4]], dtype=np.intp)
    br, bn, fac, S, mult, H, b_of, slot = kernels.assemble(
        np.zeros(3, np.intp), order_edges, np.array([60.0, 70.0, 30.0]),
        np.array([1.0, 2.0, 1.0]), np.array([0, 2, 0], np.intp), src, dst, strength, ctrl,
        np.full((1, 5), 1.5), -np.ones((1, 5), np.int16), 1.4,
        relations({(0, 2): ALLIED}, 3), 3)
    assert br.tolist() == [0, 0] and bn.tolist() == [1, 4]
    assert fac.tolist() == [[1, 0, 2], [1, 0, -1]]
    assert S.tolist() == [[50.0, 60.0, 70.0], [20.0, 30.0, 0.0]]
    assert mult.tolist() == [[1.5, 1.0, 2.0], [1.5, 1.0, 0.0]]
    # The two attackers are allies: each fights the defender only.
    assert H[0].tolist() == [[False, True, True], [True, False, False], [True, False, False]]
    assert b_of.tolist() == [0, 0, 1] and slot.tolist() == [1, 2, 1]
    assert strength[0].tolist() == [40.0, 50.0, 10.0, 10.0, 20.0]   # commits have left
