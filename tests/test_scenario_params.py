"""Parameters: sampling any valid distribution stays in its support, has the right length, is
reproducible from the seed, and its sample mean agrees with ``mean()``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter
from scenario_strategies import distribution

from wargame.scenario.params import (
    Choice,
    Fixed,
    LogNormal,
    Normal,
    Param,
    Triangular,
    Uniform,
    bounded,
    param_mean,
    param_sample,
)

N = 20_000
# Any parameter form, in ranges like those of the schema's keys.
RANGES = [(0.0, None), (0.0, 1.0), (1.0, 10.0), (-1e3, 1e3)]
PARAM_DICTS = st.sampled_from(RANGES).flatmap(lambda r: distribution(*r))
ADAPTER: TypeAdapter[Any] = TypeAdapter(bounded(None, None))


def parse(data: dict[str, Any]) -> Param:
    """A distribution dict as the schema would validate it."""
    p: Param = ADAPTER.validate_python(data)
    assert isinstance(p, (Uniform, Triangular, Normal, LogNormal, Choice))
    return p


def in_support(p: Param, x: np.ndarray) -> bool:
    lo, hi = (p, p) if isinstance(p, float) else p.support()
    # A relative slack of a few ulps: inverse-CDF sampling of a truncated normal may land a
    # rounding error outside a bound; anything more is a bug.
    slack = 1e-12 * max(1.0, abs(lo) if math.isfinite(lo) else 0, abs(hi) if math.isfinite(hi)
                        else 0)
    return bool(np.all((x >= lo - slack) & (x <= hi + slack)))


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PARAM_DICTS, st.integers(0, 2**32 - 1), st.integers(0, 50))
def test_samples_are_in_support_sized_and_reproducible(data: dict[str, Any], seed: int,
                                                         n: int) -> None:
    p = parse(data)
    a = param_sample(p, np.random.default_rng(seed), n)
    b = param_sample(p, np.random.default_rng(seed), n)
    assert a.shape == (n,)
    assert a.dtype == np.float64
    assert np.all(np.isfinite(a))
    assert in_support(p, a)
    np.testing.assert_array_equal(a, b)


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(PARAM_DICTS)
def test_sample_mean_matches_mean(data: dict[str, Any]) -> None:
    """|sample mean − mean()| ≤ 6 standard errors (+ a rounding allowance).

    Six standard errors: a false alarm about once in 10^9 draws. The standard error uses the
    sample's own standard deviation (log-normal ``sigma`` is at most 1 in the strategy, so its
    variance is finite and well estimated). ``derandomize`` makes the examples, and with the
    fixed seed the samples, the same on every run.
    """
    p = parse(data)
    x = param_sample(p, np.random.default_rng(20_000), N)
    mean = param_mean(p)
    tolerance = 6 * x.std() / math.sqrt(N) + 1e-9 * max(1.0, abs(mean))
    assert abs(x.mean() - mean) <= tolerance, (x.mean(), mean, tolerance)


@pytest.mark.parametrize(("p", "mean", "support"), [
    (Fixed(value=3.0), 3.0, (3.0, 3.0)),
    (Uniform(dist="uniform", low=2, high=4), 3.0, (2.0, 4.0)),
    (Triangular(dist="triangular", low=0, mode=3, high=6), 3.0, (0.0, 6.0)),
    (Triangular(dist="triangular", low=5, mode=5, high=5), 5.0, (5.0, 5.0)),
    (Normal(dist="normal", mean_=3, sd=1), 3.0, (-math.inf, math.inf)),
    (Normal(dist="normal", mean_=0, sd=1, low=0), math.sqrt(2 / math.pi), (0.0, math.inf)),
    (LogNormal(dist="lognormal", median=1, sigma=1), math.exp(0.5), (0.0, math.inf)),
    (Choice(dist="choice", values=[1, 5], weights=[3, 1]), 2.0, (1.0, 5.0)),
])
def test_known_means_and_supports(p: Param, mean: float,
                                  support: tuple[float, float]) -> None:
    assert param_mean(p) == pytest.approx(mean, rel=1e-12)
    assert p.support() == support  # type: ignore[union-attr]


def test_plain_number_samples() -> None:
    x = param_sample(2.5, np.random.default_rng(1), 4)
    np.testing.assert_array_equal(x, [2.5, 2.5, 2.5, 2.5])
    assert param_mean(2.5) == 2.5
