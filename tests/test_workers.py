"""The default number of workers: the rule (a pure function), and that a run with the default
plays exactly the games of ``--workers 1``, through the API and the command line."""

from __future__ import annotations

import math
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

import wargame
from wargame.cli.app import app
from wargame.montecarlo import jobs, workers
from wargame.montecarlo.workers import (
    POOL_START_SECONDS,
    auto_workers,
    available_cores,
    estimated_seconds,
)

TOY = str(Path(__file__).parent / "data" / "valid" / "toy.yaml")
ALEPPO_PLACES, ALEPPO_TURNS = 45, 26


def _aleppo(games: int, cores: int = 2, chunk_size: int = 1000) -> int:
    chunks = math.ceil(games / chunk_size)
    return auto_workers(games, chunks, ALEPPO_TURNS, ALEPPO_PLACES * ALEPPO_TURNS, cores)


def test_a_small_batch_stays_in_one_process() -> None:
    assert _aleppo(1) == 1
    assert _aleppo(1000) == 1          # one chunk: nothing to share out
    assert _aleppo(2000) == 1          # the pool would cost more than the second core saves


def test_a_large_batch_uses_every_core() -> None:
    assert _aleppo(10_000) == 2
    assert _aleppo(100_000, cores=8) == 8
    assert _aleppo(1_000_000, cores=1) == 1


def test_no_more_workers_than_chunks() -> None:
    assert _aleppo(3000, cores=64, chunk_size=1000) <= 3
    assert _aleppo(10**6, cores=64, chunk_size=500_000) == 2


def test_the_break_even_is_where_the_second_core_saves_the_pool_start() -> None:
    """Two equal chunks on two cores: one worker per chunk pays once the half of the games'
    time the second core saves is more than the pool's start."""
    place_turns = ALEPPO_PLACES * ALEPPO_TURNS
    even = 2 * POOL_START_SECONDS  # T at the break-even
    games = [g for g in range(2, 40_000, 2)
             if auto_workers(g, 2, ALEPPO_TURNS, place_turns, 2) == 2]
    first = games[0]
    assert estimated_seconds(first, 2, ALEPPO_TURNS, place_turns) > even
    assert estimated_seconds(first - 2, 2, ALEPPO_TURNS, place_turns) <= even


def test_uneven_chunks_are_counted() -> None:
    """Three chunks on two workers take two chunks' time: three workers on three cores are
    better, and two workers gain less than half."""
    serial = estimated_seconds(30_000, 3, ALEPPO_TURNS, ALEPPO_PLACES * ALEPPO_TURNS)
    assert serial > 3 * POOL_START_SECONDS
    assert auto_workers(30_000, 3, ALEPPO_TURNS, ALEPPO_PLACES * ALEPPO_TURNS, 3) == 3
    assert auto_workers(30_000, 3, ALEPPO_TURNS, ALEPPO_PLACES * ALEPPO_TURNS, 4) == 3


@given(rounds=st.integers(1, 1000), more=st.integers(0, 1000), cores=st.integers(1, 64),
       size=st.integers(1, 10_000), place_turns=st.integers(1, 10**5))
def test_with_even_chunks_more_games_never_mean_fewer_workers(
        rounds: int, more: int, cores: int, size: int, place_turns: int) -> None:
    """With a whole number of chunks per core the rule takes one process or every core, and a
    larger run never fewer than a smaller one."""
    turns = max(1, place_turns // 50)

    def pick(r: int) -> int:
        chunks = r * cores
        return auto_workers(chunks * size, chunks, turns, place_turns, cores)

    a, b = pick(rounds), pick(rounds + more)
    assert a in (1, cores)
    assert b >= a


def test_available_cores_are_those_this_process_may_use() -> None:
    n = available_cores()
    assert 1 <= n <= (os.cpu_count() or 1)
    if hasattr(os, "sched_getaffinity"):
        assert n == len(os.sched_getaffinity(0))


class _Told:
    """A sink that keeps what it is told."""

    def __init__(self) -> None:
        self.count: list[int] = []

    def note(self, message: str) -> None:
        """Not needed."""

    def start(self, total: int) -> None:
        """Not needed."""

    def advance(self, games: int) -> None:
        """Not needed."""

    def workers(self, count: int) -> None:
        self.count.append(count)


@pytest.fixture
def eager_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pool that costs nothing to start, on two cores: the default then takes two workers
    even for a toy batch."""
    monkeypatch.setattr(workers, "POOL_START_SECONDS", 0.0)
    monkeypatch.setattr(jobs, "available_cores", lambda: 2)


def test_the_default_plays_the_games_of_one_worker(eager_pool: None) -> None:
    told = _Told()
    auto = wargame.batch(TOY, runs=1300, seed=5, chunk_size=200, per_turn=True,
                         reporter=told)
    assert told.count == [2]           # a pool of two ran it
    one = wargame.batch(TOY, runs=1300, seed=5, chunk_size=200, per_turn=True, workers=1)
    assert auto.to_json() == one.to_json()


def test_the_default_compare_and_sweep_equal_one_worker(eager_pool: None) -> None:
    told = _Told()
    auto = wargame.compare(TOY, TOY, runs=600, seed=4, chunk_size=200, reporter=told)
    one = wargame.compare(TOY, TOY, runs=600, seed=4, chunk_size=200, workers=1)
    assert auto.to_json() == one.to_json()
    vary = ["factions.red.quality=0.8,1.2"]
    auto_s = wargame.sweep(TOY, vary, runs=400, seed=4, chunk_size=200, reporter=told)
    one_s = wargame.sweep(TOY, vary, runs=400, seed=4, chunk_size=200, workers=1)
    assert auto_s.to_json() == one_s.to_json()
    assert told.count == [2, 2]


def test_the_command_line_default_equals_one_worker() -> None:
    args = ["batch", TOY, "--runs", "500", "--chunk-size", "100", "--seed", "3", "-f", "json"]
    auto = CliRunner().invoke(app, args)
    one = CliRunner().invoke(app, [*args, "--workers", "1"])
    assert auto.exit_code == 0 == one.exit_code, auto.stderr + one.stderr
    assert auto.stdout == one.stdout


def test_the_progress_bar_says_how_many_workers_play() -> None:
    from wargame.cli.progress import Reporter

    rep = Reporter(quiet=True)
    rep.workers(2)
    assert rep.label == "games, 2 workers"
    rep.workers(1)
    assert rep.label == "games"
