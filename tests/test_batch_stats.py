"""Statistics helpers of wargame.montecarlo against known values and as properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import binomtest

from wargame.montecarlo.seeds import ChunkPlan, chunk_rng
from wargame.montecarlo.stats import (
    LogBins,
    binned_quantile,
    count_quantile,
    paired_difference,
    wilson,
)
from wargame.montecarlo.tally import Tally, from_bytes, to_bytes


def test_wilson_7_of_100_textbook() -> None:
    # Newcombe (1998) / Altman et al. "Statistics with confidence": 7/100 -> 0.0343 to 0.1375.
    # The textbook prints four decimals, so agreement is to half a unit of the fourth.
    ci = wilson(7, 100)
    assert ci.estimate == pytest.approx(0.07, abs=1e-12)
    assert ci.low == pytest.approx(0.0343, abs=5e-5)
    assert ci.high == pytest.approx(0.1375, abs=5e-5)


@pytest.mark.parametrize(("k", "n"), [(7, 100), (0, 10), (10, 10), (1, 1), (37, 41),
                                      (500, 1000), (3, 100_000)])
def test_wilson_matches_scipy(k: int, n: int) -> None:
    ref = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    ci = wilson(k, n)
    assert ci.low == pytest.approx(ref.low, abs=1e-12)
    assert ci.high == pytest.approx(ref.high, abs=1e-12)


def test_wilson_edges() -> None:
    assert wilson(0, 50).low == 0.0
    assert wilson(50, 50).high == 1.0
    empty = wilson(0, 0)
    assert math.isnan(empty.estimate) and (empty.low, empty.high) == (0.0, 1.0)
    with pytest.raises(ValueError):
        wilson(5, 4)


def test_newcombe_paired_published_example() -> None:
    # Fagerland, Lydersen & Laake, "Statistical Analysis of Contingency Tables" (2017), ch. 8:
    # Cavo et al. (2012), table [[59, 6], [16, 80]]: -0.0621 (95% CI -0.1186 to -0.0046).
    # Rows are the first measurement, columns the second; the difference is first - second.
    # paired_difference returns second - first, so the signs flip.
    d = paired_difference(both=59, first_only=16, second_only=6, neither=80)
    assert round(d.estimate, 4) == -0.0621
    assert round(d.low, 4) == -0.1186
    assert round(d.high, 4) == -0.0046


def test_newcombe_identical_variants_centre_on_zero() -> None:
    d = paired_difference(both=300, first_only=0, second_only=0, neither=700)
    assert d.estimate == 0.0
    assert d.low < 0 < d.high
    assert d.high - d.low < 0.01  # perfectly paired: far narrower than independent samples


@given(st.lists(st.integers(0, 30), min_size=1, max_size=200),
       st.sampled_from([0.05, 0.1, 0.5, 0.9, 0.95]))
def test_count_quantile_is_numpys_inverted_cdf(values: list[int], q: float) -> None:
    hist = np.bincount(values, minlength=31)
    expected = np.quantile(np.array(values), q, method="inverted_cdf")
    assert count_quantile(hist, q) == int(expected)


def test_count_quantile_empty() -> None:
    assert count_quantile(np.zeros(5, dtype=np.int64), 0.5) is None


@given(st.lists(st.floats(0, 5e6, allow_nan=False), min_size=1, max_size=300),
       st.sampled_from([0.05, 0.5, 0.95]))
def test_binned_quantile_within_stated_resolution(values: list[float], q: float) -> None:
    bins = LogBins()
    v = np.array(values)
    exact = float(np.quantile(v, q, method="inverted_cdf"))
    got = binned_quantile(bins.histogram(v[None, :])[0], q, bins, float(v.min()), float(v.max()))
    if exact >= 1:
        assert abs(got - exact) <= (math.sqrt(bins.ratio) - 1) * exact * 1.000001
    elif exact == 0:
        assert got == 0
    else:
        assert 0 < got <= 1


def test_binned_quantile_constant_is_exact() -> None:
    bins = LogBins()
    v = np.full(10, 1234.5)
    assert binned_quantile(bins.histogram(v[None, :])[0], 0.95, bins, 1234.5, 1234.5) == 1234.5


def test_chunk_streams_are_numpy_spawn_children() -> None:
    children = np.random.SeedSequence(2024).spawn(5)
    for i, child in enumerate(children):
        a = chunk_rng(2024, i).random(4)
        b = np.random.default_rng(child).random(4)
        assert np.array_equal(a, b)


def test_chunk_plan() -> None:
    plan = ChunkPlan(2500, 1000)
    assert plan.n_chunks == 3
    assert [plan.games(i) for i in range(3)] == [1000, 1000, 500]
    with pytest.raises(ValueError):
        ChunkPlan(0, 10)


def _fake_chunk(rng: np.random.Generator) -> dict[str, np.ndarray]:
    return {"games": np.array(int(rng.integers(1, 100))),
            "outcome_count": rng.integers(0, 50, 3),
            "strength_sum": rng.random(2) * 1e6,
            "strength_min": rng.random(2), "strength_max": rng.random(2) + 5}


@given(st.integers(0, 2**32), st.permutations(list(range(6))))
def test_tally_sum_is_exact_and_order_free(seed: int, order: list[int]) -> None:
    rng = np.random.default_rng(seed)
    chunks = [_fake_chunk(rng) for _ in range(6)]
    a, b = Tally(), Tally()
    for c in chunks:
        a.add(c)
    for i in order:
        b.add(from_bytes(to_bytes(chunks[i])))
    assert a.games == b.games
    assert a.mean("strength") == b.mean("strength")  # bit for bit
    assert np.array_equal(a.ints["outcome_count"], b.ints["outcome_count"])
    assert np.array_equal(a.mins["strength_min"], b.mins["strength_min"])
